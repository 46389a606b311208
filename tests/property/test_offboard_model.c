/* tests/property/test_offboard_model.c: offboarding against the brute-force model on seeded
 * random inventories: the plan applied by hand to the inventory, then the model's rounds give
 * residual, collateral and each shared credential's choices; the minimum cut and the choke
 * points against an exhaustive search over the edges that carry the partner's authority. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/offboard.h"
#include "model.h"
#include "support.h"

#define SEEDS 400
#define MASK (((uint64_t)1 << M_NRIGHTS) - 1)

enum { K_PARTNER = 0, K_CREDENTIAL = 2, K_RESOURCE = 4, K_WORKFLOW = 5 };
enum { E_HOLDS = 0, E_SUBCONTRACTOR_OF = 4, E_DEPENDS_ON = 10, S_REVOKED = 5 };

/* One expected line: (actor, node, rights, dependency), compared as sorted sets. */
typedef struct {
    int actor, node, dep;
    uint64_t rights;
} line;

static int line_cmp(const void *x, const void *y)
{
    const line *a = x, *b = y;
    if (a->actor != b->actor)
        return a->actor - b->actor;
    if (a->node != b->node)
        return a->node - b->node;
    return a->dep - b->dep;
}

typedef struct {
    line v[M_MAX_NODES * M_MAX_NODES * 2];
    int n;
} lines;

static void add(lines *l, int actor, int node, uint64_t rights, int dep)
{
    l->v[l->n++] = (line){ actor, node, dep, rights };
}

static void from_items(lines *l, const ap_reach_item *it, uint32_t n)
{
    l->n = 0;
    for (uint32_t i = 0; i < n; i++)
        add(l, (int)it[i].actor, (int)it[i].node, it[i].rights, it[i].dependency);
}

static void same(lines *want, lines *got, uint64_t seed, const char *what)
{
    qsort(want->v, (size_t)want->n, sizeof want->v[0], line_cmp);
    qsort(got->v, (size_t)got->n, sizeof got->v[0], line_cmp);
    if (want->n != got->n)
        fail_msg("seed %llu: %s has %d lines, model %d", (unsigned long long)seed, what, got->n,
                 want->n);
    for (int i = 0; i < want->n; i++)
        if (line_cmp(&want->v[i], &got->v[i]) != 0 || want->v[i].rights != got->v[i].rights)
            fail_msg("seed %llu: %s line %d: n%02d n%02d %llx, model n%02d n%02d %llx",
                     (unsigned long long)seed, what, i, got->v[i].actor, got->v[i].node,
                     (unsigned long long)got->v[i].rights, want->v[i].actor, want->v[i].node,
                     (unsigned long long)want->v[i].rights);
}

/* The model's plan: which nodes act for p, which credentials are revoked, which edges go. */
typedef struct {
    int actor[M_MAX_NODES], revoked[M_MAX_NODES], removed[M_MAX_EDGES];
} m_plan;

static void model_plan(const m_inventory *inv, int p, m_plan *pl)
{
    int changed = 1;
    memset(pl, 0, sizeof *pl);
    pl->actor[p] = 1;
    while (changed) {
        changed = 0;
        for (int i = 0; i < inv->m; i++) {
            const m_edge *e = &inv->edges[i];
            if (e->kind == E_SUBCONTRACTOR_OF && pl->actor[e->to] && !pl->actor[e->from]
                && inv->nodes[e->from].kind == K_PARTNER && m_edge_live(inv, e, -1))
                pl->actor[e->from] = changed = 1;
        }
    }
    for (int i = 0; i < inv->m; i++) {
        const m_edge *e = &inv->edges[i];
        int live = m_edge_live(inv, e, -1);
        if (e->from == p && e->kind == E_HOLDS && live
            && inv->nodes[e->to].kind == K_CREDENTIAL)
            pl->revoked[e->to] = 1;
        if ((e->from == p && live) || (e->to == p && e->kind == E_SUBCONTRACTOR_OF))
            pl->removed[i] = 1;
    }
}

