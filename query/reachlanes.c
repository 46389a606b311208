/* query/reachlanes.c: ap_query__reach_counts on graphs too large for a table of sources: the
 * kernel's lanes on both graphs, batch by batch, each node's lanes per right compared. */
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "kernel/kernel.h"
#include "query_internal.h"

#define HELD_BYTES ((size_t)256 << 20)     /* g's lanes per right and node, at most */

typedef struct {
    const ap_graph *g;
    const uint32_t *sources;
    unsigned nr;                    /* the rights of the vocabulary */
    ap_rights bit[AP_MAX_RIGHTS];   /* ... each as a mask */
    unsigned L;                     /* words of lanes, the same on both graphs */
    uint64_t *held;                 /* by node: nr x L words, the lanes holding each right on g */
    uint8_t *seen;                  /* by node: 1 reached on g in this batch, 2 and on d */
    uint64_t *own;                  /* by node: L words, the batch's lanes whose source it is */
    uint32_t *touched, ntouched;    /* the nodes reached on g in this batch */
    ap_reach_counts *out;
} lanes_ctx;

/* The lanes holding each right at a node, from its words (classes, then any). */
static void per_right(const lanes_ctx *c, const ap_kernel_batch *b, const uint64_t *w,
                      uint64_t cls, uint64_t *h)
{
    for (unsigned i = 0; i < c->nr; i++)
        for (unsigned j = 0; j < b->L; j++) {
            uint64_t x = 0;
            for (uint64_t m = cls; m != 0; m &= m - 1) {
                unsigned k = (unsigned)__builtin_ctzll(m);
                if (b->cmask[k] & c->bit[i])
                    x |= w[k * b->L + j];
            }
            h[i * b->L + j] = x;
        }
}

/* The batch's lanes whose source is v: not counted at v (a source holds every right). */
static const uint64_t *own_lanes(const lanes_ctx *c, uint32_t v)
{
    return c->own + (size_t)v * c->L;
}

/* Mark (or clear) the lanes of batch b at their sources. */
static void mark_sources(lanes_ctx *c, const ap_kernel_batch *b, bool set)
{
    for (uint32_t i = 0; i < b->nb; i++) {
        uint64_t *w = &c->own[(size_t)c->sources[b->base + i] * c->L + i / 64];
        *w = set ? *w | (uint64_t)1 << (i % 64) : 0;
    }
}

/* Each lane set in m (L words) adds one to its source's counter at offset field. */
static void count(const lanes_ctx *c, const ap_kernel_batch *b, const uint64_t *m,
                  size_t field)
{
    for (unsigned j = 0; j < b->L; j++)
        for (uint64_t x = m[j]; x != 0; x &= x - 1) {
            ap_reach_counts *r = &c->out[b->base + j * 64 + (unsigned)__builtin_ctzll(x)];
            (*(uint32_t *)((char *)r + field))++;
        }
}

static void on_g(void *ctx, const ap_kernel_batch *b, uint32_t v, const uint64_t *w,
                 uint64_t cls)
{
    lanes_ctx *c = ctx;
    per_right(c, b, w, cls, c->held + (size_t)v * c->nr * c->L);
    if (c->seen[v] == 0)
        c->touched[c->ntouched++] = v;
    c->seen[v] = 1;
}

static void on_d(void *ctx, const ap_kernel_batch *b, uint32_t v, const uint64_t *w,
                 uint64_t cls)
{
    lanes_ctx *c = ctx;
    uint64_t h[AP_MAX_RIGHTS * AP_KERNEL_LMAX], lost[AP_KERNEL_LMAX] = { 0 },
        gained[AP_KERNEL_LMAX] = { 0 }, tg[AP_KERNEL_LMAX];
    const uint64_t *hg = c->held + (size_t)v * c->nr * c->L, *own = own_lanes(c, v);
    ap_kind kind = ap_graph_node(c->g, v)->kind;
    per_right(c, b, w, cls, h);
    for (unsigned i = 0; i < c->nr; i++)
        for (unsigned j = 0; j < b->L; j++) {
            lost[j] |= hg[i * b->L + j] & ~h[i * b->L + j] & ~own[j];
            gained[j] |= h[i * b->L + j] & ~hg[i * b->L + j] & ~own[j];
        }
    count(c, b, lost, offsetof(ap_reach_counts, lost));
    count(c, b, gained, offsetof(ap_reach_counts, gained));
    if (kind == AP_KIND_RESOURCE || kind == AP_KIND_WORKFLOW) {
        for (unsigned j = 0; j < b->L; j++)
            tg[j] = w[b->K * b->L + j] & ~own[j];
        count(c, b, tg, offsetof(ap_reach_counts, targets));
    }
    c->seen[v] = 2;
}

