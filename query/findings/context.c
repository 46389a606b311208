/* query/findings/context.c: what a rule asks of the run: partner indices, other nodes'
 * authorities (cached), its state and slots across batches, whether a flagged node exists. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

int64_t ap_findings__partner_index(const ap_rule_ctx *c, uint32_t p)
{
    /* partners[] is in node order */
    const uint32_t *at = bsearch(&p, c->partners, c->npartners, sizeof *c->partners,
                                 ap_query__u32_cmp);
    return at != NULL ? (int64_t)(at - c->partners) : -1;
}

/* What one authority holds in memory (its per-node arrays and its arrivals), roughly. */
size_t ap_findings__authority_bytes(const ap_authority *a)
{
    return (size_t)a->n * (sizeof *a->rights + sizeof *a->hops + sizeof *a->row)
           + (size_t)a->nreach * sizeof *a->reach
           + ((size_t)a->nreach + 1) * a->nclasses * sizeof *a->arrivals;
}

static void flush_cache(ap_rule_ctx *c)
{
    for (uint32_t k = 0; k < c->ncached; k++)
        c->slot[c->cached[k]] = 0;
    c->ncached = 0;
    c->cached_bytes = 0;
}

const ap_authority *ap_findings__authority(ap_rule_ctx *c, uint32_t v)
{
    if (c->rc < 0)
        return NULL;
    if (c->slot == NULL) {
        size_t n = (size_t)ap_graph_node_count(c->g) + 1;
        c->slot = calloc(n, sizeof *c->slot);
        c->cached = malloc(n * sizeof *c->cached);
        c->cached_ws = calloc(n, sizeof *c->cached_ws);
        c->cached_auth = calloc(n, sizeof *c->cached_auth);
        if (c->slot == NULL || c->cached == NULL || c->cached_ws == NULL
            || c->cached_auth == NULL) {
            c->rc = ap_error_nomem(c->err);
            return NULL;
        }
    }
    if (c->slot[v] == 0) {
        const ap_authority *a;
        if (c->cached_bytes > c->batch)
            flush_cache(c);
        uint32_t k = c->ncached;
        int rc = k < c->nws ? AP_OK : ap_query__authority_ws_new(&c->cached_ws[c->nws], c->g,
                                                                 c->err);
        c->nws += k == c->nws && rc == AP_OK;
        if (rc == AP_OK)
            ap_query__authority_ws_view(c->cached_ws[k], c->view);
        if (rc == AP_OK)
            rc = ap_query__authority_run(&a, c->cached_ws[k], c->g, v, c->err);
        if (rc < 0) {
            c->rc = rc;
            return NULL;
        }
        c->cached_auth[k] = a;
        c->cached[c->ncached++] = v;
        c->slot[v] = c->ncached;
        c->cached_bytes += ap_findings__authority_bytes(a);
    }
    return c->cached_auth[c->slot[v] - 1];
}

const ap_authority *ap_findings__authority_until(ap_rule_ctx *c, uint32_t v,
                                                 bool (*enough)(void *ctx, const ap_authority *a,
                                                                uint32_t v),
                                                 void *ctx)
{
    return ap_findings__authority_until_mode(c, v, false, NULL, NULL, enough, ctx);
}

/* The run from v on c's workspace, set as asked: mode, only, view (NULL: c->view's), enough or
 * probe (ap_query__authority_ws_probe, switched off again after); NULL on an error. */
static const ap_authority *run_from(ap_rule_ctx *c, uint32_t v, bool blocked,
                                    const uint64_t *only, const struct ap_out_view *view,
                                    bool (*enough)(void *, const ap_authority *, uint32_t),
                                    bool (*probe)(void *, uint32_t, uint32_t), void *ctx)
{
    int rc;
    if (c->rc < 0)
        return NULL;
    if (c->until_ws == NULL && (rc = ap_query__authority_ws_new(&c->until_ws, c->g, c->err)) < 0) {
        c->rc = rc;
        return NULL;
    }
    ap_query__authority_ws_view(c->until_ws, view != NULL ? view : c->view);
    ap_query__authority_ws_block(c->until_ws, blocked);
    ap_query__authority_ws_only(c->until_ws, only);
    ap_query__authority_ws_probe(c->until_ws, probe, ctx);
    rc = ap_query__authority_run_until(&c->until, c->until_ws, c->g, v, enough, ctx, c->err);
    ap_query__authority_ws_probe(c->until_ws, NULL, NULL);
    if (rc < 0) {
        c->rc = rc;
        return NULL;
    }
    return c->until;
}

const ap_authority *ap_findings__authority_until_mode(ap_rule_ctx *c, uint32_t v, bool blocked,
                                                      const uint64_t *only,
                                                      const struct ap_out_view *view,
                                                      bool (*enough)(void *ctx,
                                                                     const ap_authority *a,
                                                                     uint32_t v),
                                                      void *ctx)
{
    return run_from(c, v, blocked, only, view, enough, NULL, ctx);
}

bool ap_findings__authority_probe(ap_rule_ctx *c, uint32_t v, const uint64_t *only,
                                  const struct ap_out_view *view,
                                  bool (*probe)(void *ctx, uint32_t v, uint32_t round),
                                  void *ctx)
{
    return run_from(c, v, false, only, view, NULL, probe, ctx) != NULL;
}

bool ap_findings__exists(ap_rule_ctx *c, bool edge, bool (*yes)(const ap_rule_ctx *, uint32_t))
{
    unsigned char *known = &c->exists[c->rule - ap_rule_at(0)];
    uint32_t n = edge ? ap_graph_edge_count(c->g) : ap_graph_node_count(c->g);
    for (uint32_t x = 0; *known == 0 && x < n; x++)
        if (yes(c, x))
            *known = 2;
    if (*known == 0)
        *known = 1;
    return *known == 2;
}

void *ap_findings__state(ap_rule_ctx *c, size_t size, void (*dispose)(void *))
{
    ap_rule_state *s = &c->states[c->rule - ap_rule_at(0)];
    if (s->p == NULL) {
        if ((s->p = calloc(1, size)) == NULL) {
            c->rc = ap_error_nomem(c->err);
            return NULL;
        }
        s->dispose = dispose;
    }
    return s->p;
}

/* Can the attributes text name key? It is canonical JSON (graph.h: json_dumps, which writes an
 * ASCII key as it is), so a key it holds appears quoted in it; one it lacks mostly does not,
 * and then nothing need parse the text (the graph keeps each parsed object for the run). */

