/* tests/property/test_evidence_model.c: every chain the engine prints, replayed by the brute-force
 * model on 600 seeded random inventories: authority paths, explain chains, paths, offboard
 * residual chains and findings paths must carry what they claim, gates cited included. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diagram.h"
#include "authpath/offboard.h"
#include "authpath/paths.h"
#include "model.h"
#include "support.h"

#define SEEDS (600 / AP_SEED_DIV)
#define DEPTH 4             /* paths: small bounds, so they are hit */
#define KEEP 3
#define MAX_CHAIN (M_MAX_NODES * M_NRIGHTS * 2)

/* What a check replays against: the inventory (perhaps changed by an offboarding plan), the
 * engine's graph and authority for one source, and the map of engine edges to model edges. */
typedef struct {
    const m_inventory *inv;
    const ap_graph *g;
    const ap_authority *a;
    int map[M_MAX_EDGES * 2];       /* engine edge index -> model edge index */
    const ap_chain_step *steps;     /* the chain being replayed, as the engine replays it */
    char why[256];                  /* what was wrong, when a check fails */
    int depth;                      /* gate citations followed */
} replay_ctx;

/* Map the graph's edges to the model's by id; with partial, model edges the graph lacks (removed
 * by a plan) are left out. */
static void map_edges_of(replay_ctx *x, int partial)
{
    char id[64];
    for (uint32_t e = 0; e < ap_graph_edge_count(x->g); e++)
        x->map[e] = -1;
    for (int i = 0; i < x->inv->m; i++) {
        m_edge_id(id, sizeof id, x->inv, i);
        int64_t e = ap_graph_find_edge(x->g, id);
        if (e < 0 && partial)
            continue;
        if (e < 0)
            fail_msg("edge '%s' is not in the graph", id);
        x->map[e] = i;
    }
}

static void map_edges(replay_ctx *x)
{
    map_edges_of(x, 0);
}

static uint64_t replay_chain(replay_ctx *x, const uint32_t *edges, size_t len);

static long gates_cited, multi_sentence;   /* what the seeds exercised */
static long fourth_checked;                 /* fourth-party findings checked */

/* A gate the chain does not open itself: the engine must cite a required right of the step's
 * tail, whose own witness replays to deliver it there. */
static int gate_cited(void *ctx, int step, uint64_t requires)
{
    replay_ctx *x = ctx;
    const ap_chain_step *st = &x->steps[step];
    uint32_t chain[MAX_CHAIN], u = ap_graph_edge(x->g, st->edge)->from;
    if (st->gate == 0 || (st->gate & ~requires) != 0 || x->depth > M_MAX_NODES * M_NRIGHTS) {
        snprintf(x->why, sizeof x->why, "step %d: the gate cites no required right", step);
        return 0;
    }
    size_t len = ap_authority_chain(x->a, x->g, u, st->gate, chain, MAX_CHAIN);
    const ap_chain_step *saved = x->steps;
    gates_cited++;
    x->depth++;
    uint64_t got = len > 0 && len <= MAX_CHAIN ? replay_chain(x, chain, len) : 0;
    x->depth--;
    x->steps = saved;
    if ((got & st->gate) == 0) {
        snprintf(x->why, sizeof x->why, "step %d: the gate's cited witness does not deliver it",
                 step);
        return 0;
    }
    return 1;
}

/* The model's replay of an engine chain from the source, gates through their citations. */
static uint64_t replay_chain(replay_ctx *x, const uint32_t *edges, size_t len)
{
    int medges[MAX_CHAIN];
    ap_chain_step steps[MAX_CHAIN];
    if (len == 0 || len > MAX_CHAIN)
        return 0;
    for (size_t i = 0; i < len; i++)
        if ((medges[i] = x->map[edges[i]]) < 0)
            return 0;
    if (ap_authority_replay(x->g, x->a, edges, len, steps) == 0) {
        snprintf(x->why, sizeof x->why, "the engine's own replay delivers nothing");
        return 0;
    }
    x->steps = steps;
    return m_replay(x->inv, (int)x->a->source, medges, (int)len, gate_cited, x);
}

/* Does the chain carry what it claims? 0 when it does, else x->why says why. */
static int check_claim(replay_ctx *x, const uint32_t *edges, size_t len, ap_rights claim)
{
    x->why[0] = '\0';
    x->depth = 0;
    uint64_t got = replay_chain(x, edges, len);
    if (got == 0 || claim == 0 || got != claim) {
        if (x->why[0] == '\0')
            snprintf(x->why, sizeof x->why, "claims %llx, the model's replay delivers %llx",
                     (unsigned long long)claim, (unsigned long long)got);
        return -1;
    }
    return 0;
}

