/* query/kernel_multi.c: every partner's authority at once. 64 sources per batch, one machine
 * word per rights class per node (bit i: source i of the batch), swept once in topological
 * order of the strongly connected components; worker threads take batches in turn. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "kernel_internal.h"
#include "query_internal.h"

enum { MODE_RIGHTS, MODE_BLAST };

#define PLANES 32       /* bit-sliced counters: 64 lanes of 32-bit counts */

typedef struct {
    const ap_kernel *k;
    const uint32_t *sources;
    uint32_t nsources;
    int mode;
    ap_authority_visit visit;
    void *vctx;
    /* blast */
    const ap_weights *w;
    unsigned flags;
    ap_blast **out;
    unsigned ncounters;
    unsigned byweight[AP_MAX_RIGHTS], nweighted;   /* classes with a weight, heaviest first */
    int cweight[AP_MAX_RIGHTS];
    int rclass[AP_MAX_RIGHTS];      /* vocabulary right -> its class */
    atomic_uint next;
    atomic_int failed;
} shared;

typedef struct {
    shared *sh;
    /* by position, K words side by side (one cache line for up to 8 classes): for each rights
     * class the sources that hold it; their union is the sources that hold anything */
    uint64_t *st;
    uint64_t *touch;        /* a bit per position: its words are not all zero */
    uint64_t *lane;         /* by position: the batch's sources that are this node */
    uint32_t *work;
    uint8_t *inq;
    uint64_t *cnt;          /* ncounters x PLANES */
    uint64_t tmp[AP_MAX_RIGHTS];
    uint32_t base;          /* source index of lane 0 */
} worker;

/* Counter numbers. */
#define C_KIND(k) ((unsigned)(k))
#define C_SENS(s) (AP_KIND_COUNT + (unsigned)(s))
#define C_SR(K, s, c) (AP_KIND_COUNT + AP_SENS_COUNT + (unsigned)(s) * (K) + (c))
#define C_TOP(K, s, c) (AP_KIND_COUNT + AP_SENS_COUNT + AP_SENS_COUNT * (K) + (unsigned)(s) * (K) \
                        + (c))
#define C_ESC(K) (AP_KIND_COUNT + AP_SENS_COUNT + 2 * AP_SENS_COUNT * (K))
#define C_BND(K) (C_ESC(K) + 1)

/* Add 1 to the lanes in m: a ripple carry through the bit planes. */
static inline void vc_add(uint64_t *planes, uint64_t m)
{
    for (unsigned i = 0; m != 0 && i < PLANES; i++) {
        uint64_t carry = planes[i] & m;
        planes[i] ^= m;
        m = carry;
    }
}

static uint32_t vc_get(const uint64_t *planes, unsigned lane)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < PLANES; i++)
        v |= (uint32_t)(planes[i] >> lane & 1) << i;
    return v;
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

/* What slot type t carries from a node holding (any, in) into out (K words); returns the
 * sources to which it carries anything. docs/design.md's round rule, 64 sources at a time. */
static inline uint64_t carry(const ap_kernel *k, const ap_ktype *t, uint64_t any,
                             const uint64_t *in, uint64_t *out)
{
    uint64_t gate = any, got = 0;
    if (t->qc != 0) {
        gate = 0;
        for (unsigned c = 0; c < k->K; c++)
            if (t->qc >> c & 1)
                gate |= in[c];
    }
    if (gate == 0)
        return 0;
    for (unsigned c = 0; c < k->K; c++) {
        uint64_t o = !(t->rc >> c & 1) ? 0 : t->esc ? gate : (gate & in[c]);
        out[c] = o;
        got |= o;
    }
    return got;
}

/* Position p's words: [c] the sources holding class c. */
static inline uint64_t *at(const worker *wk, unsigned K, uint32_t p)
{
    return wk->st + (size_t)p * K;
}

/* The sources holding anything at p (every right lies in a class). */
static inline uint64_t held(const worker *wk, unsigned K, uint32_t p)
{
    const uint64_t *w = at(wk, K, p);
    uint64_t any = 0;
    for (unsigned c = 0; c < K; c++)
        any |= w[c];
    return any;
}

