/* query/delegation.c: the partner-to-partner structure: subcontractor_of and admin_of chains
 * with their depth, delegation loops (igraph's strongly connected components, each covered by
 * shortest cycles), and every partner that inherits another partner's authority. */
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"
#include "query_internal.h"

bool ap_delegation_is_link(const ap_graph *g, const ap_edge *e)
{
    return (e->kind == AP_EDGE_SUBCONTRACTOR_OF || e->kind == AP_EDGE_ADMIN_OF)
           && ap_graph_node(g, e->from)->kind == AP_KIND_PARTNER
           && ap_graph_node(g, e->to)->kind == AP_KIND_PARTNER
           && ap_edge_usable(g, e, e->from) && ap_edge_transfer(e, AP_RIGHTS_ALL) != 0;
}

void ap_delegation_free(ap_delegation *d)
{
    if (d == NULL)
        return;
    for (uint32_t i = 0; i < d->nchains; i++) {
        free(d->chains[i].acts_for);
        free(d->chains[i].dist);
        free(d->chains[i].via);
    }
    for (uint32_t i = 0; i < d->nloops; i++) {
        free(d->loops[i].nodes);
        free(d->loops[i].edges);
    }
    for (uint32_t i = 0; i < d->ninherits; i++) {
        free(d->inherits[i].path);
        free(d->inherits[i].carried);
    }
    free(d->chains);
    free(d->loops);
    free(d->inherits);
    free(d->links);
    free(d);
}

/* The link graph in igraph over the partners only: vertex i is partner part[i], igraph edge j
 * is graph edge d->links[j]. */
typedef struct {
    igraph_t ig;
    bool built;
    uint32_t *part, npart;  /* partner node of each vertex, in id order */
    uint32_t *vid;          /* node -> vertex, UINT32_MAX for non-partners */
    uint32_t *head;         /* head vertex of each igraph edge */
    uint32_t *off, *adj;    /* out-links of vertex u: igraph edges adj[off[u]..off[u+1]), by
                             * head vertex then edge (the order igraph's BFS visits them) */
} link_graph;

static void link_graph_free(link_graph *lg)
{
    if (lg->built)
        igraph_destroy(&lg->ig);
    free(lg->part);
    free(lg->vid);
    free(lg->off);
    free(lg->adj);
    free(lg->head);
}

/* qsort has no context argument: the edge ends while link_graph_build sorts its rows. */
static const igraph_vector_int_t *sort_ctx;

static int by_head(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    igraph_integer_t ha = VECTOR(*sort_ctx)[2 * a + 1], hb = VECTOR(*sort_ctx)[2 * b + 1];
    if (ha != hb)
        return ha < hb ? -1 : 1;
    return a < b ? -1 : a > b;
}