#define CHECK(x, edges, len, claim, fmt, ...)                                                    \
    do {                                                                                         \
        if (check_claim((x), (edges), (len), (claim)) < 0)                                       \
            fail_msg(fmt ": %s", __VA_ARGS__, (x)->why);                                         \
    } while (0)

static long diagram_edges;     /* diagram edges replayed */

/* Every edge a diagram draws is true: for each right its label shows, a chain of the engine to
 * the edge's tail that carries that right (any chain, for an escalation), followed by the edge,
 * replays in the model to deliver it over the edge. */
static void check_diagram(replay_ctx *x, const ap_diagram *d, uint64_t seed, const char *what)
{
    const ap_graph *g = x->g;
    for (uint32_t i = 0; i < d->nedges; i++) {
        const ap_diagram_edge *de = &d->edges[i];
        const ap_edge *e = ap_graph_edge(g, de->edge);
        ap_rights shown = de->rights & (((ap_rights)1 << M_NRIGHTS) - 1);
        if (de->rights == 0)
            fail_msg("seed %llu: %s: edge %u drawn with no rights", (unsigned long long)seed,
                     what, de->edge);
        for (unsigned r = 0; r < M_NRIGHTS; r++) {
            ap_rights bit = (ap_rights)1 << r, want = e->escalates ? 0 : bit;
            uint32_t chain[MAX_CHAIN + 1];
            size_t len = 0;
            if (!(shown & bit))
                continue;
            if (e->from != x->a->source) {
                len = ap_authority_chain(x->a, g, e->from,
                                         want != 0 ? want : x->a->rights[e->from], chain,
                                         MAX_CHAIN);
                if (len == 0 || len > MAX_CHAIN)
                    fail_msg("seed %llu: %s: no chain to the tail of edge %u",
                             (unsigned long long)seed, what, de->edge);
            }
            chain[len++] = de->edge;
            x->why[0] = '\0';
            x->depth = 0;
            if ((replay_chain(x, chain, len) & bit) == 0)
                fail_msg("seed %llu: %s: edge %u shows right %u that the model does not carry "
                         "over it%s%s", (unsigned long long)seed, what, de->edge, r,
                         x->why[0] ? ": " : "", x->why);
            diagram_edges++;
        }
    }
}