/* OR what arrives into position v; true when v changed. */
static inline bool deliver(worker *wk, unsigned K, uint32_t v, const uint64_t *w)
{
    uint64_t *dst = at(wk, K, v), changed = 0;
    wk->touch[v >> 6] |= (uint64_t)1 << (v & 63);
    for (unsigned c = 0; c < K; c++) {
        changed |= w[c] & ~dst[c];
        dst[c] |= w[c];
    }
    return changed != 0;
}

/* One slot from u (whose sources holding anything are any): deliver (unless the target is not
 * live) and return the sources it carries authority for (an edge into a dead node only for the
 * source that is that node). */
static inline uint64_t slot_step(worker *wk, const ap_kslot *s, uint32_t u, uint64_t any,
                                 bool send, bool *changed)
{
    const ap_kernel *k = wk->sh->k;
    const ap_ktype *t = &k->types[s->meta & AP_KMETA_TYPE];
    const uint64_t *in = at(wk, k->K, u);
    uint64_t got;
    if (t->plain) {
        got = any;
        if (s->meta & AP_KMETA_DEAD)
            return got & wk->lane[s->dst];
        if (send)
            *changed = deliver(wk, k->K, s->dst, in);
        return got;
    }
    got = carry(k, t, any, in, wk->tmp);
    if (s->meta & AP_KMETA_DEAD)
        return got & wk->lane[s->dst];
    if (send && got != 0)
        *changed = deliver(wk, k->K, s->dst, wk->tmp);
    return got;
}

/* A settled node: its rights are final. Report them, count what it adds to each source's
 * blast radius, and send along its edges from slot `from` on. */
