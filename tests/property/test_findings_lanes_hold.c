/* tests/property/test_findings_lanes_hold.c: the partners of each finding of the rules about what
 * a partner holds (moved onto the kernel) are exactly the brute-force model's, on seeded estates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model.h"
#include "support.h"

#define SEEDS (1000 / AP_SEED_DIV)
#define RIGHTS_MASK ((UINT64_C(1) << M_NRIGHTS) - 1)

/* The attributes these rules read, by node index and seed: multi_tenant credentials, an owner,
 * an old last use. */
static bool multi_tenant(int v, uint64_t seed) { return (v + seed) % 3 == 0; }
static bool has_owner(int v, uint64_t seed) { return (v + seed) % 2 == 0; }
static bool idle(int v, uint64_t seed) { return (v + seed) % 3 == 1; }

static char *with_attributes(const m_inventory *inv, char *json, uint64_t seed)
{
    json_t *root = json_loads(json, 0, NULL), *nd;
    size_t i;
    assert_non_null(root);
    free(json);
    json_array_foreach(json_object_get(root, "nodes"), i, nd) {
        int kind = inv->nodes[i].kind;
        if (kind == 2 && multi_tenant((int)i, seed))
            json_object_set_new(nd, "multi_tenant", json_true());
        if ((kind == 1 || kind == 2) && has_owner((int)i, seed))
            json_object_set_new(nd, "owner", json_string("team-a"));
        if ((kind == 1 || kind == 2) && idle((int)i, seed))
            json_object_set_new(nd, "last_used", json_string("2001-01-01"));
    }
    json = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    return json;
}

/* Does partner p own node v: one live step that hands something on (no domain in the model's
 * inventories, so none is operated by a partner)? */
static bool owns(const m_inventory *inv, int p, int v)
{
    for (int i = 0; i < inv->m; i++) {
        const m_edge *e = &inv->edges[i];
        if (e->from == p && e->to == v && v != p && e->kind != 10 && m_edge_live(inv, e, p)
            && e->rights != 0)
            return true;
    }
    return false;
}

static bool ended(const m_inventory *inv, int p)
{
    return inv->nodes[p].has_contract || inv->nodes[p].state == 4 || inv->nodes[p].state == 5;
}

/* The model's partners of rule `rule` about subject v (a bit per model node). */
static uint64_t expected(const m_inventory *inv, uint64_t seed, const char *rule, int v,
                         uint64_t rights[][M_MAX_NODES])
{
    uint64_t want = 0, own = 0;
    int kind = inv->nodes[v].kind;
    for (int p = 0; p < inv->n; p++)
        if (inv->nodes[p].kind == 0 && owns(inv, p, v))
            own |= UINT64_C(1) << p;
    if (strcmp(rule, "credential-shared") == 0)
        want = kind == 2 && __builtin_popcountll(own) >= 2 ? own : 0;
    else if (strcmp(rule, "credential-multi-tenant") == 0)
        want = kind == 2 && multi_tenant(v, seed) ? own : 0;
    else if (strcmp(rule, "owner-missing") == 0)
        want = kind == 0 ? (UINT64_C(1) << v)      /* the model writes no partner owner */
             : (kind == 1 || kind == 2) && !has_owner(v, seed) ? own : 0;
    else if (strcmp(rule, "dormant-access") == 0)
        want = (kind == 1 || kind == 2) && idle(v, seed) ? own : 0;
    else if (strcmp(rule, "partner-ended-live") == 0) {
        for (int u = 0; kind == 0 && ended(inv, v) && u < inv->n; u++)
            if (u != v && (rights[v][u] & RIGHTS_MASK) != 0)
                want = UINT64_C(1) << v;
    }
    return want;
}

static const char *const checked[] = { "credential-shared", "credential-multi-tenant",
                                       "owner-missing", "dormant-access",
                                       "partner-ended-live" };

static long findings_checked[sizeof checked / sizeof checked[0]];

static void check_one(uint64_t seed)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_findings *f = NULL;
    ap_error err;
    static uint64_t rights[M_MAX_NODES][M_MAX_NODES];
    int hops[M_MAX_NODES], model_of[M_MAX_NODES * 2];
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(with_attributes(&inv, m_to_json(&inv), seed), inv.at,
                                    "lanes_hold", seed, &st);
    for (int v = 0; v < inv.n; v++) {
        if (inv.nodes[v].kind == 0)
            m_authority(&inv, v, rights[v], hops);
        int64_t x = ap_graph_find(g, inv.nodes[v].id);
        assert_true(x >= 0 && x < M_MAX_NODES * 2);
        model_of[x] = v;
    }
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    for (size_t r = 0; r < sizeof checked / sizeof checked[0]; r++) {
        uint64_t said = 0;      /* the subjects with a finding */
        for (size_t i = 0; i < ap_findings_count(f); i++) {
            const ap_finding *fd = ap_findings_get(f, i);
            if (strcmp(fd->rule->id, checked[r]) != 0)
                continue;
            int v = model_of[fd->subject];
            uint64_t got = 0, want = expected(&inv, seed, checked[r], v, rights);
            for (size_t k = 0; k < fd->npartners; k++)
                got |= UINT64_C(1) << model_of[fd->partners[k]];
            if (got != want)
                fail_msg("seed %llu: %s about %s: partners %#llx, the model's %#llx",
                         (unsigned long long)seed, checked[r], inv.nodes[v].id,
                         (unsigned long long)got, (unsigned long long)want);
            said |= UINT64_C(1) << v;
            findings_checked[r]++;
        }
        for (int v = 0; v < inv.n; v++)
            if (!(said >> v & 1) && expected(&inv, seed, checked[r], v, rights) != 0)
                fail_msg("seed %llu: %s about %s: no finding, the model's partners %#llx",
                         (unsigned long long)seed, checked[r], inv.nodes[v].id,
                         (unsigned long long)expected(&inv, seed, checked[r], v, rights));
    }
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_property_lanes_hold__partners_are_the_model_s(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed);
    /* every rule raised enough findings to mean something */
    for (size_t r = 0; r < sizeof checked / sizeof checked[0]; r++) {
        print_message("%s: %ld findings checked\n", checked[r], findings_checked[r]);
        assert_true(findings_checked[r] > 10 / AP_SEED_DIV);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_lanes_hold__partners_are_the_model_s),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
