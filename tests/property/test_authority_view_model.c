/* tests/property/test_authority_view_model.c: authorities read from the out-edge slots
 * (ap_query__out_view, as the findings' runs read them) against the edge records' and the
 * model, on 150 seeded random inventories: the same rights, hops, reach, arrivals and paths. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/query_internal.h"
#include "authpath/query.h"
#include "model.h"
#include "support.h"

#define SEEDS 150

typedef struct {
    unsigned sources, dead_sources, dead_edges, not_live;
} teeth;

static void same(const ap_graph *g, const ap_authority *r, const ap_authority *v,
                 const m_inventory *inv, uint64_t seed)
{
    uint64_t rights[M_MAX_NODES];
    int hops[M_MAX_NODES];
    m_authority(inv, (int)r->source, rights, hops);
    if (r->nreach != v->nreach || r->rounds != v->rounds || r->nclasses != v->nclasses
        || memcmp(r->reach, v->reach, r->nreach * sizeof *r->reach) != 0)
        fail_msg("seed %llu source %u: reach %u/%u rounds %u/%u differ", (unsigned long long)seed,
                 r->source, r->nreach, v->nreach, r->rounds, v->rounds);
    for (uint32_t x = 0; x < r->n; x++) {
        uint64_t want = x == r->source ? AP_RIGHTS_ALL : rights[x];
        if (v->rights[x] != r->rights[x] || v->hops[x] != r->hops[x] || v->rights[x] != want)
            fail_msg("seed %llu source %u node %u: rights %llx (records %llx, model %llx), "
                     "hops %u (records %u)", (unsigned long long)seed, r->source, x,
                     (unsigned long long)v->rights[x], (unsigned long long)r->rights[x],
                     (unsigned long long)want, v->hops[x], r->hops[x]);
        if (r->hops[x] == AP_UNREACHED)
            continue;
        const ap_arrival *a = &r->arrivals[(size_t)r->row[x] * r->nclasses];
        const ap_arrival *b = &v->arrivals[(size_t)v->row[x] * v->nclasses];
        if (memcmp(a, b, r->nclasses * sizeof *a) != 0)
            fail_msg("seed %llu source %u node %u: arrivals differ", (unsigned long long)seed,
                     r->source, x);
        uint32_t p1[M_MAX_NODES * 4], p2[M_MAX_NODES * 4];
        size_t n1 = ap_authority_path(r, g, x, p1, sizeof p1 / sizeof p1[0]);
        size_t n2 = ap_authority_path(v, g, x, p2, sizeof p2 / sizeof p2[0]);
        if (n1 != n2 || memcmp(p1, p2, n1 * sizeof *p1) != 0)
            fail_msg("seed %llu source %u: the witness path to %u differs",
                     (unsigned long long)seed, r->source, x);
    }
}

static void check_one(uint64_t seed, teeth *t)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_authority_ws *ws_rec = NULL, *ws_view = NULL;
    ap_out_view *view = NULL;
    ap_error err;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "view", seed, &st);
    assert_int_equal(ap_query__out_view_new(&view, g, &err), AP_OK);
    assert_int_equal(ap_query__authority_ws_new(&ws_rec, g, &err), AP_OK);
    assert_int_equal(ap_query__authority_ws_new(&ws_view, g, &err), AP_OK);
    ap_query__authority_ws_view(ws_view, view);
    for (uint32_t e = 0; e < view->m; e++) {
        t->dead_edges += (view->slot[e].meta & AP_OUT_DEAD) != 0;
        t->not_live += (view->slot[e].meta & (AP_OUT_DEAD | AP_OUT_LIVE)) == 0;
    }
    for (uint32_t s = 0; s < ap_graph_node_count(g); s++) {
        const ap_authority *r = NULL, *v = NULL;
        assert_int_equal(ap_query__authority_run(&r, ws_rec, g, s, &err), AP_OK);
        assert_int_equal(ap_query__authority_run(&v, ws_view, g, s, &err), AP_OK);
        same(g, r, v, &inv, seed);
        t->sources++;
        t->dead_sources += !ap_graph_node_live(g, s);
    }
    ap_query__authority_ws_free(ws_rec);
    ap_query__authority_ws_free(ws_view);
    ap_query__out_view_free(view);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_property_authority_view__reads_what_the_records_say(void **state)
{
    teeth t = { 0 };
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS / AP_SEED_DIV; seed++)
        check_one(seed, &t);
    /* the slots' every case was met: sources that are not live themselves, edges no source may
     * cross, and edges only a run from one of their dead ends may cross */
    if (t.dead_sources < 50 || t.dead_edges < 50 || t.not_live < 50)
        fail_msg("%u sources (%u not live), %u dead edges, %u not live", t.sources,
                 t.dead_sources, t.dead_edges, t.not_live);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_authority_view__reads_what_the_records_say),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
