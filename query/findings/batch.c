/* query/findings/batch.c: the authorities of the next batch of partners in id order, a group
 * at a time, each in its own workspace on its own thread (the graph is only read). */
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>

#include "findings_internal.h"
#include "../query_internal.h"

#define MAX_THREADS 8

typedef struct {
    const ap_graph *g;
    ap_authority_ws *ws;
    uint32_t source;
    const ap_authority *out;
    ap_error err;
    int rc;
} job;

/* One set of workspaces: the k-th partner of a batch runs in ws[k], kept from batch to batch
 * (a partner costs its reach, not the graph's node count). */
typedef struct {
    ap_authority_ws **ws;
    uint32_t n, cap;
} ws_set;

/* A batch computed apart from the rules: partners[lo..hi) into set, auth[k] the k-th one's. */
typedef struct {
    const ap_graph *g;
    const ap_out_view *view;    /* the runs' slots */
    const uint32_t *partners;
    uint32_t npartners, lo, hi;
    size_t bytes_max;
    unsigned group;             /* partners computed at once */
    ws_set *set;
    const ap_authority **auth;
    ap_error err;
    int rc;
} batch_job;

/* With more than one thread, the batch after the current one is computed on a worker thread
 * while the rules read the current one (two sets of workspaces, in turn); ahead.running says a
 * worker is at it. */
struct ap_findings_batches {
    ws_set sets[2];
    unsigned cur;               /* the set the current batch's authorities are in */
    batch_job ahead;
    pthread_t tid;
    bool running;
};

static void *run_job(void *p)
{
    job *j = p;
    j->rc = ap_query__authority_run(&j->out, j->ws, j->g, j->source, &j->err);
    return NULL;
}

/* Run jobs[0..n): jobs[1..] on threads of their own (inline when one cannot start), jobs[0]
 * on the caller's. */
static void run_group(job *jobs, unsigned n)
{
    pthread_t tid[MAX_THREADS];
    bool started[MAX_THREADS] = { false };
    for (unsigned t = 1; t < n; t++)
        started[t] = pthread_create(&tid[t], NULL, run_job, &jobs[t]) == 0;
    run_job(&jobs[0]);
    for (unsigned t = 1; t < n; t++) {
        if (started[t])
            pthread_join(tid[t], NULL);
        else
            run_job(&jobs[t]);
    }
}

/* The batch from b->lo: about b->bytes_max bytes of authority (at least one partner), whole
 * groups, so its bounds follow the group size, never the threads' timing; findings do not
 * depend on them. */
static void compute_batch(batch_job *b)
{
    size_t bytes = 0;
    job jobs[MAX_THREADS];
    b->hi = b->lo;
    b->rc = AP_OK;
    while (b->hi < b->npartners && (b->hi == b->lo || bytes < b->bytes_max)) {
        unsigned n = b->npartners - b->hi < b->group ? b->npartners - b->hi : b->group;
        for (unsigned t = 0; t < n; t++) {
            uint32_t k = b->hi - b->lo + t;
            if (k == b->set->n) {
                if (k == b->set->cap) {
                    uint32_t cap = b->set->cap * 2 + 8;
                    ap_authority_ws **ws = realloc(b->set->ws, cap * sizeof *ws);
                    if (ws == NULL) {
                        b->rc = ap_error_nomem(&b->err);
                        return;
                    }
                    b->set->ws = ws;
                    b->set->cap = cap;
                }
                if ((b->rc = ap_query__authority_ws_new(&b->set->ws[k], b->g, &b->err)) < 0)
                    return;
                ap_query__authority_ws_view(b->set->ws[k], b->view);
                b->set->n++;
            }
            jobs[t] = (job){ b->g, b->set->ws[k], b->partners[b->hi + t], NULL, { 0 }, AP_OK };
        }
        run_group(jobs, n);
        for (unsigned t = 0; t < n; t++) {
            if (jobs[t].rc < 0) {               /* the first partner's error, in id order */
                b->err = jobs[t].err;
                b->rc = jobs[t].rc;
                return;
            }
            b->auth[b->hi - b->lo] = jobs[t].out;
            b->hi++;
            bytes += ap_findings__authority_bytes(jobs[t].out);
        }
    }
}

static void *run_batch(void *p)
{
    compute_batch(p);
    return NULL;
}

/* Wait for the worker, if one is at it. */
static void join(ap_findings_batches *s)
{
    if (s->running)
        pthread_join(s->tid, NULL);
    s->running = false;
}

void ap_findings__batches_free(ap_findings_batches *s)
{
    if (s == NULL)
        return;
    join(s);
    for (unsigned i = 0; i < 2; i++) {
        for (uint32_t k = 0; k < s->sets[i].n; k++)
            ap_query__authority_ws_free(s->sets[i].ws[k]);
        free(s->sets[i].ws);
    }
    free(s->ahead.auth);
    free(s);
}

int ap_findings__next_batch(ap_rule_ctx *c)
{
    unsigned threads = c->threads < 1 ? 1 : c->threads > MAX_THREADS ? MAX_THREADS : c->threads;
    ap_findings_batches *s = c->batches;
    bool apart = threads > 1;   /* the next batch on a worker, threads - 1 at a time */
    if (s == NULL) {
        if ((s = c->batches = calloc(1, sizeof *s)) == NULL
            || (s->ahead.auth = malloc(((size_t)c->npartners + 1) * sizeof *s->ahead.auth))
                   == NULL)
            return c->rc = ap_error_nomem(c->err);
        s->ahead = (batch_job){ c->g, c->view, c->partners, c->npartners, c->hi, c->hi, c->batch,
                                apart ? threads - 1 : threads, &s->sets[0], s->ahead.auth,
                                { 0 }, AP_OK };
        s->cur = 1;                     /* the first batch goes to set 0 */
    }
    batch_job *b = &s->ahead;
    if (s->running) {
        join(s);
    } else {                            /* not started apart: computed here, now */
        b->lo = c->hi;
        b->set = &s->sets[s->cur ^ 1];
        compute_batch(b);
    }
    if (b->rc < 0) {
        *c->err = b->err;
        return c->rc = b->rc;
    }
    /* the batch computed last is the current one; its set holds its authorities */
    s->cur ^= 1;
    c->lo = b->lo;
    c->hi = b->hi;
    for (uint32_t i = c->lo; i < c->hi; i++)
        c->auth[i] = b->auth[i - c->lo];
    /* the next batch into the other set (the batch before this one's, which the rules have
     * done with) on a worker, while the rules read this one */
    if (apart && c->hi < c->npartners) {
        b->lo = c->hi;
        b->set = &s->sets[s->cur ^ 1];
        s->running = pthread_create(&s->tid, NULL, run_batch, b) == 0;
    }
    return AP_OK;
}