/* Authority paths and explanations of every reached node, and the paths of partners. */
static void check_source(replay_ctx *x, int s, uint64_t seed, long *chains)
{
    const ap_graph *g = x->g;
    const ap_authority *a = x->a;
    uint64_t fix[M_MAX_NODES];
    int hops[M_MAX_NODES];
    ap_error err;
    m_authority(x->inv, s, fix, hops);
    for (uint32_t i = 0; i < a->nreach; i++) {
        uint32_t v = a->reach[i], path[MAX_CHAIN];
        size_t len = ap_authority_path(a, g, v, path, MAX_CHAIN);
        ap_rights claim = ap_authority_replay(g, a, path, len, NULL);
        CHECK(x, path, len, claim, "seed %llu: authority n%02d's path to n%02u",
              (unsigned long long)seed, s, v);
        if ((int)len > hops[v] || (claim & fix[v]) != claim)
            fail_msg("seed %llu: authority n%02d's path to n%02u: length %zu, hops %d",
                     (unsigned long long)seed, s, v, len, hops[v]);
        ap_explanation *ex = NULL;
        size_t nx = 0;
        if (ap_explain_all(&ex, &nx, g, a, v, &err) != AP_OK)
            fail_msg("seed %llu: explain n%02d n%02u fails: %s", (unsigned long long)seed, s, v,
                     err.msg);
        ap_rights covered = 0;
        for (size_t k = 0; k < nx; k++) {
            CHECK(x, ex[k].edges, ex[k].len, ex[k].rights,
                  "seed %llu: explain n%02d n%02u sentence %zu", (unsigned long long)seed, s, v,
                  k);
            for (size_t j = 0; j < k; j++)
                if (ex[j].rights == ex[k].rights)
                    fail_msg("seed %llu: explain n%02d n%02u: two sentences for one rights set",
                             (unsigned long long)seed, s, v);
            covered |= ex[k].rights;
        }
        uint64_t named = fix[v] & (((uint64_t)1 << M_NRIGHTS) - 1);
        if ((named & ~covered) != 0 || covered == 0)
            fail_msg("seed %llu: explain n%02d n%02u covers %llx of %llx",
                     (unsigned long long)seed, s, v, (unsigned long long)covered,
                     (unsigned long long)fix[v]);
        if (ex[0].len != len || memcmp(ex[0].edges, path, len * sizeof *path) != 0)
            fail_msg("seed %llu: explain n%02d n%02u does not start with authority's path",
                     (unsigned long long)seed, s, v);
        *chains += 1 + (long)nx;
        multi_sentence += nx > 1;
        ap_explanations_free(ex, nx);
    }
    if (x->inv->nodes[s].kind != 0 || a->nreach == 0)
        return;
    ap_paths_opts o = { DEPTH, KEEP };
    ap_paths *p = NULL;
    assert_int_equal(ap_paths_compute(&p, g, a, a->reach, a->nreach, &o, &err), AP_OK);
    for (uint32_t i = 0; i < p->nsets; i++) {
        const ap_path_set *set = &p->sets[i];
        for (uint32_t k = 0; k < set->npaths; k++) {
            const uint32_t *e = set->edges + set->off[k];
            uint32_t len = set->off[k + 1] - set->off[k];
            int seen[M_MAX_NODES] = { 0 };
            seen[s] = 1;
            for (uint32_t j = 0; j < len; j++)
                if (seen[ap_graph_edge(g, e[j])->to]++)
                    fail_msg("seed %llu: paths n%02d: route %u to n%02u is not simple",
                             (unsigned long long)seed, s, k, set->target);
            if (len > DEPTH || ap_graph_edge(g, e[len - 1])->to != set->target)
                fail_msg("seed %llu: paths n%02d: route %u to n%02u has %u steps",
                         (unsigned long long)seed, s, k, set->target, len);
            CHECK(x, e, len, set->rights[k], "seed %llu: paths n%02d route %u to n%02u",
                  (unsigned long long)seed, s, k, set->target);
            (*chains)++;
        }
    }
    ap_diagram *d = NULL;
    assert_int_equal(ap_diagram_paths(&d, g, a, p, &err), AP_OK);
    check_diagram(x, d, seed, "paths diagram");
    ap_diagram_free(d);
    assert_int_equal(ap_diagram_authority(&d, g, a, &err), AP_OK);
    check_diagram(x, d, seed, "authority diagram");
    ap_diagram_free(d);
    ap_paths_free(p);
}

/* Offboarding each partner: the residual chains, replayed on the inventory with the plan
 * applied (credentials revoked, edges removed), from the actor that keeps them. */
static void check_offboard(const m_inventory *inv, const ap_graph *g, int s, uint64_t seed,
                           long *chains)
{
    ap_offboard *o = NULL;
    ap_offboard_opts oo = { AP_SENS_PUBLIC, false, 0, false, false, 0 };
    ap_error err;
    m_inventory *after = malloc(sizeof *after);
    replay_ctx *x = calloc(1, sizeof *x);
    assert_non_null(after);
    assert_non_null(x);
    assert_int_equal(ap_offboard_compute(&o, g, (uint32_t)s, &oo, &err), AP_OK);
    /* the plan, applied to the model: removed edges never live, revoked credentials revoked */
    *after = *inv;
    x->inv = inv;
    x->g = g;
    map_edges(x);
    for (uint32_t i = 0; i < o->nplan; i++) {
        if (o->plan[i].kind == AP_STEP_REVOKE_CREDENTIAL)
            after->nodes[o->plan[i].target].state = 5;
        else
            after->edges[x->map[o->plan[i].target]].state = 5;
    }
    x->inv = after;
    for (uint32_t i = 0; i < o->nresidual; i++) {
        const ap_reach_item *it = &o->residual[i];
        ap_authority *a = NULL;
        if (it->npath == 0)
            continue;
        /* the engine's fixpoint for gates, recomputed on the graph with the plan applied */
        ap_graph *d = NULL;
        ap_graph_edit edit = { 0 };
        uint32_t rm[M_MAX_EDGES], rv[M_MAX_NODES], nrm = 0, nrv = 0;
        for (uint32_t k = 0; k < o->nplan; k++) {
            if (o->plan[k].kind == AP_STEP_REVOKE_CREDENTIAL)
                rv[nrv++] = o->plan[k].target;
            else
                rm[nrm++] = o->plan[k].target;
        }
        edit.remove = rm;
        edit.nremove = nrm;
        edit.revoke = rv;
        edit.nrevoke = nrv;
        assert_int_equal(ap_graph_derive(&d, g, &edit, &err), AP_OK);
        assert_int_equal(ap_authority_compute(&a, d, it->actor, &err), AP_OK);
        replay_ctx *y = calloc(1, sizeof *y);
        assert_non_null(y);
        y->inv = after;
        y->g = d;
        y->a = a;
        map_edges_of(y, 1);
        uint32_t path[MAX_CHAIN];
        for (uint32_t k = 0; k < it->npath; k++) {
            path[k] = AP_UNREACHED;     /* the item's edges are the parent's: find them in d */
            for (uint32_t e = 0; e < ap_graph_edge_count(d); e++)
                if (ap_graph_edge_origin(d, e) == it->path[k])
                    path[k] = e;
            assert_int_not_equal(path[k], AP_UNREACHED);
        }
        ap_rights claim = ap_authority_replay(d, a, path, it->npath, NULL);
        CHECK(y, path, it->npath, claim, "seed %llu: offboard n%02d residual of n%02u at n%02u",
              (unsigned long long)seed, s, it->actor, it->node);
        ap_rights named = ((ap_rights)1 << M_NRIGHTS) - 1;     /* items show named rights */
        if ((claim & named & it->rights) != (claim & named))
            fail_msg("seed %llu: offboard n%02d: residual chain to n%02u carries more than held",
                     (unsigned long long)seed, s, it->node);
        (*chains)++;
        free(y);
        ap_authority_free(a);
        ap_graph_free(d);
    }
    ap_offboard_free(o);
    free(after);
    free(x);
}

