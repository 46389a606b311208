/* tests/property/test_authority_blocked_model.c: direct holding, the authority of a partner with
 * every other partner blocked (ap_query__authority_ws_block), against the model's blocked rounds
 * (m_authority_blocked) on 400 seeded random inventories: rights, hops and witness chains of
 * every source (a partner's is its direct holding; any other source's blocks every partner). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/query_internal.h"
#include "authpath/query.h"
#include "model.h"
#include "support.h"

#define SEEDS (400 / AP_SEED_DIV)

/* What the checks met, so that they cannot pass on nothing. */
typedef struct {
    unsigned sources;       /* partner sources run (every other source is run too) */
    unsigned differ;        /* ... whose blocked authority is not their normal one */
    unsigned chains;        /* reached nodes whose witness chain was replayed */
    unsigned at_partner;    /* ... ending at another partner */
    unsigned gated;         /* ... with a gate opened by the tail's own right */
    unsigned refused;       /* normal chains through another partner refused when blocked */
    unsigned stopped;       /* blocked runs stopped early (run_until) */
} teeth;

/* The model's index of engine edge e (model node i is engine node i: ids n00, n01, ...). */
static int model_edge(const m_inventory *inv, const ap_graph *g, uint32_t e)
{
    const char *id = ap_graph_edge(g, e)->id;
    char buf[64];
    for (int i = 0; i < inv->m; i++) {
        m_edge_id(buf, sizeof buf, inv, i);
        if (strcmp(buf, id) == 0)
            return i;
    }
    fail_msg("edge %s is not in the model", id);
    return -1;
}

/* The model's gate: opened by a required right the tail holds in the blocked fixpoint. */
typedef struct {
    const m_inventory *inv;
    const ap_graph *g;
    const ap_authority *a;
    const int *edges;
    const uint64_t *fix;
    const ap_chain_step *steps;     /* the engine's replay: it must name the same gate */
    unsigned opened;
} gate_ctx;

static int model_gate(void *ctx, int step, uint64_t requires)
{
    gate_ctx *c = ctx;
    int tail = c->inv->edges[c->edges[step]].from;
    if ((c->fix[tail] & requires) == 0)
        return 0;
    if ((c->steps[step].gate & requires & c->fix[tail]) == 0)
        fail_msg("step %d: the engine names gate %llx, the tail holds %llx of %llx", step,
                 (unsigned long long)c->steps[step].gate, (unsigned long long)c->fix[tail],
                 (unsigned long long)requires);
    /* the cited witness of the gate's right at the tail is direct too, and delivers it */
    uint32_t chain[M_MAX_NODES * 4];
    size_t len = ap_authority_chain(c->a, c->g, (uint32_t)tail, c->steps[step].gate, chain,
                                    sizeof chain / sizeof chain[0]);
    for (size_t i = 1; i < len && i < sizeof chain / sizeof chain[0]; i++)
        if (c->inv->nodes[ap_graph_edge(c->g, chain[i])->from].kind == 0)
            fail_msg("step %d: the gate's witness passes another partner", step);
    if (len == 0 || len > sizeof chain / sizeof chain[0]
        || (ap_authority_replay(c->g, c->a, chain, len, NULL) & c->steps[step].gate) == 0)
        fail_msg("step %d: the gate's witness does not deliver %llx", step,
                 (unsigned long long)c->steps[step].gate);
    c->opened++;
    return 1;
}

/* v's chain for `want` in the blocked authority a: from the source, no other partner strictly
 * inside, and what replaying it delivers (engine and model alike) is non-empty, within A(v),
 * and holds a right of want. */
