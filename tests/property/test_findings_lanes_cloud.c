/* tests/property/test_findings_lanes_cloud.c: the Kubernetes and Entra rules on the all-partners
 * kernel against the brute-force model: each finding's partners are exactly the model's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model.h"
#include "support.h"

#define SEEDS (800 / AP_SEED_DIV)
#define GLOBAL_ADMIN "62e90394-69f5-4237-9190-012177145e10"
#define ACCESS 7                    /* model.c's edge kinds: access, depends_on */
#define DEPENDS_ON 10

/* The attributes each node and edge gets, a function of its index and the seed (the model has
 * none; they change no authority). Namespace 0: none (cluster-wide). */
static bool cluster_admin(int v, uint64_t seed) { return (v * 7 + (int)seed) % 3 == 0; }
static int namespace_of(const m_inventory *inv, int v, uint64_t seed)
{
    int kind = inv->nodes[v].kind;
    return kind == 3 ? (v + (int)seed) % 2 : kind == 4 ? (v + (int)seed) % 3 : 0;
}
static bool global_admin(int v, uint64_t seed) { return (v + (int)seed) % 2 == 1; }
static bool gdap(int v, uint64_t seed) { return (v + (int)seed) / 2 % 2 == 0; }
static bool wildcard_subject(int v, uint64_t seed) { return (v + (int)seed) % 2 == 0; }
static bool secrets_wildcard(int e, uint64_t seed) { return (e * 3 + (int)seed) % 2 == 0; }

static char *with_attributes(const m_inventory *inv, char *json, uint64_t seed)
{
    json_t *root = json_loads(json, 0, NULL), *x;
    size_t i;
    assert_non_null(root);
    free(json);
    json_array_foreach(json_object_get(root, "nodes"), i, x) {
        int v = (int)i, kind = inv->nodes[v].kind;
        char ns[8];
        snprintf(ns, sizeof ns, "ns%d", namespace_of(inv, v, seed));
        if (kind == 3 && cluster_admin(v, seed))
            json_object_set_new(x, "cluster_admin", json_true());
        if (namespace_of(inv, v, seed) != 0)
            json_object_set_new(x, "namespace", json_string(ns));
        if (kind == 3 && global_admin(v, seed)) {
            json_object_set_new(x, "role_template", json_string(GLOBAL_ADMIN));
            if (gdap(v, seed))
                json_object_set_new(x, "gdap_customer", json_string("contoso"));
        }
        if (kind == 2 && wildcard_subject(v, seed)) {
            json_object_set_new(x, "subject_wildcard", json_true());
            json_object_set_new(x, "subject", json_string("repo:o/r:*"));
        }
    }
    json_array_foreach(json_object_get(root, "edges"), i, x)
        if (inv->edges[i].kind == ACCESS && secrets_wildcard((int)i, seed))
            json_object_set_new(x, "secrets_wildcard", json_true());
    json = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    return json;
}

/* Per source s: what it holds (plain) and holds directly (other partners blocked). */
typedef struct {
    uint64_t plain[M_MAX_NODES][M_MAX_NODES], direct[M_MAX_NODES][M_MAX_NODES];
} holdings;

static bool has_edge(const m_inventory *inv, int u, int v)
{
    for (int e = 0; e < inv->m; e++)
        if (inv->edges[e].from == u && inv->edges[e].to == v)
            return true;
    return false;
}

/* Does cluster-admin role u cover role v (e < 0) or access edge e (the subject text)? */
static bool covers(const m_inventory *inv, uint64_t seed, int u, int v, int e)
{
    int uns = namespace_of(inv, u, seed);
    if (e >= 0) {
        const m_edge *ed = &inv->edges[e];
        return uns == 0 || uns == namespace_of(inv, ed->to, seed) || has_edge(inv, u, ed->from);
    }
    if (u == v)
        return false;
    if (uns == 0 && namespace_of(inv, v, seed) != 0)
        return true;
    return has_edge(inv, u, v) && !has_edge(inv, v, u);
}

/* Partner s holds directly a cluster-admin role covering role v or edge e. */
static bool covered(const m_inventory *inv, uint64_t seed, const holdings *h, int s, int v,
                    int e)
{
    for (int u = 0; u < inv->n; u++)
        if (inv->nodes[u].kind == 3 && cluster_admin(u, seed) && h->direct[s][u] != 0
            && covers(inv, seed, u, v, e))
            return true;
    return false;
}

/* The edge's transfer of `have` (ap_edge_transfer, written out again). */
static uint64_t transfer(const m_edge *e, uint64_t have)
{
    if (e->kind == DEPENDS_ON || have == 0 || (e->requires != 0 && (have & e->requires) == 0))
        return 0;
    return e->escalates ? e->rights : have & e->rights;
}

/* The model's partners of rule `rule` about node v (or edge v when the rule is about edges), a
 * bit per node; 0 when the rule raises nothing there. */
