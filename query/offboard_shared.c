/* query/offboard_shared.c: offboarding's shared-credential choices: for each credential the plan
 * revokes that others hold too, what revoking it breaks for them and what keeping it leaves. */
#include <stdlib.h>

#include "offboard_internal.h"

#define NONE UINT32_MAX

/* What a shared-credential choice asks of a collateral actor. */
#define VISIT_REACH 1u          /* it may reach the credential: its authority is computed */
#define VISIT_DEPENDS 2u        /* it depends_on the credential */

/* Mark other i for this choice with what it asks (VISIT_*). */
static void visit(offboard_ctx *c, uint32_t i, uint8_t what)
{
    if (c->visit[i] == 0)
        c->visits[c->nvisits++] = i;
    c->visit[i] |= what;
}

/* The actors a choice of credential k asks anything of, by index into others: those whose
 * authority after the plan holds a tail of an edge into k (the others hold nothing of k's on
 * either graph) and those that depend_on k. */
static void choice_actors(offboard_ctx *c, uint32_t k)
{
    const ap_graph *g = c->g;
    for (uint32_t i = ap_graph_in_begin(g, k); i < ap_graph_in_end(g, k); i++) {
        const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
        uint32_t u = e->from;
        for (uint32_t h = c->held_off[u]; u != k && h < c->held_off[u + 1]; h++)
            visit(c, c->held_by[h], VISIT_REACH);
        if (e->kind == AP_EDGE_DEPENDS_ON && e->live && c->other_of[u] != NONE)
            visit(c, c->other_of[u], VISIT_DEPENDS);
    }
    qsort(c->visits, c->nvisits, sizeof *c->visits, ap_query__u32_cmp);
}

/* Actor w's authority on c->choices with credential k reinstated (NONE: none, the graph after
 * the plan), into ws: P's out-row narrowed to its holds on k (the others are dead), so that a
 * run that reaches P costs what it reaches, not P's holds. */
static int choice_run(const ap_authority **out, offboard_ctx *c, ap_authority_ws *ws,
                      uint32_t k, uint32_t w, ap_error *err)
{
    int rc = ap_graph_reinstate(c->choices, c->g, k, c->o->partner, err);
    if (rc == AP_OK)
        rc = ap_query__authority_run(out, ws, c->choices, w, err);
    ap_graph_reinstate_undo(c->choices, c->g);
    return rc;
}

/* Actor i's kept reach after the plan spread out over c->after_dense (allocated on first use),
 * or NULL: not kept (or no memory for the array: the actor runs again). */
static const ap_rights *spread_kept(offboard_ctx *c, uint32_t i)
{
    const held_list *k = &c->kept[i];
    if (c->kept_rights[i] == NULL)
        return NULL;
    if (c->after_dense == NULL
        && (c->after_dense = calloc((size_t)ap_graph_node_count(c->g) + 1,
                                    sizeof *c->after_dense)) == NULL)
        return NULL;
    for (uint32_t j = 0; j < k->n; j++)
        c->after_dense[k->node[j]] = c->kept_rights[i][j];
    return c->after_dense;
}

static void unspread_kept(offboard_ctx *c, uint32_t i)
{
    if (c->after_dense == NULL || c->kept_rights[i] == NULL)
        return;
    for (uint32_t j = 0; j < c->kept[i].n; j++)
        c->after_dense[c->kept[i].node[j]] = 0;
}

/* One shared credential: keep it (and P's hold on it) or revoke it, the rest of the plan
 * unchanged. The graph is c->choices with the credential reinstated: it differs from the
 * plan's only there (the credential live again, and P's hold on it), so an actor whose
 * authority after the plan holds none of the credential's tails holds there what it holds
 * after the plan, and nothing breaks for it (an actor computed per credential, then a copy of
 * the estate per credential, made 50,000 shared keys quadratic). A reinstated graph is read
 * only while it is: each run's paths are made before the next reinstatement. */
static int shared_choice(offboard_ctx *c, ap_shared_credential *sc, ap_error *err)
{
    ap_graph *keep = c->choices;
    const ap_authority *a = NULL, *after = NULL;
    uint32_t k = sc->credential;
    int rc;
    if ((rc = ap_graph_reinstate(keep, c->g, k, c->o->partner, err)) < 0)
        return rc;
    if ((rc = ap_query__authority_run(&a, c->ws, keep, c->o->partner, err)) == AP_OK)
        rc = ap_offboard__reach_items(&sc->keeps, &sc->nkeeps, c, keep, a, err);
    ap_graph_reinstate_undo(keep, c->g);
    if (rc < 0)
        return rc;
    choice_actors(c, k);
    loss_lists l = { .list = &sc->breaks, .n = &sc->nbreaks,
                     .unlisted = &sc->breaks_unlisted,
                     .unlisted_actors = &sc->breaks_unlisted_actors };
    for (uint32_t v = 0; rc == AP_OK && v < c->nvisits; v++) {
        uint32_t i = c->visits[v];
        item_sink *s = ap_offboard__actor_begin(&l, c);
        if (c->touches[c->others[i]] && (c->visit[i] & VISIT_REACH)) {
            /* what it holds after the plan (kept by collateral(), or run again), then with k
             * kept: its losses' paths are made on the graph that keeps k, while k is
             * reinstated */
            const ap_rights *had = spread_kept(c, i);
            if ((had == NULL
                 && (rc = choice_run(&after, c, c->ws_after, NONE, c->others[i], err)) < 0)
                || (rc = ap_graph_reinstate(keep, c->g, k, c->o->partner, err)) < 0)
                break;
            if ((rc = ap_query__authority_run(&a, c->ws, keep, c->others[i], err)) == AP_OK)
                rc = ap_offboard__lost_items(s, c, keep, a, had != NULL ? had : after->rights,
                                             err);
            ap_graph_reinstate_undo(keep, c->g);
            unspread_kept(c, i);
            if (rc < 0)
                break;
        }
        rc = ap_offboard__dependency_items(s, c, c->others[i], k, err);
        ap_offboard__actor_end(&l);
    }
    for (uint32_t v = 0; v < c->nvisits; v++)
        c->visit[c->visits[v]] = 0;
    c->nvisits = 0;
    return rc;
}

