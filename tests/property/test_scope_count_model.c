/* tests/property/test_scope_count_model.c: the targets outside each source's declared scope
 * from the kernel's lanes (ap_scope_count_all, as blast-radius counts them for every partner)
 * against a single-source run each (ap_scope_count). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/kernel/kernel.h"
#include "../../query/query_internal.h"
#include "authpath/scope.h"
#include "model.h"
#include "support.h"

#define SEEDS 200

/* Scopes that leave targets out for each reason: rights, sensitivity, resource names, the
 * window, none at all, and an empty list of rights (every named right is beyond it). */
static const char *const scopes[] = {
    "{\"rights\": [\"read\"]}",
    "{\"rights\": [\"read\", \"write\", \"export\"], \"max_sensitivity\": \"confidential\"}",
    "{\"max_sensitivity\": \"public\"}",
    "{\"resources\": [\"n1*\", \"n0[2-5]\"]}",
    "{\"until\": \"2000-01-01\"}",
    "{\"rights\": [\"all\"], \"resources\": [\"*\"]}",
    "{\"rights\": []}",
    "{\"resources\": [\"n2*\"], \"rights\": [\"execute\", \"refund\"]}",
};
#define NSCOPES (sizeof scopes / sizeof scopes[0])

/* A policy giving node v the scope (v + seed) % (NSCOPES + 2): two in ten declare none. */
static void policy_for(ap_policy *pol, const ap_graph *g, uint64_t seed)
{
    uint32_t n = ap_graph_node_count(g);
    ap_policy_default(pol);
    pol->scopes = calloc(n + 1, sizeof *pol->scopes);
    assert_non_null(pol->scopes);
    for (uint32_t v = 0; v < n; v++) {      /* ids n00, n01...: in id order, as the policy is */
        size_t k = (v + seed) % (NSCOPES + 2);
        if (k >= NSCOPES)
            continue;
        pol->scopes[pol->nscopes].partner = strdup(ap_graph_node(g, v)->id);
        pol->scopes[pol->nscopes].scope = strdup(scopes[k]);
        assert_non_null(pol->scopes[pol->nscopes].partner);
        assert_non_null(pol->scopes[pol->nscopes].scope);
        pol->nscopes++;
    }
}

/* Seed's random estate, with every node of it n sources (a source each, in a shuffled order,
 * reps times over: *ns of them) and the policy of policy_for(). */
static ap_graph *load(uint64_t seed, ap_store **st, ap_policy *pol, int reps, uint32_t **src,
                      uint32_t *ns)
{
    m_inventory inv;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "scope-count", seed, st);
    uint32_t n = ap_graph_node_count(g);
    *src = malloc(((size_t)reps * n + 1) * sizeof **src);
    assert_non_null(*src);
    *ns = 0;
    for (int rep = 0; rep < reps; rep++)
        for (uint32_t v = 0; v < n; v++)
            (*src)[(*ns)++] = (v * 5 + (uint32_t)rep) % n;
    policy_for(pol, g, seed);
    return g;
}

static void test_scope_count__lanes_match_the_runs(void **state)
{
    (void)state;
    ap_query__scope_runs_max = 0;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        ap_store *st = NULL;
        ap_policy pol;
        ap_error err;
        uint32_t *src, ns;
        ap_graph *g = load(seed, &st, &pol, 2, &src, &ns);     /* every node a source, twice */
        int64_t *got = malloc(((size_t)ns + 1) * sizeof *got);
        assert_non_null(got);
        for (unsigned words = 0; words <= 1; words++) {    /* the graph's choice, one word */
            ap_kernel__words = words;
            assert_int_equal(ap_scope_count_all(got, g, src, ns, &pol, &err), AP_OK);
            ap_kernel__words = 0;
            for (uint32_t i = 0; i < ns; i++) {
                int64_t want;
                assert_int_equal(ap_scope_count(&want, g, src[i], &pol, &err), AP_OK);
                if (got[i] != want)
                    fail_msg("seed %llu, words %u, source %u (%s): %lld outside, expected %lld",
                             (unsigned long long)seed, words, i, ap_graph_node(g, src[i])->id,
                             (long long)got[i], (long long)want);
            }
        }
        ap_policy_clear(&pol);
        free(src);
        free(got);
        ap_graph_free(g);
        ap_store_close(st);
    }
}

/* Some sources must hold targets outside their scopes, or the comparison proves little. */
static void test_scope_count__some_are_outside(void **state)
{
    (void)state;
    int64_t outside = 0;
    ap_query__scope_runs_max = 0;
    for (uint64_t seed = 1; seed <= 20; seed++) {
        ap_store *st = NULL;
        ap_policy pol;
        ap_error err;
        uint32_t *src, ns;
        ap_graph *g = load(seed, &st, &pol, 1, &src, &ns);
        int64_t *got = malloc(((size_t)ns + 1) * sizeof *got);
        assert_non_null(got);
        assert_int_equal(ap_scope_count_all(got, g, src, ns, &pol, &err), AP_OK);
        for (uint32_t i = 0; i < ns; i++)
            outside += got[i] > 0 ? got[i] : 0;
        ap_policy_clear(&pol);
        free(src);
        free(got);
        ap_graph_free(g);
        ap_store_close(st);
    }
    assert_true(outside > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scope_count__lanes_match_the_runs),
        cmocka_unit_test(test_scope_count__some_are_outside),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
