/* query/paths.c: the simple routes that carry a partner's authority to its targets, shortest
 * first, by a depth-first search backwards from each target, bounded in depth, count and work. */
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"
#include "query_internal.h"

void ap_paths_free(ap_paths *p)
{
    if (p == NULL)
        return;
    for (uint32_t i = 0; i < p->nsets; i++) {
        free(p->sets[i].off);
        free(p->sets[i].edges);
        free(p->sets[i].rights);
    }
    free(p->sets);
    free(p);
}

ap_rights ap_paths_chain_rights(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                                uint32_t len)
{
    return ap_authority_replay(g, a, edges, len, NULL);
}

static ap_sensitivity sens_of(const ap_node *nd)
{
    return nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL : nd->sensitivity;
}

/* A target with its sort key: qsort has no context argument in C11. */
typedef struct {
    ap_sensitivity sens;
    uint32_t v;
} target_key;

static int target_cmp(const void *x, const void *y)
{
    const target_key *a = x, *b = y;
    if (a->sens != b->sens)
        return a->sens > b->sens ? -1 : 1;  /* the most sensitive first */
    return a->v < b->v ? -1 : a->v > b->v;  /* node index order is id order: the order is total */
}

int ap_paths_targets(uint32_t **out, uint32_t *n, const ap_graph *g, const ap_authority *a,
                     ap_sensitivity min, ap_error *err)
{
    uint32_t *list = malloc(((size_t)a->nreach + 1) * sizeof *list), k = 0;
    target_key *keys = malloc(((size_t)a->nreach + 1) * sizeof *keys);
    *out = NULL;
    *n = 0;
    if (list == NULL || keys == NULL) {
        free(list);
        free(keys);
        return ap_error_nomem(err);
    }
    for (uint32_t i = 0; i < a->nreach; i++) {
        const ap_node *nd = ap_graph_node(g, a->reach[i]);
        if ((nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW) && sens_of(nd) >= min)
            keys[k++] = (target_key){ sens_of(nd), a->reach[i] };
    }
    qsort(keys, k, sizeof *keys, target_cmp);
    for (uint32_t i = 0; i < k; i++)
        list[i] = keys[i].v;
    free(keys);
    *out = list;
    *n = k;
    return AP_OK;
}

/* One found path, for sorting: its edges (graph indices) and length. */
typedef struct {
    uint32_t *edges;
    uint32_t len;
} found_path;

static int found_cmp(const void *x, const void *y)
{
    const found_path *a = x, *b = y;
    if (a->len != b->len)
        return a->len < b->len ? -1 : 1;
    for (uint32_t i = 0; i < a->len; i++)   /* edge order is (from id, to id, edge id) order */
        if (a->edges[i] != b->edges[i])
            return a->edges[i] < b->edges[i] ? -1 : 1;
    return 0;                               /* the search never finds the same path twice */
}

/* What the rest of a route (from a node to the target) does with what reaches that node:
 * passes x & mask, or (an escalation on the way) hands on cst when x & mask is not empty. */
typedef struct {
    ap_rights mask, cst;
    bool is_const;
} suffix;

static ap_rights suffix_apply(const suffix *f, ap_rights x)
{
    if (f->is_const)
        return (x & f->mask) != 0 ? f->cst : 0;
    return x & f->mask;
}

/* One level of a search: a node, its next edge to try, the edge that led to it, and what the
 * route carries to it (forward) or what the rest of the route does (backward). */
typedef struct {
    uint32_t node, next, edge;
    ap_rights carried;
    suffix rest;
    const uint32_t *cand;           /* NULL: next walks node's out-edges; else its candidate
                                     * edges (next an index, ncand of them) */
    uint32_t ncand;
} frame;