static int link_graph_build(link_graph *lg, ap_delegation *d, const ap_graph *g, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g);
    igraph_vector_int_t ends;
    igraph_error_t ie;
    lg->part = malloc(((size_t)n + 1) * sizeof *lg->part);
    lg->vid = malloc(((size_t)n + 1) * sizeof *lg->vid);
    d->links = malloc(((size_t)m + 1) * sizeof *d->links);
    if (lg->part == NULL || lg->vid == NULL || d->links == NULL)
        return ap_error_nomem(err);
    for (uint32_t v = 0; v < n; v++) {
        lg->vid[v] = UINT32_MAX;
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER) {
            lg->vid[v] = lg->npart;
            lg->part[lg->npart++] = v;
        }
    }
    for (uint32_t e = 0; e < m; e++)
        if (ap_delegation_is_link(g, ap_graph_edge(g, e)))
            d->links[d->nlinks++] = e;
    if (igraph_vector_int_init(&ends, 2 * (igraph_integer_t)d->nlinks) != IGRAPH_SUCCESS)
        return ap_error_nomem(err);
    for (uint32_t j = 0; j < d->nlinks; j++) {
        const ap_edge *e = ap_graph_edge(g, d->links[j]);
        VECTOR(ends)[2 * j] = lg->vid[e->from];
        VECTOR(ends)[2 * j + 1] = lg->vid[e->to];
    }
    /* the adjacency rows: counted, placed, then each row sorted by head and edge */
    lg->off = calloc((size_t)lg->npart + 2, sizeof *lg->off);
    lg->adj = malloc(((size_t)d->nlinks + 1) * sizeof *lg->adj);
    lg->head = malloc(((size_t)d->nlinks + 1) * sizeof *lg->head);
    if (lg->off == NULL || lg->adj == NULL || lg->head == NULL) {
        igraph_vector_int_destroy(&ends);
        return ap_error_nomem(err);
    }
    for (uint32_t j = 0; j < d->nlinks; j++) {
        lg->off[VECTOR(ends)[2 * j] + 2]++;
        lg->head[j] = (uint32_t)VECTOR(ends)[2 * j + 1];
    }
    for (uint32_t u = 0; u < lg->npart; u++)
        lg->off[u + 2] += lg->off[u + 1];
    for (uint32_t j = 0; j < d->nlinks; j++)
        lg->adj[lg->off[VECTOR(ends)[2 * j] + 1]++] = j;
    sort_ctx = &ends;
    for (uint32_t u = 0; u < lg->npart; u++)
        qsort(lg->adj + lg->off[u], lg->off[u + 1] - lg->off[u], sizeof *lg->adj, by_head);
    sort_ctx = NULL;
    ie = igraph_create(&lg->ig, &ends, lg->npart, IGRAPH_DIRECTED);
    igraph_vector_int_destroy(&ends);
    if (ie != IGRAPH_SUCCESS)
        return ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
    lg->built = true;
    return AP_OK;
}

/* Breadth-first shortest paths over the links from vertex root: parents (-1 root, -2 not
 * reached), inbound igraph edges, dist and the vertices in the order they
 * were reached (*nreach of them, root first). Visits as igraph_get_shortest_paths does, with
 * no allocation: the caller's arrays hold npart entries. */
static int bfs(const link_graph *lg, uint32_t root, igraph_vector_int_t *parents,
               igraph_vector_int_t *inbound, uint32_t *dist, uint32_t *order,
               uint32_t *nreach, ap_error *err)
{
    uint32_t head = 0, tail = 0;
    if (igraph_vector_int_resize(parents, lg->npart) != IGRAPH_SUCCESS
        || igraph_vector_int_resize(inbound, lg->npart) != IGRAPH_SUCCESS)
        return ap_error_nomem(err);
    for (uint32_t x = 0; x < lg->npart; x++) {
        VECTOR(*parents)[x] = -2;
        VECTOR(*inbound)[x] = -1;
    }
    VECTOR(*parents)[root] = -1;
    dist[root] = 0;
    order[tail++] = root;
    while (head < tail) {
        uint32_t u = order[head++];
        for (uint32_t k = lg->off[u]; k < lg->off[u + 1]; k++) {
            uint32_t j = lg->adj[k];
            uint32_t x = lg->head[j];
            if (VECTOR(*parents)[x] != -2)
                continue;
            VECTOR(*parents)[x] = u;
            VECTOR(*inbound)[x] = j;
            dist[x] = dist[u] + 1;
            order[tail++] = x;
        }
    }
    *nreach = tail;
    return AP_OK;
}

typedef struct {
    uint32_t dist, node, via;
} reached;

static int reached_cmp(const void *x, const void *y)
{
    const reached *a = x, *b = y;
    if (a->dist != b->dist)
        return a->dist < b->dist ? -1 : 1;
    return a->node < b->node ? -1 : a->node > b->node;     /* id order: total */
}

/* Every partner's chain (the ones acting for nobody left out; with a partner, only its own
 * and those of the partners acting for it), each cut at AP_DELEGATION_MAX_LIST. */
