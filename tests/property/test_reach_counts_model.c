/* tests/property/test_reach_counts_model.c: the counts what-if and the forecast give every
 * partner (lost, gained, targets) from the kernel's lanes on two graphs, against two
 * single-source runs per source. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/kernel/kernel.h"
#include "../../query/query_internal.h"
#include "model.h"
#include "support.h"

#define SEEDS (300 / AP_SEED_DIV)

/* What comparing ap_authority_compute on g and d gives source s. */
static ap_reach_counts by_runs(const ap_graph *g, const ap_graph *d, uint32_t s)
{
    ap_reach_counts r = { 0, 0, 0 };
    ap_authority *x = NULL, *y = NULL;
    ap_error err;
    ap_rights all = ap_vocab_all(ap_graph_vocab(g));
    assert_int_equal(ap_authority_compute(&x, g, s, &err), AP_OK);
    assert_int_equal(ap_authority_compute(&y, d, s, &err), AP_OK);
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        ap_kind kind = ap_graph_node(g, v)->kind;
        if (v == s)
            continue;
        r.lost += (x->rights[v] & ~y->rights[v] & all) != 0;
        r.gained += (y->rights[v] & ~x->rights[v] & all) != 0;
        r.targets += y->rights[v] != 0 && (kind == AP_KIND_RESOURCE || kind == AP_KIND_WORKFLOW);
    }
    ap_authority_free(x);
    ap_authority_free(y);
    return r;
}

static void check(const ap_graph *g, const ap_graph *d, uint64_t seed, const char *what)
{
    uint32_t n = ap_graph_node_count(g), ns = 0, *src = malloc((3 * (size_t)n + 1) * sizeof *src);
    ap_reach_counts *got = calloc(3 * (size_t)n + 1, sizeof *got);
    ap_error err;
    for (int rep = 0; rep < 3; rep++)       /* every node a source, three times: 72 lanes */
        for (uint32_t v = 0; v < n; v++)
            src[ns++] = (v * 7 + (uint32_t)rep) % n;
    for (unsigned words = 0; words <= 1; words++) {    /* the graph's choice, then one word */
        ap_kernel__words = words;
        assert_int_equal(ap_query__reach_counts_lanes(got, g, d, src, ns, &err), AP_OK);
        ap_kernel__words = 0;
        for (uint32_t i = 0; i < ns; i++) {
            ap_reach_counts want = by_runs(g, d, src[i]);
            if (got[i].lost != want.lost || got[i].gained != want.gained
                || got[i].targets != want.targets)
                fail_msg("seed %llu %s, words %u, source %u (node %u): lost %u gained %u "
                         "targets %u, expected %u %u %u", (unsigned long long)seed, what, words,
                         i, src[i], got[i].lost, got[i].gained, got[i].targets, want.lost,
                         want.gained, want.targets);
        }
    }
    free(src);
    free(got);
}

static void test_reach_counts__lanes_match_the_runs(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        m_inventory inv;
        ap_store *st = NULL;
        ap_graph *d = NULL;
        ap_error err;
        uint32_t rm[M_MAX_EDGES], nrm = 0, rv[M_MAX_NODES], nrv = 0;
        m_generate(&inv, seed);
        ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "reach-counts", seed, &st);
        for (uint32_t e = 0; e < ap_graph_edge_count(g); e++)
            if ((e + seed) % 4 == 0)
                rm[nrm++] = e;
        for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
            if ((v + seed) % 7 == 0 && ap_graph_node(g, v)->kind != AP_KIND_PARTNER)
                rv[nrv++] = v;
        ap_graph_edit edit = { rm, nrm, NULL, 0, rv, nrv };
        assert_int_equal(ap_graph_derive(&d, g, &edit, &err), AP_OK);
        check(g, d, seed, "g to d");
        check(d, g, seed, "d to g");        /* what d lacks, gained */
        ap_graph_free(d);
        ap_graph_free(g);
        ap_store_close(st);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reach_counts__lanes_match_the_runs),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
