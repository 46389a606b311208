/* query/kernel/held.c: what a settled node adds to its batch's blast radii: its lanes split by
 * the classes they hold, each part counted in its signature's row, and the edges counted. */
#include <stdlib.h>
#include <string.h>

#include "../query_internal.h"
#include "run.h"

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
            size_t h = ap_kernel__mix(wk->sig[i].pattern ^ (uint64_t)wk->sig[i].ks << 57)
                       & (cap - 1);
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
        size_t per = (size_t)wk->sh->L * PLANES, hper = (size_t)wk->sh->L * 64;
        uint64_t *c = realloc(wk->cnt, (size_t)cap * per * sizeof *c);
        if (c == NULL)
            return UINT32_MAX;
        memset(c + (size_t)wk->rowcap * per, 0, (size_t)(cap - wk->rowcap) * per * sizeof *c);
        wk->cnt = c;
        uint32_t *hc = realloc(wk->hi, (size_t)cap * hper * sizeof *hc);
        if (hc == NULL)
            return UINT32_MAX;
        memset(hc + (size_t)wk->rowcap * hper, 0, (size_t)(cap - wk->rowcap) * hper * sizeof *hc);
        wk->hi = hc;
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
    if (wk->direct != NULL) {       /* few classes: a flat table over (ks, pattern) */
        uint32_t *d = &wk->direct[(size_t)ks << wk->sh->k->K | pattern];
        if (*d == 0) {
            uint32_t r = sig_find(wk, ks, pattern);
            if (r == UINT32_MAX)
                return r;
            *d = r + 1;
        }
        return *d - 1;
    }
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

/* The lanes of m[L] that hold class c at words w, into out[L]; nonzero when there are some. */
static inline uint64_t class_lanes(const uint64_t *w, unsigned c, const uint64_t *m, unsigned L,
                                   uint64_t *out)
{
    uint64_t one = 0;
    for (unsigned j = 0; j < L; j++) {
        out[j] = w[c * L + j] & m[j];
        one |= out[j];
    }
    return one;
}

/* Lanes m[L] hold at p (words w) the classes of each part: split m by the classes held, all
 * L words at once (a node's lanes fall into a few patterns; split word by word they were
 * looked up and counted once a word), and count each part in its signature row. */
int KFN(ap_kernel__count_held)(worker *wk, const uint64_t *w, uint64_t cls, const uint64_t *m,
                               uint32_t ks)
{
    unsigned L = KL(wk), ng = 0;
    uint64_t (*gm)[LMAX] = wk->gm, *gp = wk->gp;
    uint64_t full[LMAX], rest[LMAX], wc[LMAX], here = 0, anyfull = 0, anyrest = 0;
    /* the classes some lane of m holds (cls: some source, any lane), and the lanes that hold
     * every one of them (often most) */
    for (unsigned j = 0; j < L; j++)
        full[j] = m[j];
    for (uint64_t x = cls; x != 0; x &= x - 1) {
        unsigned c = (unsigned)__builtin_ctzll(x);
        if (class_lanes(w, c, m, L, wc) == 0)
            continue;
        here |= (uint64_t)1 << c;
        for (unsigned j = 0; j < L; j++)
            full[j] &= wc[j];
    }
    for (unsigned j = 0; j < L; j++) {
        rest[j] = m[j] & ~full[j];
        anyfull |= full[j];
        anyrest |= rest[j];
    }
    if (anyfull != 0) {
        for (unsigned j = 0; j < L; j++)
            gm[ng][j] = full[j];
        gp[ng++] = here;
    }
    if (anyrest != 0) {
        for (unsigned j = 0; j < L; j++)
            gm[ng][j] = rest[j];
        gp[ng++] = 0;
    }
    for (uint64_t x = anyrest != 0 ? here : 0; x != 0; x &= x - 1) {
        unsigned c = (unsigned)__builtin_ctzll(x);
        if (class_lanes(w, c, rest, L, wc) == 0)
            continue;
        for (unsigned g = anyfull != 0, n = ng; g < n; g++) {
            uint64_t in = 0, out = 0;
            for (unsigned j = 0; j < L; j++) {
                in |= gm[g][j] & wc[j];
                out |= gm[g][j] & ~wc[j];
            }
            if (in == 0)
                continue;
            if (out == 0) {
                gp[g] |= (uint64_t)1 << c;
                continue;
            }
            for (unsigned j = 0; j < L; j++) {
                gm[ng][j] = gm[g][j] & wc[j];
                gm[g][j] &= ~wc[j];
            }
            gp[ng++] = gp[g] | (uint64_t)1 << c;
        }
    }
    for (unsigned g = 0; g < ng; g++) {
        uint32_t r = sig_row(wk, ks, gp[g]);
        if (r == UINT32_MAX)
            return AP_ENOMEM;
        count_add_all(wk, r, gm[g]);
    }
    return AP_OK;
}

/* An edge that carried authority to the sources got[L]: count it when it escalates or crosses a
 * domain boundary. */
int KFN(ap_kernel__count_edge)(worker *wk, uint32_t meta, uint32_t eid, const uint64_t *got)
{
    shared *sh = wk->sh;
    const ap_ktype *t = &sh->k->types[meta & AP_KMETA_TYPE];
    int bad = 0;
    if (!t->esc && !(meta & AP_KMETA_BOUNDARY))
        return AP_OK;
    for (unsigned j = 0; j < KL(wk); j++) {
        if (got[j] == 0)
            continue;
        if (t->esc)
            count_add(wk, ROW_ESC, j, got[j]);
        if (meta & AP_KMETA_BOUNDARY)
            count_add(wk, ROW_BND, j, got[j]);
        if (!(sh->flags & AP_BLAST_LISTS))
            continue;
        for (uint64_t m = got[j]; m != 0; m &= m - 1) {
            ap_blast *bl = sh->out[wk->base + j * 64 + (unsigned)__builtin_ctzll(m)];
            if (t->esc)
                bad |= ap_kernel__push_cut(&bl->escalations, &bl->nescalations, eid, sh->cut);
            if (meta & AP_KMETA_BOUNDARY)
                bad |= ap_kernel__push_cut(&bl->boundaries, &bl->nboundaries, eid, sh->cut);
        }
    }
    return bad ? AP_ENOMEM : AP_OK;
}

