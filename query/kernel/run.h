/* query/kernel/run.h: what a run of the all-partners kernel shares between its files: the
 * batch's lanes and words per position (worker), the carry rule over them, and the counters. */
#ifndef AUTHPATH_KERNEL_RUN_H
#define AUTHPATH_KERNEL_RUN_H

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "kernel.h"

/* The loops over a position's L words (L <= 8) stay loops: GCC turns such a copy or clear into
 * a call to memcpy or memset, dearer than the few words it moves (9% of the cyclic shape's run
 * went to memmove from the kernel's files). */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

enum { MODE_RIGHTS, MODE_BLAST, MODE_LANES };


#define PLANES 8        /* bit-sliced counters: 64 lanes of 8-bit counts per word (a cache
                         * line), carried over into 32-bit counts (hi) every 256 */
#define LMAX AP_KERNEL_LMAX     /* words of lanes per batch at most: 512 sources */

/* The words of lanes a batch as the hot files (sweep.c, pull.c, held.c) read it. wide.c compiles
 * them a second time with AP_KERNEL_WIDE, the width fixed at LMAX and each function named
 * NAME_wide: every loop over a position's words then has a known count and unrolls (18-25% of
 * the kernel's CPU on the three S=100 shapes, bench/RESULTS.md). A batch of LMAX words runs
 * those; narrower ones (small estates, tests) run the ones that read sh->L. */
#ifdef AP_KERNEL_WIDE
#define KL(wk) ((void)(wk), (unsigned)LMAX)
#define KFN(name) name##_wide
#else
#define KL(wk) ((wk)->sh->L)
#define KFN(name) name
#endif

typedef struct {
    const ap_kernel *k;
    const uint32_t *sources;
    uint32_t nsources;
    unsigned L;             /* words of lanes: a batch is 64 * L sources */
    int mode;
    ap_authority_visit visit;
    void *vctx;
    /* lanes (lanes.c): each settled node's words to lanes(vctx, ...); with blocked, a partner
     * sends only its own lanes on (what other sources hold there stops at it) */
    ap_kernel_lanes_visit lanes;
    bool blocked;
    /* blast */
    const ap_weights *w;
    unsigned flags;
    uint32_t cut;           /* AP_BLAST_LISTS_CUT's k, or 0 */
    ap_blast **out;
    unsigned byweight[AP_MAX_RIGHTS], nweighted;   /* classes with a weight, heaviest first */
    int cweight[AP_MAX_RIGHTS];
    int rclass[AP_MAX_RIGHTS];      /* vocabulary right -> its class */
    /* streaming (ap_blast_each): each batch's results handed on in order, then freed */
    ap_blast_emit emit;
    void *ectx;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint32_t next_emit;             /* the batch whose results go next */
    atomic_uint next;
    atomic_int failed;
} shared;

/* Counter rows: one per kind (resources and workflows are counted in signature rows instead),
 * escalations, boundaries, then one per signature (resource or workflow, sensitivity, the set of
 * classes held): a resource's lanes are split by what they hold, and each part goes into one row,
 * not into one row per class. */
#define ROW_ESC AP_KIND_COUNT
#define ROW_BND (AP_KIND_COUNT + 1)
#define ROW_SIG0 (AP_KIND_COUNT + 2)

typedef struct {
    uint64_t pattern;       /* classes held */
    uint32_t ks;            /* (workflow ? 1 : 0) * AP_SENS_COUNT + sensitivity, + 1; 0: free */
} sig_key;

