/* query/kernel/batch.c: every partner's authority at once: sources in batches of 64 x L lanes
 * (L words, up to 512 sources), worker threads taking batches in turn, and the entry points. */
#define _DEFAULT_SOURCE         /* madvise */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/mman.h>
#include <stdlib.h>
#include <string.h>

#include "../query_internal.h"
#include "run.h"

int ap_kernel__run_batch(worker *wk, uint32_t batch)
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
            at_write(wk, p)[c * L + j] |= bit;
        if (p < k->nns)
            wk->cls[p] = k->K == 64 ? ~(uint64_t)0 : ((uint64_t)1 << k->K) - 1;
    }
    if (sh->mode == MODE_BLAST) {
        memset(wk->cnt, 0, (size_t)wk->nrows * L * PLANES * sizeof *wk->cnt);
        memset(wk->hi, 0, (size_t)wk->nrows * L * 64 * sizeof *wk->hi);
    }
    rc = L == LMAX ? ap_kernel__sweep_wide(wk) : ap_kernel__sweep(wk);     /* wide.c */
    if (rc == AP_OK && wk->oom)
        rc = AP_ENOMEM;
    /* every position written is settled (it holds something), so the list frees its place */
    if (rc == AP_OK && wk->nsettled != wk->nrow)
        rc = AP_EBUG;
    for (uint32_t i = 0; i < wk->nsettled; i++) {
        uint32_t p = wk->settled[i];
        wk->row[p] = 0;
        wk->cls[p] = 0;
        wk->done[p >> 6] = 0;
    }
    for (uint32_t r = 0; r < wk->nrow; r += 1u << wk->shift) {
        uint32_t end = wk->nrow - r < (1u << wk->shift) ? wk->nrow - r : 1u << wk->shift;
        memset(wk->chunk[r >> wk->shift], 0, (size_t)end * wk->stride * sizeof(uint64_t));
    }
    wk->nrow = 0;
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
    ap_kernel__extract(wk);
    for (unsigned b = 0; b < nb && (sh->flags & AP_BLAST_LISTS); b++) {
        ap_blast *bl = sh->out[base + b];
        uint32_t *lists[5] = { bl->workflows, bl->identities, bl->partners, bl->escalations,
                               bl->boundaries };
        const uint32_t counts[5] = { bl->nworkflows, bl->nidentities, bl->npartners,
                                     bl->nescalations, bl->nboundaries };
        bl->cut = sh->cut;
        /* the lists were filled in position order: id order (and edge order) is the contract;
         * a cut list is sorted already (ap_kernel__push_cut) */
        for (int i = 0; i < 5; i++) {
            uint32_t want = sh->cut != 0 && counts[i] > sh->cut ? sh->cut : counts[i];
            if (len[b][i] != want)
                return AP_EBUG;
            if (sh->cut == 0)
                ap_kernel__sort_ids(lists[i], len[b][i]);
        }
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
            rc = ap_kernel__run_batch(wk, b);
        if (sh->emit != NULL)
            rc = close_batch(sh, b, rc);
        if (rc < 0) {
            fail_run(sh, rc);
            break;
        }
    }
    return NULL;
}

void ap_kernel__worker_free(worker *wk)
{
    for (uint32_t c = 0; wk->chunk != NULL && c < wk->nchunks; c++)
        free(wk->chunk[c]);
    free(wk->chunk);
    free(wk->spill);
    free(wk->row);
    free((void *)wk->zero);
    free(wk->cls);
    free(wk->acc);
    free(wk->touch);
    free(wk->done);
    free(wk->settled);
    free(wk->lidx);
    free(wk->lmask);
    free(wk->pend);
    free(wk->delta);
    free(wk->dcls);
    free(wk->cnt);
    free(wk->hi);
    free(wk->direct);
    free(wk->sig);
    free(wk->sigrow);
}

unsigned ap_kernel__words;

/* A worker's words: zeroed by calloc, which for an array this large maps fresh pages that are
 * zero already (ap_query__big_calloc writes every byte again: 768 MiB at S=100), on huge pages
 * where the system offers them. */
