/* query/cut.c: the smallest set of edges whose removal cuts a partner off its sensitive targets
 * (igraph_st_mincut to a super-sink) and the choke points every path passes (dominator tree),
 * both on the edges that hand on rights the targets need (a backward pass over the rights). */
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"

int ap_carrying_edges(uint32_t **out, uint32_t *n, const ap_graph *g, const ap_authority *a,
                      ap_error *err)
{
    uint32_t *list = NULL, k = 0;
    *out = NULL;
    *n = 0;
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->from == ed->to || ed->to == a->source || a->rights[ed->from] == 0
            || !ap_edge_usable(g, ed, a->source) || ap_edge_transfer(ed, a->rights[ed->from]) == 0)
            continue;
        if (ap_query__push(&list, &k, sizeof e, &e) < 0) {
            free(list);
            return ap_error_nomem(err);
        }
    }
    *out = list;
    *n = k;
    return AP_OK;
}

/* The rights at u an edge needs to hand on `want` at its target: the passing rights it
 * delivers that are wanted, plus a gate right (any of them opens it); an escalating edge needs
 * only something at u to fire, so everything u holds (or its gate rights) counts. */
static ap_rights needed_at_from(const ap_edge *ed, ap_rights have, ap_rights want)
{
    ap_rights need;
    if ((ap_edge_transfer(ed, have) & want) == 0)
        return 0;
    need = ed->escalates ? have : have & ed->rights & want;
    if (ed->requires != 0)
        need = (ed->escalates ? 0 : need) | (have & ed->requires);
    return need;
}

/* need[v]: the rights at v that matter for reaching the targets, by a backward worklist from
 * the targets (where everything held matters) until no node needs anything new. *need owns
 * n entries (free()). */
static int needs(ap_rights **out, const ap_graph *g, const ap_authority *a,
                 const uint32_t *targets, uint32_t ntargets, ap_error *err)
{
    uint32_t nn = ap_graph_node_count(g), *queue = NULL, head = 0, queued_n = 0;
    ap_rights *need = calloc((size_t)nn + 1, sizeof *need);
    bool *queued = calloc((size_t)nn + 1, sizeof *queued);
    int rc = AP_OK;
    *out = NULL;
    queue = malloc(((size_t)nn + 1) * sizeof *queue);
    if (need == NULL || queued == NULL || queue == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    /* the queue is a ring of nn slots: a node is in it at most once at a time */
    for (uint32_t i = 0; i < ntargets; i++) {
        need[targets[i]] = a->rights[targets[i]];
        if (!queued[targets[i]]) {
            queued[targets[i]] = true;
            queue[(head + queued_n++) % nn] = targets[i];
        }
    }
    while (queued_n > 0) {
        uint32_t v = queue[head];
        head = (head + 1) % nn;
        queued_n--;
        queued[v] = false;
        for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
            const ap_edge *ed = ap_graph_edge(g, ap_graph_in_edge(g, i));
            uint32_t u = ed->from;
            if (u == v || v == a->source || a->rights[u] == 0
                || !ap_edge_usable(g, ed, a->source))
                continue;
            ap_rights more = needed_at_from(ed, a->rights[u], need[v]) & ~need[u];
            if (more == 0)
                continue;
            need[u] |= more;
            if (!queued[u] && u != a->source) {
                queued[u] = true;
                queue[(head + queued_n++) % nn] = u;
            }
        }
    }
    *out = need;
    need = NULL;
cleanup:
    free(need);
    free(queued);
    free(queue);
    return rc;
}

/* The carrying edges that hand on something their target needs (in edge order). */
static int kept_edges(uint32_t **out, uint32_t *n, const ap_graph *g, const ap_authority *a,
                      const ap_rights *need, ap_error *err)
{
    uint32_t *carry = NULL, ncarry = 0, k = 0;
    int rc;
    if ((rc = ap_carrying_edges(&carry, &ncarry, g, a, err)) < 0)
        return rc;
    for (uint32_t i = 0; i < ncarry; i++) {
        const ap_edge *ed = ap_graph_edge(g, carry[i]);
        if ((ap_edge_transfer(ed, a->rights[ed->from]) & need[ed->to]) != 0)
            carry[k++] = carry[i];
    }
    *out = carry;
    *n = k;
    return AP_OK;
}