static void check_chain(const m_inventory *inv, const ap_graph *g, const ap_authority *a,
                        uint32_t v, ap_rights want, const uint64_t *fix, uint64_t seed,
                        teeth *t)
{
    uint32_t path[M_MAX_NODES * 4];
    int medges[M_MAX_NODES * 4];
    ap_chain_step steps[M_MAX_NODES * 4] = { { 0, 0, 0 } };
    size_t len = ap_authority_chain(a, g, v, want, path, sizeof path / sizeof path[0]);
    if (len == 0 || len > sizeof path / sizeof path[0])
        fail_msg("seed %llu source n%02u: no chain to n%02u for %llx", (unsigned long long)seed,
                 a->source, v, (unsigned long long)want);
    for (size_t i = 0; i < len; i++) {
        const ap_edge *e = ap_graph_edge(g, path[i]);
        if (i > 0 && e->from != a->source && inv->nodes[e->from].kind == 0)
            fail_msg("seed %llu source n%02u: the chain to n%02u passes partner n%02u",
                     (unsigned long long)seed, a->source, v, e->from);
        medges[i] = model_edge(inv, g, path[i]);
    }
    ap_rights got = ap_authority_replay(g, a, path, len, steps);
    gate_ctx gc = { inv, g, a, medges, fix, steps, 0 };
    uint64_t model = m_replay(inv, (int)a->source, medges, (int)len, model_gate, &gc);
    if (got == 0 || (got & ~a->rights[v]) != 0 || (got & want & a->rights[v]) == 0
        || model != got)
        fail_msg("seed %llu source n%02u: the chain to n%02u for %llx delivers %llx (model "
                 "%llx), A(v) %llx", (unsigned long long)seed, a->source, v,
                 (unsigned long long)want, (unsigned long long)got, (unsigned long long)model,
                 (unsigned long long)a->rights[v]);
    t->chains++;
    t->at_partner += inv->nodes[v].kind == 0;
    t->gated += gc.opened > 0;
}

/* ap_witnesses on a: the paths of ap_authority_path, none through another partner, each
 * delivering what replaying it does. */
static void check_witnesses(const m_inventory *inv, const ap_graph *g, const ap_authority *a,
                            uint64_t seed)
{
    ap_witnesses *w = NULL;
    ap_error err;
    assert_int_equal(ap_witnesses_new(&w, g, a, &err), AP_OK);
    for (uint32_t v = 0; v < a->n; v++) {
        uint32_t path[M_MAX_NODES * 4], n;
        const uint32_t *nodes;
        ap_rights got;
        size_t len = ap_authority_path(a, g, v, path, sizeof path / sizeof path[0]);
        ap_rights want = len > 0 ? ap_authority_replay(g, a, path, len, NULL) : 0;
        assert_int_equal(ap_witnesses_get(w, v, &nodes, &n, &got, &err), AP_OK);
        if (n != (len > 0 ? len + 1 : 0) || got != want)
            fail_msg("seed %llu source n%02u: witness set of n%02u has %u nodes delivering "
                     "%llx, the path %zu steps delivering %llx", (unsigned long long)seed,
                     a->source, v, n, (unsigned long long)got, len, (unsigned long long)want);
        for (uint32_t i = 1; i + 1 < n; i++)
            if (inv->nodes[nodes[i]].kind == 0)
                fail_msg("seed %llu source n%02u: witness set's path to n%02u passes partner "
                         "n%02u", (unsigned long long)seed, a->source, v, nodes[i]);
    }
    ap_witnesses_free(w);
}

/* a (from run, blocked or not) has the model's rights and hops, and reaches what it holds. */
static void same_as_model(const ap_authority *a, const uint64_t *fix, const int *hops,
                          int n, const char *what, uint64_t seed)
{
    uint32_t nreach = 0;
    for (int v = 0; v < n; v++) {
        int got_hops = a->hops[v] == AP_UNREACHED ? -1 : (int)a->hops[v];
        if (a->rights[v] != fix[v] || got_hops != hops[v])
            fail_msg("seed %llu source n%02u (%s): n%02d holds %llx in %d hops, model %llx in "
                     "%d", (unsigned long long)seed, a->source, what, v,
                     (unsigned long long)a->rights[v], got_hops, (unsigned long long)fix[v],
                     hops[v]);
        nreach += v != (int)a->source && fix[v] != 0;
    }
    if (a->nreach != nreach)
        fail_msg("seed %llu source n%02u (%s): %u reached, model %u", (unsigned long long)seed,
                 a->source, what, a->nreach, nreach);
}

