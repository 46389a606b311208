/* tests/property/test_authority_only_model.c: runs that deliver only to what can bear on their
 * targets (ap_graph_ancestors, ap_query__authority_ws_only: the findings' chain runs) against
 * whole runs, plain and blocked, by edge records, by slots and by the slots into the set alone
 * (ap_query__out_view_only), on 300 seeded random inventories with gates, masks and cycles. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/query_internal.h"
#include "authpath/query.h"
#include "model.h"
#include "support.h"

#define SEEDS (300 / AP_SEED_DIV)
#define NTARGETS 3

/* What the checks met, so that they cannot pass on nothing. */
typedef struct {
    unsigned runs;          /* restricted runs compared */
    unsigned left_out;      /* ... that reached less than the whole run */
    unsigned closed;        /* blocked sets that left a partner's in-edges unread */
    unsigned stopped;       /* runs stopped once their targets were reached, before the end */
} teeth;

/* The model's closure: the targets, and each tail of an edge into a node of it that is a
 * target or, blocked, not a partner (kind 0); every edge counts, as the engine's pass reads
 * them all. */
static void model_bearing(const m_inventory *inv, const int *targets, bool blocked, int *in)
{
    memset(in, 0, M_MAX_NODES * sizeof *in);
    for (int k = 0; k < NTARGETS; k++)
        in[targets[k]] = 2;                     /* 2: a target, its in-edges always read */
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < inv->m; i++) {
            int to = inv->edges[i].to, from = inv->edges[i].from;
            bool open = in[to] == 2 || (in[to] == 1 && !(blocked && inv->nodes[to].kind == 0));
            if (open && in[from] == 0)
                changed = in[from] = 1;
        }
    }
}

static bool has(const uint64_t *bits, uint32_t v)
{
    return bits[v >> 6] >> (v & 63) & 1;
}

/* The run's stop: every target first reached (one that is the source never is). */
typedef struct {
    const int *targets;
    unsigned left;
} aims;

static bool all_in(void *ctx, const ap_authority *a, uint32_t v)
{
    aims *x = ctx;
    (void)a;
    for (int k = 0; k < NTARGETS; k++)
        x->left -= (uint32_t)x->targets[k] == v;
    return x->left == 0;
}

/* One source, mode and target set: the set against the model's, then the whole run against the
 * restricted one at every node whose in-edges the set reads, run to the end and stopped once
 * the targets are in. */
static void check_targets(const m_inventory *inv, const ap_graph *g, ap_authority_ws *whole,
                          ap_authority_ws *only, const ap_out_view *view, bool set_slots,
                          uint32_t s, const int *targets, bool blocked,
                          uint64_t seed, teeth *t)
{
    int in[M_MAX_NODES];
    uint32_t ut[NTARGETS];
    uint64_t *bits = NULL, *closed = calloc((size_t)inv->n / 64 + 1, sizeof *closed);
    ap_error err;
    char what[96];
    assert_non_null(closed);
    for (int v = 0; blocked && v < inv->n; v++)
        if (inv->nodes[v].kind == 0)
            closed[v >> 6] |= (uint64_t)1 << (v & 63);
    for (int k = 0; k < NTARGETS; k++)
        ut[k] = (uint32_t)targets[k];
    model_bearing(inv, targets, blocked, in);
    assert_int_equal(ap_graph_ancestors(&bits, g, ut, NTARGETS, blocked ? closed : NULL), AP_OK);
    snprintf(what, sizeof what, "seed %llu source n%02u %s%s targets n%02d n%02d n%02d",
             (unsigned long long)seed, s, blocked ? "blocked" : "plain",
             view == NULL ? "" : set_slots ? ", the set's slots" : ", slots", targets[0],
             targets[1], targets[2]);
    for (uint32_t v = 0; v < (uint32_t)inv->n; v++) {
        if (has(bits, v) != (in[v] != 0))
            fail_msg("%s: n%02u %s the set, the model says %s", what, v,
                     has(bits, v) ? "in" : "not in", in[v] ? "in" : "not in");
        t->closed += blocked && in[v] == 1 && inv->nodes[v].kind == 0;
    }
    ap_query__authority_ws_block(whole, blocked);
    ap_query__authority_ws_block(only, blocked);
    ap_query__authority_ws_only(only, bits);
    ap_out_view *mine = NULL;           /* the slots into the set alone */
    if (view != NULL && set_slots)
        assert_int_equal(ap_query__out_view_only(&mine, view, bits, &err), AP_OK);
    ap_query__authority_ws_view(only, mine != NULL ? mine : view);
    uint32_t rounds = 0;        /* the whole run's, to its end */
    for (int stop = 0; stop < 2; stop++) {
        const ap_authority *w = NULL, *r = NULL;
        aims xw = { targets, NTARGETS }, xr = { targets, NTARGETS };
        assert_int_equal(ap_query__authority_run_until(&w, whole, g, s, stop ? all_in : NULL,
                                                       &xw, &err), AP_OK);
        assert_int_equal(ap_query__authority_run_until(&r, only, g, s, stop ? all_in : NULL,
                                                       &xr, &err), AP_OK);
        for (uint32_t v = 0; v < (uint32_t)inv->n; v++) {
            if (in[v] == 2 || (in[v] == 1 && !(blocked && inv->nodes[v].kind == 0)))
                ap_test_same_arrivals(w, r, v, what);
            else if (!has(bits, v) && r->rights[v] != 0 && v != s)
                fail_msg("%s: n%02u is not in the set but was reached", what, v);
        }
        if (stop && (xw.left == 0) != (xr.left == 0))
            fail_msg("%s: the targets were all reached in one run only", what);
        if (stop && xw.left == 0 && w->rounds != r->rounds)
            fail_msg("%s: stopped after %u rounds, restricted after %u", what, w->rounds,
                     r->rounds);
        t->runs++;
        t->left_out += r->nreach < w->nreach;
        t->stopped += stop && xw.left == 0 && w->rounds < rounds;
        rounds = w->rounds;
    }
    ap_query__authority_ws_only(only, NULL);
    ap_query__authority_ws_view(only, view);
    ap_query__out_view_free(mine);
    free(bits);
    free(closed);
}