static int settle(worker *wk, uint32_t p, uint32_t from)
{
    shared *sh = wk->sh;
    const ap_kernel *k = sh->k;
    unsigned K = k->K;
    const ap_kpos *ps = &k->at[p];
    uint32_t v = ps->node, end = ps[1].off;
    uint64_t *w = at(wk, K, p), a = held(wk, K, p);
    int bad = 0;
    /* the targets are scattered: ask for their words before the counting */
    for (uint32_t e = ps->ext > from ? ps->ext : from; e < end && e < from + 16; e++)
        if (!(k->slot[e].meta & AP_KMETA_DEAD))
            __builtin_prefetch(at(wk, K, k->slot[e].dst), 1);
    if (sh->mode == MODE_RIGHTS) {
        for (uint64_t m = a; m != 0; m &= m - 1) {
            unsigned b = (unsigned)__builtin_ctzll(m);
            ap_rights r = 0;
            for (unsigned c = 0; c < K; c++)
                if (w[c] >> b & 1)
                    r |= k->cmask[c];
            sh->visit(sh->vctx, wk->base + b, v, r);
        }
    } else {
        ap_kind kind = (ap_kind)(ps->info & 7);
        uint64_t m = a & ~wk->lane[p];       /* the reach excludes the source itself */
        vc_add(wk->cnt + C_KIND(kind) * PLANES, m);
        if (m != 0 && (kind == AP_KIND_RESOURCE || kind == AP_KIND_WORKFLOW)) {
            ap_sensitivity s = (ap_sensitivity)((ps->info & AP_KPOS_INFO) >> 3);
            uint64_t rem = m;
            vc_add(wk->cnt + C_SENS(s) * PLANES, m);
            for (unsigned c = 0; c < K; c++)
                vc_add(wk->cnt + C_SR(K, s, c) * PLANES, m & w[c]);
            for (unsigned i = 0; i < sh->nweighted && rem != 0; i++) {
                unsigned c = sh->byweight[i];
                vc_add(wk->cnt + C_TOP(K, s, c) * PLANES, rem & w[c]);
                rem &= ~w[c];
            }
        }
        if ((sh->flags & AP_BLAST_LISTS) && m != 0
            && (kind == AP_KIND_WORKFLOW || kind == AP_KIND_IDENTITY
                || kind == AP_KIND_PARTNER)) {
            for (; m != 0; m &= m - 1) {
                ap_blast *bl = sh->out[wk->base + (unsigned)__builtin_ctzll(m)];
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
        uint64_t got = slot_step(wk, s, p, a, e >= ps->ext, &changed);
        if (sh->mode != MODE_BLAST || got == 0)
            continue;
        const ap_ktype *t = &k->types[s->meta & AP_KMETA_TYPE];
        if (t->esc)
            vc_add(wk->cnt + C_ESC(K) * PLANES, got);
        if (s->meta & AP_KMETA_BOUNDARY)
            vc_add(wk->cnt + C_BND(K) * PLANES, got);
        if (!(sh->flags & AP_BLAST_LISTS))
            continue;
        for (uint64_t m = got; m != 0; m &= m - 1) {
            ap_blast *bl = sh->out[wk->base + (unsigned)__builtin_ctzll(m)];
            if (t->esc)
                bad |= push(&bl->escalations, &bl->nescalations, k->eid[e]);
            if (s->meta & AP_KMETA_BOUNDARY)
                bad |= push(&bl->boundaries, &bl->nboundaries, k->eid[e]);
        }
    }
    return bad ? AP_ENOMEM : AP_OK;
}

/* A cyclic component [lo, hi): iterate its inner edges to the fixpoint with a worklist (the
 * sources reached it from earlier components already), then settle every member. */
static int settle_component(worker *wk, uint32_t lo, uint32_t hi)
{
    const ap_kernel *k = wk->sh->k;
    uint32_t nw = 0;
    for (uint32_t p = lo; p < hi; p++)
        if (held(wk, k->K, p) != 0) {
            wk->work[nw++] = p;
            wk->inq[p] = 1;
        }
    if (nw == 0)
        return AP_OK;
    while (nw > 0) {
        uint32_t u = wk->work[--nw];
        wk->inq[u] = 0;
        for (uint32_t e = k->at[u].off; e < k->at[u].ext; e++) {
            const ap_kslot *s = &k->slot[e];
            bool changed = false;
            slot_step(wk, s, u, held(wk, k->K, u), true, &changed);
            if (changed && !wk->inq[s->dst]) {
                wk->inq[s->dst] = 1;
                wk->work[nw++] = s->dst;
            }
        }
    }
    for (uint32_t p = lo; p < hi; p++) {
        if (held(wk, k->K, p) == 0)
            continue;
        int rc = settle(wk, p, k->at[p].off);
        if (rc < 0)
            return rc;
    }
    memset(at(wk, k->K, lo), 0, (size_t)(hi - lo) * k->K * sizeof *wk->st);
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

/* The counters of lane b into the blast radius of source index i. */
static void extract(worker *wk, unsigned b, ap_blast *bl)
{
    shared *sh = wk->sh;
    unsigned K = sh->k->K;
    const ap_vocab *voc = ap_graph_vocab(sh->k->g);
    for (int kd = 0; kd < AP_KIND_COUNT; kd++)
        bl->by_kind[kd] = vc_get(wk->cnt + C_KIND(kd) * PLANES, b);
    for (int s = 0; s < AP_SENS_COUNT; s++) {
        bl->by_sens[s] = vc_get(wk->cnt + C_SENS(s) * PLANES, b);
        if (bl->by_sens[s] == 0)
            continue;
        for (unsigned r = 0; r < voc->count; r++)
            bl->by_sens_right[s][r] = vc_get(wk->cnt + C_SR(K, s, sh->rclass[r]) * PLANES, b);
        for (unsigned i = 0; i < sh->nweighted; i++) {
            unsigned c = sh->byweight[i];
            bl->score += (int64_t)vc_get(wk->cnt + C_TOP(K, s, c) * PLANES, b)
                         * sh->w->sens_weight[s] * sh->cweight[c];
        }
    }
    bl->nescalations = vc_get(wk->cnt + C_ESC(K) * PLANES, b);
    bl->nboundaries = vc_get(wk->cnt + C_BND(K) * PLANES, b);
    bl->nworkflows = bl->by_kind[AP_KIND_WORKFLOW];
    bl->nidentities = bl->by_kind[AP_KIND_IDENTITY];
    bl->npartners = bl->by_kind[AP_KIND_PARTNER];
}

static int run_batch(worker *wk, uint32_t batch)
{
    shared *sh = wk->sh;
    const ap_kernel *k = sh->k;
    uint32_t base = batch * 64, nb = sh->nsources - base < 64 ? sh->nsources - base : 64;
    int rc = AP_OK;
    wk->base = base;
    /* round 0: each source holds everything */
    for (unsigned b = 0; b < nb; b++) {
        uint32_t p = k->pos[sh->sources[base + b]];
        uint64_t bit = (uint64_t)1 << b;
        wk->lane[p] |= bit;
        wk->touch[p >> 6] |= (uint64_t)1 << (p & 63);
        for (unsigned c = 0; c < k->K; c++)
            at(wk, k->K, p)[c] |= bit;
    }
    if (sh->mode == MODE_BLAST)
        memset(wk->cnt, 0, (size_t)sh->ncounters * PLANES * sizeof *wk->cnt);
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
            rc = settle(wk, p, k->at[p].off);
            memset(at(wk, k->K, p), 0, k->K * sizeof *wk->st);
            wk->touch[wi] &= ~((uint64_t)1 << (p & 63));
        }
    }
    for (unsigned b = 0; b < nb; b++)
        wk->lane[k->pos[sh->sources[base + b]]] = 0;
    if (rc < 0 || sh->mode != MODE_BLAST)
        return rc;
    for (unsigned b = 0; b < nb; b++) {
        ap_blast *bl = sh->out[base + b];
        uint32_t nwf = bl->nworkflows, nid = bl->nidentities, np = bl->npartners;
        uint32_t nesc = bl->nescalations, nbnd = bl->nboundaries;
        extract(wk, b, bl);
        if (!(sh->flags & AP_BLAST_LISTS))
            continue;
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

static void *work(void *arg)
{
    worker *wk = arg;
    shared *sh = wk->sh;
    uint32_t nbatches = (sh->nsources + 63) / 64;
    for (;;) {
        uint32_t b = atomic_fetch_add(&sh->next, 1);
        if (b >= nbatches || atomic_load(&sh->failed) != 0)
            break;
        int rc = run_batch(wk, b);
        if (rc < 0) {
            int zero = 0;
            atomic_compare_exchange_strong(&sh->failed, &zero, rc);
            break;
        }
    }
    return NULL;
}

static void worker_free(worker *wk)
{
    free(wk->st);
    free(wk->touch);
    free(wk->lane);
    free(wk->work);
    free(wk->inq);
    free(wk->cnt);
}

/* Run the batches on nthreads workers (the calling thread is one of them). */
static int run(shared *sh, unsigned nthreads, ap_error *err)
{
    const ap_kernel *k = sh->k;
    worker *wk;
    pthread_t tid[64];
    unsigned started = 0, i;
    int rc = AP_OK;
    uint32_t nbatches = (sh->nsources + 63) / 64;
    if (nthreads == 0)
        nthreads = 1;
    if (nthreads > 64)
        nthreads = 64;
    if (nthreads > nbatches)
        nthreads = nbatches ? nbatches : 1;
    if ((wk = calloc(nthreads, sizeof *wk)) == NULL)
        return ap_error_nomem(err);
    for (i = 0; i < nthreads; i++) {
        size_t n = (size_t)k->n + 1;
        wk[i].sh = sh;
        wk[i].st = ap_query__big_calloc(n * k->K, sizeof *wk[i].st);
        wk[i].touch = calloc(n / 64 + 1, sizeof *wk[i].touch);
        wk[i].lane = calloc(n, sizeof *wk[i].lane);     /* sparse: the sources only */
        wk[i].work = malloc(n * sizeof *wk[i].work);
        wk[i].inq = calloc(n, 1);
        wk[i].cnt = calloc((size_t)sh->ncounters * PLANES, sizeof *wk[i].cnt);
        if (wk[i].st == NULL || wk[i].touch == NULL || wk[i].lane == NULL || wk[i].work == NULL
            || wk[i].inq == NULL || wk[i].cnt == NULL) {
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
        sh.ncounters = C_BND(k->K) + 1;
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
