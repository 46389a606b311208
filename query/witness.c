/* query/witness.c: replaying a chain of edges by the round rule, so that what a chain claims is
 * what it carries: per step the rights handed on, and for a gate the right that opens it. */
#include <stdlib.h>

#include "authpath/query.h"
#include "query_internal.h"

/* The right of u that opens a gate on `requires`: of u's classes meeting it, the one that
 * arrived first (its witness is ap_authority_chain(a, g, u, result)). */
static ap_rights gate_right(const ap_authority *a, uint32_t u, ap_rights requires)
{
    int c = ap_query__best_class(a, &a->arrivals[(size_t)a->row[u] * a->nclasses], requires,
                                 AP_UNREACHED, false);
    return c < 0 ? 0 : a->class_mask[c] & requires;
}

ap_rights ap_query__replay_step(const ap_graph *g, const ap_authority *a, ap_rights carried,
                                const ap_edge *e, ap_rights *gate)
{
    *gate = 0;
    if (carried == 0 || !e->traversable || !ap_edge_usable(g, e, a->source))
        return 0;
    if (a->blocked && e->from != a->source && ap_graph_node(g, e->from)->kind == AP_KIND_PARTNER)
        return 0;               /* blocked: another partner hands nothing on */
    if (e->requires != 0 && (carried & e->requires) == 0) {
        /* the chain brings no required right: the tail's own, by its own witness */
        if (e->from == a->source || (a->rights[e->from] & e->requires) == 0)
            return 0;
        *gate = gate_right(a, e->from, e->requires);
    }
    return e->escalates ? e->rights : carried & e->rights;
}

ap_rights ap_authority_replay(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                              size_t len, ap_chain_step *steps)
{
    ap_rights carried = AP_RIGHTS_ALL;
    uint32_t at = a->source;
    for (size_t i = 0; i < len; i++) {
        const ap_edge *e = ap_graph_edge(g, edges[i]);
        ap_rights gate;
        if (e->from != at
            || (carried = ap_query__replay_step(g, a, carried, e, &gate)) == 0)
            return 0;
        if (steps != NULL)
            steps[i] = (ap_chain_step){ edges[i], carried, gate };
        at = e->to;
    }
    return carried;
}

/* A walk's state is a row of arrivals and a class: state = row * nclasses + class; the
 * source's row is 0, so the states below nclasses end every chain. */
struct ap_witnesses {
    const ap_graph *g;
    const ap_authority *a;
    uint32_t *next;         /* per state: 0 until passed, then the state its chain continues + 1 */
    ap_rights *carried;     /* per passed state: what its chain delivers (ap_authority_replay) */
    uint32_t *node;         /* per row: its node */
    uint32_t *path;         /* the last answer, len + 1 nodes */
    uint32_t *pend;         /* the walk's states not passed before, and their next states */
    size_t cap;             /* entries of path, and pairs of pend */
};

int ap_witnesses_new(ap_witnesses **out, const ap_graph *g, const ap_authority *a,
                     ap_error *err)
{
    size_t rows = (size_t)a->nreach + 1, states = rows * a->nclasses;
    ap_witnesses *w = calloc(1, sizeof *w);
    *out = NULL;
    if (states >= UINT32_MAX)
        return ap_error_set(err, AP_EBUG, "%zu chain states do not fit in 32 bits", states);
    /* calloc: the pages of states no chain passes are never touched */
    if (w == NULL || (w->next = calloc(states, sizeof *w->next)) == NULL
        || (w->carried = calloc(states, sizeof *w->carried)) == NULL
        || (w->node = malloc(rows * sizeof *w->node)) == NULL) {
        ap_witnesses_free(w);
        return ap_error_nomem(err);
    }
    w->g = g;
    w->a = a;
    w->node[0] = a->source;
    for (uint32_t i = 0; i < a->nreach; i++)
        w->node[a->row[a->reach[i]]] = a->reach[i];
    *out = w;
    return AP_OK;
}

void ap_witnesses_free(ap_witnesses *w)
{
    if (w == NULL)
        return;
    free(w->next);
    free(w->carried);
    free(w->node);
    free(w->path);
    free(w->pend);
    free(w);
}

