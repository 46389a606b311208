/* graph/ancestry.c: what can reach a node (ap_graph_ancestry: the edges in; ap_graph_ancestors:
 * the nodes), by a pass backwards over the in-rows that reads each in-edge's tail from the graph
 * image (a partial load) or finds it from the out-rows alone. */
#include <stdlib.h>

#include "graph_internal.h"

/* A tail search reads first[] (the first out-edge of every STRIDE-th node: it stays in cache)
 * and then the STRIDE row offsets of one cache line, without a branch to mispredict. */
#define STRIDE 16u

/* The last index i < n with a[i] <= e (a ascending, a[0] <= e). */
static uint32_t last_at_most(const uint32_t *a, uint32_t n, uint32_t e)
{
    uint32_t lo = 0;
    while (n > 1) {
        uint32_t half = n / 2;
        lo = a[lo + half] <= e ? lo + half : lo;    /* a conditional move */
        n -= half;
    }
    return lo;
}

/* Edge e's tail: the last node v with off[v] <= e (edges are numbered in tail order). */
static uint32_t tail_of(const ap_graph *g, const uint32_t *first, uint32_t nfirst, uint32_t e)
{
    uint32_t lo = last_at_most(first, nfirst, e) * STRIDE;
    return lo + last_at_most(g->off + lo, lo + STRIDE < g->n ? STRIDE : g->n - lo, e);
}

/* The backward pass: from the seeds over the in-rows, marking each node met (seen: a bit per
 * node) and, when edges is not NULL, each in-edge read; a node's in-edges are not read when it
 * is stop, or (not a seed) has its bit in closed. */
static int walk(const ap_graph *g, const uint32_t *seeds, size_t nseeds, uint32_t stop,
                const uint64_t *closed, uint64_t *seen, uint64_t *edges)
{
    uint32_t nfirst = (g->n + STRIDE - 1) / STRIDE, head = 0, tail = 0;
    uint32_t *first = malloc(((size_t)nfirst + 1) * sizeof *first);
    uint32_t *queue = malloc(((size_t)g->n + 1) * sizeof *queue);   /* each node once */
    if (first == NULL || queue == NULL) {
        free(first);
        free(queue);
        return AP_ENOMEM;
    }
    for (uint32_t k = 0; k < nfirst; k++)
        first[k] = g->off[k * STRIDE];
    for (size_t k = 0; k < nseeds; k++) {
        uint32_t v = seeds[k];
        if (v < g->n && !(seen[v >> 6] >> (v & 63) & 1)) {
            seen[v >> 6] |= (uint64_t)1 << (v & 63);
            queue[tail++] = v;
        }
    }
    uint32_t nseeded = tail;
    for (; head < tail; head++) {
        uint32_t w = queue[head];
        if (w == stop || (head >= nseeded && closed != NULL && (closed[w >> 6] >> (w & 63) & 1)))
            continue;
        for (uint32_t i = g->in_off[w]; i < g->in_off[w + 1]; i++) {
            uint32_t e = g->in_edge[i];
            uint32_t u = g->in_from != NULL ? g->in_from[i] : tail_of(g, first, nfirst, e);
            if (edges != NULL)
                edges[e >> 6] |= (uint64_t)1 << (e & 63);
            if (!(seen[u >> 6] >> (u & 63) & 1)) {
                seen[u >> 6] |= (uint64_t)1 << (u & 63);
                queue[tail++] = u;
            }
        }
    }
    free(first);
    free(queue);
    return AP_OK;
}

int ap_graph_ancestry(uint64_t **out, const ap_graph *g, uint32_t target, uint32_t stop)
{
    uint64_t *seen = calloc((size_t)g->n / 64 + 1, sizeof *seen);
    uint64_t *bits = calloc((size_t)g->m / 64 + 1, sizeof *bits);
    int rc = AP_ENOMEM;
    *out = NULL;
    if (seen != NULL && bits != NULL && (rc = walk(g, &target, 1, stop, NULL, seen, bits)) == 0) {
        *out = bits;
        bits = NULL;
    }
    free(seen);
    free(bits);
    return rc;
}

int ap_graph_ancestors(uint64_t **out, const ap_graph *g, const uint32_t *targets, size_t n,
                       const uint64_t *closed)
{
    uint64_t *seen = calloc((size_t)g->n / 64 + 1, sizeof *seen);
    int rc = seen != NULL ? walk(g, targets, n, UINT32_MAX, closed, seen, NULL) : AP_ENOMEM;
    if (rc < 0) {
        free(seen);
        seen = NULL;
    }
    *out = seen;
    return rc;
}