typedef struct {
    const ap_graph *g;
    const ap_authority *a;
    uint32_t max_depth, max_paths;
    uint32_t *dist;                 /* per arrival row: route edges to the target (its ball of
                                     * radius max_depth; AP_UNREACHED elsewhere) */
    uint32_t *queue;                /* the ball, in breadth-first order */
    uint32_t *tree;                 /* per arrival row: the length of a carrying simple route
                                     * from the source (a breadth-first tree), or AP_UNREACHED */
    uint32_t *tedge;                /* ... the tree's edge into it (the source: AP_UNREACHED) */
    ap_rights *tcarried;            /* ... and what its tree route carries there */
    uint32_t *fdist;                /* per arrival row: route edges from the source, carrying
                                     * or not (no route is shorter), or AP_UNREACHED */
    unsigned char *on;              /* per arrival row: on the route being built */
    frame *stack;                   /* nreach + 2 frames */
    uint32_t nball;                 /* the target's ball: queue[0 .. nball), by distance */
    uint32_t *upto;                 /* max_depth + 1: ball nodes at distance <= d */
    uint32_t *inball;               /* nball + 1: in-edges of queue[0 .. k), summed */
    uint32_t **cbuf, *ccap;         /* per depth: a frame's candidate edges */
    uint32_t *rin_b, *rin_e, *rin;  /* per arrival row, once asked: its in-edges a route may take
                                     * (route_edge), in index order, rin[rin_b[r] .. rin_e[r])
                                     * (a hub that resources depend on has thousands of in-edges
                                     * never traversed: every target's ball and search read them
                                     * all); rin_b[r] AP_UNREACHED before */
    uint32_t nrin;
    uint64_t work, budget;
    uint64_t joins;                 /* tree routes walked by dfs_longer for this target */
    found_path *found;
    uint32_t nfound;
} search;

enum { SEARCH_DONE, SEARCH_STOP, SEARCH_BUDGET, SEARCH_NOMEM };

/* Does edge e carry the source's authority, and may a simple route use it? (A carrying edge's
 * head is always reached, but under ap_authority_compute_to() only the nodes that can reach the
 * target are: a head beyond it has no row, and no route to the target goes there.) */
static bool route_edge(const search *s, const ap_edge *e)
{
    return e->from != e->to && s->a->row[e->to] != AP_UNREACHED
           && ap_authority_carries(s->g, s->a, e);
}

/* The route in-edges of reached node v: rin[*b .. *e), listed when first asked (each node once
 * for every target: a target's search lists few); -1 when out of memory. */
static int route_in(search *s, uint32_t v, uint32_t *b, uint32_t *e)
{
    uint32_t r = s->a->row[v];
    if (s->rin_b[r] == AP_UNREACHED) {
        uint32_t n = s->nrin;
        for (uint32_t i = ap_graph_in_begin(s->g, v); i < ap_graph_in_end(s->g, v); i++) {
            uint32_t x = ap_graph_in_edge(s->g, i);
            if (route_edge(s, ap_graph_edge(s->g, x))
                && ap_query__push(&s->rin, &s->nrin, sizeof x, &x) < 0) {
                s->nrin = n;
                return -1;
            }
        }
        s->rin_b[r] = n;
        s->rin_e[r] = s->nrin;
    }
    *b = s->rin_b[r];
    *e = s->rin_e[r];
    return 0;
}

/* Record the route st[1..top] then last (edges from the source on). */
static int record(search *s, const frame *st, uint32_t top, uint32_t last)
{
    found_path f = { malloc(((size_t)top + 2) * sizeof *f.edges), top + 1 };
    if (f.edges == NULL)
        return -1;
    for (uint32_t i = 1; i <= top; i++)
        f.edges[i - 1] = st[i].edge;
    f.edges[top] = last;
    if (ap_query__push(&s->found, &s->nfound, sizeof f, &f) < 0) {
        free(f.edges);
        return -1;
    }
    return 0;
}

/* Frame st[top] of a search for routes of `exact` edges: its next step must go to a node of the
 * ball at most exact - top - 1 from the target. When those nodes have fewer in-edges than the
 * frame's node has out-edges (a hub's fan: every target and every length scanned the whole
 * fan), its steps are the in-edges of those nodes that leave the frame's node, in index order,
 * the order the out-edges would give them. Counts as work; -1 when out of memory. */