static int chains(ap_delegation *d, const link_graph *lg, igraph_vector_int_t *parents,
                  igraph_vector_int_t *inbound, int64_t partner, ap_error *err)
{
    reached *r = malloc(((size_t)lg->npart + 1) * sizeof *r);
    uint32_t *dist = malloc(((size_t)lg->npart + 1) * sizeof *dist);
    uint32_t *order = malloc(((size_t)lg->npart + 1) * sizeof *order);
    int rc = AP_OK;
    if (r == NULL || dist == NULL || order == NULL
        || (d->chains = calloc((size_t)lg->npart + 1, sizeof *d->chains)) == NULL) {
        free(r);
        free(dist);
        free(order);
        return ap_error_nomem(err);
    }
    for (uint32_t p = 0; p < lg->npart; p++) {
        uint32_t k = 0, nreach = 0, total;
        if ((rc = bfs(lg, p, parents, inbound, dist, order, &nreach, err)) < 0)
            break;
        total = nreach - 1;             /* order[0] is p itself */
        if (total == 0)
            continue;
        /* with a partner: its own chain and the chains of those acting for it */
        if (partner >= 0 && lg->part[p] != (uint32_t)partner
            && VECTOR(*parents)[lg->vid[partner]] < 0)
            continue;
        /* BFS order is by distance: the nearest are the levels up to the one holding the
         * last listed partner; only those are sorted */
        for (uint32_t i = 1; i < nreach; i++) {
            uint32_t x = order[i];
            if (k >= AP_DELEGATION_MAX_LIST && dist[x] > r[k - 1].dist)
                break;
            r[k++] = (reached){ dist[x], lg->part[x], d->links[VECTOR(*inbound)[x]] };
        }
        qsort(r, k, sizeof *r, reached_cmp);
        ap_chain *c = &d->chains[d->nchains++];
        c->partner = lg->part[p];
        k = k > AP_DELEGATION_MAX_LIST ? AP_DELEGATION_MAX_LIST : k;
        c->nmore = total - k;
        c->nacts = k;
        c->acts_for = malloc(k * sizeof *c->acts_for);
        c->dist = malloc(k * sizeof *c->dist);
        c->via = malloc(k * sizeof *c->via);
        if (c->acts_for == NULL || c->dist == NULL || c->via == NULL) {
            rc = ap_error_nomem(err);
            break;
        }
        for (uint32_t i = 0; i < k; i++) {
            c->acts_for[i] = r[i].node;
            c->dist[i] = r[i].dist;
            c->via[i] = r[i].via;
        }
        c->depth = dist[order[nreach - 1]];
    }
    free(r);
    free(dist);
    free(order);
    return rc;
}

static int loop_cmp(const void *x, const void *y)
{
    const ap_loop *a = x, *b = y;
    for (uint32_t i = 0; i < a->len && i < b->len; i++) {
        if (a->nodes[i] != b->nodes[i])
            return a->nodes[i] < b->nodes[i] ? -1 : 1;
        if (a->edges[i] != b->edges[i])
            return a->edges[i] < b->edges[i] ? -1 : 1;
    }
    return a->len < b->len ? -1 : a->len > b->len;
}

static bool same_loop(const ap_loop *a, const ap_loop *b)
{
    return a->len == b->len && loop_cmp(a, b) == 0;
}

/* The shortest cycle through vertex v inside its component (parents and inbound from a BFS at
 * v): the closing link u -> v with the nearest u, then the lowest edge. Rotated so that the
 * lowest node comes first. */