/* Findings: every witness path replays from the finding's partner to something. */
static void check_findings(const m_inventory *inv, const ap_graph *g, uint64_t seed, long *chains)
{
    ap_findings *f = NULL;
    ap_error err;
    replay_ctx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->inv = inv;
    x->g = g;
    map_edges(x);
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    uint32_t last = AP_UNREACHED;
    ap_authority *a = NULL;
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *fd = ap_findings_get(f, i);
        if (fd->npath == 0)
            continue;
        /* one finding per root cause: its chain starts at one of its partners (the nearest
         * to the subject), not always the first */
        uint32_t start_at = ap_graph_edge(g, fd->path[0])->from;
        bool listed = false;
        for (size_t k = 0; k < fd->npartners; k++)
            listed |= fd->partners[k] == start_at;
        if (!listed && strcmp(fd->rule->id, "delegation-loop") != 0)
            fail_msg("seed %llu: finding %s of n%02u: its chain starts at n%02u, not one of its "
                     "partners", (unsigned long long)seed, fd->rule->id, fd->partner, start_at);
        if (start_at != last) {
            ap_authority_free(a);
            assert_int_equal(ap_authority_compute(&a, g, start_at, &err), AP_OK);
            last = start_at;
        }
        x->a = a;
        if (strcmp(fd->rule->id, "delegation-loop") == 0) {
            /* a loop's path is each member's chain to the next, one after the other: each
             * segment is replayed from the partner it starts at */
            size_t start = 0;
            for (size_t k = 0; k < fd->npath; k++) {
                uint32_t to = ap_graph_edge(g, fd->path[k])->to;
                if (ap_graph_node(g, to)->kind != AP_KIND_PARTNER)
                    continue;
                ap_authority *b = NULL;
                uint32_t from = ap_graph_edge(g, fd->path[start])->from;
                assert_int_equal(ap_authority_compute(&b, g, from, &err), AP_OK);
                x->a = b;
                ap_rights claim = ap_authority_replay(g, b, fd->path + start, k + 1 - start,
                                                      NULL);
                CHECK(x, fd->path + start, k + 1 - start, claim,
                      "seed %llu: finding %s of n%02u, segment from n%02u",
                      (unsigned long long)seed, fd->rule->id, fd->partner, from);
                ap_authority_free(b);
                start = k + 1;
                (*chains)++;
            }
            continue;
        }
        ap_rights claim = ap_authority_replay(g, a, fd->path, fd->npath, NULL);
        CHECK(x, fd->path, fd->npath, claim, "seed %llu: finding %s of n%02u (chain from n%02u)",
              (unsigned long long)seed, fd->rule->id, fd->partner, start_at);
        (*chains)++;
    }
    ap_authority_free(a);
    ap_findings_free(f);
    free(x);
}

/* Fourth parties (which partners, how many targets: test_findings_lanes_delegation): the chain
 * each shows is from its partner, through the partner it names (through_partner, the first
 * other partner on it), to a target of the sensitivity it names (check_findings replays it). */