static int candidates(search *s, uint32_t top, uint32_t exact)
{
    frame *f = &s->stack[top];
    uint32_t rem = exact - top - 1, k, n = 0, own = 0, df = s->dist[s->a->row[f->node]];
    f->cand = NULL;
    f->ncand = 0;
    if (rem > s->max_depth)
        return 0;
    k = s->upto[rem];
    /* the frame's node is no step of its own (a hub that resources depend on: its in-edges,
     * never traversed, outnumbered its fan, and every target scanned the fan at every length) */
    if (df != AP_UNREACHED && df <= rem)
        own = s->rin_e[s->a->row[f->node]] - s->rin_b[s->a->row[f->node]];  /* listed: in ball */
    if (s->inball[k] - own >= ap_graph_out_end(s->g, f->node) - ap_graph_out_begin(s->g, f->node))
        return 0;
    s->work += s->inball[k] - own;
    for (uint32_t q = 0; q < k; q++) {
        uint32_t x = s->queue[q];
        uint32_t b, end;
        if (x == f->node || route_in(s, x, &b, &end) < 0)
            continue;                   /* (listed with the ball: never out of memory here) */
        for (uint32_t i = b; i < end; i++) {
            uint32_t e = s->rin[i];
            if (ap_graph_edge(s->g, e)->from != f->node)
                continue;
            if (n == s->ccap[top]) {
                uint32_t cap = s->ccap[top] ? s->ccap[top] * 2 : 16;
                uint32_t *p = realloc(s->cbuf[top], cap * sizeof *p);
                if (p == NULL)
                    return -1;
                s->cbuf[top] = p;
                s->ccap[top] = cap;
            }
            s->cbuf[top][n++] = e;
        }
    }
    if (n > 1)
        qsort(s->cbuf[top], n, sizeof *s->cbuf[top], ap_query__u32_cmp);
    f->cand = n > 0 ? s->cbuf[top] : s->ccap;   /* no step: an empty list, not the fan */
    f->ncand = n;
    f->next = 0;
    return 0;
}

/* Search forward from the source for routes to t of exactly `exact` edges, out-edges in index
 * order, so routes come in found_cmp order: record them until there are max_paths + 1
 * (SEARCH_STOP). A step is taken only when the route still carries something and the target's
 * ball says t is near enough. */
static int dfs_exact(search *s, uint32_t t, uint32_t exact)
{
    const ap_graph *g = s->g;
    const ap_authority *a = s->a;
    frame *st = s->stack;
    uint32_t top = 0, src = a->source;
    int rc = SEARCH_DONE;
    st[0] = (frame){ src, ap_graph_out_begin(g, src), AP_UNREACHED, AP_RIGHTS_ALL,
                     { 0, 0, false }, NULL, 0 };
    if (candidates(s, 0, exact) < 0)
        return SEARCH_NOMEM;
    s->on[a->row[src]] = 1;
    for (;;) {
        frame *f = &st[top];
        if (f->cand != NULL ? f->next == f->ncand : f->next == ap_graph_out_end(g, f->node)) {
            s->on[a->row[f->node]] = 0;
            if (top-- == 0)
                return SEARCH_DONE;
            continue;
        }
        uint32_t e = f->cand != NULL ? f->cand[f->next++] : f->next++;
        const ap_edge *ed = ap_graph_edge(g, e);
        uint32_t x = ed->to, len = top + 1;
        if (++s->work > s->budget) {
            rc = SEARCH_BUDGET;
            break;
        }
        if (!route_edge(s, ed) || s->on[a->row[x]])
            continue;
        ap_rights carried = ed->escalates ? ed->rights : f->carried & ed->rights;
        if (carried == 0)
            continue;
        if (x == t) {
            if (len == exact && record(s, st, top, e) < 0) {
                rc = SEARCH_NOMEM;
                break;
            }
            if (s->nfound > s->max_paths) {
                rc = SEARCH_STOP;
                break;
            }
            continue;
        }
        if (len >= exact || s->dist[a->row[x]] > exact - len)
            continue;
        st[++top] = (frame){ x, ap_graph_out_begin(g, x), e, carried, { 0, 0, false }, NULL,
                             0 };
        s->on[a->row[x]] = 1;
        if (candidates(s, top, exact) < 0) {
            rc = SEARCH_NOMEM;
            break;
        }
    }
    for (uint32_t i = 0; i <= top; i++)
        s->on[a->row[st[i].node]] = 0;
    return rc;
}