/* The normal witness paths of s that pass another partner: the blocked authority's replay
 * refuses them (they are not direct), the normal one delivers them. */
static void check_refused(const m_inventory *inv, const ap_graph *g, const ap_authority *normal,
                          const ap_authority *blocked, teeth *t, uint64_t seed)
{
    for (uint32_t v = 0; v < normal->n; v++) {
        uint32_t path[M_MAX_NODES * 4];
        size_t len = ap_authority_path(normal, g, v, path, sizeof path / sizeof path[0]);
        bool through = false;
        for (size_t i = 1; i < len; i++) {
            uint32_t u = ap_graph_edge(g, path[i])->from;
            through |= u != normal->source && inv->nodes[u].kind == 0;
        }
        if (!through)
            continue;
        if (ap_authority_replay(g, normal, path, len, NULL) == 0
            || ap_authority_replay(g, blocked, path, len, NULL) != 0)
            fail_msg("seed %llu source n%02u: the chain to n%02u through another partner "
                     "replays blocked as %llx", (unsigned long long)seed, normal->source, v,
                     (unsigned long long)ap_authority_replay(g, blocked, path, len, NULL));
        t->refused++;
    }
}

/* enough(): stop once a node of `round` hops is heard. */
static bool at_round(void *ctx, const ap_authority *a, uint32_t v)
{
    return a->hops[v] >= *(uint32_t *)ctx;
}

/* A blocked run stopped after its second round: the full blocked run's nodes of at most that
 * many hops, with their hops and witness paths, and no other. */
static void check_until(ap_authority_ws *ws, const ap_graph *g, uint32_t s, const uint64_t *fix,
                        const int *hops, const ap_authority *full, teeth *t, uint64_t seed)
{
    const ap_authority *cut = NULL;
    uint32_t stop = 2;
    ap_error err;
    uint32_t p1[M_MAX_NODES * 4], p2[M_MAX_NODES * 4], saved[M_MAX_NODES][M_MAX_NODES * 4];
    size_t n1[M_MAX_NODES];
    uint32_t rounds = full->rounds;
    for (uint32_t v = 0; v < full->n; v++)      /* full is ws's: the next run replaces it */
        n1[v] = ap_authority_path(full, g, v, saved[v], M_MAX_NODES * 4);
    assert_int_equal(ap_query__authority_run_until(&cut, ws, g, s, at_round, &stop, &err), AP_OK);
    for (uint32_t v = 0; v < cut->n; v++) {
        bool within = hops[v] >= 0 && (uint32_t)hops[v] <= cut->rounds;
        int got = cut->hops[v] == AP_UNREACHED ? -1 : (int)cut->hops[v];
        if (got != (within ? hops[v] : -1) || (cut->rights[v] & ~fix[v]) != 0)
            fail_msg("seed %llu source n%02u stopped after %u rounds: n%02u in %d hops, model "
                     "%d", (unsigned long long)seed, s, cut->rounds, v, got, hops[v]);
        if (!within || v == s)
            continue;
        size_t n2 = ap_authority_path(cut, g, v, p2, sizeof p2 / sizeof p2[0]);
        memcpy(p1, saved[v], n1[v] * sizeof *p1);
        if (n1[v] != n2 || memcmp(p1, p2, n2 * sizeof *p1) != 0)
            fail_msg("seed %llu source n%02u: the stopped run's path to n%02u differs",
                     (unsigned long long)seed, s, v);
    }
    t->stopped += cut->rounds < rounds;
}

