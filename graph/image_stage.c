/* graph/image_stage.c: an import's graph image, written from the stage in graph order (with a
 * later import, kept rows from the old image), so that no second pass over the rows is needed. */
#define _GNU_SOURCE             /* getrandom */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/random.h>
#include <unistd.h>

#include "image_format.h"

typedef struct {
    const ap_stage *sg;
    const uint32_t *by_rank, *rank, *order;
    const ap_image_keep *keep;  /* NULL: every row is new */
} stage_src;

static const char *old_strings(const ap_graph *old)
{
    return (const char *)old->image + ((const img_head *)old->image)->off[S_STRINGS];
}

/* Every FORGET rows, the old image's pages behind kept record `old` of recs (each of size
 * bytes) and behind its strings (its id at str) go: the rows come in graph order, and the kept
 * ones in the old image's order unless the estate was reordered (ap_graph__image_forget). */
#define FORGET 65536u

static void forget_behind(const stage_src *s, uint32_t row, const uint8_t *recs, size_t size,
                          uint32_t old, uint64_t str)
{
    if (row == 0 || row % FORGET != 0)
        return;
    ap_graph__image_forget(s->keep->old, recs, recs + (size_t)old * size);
    ap_graph__image_forget(s->keep->old, old_strings(s->keep->old),
                           old_strings(s->keep->old) + str);
}

/* Node v as the row loader makes it of the row the bulk writer wrote (load.c). */
static void stage_node(const void *ctx, uint32_t v, ap_node *out)
{
    const stage_src *s = ctx;
    const ap_stage_node *nd = &AP_SEG(s->sg->nodes, s->by_rank[v]);
    memset(out, 0, sizeof *out);
    if (s->keep != NULL && s->keep->node_old[v] != UINT32_MAX) {     /* the old row, kept */
        img_node r;
        memcpy(&r, s->keep->old->rec_nodes + (size_t)s->keep->node_old[v] * sizeof r, sizeof r);
        img_node_get(out, &r, old_strings(s->keep->old), 0);
        forget_behind(s, v, s->keep->old->rec_nodes, sizeof r, s->keep->node_old[v], r.id);
        return;
    }
    out->id = AP_SEG(s->sg->syms, nd->sym).id;
    out->kind = (ap_kind)nd->kind;
    out->state = (ap_state)nd->state;
    out->valid_from = nd->valid_from;
    out->expires = nd->expires;
    if (nd->sensitivity != AP_SENS_NONE)
        out->sensitivity = (ap_sensitivity)nd->sensitivity;
    else if (out->kind == AP_KIND_RESOURCE || out->kind == AP_KIND_WORKFLOW)
        out->sensitivity = AP_SENS_INTERNAL;
    else
        out->sensitivity = AP_SENS_NONE;
    out->attrs = nd->attrs != NULL ? nd->attrs : "{}";
    out->file = s->sg->files[nd->file];
    out->line = nd->line;
    out->col = nd->col;
}

/* Called for i = 0, 1, 2... in turn: each call fetches the edges (and an id) it will be asked
 * for next (graph_internal.h, AP_STAGE_AHEAD). */