static int shortest_cycle(ap_loop *loop, const ap_delegation *d, const link_graph *lg,
                          const ap_graph *g, uint32_t v, const igraph_vector_int_t *parents,
                          const igraph_vector_int_t *inbound, const uint32_t *dist,
                          const igraph_vector_int_t *memb, ap_error *err)
{
    uint32_t best = UINT32_MAX, best_len = UINT32_MAX, len, k, first = 0;
    for (uint32_t j = 0; j < d->nlinks; j++) {
        const ap_edge *e = ap_graph_edge(g, d->links[j]);
        uint32_t u = lg->vid[e->from];
        if (lg->vid[e->to] != v || VECTOR(*memb)[u] != VECTOR(*memb)[v]
            || VECTOR(*parents)[u] == -2)
            continue;
        len = dist[u] + 1;
        if (len < best_len) {           /* links are in edge order: ties keep the lowest */
            best_len = len;
            best = j;
        }
    }
    if (best == UINT32_MAX)
        return ap_error_set(err, AP_EBUG, "no cycle through a strongly connected partner");
    uint32_t *nodes = malloc(best_len * sizeof *nodes), *edges = malloc(best_len * sizeof *edges);
    if (nodes == NULL || edges == NULL) {
        free(nodes);
        free(edges);
        return ap_error_nomem(err);
    }
    /* walk back from the closing link's tail to v: positions best_len-1 down to 0 */
    k = best_len - 1;
    edges[k] = d->links[best];
    for (uint32_t x = lg->vid[ap_graph_edge(g, d->links[best])->from]; x != v;
         x = (uint32_t)VECTOR(*parents)[x]) {
        nodes[k] = lg->part[x];
        edges[--k] = d->links[VECTOR(*inbound)[x]];
    }
    nodes[0] = lg->part[v];
    for (uint32_t i = 1; i < best_len; i++)
        if (nodes[i] < nodes[first])
            first = i;
    loop->len = best_len;
    loop->nodes = malloc(best_len * sizeof *loop->nodes);
    loop->edges = malloc(best_len * sizeof *loop->edges);
    if (loop->nodes == NULL || loop->edges == NULL) {
        free(nodes);
        free(edges);
        return ap_error_nomem(err);
    }
    for (uint32_t i = 0; i < best_len; i++) {
        loop->nodes[i] = nodes[(first + i) % best_len];
        loop->edges[i] = edges[(first + i) % best_len];
    }
    free(nodes);
    free(edges);
    return AP_OK;
}

/* Loops: each strongly connected set of links covered by shortest cycles, one through every
 * partner not yet on a cycle (in id order); a partner with a link to itself is a loop too. */
static int loops(ap_delegation *d, const link_graph *lg, const ap_graph *g,
                 igraph_vector_int_t *parents, igraph_vector_int_t *inbound, ap_error *err)
{
    igraph_vector_int_t memb, csize;
    igraph_integer_t ncomp;
    bool *covered = calloc((size_t)lg->npart + 1, sizeof *covered);
    bool *selfloop = calloc((size_t)lg->npart + 1, sizeof *selfloop);
    uint32_t *dist = malloc(((size_t)lg->npart + 1) * sizeof *dist);
    uint32_t *order = malloc(((size_t)lg->npart + 1) * sizeof *order);
    int rc = AP_OK;
    if (covered == NULL || selfloop == NULL || dist == NULL || order == NULL
        || (d->loops = calloc((size_t)lg->npart + 1, sizeof *d->loops)) == NULL) {
        free(covered);
        free(selfloop);
        free(dist);
        free(order);
        return ap_error_nomem(err);
    }
    if (igraph_vector_int_init(&memb, 0) != IGRAPH_SUCCESS) {
        free(covered);
        free(selfloop);
        free(dist);
        free(order);
        return ap_error_nomem(err);
    }
    if (igraph_vector_int_init(&csize, 0) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&memb);
        free(covered);
        free(selfloop);
        free(dist);
        free(order);
        return ap_error_nomem(err);
    }
    igraph_error_t ie = igraph_connected_components(&lg->ig, &memb, &csize, &ncomp,
                                                    IGRAPH_STRONG);
    if (ie != IGRAPH_SUCCESS) {
        rc = ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
        goto cleanup;
    }
    for (uint32_t j = 0; j < d->nlinks; j++) {
        const ap_edge *e = ap_graph_edge(g, d->links[j]);
        if (e->from == e->to)
            selfloop[lg->vid[e->from]] = true;
    }
    for (uint32_t v = 0; v < lg->npart; v++) {
        if (covered[v] || (VECTOR(csize)[VECTOR(memb)[v]] < 2 && !selfloop[v]))
            continue;
        ap_loop loop = { 0, NULL, NULL };
        uint32_t nreach;
        if ((rc = bfs(lg, v, parents, inbound, dist, order, &nreach, err)) < 0
            || (rc = shortest_cycle(&loop, d, lg, g, v, parents, inbound, dist, &memb,
                                    err)) < 0) {
            free(loop.nodes);
            free(loop.edges);
            goto cleanup;
        }
        for (uint32_t i = 0; i < loop.len; i++)
            covered[lg->vid[loop.nodes[i]]] = true;
        bool dup = false;
        for (uint32_t i = 0; i < d->nloops && !dup; i++)
            dup = same_loop(&d->loops[i], &loop);
        if (dup) {
            free(loop.nodes);
            free(loop.edges);
        } else {
            d->loops[d->nloops++] = loop;
        }
    }
    qsort(d->loops, d->nloops, sizeof *d->loops, loop_cmp);