/* The estate after the plan but P's holds on the credentials it revokes, and what the choices
 * run on it with. */
static int choice_graph(offboard_ctx *c, ap_error *err)
{
    uint32_t *rm = malloc(((size_t)c->nrm + 1) * sizeof *rm), nrm = 0;
    int rc;
    if (rm == NULL)
        return ap_error_nomem(err);
    for (uint32_t i = 0; i < c->nrm; i++) {
        const ap_edge *e = ap_graph_edge(c->g, c->rm[i]);
        if (!(e->from == c->o->partner && c->revoked[e->to]))
            rm[nrm++] = c->rm[i];
    }
    ap_graph_edit edit = { rm, nrm, NULL, 0, c->rv, c->nrv };
    if ((rc = ap_graph_derive(&c->choices, c->g, &edit, err)) == AP_OK
        && (rc = ap_query__authority_ws_new(&c->ws, c->choices, err)) == AP_OK)
        rc = ap_query__authority_ws_new(&c->ws_after, c->choices, err);
    free(rm);
    return rc;
}

/* held_off and held_by: for each node, the touched actors whose authority after the plan
 * holds it (a transpose of their after lists). */
static int holders_after(offboard_ctx *c, ap_error *err)
{
    uint32_t n = ap_graph_node_count(c->g);
    size_t total = 0;
    c->held_off = calloc((size_t)n + 2, sizeof *c->held_off);
    c->visit = calloc((size_t)c->nothers + 1, sizeof *c->visit);
    c->visits = malloc(((size_t)c->nothers + 1) * sizeof *c->visits);
    c->other_of = malloc(((size_t)n + 1) * sizeof *c->other_of);
    if (c->held_off == NULL || c->visit == NULL || c->visits == NULL || c->other_of == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++)
        c->other_of[v] = NONE;
    for (uint32_t i = 0; i < c->nothers; i++)
        c->other_of[c->others[i]] = i;
    for (uint32_t i = 0; i < c->nothers; i++) {
        for (uint32_t k = 0; k < c->after[i].n; k++)
            c->held_off[c->after[i].node[k] + 2]++;
        total += c->after[i].n;
    }
    if (total >= UINT32_MAX)
        return ap_error_set(err, AP_ENOMEM, "too many actors' holdings to index");
    for (uint32_t v = 0; v < n; v++)
        c->held_off[v + 2] += c->held_off[v + 1];
    if ((c->held_by = malloc((total + 1) * sizeof *c->held_by)) == NULL)
        return ap_error_nomem(err);
    for (uint32_t i = 0; i < c->nothers; i++)      /* each node's actors in index order */
        for (uint32_t k = 0; k < c->after[i].n; k++)
            c->held_by[c->held_off[c->after[i].node[k] + 1]++] = i;
    return AP_OK;
}

/* Credentials the plan revokes that another node also holds: a live edge that passes
 * authority into them (a depends_on edge is collateral, not a holder). */
int ap_offboard__shared_credentials(offboard_ctx *c, bool holders_only, ap_error *err)
{
    const ap_graph *g = c->g;
    int rc = AP_OK;
    if (!holders_only && ((rc = holders_after(c, err)) < 0 || (rc = choice_graph(c, err)) < 0))
        return rc;
    for (uint32_t s = 0; rc == AP_OK && s < c->nrv; s++) {
        ap_shared_credential sc = { c->rv[s], NULL, 0, NULL, 0, NULL, 0, 0, 0 };
        uint32_t k = sc.credential;
        /* the holders by id: the tails of k's in-edges, sorted, each once */
        for (uint32_t i = ap_graph_in_begin(g, k); rc == AP_OK && i < ap_graph_in_end(g, k); i++) {
            const ap_edge *e = ap_graph_edge(g, ap_graph_in_edge(g, i));
            if (e->live && e->traversable && e->from != c->o->partner && e->from != k
                && ap_query__push(&sc.holders, &sc.nholders, sizeof e->from, &e->from) < 0)
                rc = ap_error_nomem(err);
        }
        if (sc.nholders > 1) {
            uint32_t kept = 1;
            qsort(sc.holders, sc.nholders, sizeof *sc.holders, ap_query__u32_cmp);
            for (uint32_t i = 1; i < sc.nholders; i++)
                if (sc.holders[i] != sc.holders[kept - 1])
                    sc.holders[kept++] = sc.holders[i];
            sc.nholders = kept;
        }
        if (rc == AP_OK && sc.nholders > 0 && !holders_only)
            rc = shared_choice(c, &sc, err);
        if (rc == AP_OK && sc.nholders == 0) {
            free(sc.holders);
            continue;
        }
        if (rc == AP_OK && ap_query__push(&c->o->shared, &c->o->nshared, sizeof sc, &sc) < 0)
            rc = ap_error_nomem(err);
        if (rc < 0) {
            free(sc.holders);
            ap_query__items_free(sc.breaks, sc.nbreaks);
            ap_query__items_free(sc.keeps, sc.nkeeps);
        }
    }
    return rc;
}