static void check_fourth_parties(const m_inventory *inv, const ap_graph *g, const ap_findings *f,
                                 ap_authority *const *auth, uint64_t seed)
{
    (void)inv;
    (void)auth;
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *fd = ap_findings_get(f, i);
        if (strcmp(fd->rule->id, "fourth-party-sensitive") != 0)
            continue;
        uint32_t p = fd->partner, q = AP_UNREACHED;
        const char *via = ap_finding_fact(fd, "through_partner");
        const char *level = ap_finding_fact(fd, "sensitivity");
        for (size_t k = 0; k + 1 < fd->npath && q == AP_UNREACHED; k++) {
            uint32_t to = ap_graph_edge(g, fd->path[k])->to;
            if (to != p && ap_graph_node(g, to)->kind == AP_KIND_PARTNER)
                q = to;
        }
        uint32_t end = fd->npath > 0 ? ap_graph_edge(g, fd->path[fd->npath - 1])->to : p;
        if (fd->npath == 0 || ap_graph_edge(g, fd->path[0])->from != p || q == AP_UNREACHED
            || via == NULL || strcmp(via, ap_graph_node(g, q)->id) != 0 || level == NULL
            || strcmp(level, ap_sensitivity_name(ap_graph_node(g, end)->sensitivity)) != 0)
            fail_msg("seed %llu: fourth-party-sensitive of n%02u: its chain is not from it "
                     "through the partner it names to a target of its sensitivity",
                     (unsigned long long)seed, p);
        fourth_checked++;
    }
}

/* One finding per root cause: an edge finding (undeclared-rights, temporary-no-expiry) lists
 * exactly the partners whose authority the edge carries; fourth parties (below). */
static void check_root_causes(const m_inventory *inv, const ap_graph *g, uint64_t seed)
{
    ap_findings *f = NULL;
    ap_error err;
    uint32_t n = ap_graph_node_count(g);
    ap_authority **auth = calloc(n + 1, sizeof *auth);
    assert_non_null(auth);
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    for (uint32_t v = 0; v < n; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER)
            assert_int_equal(ap_authority_compute(&auth[v], g, v, &err), AP_OK);
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *fd = ap_findings_get(f, i);
        bool per_edge = strcmp(fd->rule->id, "undeclared-rights") == 0
                        || strcmp(fd->rule->id, "temporary-no-expiry") == 0;
        if (per_edge) {
            const ap_edge *ed = ap_graph_edge(g, fd->subject);
            for (uint32_t p = 0; p < n; p++) {
                const ap_authority *a = auth[p];
                bool listed = false;
                for (size_t k = 0; k < fd->npartners; k++)
                    listed |= fd->partners[k] == p;
                bool carries = a != NULL && a->rights[ed->from] != 0
                               && ap_edge_usable(g, ed, p)
                               && ap_edge_transfer(ed, a->rights[ed->from]) != 0;
                if (listed != carries)
                    fail_msg("seed %llu: %s of edge %s: partner n%02u %s but is %s",
                             (unsigned long long)seed, fd->rule->id, ed->id, p,
                             carries ? "carries it" : "does not carry it",
                             listed ? "listed" : "not listed");
            }
        }
    }
    check_fourth_parties(inv, g, f, auth, seed);
    for (uint32_t v = 0; v < n; v++)
        ap_authority_free(auth[v]);
    free(auth);
    ap_findings_free(f);
}

/* The inventory's resources and workflows with a sensitivity each, by id and seed (the model
 * has none; it changes no authority): the findings about sensitive targets then fire. */
static char *with_sensitivity(char *json, uint64_t seed)
{
    static const char *const names[] = { "internal", "confidential", "restricted", "critical" };
    return ap_test_with_sensitivity(json, seed, names, sizeof names / sizeof names[0], 1);
}

