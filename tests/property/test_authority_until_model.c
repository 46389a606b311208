/* tests/property/test_authority_until_model.c: an authority stopped after round R
 * (ap_query__authority_run_until) against the full one on 150 seeded random inventories:
 * every node of at most R hops with the same hops and witness path, no other node, the reach
 * a prefix of the full reach, rights a lower bound; and a run told of each round before it
 * delivers (ap_query__authority_ws_probe), stopped there. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/query_internal.h"
#include "authpath/query.h"
#include "model.h"
#include "support.h"

#define SEEDS 150

/* enough(): once a node of `round` hops is heard, counting the calls. */
typedef struct {
    uint32_t round;
    unsigned calls;
} stop_at;

static bool at_round(void *ctx, const ap_authority *a, uint32_t v)
{
    stop_at *s = ctx;
    s->calls++;
    return a->hops[v] >= s->round;
}

static void same_path(const ap_graph *g, const ap_authority *full, const ap_authority *cut,
                      uint32_t v, uint64_t seed)
{
    uint32_t p1[M_MAX_NODES * 4], p2[M_MAX_NODES * 4];
    size_t n1 = ap_authority_path(full, g, v, p1, sizeof p1 / sizeof p1[0]);
    size_t n2 = ap_authority_path(cut, g, v, p2, sizeof p2 / sizeof p2[0]);
    if (n1 != n2 || memcmp(p1, p2, n1 * sizeof *p1) != 0)
        fail_msg("seed %llu source %u round %u: the witness path to %u differs (%zu, %zu "
                 "steps)", (unsigned long long)seed, full->source, cut->rounds, v, n1, n2);
}

static unsigned check_one(uint64_t seed)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_authority_ws *ws = NULL;
    ap_error err;
    unsigned stopped = 0;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "until", seed, &st);
    assert_int_equal(ap_query__authority_ws_new(&ws, g, &err), AP_OK);
    for (uint32_t s = 0; s < (uint32_t)inv.n; s++) {
        ap_authority *full = NULL;
        assert_int_equal(ap_authority_compute(&full, g, s, &err), AP_OK);
        uint32_t last = 0;          /* the deepest hops of the full reach */
        for (uint32_t i = 0; i < full->nreach; i++)
            last = full->hops[full->reach[i]] > last ? full->hops[full->reach[i]] : last;
        for (uint32_t ask = 1; ask <= last; ask++) {
            const ap_authority *cut = NULL;
            stop_at at = { ask, 0 };
            uint32_t round = last;  /* the first round from `ask` on that reaches a node */
            for (uint32_t i = 0; i < full->nreach; i++)
                if (full->hops[full->reach[i]] >= ask && full->hops[full->reach[i]] < round)
                    round = full->hops[full->reach[i]];
            assert_int_equal(ap_query__authority_run_until(&cut, ws, g, s, at_round, &at, &err),
                             AP_OK);
            if (cut->rounds != round)
                fail_msg("seed %llu source %u: asked to stop at round %u (%u), ran %u",
                         (unsigned long long)seed, s, ask, round, cut->rounds);
            stopped += round < full->rounds;
            uint32_t k = 0;
            for (uint32_t i = 0; i < full->nreach; i++) {
                uint32_t v = full->reach[i];
                if (full->hops[v] > round) {
                    if (cut->hops[v] != AP_UNREACHED)
                        fail_msg("seed %llu source %u: %u (hops %u) reached by round %u",
                                 (unsigned long long)seed, s, v, full->hops[v], round);
                    continue;
                }
                if (k >= cut->nreach || cut->reach[k++] != v)
                    fail_msg("seed %llu source %u round %u: the reach is not the full one's "
                             "prefix at %u", (unsigned long long)seed, s, round, v);
                if (cut->hops[v] != full->hops[v] || (cut->rights[v] & ~full->rights[v]) != 0
                    || cut->rights[v] == 0)
                    fail_msg("seed %llu source %u round %u: %u has hops %u rights %llx, the "
                             "full run hops %u rights %llx", (unsigned long long)seed, s, round,
                             v, cut->hops[v], (unsigned long long)cut->rights[v], full->hops[v],
                             (unsigned long long)full->rights[v]);
                same_path(g, full, cut, v, seed);
            }
            assert_int_equal(k, cut->nreach);
            assert_true(at.calls == cut->nreach);   /* each node heard once, at its round */
        }
        ap_authority_free(full);
    }
    ap_query__authority_ws_free(ws);
    ap_graph_free(g);
    ap_store_close(st);
    return stopped;
}

