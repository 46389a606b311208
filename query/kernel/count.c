/* query/kernel/count.c: the blast radius's counters: bit-sliced rows by kind and by signature
 * (sensitivity, classes held), the lists, class weights, and the counts read out per batch. */
#include <stdlib.h>
#include <string.h>

#include "../query_internal.h"
#include "run.h"

int ap_kernel__push_cut(uint32_t **list, uint32_t *n, uint32_t x, uint32_t cut)
{
    if (cut == 0)
        return ap_kernel__push(list, n, x);
    uint32_t *l = *list, i = *n;
    if (i == cut && x >= l[cut - 1])
        return 0;               /* most pushes, once full: past the least cut */
    if (l == NULL && (l = *list = malloc((size_t)cut * sizeof *l)) == NULL)
        return -1;
    if (i == cut)
        i--;                    /* the greatest goes */
    for (; i > 0 && l[i - 1] > x; i--)
        l[i] = l[i - 1];
    l[i] = x;
    *n += *n < cut;
    return 0;
}

int ap_kernel__push(uint32_t **list, uint32_t *n, uint32_t x)
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

void ap_kernel__count_carry(worker *wk, uint32_t r, unsigned j, uint64_t m)
{
    uint32_t *h = wk->hi + ((size_t)r * wk->sh->L + j) * 64;
    for (; m != 0; m &= m - 1)
        h[__builtin_ctzll(m)] += (uint32_t)1 << PLANES;
}

/* Lanes m[L] hold at p (words w) the classes of each part: split m by the classes held, all
 * L words at once (a node's lanes fall into a few patterns; split word by word they were
 * looked up and counted once a word), and count each part in its signature row. */
int ap_kernel__count_held(worker *wk, const uint64_t *w, uint64_t cls, const uint64_t *m,
                          uint32_t ks)
{
    unsigned L = wk->sh->L, ng = 0;
    uint64_t (*gm)[LMAX] = wk->gm, *gp = wk->gp;
    uint64_t full[LMAX], rest[LMAX], wc[LMAX], here = 0, anyfull = 0, anyrest = 0;
    /* the classes some lane of m holds (cls: some source, any lane), and the lanes that hold
     * every one of them (often most) */
    for (unsigned j = 0; j < L; j++)
        full[j] = m[j];
    for (uint64_t x = cls; x != 0; x &= x - 1) {
        unsigned c = (unsigned)__builtin_ctzll(x);
        uint64_t one = 0;
        for (unsigned j = 0; j < L; j++) {
            wc[j] = w[c * L + j] & m[j];
            one |= wc[j];
        }
        if (one == 0)
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
        uint64_t one = 0;
        for (unsigned j = 0; j < L; j++) {
            wc[j] = w[c * L + j] & rest[j];
            one |= wc[j];
        }
        if (one == 0)
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
int ap_kernel__count_edge(worker *wk, uint32_t meta, uint32_t eid, const uint64_t *got)
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

static int cmp_u32(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* A batch's lists are sorted once each: a partner's can hold most of the estate's identities
 * (the cyclic shape: tens of thousands), so the long ones go by a radix sort (three passes of
 * 11 bits, linear) instead of qsort's n log n comparisons through a function pointer. */
#define RADIX_MIN 256

void ap_kernel__sort_ids(uint32_t *v, uint32_t n)
{
    uint32_t *tmp = n >= RADIX_MIN ? malloc((size_t)n * sizeof *tmp) : NULL;
    if (tmp == NULL) {
        if (n > 1)              /* an empty list is NULL: qsort must not see it */
            qsort(v, n, sizeof *v, cmp_u32);
        return;
    }
    uint32_t *from = v, *to = tmp;
    for (unsigned shift = 0; shift < 33; shift += 11) {
        uint32_t count[2048] = { 0 };
        for (uint32_t i = 0; i < n; i++)
            count[from[i] >> shift & 2047]++;
        for (uint32_t d = 0, sum = 0; d < 2048; d++) {
            uint32_t c = count[d];
            count[d] = sum;
            sum += c;
        }
        for (uint32_t i = 0; i < n; i++)        /* stable: equal digits keep their order */
            to[count[from[i] >> shift & 2047]++] = from[i];
        uint32_t *t = from;
        from = to;
        to = t;
    }
    if (from != v)              /* three passes: the result is in tmp */
        memcpy(v, from, (size_t)n * sizeof *v);
    free(tmp);
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
    const uint64_t *planes = row_at(wk, r) + j;
    memcpy(v, wk->hi + ((size_t)r * wk->sh->L + j) * 64, 64 * sizeof *v);
    for (unsigned i = 0; i < PLANES; i++)
        for (uint64_t m = planes[i * wk->sh->L]; m != 0; m &= m - 1)
            v[__builtin_ctzll(m)] |= (uint32_t)1 << i;
}

/* The counters into the batch's blast radii. */
void ap_kernel__extract(worker *wk)
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

/* Class weights: a class weighs what its heaviest named right weighs (unnamed bits: 0). */
void ap_kernel__weigh_classes(shared *sh)
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
