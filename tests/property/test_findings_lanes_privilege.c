/* tests/property/test_findings_lanes_privilege.c: the privilege rules on the all-partners kernel,
 * against the brute-force model: each finding's partners exactly the model's, on random estates. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authpath/findings.h"
#include "model.h"
#include "support.h"

#define SEEDS (300 / AP_SEED_DIV)
#define K_PARTNER 0
#define K_RESOURCE 4
#define K_WORKFLOW 5
#define E_ACCESS 7
#define E_TRIGGERS 8
#define E_DEPENDS_ON 10
#define R_READ ((uint64_t)1 << 0)
#define R_EXECUTE ((uint64_t)1 << 4)
#define R_APPROVE ((uint64_t)1 << 5)

static const char *const sens_names[] = { "public", "internal", "confidential", "restricted",
                                          "critical" };

/* What the test adds to the model's inventory: tiers, sensitivities, temporary edges. */
typedef struct {
    int read_only[M_MAX_NODES];
    int sens[M_MAX_NODES];          /* 0..4 as sens_names; -1: none given (internal) */
    int temporary[M_MAX_EDGES];
} extras;

static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* The model's JSON with the extras set in it; a third of the edges pass read alone (changed in
 * inv too), so that partners hold things they may only read. */
static char *with_extras(m_inventory *inv, uint64_t seed, extras *x)
{
    uint64_t s = seed * 7919 + 1;
    for (int i = 0; i < inv->m; i++)
        if (inv->edges[i].kind != E_DEPENDS_ON && mix(&s) % 3 == 0) {
            inv->edges[i].rights = R_READ;
            inv->edges[i].rights_text = "[\"read\"]";
        }
    char *text = m_to_json(inv);
    json_t *root = json_loads(text, 0, NULL);
    free(text);
    assert_non_null(root);
    json_t *nodes = json_object_get(root, "nodes"), *edges = json_object_get(root, "edges");
    for (int v = 0; v < inv->n; v++) {
        json_t *o = json_array_get(nodes, (size_t)v);
        int kind = inv->nodes[v].kind;
        x->read_only[v] = kind == K_PARTNER && mix(&s) % 2 == 0;
        if (x->read_only[v])
            json_object_set_new(o, "tier", json_string("read_only"));
        x->sens[v] = (kind == K_RESOURCE || kind == K_WORKFLOW) ? (int)(mix(&s) % 6) - 1 : -1;
        if (x->sens[v] >= 0)
            json_object_set_new(o, "sensitivity", json_string(sens_names[x->sens[v]]));
    }
    for (int i = 0; i < inv->m; i++) {
        x->temporary[i] = mix(&s) % 3 == 0;
        if (x->temporary[i])
            json_object_set_new(json_array_get(edges, (size_t)i), "temporary", json_true());
    }
    text = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    return text;
}

/* Does source s's authority (a) cross model edge e? (ap_findings__carries, by the model) */
static int crosses(const m_inventory *inv, int s, const uint64_t *a, int i)
{
    const m_edge *e = &inv->edges[i];
    uint64_t have = a[e->from];
    if (have == 0 || e->kind == E_DEPENDS_ON || !m_edge_live(inv, e, s))
        return 0;
    if (e->requires != 0 && (have & e->requires) == 0)
        return 0;
    return (e->escalates ? e->rights : (have & e->rights)) != 0;
}

static int sens_of(const extras *x, int v)
{
    return x->sens[v] >= 0 ? x->sens[v] : 1;    /* resources and workflows: internal */
}

/* The model's partners per subject of each rule: a bit per model node (partners only). */
typedef struct {
    uint32_t readonly[M_MAX_NODES];     /* per partner: targets beyond read (0: no finding) */
    int level[M_MAX_NODES];             /* ... the most sensitive of them */
    uint32_t undeclared[M_MAX_EDGES], temporary[M_MAX_EDGES];
    uint32_t escalation[M_MAX_NODES], workflow[M_MAX_NODES];
    uint64_t a[M_MAX_NODES][M_MAX_NODES];
} expected;

