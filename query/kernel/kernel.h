/* query/kernel/kernel.h: the all-partners kernel's prepared view of a graph (rights classes,
 * topological positions, rows of edge slots), shared by its files. Never leaves query/. */
#ifndef AUTHPATH_KERNEL_KERNEL_H
#define AUTHPATH_KERNEL_KERNEL_H

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
} ap_kslot;

#define AP_KPOS_INFO 0xffu              /* kind | counted sensitivity << 3 */
#define AP_KPOS_CYCLIC 0x100u           /* a member of a cyclic component (see clo, cyc_hi) */

/* What a sweep reads of position p, side by side: its row is slot[off .. at[p + 1].off), the
 * slots from ext on leave p's component (or go to a dead node). */
typedef struct {
    uint32_t off, ext;
    uint32_t node;
    uint32_t info;          /* AP_KPOS_* */
} ap_kpos;

/* A slot into a sink, seen from the sink: the source position, and the slot's meta and edge. */
typedef struct {
    uint32_t src;
    uint32_t meta;
    uint32_t eid;
} ap_kin;

/* Positions: nodes renumbered so that every propagating edge goes to the same strongly
 * connected component or a later one; a component's members are contiguous. The sinks (no
 * propagating edge out, no cycle) come last, from nns on: a sweep pulls what they hold from
 * their predecessors (in[inoff[p - nns] ..]) instead of having it pushed into them. */
typedef struct {
    const ap_graph *g;
    uint32_t n, m;          /* nodes, kept edges (own-live and traversable) */
    unsigned K;             /* rights classes, 1..64 */
    ap_rights cmask[AP_MAX_RIGHTS];     /* the rights bits of each class */
    uint32_t *pos;          /* node -> position */
    ap_kpos *at;            /* n+1 by position (at[n].off = m) */
    uint32_t *cyc_hi;       /* at the first position of a cyclic component: its end; else 0 */
    uint32_t *clo;          /* by position: the first position of its component */
    ap_kslot *slot;
    uint32_t *eid;          /* by slot: the ap_graph edge */
    ap_ktype *types;
    uint32_t ntypes;
    uint32_t nns;           /* positions before the sinks */
    uint32_t *inoff;        /* by sink (p - nns), n - nns + 1 entries */
    ap_kin *in;
} ap_kernel;

int ap_kernel__prepare(ap_kernel **out, const ap_graph *g, ap_error *err);
/* ap_authority_all() on a kernel prepared once: a caller that runs its sources in several
 * calls (inventory.c, a batch's reach kept at a time) prepares the graph once. */
int ap_kernel__authority_all(const ap_kernel *k, const uint32_t *sources, uint32_t n,
                             unsigned nthreads, ap_authority_visit visit, void *ctx,
                             ap_error *err);

#define AP_KERNEL_LMAX 8        /* words of lanes a batch at most (run.h's LMAX) */

/* A lanes run's report of node v in a batch of nb sources (source index base + 64 j + b is bit b
 * of word j): w[c * L + j] the lanes holding rights class c (cmask[c] its rights), w[K * L + j]
 * those holding anything; cls the classes some lane holds. */
typedef struct {
    uint32_t base, nb;
    unsigned L, K;
    const ap_rights *cmask;
} ap_kernel_batch;
typedef void (*ap_kernel_lanes_visit)(void *ctx, const ap_kernel_batch *b, uint32_t v,
                                      const uint64_t *w, uint64_t cls);

/* A lanes run (lanes.c): the sources' authorities one batch at a time, on the caller's thread,
 * each settled node's words handed to a visitor; the same batch may be run again, blocked or
 * not. */
typedef struct ap_kernel_lanes ap_kernel_lanes;
/* L: words of lanes a batch (1..8; 0: the kernel's choice for one thread). */
int ap_kernel__lanes_new(ap_kernel_lanes **out, const ap_kernel *k, const uint32_t *sources,
                         uint32_t n, unsigned L, ap_error *err);
uint32_t ap_kernel__lanes_batches(const ap_kernel_lanes *r);
/* Its words of lanes a batch (1..AP_KERNEL_LMAX), and the last batch run as the visitor saw it. */
unsigned ap_kernel__lanes_l(const ap_kernel_lanes *r);
const ap_kernel_batch *ap_kernel__lanes_batch(const ap_kernel_lanes *r);
/* Batch b (sources [b * 64 * L, ...)): every node some lane holds something at, once, to visit,
 * in the kernel's order (settled). blocked: a partner other than a lane's source sends nothing
 * on for that lane (docs/design.md, direct holding). AP_ENOMEM, AP_EBUG. */
int ap_kernel__lanes_run(ap_kernel_lanes *r, uint32_t b, bool blocked,
                         ap_kernel_lanes_visit visit, void *ctx, ap_error *err);
void ap_kernel__lanes_free(ap_kernel_lanes *r);

/* Tests: the words of lanes per batch (1 to 8: 64 to 512 sources); 0, the default, lets the
 * kernel size them to the graph. */
extern unsigned ap_kernel__words;
/* Tests: the places a chunk of a worker's words holds, as a power of two (0, the default: about
 * 16 MiB a chunk), and the chunks a worker may allocate (0: no limit; past it, out of memory). */
extern unsigned ap_kernel__chunk_shift, ap_kernel__chunks_max;
void ap_kernel__free(ap_kernel *k);

/* ---- classes.c ---- */

/* A 64-bit hash finaliser (for the open-addressing tables of the kernel's files). */
static inline size_t ap_kernel__mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x;
}

/* Open addressing over the distinct masks of the estate (there are few). */
typedef struct {
    ap_rights *keys;
    uint8_t *used;
    size_t cap, n;
} ap_kmask_set;

/* Add a mask to the set (once); nonzero when out of memory. */
int ap_kernel__mask_add(ap_kmask_set *s, ap_rights m);
/* Each rights bit's class (cls[bit]), refined by every mask in s so that each mask is a union of
 * classes; returns how many classes. */
unsigned ap_kernel__refine(unsigned *cls, const ap_kmask_set *s);
/* A rights mask as a mask over k's classes. */
uint64_t ap_kernel__to_classes(const ap_kernel *k, ap_rights m);
/* The edge type (rc, qc, esc) in k->types, interned (cap: its capacity); -1: out of memory. */
int64_t ap_kernel__type_of(ap_kernel *k, uint64_t rc, uint64_t qc, bool esc, size_t *cap);

typedef struct {
    char **keys;                /* owned copies */
    uint32_t *ids;
    size_t cap, n;
} ap_kdom_set;

/* The number of node v's domain (its 'domain' attribute, else its id for a partner, else
 * "home"); -1 when out of memory. */
int64_t ap_kernel__node_domain(ap_kdom_set *d, const ap_graph *g, uint32_t v);
void ap_kernel__dom_free(ap_kdom_set *d);

#endif