static void *zeroed_words(size_t n, size_t size)
{
    void *p = calloc(n, size);
#ifdef MADV_HUGEPAGE
    size_t huge = (size_t)2 << 20;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(uintptr_t)(huge - 1);
    uintptr_t hi = ((uintptr_t)p + n * size) & ~(uintptr_t)(huge - 1);
    if (p != NULL && hi > lo)
        (void)madvise((void *)lo, hi - lo, MADV_HUGEPAGE);     /* a hint */
#endif
    return p;
}

/* The arena's chunks (run.h): at most this many bytes, at most 1 << CHUNK_SHIFT_MAX places. */
#define CHUNK_BYTES ((size_t)16 << 20)
#define CHUNK_SHIFT_MAX 20

unsigned ap_kernel__chunk_shift, ap_kernel__chunks_max;

bool ap_kernel__chunk(worker *wk, uint32_t r)
{
    uint64_t **c = &wk->chunk[r >> wk->shift];
    if (wk->oom || (ap_kernel__chunks_max != 0 && wk->nalloc >= ap_kernel__chunks_max)) {
        wk->oom = true;
        return false;
    }
    wk->nalloc++;
    *c = zeroed_words((size_t)1 << wk->shift, wk->stride * sizeof(uint64_t));
    wk->oom = *c == NULL;
    return *c != NULL;
}

/* The words of lanes per batch: as many as keep every worker busy and the workers' words within
 * about 768 MiB (K x L words per node before the sinks, each). */
unsigned ap_kernel__lane_words(const ap_kernel *k, uint32_t nsources, unsigned nthreads)
{
    size_t per_word = ((size_t)k->nns + 1) * (k->K + 1) * sizeof(uint64_t) * nthreads;
    uint32_t words = (nsources + 63) / 64;
    unsigned L = LMAX;
    while (L > 1 && ((size_t)L * per_word > ((size_t)768 << 20) || (L / 2) * nthreads >= words))
        L /= 2;
    return L;
}

uint32_t ap_kernel__max_component(const ap_kernel *k)
{
    uint32_t maxcomp = 1;
    for (uint32_t p = 0; p < k->nns; p++)
        if (k->cyc_hi[p] != 0 && k->cyc_hi[p] - p > maxcomp)
            maxcomp = k->cyc_hi[p] - p;
    return maxcomp;
}

