/* query/kernel_internal.h: what the all-partners kernel's files share: the prepared view of a
 * graph (rights classes, topological positions, rows of edge slots). Never leaves query/. */
#ifndef AUTHPATH_KERNEL_INTERNAL_H
#define AUTHPATH_KERNEL_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "authpath/query.h"

/* An edge type: what it carries, as masks over rights classes (bit c: class c). */
typedef struct {
    uint64_t rc, qc;        /* rights, requires */
    bool esc;
    bool plain;             /* every class, no gate, no escalation: it passes what it gets */
} ap_ktype;

#define AP_KMETA_TYPE 0x3fffffffu       /* type index */
#define AP_KMETA_DEAD 0x40000000u       /* the target is not live: carries, never delivers */
#define AP_KMETA_BOUNDARY 0x80000000u   /* the ends lie in different domains */

typedef struct {
    uint32_t dst;           /* target position */
    uint32_t meta;          /* type | AP_KMETA_* */
    uint32_t eid;           /* the ap_graph edge */
} ap_kslot;

/* Positions: nodes renumbered so that every propagating edge goes to the same strongly
 * connected component or a later one; a component's members are contiguous. */
typedef struct {
    const ap_graph *g;
    uint32_t n, m;          /* nodes, kept edges (own-live and traversable) */
    unsigned K;             /* rights classes, 1..64 */
    ap_rights cmask[AP_MAX_RIGHTS];     /* the rights bits of each class */
    uint32_t *order;        /* position -> node */
    uint32_t *pos;          /* node -> position */
    uint8_t *pinfo;         /* by position: kind | counted sensitivity << 3 (sequential reads) */
    uint8_t *live;          /* by node: ap_node.live, compact */
    uint32_t *cyc_hi;       /* at the first position of a cyclic component: its end; else 0 */
    uint32_t *clo;          /* by position: the first position of its component */
    uint32_t *off;          /* n+1: row p is slot[off[p] .. off[p+1]) */
    uint32_t *ext;          /* n: first slot of row p leaving p's component (or dead) */
    ap_kslot *slot;
    ap_ktype *types;
    uint32_t ntypes;
} ap_kernel;

int ap_kernel__prepare(ap_kernel **out, const ap_graph *g, ap_error *err);
void ap_kernel__free(ap_kernel *k);

#endif
