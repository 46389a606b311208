/* query/authority.c: one source's authority by DESIGN.md's round semantics. A round-synchronous
 * worklist: round k re-reads only the nodes whose rights changed in round k-1. */
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"

void ap_authority_free(ap_authority *a)
{
    if (a == NULL)
        return;
    free(a->rights);
    free(a->hops);
    free(a->via);
    free(a->reach);
    free(a);
}

/* A delivery to v in the current round: pending holds what arrives, touched lists the nodes
 * that received anything, so applying the round costs what the round touched. */
typedef struct {
    ap_rights *pending;
    uint32_t *plen;         /* witness path length of each reached node */
    uint32_t *touched, ntouched;
    uint32_t *frontier, nfrontier;
} round_state;

static void deliver(ap_authority *a, round_state *rs, const ap_graph *g, uint32_t eidx,
                    uint32_t u, ap_rights r, uint32_t round)
{
    const ap_edge *e = ap_graph_edge(g, eidx);
    uint32_t v = e->to;
    ap_rights fresh = r & ~a->rights[v];
    if (fresh == 0)
        return;
    if (a->rights[v] == 0) {
        /* first arrival: the witness is the shortest chain, then the lowest edge index */
        uint32_t len = rs->plen[u] + 1;
        if (a->hops[v] == AP_UNREACHED || len < rs->plen[v]
            || (len == rs->plen[v] && eidx < a->via[v])) {
            a->hops[v] = round;
            a->via[v] = eidx;
            rs->plen[v] = len;
        }
    }
    if (rs->pending[v] == 0)
        rs->touched[rs->ntouched++] = v;
    rs->pending[v] |= fresh;
}

static int reach_cmp(const void *x, const void *y, void *hops)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    const uint32_t *h = hops;
    if (h[a] != h[b])
        return h[a] < h[b] ? -1 : 1;
    return a < b ? -1 : a > b;          /* node index order is id order: the order is total */
}

/* qsort_r is not C11; the reach list is sorted with a small merge sort instead. */
static void sort_reach(uint32_t *v, uint32_t *tmp, uint32_t n, const uint32_t *hops)
{
    if (n < 2)
        return;
    uint32_t mid = n / 2, i = 0, j = mid, k = 0;
    sort_reach(v, tmp, mid, hops);
    sort_reach(v + mid, tmp, n - mid, hops);
    while (i < mid && j < n)
        tmp[k++] = reach_cmp(&v[j], &v[i], (void *)hops) < 0 ? v[j++] : v[i++];
    while (i < mid)
        tmp[k++] = v[i++];
    while (j < n)
        tmp[k++] = v[j++];
    memcpy(v, tmp, n * sizeof *v);
}

int ap_authority_compute(ap_authority **out, const ap_graph *g, uint32_t source, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g);
    ap_authority *a = calloc(1, sizeof *a);
    round_state rs = { 0 };
    uint32_t *next = NULL, nnext;
    int rc = AP_OK;
    *out = NULL;
    if (a == NULL)
        return ap_error_nomem(err);
    if (source >= n) {
        free(a);
        return ap_error_set(err, AP_EBUG, "source %u out of range", source);
    }
    a->source = source;
    a->n = n;
    a->rights = calloc(n, sizeof *a->rights);
    a->hops = malloc(n * sizeof *a->hops);
    a->via = malloc(n * sizeof *a->via);
    rs.pending = calloc(n, sizeof *rs.pending);
    rs.plen = calloc(n, sizeof *rs.plen);
    rs.touched = malloc(n * sizeof *rs.touched);
    rs.frontier = malloc(n * sizeof *rs.frontier);
    next = malloc(n * sizeof *next);
    if (a->rights == NULL || a->hops == NULL || a->via == NULL || rs.pending == NULL
        || rs.plen == NULL || rs.touched == NULL || rs.frontier == NULL || next == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    memset(a->hops, 0xff, n * sizeof *a->hops);
    memset(a->via, 0xff, n * sizeof *a->via);

    /* Round 0: the source holds everything. */
    a->rights[source] = AP_RIGHTS_ALL;
    a->hops[source] = 0;
    rs.frontier[0] = source;
    rs.nfrontier = 1;

    /* Round k reads A_{k-1} of the nodes that changed in round k-1 (the others deliver what
     * they delivered before) and applies every delivery only when the round is over. */
    for (uint32_t round = 1; rs.nfrontier > 0; round++) {
        rs.ntouched = 0;
        for (uint32_t i = 0; i < rs.nfrontier; i++) {
            uint32_t u = rs.frontier[i];
            ap_rights have = a->rights[u];
            for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
                const ap_edge *ed = ap_graph_edge(g, e);
                if (!ap_edge_usable(g, ed, source))
                    continue;
                ap_rights r = ap_edge_transfer(ed, have);
                if (r != 0)
                    deliver(a, &rs, g, e, u, r, round);
            }
        }
        nnext = 0;
        for (uint32_t i = 0; i < rs.ntouched; i++) {
            uint32_t v = rs.touched[i];
            a->rights[v] |= rs.pending[v];
            rs.pending[v] = 0;
            next[nnext++] = v;
        }
        memcpy(rs.frontier, next, nnext * sizeof *next);
        rs.nfrontier = nnext;
        a->rounds = round;
    }

    /* The reach list: every reached node but the source, by hops then id. */
    a->nreach = 0;
    for (uint32_t v = 0; v < n; v++)
        if (v != source && a->rights[v] != 0)
            next[a->nreach++] = v;
    if ((a->reach = malloc(((size_t)a->nreach + 1) * sizeof *a->reach)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    memcpy(a->reach, next, a->nreach * sizeof *next);
    sort_reach(a->reach, rs.touched, a->nreach, a->hops);
    *out = a;
    a = NULL;
cleanup:
    free(rs.pending);
    free(rs.plen);
    free(rs.touched);
    free(rs.frontier);
    free(next);
    ap_authority_free(a);
    return rc;
}

size_t ap_authority_path(const ap_authority *a, const ap_graph *g, uint32_t v, uint32_t *edges,
                         size_t max)
{
    size_t len = 0;
    if (v >= a->n || v == a->source || a->rights[v] == 0)
        return 0;
    /* walk back to the source (hops strictly fall along via), then reverse */
    for (uint32_t u = v; u != a->source && a->via[u] != AP_UNREACHED;
         u = ap_graph_edge(g, a->via[u])->from)
        len++;
    size_t i = len;
    for (uint32_t u = v; u != a->source && a->via[u] != AP_UNREACHED;
         u = ap_graph_edge(g, a->via[u])->from) {
        i--;
        if (i < max)
            edges[i] = a->via[u];
    }
    return len;
}