static uint64_t expected(const m_inventory *inv, uint64_t seed, const holdings *h,
                         const char *rule, int v)
{
    uint64_t want = 0;
    for (int s = 0; s < inv->n; s++) {
        bool yes = false;
        if (inv->nodes[s].kind != 0)
            continue;
        if (strcmp(rule, "k8s-cluster-admin") == 0) {
            yes = inv->nodes[v].kind == 3 && cluster_admin(v, seed) && h->direct[s][v] != 0
                  && !covered(inv, seed, h, s, v, -1);
        } else if (strcmp(rule, "gdap-global-admin") == 0
                   || strcmp(rule, "app-global-admin") == 0) {
            yes = inv->nodes[v].kind == 3 && global_admin(v, seed)
                  && gdap(v, seed) == (strcmp(rule, "gdap-global-admin") == 0)
                  && h->plain[s][v] != 0;
        } else if (strcmp(rule, "federated-credential-wildcard") == 0) {
            /* owners: one live step from the partner (no domains in the model) */
            for (int e = 0; e < inv->m && inv->nodes[v].kind == 2 && wildcard_subject(v, seed);
                 e++) {
                const m_edge *ed = &inv->edges[e];
                yes |= ed->from == s && ed->to == v && m_edge_live(inv, ed, s)
                       && transfer(ed, ~(uint64_t)0) != 0;
            }
        } else {                            /* k8s-secrets-wildcard: v is a model edge */
            const m_edge *ed = &inv->edges[v];
            int t = ed->from;
            uint64_t have = t == s ? ~(uint64_t)0 : h->plain[s][t];
            yes = ed->kind == ACCESS && secrets_wildcard(v, seed)
                  && !(inv->nodes[t].kind == 3 && cluster_admin(t, seed))
                  && (t == s || h->direct[s][t] != 0) && m_edge_live(inv, ed, s)
                  && transfer(ed, have) != 0 && !covered(inv, seed, h, s, -1, v);
        }
        if (yes)
            want |= (uint64_t)1 << s;
    }
    return want;
}

static const char *const rules[] = { "k8s-cluster-admin", "k8s-secrets-wildcard",
                                     "gdap-global-admin", "app-global-admin",
                                     "federated-credential-wildcard" };
#define NRULES (sizeof rules / sizeof rules[0])

static long checked[NRULES];

static void check_seed(uint64_t seed)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_findings *f = NULL;
    ap_error err;
    int hops[M_MAX_NODES];
    holdings *h = calloc(1, sizeof *h);
    assert_non_null(h);
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(with_attributes(&inv, m_to_json(&inv), seed), inv.at,
                                    "lanes_cloud", seed, &st);
    for (int s = 0; s < inv.n; s++)
        if (inv.nodes[s].kind == 0) {
            m_authority_blocked(&inv, s, 0, h->plain[s], hops);
            m_authority_blocked(&inv, s, 1, h->direct[s], hops);
        }
    /* the engine's edge of each model edge */
    int64_t edge_of[M_MAX_EDGES];
    char id[64];
    for (int e = 0; e < inv.m; e++) {
        m_edge_id(id, sizeof id, &inv, e);
        edge_of[e] = ap_graph_find_edge(g, id);
        assert_true(edge_of[e] >= 0);
    }
    ap_findings_opts opts = { NULL, rules, NRULES, -1, AP_SEV_NONE };
    assert_int_equal(ap_findings_compute(&f, g, &opts, &err), AP_OK);
    for (size_t r = 0; r < NRULES; r++) {
        bool edges = strcmp(rules[r], "k8s-secrets-wildcard") == 0;
        int n = edges ? inv.m : inv.n;
        for (int v = 0; v < n; v++) {
            uint32_t subject = edges ? (uint32_t)edge_of[v] : (uint32_t)v;
            uint64_t want = expected(&inv, seed, h, rules[r], v), got = 0;
            size_t found = 0;
            for (size_t i = 0; i < ap_findings_count(f); i++) {
                const ap_finding *x = ap_findings_peek(f, i);
                uint32_t list[M_MAX_NODES];
                if (strcmp(x->rule->id, rules[r]) != 0 || x->subject != subject)
                    continue;
                found++;
                size_t k = ap_findings_partners(f, i, list, M_MAX_NODES);
                for (size_t j = 0; j < k && j < M_MAX_NODES; j++)
                    got |= (uint64_t)1 << list[j];
            }
            if (found > 1 || got != want)
                fail_msg("seed %llu: %s about %s %d: partners %llx, the model's %llx (%zu "
                         "findings)", (unsigned long long)seed, rules[r],
                         edges ? "edge" : "node", v, (unsigned long long)got,
                         (unsigned long long)want, found);
            checked[r] += want != 0;
        }
    }
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
    free(h);
}

static void test_findings_lanes_cloud__partners_are_the_models(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_seed(seed);
    for (size_t r = 0; r < NRULES; r++) {
        print_message("%s: %ld findings checked\n", rules[r], checked[r]);
        /* the seeds raise each rule often enough to mean something */
        assert_true(checked[r] > 10 / AP_SEED_DIV);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_lanes_cloud__partners_are_the_models),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
