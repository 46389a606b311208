/* tests/property/model.c: random inventories and the brute-force model of authority. The model
 * transcribes docs/design.md's rounds literally: A_k from A_{k-1}, every edge every round. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model.h"

static const char *const kinds[] = { "partner", "identity", "credential", "role", "resource",
                                     "workflow" };
static const char *const states[] = { "requested", "approved", "active", "under_review",
                                      "suspended", "revoked" };
static const char *const ekinds[] = { "holds", "authenticates_as", "member_of", "can_assume",
                                      "subcontractor_of", "admin_of", "can_mint", "access",
                                      "triggers", "runs_as", "depends_on" };
static const char *const rights[M_NRIGHTS] = { "read", "write", "delete", "admin", "execute",
                                               "approve", "mint", "delegate", "export",
                                               "refund" };
#define ALL (~(uint64_t)0)
#define T0 1790000000                       /* about 2026-09 */

static uint64_t next(uint64_t *s)          /* splitmix64 */
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static int pick(uint64_t *s, int n) { return (int)(next(s) % (uint64_t)n); }

/* A state: mostly active, sometimes any of the six. */
static int random_state(uint64_t *s) { return pick(s, 3) ? 2 : pick(s, 6); }

/* Dates near `at`, including exactly at it, so t == valid_from and t == expires both occur. */
static int64_t random_time(uint64_t *s, int64_t at)
{
    static const int64_t offsets[] = { -86400 * 30, -86400, -1, 0, 0, 1, 86400, 86400 * 30 };
    return at + offsets[pick(s, 8)];
}

static void random_mask(uint64_t *s, uint64_t *mask, char *text, size_t size)
{
    int used = 0;
    size_t o = 0;
    *mask = 0;
    o += (size_t)snprintf(text + o, size - o, "[");
    for (int i = 0; i < M_NRIGHTS; i++)
        if (pick(s, 3) == 0) {
            *mask |= (uint64_t)1 << i;
            o += (size_t)snprintf(text + o, size - o, "%s\"%s\"", used++ ? "," : "", rights[i]);
        }
    snprintf(text + o, size - o, "]");
}

/* Storage for the rights texts of one inventory (the struct holds pointers into it). */
static char texts[M_MAX_EDGES * 2][160];

void m_generate(m_inventory *inv, uint64_t seed)
{
    uint64_t s = seed * 7919 + 17;
    memset(inv, 0, sizeof *inv);
    inv->at = T0;
    inv->n = 2 + pick(&s, M_MAX_NODES - 1);
    inv->m = pick(&s, inv->n * 3 + 1);
    if (inv->m > M_MAX_EDGES)
        inv->m = M_MAX_EDGES;
    for (int v = 0; v < inv->n; v++) {
        m_node *nd = &inv->nodes[v];
        snprintf(nd->id, sizeof nd->id, "n%02d", v);
        nd->kind = v < 2 ? 0 : pick(&s, 6);
        nd->state = random_state(&s);
        nd->valid_from = pick(&s, 4) == 0 ? random_time(&s, inv->at) : INT64_MIN;
        nd->expires = pick(&s, 4) == 0 ? random_time(&s, inv->at) : INT64_MIN;
        nd->has_contract = nd->kind == 0 && pick(&s, 2);
    }
    for (int i = 0; i < inv->m; i++) {
        m_edge *e = &inv->edges[i];
        e->from = pick(&s, inv->n);
        e->to = pick(&s, 5) == 0 ? e->from : pick(&s, inv->n);     /* self-loops */
        if (i > 0 && pick(&s, 8) == 0) {                            /* repeated edges */
            e->from = inv->edges[i - 1].from;
            e->to = inv->edges[i - 1].to;
        }
        e->kind = pick(&s, 11);
        e->state = random_state(&s);
        e->valid_from = pick(&s, 5) == 0 ? random_time(&s, inv->at) : INT64_MIN;
        e->expires = pick(&s, 5) == 0 ? random_time(&s, inv->at) : INT64_MIN;
        /* docs/design.md's defaults: all rights but depends_on; triggers gated on write; runs_as
         * escalates */
        e->rights = e->kind == 10 ? 0 : ALL;
        e->requires = e->kind == 8 ? (uint64_t)1 << 1 : 0;
        e->escalates = e->kind == 9;
        if (pick(&s, 2) == 0) {
            random_mask(&s, &e->rights, texts[2 * i], sizeof texts[0]);
            e->rights_text = texts[2 * i];
        }
        if (pick(&s, 4) == 0) {
            random_mask(&s, &e->requires, texts[2 * i + 1], sizeof texts[0]);
            e->requires_text = texts[2 * i + 1];
        }
        if (pick(&s, 6) == 0) {
            e->escalates = pick(&s, 2);
            e->escalates_given = 1;
        }
    }
}

static void put_time(json_t *o, const char *key, int64_t t)
{
    char buf[32];
    int64_t days = t / 86400, rest = t % 86400;
    /* civil date of `days` (t is positive here) */
    int64_t z = days + 719468, era = z / 146097;
    unsigned doe = (unsigned)(z - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;
    unsigned d = doy - (153 * mp + 2) / 5 + 1, mo = mp < 10 ? mp + 3 : mp - 9;
    int64_t y = (int64_t)yoe + era * 400 + (mo <= 2);
    if (t == INT64_MIN)
        return;
    snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", (int)y, mo, d,
             (int)(rest / 3600), (int)(rest / 60 % 60), (int)(rest % 60));
    json_object_set_new(o, key, json_string(buf));
}