typedef struct {
    shared *sh;
    /* a position's words, K + 1 rows of L words: for each rights class the sources that hold
     * it, then their union (the sources that hold anything). Only the positions written in the
     * batch have words: an arena handed out in the order they are first written, so that it
     * holds as many positions as the busiest batch reaches, not every position before the
     * sinks, and a batch's rows lie together in sweep order. The arena is chunks of
     * 1 << shift places, each allocated when the first place in it is handed out and never
     * moved (a pointer to a position's words stays valid): place r (from 0) is in
     * chunk[r >> shift]. Nothing is reserved for places no batch reaches, so the address
     * space follows the reach too. */
    uint64_t **chunk;
    uint32_t nchunks;       /* chunk[] entries, the ones not allocated yet NULL */
    uint32_t nalloc;        /* ... allocated */
    unsigned shift;
    size_t stride;          /* words a place: (K + 1) x L */
    bool oom;               /* a chunk could not be allocated: the batch's result is void */
    uint64_t *spill;        /* stride words written instead when that happened */
    uint32_t *row;          /* by position before the sinks: 0, or 1 + its words' place */
    uint32_t nrow;          /* places handed out in this batch */
    const uint64_t *zero;   /* (K + 1) x L zero words: a position without words holds nothing */
    uint64_t *cls;          /* by position before the sinks: the classes some source holds */
    uint64_t *acc;          /* the sink being pulled: (K + 1) x L words */
    uint64_t acc_cls;
    uint64_t *touch;        /* a bit per position: its words are not all zero */
    uint64_t *done;         /* a bit per position before the sinks: settled in this batch */
    uint32_t *settled, nsettled;    /* ... and their list, to clear at the end of the batch */
    uint32_t *lidx;         /* by position: 0, or 1 + its row in lmask (the batch's sources) */
    uint64_t *lmask;        /* rows of L words: the lanes whose source is that position */
    uint32_t nl;
    uint64_t *pend;         /* a bit per member of the cyclic component being settled */
    uint64_t *delta;        /* by position in the largest cyclic component: (K + 1) x L words */
    uint64_t *dcls;         /* ... and the classes whose delta rows are not zero */
    uint64_t *cnt;          /* nrows x PLANES x L: a row's plane i is L words side by side */
    uint32_t *hi;           /* nrows x L x 64: what carried out of the planes */
    uint32_t nrows, rowcap;
    uint32_t *direct;       /* K <= DIRECT_K: (ks << K | pattern) -> 1 + row; 0: not yet */
    sig_key *sig;           /* open addressing: signature -> row (sigrow) */
    uint32_t *sigrow, sigcap, nsig;
    uint32_t last_ks, last_row;     /* the last signature looked up */
    uint64_t last_pattern;
    uint64_t tmp[AP_MAX_RIGHTS * LMAX];
    uint64_t gm[64 * LMAX][LMAX];   /* count_held's groups of lanes (at most one a lane) */
    uint64_t gp[64 * LMAX];         /* ... and the classes each holds */
    ap_kernel_batch lb;     /* a lanes run's batch, as its visitor sees it */
    uint32_t base;          /* source index of lane 0 */
    unsigned nb;            /* sources in this batch */
} worker;

#define DIRECT_K 10     /* up to 2^10 patterns a signature kind: looked up in a flat table */

/* Row r's planes: plane i of word j at [i * L + j]. */
static inline uint64_t *row_at(const worker *wk, uint32_t r)
{
    return wk->cnt + (size_t)r * PLANES * KL(wk);
}

/* Row r, word j: the lanes in m whose count went past the planes (count.c). */
void ap_kernel__count_carry(worker *wk, uint32_t r, unsigned j, uint64_t m);

/* Add 1 to the lanes in m of row r, word j: a ripple carry through the bit planes. */
static inline void count_add(worker *wk, uint32_t r, unsigned j, uint64_t m)
{
    unsigned L = KL(wk);
    uint64_t *planes = row_at(wk, r) + j;
    for (unsigned i = 0; i < PLANES; i++) {
        uint64_t carry = planes[i * L] & m;
        planes[i * L] ^= m;
        if ((m = carry) == 0)
            return;
    }
    ap_kernel__count_carry(wk, r, j, m);
}

/* Add 1 to the lanes in m[L] of row r: the ripple carry through the planes for all L words at
 * once (a plane's words share a line). */
static inline void count_add_all(worker *wk, uint32_t r, const uint64_t *m)
{
    unsigned L = KL(wk);
    uint64_t *planes = row_at(wk, r), c[LMAX], more = 0;
    for (unsigned j = 0; j < L; j++)
        c[j] = m[j];
    for (unsigned i = 0; i < PLANES; i++, planes += L) {
        more = 0;
        for (unsigned j = 0; j < L; j++) {
            uint64_t carry = planes[j] & c[j];
            planes[j] ^= c[j];
            c[j] = carry;
            more |= carry;
        }
        if (more == 0)
            return;
    }
    for (unsigned j = 0; j < L; j++)
        if (c[j] != 0)
            ap_kernel__count_carry(wk, r, j, c[j]);
}

/* Position p's words, to read: [c * L + j] word j of the sources holding class c, [K * L + j]
 * of those holding anything (a sink's are the scratch words it is pulled into; a position that
 * nothing reached in this batch reads zero words). */
static inline const uint64_t *at(const worker *wk, uint32_t p)
{
    if (p >= wk->sh->k->nns)
        return wk->acc;
    uint32_t r = wk->row[p];
    if (r == 0)
        return wk->zero;
    r--;
    return wk->chunk[r >> wk->shift] + (size_t)(r & ((1u << wk->shift) - 1)) * wk->stride;
}