/* Does the tree route to u, then the len edges the backward search has taken from u (rest),
 * make a carrying simple route longer than max_depth? It is simple when no node of the tree
 * route is on the search's stack (u is not yet); it carries something when what the tree route
 * brings to u gets through the rest, as every step then hands on something. The walks are
 * bounded by the work bound too (joins), apart from the search's own work. */
static bool joins_tree(search *s, uint32_t u, uint32_t len, const suffix *rest)
{
    const ap_authority *a = s->a;
    uint32_t ru = a->row[u];
    if (s->tree[ru] == AP_UNREACHED || s->tree[ru] + len <= s->max_depth
        || suffix_apply(rest, s->tcarried[ru]) == 0 || s->joins > s->budget)
        return false;
    for (uint32_t x = u; x != a->source;) {
        x = ap_graph_edge(s->g, s->tedge[a->row[x]])->from;
        s->joins++;
        if (s->on[a->row[x]])
            return false;
    }
    return true;
}

/* Search backwards from target t for a carrying route longer than max_depth: SEARCH_STOP at
 * the first (or at a node whose tree route joins the search's into one), SEARCH_DONE when there
 * is none, SEARCH_BUDGET when the work bound comes first. */
static int dfs_longer(search *s, uint32_t t)
{
    const ap_graph *g = s->g;
    const ap_authority *a = s->a;
    frame *st = s->stack;
    uint32_t top = 0, b, end;
    int rc = SEARCH_DONE;
    if (route_in(s, t, &b, &end) < 0)
        return SEARCH_NOMEM;
    st[0] = (frame){ t, b, AP_UNREACHED, 0, { AP_RIGHTS_ALL, 0, false }, NULL, 0 };
    s->on[a->row[t]] = 1;
    for (;;) {
        frame *f = &st[top];
        if (f->next == s->rin_e[a->row[f->node]]) {
            s->on[a->row[f->node]] = 0;
            if (top-- == 0)
                return SEARCH_DONE;
            continue;
        }
        uint32_t e = s->rin[f->next++];
        const ap_edge *ed = ap_graph_edge(g, e);
        uint32_t u = ed->from, len = top + 1;
        if (++s->work > s->budget) {
            rc = SEARCH_BUDGET;
            break;
        }
        if (!route_edge(s, ed) || s->on[a->row[u]])
            continue;
        suffix rest = f->rest;
        if (ed->escalates)
            rest = (suffix){ AP_RIGHTS_ALL, suffix_apply(&f->rest, ed->rights), true };
        else
            rest.mask &= ed->rights;
        /* prune: nothing any route into u can bring gets through the rest */
        if (suffix_apply(&rest, a->rights[u]) == 0)
            continue;
        if (u == a->source) {
            if (len > s->max_depth) {
                rc = SEARCH_STOP;
                break;
            }
            continue;
        }
        if (joins_tree(s, u, len, &rest)) {
            rc = SEARCH_STOP;
            break;
        }
        if (route_in(s, u, &b, &end) < 0) {
            rc = SEARCH_NOMEM;
            break;
        }
        st[++top] = (frame){ u, b, e, 0, rest, NULL, 0 };
        s->on[a->row[u]] = 1;
    }
    for (uint32_t i = 0; i <= top; i++)
        s->on[a->row[st[i].node]] = 0;
    return rc;
}

