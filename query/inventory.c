/* query/inventory.c: the effective state of a node at the graph's time, and the partners that
 * hold or act through each identity and credential (every partner at once: the kernel's lanes). */
#include <stdlib.h>
#include <string.h>

#include "authpath/inventory.h"
#include "kernel/kernel.h"
#include "query_internal.h"

static const char *const eff_names[AP_EFF_COUNT] = {
    "active", "under_review", "requested", "approved", "not_yet_valid", "expired", "suspended",
    "revoked",
};

const char *ap_effective_state_name(ap_effective_state s)
{
    return s > AP_EFF_NONE && s < AP_EFF_COUNT ? eff_names[s] : "?";
}

ap_effective_state ap_effective_state_parse(const char *s)
{
    for (int i = 0; s != NULL && i < AP_EFF_COUNT; i++)
        if (strcmp(s, eff_names[i]) == 0)
            return (ap_effective_state)i;
    return AP_EFF_NONE;
}

ap_effective_state ap_node_effective_state(const ap_graph *g, uint32_t v)
{
    const ap_node *nd = ap_graph_node(g, v);
    int64_t at = ap_graph_at(g);
    switch (nd->state) {
    case AP_STATE_REVOKED:
        return AP_EFF_REVOKED;
    case AP_STATE_SUSPENDED:
        return AP_EFF_SUSPENDED;
    default:
        break;
    }
    if (nd->expires != AP_TIME_NONE && nd->expires <= at)
        return AP_EFF_EXPIRED;
    if (nd->valid_from != AP_TIME_NONE && nd->valid_from > at)
        return AP_EFF_NOT_YET_VALID;
    switch (nd->state) {
    case AP_STATE_UNDER_REVIEW:
        return AP_EFF_UNDER_REVIEW;
    case AP_STATE_REQUESTED:
        return AP_EFF_REQUESTED;
    case AP_STATE_APPROVED:
        return AP_EFF_APPROVED;
    default:
        return AP_EFF_ACTIVE;
    }
}

void ap_holders_free(ap_holders *h, uint32_t n)
{
    for (uint32_t v = 0; h != NULL && v < n; v++)
        free(h[v].partners);
    free(h);
}

/* What the lanes visitor fills: a bit per (identity or credential, partner of the batch).
 * slot[v] is v's row of AP_KERNEL_LMAX words in bits (UINT32_MAX: not an identity or
 * credential), node[] the rows' nodes. */
typedef struct {
    const uint32_t *slot;
    uint64_t *bits;
} visit_ctx;

/* A settled node's words: the lanes holding anything there are its holders of the batch. */
static void visit(void *ctx, const ap_kernel_batch *b, uint32_t v, const uint64_t *w,
                  uint64_t cls)
{
    visit_ctx *c = ctx;
    uint32_t j = c->slot[v];
    (void)cls;
    if (j != UINT32_MAX)
        for (unsigned i = 0; i < b->L; i++)
            c->bits[(size_t)j * AP_KERNEL_LMAX + i] |= w[(size_t)b->K * b->L + i];
}

/* The batch's partners of each row, in id order, into its node's holders (the first max; the
 * rest counted); the bits cleared. */
static int take_batch(ap_holders *h, const uint32_t *node, uint32_t nrows, uint64_t *bits,
                      const uint32_t *src, uint32_t max)
{
    for (uint32_t j = 0; j < nrows; j++)
        for (unsigned w = 0; w < AP_KERNEL_LMAX; w++) {
            uint64_t *word = &bits[(size_t)j * AP_KERNEL_LMAX + w];
            ap_holders *x = &h[node[j]];
            for (uint64_t y = *word; y != 0; y &= y - 1) {
                if (x->n >= max) {
                    x->more += (uint32_t)__builtin_popcountll(y);
                    break;
                }
                uint32_t p = src[w * 64 + (unsigned)__builtin_ctzll(y)];
                if (ap_query__push(&x->partners, &x->n, sizeof p, &p) < 0)
                    return -1;
            }
            *word = 0;
        }
    return 0;
}

int ap_inventory_holders(ap_holders **out, const ap_graph *g, uint32_t max, unsigned nthreads,
                         ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), *src = NULL, ns = 0, *slot = NULL, *node = NULL;
    uint32_t nrows = 0;
    ap_kernel *kern = NULL;
    ap_kernel_lanes *lanes = NULL;
    ap_holders *h = calloc((size_t)n + 1, sizeof *h);
    visit_ctx c = { NULL, NULL };
    int rc = AP_OK;
    (void)nthreads;         /* the lanes run on this thread */
    *out = NULL;
    src = malloc(((size_t)n + 1) * sizeof *src);
    slot = malloc(((size_t)n + 1) * sizeof *slot);
    node = malloc(((size_t)n + 1) * sizeof *node);
    if (h == NULL || src == NULL || slot == NULL || node == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t v = 0; v < n; v++) {
        ap_kind k = ap_graph_node(g, v)->kind;
        if (k == AP_KIND_PARTNER)
            src[ns++] = v;
        slot[v] = k == AP_KIND_IDENTITY || k == AP_KIND_CREDENTIAL ? nrows : UINT32_MAX;
        if (slot[v] != UINT32_MAX)
            node[nrows++] = v;
    }
    c.slot = slot;
    if ((c.bits = calloc((size_t)nrows * AP_KERNEL_LMAX + 1, sizeof *c.bits)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    if (ns > 0 && ((rc = ap_kernel__prepare(&kern, g, err)) < 0
                   || (rc = ap_kernel__lanes_new(&lanes, kern, src, ns, 0, err)) < 0))
        goto cleanup;
    for (uint32_t b = 0; b < (ns > 0 ? ap_kernel__lanes_batches(lanes) : 0); b++) {
        if ((rc = ap_kernel__lanes_run(lanes, b, false, visit, &c, err)) < 0)
            break;
        const ap_kernel_batch *kb = ap_kernel__lanes_batch(lanes);
        /* what a partner holds directly, even where its authority does not reach */
        for (uint32_t i = 0; i < kb->nb; i++) {
            uint32_t p = src[kb->base + i];
            for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p); e++) {
                const ap_edge *ed = ap_graph_edge(g, e);
                if (ed->kind == AP_EDGE_HOLDS && ed->state != AP_STATE_REVOKED
                    && slot[ed->to] != UINT32_MAX)
                    c.bits[(size_t)slot[ed->to] * AP_KERNEL_LMAX + i / 64] |=
                        (uint64_t)1 << (i % 64);
            }
        }
        if (take_batch(h, node, nrows, c.bits, src + kb->base, max) < 0) {
            rc = ap_error_nomem(err);
            break;
        }
    }
    if (rc == AP_OK) {
        *out = h;
        h = NULL;
    }
cleanup:
    ap_kernel__lanes_free(lanes);
    ap_kernel__free(kern);
    free(c.bits);
    free(src);
    free(slot);
    free(node);
    ap_holders_free(h, n);
    return rc;
}
