/* tests/property/test_authority_model.c: the engine against the brute-force model on 600 seeded
 * random inventories: every source, every node's rights and hops, every witness path (and the
 * witness set's, which outputs of every reached node use). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "model.h"
#include "support.h"

#define SEEDS (600 / AP_SEED_DIV)

static const m_inventory *current;

/* The witness path of v: from s, consecutive, every step usable and carrying authority at the
 * fixpoint, no longer than hops(v). */
static void check_path(const ap_graph *g, const ap_authority *a, uint32_t v, const uint64_t *fix,
                       const int *hops, uint64_t seed)
{
    uint32_t path[M_MAX_NODES * 4];
    size_t len = ap_authority_path(a, g, v, path, sizeof path / sizeof path[0]);
    uint32_t at = a->source;
    if (len == 0 || (int)len > hops[v])
        fail_msg("seed %llu: path to %u has length %zu, hops %d", (unsigned long long)seed, v,
                 len, hops[v]);
    for (size_t i = 0; i < len; i++) {
        const ap_edge *e = ap_graph_edge(g, path[i]);
        if (e->from != at)
            fail_msg("seed %llu: path to %u is not a chain", (unsigned long long)seed, v);
        if (!ap_edge_usable(g, e, a->source) || ap_edge_transfer(e, fix[e->from]) == 0)
            fail_msg("seed %llu: path to %u uses an edge that carries nothing",
                     (unsigned long long)seed, v);
        at = e->to;
    }
    if (at != v)
        fail_msg("seed %llu: path does not end at %u", (unsigned long long)seed, v);
}

/* ap_witnesses gives every node ap_authority_path's path (as nodes) and what
 * ap_authority_replay delivers over it, whatever order the nodes are asked in: all of them
 * from the last, then from the first again (each chain then meets states passed before). */
static void check_witnesses(const ap_graph *g, const ap_authority *a, uint64_t seed)
{
    ap_witnesses *w = NULL;
    ap_error err;
    assert_int_equal(ap_witnesses_new(&w, g, a, &err), AP_OK);
    for (uint32_t k = 0; k < 2 * a->n; k++) {
        uint32_t v = k < a->n ? a->n - 1 - k : k - a->n, path[M_MAX_NODES * 4], n;
        const uint32_t *nodes;
        ap_rights got;
        size_t len = ap_authority_path(a, g, v, path, sizeof path / sizeof path[0]);
        ap_rights want = len > 0 ? ap_authority_replay(g, a, path, len, NULL) : 0;
        assert_int_equal(ap_witnesses_get(w, v, &nodes, &n, &got, &err), AP_OK);
        if (n != (len > 0 ? len + 1 : 0) || got != want)
            fail_msg("seed %llu source %u: witness set of %u has %u nodes delivering %llx, "
                     "the path %zu steps delivering %llx", (unsigned long long)seed, a->source,
                     v, n, (unsigned long long)got, len, (unsigned long long)want);
        for (size_t i = 0; i < len; i++) {
            const ap_edge *e = ap_graph_edge(g, path[i]);
            if (nodes[i] != e->from || nodes[i + 1] != e->to)
                fail_msg("seed %llu source %u: witness set's path to %u differs at step %zu",
                         (unsigned long long)seed, a->source, v, i);
        }
    }
    ap_witnesses_free(w);
}

static void check_one(uint64_t seed)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    m_generate(&inv, seed);
    current = &inv;
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "model", seed, &st);
    assert_int_equal(ap_graph_node_count(g), inv.n);
    for (int s = 0; s < inv.n; s++) {
        uint64_t want[M_MAX_NODES];
        int hops[M_MAX_NODES];
        ap_authority *a = NULL;
        m_authority(&inv, s, want, hops);
        assert_int_equal(ap_authority_compute(&a, g, (uint32_t)s, &err), AP_OK);
        uint32_t nreach = 0;
        for (int v = 0; v < inv.n; v++) {
            if (a->rights[v] != want[v])
                fail_msg("seed %llu source n%02d: rights of n%02d are %llx, model %llx",
                         (unsigned long long)seed, s, v, (unsigned long long)a->rights[v],
                         (unsigned long long)want[v]);
            int got_hops = a->hops[v] == AP_UNREACHED ? -1 : (int)a->hops[v];
            if (got_hops != hops[v])
                fail_msg("seed %llu source n%02d: hops of n%02d are %d, model %d",
                         (unsigned long long)seed, s, v, got_hops, hops[v]);
            if (v != s && want[v] != 0) {
                nreach++;
                check_path(g, a, (uint32_t)v, want, hops, seed);
            }
        }
        assert_int_equal(a->nreach, nreach);
        check_witnesses(g, a, seed);
        for (uint32_t i = 1; i < a->nreach; i++)        /* by hops, then id */
            assert_true(a->hops[a->reach[i - 1]] < a->hops[a->reach[i]]
                        || (a->hops[a->reach[i - 1]] == a->hops[a->reach[i]]
                            && a->reach[i - 1] < a->reach[i]));
        ap_authority_free(a);
    }
    ap_graph_free(g);
    ap_store_close(st);
}

/* Every rule of the semantics appears somewhere in the seeds: gates, escalation, self-loops,
 * repeated edges, every state, t at valid_from and at expires, custom rights. */
static void test_property_authority__generator_covers_every_rule(void **state)
{
    int seen_gate = 0, seen_esc = 0, seen_loop = 0, seen_repeat = 0, seen_at_vf = 0;
    int seen_at_exp = 0, seen_custom = 0, seen_state[6] = { 0 }, seen_contract = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        m_inventory inv;
        m_generate(&inv, seed);
        for (int i = 0; i < inv.m; i++) {
            const m_edge *e = &inv.edges[i];
            seen_gate |= e->requires != 0;
            seen_esc |= e->escalates;
            seen_loop |= e->from == e->to;
            seen_repeat |= i > 0 && e->from == inv.edges[i - 1].from
                           && e->to == inv.edges[i - 1].to && e->kind == inv.edges[i - 1].kind;
            seen_at_vf |= e->valid_from == inv.at;
            seen_at_exp |= e->expires == inv.at;
            seen_custom |= (e->rights >> 8 & 3) != 0 && e->rights != ~(uint64_t)0;
            seen_state[e->state] = 1;
        }
        for (int v = 0; v < inv.n; v++)
            seen_contract |= inv.nodes[v].has_contract;
    }
    assert_true(seen_gate && seen_esc && seen_loop && seen_repeat && seen_at_vf && seen_at_exp);
    assert_true(seen_custom && seen_contract);
    for (int s = 0; s < 6; s++)
        assert_true(seen_state[s]);
}

static void test_property_authority__engine_matches_model(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed);
}

/* The comparison has teeth only if the seeds reach something: some source reaches a node. */
static void test_property_authority__seeds_reach_something(void **state)
{
    m_inventory inv;
    uint64_t want[M_MAX_NODES];
    int hops[M_MAX_NODES], found = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS && !found; seed++) {
        m_generate(&inv, seed);
        m_authority(&inv, 0, want, hops);
        for (int v = 1; v < inv.n; v++)
            found |= want[v] != 0;
    }
    assert_true(found);             /* some seed reaches something: the comparison has teeth */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_authority__generator_covers_every_rule),
        cmocka_unit_test(test_property_authority__engine_matches_model),
        cmocka_unit_test(test_property_authority__seeds_reach_something),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