int ap_kernel__worker_init(worker *wk, shared *sh, uint32_t maxcomp)
{
    const ap_kernel *k = sh->k;
    uint32_t W = 64 * sh->L;
    size_t n = (size_t)k->n + 1;
    wk->sh = sh;
    wk->stride = (size_t)(k->K + 1) * sh->L;
    wk->shift = CHUNK_SHIFT_MAX;     /* a chunk of about CHUNK_BYTES, at most */
    while (wk->shift > 4
           && ((size_t)1 << wk->shift) * wk->stride * sizeof(uint64_t) > CHUNK_BYTES)
        wk->shift--;
    if (ap_kernel__chunk_shift != 0 && ap_kernel__chunk_shift < CHUNK_SHIFT_MAX)
        wk->shift = ap_kernel__chunk_shift;
    wk->nchunks = (uint32_t)(((size_t)k->nns + 1 + ((size_t)1 << wk->shift) - 1)
                             >> wk->shift);
    wk->chunk = calloc(wk->nchunks, sizeof *wk->chunk);
    wk->spill = malloc(wk->stride * sizeof *wk->spill);
    wk->row = zeroed_words((size_t)k->nns + 1, sizeof *wk->row);
    wk->zero = calloc((size_t)(k->K + 1) * sh->L, sizeof *wk->zero);
    wk->cls = zeroed_words((size_t)k->nns + 1, sizeof *wk->cls);
    wk->acc = calloc((size_t)(k->K + 1) * sh->L, sizeof *wk->acc);
    wk->touch = calloc(n / 64 + 1, sizeof *wk->touch);
    wk->done = calloc(n / 64 + 1, sizeof *wk->done);
    wk->settled = malloc(n * sizeof *wk->settled);
    wk->lidx = calloc(n, sizeof *wk->lidx);
    wk->lmask = malloc((size_t)W * sh->L * sizeof *wk->lmask);
    wk->pend = calloc((size_t)maxcomp / 64 + 1, sizeof *wk->pend);
    wk->delta = calloc((size_t)maxcomp * (k->K + 1) * sh->L, sizeof *wk->delta);
    wk->dcls = calloc(maxcomp, sizeof *wk->dcls);
    wk->rowcap = ROW_SIG0 + 16;
    wk->nrows = ROW_SIG0;
    wk->cnt = calloc((size_t)wk->rowcap * sh->L * PLANES, sizeof *wk->cnt);
    wk->hi = calloc((size_t)wk->rowcap * sh->L * 64, sizeof *wk->hi);
    if (k->K <= DIRECT_K)       /* ks runs to 2 * AP_SENS_COUNT */
        wk->direct = calloc((size_t)(2 * AP_SENS_COUNT + 1) << k->K, sizeof *wk->direct);
    if (wk->chunk == NULL || wk->spill == NULL || wk->row == NULL
        || wk->zero == NULL || wk->cls == NULL || wk->acc == NULL
        || wk->touch == NULL || wk->done == NULL
        || wk->settled == NULL || wk->lidx == NULL
        || wk->lmask == NULL || wk->pend == NULL
        || wk->delta == NULL || wk->dcls == NULL
        || wk->cnt == NULL || wk->hi == NULL
        || (k->K <= DIRECT_K && wk->direct == NULL))
        return AP_ENOMEM;
    return AP_OK;
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
                    ? ap_kernel__words : ap_kernel__lane_words(k, sh->nsources, nthreads);
    uint32_t W = 64 * sh->L, nbatches = (sh->nsources + W - 1) / W;
    if (nthreads > nbatches)
        nthreads = nbatches ? nbatches : 1;
    if ((wk = calloc(nthreads, sizeof *wk)) == NULL)
        return ap_error_nomem(err);
    uint32_t maxcomp = ap_kernel__max_component(k);
    for (i = 0; i < nthreads; i++)
        if ((rc = ap_kernel__worker_init(&wk[i], sh, maxcomp)) < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
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
        ap_kernel__worker_free(&wk[i]);
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

int ap_kernel__authority_all(const ap_kernel *k, const uint32_t *sources, uint32_t n,
                             unsigned nthreads, ap_authority_visit visit, void *ctx,
                             ap_error *err)
{
    shared sh;
    int rc;
    if ((rc = check_sources(k->g, sources, n, err)) < 0 || n == 0)
        return rc;
    memset(&sh, 0, sizeof sh);
    sh.k = k;
    sh.sources = sources;
    sh.nsources = n;
    sh.mode = MODE_RIGHTS;
    sh.visit = visit;
    sh.vctx = ctx;
    return run(&sh, nthreads, err);
}

int ap_authority_all(const ap_graph *g, const uint32_t *sources, uint32_t n, unsigned nthreads,
                     ap_authority_visit visit, void *ctx, ap_error *err)
{
    ap_kernel *k = NULL;
    int rc;
    if ((rc = check_sources(g, sources, n, err)) < 0 || n == 0)
        return rc;
    if ((rc = ap_kernel__prepare(&k, g, err)) < 0)
        return rc;
    rc = ap_kernel__authority_all(k, sources, n, nthreads, visit, ctx, err);
    ap_kernel__free(k);
    return rc;
}

void ap_blast_list_free(ap_blast **list, uint32_t n)
{
    for (uint32_t i = 0; list != NULL && i < n; i++)
        ap_blast_free(list[i]);
    free(list);
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
    sh.cut = flags & AP_BLAST_LISTS ? flags >> 8 : 0;
    sh.out = slots;
    sh.emit = emit;
    sh.ectx = ctx;
    pthread_mutex_init(&sh.mu, NULL);
    pthread_cond_init(&sh.cv, NULL);
    ap_kernel__weigh_classes(&sh);
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
        sh.cut = flags & AP_BLAST_LISTS ? flags >> 8 : 0;
        sh.out = list;
        ap_kernel__weigh_classes(&sh);
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
