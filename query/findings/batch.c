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

int ap_findings__next_batch(ap_rule_ctx *c)
{
    unsigned threads = c->threads < 1 ? 1 : c->threads > MAX_THREADS ? MAX_THREADS : c->threads;
    size_t bytes = 0;
    job jobs[MAX_THREADS];
    c->lo = c->hi;
    /* about c->batch bytes (at least one partner): whole groups, so the batch's bounds
     * follow the thread count, never the threads' timing; findings do not depend on them */
    while (c->hi < c->npartners && (c->hi == c->lo || bytes < c->batch)) {
        unsigned n = c->npartners - c->hi < threads ? c->npartners - c->hi : threads;
        for (unsigned t = 0; t < n; t++) {
            uint32_t k = c->hi - c->lo + t;
            int rc;
            if (k == c->nbatch_ws) {
                if ((rc = ap_query__authority_ws_new(&c->batch_ws[k], c->g, c->err)) < 0)
                    return c->rc = rc;
                c->nbatch_ws++;
            }
            jobs[t] = (job){ c->g, c->batch_ws[k], c->partners[c->hi + t], NULL, { 0 }, AP_OK };
        }
        run_group(jobs, n);
        for (unsigned t = 0; t < n; t++) {
            if (jobs[t].rc < 0) {               /* the first partner's error, in id order */
                *c->err = jobs[t].err;
                return c->rc = jobs[t].rc;
            }
            c->auth[c->hi++] = jobs[t].out;
            bytes += ap_findings__authority_bytes(jobs[t].out);
        }
    }
    return AP_OK;
}