cleanup:
    igraph_vector_int_destroy(&memb);
    igraph_vector_int_destroy(&csize);
    free(covered);
    free(selfloop);
    free(dist);
    free(order);
    return rc;
}

typedef struct {
    uint32_t heir, from, hops;
} pair;

static int pair_near_cmp(const void *x, const void *y)     /* nearest first, then ids */
{
    const pair *a = x, *b = y;
    if (a->hops != b->hops)
        return a->hops < b->hops ? -1 : 1;
    if (a->heir != b->heir)
        return a->heir < b->heir ? -1 : 1;
    return a->from < b->from ? -1 : a->from > b->from;
}

static int inherit_cmp(const void *x, const void *y)        /* by heir, then from: total */
{
    const ap_inherit *a = x, *b = y;
    if (a->heir != b->heir)
        return a->heir < b->heir ? -1 : 1;
    return a->from < b->from ? -1 : a->from > b->from;
}

/* Add the pairs pr[0..n) of heir a->source to d with their witness paths. */
static int add_inherits(ap_delegation *d, size_t *cap, const ap_graph *g,
                        const ap_authority *a, const pair *pr, uint32_t n, ap_error *err)
{
    if (d->ninherits + n > *cap) {
        size_t ncap = (d->ninherits + n) * 2;
        ap_inherit *p = realloc(d->inherits, ncap * sizeof *p);
        if (p == NULL)
            return ap_error_nomem(err);
        d->inherits = p;
        *cap = ncap;
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t from = pr[i].from;
        ap_inherit *in = &d->inherits[d->ninherits++];
        memset(in, 0, sizeof *in);
        in->heir = a->source;
        in->from = from;
        in->rights = a->rights[from];
        in->hops = a->hops[from];
        in->npath = (uint32_t)ap_authority_path(a, g, from, NULL, 0);
        in->path = malloc(((size_t)in->npath + 1) * sizeof *in->path);
        in->carried = malloc(((size_t)in->npath + 1) * sizeof *in->carried);
        if (in->path == NULL || in->carried == NULL)
            return ap_error_nomem(err);
        ap_authority_path(a, g, from, in->path, in->npath);
        /* what the chain itself carries over each step (its replay), not the fixpoint's */
        ap_chain_step *steps = malloc(((size_t)in->npath + 1) * sizeof *steps);
        if (steps == NULL)
            return ap_error_nomem(err);
        ap_authority_replay(g, a, in->path, in->npath, steps);
        for (uint32_t k = 0; k < in->npath; k++)
            in->carried[k] = steps[k].carried;
        free(steps);
    }
    return AP_OK;
}

/* reaches[v]: v has a route of live traversable edges to the tail of such an edge into another
 * partner (a backward search). A partner without one inherits from nobody: its authority need
 * not be computed. *out owns n entries (free()). */
static int partner_reachers(bool **out, const ap_graph *g, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g), head = 0, tail = 0;
    uint32_t *queue = malloc(((size_t)n + 1) * sizeof *queue);
    bool *mark = calloc((size_t)n + 1, sizeof *mark);
    *out = NULL;
    if (queue == NULL || mark == NULL) {
        free(queue);
        free(mark);
        return ap_error_nomem(err);
    }
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->traversable && ed->own_live && ed->from != ed->to && !mark[ed->from]
            && ap_graph_node(g, ed->to)->kind == AP_KIND_PARTNER) {
            mark[ed->from] = true;
            queue[tail++] = ed->from;
        }
    }
    while (head < tail) {
        uint32_t v = queue[head++];
        for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
            const ap_edge *ed = ap_graph_edge(g, ap_graph_in_edge(g, i));
            if (!ed->traversable || !ed->own_live || mark[ed->from])
                continue;
            mark[ed->from] = true;
            queue[tail++] = ed->from;
        }
    }
    free(queue);
    *out = mark;
    return AP_OK;
}

