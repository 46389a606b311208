/* query/authority.c: one source's authority by docs/design.md's rounds. A round-synchronous
 * worklist: round k re-reads only the nodes whose rights changed in round k-1. */
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "query_internal.h"

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

/* The nodes reached so far, numbered in order of first arrival (0: the source). While the
 * rounds run, via[v] holds v's number; the witness edges move into via at the end. Everything
 * the rounds keep is proportional to the reach: only rights, hops and via span the graph. */
typedef struct {
    uint32_t node;
    uint32_t via;           /* witness edge */
    uint32_t plen;          /* witness path length */
    uint32_t round;         /* the last round in which it received something new */
} reached;

typedef struct {
    reached *r;
    uint32_t nr, rcap;
    uint32_t *touched, ntouched, tcap;      /* numbers of the nodes changed in this round */
    uint32_t *frontier, nfrontier, fcap;    /* ... in the previous round */
    ap_rights *have;                        /* A_{k-1} of each frontier node */
} round_state;

static int grow(void *arr, uint32_t *cap, uint32_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    uint32_t ncap = *cap ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *p = realloc(*(void **)arr, (size_t)ncap * size);
    if (p == NULL)
        return -1;
    *(void **)arr = p;
    *cap = ncap;
    return 0;
}

/* A delivery of r to v in round `round` from u (number lu) over edge eidx. Deliveries are
 * applied at once: the frontier reads its A_{k-1} from rs->have, so the round still sees only
 * what the previous one left, and rights[v] ends the round as A_{k-1}(v) | everything sent. */
static int deliver(ap_authority *a, round_state *rs, uint32_t eidx, uint32_t lu, uint32_t v,
                   ap_rights r, uint32_t round)
{
    uint32_t len = rs->r[lu].plen + 1;
    if (a->hops[v] == AP_UNREACHED) {
        if (grow(&rs->r, &rs->rcap, rs->nr + 1, sizeof *rs->r) < 0
            || grow(&rs->touched, &rs->tcap, rs->ntouched + 1, sizeof *rs->touched) < 0)
            return -1;
        reached *x = &rs->r[rs->nr];
        x->node = v;
        x->via = eidx;
        x->plen = len;
        x->round = round;
        a->hops[v] = round;
        a->via[v] = rs->nr;
        a->rights[v] = r;
        rs->touched[rs->ntouched++] = rs->nr++;
        return 0;
    }
    reached *x = &rs->r[a->via[v]];
    if (a->hops[v] == round) {
        /* first reached in this round: the witness is the shortest chain, then the lowest
         * edge index */
        if (len < x->plen || (len == x->plen && eidx < x->via)) {
            x->via = eidx;
            x->plen = len;
        }
    }
    ap_rights fresh = r & ~a->rights[v];
    if (fresh == 0)
        return 0;
    if (x->round != round) {
        if (grow(&rs->touched, &rs->tcap, rs->ntouched + 1, sizeof *rs->touched) < 0)
            return -1;
        x->round = round;
        rs->touched[rs->ntouched++] = a->via[v];
    }
    a->rights[v] |= fresh;
    return 0;
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
    uint32_t *tmp = NULL;
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
    a->rights = calloc(n, sizeof *a->rights);      /* sparse: only the reached pages */
    a->hops = ap_query__big_alloc((size_t)n * sizeof *a->hops);
    a->via = ap_query__big_alloc((size_t)n * sizeof *a->via);
    if (a->rights == NULL || a->hops == NULL || a->via == NULL
        || grow(&rs.r, &rs.rcap, 1, sizeof *rs.r) < 0
        || grow(&rs.frontier, &rs.fcap, 1, sizeof *rs.frontier) < 0) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    memset(a->hops, 0xff, n * sizeof *a->hops);
    memset(a->via, 0xff, n * sizeof *a->via);

    /* Round 0: the source holds everything. */
    a->rights[source] = AP_RIGHTS_ALL;
    a->hops[source] = 0;
    a->via[source] = 0;
    rs.r[0] = (reached){ .node = source, .via = AP_UNREACHED, .plen = 0, .round = 0 };
    rs.nr = 1;
    rs.frontier[0] = 0;
    rs.nfrontier = 1;

    /* Round k reads A_{k-1} of the nodes that changed in round k-1 (the others deliver what
     * they delivered before). */
    for (uint32_t round = 1; rs.nfrontier > 0; round++) {
        uint32_t hcap = rs.fcap;
        ap_rights *have = realloc(rs.have, (size_t)hcap * sizeof *have);
        if (have == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        rs.have = have;
        for (uint32_t i = 0; i < rs.nfrontier; i++)
            have[i] = a->rights[rs.r[rs.frontier[i]].node];
        rs.ntouched = 0;
        for (uint32_t i = 0; i < rs.nfrontier; i++) {
            uint32_t lu = rs.frontier[i], u = rs.r[lu].node;
            for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++) {
                const ap_edge *ed = ap_graph_edge(g, e);
                if (!ap_edge_usable(g, ed, source))
                    continue;
                ap_rights r = ap_edge_transfer(ed, have[i]);
                if (r != 0 && deliver(a, &rs, e, lu, ed->to, r, round) < 0) {
                    rc = ap_error_nomem(err);
                    goto cleanup;
                }
            }
        }
        /* the nodes changed in this round are the next frontier, in order of change */
        uint32_t *t = rs.frontier, tc = rs.fcap;
        rs.frontier = rs.touched;
        rs.fcap = rs.tcap;
        rs.nfrontier = rs.ntouched;
        rs.touched = t;
        rs.tcap = tc;
        a->rounds = round;
    }

    /* The witnesses, and the reach list: every reached node but the source, by hops then id
     * (numbered by first arrival, the nodes already come by hops). */
    a->nreach = rs.nr - 1;
    a->reach = malloc(((size_t)a->nreach + 1) * sizeof *a->reach);
    tmp = malloc(((size_t)a->nreach + 1) * sizeof *tmp);
    if (a->reach == NULL || tmp == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    a->via[source] = AP_UNREACHED;
    for (uint32_t l = 1; l < rs.nr; l++) {
        a->via[rs.r[l].node] = rs.r[l].via;
        a->reach[l - 1] = rs.r[l].node;
    }
    sort_reach(a->reach, tmp, a->nreach, a->hops);
    *out = a;
    a = NULL;
cleanup:
    free(rs.r);
    free(rs.touched);
    free(rs.frontier);
    free(rs.have);
    free(tmp);
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
