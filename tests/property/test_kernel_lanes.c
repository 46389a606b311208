/* tests/property/test_kernel_lanes.c: the kernel's lanes runs, batch by batch, plain and with
 * other partners blocked, against the model's rounds (m_authority_blocked). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/kernel/kernel.h"
#include "authpath/query.h"
#include "kernel_check.h"
#include "model.h"

#define SEEDS (400 / AP_SEED_DIV)

/* Every node a source, twice over, in a scrambled order. */
static uint32_t make_sources(uint32_t n, uint32_t **out)
{
    uint32_t count = n * 2 + 5, *s = malloc(count * sizeof *s);
    for (uint32_t i = 0; i < count; i++)
        s[i] = (i * 7 + i / n) % n;
    *out = s;
    return count;
}

static void record(void *ctx, const ap_kernel_batch *b, uint32_t v, const uint64_t *w,
                   uint64_t cls)
{
    got_rights *gr = ctx;
    uint64_t seen = 0;
    for (unsigned j = 0; j < b->L; j++)
        for (uint64_t m = w[b->K * b->L + j]; m != 0; m &= m - 1) {
            unsigned lane = j * 64 + (unsigned)__builtin_ctzll(m);
            ap_rights r = 0;
            assert_true(lane < b->nb);
            for (unsigned c = 0; c < b->K; c++)
                if (w[c * b->L + j] >> (lane % 64) & 1) {
                    r |= b->cmask[c];
                    seen |= (uint64_t)1 << c;
                }
            gr->rights[(size_t)(b->base + lane) * gr->n + v] = r;
            gr->visits[(size_t)(b->base + lane) * gr->n + v]++;
        }
    assert_true(seen == cls);       /* the classes said are the classes held */
}

static void check_seed(uint64_t seed, unsigned L, bool blocked)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    ap_kernel *k = NULL;
    ap_kernel_lanes *r = NULL;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "lanes", seed, &st);
    uint32_t n = ap_graph_node_count(g), *src, ns = make_sources(n, &src);
    got_rights gr = { n, calloc((size_t)ns * n, sizeof(ap_rights)),
                      calloc((size_t)ns * n, sizeof(unsigned)) };
    assert_int_equal(ap_kernel__prepare(&k, g, &err), AP_OK);
    assert_int_equal(ap_kernel__lanes_new(&r, k, src, ns, L, &err), AP_OK);
    assert_int_equal(ap_kernel__lanes_batches(r), (ns + 64 * L - 1) / (64 * L));
    /* each batch twice, the other way first: a run leaves nothing behind for the next */
    for (uint32_t b = 0; b < ap_kernel__lanes_batches(r); b++) {
        assert_int_equal(ap_kernel__lanes_run(r, b, !blocked, record, &gr, &err), AP_OK);
        memset(gr.rights, 0, (size_t)ns * n * sizeof(ap_rights));
        memset(gr.visits, 0, (size_t)ns * n * sizeof(unsigned));
    }
    for (uint32_t b = 0; b < ap_kernel__lanes_batches(r); b++)
        assert_int_equal(ap_kernel__lanes_run(r, b, blocked, record, &gr, &err), AP_OK);
    for (uint32_t i = 0; i < ns; i++) {
        uint64_t want[M_MAX_NODES];
        int hops[M_MAX_NODES];
        m_authority_blocked(&inv, (int)src[i], blocked, want, hops);
        for (uint32_t v = 0; v < n; v++) {
            ap_rights got = gr.rights[(size_t)i * n + v];
            if (got != want[v])
                fail_msg("seed %llu L %u %s source n%02u: lanes give n%02u %llx, model %llx",
                         (unsigned long long)seed, L, blocked ? "blocked" : "plain", src[i], v,
                         (unsigned long long)got, (unsigned long long)want[v]);
            if (gr.visits[(size_t)i * n + v] != (got != 0))
                fail_msg("seed %llu: (%u, %u) visited %u times", (unsigned long long)seed, i, v,
                         gr.visits[(size_t)i * n + v]);
        }
    }
    ap_kernel__lanes_free(r);
    ap_kernel__free(k);
    free(gr.rights);
    free(gr.visits);
    free(src);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_kernel_lanes__plain_is_the_model(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        for (unsigned L = 1; L <= 2; L++)
            check_seed(seed, L, false);
}

static void test_kernel_lanes__blocked_is_the_model_with_partners_blocked(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        for (unsigned L = 1; L <= 2; L++)
            check_seed(seed, L, true);
}

/* The blocked runs differ from the plain ones on some seeds: the test above can tell them. */
static void test_kernel_lanes__blocking_changes_something(void **state)
{
    unsigned differ = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        m_inventory inv;
        m_generate(&inv, seed);
        for (int s = 0; s < inv.n; s++) {
            uint64_t a[M_MAX_NODES], b[M_MAX_NODES];
            int h[M_MAX_NODES];
            m_authority_blocked(&inv, s, 0, a, h);
            m_authority_blocked(&inv, s, 1, b, h);
            differ += memcmp(a, b, (size_t)inv.n * sizeof *a) != 0;
        }
    }
    if (differ < SEEDS / 4)
        fail_msg("blocking changed only %u sources' authority", differ);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_lanes__plain_is_the_model),
        cmocka_unit_test(test_kernel_lanes__blocked_is_the_model_with_partners_blocked),
        cmocka_unit_test(test_kernel_lanes__blocking_changes_something),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