/* The state state s's chain continues (ap_authority_chain's walk, one step): -1 when the
 * arrivals do not lead back, an invariant broken. */
static int64_t continues(const ap_witnesses *w, uint32_t s)
{
    const ap_authority *a = w->a;
    uint32_t nc = a->nclasses;
    const ap_arrival *x = &a->arrivals[s];
    ap_edge tmp;
    const ap_edge *e = ap_graph_edge_fields(w->g, x->edge, &tmp);
    int c = (int)(s % nc);
    if (x->round == AP_UNREACHED || x->edge == AP_UNREACHED || e->from >= a->n
        || a->row[e->from] == AP_UNREACHED)
        return -1;
    if (e->escalates && e->from != a->source)
        c = ap_query__best_class(a, &a->arrivals[(size_t)a->row[e->from] * nc], AP_RIGHTS_ALL,
                                 x->round - 1, true);
    return c < 0 ? -1 : (int64_t)a->row[e->from] * nc + c;
}

int ap_witnesses_get(ap_witnesses *w, uint32_t v, const uint32_t **nodes, uint32_t *n,
                     ap_rights *delivers, ap_error *err)
{
    const ap_authority *a = w->a;
    uint32_t nc = a->nclasses;
    *nodes = w->path;
    *n = 0;
    *delivers = 0;
    if (v >= a->n || v == a->source || a->rights[v] == 0 || a->row[v] == AP_UNREACHED)
        return AP_OK;
    int c = ap_query__best_class(a, &a->arrivals[(size_t)a->row[v] * nc], AP_RIGHTS_ALL,
                                 AP_UNREACHED, false);
    if (c < 0)
        return AP_OK;
    uint32_t s0 = a->row[v] * nc + (uint32_t)c, len = a->arrivals[s0].len, k = 0;
    if (len == 0)               /* as ap_authority_path: no steps, no path */
        return AP_OK;
    if (len + 1 > w->cap) {
        size_t cap = (size_t)len + 1 > 2 * w->cap ? (size_t)len + 1 : 2 * w->cap;
        uint32_t *path = realloc(w->path, cap * sizeof *path);
        uint32_t *pend = path != NULL ? realloc(w->pend, 2 * cap * sizeof *pend) : NULL;
        if (path != NULL)
            w->path = path;
        if (pend == NULL)
            return ap_error_nomem(err);
        w->pend = pend;
        w->cap = cap;
        *nodes = w->path;
    }
    /* back to the first state passed before (or the source), as ap_authority_chain walks; a
     * chain has len steps, so a longer walk is a broken invariant, not a path */
    for (uint32_t s = s0; s >= nc && w->next[s] == 0;) {
        int64_t t = k < len ? continues(w, s) : -1;
        if (t < 0)
            return ap_error_set(err, AP_EBUG, "the witness of node %u does not lead back", v);
        w->pend[2 * k] = s;
        w->pend[2 * k + 1] = (uint32_t)t;
        k++;
        s = (uint32_t)t;
    }
    /* then forward, replaying each new step on what its tail's chain delivers */
    while (k-- > 0) {
        uint32_t s = w->pend[2 * k], t = w->pend[2 * k + 1];
        ap_edge tmp;
        const ap_edge *e = ap_graph_edge_fields(w->g, a->arrivals[s].edge, &tmp);
        ap_rights gate;
        w->carried[s] = ap_query__replay_step(w->g, a, t < nc ? AP_RIGHTS_ALL : w->carried[t],
                                              e, &gate);
        w->next[s] = t + 1;
    }
    /* the nodes, from v back to the source in exactly len steps */
    uint32_t s = s0;
    w->path[len] = v;
    for (uint32_t i = len; i > 0; i--) {
        if (s < nc)
            return ap_error_set(err, AP_EBUG, "the witness of node %u is short", v);
        s = w->next[s] - 1;
        w->path[i - 1] = w->node[s / nc];
    }
    if (s >= nc)
        return ap_error_set(err, AP_EBUG, "the witness of node %u is long", v);
    *n = len + 1;
    *delivers = w->carried[s0];
    return AP_OK;
}
