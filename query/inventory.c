/* query/inventory.c: the effective state of a node at the graph's time, and the partners that
 * hold or act through each identity and credential (every partner's authority at once). */
#include <stdlib.h>
#include <string.h>

#include "authpath/inventory.h"
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

/* What the kernel's visitor fills: per source, the identities and credentials it reaches.
 * Each worker writes only to its source's slot, so no lock is needed. */
typedef struct {
    const ap_graph *g;
    uint32_t **seen;        /* per source: node indices */
    uint32_t *nseen;
    int failed;             /* an allocation failed in some worker (set once, read after) */
} visit_ctx;

static void visit(void *ctx, uint32_t i, uint32_t v, ap_rights r)
{
    visit_ctx *c = ctx;
    ap_kind k = ap_graph_node(c->g, v)->kind;
    (void)r;
    if (k != AP_KIND_IDENTITY && k != AP_KIND_CREDENTIAL)
        return;
    if (ap_query__push(&c->seen[i], &c->nseen[i], sizeof v, &v) < 0)
        c->failed = 1;
}

/* Partners come in id order; one already counted is the last one counted (last[v]). */
static int add_holder(ap_holders *h, uint32_t *last, uint32_t p, uint32_t max)
{
    if (*last == p)
        return 0;
    *last = p;
    if (h->n >= max) {
        h->more++;
        return 0;
    }
    return ap_query__push(&h->partners, &h->n, sizeof p, &p);
}

/* Partners are run through the kernel this many at a time: what they reach is kept for one
 * batch only. */
#define BATCH 512

int ap_inventory_holders(ap_holders **out, const ap_graph *g, uint32_t max, unsigned nthreads,
                         ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), *src = NULL, ns = 0, *last = NULL;
    visit_ctx c = { g, NULL, NULL, 0 };
    ap_holders *h = calloc((size_t)n + 1, sizeof *h);
    int rc = AP_OK;
    *out = NULL;
    src = malloc(((size_t)n + 1) * sizeof *src);
    last = malloc(((size_t)n + 1) * sizeof *last);
    if (h == NULL || src == NULL || last == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    memset(last, 0xff, ((size_t)n + 1) * sizeof *last);
    for (uint32_t v = 0; v < n; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER)
            src[ns++] = v;
    c.seen = calloc(BATCH, sizeof *c.seen);
    c.nseen = calloc(BATCH, sizeof *c.nseen);
    if (c.seen == NULL || c.nseen == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t b = 0; b < ns && rc == AP_OK; b += BATCH) {
        uint32_t nb = ns - b < BATCH ? ns - b : BATCH;
        if ((rc = ap_authority_all(g, src + b, nb, nthreads > 0 ? nthreads : 1, visit, &c,
                                   err)) < 0)
            break;
        if (c.failed) {
            rc = ap_error_nomem(err);
            break;
        }
        /* partners in id order: each node's list comes out sorted */
        for (uint32_t i = 0; i < nb && rc == AP_OK; i++) {
            uint32_t p = src[b + i];
            for (uint32_t k = 0; k < c.nseen[i] && rc == AP_OK; k++)
                if (add_holder(&h[c.seen[i][k]], &last[c.seen[i][k]], p, max) < 0)
                    rc = ap_error_nomem(err);
            for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p)
                 && rc == AP_OK; e++) {
                const ap_edge *ed = ap_graph_edge(g, e);
                ap_kind k = ap_graph_node(g, ed->to)->kind;
                if (ed->kind != AP_EDGE_HOLDS || ed->state == AP_STATE_REVOKED
                    || (k != AP_KIND_IDENTITY && k != AP_KIND_CREDENTIAL))
                    continue;
                if (add_holder(&h[ed->to], &last[ed->to], p, max) < 0)
                    rc = ap_error_nomem(err);
            }
            free(c.seen[i]);
            c.seen[i] = NULL;
            c.nseen[i] = 0;
        }
    }
    if (rc == AP_OK) {
        *out = h;
        h = NULL;
    }
cleanup:
    for (uint32_t i = 0; c.seen != NULL && i < BATCH; i++)
        free(c.seen[i]);
    free(c.seen);
    free(c.nseen);
    free(src);
    free(last);
    ap_holders_free(h, n);
    return rc;
}