/* inv with the plan applied; keep_cred (or -1) is left unrevoked, with p's edges into it. */
static void apply(const m_inventory *inv, const m_plan *pl, int p, int keep_cred,
                  m_inventory *out)
{
    *out = *inv;
    out->m = 0;
    for (int i = 0; i < inv->m; i++) {
        const m_edge *e = &inv->edges[i];
        if (pl->removed[i] && !(keep_cred >= 0 && e->from == p && e->to == keep_cred))
            continue;
        out->edges[out->m++] = *e;
    }
    for (int v = 0; v < inv->n; v++)
        if (pl->revoked[v] && v != keep_cred)
            out->nodes[v].state = S_REVOKED;
}

static int collateral_actor(const m_inventory *inv, const m_plan *pl, int v)
{
    int k = inv->nodes[v].kind;
    return (k == K_PARTNER && !pl->actor[v]) || k == K_WORKFLOW;
}

/* What each collateral actor holds on a and not on b, and its depends_on edges cut (by the
 * whole plan, or only the credential `only`). */
static void model_lost(const m_inventory *inv, const m_plan *pl, const m_inventory *a,
                       const m_inventory *b, int p, int only, lines *l)
{
    for (int w = 0; w < inv->n; w++) {
        uint64_t ra[M_MAX_NODES], rb[M_MAX_NODES];
        int ha[M_MAX_NODES], hb[M_MAX_NODES];
        if (!collateral_actor(inv, pl, w))
            continue;
        m_authority(a, w, ra, ha);
        m_authority(b, w, rb, hb);
        for (int v = 0; v < inv->n; v++)
            if (v != w && inv->nodes[v].kind != K_PARTNER && (ra[v] & ~rb[v] & MASK) != 0)
                add(l, w, v, ra[v] & ~rb[v] & MASK, 0);
        for (int i = 0; i < inv->m; i++) {
            const m_edge *e = &inv->edges[i];
            int cut = only >= 0 ? e->to == only : pl->revoked[e->to] || e->to == p;
            if (e->from == w && e->kind == E_DEPENDS_ON && m_edge_live(inv, e, -1) && cut)
                add(l, w, e->to, 0, 1);
        }
    }
}

static void model_reach(const m_inventory *inv, int s, lines *l)
{
    uint64_t r[M_MAX_NODES];
    int h[M_MAX_NODES];
    m_authority(inv, s, r, h);
    for (int v = 0; v < inv->n; v++)
        if (v != s && r[v] != 0 && inv->nodes[v].kind != K_PARTNER)
            add(l, s, v, r[v] & MASK, 0);
}

static void add_edge(m_inventory *inv, int from, int to, int kind)
{
    m_edge *e = &inv->edges[inv->m++];
    memset(e, 0, sizeof *e);
    e->from = from;
    e->to = to;
    e->kind = kind;
    e->rights = kind == E_DEPENDS_ON ? 0 : ~(uint64_t)0;
    e->state = 2;                                   /* active */
    e->valid_from = e->expires = INT64_MIN;
}

/* Random inventories rarely share a credential or subcontract: on half the seeds, make one
 * node a credential p holds, shared with the other partner or a workflow that depends on it,
 * and let the other partner act for p on some of them. */
static void enrich(m_inventory *inv, int p, uint64_t seed)
{
    uint64_t r = seed * 2654435761u + 7;
    if (seed % 4 >= 2 || inv->n < 4 || inv->m > M_MAX_EDGES - 5)
        return;
    int c = 2 + (int)(r % (uint64_t)(inv->n - 2));
    int other = 2 + (int)((r >> 8) % (uint64_t)(inv->n - 2));
    inv->nodes[c].kind = K_CREDENTIAL;
    inv->nodes[c].state = 2;
    inv->nodes[c].valid_from = inv->nodes[c].expires = INT64_MIN;
    add_edge(inv, p, c, E_HOLDS);
    add_edge(inv, (r >> 16) % 2 ? 1 - p : other, c, E_HOLDS);
    add_edge(inv, c, (int)((r >> 24) % (uint64_t)inv->n), 1);      /* authenticates_as */
    add_edge(inv, other, c, E_DEPENDS_ON);
    if ((r >> 32) % 2)
        add_edge(inv, 1 - p, p, E_SUBCONTRACTOR_OF);
}