int ap_useful_edges(uint32_t **out, uint32_t *n, const ap_graph *g, const ap_authority *a,
                    const uint32_t *targets, uint32_t ntargets, ap_error *err)
{
    ap_rights *need = NULL;
    int rc;
    *out = NULL;
    *n = 0;
    if ((rc = needs(&need, g, a, targets, ntargets, err)) == AP_OK)
        rc = kept_edges(out, n, g, a, need, err);
    free(need);
    return rc;
}

static int igraph_fail(ap_error *err, const char *what, igraph_error_t ie)
{
    return ap_error_set(err, AP_EBUG, "igraph %s: %s", what, igraph_strerror(ie));
}

/* A directed igraph graph on n vertices with the given edges, then an edge from each of extra
 * to vertex n-1. igraph edge i is edges[i]; node v is vertex id[v] (id NULL: v). */
static igraph_error_t make_graph(igraph_t *ig, const ap_graph *g, uint32_t n, const uint32_t *id,
                                 const uint32_t *edges, uint32_t nedges, const uint32_t *extra,
                                 uint32_t nextra)
{
    igraph_vector_int_t ev;
    igraph_error_t ie = igraph_vector_int_init(&ev, 2 * ((igraph_integer_t)nedges + nextra));
    if (ie != IGRAPH_SUCCESS)
        return ie;
    for (uint32_t i = 0; i < nedges; i++) {
        uint32_t from = ap_graph_edge(g, edges[i])->from, to = ap_graph_edge(g, edges[i])->to;
        VECTOR(ev)[2 * i] = id != NULL ? id[from] : from;
        VECTOR(ev)[2 * i + 1] = id != NULL ? id[to] : to;
    }
    for (uint32_t i = 0; i < nextra; i++) {
        VECTOR(ev)[2 * (nedges + i)] = id != NULL ? id[extra[i]] : extra[i];
        VECTOR(ev)[2 * (nedges + i) + 1] = n - 1;
    }
    ie = igraph_create(ig, &ev, n, IGRAPH_DIRECTED);
    igraph_vector_int_destroy(&ev);
    return ie;
}

/* The vertices the source reaches in the residual graph of a maximum flow (an edge with room
 * left forward, one with flow backward): side[v] 1 for them. igraph's reverse residual graph
 * turns each of those edges around, so they are the vertices that reach the source there. */
static igraph_error_t source_side(const igraph_t *ig, const igraph_vector_t *flow,
                                  const igraph_vector_t *cap, igraph_integer_t source,
                                  unsigned char *side)
{
    igraph_t rev;
    igraph_vector_int_t reach;
    igraph_error_t ie = igraph_reverse_residual_graph(ig, cap, &rev, flow);
    if (ie != IGRAPH_SUCCESS)
        return ie;
    if ((ie = igraph_vector_int_init(&reach, 0)) != IGRAPH_SUCCESS) {
        igraph_destroy(&rev);
        return ie;
    }
    if ((ie = igraph_subcomponent(&rev, &reach, source, IGRAPH_IN)) == IGRAPH_SUCCESS)
        for (igraph_integer_t i = 0; i < igraph_vector_int_size(&reach); i++)
            side[VECTOR(reach)[i]] = 1;
    igraph_vector_int_destroy(&reach);
    igraph_destroy(&rev);
    return ie;
}

/* The minimum cut: carrying edges capacity 1, target -> super-sink edges a capacity no cut of
 * real edges reaches, so only real edges are ever cut. The flow runs from the partner, whose
 * few edges out bound what it pushes (from the super-sink, the targets' capacities were pushed
 * in and most of it back: 17% of a report's sections). Of all minimum cuts, the one nearest the
 * partner, which touches the least of anyone else's access: the edges out of the vertices the
 * partner reaches in the residual graph of the maximum flow (the same whatever the flow found,
 * and so whatever the vertices' numbers). Only the nodes the edges touch are vertices, numbered
 * in node order: the flow's passes cost the partner's reach, not the estate. */