/* Where only partners hand authority into partners (every live traversable edge into a
 * partner leaves a partner, as subcontractor_of does), a partner's authority over the other
 * partners, its rounds and its witnesses are those of the graph of partner-to-partner edges
 * alone: the rights at a partner come only from partners, and so do the rights that open the
 * gates on the way. *out: that graph (a hundred edges where the estate has millions), or NULL
 * when another node hands authority into a partner. */
static int partner_graph(ap_graph **out, const ap_graph *g, ap_error *err)
{
    uint32_t m = ap_graph_edge_count(g), *rm = NULL, nrm = 0;
    int rc;
    *out = NULL;
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->traversable && ed->own_live
            && ap_graph_node(g, ed->to)->kind == AP_KIND_PARTNER
            && ap_graph_node(g, ed->from)->kind != AP_KIND_PARTNER)
            return AP_OK;
    }
    if ((rm = malloc(((size_t)m + 1) * sizeof *rm)) == NULL)
        return ap_error_nomem(err);
    for (uint32_t e = 0; e < m; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ap_graph_node(g, ed->to)->kind != AP_KIND_PARTNER
            || ap_graph_node(g, ed->from)->kind != AP_KIND_PARTNER)
            rm[nrm++] = e;
    }
    ap_graph_edit edit = { rm, nrm, NULL, 0, NULL, 0 };
    rc = ap_graph_derive(out, g, &edit, err);
    free(rm);
    return rc;
}

/* The pairs add_inherits() added last (from index `first`), their paths found on sub, mapped to
 * the edges of the graph sub was derived from. */
static void map_paths(ap_delegation *d, size_t first, const ap_graph *sub)
{
    for (size_t i = first; sub != NULL && i < d->ninherits; i++)
        for (uint32_t k = 0; k < d->inherits[i].npath; k++)
            d->inherits[i].path[k] = ap_graph_edge_origin(sub, d->inherits[i].path[k]);
}

/* (heir, from) pairs of partners where heir reaches from, with the witness path: per heir
 * its AP_DELEGATION_MAX_LIST nearest; with a partner, its own nearest and the nearest heirs
 * inheriting from it (their authority computed again, for those listed only). The rest is
 * counted in inherits_more. */