static void model_findings(const m_inventory *inv, const extras *x, expected *want)
{
    int hops[M_MAX_NODES];
    memset(want, 0, sizeof *want);
    for (int s = 0; s < inv->n; s++) {
        if (inv->nodes[s].kind != K_PARTNER)
            continue;
        uint64_t *a = want->a[s];
        m_authority(inv, s, a, hops);
        for (int v = 0; v < inv->n; v++) {
            int k = inv->nodes[v].kind;
            if (k != K_RESOURCE && k != K_WORKFLOW)
                continue;
            if (x->read_only[s] && (a[v] & ~R_READ) != 0) {
                if (want->readonly[s] == 0 || sens_of(x, v) > want->level[s])
                    want->level[s] = sens_of(x, v);
                want->readonly[s]++;
            }
            if (k == K_WORKFLOW && sens_of(x, v) >= 2 && (a[v] & (R_EXECUTE | R_APPROVE)))
                want->workflow[v] |= 1u << s;
        }
        for (int i = 0; i < inv->m; i++) {
            const m_edge *e = &inv->edges[i];
            if (!crosses(inv, s, a, i))
                continue;
            if (e->kind == E_ACCESS && e->rights_text == NULL)
                want->undeclared[i] |= 1u << s;
            if (x->temporary[i] && e->expires == INT64_MIN)
                want->temporary[i] |= 1u << s;
            if (e->escalates)
                want->escalation[e->from] |= 1u << s;
            if (e->kind == E_TRIGGERS && inv->nodes[e->to].kind == K_WORKFLOW
                && sens_of(x, e->to) >= 2)
                want->workflow[e->to] |= 1u << s;
        }
    }
}

static long checked[5];         /* findings compared, per rule as in check_seed */

/* The engine's partners of finding i as model nodes, a bit each. */
static uint32_t engine_partners(const ap_graph *g, const m_inventory *inv, ap_findings *f,
                                size_t i)
{
    uint32_t list[M_MAX_NODES], bits = 0;
    size_t n = ap_findings_partners(f, i, list, M_MAX_NODES);
    assert_true(n <= M_MAX_NODES);
    for (size_t k = 0; k < n; k++)
        for (int v = 0; v < inv->n; v++)
            if (strcmp(ap_graph_node(g, list[k])->id, inv->nodes[v].id) == 0)
                bits |= 1u << v;
    return bits;
}

static int model_node(const m_inventory *inv, const char *id)
{
    for (int v = 0; v < inv->n; v++)
        if (strcmp(inv->nodes[v].id, id) == 0)
            return v;
    fail_msg("node '%s' is not the model's", id);
    return -1;
}

static int model_edge(const m_inventory *inv, const char *id)
{
    char buf[64];
    for (int i = 0; i < inv->m; i++) {
        m_edge_id(buf, sizeof buf, inv, i);
        if (strcmp(buf, id) == 0)
            return i;
    }
    fail_msg("edge '%s' is not the model's", id);
    return -1;
}