static int min_cut(ap_offboard *o, const ap_graph *g, const uint32_t *carry, uint32_t ncarry,
                   ap_error *err)
{
    igraph_t ig;
    igraph_vector_t cap, flow;
    igraph_real_t value = 0;
    igraph_error_handler_t *prev = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_error_t ie;
    int built = 0, rc = AP_OK;
    uint32_t nn = ap_graph_node_count(g), n = 0, *id = malloc(((size_t)nn + 1) * sizeof *id);
    unsigned char *side = NULL;
    if (id == NULL) {
        igraph_set_error_handler(prev);
        return ap_error_nomem(err);
    }
    memset(id, 0xff, ((size_t)nn + 1) * sizeof *id);    /* UINT32_MAX: not a vertex */
    for (uint32_t i = 0; i < ncarry; i++) {
        id[ap_graph_edge(g, carry[i])->from] = 0;
        id[ap_graph_edge(g, carry[i])->to] = 0;
    }
    for (uint32_t i = 0; i < o->ntargets; i++)
        id[o->targets[i]] = 0;
    id[o->partner] = 0;
    for (uint32_t v = 0; v < nn; v++)
        if (id[v] == 0)
            id[v] = n++;
    n++;                                                /* the super-sink */
    if ((side = calloc((size_t)n + 1, 1)) == NULL) {
        free(id);
        igraph_set_error_handler(prev);
        return ap_error_nomem(err);
    }
    if ((ie = igraph_vector_init(&flow, 0)) != IGRAPH_SUCCESS) {
        free(side);
        free(id);
        igraph_set_error_handler(prev);
        return igraph_fail(err, "vector", ie);
    }
    if ((ie = igraph_vector_init(&cap, (igraph_integer_t)ncarry + o->ntargets))
        != IGRAPH_SUCCESS) {
        igraph_vector_destroy(&flow);
        free(side);
        free(id);
        igraph_set_error_handler(prev);
        return igraph_fail(err, "vector", ie);
    }
    for (uint32_t i = 0; i < ncarry + o->ntargets; i++)
        VECTOR(cap)[i] = i < ncarry ? 1.0 : (double)ncarry + 1.0;
    if ((ie = make_graph(&ig, g, n, id, carry, ncarry, o->targets, o->ntargets))
        != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "create", ie);
        goto cleanup;
    }
    built = 1;
    if ((ie = igraph_maxflow(&ig, &value, &flow, NULL, NULL, NULL, id[o->partner], n - 1, &cap,
                             NULL)) != IGRAPH_SUCCESS
        || (ie = source_side(&ig, &flow, &cap, id[o->partner], side)) != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "maxflow", ie);
        goto cleanup;
    }
    o->ncut = 0;
    if ((o->cut = malloc(((size_t)ncarry + 1) * sizeof *o->cut)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t i = 0; i < ncarry + o->ntargets; i++) {
        igraph_integer_t x = (igraph_integer_t)i;
        if (!side[IGRAPH_FROM(&ig, x)] || side[IGRAPH_TO(&ig, x)])
            continue;
        if (i >= ncarry) {
            rc = ap_error_set(err, AP_EBUG, "the minimum cut crossed a super-sink edge");
            goto cleanup;
        }
        o->cut[o->ncut++] = carry[i];
    }
    if ((double)o->ncut != value) {
        rc = ap_error_set(err, AP_EBUG, "the cut has %u edges but its value is %g", o->ncut,
                          (double)value);
        goto cleanup;
    }
    qsort(o->cut, o->ncut, sizeof *o->cut, ap_query__u32_cmp);
cleanup:
    if (built)
        igraph_destroy(&ig);
    igraph_vector_destroy(&cap);
    igraph_vector_destroy(&flow);
    free(side);
    free(id);
    igraph_set_error_handler(prev);
    return rc;
}

static int choke_cmp(const void *x, const void *y)    /* most targets first, then id order */
{
    const ap_choke_point *a = x, *b = y;
    if (a->ntargets != b->ntargets)
        return a->ntargets > b->ntargets ? -1 : 1;
    return a->node < b->node ? -1 : a->node > b->node;
}

