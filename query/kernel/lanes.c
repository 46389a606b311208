/* query/kernel/lanes.c: the kernel one batch at a time on the caller's thread, each settled
 * node's words of lanes handed to a visitor, plainly or with other partners blocked. */
#include <stdlib.h>
#include <string.h>

#include "../query_internal.h"
#include "run.h"

struct ap_kernel_lanes {
    shared sh;
    worker wk;
    bool ready;                 /* wk initialised (and to be freed) */
};

int ap_kernel__lanes_new(ap_kernel_lanes **out, const ap_kernel *k, const uint32_t *sources,
                         uint32_t n, unsigned L, ap_error *err)
{
    ap_kernel_lanes *r;
    *out = NULL;
    for (uint32_t i = 0; i < n; i++)
        if (sources[i] >= ap_graph_node_count(k->g))
            return ap_error_set(err, AP_EBUG, "source %u out of range", sources[i]);
    if ((r = calloc(1, sizeof *r)) == NULL)
        return ap_error_nomem(err);
    r->sh.k = k;
    r->sh.sources = sources;
    r->sh.nsources = n;
    r->sh.mode = MODE_LANES;
    r->sh.L = L >= 1 && L <= LMAX ? L
              : ap_kernel__words >= 1 && ap_kernel__words <= LMAX ? ap_kernel__words
                                                                 : ap_kernel__lane_words(k, n, 1);
    r->ready = true;
    if (ap_kernel__worker_init(&r->wk, &r->sh, ap_kernel__max_component(k)) < 0) {
        ap_kernel__lanes_free(r);
        return ap_error_nomem(err);
    }
    *out = r;
    return AP_OK;
}

uint32_t ap_kernel__lanes_batches(const ap_kernel_lanes *r)
{
    uint32_t W = 64 * r->sh.L;
    return (r->sh.nsources + W - 1) / W;
}

unsigned ap_kernel__lanes_l(const ap_kernel_lanes *r) { return r->sh.L; }

const ap_kernel_batch *ap_kernel__lanes_batch(const ap_kernel_lanes *r) { return &r->wk.lb; }

int ap_kernel__lanes_run(ap_kernel_lanes *r, uint32_t b, bool blocked,
                         ap_kernel_lanes_visit visit, void *ctx, ap_error *err)
{
    uint32_t W = 64 * r->sh.L;
    if (b >= ap_kernel__lanes_batches(r))
        return ap_error_set(err, AP_EBUG, "no batch %u", b);
    r->sh.lanes = visit;
    r->sh.vctx = ctx;
    r->sh.blocked = blocked;
    r->wk.lb = (ap_kernel_batch){ b * W, r->sh.nsources - b * W < W ? r->sh.nsources - b * W : W,
                                  r->sh.L, r->sh.k->K, r->sh.k->cmask };
    int rc = ap_kernel__run_batch(&r->wk, b);
    r->wk.oom = false;          /* the next batch starts afresh */
    if (rc == AP_ENOMEM)
        return ap_error_nomem(err);
    if (rc < 0)
        return ap_error_set(err, AP_EBUG, "the all-partners kernel lost count");
    return AP_OK;
}

void ap_kernel__lanes_free(ap_kernel_lanes *r)
{
    if (r == NULL)
        return;
    if (r->ready)
        ap_kernel__worker_free(&r->wk);
    free(r);
}
