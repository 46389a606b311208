/* query/kernel/count.c: the blast radius's counters outside the sweep (held.c fills them): the
 * carries past the bit planes, the lists, class weights, and the counts read out per batch. */
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

void ap_kernel__count_carry(worker *wk, uint32_t r, unsigned j, uint64_t m)
{
    uint32_t *h = wk->hi + ((size_t)r * wk->sh->L + j) * 64;
    for (; m != 0; m &= m - 1)
        h[__builtin_ctzll(m)] += (uint32_t)1 << PLANES;
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