/* The rights graph the choke points run on: one vertex per (reached node, right that matters
 * there), so a chain only follows a right an edge really hands on, plus one "fires" vertex per
 * node through which an escalating edge without a gate hands on whatever set it off; the last
 * vertex is a root joined to every right of the partner. Only the nc nodes the partner reaches
 * (and itself) have vertices, and each only for the rights that matter at it (need[], the
 * partner's own rights at the partner): a partner reaching 8% of a million nodes with 64
 * rights in the vocabulary makes a graph of that 8% times the few rights each node passes on,
 * not of the million or of every right (17M vertices, out of memory under 4 GiB, for 260,000
 * nodes). An edge u -> v hands right b at u on as b at v; an escalating edge hands any right
 * that fires it on as each right it grants. */
typedef struct {
    uint32_t *cid;              /* node -> compact number, UINT32_MAX when not reached */
    ap_rights *mask;            /* compact number -> the rights with a vertex there */
    igraph_integer_t *base;     /* compact number -> its first vertex (nc + 1 entries) */
    uint32_t *vnode;            /* vertex -> node */
    uint32_t nc;
    igraph_integer_t root;
} layers;

static int popcount(ap_rights r)
{
    int k = 0;
    for (; r != 0; r &= r - 1)
        k++;
    return k;
}

/* The vertex of right b at node u (b among L->mask of u), and u's fires vertex. */
static igraph_integer_t vx(const layers *L, uint32_t u, int b)
{
    uint32_t k = L->cid[u];
    return L->base[k] + popcount(L->mask[k] & (((ap_rights)1 << b) - 1));
}

static igraph_integer_t fires_vx(const layers *L, uint32_t u)
{
    uint32_t k = L->cid[u];
    return L->base[k] + popcount(L->mask[k]);
}

static igraph_error_t push2(igraph_vector_int_t *ev, igraph_integer_t x, igraph_integer_t y)
{
    igraph_error_t ie = igraph_vector_int_push_back(ev, x);
    return ie != IGRAPH_SUCCESS ? ie : igraph_vector_int_push_back(ev, y);
}

static igraph_error_t rights_graph(igraph_t *ig, const ap_graph *g, const ap_authority *a,
                                   const ap_rights *need, const uint32_t *kept, uint32_t nkept,
                                   const layers *L)
{
    uint32_t nn = ap_graph_node_count(g);
    igraph_integer_t root = L->root;
    const uint32_t *cid = L->cid;
    igraph_vector_int_t ev;
    bool *fires = calloc((size_t)nn + 1, sizeof *fires);
    igraph_error_t ie = fires == NULL ? IGRAPH_ENOMEM : igraph_vector_int_init(&ev, 0);
    if (ie != IGRAPH_SUCCESS) {
        free(fires);
        return ie;
    }
    for (int b = 0; b < AP_MAX_RIGHTS && ie == IGRAPH_SUCCESS; b++)
        if (L->mask[cid[a->source]] >> b & 1)
            ie = push2(&ev, root, vx(L, a->source, b));
    for (uint32_t i = 0; i < nkept && ie == IGRAPH_SUCCESS; i++) {
        const ap_edge *ed = ap_graph_edge(g, kept[i]);
        if (cid[ed->from] == UINT32_MAX || cid[ed->to] == UINT32_MAX)
            continue;                   /* never: a kept edge joins reached nodes */
        ap_rights have = a->rights[ed->from] & need[ed->from];
        ap_rights out = ap_edge_transfer(ed, a->rights[ed->from]) & need[ed->to];
        bool any = ed->escalates && ed->requires == 0;
        if (ed->from == a->source)
            have = need[ed->from] != 0 ? need[ed->from] : a->rights[ed->from];
        have &= L->mask[cid[ed->from]];
        out &= L->mask[cid[ed->to]];
        /* the node's fires vertex, fed by every right it holds that matters (once) */
        for (int c = 0; any && !fires[ed->from] && c < AP_MAX_RIGHTS && ie == IGRAPH_SUCCESS;
             c++)
            if (have >> c & 1)
                ie = push2(&ev, vx(L, ed->from, c), fires_vx(L, ed->from));
        fires[ed->from] |= any;
        for (int b = 0; b < AP_MAX_RIGHTS && ie == IGRAPH_SUCCESS; b++) {
            if (!(out >> b & 1))
                continue;
            igraph_integer_t to = vx(L, ed->to, b);
            if (any) {
                ie = push2(&ev, fires_vx(L, ed->from), to);
                continue;
            }
            for (int c = 0; c < AP_MAX_RIGHTS && ie == IGRAPH_SUCCESS; c++) {
                bool opens = ed->escalates ? (ed->requires >> c & 1) : c == b;
                if (opens && (have >> c & 1))
                    ie = push2(&ev, vx(L, ed->from, c), to);
            }
        }
    }
    if (ie == IGRAPH_SUCCESS)
        ie = igraph_create(ig, &ev, root + 1, IGRAPH_DIRECTED);
    igraph_vector_int_destroy(&ev);
    free(fires);
    return ie;
}