static ap_graph *load(const m_inventory *inv, uint64_t seed, ap_store **st)
{
    ap_error err;
    char name[64];
    char *json = m_to_json(inv);
    snprintf(name, sizeof name, "offboard_%llu.json", (unsigned long long)seed);
    const char *path = ap_test_write_temp(name, json);
    free(json);
    assert_int_equal(ap_store_open(st, ":memory:", &err), AP_OK);
    if (ap_test_import(*st, path, &err) != AP_OK)
        fail_msg("seed %llu: import failed: %s", (unsigned long long)seed, err.msg);
    remove(path);
    return ap_test_graph(*st, inv->at);
}

/* ---- The cut and the choke points, exhaustively ---- */

/* Can s reach any target over the edges of list not in skip, avoiding node `avoid`? */
static int reaches(const ap_graph *g, uint32_t s, const uint32_t *list, uint32_t n,
                   const int *skip, int avoid, const int *target)
{
    int seen[M_MAX_NODES] = { 0 }, changed = 1;
    seen[s] = 1;
    while (changed) {
        changed = 0;
        for (uint32_t i = 0; i < n; i++) {
            const ap_edge *e = ap_graph_edge(g, list[i]);
            if (skip[i] || !seen[e->from] || seen[e->to] || (int)e->to == avoid)
                continue;
            seen[e->to] = changed = 1;
        }
    }
    for (int v = 0; v < M_MAX_NODES; v++)
        if (seen[v] && target[v])
            return 1;
    return 0;
}

/* Is there a set of k carrying edges (chosen from index `from` on) that cuts every target? */
static int cut_exists(const ap_graph *g, uint32_t s, const uint32_t *list, uint32_t n, int *skip,
                      uint32_t from, int k, const int *target)
{
    if (k == 0)
        return !reaches(g, s, list, n, skip, -1, target);
    for (uint32_t i = from; i < n; i++) {
        skip[i] = 1;
        int found = cut_exists(g, s, list, n, skip, i + 1, k - 1, target);
        skip[i] = 0;
        if (found)
            return 1;
    }
    return 0;
}

static double choose(uint32_t n, uint32_t k)
{
    double r = 1;
    for (uint32_t i = 0; i < k; i++)
        r = r * (n - i) / (i + 1);
    return r;
}

static int compared;

/* The cut removes every target and no smaller set of carrying edges does; the choke points of
 * each target are exactly the nodes whose removal cuts it off. */
static void check_cut(const ap_graph *g, uint32_t p, const ap_offboard *o, uint64_t seed)
{
    ap_authority *a = NULL, *a2 = NULL;
    ap_graph *d = NULL;
    ap_error err;
    uint32_t *carry = NULL, ncarry = 0;
    int target[M_MAX_NODES] = { 0 }, skip[M_MAX_EDGES] = { 0 };
    assert_int_equal(ap_authority_compute(&a, g, p, &err), AP_OK);
    assert_int_equal(ap_carrying_edges(&carry, &ncarry, g, a, &err), AP_OK);
    for (uint32_t i = 0; i < o->ntargets; i++)
        target[o->targets[i]] = 1;
    /* the targets: every reached resource and workflow (all internal here) */
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        ap_kind k = ap_graph_node(g, v)->kind;
        assert_int_equal(target[v], v != p && a->rights[v] != 0
                                        && (k == AP_KIND_RESOURCE || k == AP_KIND_WORKFLOW));
    }
    /* the cut carries authority, and removing it leaves no target reached */
    for (uint32_t i = 0; i < o->ncut; i++) {
        int found = 0;
        for (uint32_t j = 0; j < ncarry; j++)
            found |= carry[j] == o->cut[i];
        assert_true(found);
    }
    ap_graph_edit edit = { o->cut, o->ncut, NULL, 0, NULL, 0 };
    assert_int_equal(ap_graph_derive(&d, g, &edit, &err), AP_OK);
    assert_int_equal(ap_authority_compute(&a2, d, p, &err), AP_OK);
    for (uint32_t i = 0; i < o->ntargets; i++)
        if (a2->rights[o->targets[i]] != 0)
            fail_msg("seed %llu: target n%02u still reached after the cut",
                     (unsigned long long)seed, o->targets[i]);
    /* no smaller cut exists (when the search is small enough to run) */
    double work = 0;
    for (uint32_t k = 0; k < o->ncut; k++)
        work += choose(ncarry, k);
    if (o->ntargets > 0 && work < 100000) {
        for (int k = 0; k < (int)o->ncut; k++)
            if (cut_exists(g, p, carry, ncarry, skip, 0, k, target))
                fail_msg("seed %llu: a cut of %d edges exists, igraph found %u",
                         (unsigned long long)seed, k, o->ncut);
        compared += o->ncut > 1;
    }
    /* choke points: exactly the nodes but p and t whose removal cuts t off */
    for (uint32_t t = 0; t < ap_graph_node_count(g); t++) {
        int only[M_MAX_NODES] = { 0 };
        if (!target[t])
            continue;
        only[t] = 1;
        for (uint32_t dn = 0; dn < ap_graph_node_count(g); dn++) {
            int want = dn != p && dn != t && !reaches(g, p, carry, ncarry, skip, (int)dn, only);
            int got = 0;
            for (uint32_t c = 0; c < o->nchokes; c++)
                for (uint32_t k = 0; o->chokes[c].node == dn && k < o->chokes[c].ntargets; k++)
                    got |= o->chokes[c].targets[k] == t;
            if (want != got)
                fail_msg("seed %llu: n%02u %s n%02u, igraph says %s", (unsigned long long)seed,
                         dn, want ? "dominates" : "does not dominate", t, got ? "yes" : "no");
        }
    }
    free(carry);
    ap_authority_free(a);
    ap_authority_free(a2);
    ap_graph_free(d);
}