char *m_to_json(const m_inventory *inv)
{
    json_t *root = json_object(), *nodes = json_array(), *edges = json_array();
    char *text;
    json_object_set_new(root, "format", json_string("authpath/1"));
    json_object_set_new(root, "rights", json_pack("[ss]", "export", "refund"));
    for (int v = 0; v < inv->n; v++) {
        const m_node *nd = &inv->nodes[v];
        json_t *o = json_pack("{ssss}", "id", nd->id, "kind", kinds[nd->kind]);
        json_object_set_new(o, "state", json_string(states[nd->state]));
        put_time(o, "valid_from", nd->valid_from);
        put_time(o, "expires", nd->expires);
        if (nd->has_contract)
            json_object_set_new(o, "contract_ends", json_string("2020-01-01"));
        json_array_append_new(nodes, o);
    }
    for (int i = 0; i < inv->m; i++) {
        const m_edge *e = &inv->edges[i];
        json_t *o = json_pack("{ssssss}", "from", inv->nodes[e->from].id, "to",
                              inv->nodes[e->to].id, "kind", ekinds[e->kind]);
        json_object_set_new(o, "state", json_string(states[e->state]));
        put_time(o, "valid_from", e->valid_from);
        put_time(o, "expires", e->expires);
        if (e->rights_text != NULL)
            json_object_set_new(o, "rights", json_loads(e->rights_text, 0, NULL));
        if (e->requires_text != NULL)
            json_object_set_new(o, "requires", json_loads(e->requires_text, 0, NULL));
        if (e->escalates_given)
            json_object_set_new(o, "escalates", json_boolean(e->escalates));
        json_array_append_new(edges, o);
    }
    json_object_set_new(root, "nodes", nodes);
    json_object_set_new(root, "edges", edges);
    text = json_dumps(root, JSON_INDENT(1));
    json_decref(root);
    return text;
}

static int live_state(int state) { return state == 2 || state == 3; }

static int node_live(const m_inventory *inv, int v, int s)
{
    const m_node *nd = &inv->nodes[v];
    if (v == s || nd->kind == 0)
        return 1;
    return live_state(nd->state) && (nd->valid_from == INT64_MIN || nd->valid_from <= inv->at)
           && (nd->expires == INT64_MIN || inv->at < nd->expires);
}

int m_edge_live(const m_inventory *inv, const m_edge *e, int s)
{
    return live_state(e->state) && (e->valid_from == INT64_MIN || e->valid_from <= inv->at)
           && (e->expires == INT64_MIN || inv->at < e->expires) && node_live(inv, e->from, s)
           && node_live(inv, e->to, s);
}

void m_authority(const m_inventory *inv, int s, uint64_t *a, int *hops)
{
    m_authority_blocked(inv, s, 0, a, hops);
}

void m_authority_blocked(const m_inventory *inv, int s, int blocked, uint64_t *a, int *hops)
{
    uint64_t prev[M_MAX_NODES];
    for (int v = 0; v < inv->n; v++) {
        a[v] = v == s ? ALL : 0;
        hops[v] = v == s ? 0 : -1;
    }
    for (int k = 1;; k++) {
        int changed = 0;
        memcpy(prev, a, sizeof prev);
        for (int i = 0; i < inv->m; i++) {
            const m_edge *e = &inv->edges[i];
            uint64_t have = prev[e->from];
            if (!m_edge_live(inv, e, s) || e->kind == 10)       /* depends_on: never */
                continue;
            if (blocked && e->from != s && inv->nodes[e->from].kind == 0)
                continue;                   /* another partner passes nothing on */
            if (e->requires != 0 && (have & e->requires) == 0)
                continue;
            if (have == 0)
                continue;
            uint64_t got = e->escalates ? e->rights : (have & e->rights);
            if ((a[e->to] | got) != a[e->to]) {
                a[e->to] |= got;
                changed = 1;
            }
        }
        for (int v = 0; v < inv->n; v++)
            if (hops[v] < 0 && a[v] != 0)
                hops[v] = k;
        if (!changed)
            break;
    }
}

static const char *const edge_kind_names[] = { "holds", "authenticates_as", "member_of",
                                               "can_assume", "subcontractor_of", "admin_of",
                                               "can_mint", "access", "triggers", "runs_as",
                                               "depends_on" };

void m_edge_id(char *buf, size_t size, const m_inventory *inv, int i)
{
    const m_edge *e = &inv->edges[i];
    int k = 1;
    for (int j = 0; j < i; j++)
        k += inv->edges[j].from == e->from && inv->edges[j].to == e->to
             && inv->edges[j].kind == e->kind;
    if (k > 1)
        snprintf(buf, size, "%s|%s|%s#%d", inv->nodes[e->from].id, edge_kind_names[e->kind],
                 inv->nodes[e->to].id, k);
    else
        snprintf(buf, size, "%s|%s|%s", inv->nodes[e->from].id, edge_kind_names[e->kind],
                 inv->nodes[e->to].id);
}

uint64_t m_replay(const m_inventory *inv, int s, const int *edges, int len, m_gate_check gate,
                  void *ctx)
{
    uint64_t carried = ALL;
    int at = s;
    for (int i = 0; i < len; i++) {
        const m_edge *e = &inv->edges[edges[i]];
        if (e->from != at || !m_edge_live(inv, e, s) || e->kind == 10 || carried == 0)
            return 0;
        if (e->requires != 0 && (carried & e->requires) == 0
            && (gate == NULL || !gate(ctx, i, e->requires)))
            return 0;
        carried = e->escalates ? e->rights : (carried & e->rights);
        at = e->to;
    }
    return carried;
}