static void check_seed(uint64_t seed)
{
    m_inventory inv;
    extras x;
    expected want;
    ap_store *st = NULL;
    ap_findings *f = NULL;
    ap_error err;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(with_extras(&inv, seed, &x), inv.at, "lanes_priv", seed, &st);
    model_findings(&inv, &x, &want);
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    uint32_t seen_ro = 0, seen_esc = 0, seen_wf = 0;
    uint64_t seen_und[2] = { 0 }, seen_tmp[2] = { 0 };
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *fd = ap_findings_get(f, i);
        const char *rule = fd->rule->id, *sid = ap_finding_subject_id(g, fd);
        uint32_t got = engine_partners(g, &inv, f, i), exp;
        int k, r = 0;
        if (strcmp(rule, "read-only-tier-exceeded") == 0) {
            k = model_node(&inv, sid);
            exp = want.readonly[k] ? 1u << k : 0;
            seen_ro |= 1u << k;
            char targets[16];
            snprintf(targets, sizeof targets, "%u", want.readonly[k]);
            const char *t = ap_finding_fact(fd, "targets"), *tid = ap_finding_fact(fd, "target");
            if (t == NULL || strcmp(t, targets) != 0 || tid == NULL)
                fail_msg("seed %llu: read-only %s: targets %s, model %s",
                         (unsigned long long)seed, sid, t ? t : "-", targets);
            int v = model_node(&inv, tid);
            if ((want.a[k][v] & ~R_READ) == 0 || sens_of(&x, v) != want.level[k])
                fail_msg("seed %llu: read-only %s: target %s is not of its top level with a "
                         "right beyond read", (unsigned long long)seed, sid, tid);
        } else if (strcmp(rule, "undeclared-rights") == 0) {
            k = model_edge(&inv, sid);
            r = 1;
            exp = want.undeclared[k];
            seen_und[k / 64] |= (uint64_t)1 << (k % 64);
        } else if (strcmp(rule, "temporary-no-expiry") == 0) {
            k = model_edge(&inv, sid);
            r = 2;
            exp = want.temporary[k];
            seen_tmp[k / 64] |= (uint64_t)1 << (k % 64);
        } else if (strcmp(rule, "escalation-runs-as") == 0) {
            k = model_node(&inv, sid);
            r = 3;
            exp = want.escalation[k];
            seen_esc |= 1u << k;
        } else if (strcmp(rule, "sensitive-workflow") == 0) {
            k = model_node(&inv, sid);
            r = 4;
            exp = want.workflow[k];
            seen_wf |= 1u << k;
        } else {
            continue;
        }
        checked[r]++;
        if (got != exp)
            fail_msg("seed %llu: %s of %s: partners %x, model %x", (unsigned long long)seed,
                     rule, sid, got, exp);
    }
    /* and no subject the model finds is missing */
    for (int v = 0; v < inv.n; v++) {
        if (want.readonly[v] && !(seen_ro >> v & 1))
            fail_msg("seed %llu: no read-only-tier-exceeded of %s", (unsigned long long)seed,
                     inv.nodes[v].id);
        if (want.escalation[v] && !(seen_esc >> v & 1))
            fail_msg("seed %llu: no escalation-runs-as at %s", (unsigned long long)seed,
                     inv.nodes[v].id);
        if (want.workflow[v] && !(seen_wf >> v & 1))
            fail_msg("seed %llu: no sensitive-workflow of %s", (unsigned long long)seed,
                     inv.nodes[v].id);
    }
    for (int i = 0; i < inv.m; i++) {
        if (want.undeclared[i] && !(seen_und[i / 64] >> (i % 64) & 1))
            fail_msg("seed %llu: no undeclared-rights of edge %d", (unsigned long long)seed, i);
        if (want.temporary[i] && !(seen_tmp[i / 64] >> (i % 64) & 1))
            fail_msg("seed %llu: no temporary-no-expiry of edge %d", (unsigned long long)seed,
                     i);
    }
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_findings_lanes_privilege__partners_are_the_model(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= SEEDS; seed++)
        check_seed(seed);
    print_message("findings compared: read-only %ld, undeclared %ld, temporary %ld, "
                  "escalation %ld, workflow %ld\n", checked[0], checked[1], checked[2],
                  checked[3], checked[4]);
    for (int r = 0; r < 5; r++)
        if (checked[r] < SEEDS / 20)
            fail_msg("rule %d: only %ld findings compared", r, checked[r]);
}

/* The findings of a small native estate (JSON text), at 2026-01-01. */
static ap_findings *estate_findings(const char *json, ap_graph **g, ap_store **st)
{
    ap_findings *f = NULL;
    ap_error err;
    *g = ap_test_load_json(strdup(json), 1767225600, "lanes_priv_estate", 0, st);
    assert_int_equal(ap_findings_compute(&f, *g, NULL, &err), AP_OK);
    return f;
}