static void check_one(uint64_t seed, long *chains)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(with_sensitivity(m_to_json(&inv), seed), inv.at, "evidence",
                                    seed, &st);
    replay_ctx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->inv = &inv;
    x->g = g;
    map_edges(x);
    for (int s = 0; s < inv.n; s++) {
        ap_authority *a = NULL;
        assert_int_equal(ap_authority_compute(&a, g, (uint32_t)s, &err), AP_OK);
        x->a = a;
        check_source(x, s, seed, chains);
        ap_authority_free(a);
        if (inv.nodes[s].kind == 0)
            check_offboard(&inv, g, s, seed, chains);
    }
    check_findings(&inv, g, seed, chains);
    check_root_causes(&inv, g, seed);
    free(x);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_property_evidence__every_chain_carries_its_claim(void **state)
{
    long chains = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed, &chains);
    print_message("%ld chains replayed, %ld gates cited, %ld explanations of two sentences or "
                  "more, %ld rights on diagram edges, %ld fourth-party findings\n", chains,
                  gates_cited, multi_sentence, diagram_edges, fourth_checked);
    /* the seeds print enough chains, cited gates and split explanations to mean something */
    assert_true(chains > 10000 / AP_SEED_DIV && gates_cited > 20 / AP_SEED_DIV
                && multi_sentence > 100 / AP_SEED_DIV);
    assert_true(diagram_edges > 10000 / AP_SEED_DIV);
    assert_true(fourth_checked > 18 / AP_SEED_DIV);
}

/* The five-node estate: P > r carries read, r > x passes only write. The old witness
 * of x (P > r > x) must fail the check; the engine's (P > a > b > r > x) must pass it. */
static void test_property_evidence__check_rejects_the_old_witness(void **state)
{
    static const char *const text =
        "{\"nodes\": [{\"id\": \"P\", \"kind\": \"partner\"}, {\"id\": \"a\", \"kind\": "
        "\"identity\"}, {\"id\": \"b\", \"kind\": \"identity\"}, {\"id\": \"r\", \"kind\": "
        "\"role\"}, {\"id\": \"x\", \"kind\": \"resource\"}],\n"
        " \"edges\": [{\"from\": \"P\", \"to\": \"r\", \"kind\": \"can_assume\", \"rights\": "
        "[\"read\"]}, {\"from\": \"P\", \"to\": \"a\", \"kind\": \"can_assume\"}, {\"from\": "
        "\"a\", \"to\": \"b\", \"kind\": \"can_assume\"}, {\"from\": \"b\", \"to\": \"r\", "
        "\"kind\": \"can_assume\"}, {\"from\": \"r\", \"to\": \"x\", \"kind\": \"access\", "
        "\"rights\": [\"write\"]}]}\n";
    m_inventory inv;
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_error err;
    const uint64_t all = ~(uint64_t)0, rd = 1, wr = 2;
    (void)state;
    memset(&inv, 0, sizeof inv);
    inv.n = 5;
    inv.m = 5;
    static const char *const ids[] = { "P", "a", "b", "r", "x" };
    static const int kinds[] = { 0, 1, 1, 3, 4 };
    for (int v = 0; v < 5; v++) {
        snprintf(inv.nodes[v].id, sizeof inv.nodes[v].id, "%s", ids[v]);
        inv.nodes[v].kind = kinds[v];
        inv.nodes[v].state = 2;
        inv.nodes[v].valid_from = inv.nodes[v].expires = INT64_MIN;
    }
    static const int ends[5][3] = { { 0, 3, 3 }, { 0, 1, 3 }, { 1, 2, 3 }, { 2, 3, 3 },
                                    { 3, 4, 7 } };
    for (int i = 0; i < 5; i++) {
        inv.edges[i] = (m_edge){ .from = ends[i][0], .to = ends[i][1], .kind = ends[i][2],
                                 .rights = i == 0 ? rd : i == 4 ? wr : all, .state = 2,
                                 .valid_from = INT64_MIN, .expires = INT64_MIN };
    }
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    assert_int_equal(ap_test_import(st, ap_test_write_temp("five.json", text), &err), AP_OK);
    ap_graph *g = ap_test_graph(st, 1790000000);
    replay_ctx *x = calloc(1, sizeof *x);
    assert_non_null(x);
    x->inv = &inv;
    x->g = g;
    map_edges(x);
    assert_int_equal(ap_authority_compute(&a, g, 0, &err), AP_OK);
    x->a = a;
    uint32_t old[2] = { (uint32_t)ap_graph_find_edge(g, "P|can_assume|r"),
                        (uint32_t)ap_graph_find_edge(g, "r|access|x") };
    assert_int_equal(check_claim(x, old, 2, wr), -1);           /* the old claim: write */
    uint32_t now[8];
    size_t len = ap_authority_path(a, g, 4, now, 8);
    assert_int_equal(len, 4);
    assert_int_equal(check_claim(x, now, len, wr), 0);
    assert_int_equal(check_claim(x, now, len, wr | rd), -1);   /* claiming more fails too */
    free(x);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_evidence__check_rejects_the_old_witness),
        cmocka_unit_test(test_property_evidence__every_chain_carries_its_claim),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
