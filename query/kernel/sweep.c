/* query/kernel/sweep.c: one batch's sweep in topological order: a settled node sends its words
 * along its edges; a cyclic component goes to its fixpoint by a worklist of deltas. */
#include <stdlib.h>
#include <string.h>

#include "../query_internal.h"
#include "run.h"

/* OR what arrives (classes cls of K x L words, got: their union) into position v (before the
 * sinks); true when v changed. */
static inline bool deliver(worker *wk, uint32_t v, const uint64_t *w, uint64_t cls,
                           const uint64_t *got)
{
    unsigned L = KL(wk);
    uint64_t *dst = at_write(wk, v), changed = 0, *any = dst + wk->sh->k->K * L;
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

/* One slot from a node holding in (whose sources holding anything are any[L], classes cls):
 * deliver (unless the target is not live) and set got[L] to the sources it carries authority
 * for (an edge into a dead node only for the source that is that node); returns nonzero when
 * there are some. */
static inline uint64_t slot_step(worker *wk, const ap_kslot *s, const uint64_t *in,
                                 const uint64_t *any, uint64_t cls, bool send, bool *changed,
                                 uint64_t *got)
{
    const ap_kernel *k = wk->sh->k;
    unsigned L = KL(wk);
    const ap_ktype *t = &k->types[s->meta & AP_KMETA_TYPE];
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

/* A settled node: its rights are final. Report them, count what it adds to each source's
 * blast radius, and send along its edges from slot `from` on. */
int KFN(ap_kernel__settle)(worker *wk, uint32_t p, uint32_t from)
{
    shared *sh = wk->sh;
    const ap_kernel *k = sh->k;
    unsigned K = k->K, L = KL(wk);
    const ap_kpos *ps = &k->at[p];
    uint32_t v = ps->node, end = ps[1].off;
    const uint64_t *w = at(wk, p);
    uint64_t any[LMAX], got[LMAX];
    int bad = 0;
    uint64_t cls = held(wk, p, any);

    /* the targets are scattered: ask for their words before the counting */
    for (uint32_t e = ps->ext > from ? ps->ext : from; e < end && e < from + 16; e++)
        if (!(k->slot[e].meta & AP_KMETA_DEAD) && k->slot[e].dst < k->nns)
            prefetch_rows(wk, k->slot[e].dst, &k->types[k->slot[e].meta & AP_KMETA_TYPE], true);
    if (sh->mode == MODE_LANES) {
        sh->lanes(sh->vctx, &wk->lb, v, w, cls);
    } else if (sh->mode == MODE_RIGHTS) {
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
        uint64_t mine[LMAX], some = 0;
        for (unsigned j = 0; j < L; j++) {
            mine[j] = any[j] & ~lane_word(wk, p, j);       /* the reach excludes the source */
            some |= mine[j];
        }
        if (some != 0 && counted)
            bad |= KFN(ap_kernel__count_held)(wk, w, cls, mine, ks);
        else if (some != 0)
            count_add_all(wk, (uint32_t)kind, mine);
        for (unsigned j = 0; lists && j < L; j++) {
            for (uint64_t m = mine[j]; m != 0; m &= m - 1) {
                ap_blast *bl = sh->out[wk->base + j * 64 + (unsigned)__builtin_ctzll(m)];
                if (kind == AP_KIND_WORKFLOW)
                    bad |= ap_kernel__push_cut(&bl->workflows, &bl->nworkflows, v, sh->cut);
                else if (kind == AP_KIND_IDENTITY)
                    bad |= ap_kernel__push_cut(&bl->identities, &bl->nidentities, v, sh->cut);
                else
                    bad |= ap_kernel__push_cut(&bl->partners, &bl->npartners, v, sh->cut);
            }
        }
    }
    uint64_t stmp[(AP_MAX_RIGHTS + 1) * LMAX];
    w = sends(wk, p, w, any, &cls, stmp);
    for (uint32_t e = cls != 0 ? from : end; e < end; e++) {
        const ap_kslot *s = &k->slot[e];
        bool changed = false;
        /* a row can be long (a hub's grants): keep asking a few targets ahead */
        if (e + 16 < end && e + 16 >= ps->ext && !(k->slot[e + 16].meta & AP_KMETA_DEAD)
            && k->slot[e + 16].dst < k->nns)
            prefetch_rows(wk, k->slot[e + 16].dst,
                          &k->types[k->slot[e + 16].meta & AP_KMETA_TYPE], true);
        if (!(s->meta & AP_KMETA_DEAD) && s->dst >= k->nns) {
            /* a sink pulls (and counts the edge) when the sweep reaches it */
            wk->touch[s->dst >> 6] |= (uint64_t)1 << (s->dst & 63);
            continue;
        }
        if (slot_step(wk, s, w, any, cls, e >= ps->ext, &changed, got) != 0
            && sh->mode == MODE_BLAST)
            bad |= KFN(ap_kernel__count_edge)(wk, s->meta, k->eid[e], got);
    }
    return bad ? AP_ENOMEM : AP_OK;
}

/* OR what arrives into position v as deliver() does, and the bits that are new to v into its
 * delta dd ((K + 1) x L words); true when v changed. */
static inline bool deliver_delta(worker *wk, uint32_t v, const uint64_t *w, uint64_t cls,
                                 const uint64_t *got, uint64_t *dd, uint64_t *dcls)
{
    unsigned K = wk->sh->k->K, L = KL(wk);
    uint64_t *dst = at_write(wk, v), changed = 0;
    wk->cls[v] |= cls;
    for (unsigned j = 0; j < L; j++) {
        uint64_t nb = got[j] & ~dst[K * L + j];
        dst[K * L + j] |= got[j];
        dd[K * L + j] |= nb;
    }
    for (; cls != 0; cls &= cls - 1) {
        unsigned c = (unsigned)__builtin_ctzll(cls);
        uint64_t one = 0;
        for (unsigned j = c * L; j < (c + 1) * L; j++) {
            uint64_t nb = w[j] & ~dst[j];
            dst[j] |= w[j];
            dd[j] |= nb;
            one |= nb;
        }
        *dcls |= (uint64_t)(one != 0) << c;
        changed |= one;
    }
    return changed != 0;
}

/* A cyclic component [lo, hi): its inner edges to the fixpoint with a worklist that sends only
 * what is new at a node since it last sent (its delta) over the edges that pass classes as
 * they are (plain, or masked without a gate), and the node's whole holdings over gated and
 * escalating ones (a new gate bit opens them for what was held before); then every member is
 * settled. The sources reached it from earlier components already. */
/* Member u of the cyclic component from lo sends its delta (and is left with none): what is new
 * over the edges that pass classes as they are, its whole holdings over gated and escalating
 * ones; a member that changes is marked pending (npend: how many are). */
static void send_delta(worker *wk, uint32_t lo, uint32_t u, uint32_t *npend)
{
    const ap_kernel *k = wk->sh->k;
    unsigned K = k->K, L = KL(wk), KL1 = (K + 1) * L;
    uint64_t any[LMAX], got[LMAX], dcopy[(AP_MAX_RIGHTS + 1) * LMAX];
    uint64_t *d = wk->delta + (size_t)(u - lo) * KL1, dcls = wk->dcls[u - lo];
    uint64_t *src = d, htmp[(AP_MAX_RIGHTS + 1) * LMAX];
    bool self = false;
    /* an escalating edge to itself can add to the delta being sent: only then is it copied
     * out first; otherwise it is read in place and cleared after */
    for (uint32_t e = k->at[u].off; e < k->at[u].ext && !self; e++)
        self = k->slot[e].dst == u && k->types[k->slot[e].meta & AP_KMETA_TYPE].esc;
    wk->dcls[u - lo] = 0;
    if (self) {
        for (uint64_t x = dcls; x != 0; x &= x - 1) {
            unsigned c = (unsigned)__builtin_ctzll(x);
            for (unsigned j = c * L; j < (c + 1) * L; j++) {
                dcopy[j] = d[j];
                d[j] = 0;
            }
        }
        for (unsigned j = K * L; j < KL1; j++) {
            dcopy[j] = d[j];
            d[j] = 0;
        }
        src = dcopy;
    }
    uint64_t cls = held(wk, u, any);
    const uint64_t *hw = sends(wk, u, at(wk, u), any, &cls, htmp);
    if (hw != at(wk, u)) {          /* blocked: a partner sends only its own lanes' delta */
        uint64_t c = 0;
        for (uint64_t x = dcls; x != 0; x &= x - 1) {
            unsigned r = (unsigned)__builtin_ctzll(x);
            uint64_t one = 0;
            for (unsigned j = 0; j < L; j++)
                one |= src[r * L + j] &= lane_word(wk, u, j);
            c |= (uint64_t)(one != 0) << r;
        }
        for (unsigned j = 0; j < L; j++)
            src[K * L + j] &= lane_word(wk, u, j);
        dcls = c;
    }
    for (uint32_t e = k->at[u].off; e < k->at[u].ext; e++) {
        const ap_kslot *s = &k->slot[e];
        const ap_ktype *t = &k->types[s->meta & AP_KMETA_TYPE];
        const uint64_t *w;
        uint64_t outc;
        if (t->plain) {
            w = src;
            outc = dcls;
            for (unsigned j = 0; j < L; j++)
                got[j] = src[K * L + j];
        } else if (t->qc == 0 && !t->esc) {
            outc = carry(wk, t, src + K * L, dcls, src, wk->tmp, got);
            w = wk->tmp;
        } else {
            outc = carry(wk, t, any, cls, hw, wk->tmp, got);
            w = wk->tmp;
        }
        uint32_t r = s->dst - lo;
        if (outc != 0
            && deliver_delta(wk, s->dst, w, outc, got, wk->delta + (size_t)r * KL1,
                             &wk->dcls[r])
            && !(wk->pend[r >> 6] >> (r & 63) & 1)) {
            wk->pend[r >> 6] |= (uint64_t)1 << (r & 63);
            (*npend)++;
        }
    }
    if (self)
        return;
    for (uint64_t x = dcls; x != 0; x &= x - 1) {
        unsigned c = (unsigned)__builtin_ctzll(x);
        for (unsigned j = c * L; j < (c + 1) * L; j++)
            d[j] = 0;
    }
    for (unsigned j = K * L; j < KL1; j++)
        d[j] = 0;
}

int KFN(ap_kernel__settle_component)(worker *wk, uint32_t lo, uint32_t hi)
{
    const ap_kernel *k = wk->sh->k;
    unsigned K = k->K, L = KL(wk), KL1 = (K + 1) * L;
    uint64_t any[LMAX];
    uint32_t npend = 0;
    /* a member's delta: the rows of the classes in dcls[p - lo] and the union row; the other
     * rows are zero (and neither copied nor read) */
    for (uint32_t p = lo; p < hi; p++) {
        uint64_t cls = held(wk, p, any), *d = wk->delta + (size_t)(p - lo) * KL1;
        if (cls == 0)
            continue;
        const uint64_t *w = at(wk, p);
        for (uint64_t x = cls; x != 0; x &= x - 1) {
            unsigned c = (unsigned)__builtin_ctzll(x);
            for (unsigned j = c * L; j < (c + 1) * L; j++)
                d[j] = w[j];
        }
        for (unsigned j = K * L; j < KL1; j++)
            d[j] = w[j];
        wk->dcls[p - lo] = cls;
        wk->pend[(p - lo) >> 6] |= (uint64_t)1 << ((p - lo) & 63);
        npend++;
    }
    /* sweeps in position order (reverse postorder: the inner edges but the back edges go
     * forward) while some member has a delta to send; within a sweep a later member takes what
     * an earlier one sent it */
    while (npend > 0)
        for (uint32_t wi = 0; wi <= (hi - lo - 1) >> 6; wi++) {
            uint64_t word;
            while ((word = wk->pend[wi]) != 0) {
                uint32_t r = wi * 64 + (uint32_t)__builtin_ctzll(word);
                wk->pend[wi] &= ~((uint64_t)1 << (r & 63));
                npend--;
                send_delta(wk, lo, lo + r, &npend);
            }
        }
    for (uint32_t p = lo; p < hi; p++) {
        if (held(wk, p, any) == 0)
            continue;
        int rc = KFN(ap_kernel__settle)(wk, p, k->at[p].off);
        if (rc < 0)
            return rc;
        mark_done(wk, p);
    }
    return AP_OK;
}

/* The sweep, over the touched positions only: each component is final once its predecessors
 * (all at earlier positions) have sent; what it sends goes to later ones. */
int KFN(ap_kernel__sweep)(worker *wk)
{
    const ap_kernel *k = wk->sh->k;
    int rc = AP_OK;
    for (uint32_t wi = 0; wi < (k->n + 63) / 64 && rc == AP_OK; wi++) {
        uint64_t word;
        while (rc == AP_OK && (word = wk->touch[wi]) != 0) {
            uint32_t p = wi * 64 + (uint32_t)__builtin_ctzll(word);
            if (k->at[p].info & AP_KPOS_CYCLIC) {
                uint32_t lo = k->clo[p], hi = k->cyc_hi[lo];
                rc = KFN(ap_kernel__settle_component)(wk, lo, hi);
                for (uint32_t q = lo; q < hi; q++)
                    wk->touch[q >> 6] &= ~((uint64_t)1 << (q & 63));
                continue;
            }
            if (p >= k->nns) {
                rc = KFN(ap_kernel__pull)(wk, p);
            } else {
                rc = KFN(ap_kernel__settle)(wk, p, k->at[p].off);
                mark_done(wk, p);
            }
            wk->touch[wi] &= ~((uint64_t)1 << (p & 63));
        }
    }
    return rc;
}
