/* graph/ancestry.c: the edges into everything that can reach one node (ap_graph_ancestry), by a
 * pass backwards over the in-rows that reads each in-edge's tail from the graph image (a partial
 * load) or finds it from the out-rows alone. */
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

int ap_graph_ancestry(uint64_t **out, const ap_graph *g, uint32_t target, uint32_t stop)
{
    uint32_t nfirst = (g->n + STRIDE - 1) / STRIDE, head = 0, tail = 0;
    uint8_t *seen = calloc((size_t)g->n + 1, 1);
    uint64_t *bits = calloc((size_t)g->m / 64 + 1, sizeof *bits);
    uint32_t *first = malloc(((size_t)nfirst + 1) * sizeof *first);
    uint32_t *queue = malloc(((size_t)g->n + 1) * sizeof *queue);   /* each node once */
    int rc = AP_ENOMEM;
    *out = NULL;
    if (seen == NULL || bits == NULL || first == NULL || queue == NULL)
        goto cleanup;
    for (uint32_t k = 0; k < nfirst; k++)
        first[k] = g->off[k * STRIDE];
    seen[target] = 1;
    queue[tail++] = target;
    while (head < tail) {
        uint32_t w = queue[head++];
        if (w == stop)
            continue;
        for (uint32_t i = g->in_off[w]; i < g->in_off[w + 1]; i++) {
            uint32_t e = g->in_edge[i];
            uint32_t u = g->in_from != NULL ? g->in_from[i] : tail_of(g, first, nfirst, e);
            bits[e >> 6] |= (uint64_t)1 << (e & 63);
            if (!seen[u]) {
                seen[u] = 1;
                queue[tail++] = u;
            }
        }
    }
    *out = bits;
    bits = NULL;
    rc = AP_OK;
cleanup:
    free(seen);
    free(bits);
    free(first);
    free(queue);
    return rc;
}