/* Allocate the chunk that place r (from 0) lies in; false when out of memory (batch.c). */
bool ap_kernel__chunk(worker *wk, uint32_t r);

/* Position p's words, to write: the next place in the arena on the batch's first write. */
static inline uint64_t *at_write(worker *wk, uint32_t p)
{
    if (p >= wk->sh->k->nns)
        return wk->acc;
    uint32_t r = wk->row[p];
    if (r == 0) {
        r = wk->nrow;
        if (wk->chunk[r >> wk->shift] == NULL && !ap_kernel__chunk(wk, r))
            return wk->spill;   /* the batch fails; until its end, writes land here */
        wk->row[p] = ++wk->nrow;
    } else {
        r--;
    }
    return wk->chunk[r >> wk->shift] + (size_t)(r & ((1u << wk->shift) - 1)) * wk->stride;
}

/* Ask for the rows of position p (before the sinks) that an edge of type t reads or writes:
 * its classes (every class for a plain edge), its gate's, and the union row. A position's
 * words span K + 1 rows of L words: the first line alone leaves the rest to miss. */
static inline void prefetch_rows(const worker *wk, uint32_t p, const ap_ktype *t, bool write)
{
    const ap_kernel *k = wk->sh->k;
    unsigned L = KL(wk);
    if (wk->row[p] == 0)        /* no words yet: a write takes the next place */
        return;
    const uint64_t *w = at(wk, p);
    uint64_t m = t->plain ? ~(uint64_t)0 : t->rc | t->qc;
    for (unsigned r = 0; r <= k->K; r++) {
        if (r < k->K && !(m >> r & 1))
            continue;
        for (unsigned j = 0; j < L; j += 8) {       /* a line: 8 words */
            if (write)
                __builtin_prefetch(w + (size_t)r * L + j, 1);
            else
                __builtin_prefetch(w + (size_t)r * L + j, 0);
        }
    }
}

/* The sources holding anything at p, into any[L]; returns the classes that some source holds
 * there (0: none holds anything). */
static inline uint64_t held(const worker *wk, uint32_t p, uint64_t *any)
{
    unsigned L = KL(wk);
    const uint64_t *w = at(wk, p) + wk->sh->k->K * L;
    for (unsigned j = 0; j < L; j++)
        any[j] = w[j];
    return p >= wk->sh->k->nns ? wk->acc_cls : wk->cls[p];
}

/* The lanes whose source is position p, word j. */
static inline uint64_t lane_word(const worker *wk, uint32_t p, unsigned j)
{
    uint32_t i = wk->lidx[p];
    return i == 0 ? 0 : wk->lmask[(size_t)(i - 1) * KL(wk) + j];
}

/* What slot type t carries from a node holding (any, in; classes cls) into out (K x L words,
 * only the classes returned are written); got[L]: the sources to which it carries anything.
 * Returns the classes carried (0: nothing). docs/design.md's round rule, 64 * L sources at a
 * time. */
static inline uint64_t carry(const worker *wk, const ap_ktype *t, const uint64_t *any,
                             uint64_t cls, const uint64_t *in, uint64_t *out, uint64_t *got)
{
    unsigned L = KL(wk);
    uint64_t gate[LMAX], all = 0, outc = 0;
    if (t->qc == 0 && !t->esc) {        /* a mask, no gate: the classes it lets through */
        for (unsigned j = 0; j < L; j++)
            got[j] = 0;
        for (uint64_t m = t->rc & cls; m != 0; m &= m - 1) {
            unsigned c = (unsigned)__builtin_ctzll(m);
            for (unsigned j = 0; j < L; j++) {
                out[c * L + j] = in[c * L + j];
                got[j] |= in[c * L + j];
            }
        }
        return t->rc & cls;
    }
    for (unsigned j = 0; j < L; j++) {
        gate[j] = t->qc != 0 ? 0 : any[j];
        got[j] = 0;
    }
    if (t->qc != 0)
        for (uint64_t m = t->qc & cls; m != 0; m &= m - 1) {
            unsigned c = (unsigned)__builtin_ctzll(m);
            for (unsigned j = 0; j < L; j++)
                gate[j] |= in[c * L + j];
        }
    for (unsigned j = 0; j < L; j++)
        all |= gate[j];
    if (all == 0)
        return 0;
    for (uint64_t m = t->esc ? t->rc : t->rc & cls; m != 0; m &= m - 1) {
        unsigned c = (unsigned)__builtin_ctzll(m);
        uint64_t one = 0;
        for (unsigned j = 0; j < L; j++) {
            uint64_t o = t->esc ? gate[j] : (gate[j] & in[c * L + j]);
            out[c * L + j] = o;
            got[j] |= o;
            one |= o;
        }
        outc |= (uint64_t)(one != 0) << c;
    }
    return outc;
}