/* Breadth first backwards from t over route edges, at most max_depth deep: s->dist of the
 * ball (every other row stays AP_UNREACHED); its rows are queue[0 .. *n). A node no route of
 * at most max_depth edges can pass through on its way to t (its distance from the source and
 * its distance to t add up to more) is left out: every route of the search stays in the ball,
 * at distances no shorter than its own. Counts as work. */
static int ball(search *s, uint32_t t, uint32_t *n)
{
    const ap_authority *a = s->a;
    uint32_t head = 0, tail = 0;
    s->dist[a->row[t]] = 0;
    s->queue[tail++] = t;
    while (head < tail) {
        uint32_t w = s->queue[head++], d = s->dist[a->row[w]];
        if (d == s->max_depth || w == a->source)
            continue;
        uint32_t b, end;
        if (route_in(s, w, &b, &end) < 0) {
            *n = tail;
            return SEARCH_NOMEM;
        }
        for (uint32_t i = b; i < end; i++) {
            const ap_edge *ed = ap_graph_edge(s->g, s->rin[i]);
            if (++s->work > s->budget) {
                *n = tail;
                return SEARCH_BUDGET;
            }
            if (!route_edge(s, ed) || s->dist[a->row[ed->from]] != AP_UNREACHED)
                continue;
            uint32_t f = s->fdist[a->row[ed->from]];
            if (f == AP_UNREACHED || f + d + 1 > s->max_depth)
                continue;
            s->dist[a->row[ed->from]] = d + 1;
            s->queue[tail++] = ed->from;
        }
    }
    *n = tail;
    return SEARCH_DONE;
}

/* A breadth-first tree from the source over route edges, each node entered only by a step that
 * hands on something: every tree route is simple and carries something, so a target whose
 * tree route is longer than max_depth has a longer route without any search. */
static void carrying_tree(search *s)
{
    const ap_authority *a = s->a;
    ap_rights *carried = s->tcarried;
    uint32_t head = 0, tail = 0;
    for (uint32_t i = 0; i <= a->nreach; i++)
        s->tree[i] = AP_UNREACHED;
    s->tedge[a->row[a->source]] = AP_UNREACHED;
    s->tree[a->row[a->source]] = 0;
    carried[a->row[a->source]] = AP_RIGHTS_ALL;
    s->queue[tail++] = a->source;
    while (head < tail) {
        uint32_t u = s->queue[head++], ru = a->row[u];
        for (uint32_t e = ap_graph_out_begin(s->g, u); e < ap_graph_out_end(s->g, u); e++) {
            const ap_edge *ed = ap_graph_edge(s->g, e);
            if (!route_edge(s, ed) || s->tree[a->row[ed->to]] != AP_UNREACHED)
                continue;
            ap_rights r = ed->escalates ? ed->rights : carried[ru] & ed->rights;
            if (r == 0)
                continue;
            s->tree[a->row[ed->to]] = s->tree[ru] + 1;
            s->tedge[a->row[ed->to]] = e;
            carried[a->row[ed->to]] = r;
            s->queue[tail++] = ed->to;
        }
    }
}

/* Breadth first from the source over route edges, carrying or not: s->fdist. */
static void route_distances(search *s)
{
    const ap_authority *a = s->a;
    uint32_t head = 0, tail = 0;
    for (uint32_t i = 0; i <= a->nreach; i++)
        s->fdist[i] = AP_UNREACHED;
    s->fdist[a->row[a->source]] = 0;
    s->queue[tail++] = a->source;
    while (head < tail) {
        uint32_t u = s->queue[head++];
        for (uint32_t e = ap_graph_out_begin(s->g, u); e < ap_graph_out_end(s->g, u); e++) {
            const ap_edge *ed = ap_graph_edge(s->g, e);
            if (!route_edge(s, ed) || s->fdist[a->row[ed->to]] != AP_UNREACHED)
                continue;
            s->fdist[a->row[ed->to]] = s->fdist[a->row[u]] + 1;
            s->queue[tail++] = ed->to;
        }
    }
}