static void test_property_authority_until__prefix_of_the_full_run(void **state)
{
    unsigned stopped = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        stopped += check_one(seed);
    if (stopped < 500)              /* many runs stopped before their fixpoint: it has teeth */
        fail_msg("%u runs stopped before their fixpoint", stopped);
}

/* probe(): every node told with its round (told[v]: the first round it was told of, never two
 * different ones), the run stopped before round `ask`. */
typedef struct {
    uint32_t ask, *told;
    bool two_rounds;
} probed;

static bool probe(void *ctx, uint32_t v, uint32_t round)
{
    probed *p = ctx;
    p->two_rounds |= p->told[v] != AP_UNREACHED && p->told[v] != round;
    p->told[v] = round;
    return round >= p->ask;
}

/* A run on a view with a probe (ap_query__authority_ws_probe) against the full run: the probe
 * hears each node at its hops, up to the round it stops at, and the result holds every node of
 * fewer hops (with the full run's hops), no other. */
static unsigned check_probe(uint64_t seed)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_authority_ws *ws = NULL;
    ap_out_view *view = NULL;
    ap_error err;
    unsigned told = 0;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "probe", seed, &st);
    uint32_t n = ap_graph_node_count(g);
    probed p = { 0, malloc((n + 1) * sizeof *p.told), false };
    assert_non_null(p.told);
    assert_int_equal(ap_query__out_view_new(&view, g, &err), AP_OK);
    assert_int_equal(ap_query__authority_ws_new(&ws, g, &err), AP_OK);
    ap_query__authority_ws_view(ws, view);
    for (uint32_t s = 0; s < n; s++) {
        ap_authority *full = NULL;
        assert_int_equal(ap_authority_compute(&full, g, s, &err), AP_OK);
        for (p.ask = 1; p.ask <= full->rounds + 1; p.ask++) {
            const ap_authority *cut = NULL;
            memset(p.told, 0xff, n * sizeof *p.told);
            ap_query__authority_ws_probe(ws, probe, &p);
            assert_int_equal(ap_query__authority_run_until(&cut, ws, g, s, NULL, NULL, &err),
                             AP_OK);
            ap_query__authority_ws_probe(ws, NULL, NULL);
            uint32_t stop = full->rounds + 1;   /* the first round from ask on reaching a node */
            for (uint32_t i = 0; i < full->nreach; i++)
                if (full->hops[full->reach[i]] >= p.ask && full->hops[full->reach[i]] < stop)
                    stop = full->hops[full->reach[i]];
            assert_false(p.two_rounds);
            for (uint32_t v = 0; v < n; v++) {
                uint32_t h = v == s ? AP_UNREACHED : full->hops[v];
                uint32_t want_told = h != AP_UNREACHED && h <= stop ? h : AP_UNREACHED;
                uint32_t want_hops = v == s ? 0 : h != AP_UNREACHED && h < stop ? h : AP_UNREACHED;
                if (p.told[v] != want_told || cut->hops[v] != want_hops)
                    fail_msg("seed %llu source %u, stop at %u (%u): node %u told at %u (want "
                             "%u), hops %u (want %u)", (unsigned long long)seed, s, p.ask, stop,
                             v, p.told[v], want_told, cut->hops[v], want_hops);
                told += p.told[v] != AP_UNREACHED;
            }
        }
        ap_authority_free(full);
    }
    ap_query__authority_ws_free(ws);
    ap_query__out_view_free(view);
    free(p.told);
    ap_graph_free(g);
    ap_store_close(st);
    return told;
}

static void test_property_authority_until__probe_hears_each_round(void **state)
{
    unsigned told = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS / AP_SEED_DIV; seed++)
        told += check_probe(seed);
    if (told < 1000)
        fail_msg("%u nodes told", told);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_authority_until__prefix_of_the_full_run),
        cmocka_unit_test(test_property_authority_until__probe_hears_each_round),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