static void check_one(uint64_t seed, teeth *t)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_authority_ws *ws = NULL, *ws_view = NULL;
    ap_out_view *view = NULL;
    ap_error err;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "blocked", seed, &st);
    assert_int_equal(ap_graph_node_count(g), inv.n);
    assert_int_equal(ap_query__authority_ws_new(&ws, g, &err), AP_OK);
    assert_int_equal(ap_query__authority_ws_new(&ws_view, g, &err), AP_OK);
    assert_int_equal(ap_query__out_view_new(&view, g, &err), AP_OK);
    ap_query__authority_ws_view(ws_view, view);
    ap_query__authority_ws_block(ws_view, true);
    for (int s = 0; s < inv.n; s++) {
        uint64_t fix[M_MAX_NODES], normal_fix[M_MAX_NODES];
        int hops[M_MAX_NODES], normal_hops[M_MAX_NODES];
        const ap_authority *a = NULL, *v = NULL;
        ap_authority *normal = NULL;
        m_authority_blocked(&inv, s, 1, fix, hops);
        m_authority(&inv, s, normal_fix, normal_hops);
        fix[s] = normal_fix[s] = AP_RIGHTS_ALL;
        /* a workspace switched on and off between sources: every run is its mode's */
        ap_query__authority_ws_block(ws, true);
        assert_int_equal(ap_query__authority_run(&a, ws, g, (uint32_t)s, &err), AP_OK);
        assert_true(a->blocked);
        same_as_model(a, fix, hops, inv.n, "blocked", seed);
        assert_int_equal(ap_query__authority_run(&v, ws_view, g, (uint32_t)s, &err), AP_OK);
        same_as_model(v, fix, hops, inv.n, "blocked, view", seed);
        for (uint32_t x = 0; x < (uint32_t)inv.n; x++) {
            if (x == (uint32_t)s || fix[x] == 0)
                continue;
            check_chain(&inv, g, a, x, AP_RIGHTS_ALL, fix, seed, t);
            for (uint32_t c = 0; c < a->nclasses; c++)
                if (a->rights[x] & a->class_mask[c])
                    check_chain(&inv, g, a, x, a->class_mask[c], fix, seed, t);
        }
        check_witnesses(&inv, g, a, seed);
        assert_int_equal(ap_authority_compute(&normal, g, (uint32_t)s, &err), AP_OK);
        assert_false(normal->blocked);
        check_refused(&inv, g, normal, a, t, seed);
        ap_authority_free(normal);
        check_until(ws, g, (uint32_t)s, fix, hops, a, t, seed);
        t->sources += inv.nodes[s].kind == 0;
        t->differ += memcmp(fix, normal_fix, (size_t)inv.n * sizeof *fix) != 0;
        /* and back: the same workspace gives the normal authority again */
        ap_query__authority_ws_block(ws, false);
        assert_int_equal(ap_query__authority_run(&a, ws, g, (uint32_t)s, &err), AP_OK);
        assert_false(a->blocked);
        same_as_model(a, normal_fix, normal_hops, inv.n, "switched back", seed);
    }
    ap_query__authority_ws_free(ws);
    ap_query__authority_ws_free(ws_view);
    ap_query__out_view_free(view);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_property_authority_blocked__engine_matches_model(void **state)
{
    teeth t = { 0 };
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed, &t);
    print_message("%u partner sources (%u changed by blocking), %u chains (%u at a partner, %u "
                  "gated by the tail), %u refused, %u stopped\n", t.sources, t.differ, t.chains,
                  t.at_partner, t.gated, t.refused, t.stopped);
    /* every case met: blocking changed answers, chains ended at partners, gates opened by the
     * tail's own rights, chains through partners were refused, runs stopped early */
    if (t.differ < SEEDS / 10 || t.at_partner < SEEDS / 10 || t.gated < 5 / AP_SEED_DIV
        || t.refused < 10 || t.stopped < 10)
        fail_msg("%u partner sources (%u changed by blocking), %u chains (%u at a partner, %u "
                 "gated by the tail), %u refused, %u stopped", t.sources, t.differ, t.chains,
                 t.at_partner, t.gated, t.refused, t.stopped);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_authority_blocked__engine_matches_model),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
