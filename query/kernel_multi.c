/* query/kernel_multi.c: every partner's authority at once. Up to 512 sources per batch, L
 * machine words per rights class per node (bit i of word j: source 64j + i of the batch), swept
 * once in topological order of the strongly connected components; worker threads take batches
 * in turn. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_internal.h"
#include "query_internal.h"

enum { MODE_RIGHTS, MODE_BLAST };


#define PLANES 32       /* bit-sliced counters: 64 lanes of 32-bit counts per word */
#define LMAX 8          /* words of lanes per batch at most: 512 sources */

typedef struct {
    const ap_kernel *k;
    const uint32_t *sources;
    uint32_t nsources;
    unsigned L;             /* words of lanes: a batch is 64 * L sources */
    int mode;
    ap_authority_visit visit;
    void *vctx;
    /* blast */
    const ap_weights *w;
    unsigned flags;
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
    /* by position, K + 1 rows of L words: for each rights class the sources that hold it, then
     * their union (the sources that hold anything) */
    uint64_t *st;           /* the positions before the sinks */
    uint64_t *cls;          /* by position before the sinks: the classes some source holds */
    uint64_t *acc;          /* the sink being pulled: (K + 1) x L words */
    uint64_t acc_cls;
    uint64_t *touch;        /* a bit per position: its words are not all zero */
    uint64_t *done;         /* a bit per position before the sinks: settled in this batch */
    uint32_t *settled, nsettled;    /* ... and their list, to clear at the end of the batch */
    uint32_t *lidx;         /* by position: 0, or 1 + its row in lmask (the batch's sources) */
    uint64_t *lmask;        /* rows of L words: the lanes whose source is that position */
    uint32_t nl;
    uint32_t *work;
    uint8_t *inq;
    uint64_t *delta;        /* by position in the largest cyclic component: (K + 1) x L words */
    uint64_t *cnt;          /* nrows x L x PLANES */
    uint32_t nrows, rowcap;
    sig_key *sig;           /* open addressing: signature -> row (sigrow) */
    uint32_t *sigrow, sigcap, nsig;
    uint32_t last_ks, last_row;     /* the last signature looked up */
    uint64_t last_pattern;
    uint64_t tmp[AP_MAX_RIGHTS * LMAX];
    uint32_t base;          /* source index of lane 0 */
    unsigned nb;            /* sources in this batch */
} worker;

/* Add 1 to the lanes in m: a ripple carry through the bit planes. */
static inline void vc_add(uint64_t *planes, uint64_t m)
{
    for (unsigned i = 0; m != 0 && i < PLANES; i++) {
        uint64_t carry = planes[i] & m;
        planes[i] ^= m;
        m = carry;
    }
}

/* Row r's planes for word j. */
static inline uint64_t *row_at(const worker *wk, uint32_t r, unsigned j)
{
    return wk->cnt + ((size_t)r * wk->sh->L + j) * PLANES;
}

static int push(uint32_t **list, uint32_t *n, uint32_t x)
{
    if (*n == 0 || (*n & (*n - 1)) == 0) {      /* grow at powers of two */
        uint32_t *p = realloc(*list, (*n ? (size_t)*n * 2 : 4) * sizeof *p);
        if (p == NULL)
            return -1;
        *list = p;
    }
    (*list)[(*n)++] = x;
    return 0;
}

/* The row of signature (ks, pattern), made on first use; UINT32_MAX when out of memory. */
static uint32_t sig_find(worker *wk, uint32_t ks, uint64_t pattern)
{
    if (2 * (wk->nsig + 1) > wk->sigcap) {
        uint32_t cap = wk->sigcap ? wk->sigcap * 2 : 64;
        sig_key *keys = calloc(cap, sizeof *keys);
        uint32_t *rows = malloc(cap * sizeof *rows);
        if (keys == NULL || rows == NULL) {
            free(keys);
            free(rows);
            return UINT32_MAX;
        }
        for (uint32_t i = 0; i < wk->sigcap; i++) {
            if (wk->sig[i].ks == 0)
                continue;
            size_t h = ap_kernel__mix(wk->sig[i].pattern ^ (uint64_t)wk->sig[i].ks << 57) & (cap - 1);
            while (keys[h].ks != 0)
                h = (h + 1) & (cap - 1);
            keys[h] = wk->sig[i];
            rows[h] = wk->sigrow[i];
        }
        free(wk->sig);
        free(wk->sigrow);
        wk->sig = keys;
        wk->sigrow = rows;
        wk->sigcap = cap;
    }
    size_t h = ap_kernel__mix(pattern ^ (uint64_t)ks << 57) & (wk->sigcap - 1);
    for (; wk->sig[h].ks != 0; h = (h + 1) & (wk->sigcap - 1))
        if (wk->sig[h].ks == ks && wk->sig[h].pattern == pattern)
            return wk->sigrow[h];
    if (wk->nrows == wk->rowcap) {
        uint32_t cap = wk->rowcap * 2;
        size_t per = (size_t)wk->sh->L * PLANES;
        uint64_t *c = realloc(wk->cnt, (size_t)cap * per * sizeof *c);
        if (c == NULL)
            return UINT32_MAX;
        memset(c + (size_t)wk->rowcap * per, 0, (size_t)(cap - wk->rowcap) * per * sizeof *c);
        wk->cnt = c;
        wk->rowcap = cap;
    }
    wk->sig[h].ks = ks;
    wk->sig[h].pattern = pattern;
    wk->sigrow[h] = wk->nrows;
    wk->nsig++;
    return wk->nrows++;
}