/* After both runs of a batch: what g reached and d did not is lost whole; the rows cleared. */
static void end_batch(lanes_ctx *c, const ap_kernel_batch *b)
{
    for (uint32_t k = 0; k < c->ntouched; k++) {
        uint32_t v = c->touched[k];
        uint64_t *hg = c->held + (size_t)v * c->nr * c->L, lost[AP_KERNEL_LMAX] = { 0 };
        const uint64_t *own = own_lanes(c, v);
        if (c->seen[v] == 1) {
            for (unsigned i = 0; i < c->nr; i++)
                for (unsigned j = 0; j < b->L; j++)
                    lost[j] |= hg[i * b->L + j] & ~own[j];
            count(c, b, lost, offsetof(ap_reach_counts, lost));
        }
        memset(hg, 0, (size_t)c->nr * c->L * sizeof *hg);
        c->seen[v] = 0;
    }
    c->ntouched = 0;
}

int ap_query__reach_counts_lanes(ap_reach_counts *out, const ap_graph *g, const ap_graph *d,
                                 const uint32_t *sources, uint32_t ns, ap_error *err)
{
    size_t n = ap_graph_node_count(g);
    ap_rights all = ap_vocab_all(ap_graph_vocab(g));
    lanes_ctx c = { .g = g, .sources = sources, .out = out };
    ap_kernel *kg = NULL, *kd = NULL;
    ap_kernel_lanes *rg = NULL, *rd = NULL;
    int rc = AP_OK;
    memset(out, 0, (size_t)ns * sizeof *out);
    if (ns == 0)
        return AP_OK;
    for (unsigned b = 0; b < AP_MAX_RIGHTS; b++)
        if (all >> b & 1)
            c.bit[c.nr++] = (ap_rights)1 << b;
    size_t per = HELD_BYTES / ((n + 1) * (c.nr + 1) * sizeof(uint64_t));
    c.L = per < 1 ? 1 : per > AP_KERNEL_LMAX ? AP_KERNEL_LMAX : (unsigned)per;
    if (ap_kernel__words >= 1 && ap_kernel__words < c.L)     /* tests: more batches */
        c.L = ap_kernel__words;
    c.held = ap_query__big_calloc((n + 1) * c.nr * c.L + 1, sizeof *c.held);
    c.seen = calloc(n + 1, 1);
    c.touched = malloc((n + 1) * sizeof *c.touched);
    c.own = calloc((n + 1) * c.L, sizeof *c.own);
    if (c.held == NULL || c.seen == NULL || c.touched == NULL || c.own == NULL) {
        rc = ap_error_nomem(err);
        goto done;
    }
    if ((rc = ap_kernel__prepare(&kg, g, err)) < 0 || (rc = ap_kernel__prepare(&kd, d, err)) < 0
        || (rc = ap_kernel__lanes_new(&rg, kg, sources, ns, c.L, err)) < 0
        || (rc = ap_kernel__lanes_new(&rd, kd, sources, ns, c.L, err)) < 0)
        goto done;
    for (uint32_t b = 0; rc == AP_OK && b < ap_kernel__lanes_batches(rg); b++) {
        ap_kernel_batch kb = { b * 64 * c.L, ns - b * 64 * c.L < 64 * c.L ? ns - b * 64 * c.L
                                                                         : 64 * c.L,
                               c.L, 0, NULL };
        mark_sources(&c, &kb, true);
        if ((rc = ap_kernel__lanes_run(rg, b, false, on_g, &c, err)) == AP_OK
            && (rc = ap_kernel__lanes_run(rd, b, false, on_d, &c, err)) == AP_OK)
            end_batch(&c, ap_kernel__lanes_batch(rd));
        mark_sources(&c, &kb, false);
    }
done:
    ap_kernel__lanes_free(rg);
    ap_kernel__lanes_free(rd);
    ap_kernel__free(kg);
    ap_kernel__free(kd);
    free(c.held);
    free(c.seen);
    free(c.touched);
    free(c.own);
    return rc;
}