/* A read-only partner reads critical a (2 hops) and writes critical b (3 hops): the finding
 * names b, the nearest critical node it can do more than read on, not a. */
static void test_findings_lanes_privilege__read_only_target_holds_more_than_read(void **state)
{
    static const char json[] =
        "{\"format\": \"authpath/1\", \"nodes\": ["
        "{\"id\": \"ro\", \"kind\": \"partner\", \"tier\": \"read_only\"},"
        "{\"id\": \"k\", \"kind\": \"credential\"},"
        "{\"id\": \"i\", \"kind\": \"identity\"},"
        "{\"id\": \"a\", \"kind\": \"resource\", \"sensitivity\": \"critical\"},"
        "{\"id\": \"b\", \"kind\": \"resource\", \"sensitivity\": \"critical\"},"
        "{\"id\": \"c\", \"kind\": \"resource\", \"sensitivity\": \"critical\"}],"
        "\"edges\": ["
        "{\"from\": \"ro\", \"to\": \"k\", \"kind\": \"holds\"},"
        "{\"from\": \"k\", \"to\": \"a\", \"kind\": \"access\", \"rights\": [\"read\"]},"
        "{\"from\": \"k\", \"to\": \"i\", \"kind\": \"authenticates_as\"},"
        "{\"from\": \"i\", \"to\": \"b\", \"kind\": \"access\", \"rights\": [\"write\"]},"
        "{\"from\": \"i\", \"to\": \"c\", \"kind\": \"access\", \"rights\": [\"write\"]}]}";
    ap_graph *g;
    ap_store *st;
    size_t n;
    (void)state;
    ap_findings *f = estate_findings(json, &g, &st);
    const ap_finding *fd = ap_test_only_finding(f, "read-only-tier-exceeded", &n);
    assert_int_equal(n, 1);
    assert_string_equal(ap_finding_fact(fd, "targets"), "2");
    assert_string_equal(ap_finding_fact(fd, "target"), "b");
    assert_non_null(strstr(fd->message, "it can write critical b through ro > k > i > b."));
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

/* Escalation point w: p1 crosses its first step only (execute opens it), p2 its second only
 * (admin): the one finding is about both, and names both steps. */
static void test_findings_lanes_privilege__escalation_every_step(void **state)
{
    static const char json[] =
        "{\"format\": \"authpath/1\", \"nodes\": ["
        "{\"id\": \"p1\", \"kind\": \"partner\"},"
        "{\"id\": \"p2\", \"kind\": \"partner\"},"
        "{\"id\": \"w\", \"kind\": \"workflow\"},"
        "{\"id\": \"x1\", \"kind\": \"identity\"},"
        "{\"id\": \"x2\", \"kind\": \"identity\"}],"
        "\"edges\": ["
        "{\"from\": \"p1\", \"to\": \"w\", \"kind\": \"access\", \"rights\": [\"execute\"]},"
        "{\"from\": \"p2\", \"to\": \"w\", \"kind\": \"access\", \"rights\": [\"admin\"]},"
        "{\"from\": \"w\", \"to\": \"x1\", \"kind\": \"runs_as\", \"requires\": [\"execute\"]},"
        "{\"from\": \"w\", \"to\": \"x2\", \"kind\": \"runs_as\", \"requires\": [\"admin\"]}]}";
    ap_graph *g;
    ap_store *st;
    size_t n;
    (void)state;
    ap_findings *f = estate_findings(json, &g, &st);
    const ap_finding *fd = ap_test_only_finding(f, "escalation-runs-as", &n);
    assert_int_equal(n, 1);
    assert_int_equal(fd->npartners, 2);
    assert_string_equal(ap_finding_fact(fd, "steps"), "2");
    assert_string_equal(ap_finding_fact(fd, "to"), "x1, x2");
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_lanes_privilege__partners_are_the_model),
        cmocka_unit_test(test_findings_lanes_privilege__read_only_target_holds_more_than_read),
        cmocka_unit_test(test_findings_lanes_privilege__escalation_every_step),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