/* The immediate dominator of each node from the partner in the graph of the kept edges (-1:
 * none, or not reached). *out owns n entries (free()). */
static int node_dominators(uint32_t **out, const ap_graph *g, uint32_t partner,
                           const uint32_t *kept, uint32_t nkept, ap_error *err)
{
    igraph_t ig;
    igraph_vector_int_t dom;
    uint32_t n = ap_graph_node_count(g), *d = NULL;
    igraph_error_t ie;
    int rc = AP_OK;
    *out = NULL;
    if ((ie = igraph_vector_int_init(&dom, 0)) != IGRAPH_SUCCESS)
        return igraph_fail(err, "vector", ie);
    if ((ie = make_graph(&ig, g, n, NULL, kept, nkept, NULL, 0)) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&dom);
        return igraph_fail(err, "create", ie);
    }
    if ((ie = igraph_dominator_tree(&ig, partner, &dom, NULL, NULL, IGRAPH_OUT))
        != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "dominator_tree", ie);
    } else if ((d = malloc(((size_t)n + 1) * sizeof *d)) == NULL) {
        rc = ap_error_nomem(err);
    } else {
        for (uint32_t v = 0; v < n; v++)
            d[v] = VECTOR(dom)[v] >= 0 && (uint32_t)VECTOR(dom)[v] != v
                   ? (uint32_t)VECTOR(dom)[v] : UINT32_MAX;
        *out = d;
    }
    igraph_destroy(&ig);
    igraph_vector_int_destroy(&dom);
    return rc;
}

/* The steps of every target's walk up the node dominators to the partner, in all (at least
 * what the choke points' search walks); memoized depths, so O(n). */
static uint64_t dominator_depths(const uint32_t *udom, uint32_t n, const ap_offboard *o)
{
    uint32_t *depth = malloc(((size_t)n + 1) * sizeof *depth), *stack = NULL;
    uint64_t sum = 0;
    if (depth == NULL)
        return 0;                       /* the search itself stays bounded by its own count */
    memset(depth, 0xff, ((size_t)n + 1) * sizeof *depth);
    if ((stack = malloc(((size_t)n + 1) * sizeof *stack)) == NULL) {
        free(depth);
        return 0;
    }
    for (uint32_t i = 0; i < o->ntargets; i++) {
        uint32_t v = o->targets[i], top = 0, d;
        while (v != UINT32_MAX && v != o->partner && depth[v] == UINT32_MAX) {
            stack[top++] = v;
            v = udom[v];
        }
        d = v == UINT32_MAX || v == o->partner ? 0 : depth[v];
        while (top > 0)
            depth[stack[--top]] = ++d;
        sum += depth[o->targets[i]] == UINT32_MAX ? 0 : depth[o->targets[i]] - 1;
    }
    free(stack);
    free(depth);
    return sum;
}

/* Choke points: d is one for target t when, for every right t holds, some vertex of d
 * dominates t's vertex of that right in the rights graph: removing d then leaves no chain that
 * hands t anything. Each target walks its dominators up to the partner; when the walks pass
 * AP_OFFBOARD_CHOKE_STEPS in all, the search stops and lists none (o->chokes_skipped). */