static void stage_edge(const void *ctx, uint32_t i, ap_edge *out)
{
    const stage_src *s = ctx;
    const ap_stage_edge *e = &AP_SEG(s->sg->edges, s->order[i]);
    if (i == 0)
        for (uint32_t k = 1; k < AP_STAGE_AHEAD; k++)
            ap_stage__prefetch_edge(s->sg, s->order, k);
    ap_stage__prefetch_edge(s->sg, s->order, i + AP_STAGE_AHEAD);
    if (i + AP_STAGE_AHEAD / 2 < s->sg->nedges)
        __builtin_prefetch(AP_SEG(s->sg->edges, s->order[i + AP_STAGE_AHEAD / 2]).id);
    memset(out, 0, sizeof *out);
    if (s->keep != NULL && s->keep->edge_old[i] != UINT32_MAX) {
        img_edge r;
        memcpy(&r, s->keep->old->rec_edges + (size_t)s->keep->edge_old[i] * sizeof r, sizeof r);
        img_edge_get(out, &r, old_strings(s->keep->old), 0, false);
        forget_behind(s, i, s->keep->old->rec_edges, sizeof r, s->keep->edge_old[i], r.id);
        out->from = s->rank[e->src];    /* the old row's ends, numbered in the new graph */
        out->to = s->rank[e->dst];
        return;
    }
    out->id = e->id;
    out->attrs = e->attrs != NULL ? e->attrs : "{}";
    out->rights = e->rights;
    out->requires = e->requires;
    out->valid_from = e->valid_from;
    out->expires = e->expires;
    out->file = s->sg->files[e->file];
    out->from = s->rank[e->src];
    out->to = s->rank[e->dst];
    out->line = e->line;
    out->col = e->col;
    out->kind = e->kind;
    out->state = e->state;
    out->escalates = e->escalates != 0;
    out->declared = e->declared != 0;
}

/* The out- and in-rows of the edges in graph order, as ap_graph__index builds them. */
static int rows(const stage_src *s, uint32_t n, uint32_t m, uint32_t **off, uint32_t **in_off,
                uint32_t **in_edge)
{
    uint32_t *fill = NULL;
    *off = calloc((size_t)n + 1, sizeof **off);
    *in_off = calloc((size_t)n + 1, sizeof **in_off);
    *in_edge = malloc(((size_t)m + 1) * sizeof **in_edge);
    fill = malloc(((size_t)n + 1) * sizeof *fill);
    if (*off == NULL || *in_off == NULL || *in_edge == NULL || fill == NULL) {
        free(fill);
        return AP_ENOMEM;
    }
    for (uint32_t i = 0; i < m; i++) {
        const ap_stage_edge *e = &AP_SEG(s->sg->edges, s->order[i]);
        ap_stage__prefetch_edge(s->sg, s->order, i + AP_STAGE_AHEAD);
        (*off)[s->rank[e->src] + 1]++;
        (*in_off)[s->rank[e->dst] + 1]++;
    }
    for (uint32_t v = 0; v < n; v++) {
        (*off)[v + 1] += (*off)[v];
        (*in_off)[v + 1] += (*in_off)[v];
    }
    memcpy(fill, *in_off, ((size_t)n + 1) * sizeof *fill);
    for (uint32_t i = 0; i < m; i++) {
        ap_stage__prefetch_edge(s->sg, s->order, i + AP_STAGE_AHEAD);
        (*in_edge)[fill[s->rank[AP_SEG(s->sg->edges, s->order[i]).dst]]++] = i;
    }
    free(fill);
    return AP_OK;
}

int ap_store__stage_image(ap_store *st, const uint32_t *by_rank, const uint32_t *rank,
                          const uint32_t *order, const ap_image_keep *keep, ap_error *err)
{
    const ap_stage *sg = st->stage;
    stage_src s = {sg, by_rank, rank, order, keep};
    uint32_t *off = NULL, *in_off = NULL, *in_edge = NULL;
    char suffix[32];
    int rc;
    snprintf(suffix, sizeof suffix, ".tmp%ld", (long)getpid());
    char *tmp = ap_image__path(st, suffix);
    if (tmp == NULL)
        return AP_OK;           /* an in-memory database: no image */
    if (getrandom(st->image_token, sizeof st->image_token, 0)
        != (ssize_t)sizeof st->image_token) {
        rc = ap_error_set(err, AP_EIO, "no random token for the graph image");
        goto cleanup;
    }
    if ((rc = rows(&s, sg->nnodes, sg->nedges, &off, &in_off, &in_edge)) < 0) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    const ap_image_src src = {st->snap, sg->nnodes, sg->nedges, off, in_off, in_edge,
                              stage_node, stage_edge, &s};
    if ((rc = ap_image__write(&src, tmp, st->image_token, err)) == AP_OK) {
        st->image_tmp = tmp;
        tmp = NULL;
    }
cleanup:
    free(tmp);
    free(off);
    free(in_off);
    free(in_edge);
    return rc;
}