static inline uint32_t sig_row(worker *wk, uint32_t ks, uint64_t pattern)
{
    if (ks != wk->last_ks || pattern != wk->last_pattern) {
        uint32_t r = sig_find(wk, ks, pattern);
        if (r == UINT32_MAX)
            return r;
        wk->last_ks = ks;
        wk->last_pattern = pattern;
        wk->last_row = r;
    }
    return wk->last_row;
}

/* Position p's words: [c * L + j] word j of the sources holding class c, [K * L + j] of those
 * holding anything (a sink's are the scratch words it is pulled into). */
static inline uint64_t *at(const worker *wk, uint32_t p)
{
    if (p >= wk->sh->k->nns)
        return wk->acc;
    return wk->st + (size_t)p * (wk->sh->k->K + 1) * wk->sh->L;
}

/* The sources holding anything at p, into any[L]; returns the classes that some source holds
 * there (0: none holds anything). */
static inline uint64_t held(const worker *wk, uint32_t p, uint64_t *any)
{
    const uint64_t *w = at(wk, p) + wk->sh->k->K * wk->sh->L;
    for (unsigned j = 0; j < wk->sh->L; j++)
        any[j] = w[j];
    return p >= wk->sh->k->nns ? wk->acc_cls : wk->cls[p];
}

/* The lanes whose source is position p, word j. */
static inline uint64_t lane_word(const worker *wk, uint32_t p, unsigned j)
{
    uint32_t i = wk->lidx[p];
    return i == 0 ? 0 : wk->lmask[(size_t)(i - 1) * wk->sh->L + j];
}

/* What slot type t carries from a node holding (any, in; classes cls) into out (K x L words,
 * only the classes returned are written); got[L]: the sources to which it carries anything.
 * Returns the classes carried (0: nothing). docs/design.md's round rule, 64 * L sources at a time. */
