/* include/authpath/diff.h: what changed between two snapshots (`authpath diff A B`): nodes and
 * edges added, removed or changed, and every partner's authority gained, lost or changed. */
#ifndef AUTHPATH_DIFF_H
#define AUTHPATH_DIFF_H

#include <stdint.h>

#include "authpath/graph.h"

typedef enum { AP_DIFF_ADDED, AP_DIFF_REMOVED, AP_DIFF_CHANGED } ap_diff_op;

/* A node or an edge that differs. It is index in b, or in a when removed. */
typedef struct {
    ap_diff_op op;
    uint32_t index;
    char fields[128];       /* changed: the fields that differ, comma-separated; else "" */
} ap_diff_item;

/* A target whose rights for a partner differ: before == 0 gained, after == 0 lost. */
typedef struct {
    const char *partner, *target;   /* ids, borrowed from a or b */
    ap_rights before, after;
} ap_diff_reach;

typedef struct {
    ap_diff_item *nodes, *edges;    /* by id */
    uint32_t nnodes, nedges;
    ap_diff_reach *reach;           /* by partner id, then target id */
    uint32_t nreach;
} ap_snapdiff;

/* Compare snapshot graphs a (before) and b (after), both loaded at the same time. Nodes match by
 * id, edges by edge id, authority by partner and target id (rights named in the vocabulary).
 * partner: only that partner's authority (NULL: every partner of a or b). nthreads as
 * ap_authority_all(). *out owns the result: free it with ap_snapdiff_free(). */
AP_EXPORT int ap_snapdiff_compute(ap_snapdiff **out, const ap_graph *a, const ap_graph *b,
                                  const char *partner, unsigned nthreads, ap_error *err);
AP_EXPORT void ap_snapdiff_free(ap_snapdiff *d);

#endif
