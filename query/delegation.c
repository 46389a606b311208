/* query/delegation.c: the partner-to-partner structure: subcontractor_of and admin_of chains
 * with their depth, delegation loops (igraph's strongly connected components, each covered by
 * shortest cycles), and every partner that inherits another partner's authority. */
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"

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
} link_graph;

static void link_graph_free(link_graph *lg)
{
    if (lg->built)
        igraph_destroy(&lg->ig);
    free(lg->part);
    free(lg->vid);
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
    ie = igraph_create(&lg->ig, &ends, lg->npart, IGRAPH_DIRECTED);
    igraph_vector_int_destroy(&ends);
    if (ie != IGRAPH_SUCCESS)
        return ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
    lg->built = true;
    return AP_OK;
}

/* Breadth-first shortest paths over the links from vertex root: parents (-1 root, -2 not
 * reached) and inbound igraph edges. */
static int bfs(const link_graph *lg, uint32_t root, igraph_vector_int_t *parents,
               igraph_vector_int_t *inbound, ap_error *err)
{
    igraph_error_t ie = igraph_get_shortest_paths(&lg->ig, NULL, NULL, root, igraph_vss_all(),
                                                  IGRAPH_OUT, parents, inbound);
    if (ie != IGRAPH_SUCCESS)
        return ap_error_set(err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
    return AP_OK;
}

static uint32_t depth_of(const igraph_vector_int_t *parents, uint32_t x)
{
    uint32_t k = 0;
    while (VECTOR(*parents)[x] >= 0) {
        x = (uint32_t)VECTOR(*parents)[x];
        k++;
    }
    return k;
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

/* Every partner's chain (the ones acting for nobody left out). */
static int chains(ap_delegation *d, const link_graph *lg, igraph_vector_int_t *parents,
                  igraph_vector_int_t *inbound, ap_error *err)
{
    reached *r = malloc(((size_t)lg->npart + 1) * sizeof *r);
    int rc = AP_OK;
    if (r == NULL || (d->chains = calloc((size_t)lg->npart + 1, sizeof *d->chains)) == NULL) {
        free(r);
        return ap_error_nomem(err);
    }
    for (uint32_t p = 0; p < lg->npart; p++) {
        uint32_t k = 0;
        if ((rc = bfs(lg, p, parents, inbound, err)) < 0)
            break;
        for (uint32_t x = 0; x < lg->npart; x++)
            if (x != p && VECTOR(*parents)[x] >= 0)
                r[k++] = (reached){ depth_of(parents, x), lg->part[x],
                                    d->links[VECTOR(*inbound)[x]] };
        if (k == 0)
            continue;
        qsort(r, k, sizeof *r, reached_cmp);
        ap_chain *c = &d->chains[d->nchains++];
        c->partner = lg->part[p];
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
        c->depth = r[k - 1].dist;
    }
    free(r);
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
                          const igraph_vector_int_t *inbound, const igraph_vector_int_t *memb,
                          ap_error *err)
{
    uint32_t best = UINT32_MAX, best_len = UINT32_MAX, len, k, first = 0;
    for (uint32_t j = 0; j < d->nlinks; j++) {
        const ap_edge *e = ap_graph_edge(g, d->links[j]);
        uint32_t u = lg->vid[e->from];
        if (lg->vid[e->to] != v || VECTOR(*memb)[u] != VECTOR(*memb)[v]
            || VECTOR(*parents)[u] == -2)
            continue;
        len = depth_of(parents, u) + 1;
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
    int rc = AP_OK;
    if (covered == NULL || selfloop == NULL
        || (d->loops = calloc((size_t)lg->npart + 1, sizeof *d->loops)) == NULL) {
        free(covered);
        free(selfloop);
        return ap_error_nomem(err);
    }
    if (igraph_vector_int_init(&memb, 0) != IGRAPH_SUCCESS) {
        free(covered);
        free(selfloop);
        return ap_error_nomem(err);
    }
    if (igraph_vector_int_init(&csize, 0) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&memb);
        free(covered);
        free(selfloop);
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
        if ((rc = bfs(lg, v, parents, inbound, err)) < 0
            || (rc = shortest_cycle(&loop, d, lg, g, v, parents, inbound, &memb, err)) < 0) {
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
    return rc;
}

/* Every (heir, from) pair of partners where heir reaches from, with the witness path. */
static int inheritance(ap_delegation *d, const link_graph *lg, const ap_graph *g,
                       int64_t partner, ap_error *err)
{
    size_t cap = 0;
    int rc = AP_OK;
    for (uint32_t h = 0; h < lg->npart && rc == AP_OK; h++) {
        ap_authority *a = NULL;
        if ((rc = ap_authority_compute(&a, g, lg->part[h], err)) < 0)
            break;
        for (uint32_t f = 0; f < lg->npart; f++) {
            uint32_t from = lg->part[f];
            if (f == h || a->rights[from] == 0)
                continue;
            if (partner >= 0 && lg->part[h] != (uint32_t)partner && from != (uint32_t)partner)
                continue;
            if (d->ninherits == cap) {
                cap = cap ? cap * 2 : 16;
                ap_inherit *p = realloc(d->inherits, cap * sizeof *p);
                if (p == NULL) {
                    rc = ap_error_nomem(err);
                    break;
                }
                d->inherits = p;
            }
            ap_inherit *in = &d->inherits[d->ninherits++];
            memset(in, 0, sizeof *in);
            in->heir = lg->part[h];
            in->from = from;
            in->rights = a->rights[from];
            in->hops = a->hops[from];
            in->npath = (uint32_t)ap_authority_path(a, g, from, NULL, 0);
            in->path = malloc(((size_t)in->npath + 1) * sizeof *in->path);
            in->carried = malloc(((size_t)in->npath + 1) * sizeof *in->carried);
            if (in->path == NULL || in->carried == NULL) {
                rc = ap_error_nomem(err);
                break;
            }
            ap_authority_path(a, g, from, in->path, in->npath);
            /* what the chain itself carries over each step (its replay), not the fixpoint's */
            ap_chain_step *steps = malloc(((size_t)in->npath + 1) * sizeof *steps);
            if (steps == NULL) {
                rc = ap_error_nomem(err);
                break;
            }
            ap_authority_replay(g, a, in->path, in->npath, steps);
            for (uint32_t i = 0; i < in->npath; i++)
                in->carried[i] = steps[i].carried;
            free(steps);
        }
        ap_authority_free(a);
    }
    return rc;
}

/* Keep only what touches partner p: its chain, chains through it, loops through it. */
static void filter(ap_delegation *d, uint32_t p)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < d->nchains; i++) {
        ap_chain *c = &d->chains[i];
        bool keep = c->partner == p;
        for (uint32_t j = 0; j < c->nacts && !keep; j++)
            keep = c->acts_for[j] == p;
        if (keep) {
            d->chains[k++] = *c;
        } else {
            free(c->acts_for);
            free(c->dist);
            free(c->via);
        }
    }
    d->nchains = k;
    k = 0;
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
    if ((rc = chains(d, &lg, &parents, &inbound, err)) < 0
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