static int checked_nonempty;

static void check_one(uint64_t seed)
{
    m_inventory inv, after, keep;
    m_plan pl;
    ap_store *st = NULL;
    ap_offboard *o = NULL;
    ap_error err;
    static lines want, got;
    int p = (int)(seed % 2);
    ap_offboard_opts opts = { AP_SENS_INTERNAL };
    m_generate(&inv, seed);
    enrich(&inv, p, seed);
    ap_graph *g = load(&inv, seed, &st);
    assert_int_equal(ap_offboard_compute(&o, g, (uint32_t)p, &opts, &err), AP_OK);

    model_plan(&inv, p, &pl);
    apply(&inv, &pl, p, -1, &after);

    /* residual: every actor's reach on the changed inventory */
    want.n = 0;
    for (int a = 0; a < inv.n; a++)
        if (pl.actor[a])
            model_reach(&after, a, &want);
    from_items(&got, o->residual, o->nresidual);
    same(&want, &got, seed, "residual");
    checked_nonempty += want.n > 0;

    /* collateral: what other partners and workflows lose */
    want.n = 0;
    model_lost(&inv, &pl, &inv, &after, p, -1, &want);
    from_items(&got, o->collateral, o->ncollateral);
    same(&want, &got, seed, "collateral");
    checked_nonempty += want.n > 0;

    /* each shared credential: keep it (p keeps), revoke it (others lose) */
    for (uint32_t i = 0; i < o->nshared; i++) {
        int c = (int)o->shared[i].credential;
        assert_true(pl.revoked[c]);
        apply(&inv, &pl, p, c, &keep);
        want.n = 0;
        model_reach(&keep, p, &want);
        from_items(&got, o->shared[i].keeps, o->shared[i].nkeeps);
        same(&want, &got, seed, "keeps");
        want.n = 0;
        model_lost(&inv, &pl, &keep, &after, p, c, &want);
        from_items(&got, o->shared[i].breaks, o->shared[i].nbreaks);
        same(&want, &got, seed, "breaks");
    }
    check_cut(g, (uint32_t)p, o, seed);
    ap_offboard_free(o);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_property_offboard__matches_model_and_cut_is_minimum(void **state)
{
    (void)state;
    checked_nonempty = compared = 0;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed);
    assert_true(checked_nonempty > SEEDS / 10);     /* the comparison has teeth */
    assert_true(compared >= 10);                    /* cuts of two or more edges searched */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_offboard__matches_model_and_cut_is_minimum),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
