/* query/kernel/pull.c: the sinks (no propagating edge out, no cycle) are pulled, not pushed
 * into: each reads what its settled predecessors carry into it when the sweep reaches it. */
#include <stdlib.h>
#include <string.h>

#include "../query_internal.h"
#include "run.h"

/* Sink p: what its predecessors (settled in this batch) carry into it, then settled. */
int KFN(ap_kernel__pull)(worker *wk, uint32_t p)
{
    shared *sh = wk->sh;
    const ap_kernel *k = sh->k;
    unsigned K = k->K, L = KL(wk);
    uint64_t *acc = wk->acc, cls = 0, any[LMAX], got[LMAX], *acc_any = acc + K * L;
    uint64_t ptmp[(AP_MAX_RIGHTS + 1) * LMAX];
    const ap_kin *in = k->in + k->inoff[p - k->nns], *end = k->in + k->inoff[p - k->nns + 1];
    int bad = 0;
    if (wk->lidx[p] != 0) {         /* the sink is a source of the batch: it holds everything */
        for (unsigned c = 0; c <= K; c++)
            for (unsigned j = 0; j < L; j++)
                acc[c * L + j] |= lane_word(wk, p, j);
        cls = K == 64 ? ~(uint64_t)0 : ((uint64_t)1 << K) - 1;
    }
    for (; in < end; in++) {
        if (in + 8 < end && (wk->done[in[8].src >> 6] >> (in[8].src & 63) & 1)) {
            prefetch_rows(wk, in[8].src, &k->types[in[8].meta & AP_KMETA_TYPE], false);
            __builtin_prefetch(&wk->cls[in[8].src], 0);
        }
        if (!(wk->done[in->src >> 6] >> (in->src & 63) & 1))
            continue;
        uint64_t ucls = held(wk, in->src, any), outc;
        const uint64_t *from = sends(wk, in->src, at(wk, in->src), any, &ucls, ptmp);
        const ap_ktype *t = &k->types[in->meta & AP_KMETA_TYPE];
        if (ucls == 0)
            continue;
        if (t->plain) {
            for (unsigned j = 0; j < L; j++)
                got[j] = any[j];
            outc = ucls;
        } else if (t->qc == 0 && !t->esc) {
            /* a mask, no gate: its classes straight from the predecessor's rows */
            uint64_t anyw[LMAX] = { 0 };
            outc = t->rc & ucls;
            for (uint64_t m = outc; m != 0; m &= m - 1) {
                unsigned c = (unsigned)__builtin_ctzll(m);
                for (unsigned j = c * L, i = 0; i < L; j++, i++) {
                    acc[j] |= from[j];
                    anyw[i] |= from[j];
                }
            }
            cls |= outc;
            for (unsigned j = 0; j < L; j++)
                acc_any[j] |= anyw[j];
            if (sh->mode == MODE_BLAST && (in->meta & AP_KMETA_BOUNDARY) && outc != 0)
                bad |= KFN(ap_kernel__count_edge)(wk, in->meta, in->eid, anyw);
            continue;
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
        if (sh->mode == MODE_BLAST && (t->esc || (in->meta & AP_KMETA_BOUNDARY)))
            bad |= KFN(ap_kernel__count_edge)(wk, in->meta, in->eid, got);
    }
    if (bad)
        return AP_ENOMEM;
    wk->acc_cls = cls;
    int rc = cls != 0 ? KFN(ap_kernel__settle)(wk, p, k->at[p].off) : AP_OK;
    for (; cls != 0; cls &= cls - 1)      /* only the rows written */
        for (unsigned j = 0; j < L; j++)
            acc[(size_t)__builtin_ctzll(cls) * L + j] = 0;
    for (unsigned j = 0; j < L; j++)
        acc_any[j] = 0;
    wk->acc_cls = 0;
    return rc;
}