static int inheritance(ap_delegation *d, const link_graph *lg, const ap_graph *g,
                       int64_t partner, ap_error *err)
{
    size_t cap = 0;
    uint32_t nheirs = 0;
    pair *cand = malloc(((size_t)lg->npart + 1) * sizeof *cand);
    pair *heirs = malloc(((size_t)lg->npart + 1) * sizeof *heirs);  /* heirs of partner */
    bool *reaches = NULL;
    ap_graph *sub = NULL;
    ap_authority_ws *ws = NULL;
    const ap_graph *ag = g;             /* where the authority of heirs is computed */
    int rc = AP_OK;
    if (cand == NULL || heirs == NULL || (rc = partner_reachers(&reaches, g, err)) < 0
        || (rc = partner_graph(&sub, g, err)) < 0
        || (rc = ap_query__authority_ws_new(&ws, sub != NULL ? sub : g, err)) < 0) {
        free(cand);
        free(heirs);
        free(reaches);
        ap_graph_free(sub);
        return rc < 0 ? rc : ap_error_nomem(err);
    }
    if (sub != NULL)
        ag = sub;
    for (uint32_t h = 0; h < lg->npart && rc == AP_OK; h++) {
        const ap_authority *a = NULL;
        uint32_t heir = lg->part[h], nc = 0;
        size_t first = d->ninherits;
        if (!reaches[heir])
            continue;                   /* reaches no other partner */
        if ((rc = ap_query__authority_run(&a, ws, ag, heir, err)) < 0)
            break;
        if (partner >= 0 && heir != (uint32_t)partner) {
            if (a->rights[partner] != 0)
                heirs[nheirs++] = (pair){ heir, (uint32_t)partner, a->hops[partner] };
            continue;
        }
        /* the reach list is by hops then id: its partners come nearest first, as
         * pair_near_cmp orders them, and only the listed ones are kept */
        for (uint32_t i = 0; i < a->nreach; i++) {
            uint32_t v = a->reach[i];
            if (v == heir || ap_graph_node(ag, v)->kind != AP_KIND_PARTNER)
                continue;
            if (nc < AP_DELEGATION_MAX_LIST)
                cand[nc++] = (pair){ heir, v, a->hops[v] };
            else
                d->inherits_more++;
        }
        if ((rc = add_inherits(d, &cap, ag, a, cand, nc, err)) == AP_OK)
            map_paths(d, first, sub);
    }
    if (rc == AP_OK && nheirs > 0) {
        qsort(heirs, nheirs, sizeof *heirs, pair_near_cmp);
        if (nheirs > AP_DELEGATION_MAX_LIST) {
            d->inherits_more += nheirs - AP_DELEGATION_MAX_LIST;
            nheirs = AP_DELEGATION_MAX_LIST;
        }
        for (uint32_t i = 0; i < nheirs && rc == AP_OK; i++) {
            const ap_authority *a = NULL;
            size_t first = d->ninherits;
            if ((rc = ap_query__authority_run(&a, ws, ag, heirs[i].heir, err)) == AP_OK
                && (rc = add_inherits(d, &cap, ag, a, &heirs[i], 1, err)) == AP_OK)
                map_paths(d, first, sub);
        }
    }
    if (rc == AP_OK && d->ninherits > 1)
        qsort(d->inherits, d->ninherits, sizeof *d->inherits, inherit_cmp);
    free(reaches);
    ap_query__authority_ws_free(ws);
    ap_graph_free(sub);
    free(cand);
    free(heirs);
    return rc;
}

/* Keep only the loops through partner p (chains() kept only the chains touching it). */
static void filter(ap_delegation *d, uint32_t p)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < d->nloops; i++) {
        ap_loop *l = &d->loops[i];
        bool keep = false;
        for (uint32_t j = 0; j < l->len && !keep; j++)
            keep = l->nodes[j] == p;
        if (keep) {
            d->loops[k++] = *l;
        } else {
            free(l->nodes);
            free(l->edges);
        }
    }
    d->nloops = k;
}

int ap_delegation_compute(ap_delegation **out, const ap_graph *g, int64_t partner,
                          ap_error *err)
{
    ap_delegation *d = calloc(1, sizeof *d);
    link_graph lg = { .built = false };
    igraph_vector_int_t parents, inbound;
    bool vectors = false;
    int rc;
    *out = NULL;
    if (d == NULL)
        return ap_error_nomem(err);
    if (partner >= (int64_t)ap_graph_node_count(g)) {
        rc = ap_error_set(err, AP_EBUG, "partner %lld out of range", (long long)partner);
        goto cleanup;
    }
    if ((rc = link_graph_build(&lg, d, g, err)) < 0)
        goto cleanup;
    if (igraph_vector_int_init(&parents, 0) != IGRAPH_SUCCESS) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    if (igraph_vector_int_init(&inbound, 0) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&parents);
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    vectors = true;
    if ((rc = chains(d, &lg, &parents, &inbound, partner, err)) < 0
        || (rc = loops(d, &lg, g, &parents, &inbound, err)) < 0
        || (rc = inheritance(d, &lg, g, partner, err)) < 0)
        goto cleanup;
    if (partner >= 0)
        filter(d, (uint32_t)partner);
    *out = d;
    d = NULL;
    rc = AP_OK;
cleanup:
    if (vectors) {
        igraph_vector_int_destroy(&parents);
        igraph_vector_int_destroy(&inbound);
    }
    link_graph_free(&lg);
    ap_delegation_free(d);
    return rc;
}
