/* tests/property/test_target_model.c: one-target answers from what can reach the target alone
 * (ap_authority_compute_to) against the whole graph's, on 300 seeded random inventories with
 * gates, masks, escalations and cycles: every source and target, the rights, hops and arrivals
 * of every node that can reach the target (but through the source), its explanations, paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"
#include "model.h"
#include "support.h"

#define SEEDS (300 / AP_SEED_DIV)

/* can[v]: v can reach t over the model's edges (any edge: the engine's ancestry reads all)
 * without passing through s (whatever reaches s changes nothing: it holds every right). */
static void can_reach(const m_inventory *inv, int s, int t, int *can)
{
    memset(can, 0, M_MAX_NODES * sizeof *can);
    can[t] = 1;
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < inv->m; i++)
            if (can[inv->edges[i].to] && inv->edges[i].to != s && !can[inv->edges[i].from])
                changed = can[inv->edges[i].from] = 1;
    }
}

static void same_explanations(const ap_graph *g, const ap_authority *w, const ap_authority *r,
                              uint32_t t, const char *what)
{
    ap_explanation *x = NULL, *y = NULL;
    size_t nx = 0, ny = 0;
    ap_error err;
    int rx = ap_explain_all(&x, &nx, g, w, t, &err), ry = ap_explain_all(&y, &ny, g, r, t, &err);
    if (rx != ry || nx != ny)
        fail_msg("%s: explanations differ in number", what);
    for (size_t i = 0; i < nx; i++)
        if (x[i].len != y[i].len || x[i].rights != y[i].rights
            || memcmp(x[i].edges, y[i].edges, x[i].len * sizeof *x[i].edges) != 0
            || strcmp(x[i].sentence, y[i].sentence) != 0)
            fail_msg("%s: explanation %zu differs: '%s' / '%s'", what, i, x[i].sentence,
                     y[i].sentence);
    ap_explanations_free(x, nx);
    ap_explanations_free(y, ny);
}

static void same_paths(const ap_graph *g, const ap_authority *w, const ap_authority *r,
                       uint32_t t, const char *what)
{
    const ap_paths_opts opts = { 3, 2 };        /* small: the bounds are hit */
    ap_paths *x = NULL, *y = NULL;
    ap_error err;
    assert_int_equal(ap_paths_compute(&x, g, w, &t, 1, &opts, &err), AP_OK);
    assert_int_equal(ap_paths_compute(&y, g, r, &t, 1, &opts, &err), AP_OK);
    const ap_path_set *a = &x->sets[0], *b = &y->sets[0];
    if (a->npaths != b->npaths || a->more != b->more || a->deeper != b->deeper
        || a->truncated != b->truncated)
        fail_msg("%s: path counts or flags differ", what);
    for (uint32_t k = 0; k < a->npaths; k++)
        if (a->off[k + 1] != b->off[k + 1] || a->rights[k] != b->rights[k])
            fail_msg("%s: path %u differs", what, k);
    if (a->npaths > 0 && memcmp(a->edges, b->edges, a->off[a->npaths] * sizeof *a->edges) != 0)
        fail_msg("%s: path edges differ", what);
    ap_paths_free(x);
    ap_paths_free(y);
}

/* Checks every source and target of one seed; counts the pairs whose restricted run left out
 * a node the whole run reaches (the comparison has teeth only when that happens). */
static void check_one(uint64_t seed, int *left_out)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    char what[96];
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "target", seed, &st);
    for (int s = 0; s < inv.n; s++) {
        ap_authority *whole = NULL;
        assert_int_equal(ap_authority_compute(&whole, g, (uint32_t)s, &err), AP_OK);
        for (int t = 0; t < inv.n; t++) {
            ap_authority *r = NULL;
            int can[M_MAX_NODES];
            snprintf(what, sizeof what, "seed %llu source %d target %d",
                     (unsigned long long)seed, s, t);
            can_reach(&inv, s, t, can);
            assert_int_equal(ap_authority_compute_to(&r, g, (uint32_t)s, (uint32_t)t, &err),
                             AP_OK);
            for (int v = 0; v < inv.n; v++) {
                if (can[v])
                    ap_test_same_arrivals(whole, r, (uint32_t)v, what);
                else if (r->rights[v] != 0 && v != s)
                    fail_msg("%s: %d cannot reach the target but has rights", what, v);
                *left_out += !can[v] && whole->rights[v] != 0 && v != s;
            }
            if (t != s && whole->rights[t] != 0) {
                same_explanations(g, whole, r, (uint32_t)t, what);
                same_paths(g, whole, r, (uint32_t)t, what);
            }
            ap_authority_free(r);
        }
        ap_authority_free(whole);
    }
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_property_target__restricted_matches_whole(void **state)
{
    int left_out = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed, &left_out);
    assert_true(left_out > 0);      /* the restriction did leave reached nodes out */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_target__restricted_matches_whole),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