/* The paths to one target into set: lengths from the shortest possible up to max_depth, each
 * length searched in full before the next, until max_paths + 1 are found; then, if the answer
 * is not already "more", whether a longer route exists. */
static int paths_to(ap_path_set *set, search *s, uint32_t target, ap_error *err)
{
    const ap_graph *g = s->g;
    const ap_authority *a = s->a;
    uint32_t keep, total = 0, nball;
    int rc = AP_OK, got;
    bool deeper = false;
    set->target = target;
    s->work = 0;
    s->joins = 0;
    s->nfound = 0;
    got = ball(s, target, &nball);
    s->nball = nball;
    s->inball[0] = 0;
    for (uint32_t i = 0, dd = 0; i < nball; i++) {     /* the ball comes by distance */
        uint32_t x = s->queue[i], di = s->dist[a->row[x]];
        for (; dd < di && dd <= s->max_depth; dd++)
            s->upto[dd] = i;
        uint32_t b, end;
        if (route_in(s, x, &b, &end) < 0)
            got = SEARCH_NOMEM;
        s->inball[i + 1] = s->inball[i] + (got == SEARCH_NOMEM ? 0 : end - b);
        if (i + 1 == nball)
            for (; dd <= s->max_depth; dd++)
                s->upto[dd] = nball;
    }
    uint32_t d = s->dist[a->row[a->source]];
    for (uint32_t len = d; d != AP_UNREACHED && len <= s->max_depth && got == SEARCH_DONE; len++)
        got = dfs_exact(s, target, len);
    for (uint32_t i = 0; i < nball; i++)
        s->dist[a->row[s->queue[i]]] = AP_UNREACHED;
    if (got == SEARCH_DONE && s->tree[a->row[target]] != AP_UNREACHED
        && s->tree[a->row[target]] > s->max_depth) {
        deeper = true;
    } else if (got == SEARCH_DONE) {
        got = dfs_longer(s, target);
        deeper = got == SEARCH_STOP;
    }
    if (got == SEARCH_NOMEM) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    set->more = s->nfound > s->max_paths;
    set->deeper = deeper;
    set->truncated = got == SEARCH_BUDGET;
    if (s->nfound > 1)
        qsort(s->found, s->nfound, sizeof *s->found, found_cmp);
    keep = s->nfound > s->max_paths ? s->max_paths : s->nfound;
    for (uint32_t i = 0; i < keep; i++)
        total += s->found[i].len;
    set->off = malloc(((size_t)keep + 1) * sizeof *set->off);
    set->edges = malloc(((size_t)total + 1) * sizeof *set->edges);
    set->rights = malloc(((size_t)keep + 1) * sizeof *set->rights);
    if (set->off == NULL || set->edges == NULL || set->rights == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    set->off[0] = 0;
    for (uint32_t i = 0; i < keep; i++) {
        const found_path *f = &s->found[i];
        memcpy(set->edges + set->off[i], f->edges, f->len * sizeof *f->edges);
        set->off[i + 1] = set->off[i] + f->len;
        set->rights[i] = ap_authority_replay(g, s->a, f->edges, f->len, NULL);
        if (set->rights[i] == 0) {
            rc = ap_error_set(err, AP_EBUG, "a route to '%s' carries nothing",
                              ap_graph_node(g, target)->id);
            goto cleanup;
        }
    }
    set->npaths = keep;
cleanup:
    for (uint32_t i = 0; i < s->nfound; i++)
        free(s->found[i].edges);
    s->nfound = 0;
    return rc;
}

int ap_paths_compute(ap_paths **out, const ap_graph *g, const ap_authority *a,
                     const uint32_t *targets, uint32_t ntargets, const ap_paths_opts *opts,
                     ap_error *err)
{
    ap_paths *p = calloc(1, sizeof *p);
    search s = { .g = g, .a = a };
    int rc;
    *out = NULL;
    if (p == NULL)
        return ap_error_nomem(err);
    p->source = a->source;
    p->max_depth = opts != NULL && opts->max_depth > 0 ? opts->max_depth : AP_PATHS_MAX_DEPTH;
    p->max_paths = opts != NULL && opts->max_paths > 0 ? opts->max_paths : AP_PATHS_MAX_PATHS;
    p->work = (uint64_t)AP_PATHS_WORK * p->max_depth * ((uint64_t)p->max_paths + 1);
    s.max_depth = p->max_depth;
    s.max_paths = p->max_paths;
    s.budget = p->work;
    s.dist = malloc(((size_t)a->nreach + 1) * sizeof *s.dist);
    s.queue = malloc(((size_t)a->nreach + 1) * sizeof *s.queue);
    s.tree = malloc(((size_t)a->nreach + 1) * sizeof *s.tree);
    s.tedge = malloc(((size_t)a->nreach + 1) * sizeof *s.tedge);
    s.tcarried = malloc(((size_t)a->nreach + 1) * sizeof *s.tcarried);
    s.fdist = malloc(((size_t)a->nreach + 1) * sizeof *s.fdist);
    s.rin_b = malloc(((size_t)a->nreach + 1) * sizeof *s.rin_b);
    s.rin_e = malloc(((size_t)a->nreach + 1) * sizeof *s.rin_e);
    s.on = calloc((size_t)a->nreach + 1, 1);
    s.stack = malloc(((size_t)a->nreach + 2) * sizeof *s.stack);
    s.upto = malloc(((size_t)p->max_depth + 1) * sizeof *s.upto);
    s.inball = malloc(((size_t)a->nreach + 2) * sizeof *s.inball);
    s.cbuf = calloc((size_t)p->max_depth + 2, sizeof *s.cbuf);
    s.ccap = calloc((size_t)p->max_depth + 2, sizeof *s.ccap);
    if ((p->sets = calloc((size_t)ntargets + 1, sizeof *p->sets)) == NULL || s.dist == NULL
        || s.on == NULL || s.stack == NULL || s.queue == NULL || s.tree == NULL
        || s.upto == NULL || s.inball == NULL || s.cbuf == NULL || s.ccap == NULL
        || s.tedge == NULL || s.tcarried == NULL || s.fdist == NULL || s.rin_b == NULL
        || s.rin_e == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t i = 0; i <= a->nreach; i++)
        s.rin_b[i] = AP_UNREACHED;
    carrying_tree(&s);
    route_distances(&s);
    for (uint32_t i = 0; i <= a->nreach; i++)
        s.dist[i] = AP_UNREACHED;
    for (uint32_t i = 0; i < ntargets; i++) {
        if (targets[i] >= ap_graph_node_count(g)) {
            rc = ap_error_set(err, AP_EBUG, "target %u out of range", targets[i]);
            goto cleanup;
        }
        p->nsets = i + 1;
        if (targets[i] == a->source || a->rights[targets[i]] == 0) {
            p->sets[i].target = targets[i];     /* unreached (or the source): no path */
            if ((p->sets[i].off = calloc(1, sizeof *p->sets[i].off)) == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
            continue;
        }
        if ((rc = paths_to(&p->sets[i], &s, targets[i], err)) < 0)
            goto cleanup;
    }
    *out = p;
    p = NULL;
    rc = AP_OK;
cleanup:
    free(s.found);
    free(s.dist);
    free(s.queue);
    free(s.tree);
    free(s.tedge);
    free(s.tcarried);
    free(s.fdist);
    free(s.on);
    free(s.stack);
    free(s.upto);
    free(s.inball);
    free(s.rin_b);
    free(s.rin_e);
    free(s.rin);
    for (uint32_t i = 0; s.cbuf != NULL && i < s.max_depth + 2; i++)
        free(s.cbuf[i]);
    free(s.cbuf);
    free(s.ccap);
    ap_paths_free(p);
    return rc;
}