static int choke_points(ap_offboard *o, const ap_graph *g, const ap_authority *a,
                        const ap_rights *need, const uint32_t *kept, uint32_t nkept,
                        ap_error *err)
{
    igraph_t ig;
    igraph_vector_int_t dom;
    igraph_error_handler_t *prev = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_error_t ie;
    uint32_t n = ap_graph_node_count(g), *slot = NULL, *count = NULL, *last = NULL;
    uint32_t *owner = NULL, *touched = NULL, ntouched = 0, *found = NULL, nfound = 0;
    uint32_t *udom = NULL;
    int built = 0, dom_built = 0, rc = AP_OK;
    layers L = { NULL, NULL, NULL, NULL, 0, 0 };
    igraph_integer_t root;
    ap_rights any = 0;
    uint64_t steps = 0;
    for (uint32_t v = 0; v < n; v++)
        any |= need[v];
    if (any == 0) {
        igraph_set_error_handler(prev);
        return AP_OK;
    }
    L.cid = malloc(((size_t)n + 1) * sizeof *L.cid);
    L.mask = malloc(((size_t)n + 1) * sizeof *L.mask);
    L.base = malloc(((size_t)n + 2) * sizeof *L.base);
    L.vnode = NULL;
    L.nc = 0;
    if (L.cid == NULL || L.mask == NULL || L.base == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    /* each reached node: its rights that matter, then its fires vertex */
    L.base[0] = 0;
    for (uint32_t v = 0; v < n; v++) {
        L.cid[v] = v == a->source || a->rights[v] != 0 ? L.nc : UINT32_MAX;
        if (L.cid[v] == UINT32_MAX)
            continue;
        L.mask[L.nc] = (v == a->source && need[v] == 0 ? a->rights[v] : need[v]) & any;
        L.base[L.nc + 1] = L.base[L.nc] + popcount(L.mask[L.nc]) + 1;
        L.nc++;
    }
    L.root = root = L.base[L.nc];
    if ((L.vnode = malloc(((size_t)root + 1) * sizeof *L.vnode)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t v = 0; v < n; v++)
        for (igraph_integer_t x = L.cid[v] != UINT32_MAX ? L.base[L.cid[v]] : 0;
             L.cid[v] != UINT32_MAX && x < L.base[L.cid[v] + 1]; x++)
            L.vnode[x] = v;
    if ((ie = igraph_vector_int_init(&dom, 0)) != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "vector", ie);
        goto cleanup;
    }
    dom_built = 1;
    /* the walks up the node dominators alone already pass the bound: no rights graph */
    if ((rc = node_dominators(&udom, g, o->partner, kept, nkept, err)) < 0)
        goto cleanup;
    if (dominator_depths(udom, n, o) > AP_OFFBOARD_CHOKE_STEPS)
        goto skipped;
    if ((ie = rights_graph(&ig, g, a, need, kept, nkept, &L)) != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "create", ie);
        goto cleanup;
    }
    built = 1;
    if ((ie = igraph_dominator_tree(&ig, root, &dom, NULL, NULL, IGRAPH_OUT))
        != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "dominator_tree", ie);
        goto cleanup;
    }
    slot = malloc(((size_t)n + 1) * sizeof *slot);
    count = calloc((size_t)n + 1, sizeof *count);
    last = calloc((size_t)n + 1, sizeof *last);
    owner = malloc(((size_t)n + 1) * sizeof *owner);
    if (slot == NULL || count == NULL || last == NULL || owner == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    memset(slot, 0xff, ((size_t)n + 1) * sizeof *slot);
    memset(owner, 0xff, ((size_t)n + 1) * sizeof *owner);
    /* targets are in id order, so each choke point's target list comes out in id order */
    for (uint32_t i = 0; i < o->ntargets; i++) {
        uint32_t t = o->targets[i], copies = 0;
        ntouched = 0;
        /* count, per node, the rights of t whose vertex one of its vertices dominates */
        for (int b = 0; b < AP_MAX_RIGHTS; b++) {
            if (!((a->rights[t] & L.mask[L.cid[t]]) >> b & 1))
                continue;
            igraph_integer_t x = vx(&L, t, b);
            if (VECTOR(dom)[x] < 0)
                continue;                   /* handed on by no chain: nothing to block */
            copies++;
            for (igraph_integer_t d = VECTOR(dom)[x]; d >= 0 && d != root; d = VECTOR(dom)[d]) {
                uint32_t v = L.vnode[d];
                if (++steps > AP_OFFBOARD_CHOKE_STEPS)
                    goto skipped;
                if (owner[v] != i) {
                    owner[v] = i;
                    count[v] = last[v] = 0;
                    if (ap_query__push(&touched, &ntouched, sizeof v, &v) < 0)
                        goto nomem;
                }
                if (last[v] != copies) {
                    last[v] = copies;
                    count[v]++;
                }
            }
        }
        nfound = 0;
        for (uint32_t k = 0; copies > 0 && k < ntouched; k++)
            if (count[touched[k]] == copies && touched[k] != o->partner && touched[k] != t
                && ap_query__push(&found, &nfound, sizeof t, &touched[k]) < 0)
                goto nomem;
        /* A node on every chain of t in the graph of the kept edges, whose vertices each
         * dominate only some rights of t (several rights meet again after it), is one too:
         * every chain of the rights graph follows kept edges from the partner, so it enters
         * one of that node's vertices (no search of the rights graph without it needed). */
        for (uint32_t v = udom[t]; copies > 0 && v != UINT32_MAX && v != o->partner;
             v = udom[v]) {
            if (++steps > AP_OFFBOARD_CHOKE_STEPS)
                goto skipped;
            if (owner[v] == i && count[v] == copies)
                continue;                   /* already found */
            if (ap_query__push(&found, &nfound, sizeof v, &v) < 0)
                goto nomem;
        }
        if (nfound > 1)
            qsort(found, nfound, sizeof *found, ap_query__u32_cmp);
        for (uint32_t k = 0; k < nfound; k++) {
            uint32_t v = found[k];
            ap_choke_point cp = { v, NULL, 0 };
            if (slot[v] == UINT32_MAX) {
                if (ap_query__push(&o->chokes, &o->nchokes, sizeof cp, &cp) < 0)
                    goto nomem;
                slot[v] = o->nchokes - 1;
            }
            ap_choke_point *c = &o->chokes[slot[v]];
            if (ap_query__push(&c->targets, &c->ntargets, sizeof t, &t) < 0)
                goto nomem;
        }
    }
    if (o->nchokes > 1)
        qsort(o->chokes, o->nchokes, sizeof *o->chokes, choke_cmp);
    goto cleanup;
skipped:                            /* print less rather than a part taken for the whole */
    for (uint32_t k = 0; k < o->nchokes; k++)
        free(o->chokes[k].targets);
    free(o->chokes);
    o->chokes = NULL;
    o->nchokes = 0;
    o->chokes_skipped = true;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(L.cid);
    free(L.mask);
    free(L.base);
    free(L.vnode);
    free(slot);
    free(count);
    free(last);
    free(owner);
    free(touched);
    free(found);
    free(udom);
    if (built)
        igraph_destroy(&ig);
    if (dom_built)
        igraph_vector_int_destroy(&dom);
    igraph_set_error_handler(prev);
    return rc;
}

int ap_offboard__cut(ap_offboard *o, const ap_graph *g, const ap_authority *a, ap_error *err)
{
    uint32_t *kept = NULL, nkept = 0;
    ap_rights *need = NULL;
    int rc;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *nd = ap_graph_node(g, v);
        if (v == o->partner || a->rights[v] == 0
            || (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW)
            || nd->sensitivity < o->min_sensitivity)
            continue;
        if (ap_query__push(&o->targets, &o->ntargets, sizeof v, &v) < 0)
            return ap_error_nomem(err);
    }
    if (o->ntargets == 0)
        return AP_OK;
    if ((rc = needs(&need, g, a, o->targets, o->ntargets, err)) == AP_OK
        && (rc = kept_edges(&kept, &nkept, g, a, need, err)) == AP_OK
        && (rc = min_cut(o, g, kept, nkept, err)) == AP_OK)
        rc = choke_points(o, g, a, need, kept, nkept, err);
    free(kept);
    free(need);
    return rc;
}