static inline uint64_t carry(const worker *wk, const ap_ktype *t, const uint64_t *any,
                             uint64_t cls, const uint64_t *in, uint64_t *out, uint64_t *got)
{
    unsigned L = wk->sh->L;
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

/* OR what arrives (classes cls of K x L words, got: their union) into position v (before the
 * sinks); true when v changed. */
static inline bool deliver(worker *wk, uint32_t v, const uint64_t *w, uint64_t cls,
                           const uint64_t *got)
{
    unsigned L = wk->sh->L;
    uint64_t *dst = at(wk, v), changed = 0, *any = dst + wk->sh->k->K * L;
    wk->touch[v >> 6] |= (uint64_t)1 << (v & 63);
    wk->cls[v] |= cls;
    for (unsigned j = 0; j < L; j++)
        any[j] |= got[j];
    for (; cls != 0; cls &= cls - 1) {
        unsigned c = (unsigned)__builtin_ctzll(cls);
        for (unsigned j = c * L; j < (c + 1) * L; j++) {
            changed |= w[j] & ~dst[j];
            dst[j] |= w[j];
        }
    }
    return changed != 0;
}

/* One slot from u (whose sources holding anything are any[L], classes cls): deliver (unless the
 * target is not live) and set got[L] to the sources it carries authority for (an edge into a
 * dead node only for the source that is that node); returns nonzero when there are some. */
static inline uint64_t slot_step(worker *wk, const ap_kslot *s, uint32_t u, const uint64_t *any,
                                 uint64_t cls, bool send, bool *changed, uint64_t *got)
{
    const ap_kernel *k = wk->sh->k;
    unsigned L = wk->sh->L;
    const ap_ktype *t = &k->types[s->meta & AP_KMETA_TYPE];
    const uint64_t *in = at(wk, u);
    uint64_t outc;
    if (t->plain) {
        for (unsigned j = 0; j < L; j++)
            got[j] = any[j];
        outc = cls;
    } else {
        outc = carry(wk, t, any, cls, in, wk->tmp, got);
        in = wk->tmp;
    }
    if (s->meta & AP_KMETA_DEAD) {
        uint64_t all = 0;
        for (unsigned j = 0; j < L; j++) {
            got[j] &= lane_word(wk, s->dst, j);
            all |= got[j];
        }
        return all;
    }
    if (send && outc != 0)
        *changed = deliver(wk, s->dst, in, outc, got);
    return outc;
}

/* Lanes m of word j hold at p (words w) the classes of each part: split m by class, and count
 * each part in its signature row. */
static int count_held(worker *wk, const uint64_t *w, uint64_t cls, unsigned j, uint64_t m,
                      uint32_t ks)
{
    unsigned L = wk->sh->L, ng = 1;
    uint64_t gm[64], gp[64];
    gm[0] = m;
    gp[0] = 0;
    for (; cls != 0; cls &= cls - 1) {
        unsigned c = (unsigned)__builtin_ctzll(cls);
        uint64_t wc = w[c * L + j] & m;
        if (wc == 0)
            continue;
        for (unsigned g = 0, n = ng; g < n; g++) {
            uint64_t in = gm[g] & wc, out = gm[g] & ~wc;
            if (in == 0)
                continue;
            if (out == 0) {
                gp[g] |= (uint64_t)1 << c;
                continue;
            }
            gm[g] = out;
            gm[ng] = in;
            gp[ng++] = gp[g] | (uint64_t)1 << c;
        }
    }
    for (unsigned g = 0; g < ng; g++) {
        uint32_t r = sig_row(wk, ks, gp[g]);
        if (r == UINT32_MAX)
            return AP_ENOMEM;
        vc_add(row_at(wk, r, j), gm[g]);
    }
    return AP_OK;
}

/* An edge that carried authority to the sources got[L]: count it when it escalates or crosses a
 * domain boundary. */
static int count_edge(worker *wk, uint32_t meta, uint32_t eid, const uint64_t *got)
{
    shared *sh = wk->sh;
    const ap_ktype *t = &sh->k->types[meta & AP_KMETA_TYPE];
    int bad = 0;
    if (!t->esc && !(meta & AP_KMETA_BOUNDARY))
        return AP_OK;
    for (unsigned j = 0; j < sh->L; j++) {
        if (got[j] == 0)
            continue;
        if (t->esc)
            vc_add(row_at(wk, ROW_ESC, j), got[j]);
        if (meta & AP_KMETA_BOUNDARY)
            vc_add(row_at(wk, ROW_BND, j), got[j]);
        if (!(sh->flags & AP_BLAST_LISTS))
            continue;
        for (uint64_t m = got[j]; m != 0; m &= m - 1) {
            ap_blast *bl = sh->out[wk->base + j * 64 + (unsigned)__builtin_ctzll(m)];
            if (t->esc)
                bad |= push(&bl->escalations, &bl->nescalations, eid);
            if (meta & AP_KMETA_BOUNDARY)
                bad |= push(&bl->boundaries, &bl->nboundaries, eid);
        }
    }
    return bad ? AP_ENOMEM : AP_OK;
}

/* A settled node: its rights are final. Report them, count what it adds to each source's
 * blast radius, and send along its edges from slot `from` on. */
static int settle(worker *wk, uint32_t p, uint32_t from)
{
    shared *sh = wk->sh;
    const ap_kernel *k = sh->k;
    unsigned K = k->K, L = sh->L;
    const ap_kpos *ps = &k->at[p];
    uint32_t v = ps->node, end = ps[1].off;
    uint64_t *w = at(wk, p), any[LMAX], got[LMAX];
    int bad = 0;
    uint64_t cls = held(wk, p, any);

    /* the targets are scattered: ask for their words before the counting */
    for (uint32_t e = ps->ext > from ? ps->ext : from; e < end && e < from + 16; e++)
        if (!(k->slot[e].meta & AP_KMETA_DEAD) && k->slot[e].dst < k->nns)
            __builtin_prefetch(at(wk, k->slot[e].dst), 1);
    if (sh->mode == MODE_RIGHTS) {
        for (unsigned j = 0; j < L; j++)
            for (uint64_t m = any[j]; m != 0; m &= m - 1) {
                unsigned b = (unsigned)__builtin_ctzll(m);
                ap_rights r = 0;
                for (unsigned c = 0; c < K; c++)
                    if (w[c * L + j] >> b & 1)
                        r |= k->cmask[c];
                sh->visit(sh->vctx, wk->base + j * 64 + b, v, r);
            }
    } else {
        ap_kind kind = (ap_kind)(ps->info & 7);
        bool counted = kind == AP_KIND_RESOURCE || kind == AP_KIND_WORKFLOW;
        uint32_t ks = 1 + (kind == AP_KIND_WORKFLOW ? AP_SENS_COUNT : 0)
                      + ((ps->info & AP_KPOS_INFO) >> 3);
        bool lists = (sh->flags & AP_BLAST_LISTS)
                     && (kind == AP_KIND_WORKFLOW || kind == AP_KIND_IDENTITY
                         || kind == AP_KIND_PARTNER);
        for (unsigned j = 0; j < L; j++) {
            uint64_t m = any[j] & ~lane_word(wk, p, j);    /* the reach excludes the source */
            if (m == 0)
                continue;
            if (counted)
                bad |= count_held(wk, w, cls, j, m, ks);
            else
                vc_add(row_at(wk, (uint32_t)kind, j), m);
            for (; lists && m != 0; m &= m - 1) {
                ap_blast *bl = sh->out[wk->base + j * 64 + (unsigned)__builtin_ctzll(m)];
                if (kind == AP_KIND_WORKFLOW)
                    bad |= push(&bl->workflows, &bl->nworkflows, v);
                else if (kind == AP_KIND_IDENTITY)
                    bad |= push(&bl->identities, &bl->nidentities, v);
                else
                    bad |= push(&bl->partners, &bl->npartners, v);
            }
        }
    }
    for (uint32_t e = from; e < end; e++) {
        const ap_kslot *s = &k->slot[e];
        bool changed = false;
        /* a row can be long (a hub's grants): keep asking a few targets ahead */
        if (e + 16 < end && e + 16 >= ps->ext && !(k->slot[e + 16].meta & AP_KMETA_DEAD)
            && k->slot[e + 16].dst < k->nns)
            __builtin_prefetch(at(wk, k->slot[e + 16].dst), 1);
        if (!(s->meta & AP_KMETA_DEAD) && s->dst >= k->nns) {
            /* a sink pulls (and counts the edge) when the sweep reaches it */
            wk->touch[s->dst >> 6] |= (uint64_t)1 << (s->dst & 63);
            continue;
        }
        if (slot_step(wk, s, p, any, cls, e >= ps->ext, &changed, got) != 0
            && sh->mode == MODE_BLAST)
            bad |= count_edge(wk, s->meta, k->eid[e], got);
    }
    return bad ? AP_ENOMEM : AP_OK;
}

/* Sink p: what its predecessors (settled in this batch) carry into it, then settled. */
static int pull(worker *wk, uint32_t p)
{
    shared *sh = wk->sh;
    const ap_kernel *k = sh->k;
    unsigned K = k->K, L = sh->L;
    uint64_t *acc = wk->acc, cls = 0, any[LMAX], got[LMAX], *acc_any = acc + K * L;
    const ap_kin *in = k->in + k->inoff[p - k->nns], *end = k->in + k->inoff[p - k->nns + 1];
    int bad = 0;
    if (wk->lidx[p] != 0) {         /* the sink is a source of the batch: it holds everything */
        for (unsigned c = 0; c <= K; c++)
            for (unsigned j = 0; j < L; j++)
                acc[c * L + j] |= lane_word(wk, p, j);
        cls = K == 64 ? ~(uint64_t)0 : ((uint64_t)1 << K) - 1;
    }
    for (; in < end; in++) {
        if (in + 8 < end && (wk->done[in[8].src >> 6] >> (in[8].src & 63) & 1))
            __builtin_prefetch(at(wk, in[8].src), 0);
        if (!(wk->done[in->src >> 6] >> (in->src & 63) & 1))
            continue;
        const uint64_t *from = at(wk, in->src);
        uint64_t ucls = held(wk, in->src, any), outc;
        const ap_ktype *t = &k->types[in->meta & AP_KMETA_TYPE];
        if (ucls == 0)
            continue;
        if (t->plain) {
            for (unsigned j = 0; j < L; j++)
                got[j] = any[j];
            outc = ucls;
        } else {
            outc = carry(wk, t, any, ucls, from, wk->tmp, got);
            from = wk->tmp;
        }
        if (outc == 0)
            continue;
        cls |= outc;
        for (uint64_t m = outc; m != 0; m &= m - 1) {
            unsigned c = (unsigned)__builtin_ctzll(m);
            for (unsigned j = c * L; j < (c + 1) * L; j++)
                acc[j] |= from[j];
        }
        for (unsigned j = 0; j < L; j++)
            acc_any[j] |= got[j];
        if (sh->mode == MODE_BLAST)
            bad |= count_edge(wk, in->meta, in->eid, got);
    }
    if (bad)
        return AP_ENOMEM;
    wk->acc_cls = cls;
    int rc = cls != 0 ? settle(wk, p, k->at[p].off) : AP_OK;
    memset(acc, 0, (size_t)(K + 1) * L * sizeof *acc);
    wk->acc_cls = 0;
    return rc;
}

/* Position p (before the sinks) is settled: its words stay until the batch ends, for the sinks
 * to pull. */
static inline void mark_done(worker *wk, uint32_t p)
{
    wk->done[p >> 6] |= (uint64_t)1 << (p & 63);
    wk->settled[wk->nsettled++] = p;
}

/* OR what arrives into position v as deliver() does, and the bits that are new to v into its
 * delta dd ((K + 1) x L words); true when v changed. */
static inline bool deliver_delta(worker *wk, uint32_t v, const uint64_t *w, uint64_t cls,
                                 const uint64_t *got, uint64_t *dd)
{
    unsigned K = wk->sh->k->K, L = wk->sh->L;
    uint64_t *dst = at(wk, v), changed = 0;
    wk->cls[v] |= cls;
    for (unsigned j = 0; j < L; j++) {
        uint64_t nb = got[j] & ~dst[K * L + j];
        dst[K * L + j] |= got[j];
        dd[K * L + j] |= nb;
    }
    for (; cls != 0; cls &= cls - 1) {
        unsigned c = (unsigned)__builtin_ctzll(cls);
        for (unsigned j = c * L; j < (c + 1) * L; j++) {
            uint64_t nb = w[j] & ~dst[j];
            dst[j] |= w[j];
            dd[j] |= nb;
            changed |= nb;
        }
    }
    return changed != 0;
}

/* A cyclic component [lo, hi): its inner edges to the fixpoint with a worklist that sends only
 * what is new at a node since it last sent (its delta) over the edges that pass classes as
 * they are (plain, or masked without a gate), and the node's whole holdings over gated and
 * escalating ones (a new gate bit opens them for what was held before); then every member is
 * settled. The sources reached it from earlier components already. */
static int settle_component(worker *wk, uint32_t lo, uint32_t hi)
{
    const ap_kernel *k = wk->sh->k;
    unsigned K = k->K, L = wk->sh->L, KL1 = (K + 1) * L;
    uint64_t any[LMAX], got[LMAX], dcopy[(AP_MAX_RIGHTS + 1) * LMAX];
    uint32_t nw = 0;
    for (uint32_t p = lo; p < hi; p++)
        if (held(wk, p, any) != 0) {
            memcpy(wk->delta + (size_t)(p - lo) * KL1, at(wk, p), KL1 * sizeof *wk->delta);
            wk->work[nw++] = p;
            wk->inq[p] = 1;
        }
    if (nw == 0)
        return AP_OK;
    while (nw > 0) {
        uint32_t u = wk->work[--nw];
        uint64_t *d = wk->delta + (size_t)(u - lo) * KL1, dcls = 0;
        wk->inq[u] = 0;
        memcpy(dcopy, d, KL1 * sizeof *d);
        memset(d, 0, KL1 * sizeof *d);
        for (unsigned c = 0; c < K; c++) {
            uint64_t one = 0;
            for (unsigned j = 0; j < L; j++)
                one |= dcopy[c * L + j];
            dcls |= (uint64_t)(one != 0) << c;
        }
        uint64_t cls = held(wk, u, any);
        for (uint32_t e = k->at[u].off; e < k->at[u].ext; e++) {
            const ap_kslot *s = &k->slot[e];
            const ap_ktype *t = &k->types[s->meta & AP_KMETA_TYPE];
            const uint64_t *w;
            uint64_t outc;
            if (t->plain) {
                w = dcopy;
                outc = dcls;
                for (unsigned j = 0; j < L; j++)
                    got[j] = dcopy[K * L + j];
            } else if (t->qc == 0 && !t->esc) {
                outc = carry(wk, t, dcopy + K * L, dcls, dcopy, wk->tmp, got);
                w = wk->tmp;
            } else {
                outc = carry(wk, t, any, cls, at(wk, u), wk->tmp, got);
                w = wk->tmp;
            }
            if (outc != 0
                && deliver_delta(wk, s->dst, w, outc, got,
                                 wk->delta + (size_t)(s->dst - lo) * KL1)
                && !wk->inq[s->dst]) {
                wk->inq[s->dst] = 1;
                wk->work[nw++] = s->dst;
            }
        }
    }
    for (uint32_t p = lo; p < hi; p++) {
        if (held(wk, p, any) == 0)
            continue;
        int rc = settle(wk, p, k->at[p].off);
        if (rc < 0)
            return rc;
        mark_done(wk, p);
    }
    return AP_OK;
}

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static void sort_ids(uint32_t *v, uint32_t n)
{
    if (n > 1)                  /* an empty list is NULL: qsort must not see it */
        qsort(v, n, sizeof *v, cmp_u32);
}

/* The weight of the heaviest class in a pattern (0: none weighs). */
static int pattern_weight(const shared *sh, uint64_t pattern)
{
    for (unsigned i = 0; i < sh->nweighted; i++)
        if (pattern >> sh->byweight[i] & 1)
            return sh->cweight[sh->byweight[i]];
    return 0;
}

/* Row r's counts of the 64 lanes of word j, into v. */
static void row_counts(const worker *wk, uint32_t r, unsigned j, uint32_t *v)
{
    const uint64_t *planes = row_at(wk, r, j);
    memset(v, 0, 64 * sizeof *v);
    for (unsigned i = 0; i < PLANES; i++)
        for (uint64_t m = planes[i]; m != 0; m &= m - 1)
            v[__builtin_ctzll(m)] |= (uint32_t)1 << i;
}

/* The counters into the batch's blast radii. */
static void extract(worker *wk)
{
    shared *sh = wk->sh;
    const ap_vocab *voc = ap_graph_vocab(sh->k->g);
    uint32_t v[64];
    for (unsigned j = 0; j * 64 < wk->nb; j++) {
        ap_blast **out = sh->out + wk->base + j * 64;
        unsigned nl = wk->nb - j * 64 < 64 ? wk->nb - j * 64 : 64;
        for (int kd = 0; kd < AP_KIND_COUNT; kd++) {
            if (kd == AP_KIND_RESOURCE || kd == AP_KIND_WORKFLOW)
                continue;
            row_counts(wk, (uint32_t)kd, j, v);
            for (unsigned i = 0; i < nl; i++)
                out[i]->by_kind[kd] = v[i];
        }
        for (uint32_t h = 0; h < wk->sigcap; h++) {
            const sig_key *key = &wk->sig[h];
            if (key->ks == 0)
                continue;
            unsigned s = (key->ks - 1) % AP_SENS_COUNT;
            int kd = key->ks - 1 >= AP_SENS_COUNT ? AP_KIND_WORKFLOW : AP_KIND_RESOURCE;
            int64_t weight = (int64_t)sh->w->sens_weight[s] * pattern_weight(sh, key->pattern);
            row_counts(wk, wk->sigrow[h], j, v);
            for (unsigned i = 0; i < nl; i++) {
                if (v[i] == 0)
                    continue;
                ap_blast *bl = out[i];
                bl->by_kind[kd] += v[i];
                bl->by_sens[s] += v[i];
                for (unsigned r = 0; r < voc->count; r++)
                    if (key->pattern >> sh->rclass[r] & 1)
                        bl->by_sens_right[s][r] += v[i];
                bl->score += (int64_t)v[i] * weight;
                bl->score_by_sens[s] += (int64_t)v[i] * weight;
            }
        }
        row_counts(wk, ROW_ESC, j, v);
        for (unsigned i = 0; i < nl; i++)
            out[i]->nescalations = v[i];
        row_counts(wk, ROW_BND, j, v);
        for (unsigned i = 0; i < nl; i++) {
            out[i]->nboundaries = v[i];
            out[i]->nworkflows = out[i]->by_kind[AP_KIND_WORKFLOW];
            out[i]->nidentities = out[i]->by_kind[AP_KIND_IDENTITY];
            out[i]->npartners = out[i]->by_kind[AP_KIND_PARTNER];
        }
    }
}

static int run_batch(worker *wk, uint32_t batch)
{
    shared *sh = wk->sh;
    const ap_kernel *k = sh->k;
    unsigned L = sh->L, W = 64 * L;
    uint32_t base = batch * W, nb = sh->nsources - base < W ? sh->nsources - base : W;
    int rc = AP_OK;
    wk->base = base;
    wk->nb = nb;
    /* round 0: each source holds everything */
    for (unsigned b = 0; b < nb; b++) {
        uint32_t p = k->pos[sh->sources[base + b]];
        unsigned j = b / 64;
        uint64_t bit = (uint64_t)1 << (b % 64);
        if (wk->lidx[p] == 0) {
            wk->lidx[p] = ++wk->nl;
            memset(wk->lmask + (size_t)(wk->nl - 1) * L, 0, L * sizeof *wk->lmask);
        }
        wk->lmask[(size_t)(wk->lidx[p] - 1) * L + j] |= bit;
        wk->touch[p >> 6] |= (uint64_t)1 << (p & 63);
        for (unsigned c = 0; c <= k->K && p < k->nns; c++)  /* a sink: when it is pulled */
            at(wk, p)[c * L + j] |= bit;
        if (p < k->nns)
            wk->cls[p] = k->K == 64 ? ~(uint64_t)0 : ((uint64_t)1 << k->K) - 1;
    }
    if (sh->mode == MODE_BLAST)
        memset(wk->cnt, 0, (size_t)wk->nrows * L * PLANES * sizeof *wk->cnt);
    /* the sweep, over the touched positions only: each component is final once its
     * predecessors (all at earlier positions) have sent; what it sends goes to later ones */
    for (uint32_t wi = 0; wi < (k->n + 63) / 64 && rc == AP_OK; wi++) {
        uint64_t word;
        while (rc == AP_OK && (word = wk->touch[wi]) != 0) {
            uint32_t p = wi * 64 + (uint32_t)__builtin_ctzll(word);
            if (k->at[p].info & AP_KPOS_CYCLIC) {
                uint32_t lo = k->clo[p], hi = k->cyc_hi[lo];
                rc = settle_component(wk, lo, hi);
                for (uint32_t q = lo; q < hi; q++)
                    wk->touch[q >> 6] &= ~((uint64_t)1 << (q & 63));
                continue;
            }
            if (p >= k->nns) {
                rc = pull(wk, p);
            } else {
                rc = settle(wk, p, k->at[p].off);
                mark_done(wk, p);
            }
            wk->touch[wi] &= ~((uint64_t)1 << (p & 63));
        }
    }
    for (uint32_t i = 0; i < wk->nsettled; i++) {
        uint32_t p = wk->settled[i];
        memset(at(wk, p), 0, (k->K + 1) * L * sizeof *wk->st);
        wk->cls[p] = 0;
        wk->done[p >> 6] = 0;
    }
    wk->nsettled = 0;
    for (unsigned b = 0; b < nb; b++)
        wk->lidx[k->pos[sh->sources[base + b]]] = 0;
    wk->nl = 0;
    if (rc < 0 || sh->mode != MODE_BLAST)
        return rc;
    /* the lists' lengths (pushed as they were found), before the counters overwrite them */
    uint32_t len[64 * LMAX][5];
    for (unsigned b = 0; b < nb; b++) {
        const ap_blast *bl = sh->out[base + b];
        len[b][0] = bl->nworkflows;
        len[b][1] = bl->nidentities;
        len[b][2] = bl->npartners;
        len[b][3] = bl->nescalations;
        len[b][4] = bl->nboundaries;
    }
    extract(wk);
    for (unsigned b = 0; b < nb && (sh->flags & AP_BLAST_LISTS); b++) {
        ap_blast *bl = sh->out[base + b];
        uint32_t nwf = len[b][0], nid = len[b][1], np = len[b][2], nesc = len[b][3];
        uint32_t nbnd = len[b][4];
        /* the lists were filled in position order: id order (and edge order) is the contract */
        if (nwf != bl->nworkflows || nid != bl->nidentities || np != bl->npartners
            || nesc != bl->nescalations || nbnd != bl->nboundaries)
            return AP_EBUG;
        sort_ids(bl->workflows, nwf);
        sort_ids(bl->identities, nid);
        sort_ids(bl->partners, np);
        sort_ids(bl->escalations, nesc);
        sort_ids(bl->boundaries, nbnd);
    }
    return AP_OK;
}

/* Streaming: the results of batch b, made before it runs. */
static int open_batch(shared *sh, uint32_t b)
{
    uint32_t W = 64 * sh->L, base = b * W, end = base + W < sh->nsources ? base + W : sh->nsources;
    for (uint32_t i = base; i < end; i++) {
        if ((sh->out[i] = calloc(1, sizeof *sh->out[i])) == NULL)
            return AP_ENOMEM;
        sh->out[i]->partner = sh->sources[i];
    }
    return AP_OK;
}

/* Streaming: batch b's results go to emit once every earlier batch's have, then are freed. */
static int close_batch(shared *sh, uint32_t b, int rc)
{
    uint32_t W = 64 * sh->L, base = b * W, end = base + W < sh->nsources ? base + W : sh->nsources;
    pthread_mutex_lock(&sh->mu);
    while (rc == AP_OK && sh->next_emit != b && atomic_load(&sh->failed) == 0)
        pthread_cond_wait(&sh->cv, &sh->mu);
    if (rc == AP_OK && atomic_load(&sh->failed) == 0)
        for (uint32_t i = base; i < end && rc == AP_OK; i++)
            if (sh->emit(sh->ectx, i, sh->out[i]) != 0)
                rc = AP_EIO;
    for (uint32_t i = base; i < end; i++) {
        ap_blast_free(sh->out[i]);
        sh->out[i] = NULL;
    }
    if (rc < 0) {                   /* before anyone wakes: no later batch may go out */
        int zero = 0;
        atomic_compare_exchange_strong(&sh->failed, &zero, rc);
    }
    sh->next_emit = b + 1;
    pthread_cond_broadcast(&sh->cv);
    pthread_mutex_unlock(&sh->mu);
    return rc;
}

static void fail_run(shared *sh, int rc)
{
    int zero = 0;
    atomic_compare_exchange_strong(&sh->failed, &zero, rc);
    if (sh->emit != NULL) {         /* wake the workers waiting for their turn */
        pthread_mutex_lock(&sh->mu);
        pthread_cond_broadcast(&sh->cv);
        pthread_mutex_unlock(&sh->mu);
    }
}

static void *work(void *arg)
{
    worker *wk = arg;
    shared *sh = wk->sh;
    uint32_t W = 64 * sh->L, nbatches = (sh->nsources + W - 1) / W;
    for (;;) {
        uint32_t b = atomic_fetch_add(&sh->next, 1);
        if (b >= nbatches || atomic_load(&sh->failed) != 0)
            break;
        int rc = sh->emit != NULL ? open_batch(sh, b) : AP_OK;
        if (rc == AP_OK)
            rc = run_batch(wk, b);
        if (sh->emit != NULL)
            rc = close_batch(sh, b, rc);
        if (rc < 0) {
            fail_run(sh, rc);
            break;
        }
    }
    return NULL;
}

static void worker_free(worker *wk)
{
    free(wk->st);
    free(wk->cls);
    free(wk->acc);
    free(wk->touch);
    free(wk->done);
    free(wk->settled);
    free(wk->lidx);
    free(wk->lmask);
    free(wk->work);
    free(wk->inq);
    free(wk->delta);
    free(wk->cnt);
    free(wk->sig);
    free(wk->sigrow);
}

unsigned ap_kernel__words;

/* The words of lanes per batch: as many as keep every worker busy and the workers' words within
 * about 768 MiB (K x L words per node before the sinks, each). */
static unsigned lane_words(const ap_kernel *k, uint32_t nsources, unsigned nthreads)
{
    size_t per_word = ((size_t)k->nns + 1) * (k->K + 1) * sizeof(uint64_t) * nthreads;
    uint32_t words = (nsources + 63) / 64;
    unsigned L = LMAX;
    while (L > 1 && ((size_t)L * per_word > ((size_t)768 << 20) || (L / 2) * nthreads >= words))
        L /= 2;
    return L;
}

/* Run the batches on nthreads workers (the calling thread is one of them). */
static int run(shared *sh, unsigned nthreads, ap_error *err)
{
    const ap_kernel *k = sh->k;
    worker *wk;
    pthread_t tid[64];
    unsigned started = 0, i;
    int rc = AP_OK;
    if (nthreads == 0)
        nthreads = 1;
    if (nthreads > 64)
        nthreads = 64;
    if (sh->L == 0)
        sh->L = ap_kernel__words >= 1 && ap_kernel__words <= LMAX
                    ? ap_kernel__words : lane_words(k, sh->nsources, nthreads);
    uint32_t W = 64 * sh->L, nbatches = (sh->nsources + W - 1) / W;
    if (nthreads > nbatches)
        nthreads = nbatches ? nbatches : 1;
    if ((wk = calloc(nthreads, sizeof *wk)) == NULL)
        return ap_error_nomem(err);
    uint32_t maxcomp = 1;
    for (uint32_t p = 0; p < k->nns; p++)
        if (k->cyc_hi[p] != 0 && k->cyc_hi[p] - p > maxcomp)
            maxcomp = k->cyc_hi[p] - p;
    for (i = 0; i < nthreads; i++) {
        size_t n = (size_t)k->n + 1;
        wk[i].sh = sh;
        wk[i].st = ap_query__big_calloc(((size_t)k->nns + 1) * (k->K + 1) * sh->L,
                                        sizeof *wk[i].st);
        wk[i].cls = ap_query__big_calloc((size_t)k->nns + 1, sizeof *wk[i].cls);
        wk[i].acc = calloc((size_t)(k->K + 1) * sh->L, sizeof *wk[i].acc);
        wk[i].touch = calloc(n / 64 + 1, sizeof *wk[i].touch);
        wk[i].done = calloc(n / 64 + 1, sizeof *wk[i].done);
        wk[i].settled = malloc(n * sizeof *wk[i].settled);
        wk[i].lidx = calloc(n, sizeof *wk[i].lidx);
        wk[i].lmask = malloc((size_t)W * sh->L * sizeof *wk[i].lmask);
        wk[i].work = malloc(n * sizeof *wk[i].work);
        wk[i].inq = calloc(n, 1);
        wk[i].delta = calloc((size_t)maxcomp * (k->K + 1) * sh->L, sizeof *wk[i].delta);
        wk[i].rowcap = ROW_SIG0 + 16;
        wk[i].nrows = ROW_SIG0;
        wk[i].cnt = calloc((size_t)wk[i].rowcap * sh->L * PLANES, sizeof *wk[i].cnt);
        if (wk[i].st == NULL || wk[i].cls == NULL || wk[i].acc == NULL || wk[i].touch == NULL || wk[i].done == NULL
            || wk[i].settled == NULL || wk[i].lidx == NULL
            || wk[i].lmask == NULL || wk[i].work == NULL || wk[i].inq == NULL
            || wk[i].delta == NULL
            || wk[i].cnt == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    atomic_init(&sh->next, 0);
    atomic_init(&sh->failed, 0);
    for (started = 1; started < nthreads; started++)
        if (pthread_create(&tid[started], NULL, work, &wk[started]) != 0)
            break;
    work(&wk[0]);
    for (i = 1; i < started; i++)
        pthread_join(tid[i], NULL);

    if ((rc = atomic_load(&sh->failed)) < 0)
        rc = rc == AP_ENOMEM ? ap_error_nomem(err)
           : rc == AP_EIO    ? ap_error_set(err, AP_EIO, "the results could not be written")
                             : ap_error_set(err, AP_EBUG, "the all-partners kernel lost count");
cleanup:
    for (i = 0; i < nthreads; i++)
        worker_free(&wk[i]);
    free(wk);
    return rc;
}

static int check_sources(const ap_graph *g, const uint32_t *sources, uint32_t n, ap_error *err)
{
    for (uint32_t i = 0; i < n; i++)
        if (sources[i] >= ap_graph_node_count(g))
            return ap_error_set(err, AP_EBUG, "source %u out of range", sources[i]);
    return AP_OK;
}

int ap_authority_all(const ap_graph *g, const uint32_t *sources, uint32_t n, unsigned nthreads,
                     ap_authority_visit visit, void *ctx, ap_error *err)
{
    shared sh;
    ap_kernel *k = NULL;
    int rc;
    if ((rc = check_sources(g, sources, n, err)) < 0 || n == 0)
        return rc;
    if ((rc = ap_kernel__prepare(&k, g, err)) < 0)
        return rc;
    memset(&sh, 0, sizeof sh);
    sh.k = k;
    sh.sources = sources;
    sh.nsources = n;
    sh.mode = MODE_RIGHTS;
    sh.visit = visit;
    sh.vctx = ctx;
    rc = run(&sh, nthreads, err);
    ap_kernel__free(k);
    return rc;
}

void ap_blast_list_free(ap_blast **list, uint32_t n)
{
    for (uint32_t i = 0; list != NULL && i < n; i++)
        ap_blast_free(list[i]);
    free(list);
}

/* Class weights: a class weighs what its heaviest named right weighs (unnamed bits: 0). */
static void weigh_classes(shared *sh)
{
    const ap_kernel *k = sh->k;
    const ap_vocab *voc = ap_graph_vocab(k->g);
    for (unsigned c = 0; c < k->K; c++) {
        sh->cweight[c] = 0;
        for (unsigned r = 0; r < voc->count; r++)
            if ((k->cmask[c] >> r & 1) && sh->w->right_weight[r] > sh->cweight[c])
                sh->cweight[c] = sh->w->right_weight[r];
    }
    for (unsigned r = 0; r < voc->count; r++)
        for (unsigned c = 0; c < k->K; c++)
            if (k->cmask[c] >> r & 1)
                sh->rclass[r] = (int)c;
    sh->nweighted = 0;
    for (unsigned c = 0; c < k->K; c++)
        if (sh->cweight[c] > 0)
            sh->byweight[sh->nweighted++] = c;
    for (unsigned i = 1; i < sh->nweighted; i++) {     /* heaviest first */
        unsigned x = sh->byweight[i], j = i;
        while (j > 0 && sh->cweight[sh->byweight[j - 1]] < sh->cweight[x]) {
            sh->byweight[j] = sh->byweight[j - 1];
            j--;
        }
        sh->byweight[j] = x;
    }
}

int ap_blast_each(const ap_graph *g, const uint32_t *sources, uint32_t n, const ap_weights *w,
                  unsigned flags, unsigned nthreads, ap_blast_emit emit, void *ctx,
                  ap_error *err)
{
    shared sh;
    ap_kernel *k = NULL;
    ap_blast **slots;
    int rc;
    if ((rc = check_sources(g, sources, n, err)) < 0 || n == 0)
        return rc;
    if ((slots = calloc(n, sizeof *slots)) == NULL)
        return ap_error_nomem(err);
    if ((rc = ap_kernel__prepare(&k, g, err)) < 0) {
        free(slots);
        return rc;
    }
    memset(&sh, 0, sizeof sh);
    sh.k = k;
    sh.sources = sources;
    sh.nsources = n;
    sh.mode = MODE_BLAST;
    sh.w = w;
    sh.flags = flags;
    sh.out = slots;
    sh.emit = emit;
    sh.ectx = ctx;
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    weigh_classes(&sh);
    rc = run(&sh, nthreads, err);
    pthread_mutex_destroy(&sh.mu);
    pthread_cond_destroy(&sh.cv);
    ap_blast_list_free(slots, n);       /* what a failed run left behind */
    ap_kernel__free(k);
    return rc;
}

int ap_blast_all(ap_blast ***out, const ap_graph *g, const uint32_t *sources, uint32_t n,
                 const ap_weights *w, unsigned flags, unsigned nthreads, ap_error *err)
{
    shared sh;
    ap_kernel *k = NULL;
    ap_blast **list = NULL;
    int rc;
    *out = NULL;
    if ((rc = check_sources(g, sources, n, err)) < 0)
        return rc;
    if ((list = calloc((size_t)n + 1, sizeof *list)) == NULL)
        return ap_error_nomem(err);
    for (uint32_t i = 0; i < n; i++) {
        if ((list[i] = calloc(1, sizeof *list[i])) == NULL) {
            ap_blast_list_free(list, i);
            return ap_error_nomem(err);
        }
        list[i]->partner = sources[i];
    }
    if (n > 0) {
        if ((rc = ap_kernel__prepare(&k, g, err)) < 0)
            goto fail;
        memset(&sh, 0, sizeof sh);
        sh.k = k;
        sh.sources = sources;
        sh.nsources = n;
        sh.mode = MODE_BLAST;
        sh.w = w;
        sh.flags = flags;
        sh.out = list;
        weigh_classes(&sh);
        rc = run(&sh, nthreads, err);
        ap_kernel__free(k);
        if (rc < 0)
            goto fail;
    }
    *out = list;
    return AP_OK;
fail:
    ap_blast_list_free(list, n);
    return rc;
}
