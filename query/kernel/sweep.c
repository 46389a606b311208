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

/* A settled node: its rights are final. Report them, count what it adds to each source's
 * blast radius, and send along its edges from slot `from` on. */
int ap_kernel__settle(worker *wk, uint32_t p, uint32_t from)
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
                bad |= ap_kernel__count_held(wk, w, cls, j, m, ks);
            else
                vc_add(row_at(wk, (uint32_t)kind, j), m);
            for (; lists && m != 0; m &= m - 1) {
                ap_blast *bl = sh->out[wk->base + j * 64 + (unsigned)__builtin_ctzll(m)];
                if (kind == AP_KIND_WORKFLOW)
                    bad |= ap_kernel__push(&bl->workflows, &bl->nworkflows, v);
                else if (kind == AP_KIND_IDENTITY)
                    bad |= ap_kernel__push(&bl->identities, &bl->nidentities, v);
                else
                    bad |= ap_kernel__push(&bl->partners, &bl->npartners, v);
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
            bad |= ap_kernel__count_edge(wk, s->meta, k->eid[e], got);
    }
    return bad ? AP_ENOMEM : AP_OK;
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
int ap_kernel__settle_component(worker *wk, uint32_t lo, uint32_t hi)
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
        int rc = ap_kernel__settle(wk, p, k->at[p].off);
        if (rc < 0)
            return rc;
        mark_done(wk, p);
    }
    return AP_OK;
}

/* The sweep, over the touched positions only: each component is final once its predecessors
 * (all at earlier positions) have sent; what it sends goes to later ones. */
int ap_kernel__sweep(worker *wk)
{
    const ap_kernel *k = wk->sh->k;
    int rc = AP_OK;
    for (uint32_t wi = 0; wi < (k->n + 63) / 64 && rc == AP_OK; wi++) {
        uint64_t word;
        while (rc == AP_OK && (word = wk->touch[wi]) != 0) {
            uint32_t p = wi * 64 + (uint32_t)__builtin_ctzll(word);
            if (k->at[p].info & AP_KPOS_CYCLIC) {
                uint32_t lo = k->clo[p], hi = k->cyc_hi[lo];
                rc = ap_kernel__settle_component(wk, lo, hi);
                for (uint32_t q = lo; q < hi; q++)
                    wk->touch[q >> 6] &= ~((uint64_t)1 << (q & 63));
                continue;
            }
            if (p >= k->nns) {
                rc = ap_kernel__pull(wk, p);
            } else {
                rc = ap_kernel__settle(wk, p, k->at[p].off);
                mark_done(wk, p);
            }
            wk->touch[wi] &= ~((uint64_t)1 << (p & 63));
        }
    }
    return rc;
}