static void check_one(uint64_t seed, teeth *t)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_authority_ws *whole = NULL, *only = NULL, *only_view = NULL;
    ap_out_view *view = NULL;
    ap_error err;
    uint64_t x = seed * 2654435761u + 1;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "only", seed, &st);
    assert_int_equal(ap_graph_node_count(g), inv.n);
    assert_int_equal(ap_query__authority_ws_new(&whole, g, &err), AP_OK);
    assert_int_equal(ap_query__authority_ws_new(&only, g, &err), AP_OK);
    assert_int_equal(ap_query__authority_ws_new(&only_view, g, &err), AP_OK);
    assert_int_equal(ap_query__out_view_new(&view, g, &err), AP_OK);
    ap_query__authority_ws_view(only_view, view);      /* the findings' runs read the slots */
    /* per source and mode: three nodes at random, then three of the whole run's reach (so
     * that runs stop once they have them) */
    for (int s = 0; s < inv.n; s++)
        for (int round = 0; round < 4; round++) {
            const ap_authority *a = NULL;
            bool blocked = round % 2 == 1;
            int targets[NTARGETS];
            ap_query__authority_ws_block(whole, blocked);
            assert_int_equal(ap_query__authority_run(&a, whole, g, (uint32_t)s, &err), AP_OK);
            for (int k = 0; k < NTARGETS; k++) {
                x = x * 6364136223846793005u + 1442695040888963407u;
                targets[k] = round < 2 || a->nreach == 0
                             ? (int)((x >> 33) % (uint64_t)inv.n)
                             : (int)a->reach[(x >> 33) % a->nreach];
            }
            check_targets(&inv, g, whole, only, NULL, false, (uint32_t)s, targets, blocked, seed,
                          t);
            check_targets(&inv, g, whole, only_view, view, false, (uint32_t)s, targets, blocked,
                          seed, t);
            check_targets(&inv, g, whole, only_view, view, true, (uint32_t)s, targets, blocked,
                          seed, t);
        }
    ap_query__authority_ws_free(whole);
    ap_query__authority_ws_free(only);
    ap_query__authority_ws_free(only_view);
    ap_query__out_view_free(view);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_property_authority_only__restricted_matches_whole(void **state)
{
    teeth t = { 0 };
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed, &t);
    print_message("%u runs (%u reached less), %u closed partners, %u stopped early\n", t.runs,
                  t.left_out, t.closed, t.stopped);
    if (t.left_out < t.runs / 20 || t.closed < SEEDS || t.stopped < SEEDS)
        fail_msg("%u runs (%u reached less), %u closed partners, %u stopped early", t.runs,
                 t.left_out, t.closed, t.stopped);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_authority_only__restricted_matches_whole),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