/* Position p (before the sinks) is settled: its words stay until the batch ends, for the sinks
 * to pull. */
static inline void mark_done(worker *wk, uint32_t p)
{
    wk->done[p >> 6] |= (uint64_t)1 << (p & 63);
    wk->settled[wk->nsettled++] = p;
}

/* ---- batch.c ---- */

/* The largest cyclic component's size (a worker's delta rows), at least 1. */
uint32_t ap_kernel__max_component(const ap_kernel *k);
/* A worker's arrays for sh (sh->L set); AP_ENOMEM (free it with ap_kernel__worker_free). */
int ap_kernel__worker_init(worker *wk, shared *sh, uint32_t maxcomp);
void ap_kernel__worker_free(worker *wk);
/* Batch `batch` of sh's sources: swept, what it reports reported, the worker cleared. */
int ap_kernel__run_batch(worker *wk, uint32_t batch);
/* The words of lanes for a run of nsources on nthreads workers. */
unsigned ap_kernel__lane_words(const ap_kernel *k, uint32_t nsources, unsigned nthreads);

/* What position p sends on, of the words it holds (w, any; classes cls): everything, but in a
 * blocked run a partner that is not the batch's source of a lane sends nothing for it. Returns
 * w itself, or the masked copy in tmp ((K + 1) x L words; any and *cls masked in place). */
static inline const uint64_t *sends(const worker *wk, uint32_t p, const uint64_t *w,
                                    uint64_t *any, uint64_t *cls, uint64_t *tmp)
{
    const ap_kernel *k = wk->sh->k;
    unsigned K = k->K, L = KL(wk);
    if (!wk->sh->blocked || (k->at[p].info & 7) != AP_KIND_PARTNER)
        return w;
    uint64_t own[LMAX], some = 0, c = 0;
    for (unsigned j = 0; j < L; j++) {
        own[j] = lane_word(wk, p, j);
        any[j] &= own[j];
        some |= any[j];
    }
    for (unsigned r = 0; r < K && some != 0; r++) {
        uint64_t one = 0;
        for (unsigned j = 0; j < L; j++) {
            tmp[r * L + j] = w[r * L + j] & own[j];
            one |= tmp[r * L + j];
        }
        c |= (uint64_t)(one != 0) << r;
    }
    for (unsigned j = 0; j < L; j++)
        tmp[K * L + j] = any[j];
    *cls = some != 0 ? c & *cls : 0;
    return tmp;
}

/* ---- sweep.c (and wide.c: the same, named _wide, for batches of LMAX words) ---- */

/* The batch's sweep: every touched position settled in order (components to their fixpoint,
 * sinks pulled). */
int ap_kernel__sweep(worker *wk);
int ap_kernel__sweep_wide(worker *wk);
/* A settled node: report and count it, and send along its edges from slot `from` on. */
int KFN(ap_kernel__settle)(worker *wk, uint32_t p, uint32_t from);
int KFN(ap_kernel__settle_component)(worker *wk, uint32_t lo, uint32_t hi);

/* ---- pull.c (and wide.c) ---- */

/* Sink p: what its settled predecessors carry into it, then settled. */
int KFN(ap_kernel__pull)(worker *wk, uint32_t p);

/* ---- held.c (and wide.c) ---- */

/* Lanes m[L] hold at a node of signature kind ks (words w, classes cls): each counted in the
 * row of the classes it holds. */
int KFN(ap_kernel__count_held)(worker *wk, const uint64_t *w, uint64_t cls, const uint64_t *m,
                               uint32_t ks);
/* An edge that carried authority to the sources got[L]: counted when it escalates or crosses a
 * domain boundary. */
int KFN(ap_kernel__count_edge)(worker *wk, uint32_t meta, uint32_t eid, const uint64_t *got);

/* ---- count.c ---- */

/* Append x to a list that grows at powers of two; nonzero when out of memory. */
int ap_kernel__push(uint32_t **list, uint32_t *n, uint32_t x);
/* ap_kernel__push, or, cut > 0, into a sorted list of the cut least pushed (all of them, when
 * fewer): a push past them once it is full costs a comparison. */
int ap_kernel__push_cut(uint32_t **list, uint32_t *n, uint32_t x, uint32_t cut);
void ap_kernel__extract(worker *wk);
void ap_kernel__sort_ids(uint32_t *v, uint32_t n);
void ap_kernel__weigh_classes(shared *sh);

#endif
