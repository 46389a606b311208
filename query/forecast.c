/* query/forecast.c: the expiry forecast. What the expiries between --at and a later date cut
 * by themselves (a derived graph without them) and what survives, per partner. */
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"

#define NONE UINT32_MAX

void ap_forecast_free(ap_forecast *f)
{
    if (f == NULL)
        return;
    for (uint32_t i = 0; f->partners != NULL && i < f->npartners; i++) {
        ap_query__items_free(f->partners[i].lapses, f->partners[i].nlapses);
        ap_query__items_free(f->partners[i].survives, f->partners[i].nsurvives);
    }
    free(f->partners);
    free(f->nodes);
    free(f->edges);
    free(f->starting_nodes);
    free(f->starting_edges);
    free(f);
}

static bool in_window(int64_t t, int64_t at, int64_t until)
{
    return t != AP_TIME_NONE && t > at && t <= until;
}

/* What expires in the window (live now, dead at until) and what starts in it. */
static int window(ap_forecast *f, const ap_graph *g, ap_error *err)
{
    int64_t at = ap_graph_at(g);
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *nd = ap_graph_node(g, v);
        if (nd->kind == AP_KIND_PARTNER)
            continue;
        if ((nd->live && in_window(nd->expires, at, f->until)
             && ap_query__push(&f->nodes, &f->nnodes, sizeof v, &v) < 0)
            || (ap_state_is_live(nd->state) && in_window(nd->valid_from, at, f->until)
                && ap_query__push(&f->starting_nodes, &f->nstarting_nodes, sizeof v, &v) < 0))
            return ap_error_nomem(err);
    }
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if ((ed->own_live && in_window(ed->expires, at, f->until)
             && ap_query__push(&f->edges, &f->nedges, sizeof e, &e) < 0)
            || (ap_state_is_live(ed->state) && in_window(ed->valid_from, at, f->until)
                && ap_query__push(&f->starting_edges, &f->nstarting_edges, sizeof e, &e) < 0))
            return ap_error_nomem(err);
    }
    return AP_OK;
}

/* The first edge of a path that expires or leads into a node that expires. */
static uint32_t cause_on(const ap_forecast *f, const ap_graph *g, const uint32_t *path,
                         uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k < f->nedges; k++)
            if (f->edges[k] == path[i])
                return path[i];
        for (uint32_t k = 0; k < f->nnodes; k++)
            if (f->nodes[k] == ap_graph_edge(g, path[i])->to)
                return path[i];
    }
    return NONE;
}

/* The forecast of partner p into *fp (empty on entry): the first AP_WHATIF_ITEMS_SHOWN items
 * of each list carry their chain. */
static int one_partner(ap_forecast_partner *out, const ap_forecast *f, const ap_graph *g,
                       const ap_graph *d, ap_authority_ws *const ws[2], uint32_t p, ap_error *err)
{
    ap_forecast_partner fp = { p, NULL, 0, NULL, 0, true };
    const ap_authority *before = NULL, *after = NULL;
    ap_rights all = ap_vocab_all(ap_graph_vocab(g));
    int rc;
    if ((rc = ap_query__authority_run(&before, ws[0], g, p, err)) < 0
        || (rc = ap_query__authority_run(&after, ws[1], d, p, err)) < 0)
        goto cleanup;
    for (uint32_t i = 0; i < before->nreach; i++) {
        uint32_t v = before->reach[i];
        ap_reach_item it = { p, v, before->rights[v] & ~after->rights[v] & all, false, NONE,
                             NULL, 0, 0 };
        if (it.rights == 0)
            continue;
        if (fp.nlapses < AP_WHATIF_ITEMS_SHOWN
            && (rc = ap_query__item_path(&it, g, before, it.rights, false, err)) < 0)
            goto cleanup;
        it.cause = it.path != NULL ? cause_on(f, g, it.path, it.npath) : NONE;
        if (ap_query__push(&fp.lapses, &fp.nlapses, sizeof it, &it) < 0) {
            free(it.path);
            goto nomem;
        }
    }
    uint32_t chained = 0;               /* resources and workflows with their chain */
    for (uint32_t i = 0; i < after->nreach; i++) {
        uint32_t v = after->reach[i];
        ap_reach_item it = { p, v, after->rights[v] & all, false, NONE, NULL, 0, 0 };
        ap_kind kind = ap_graph_node(g, v)->kind;
        if (kind != AP_KIND_RESOURCE && kind != AP_KIND_WORKFLOW)
            continue;                   /* survives: what to act on, resources and workflows */
        if (chained < AP_WHATIF_ITEMS_SHOWN) {
            chained++;
            if ((rc = ap_query__item_path(&it, d, after, AP_RIGHTS_ALL, true, err)) < 0)
                goto cleanup;
        }
        if (ap_query__push(&fp.survives, &fp.nsurvives, sizeof it, &it) < 0) {
            free(it.path);
            goto nomem;
        }
    }
    *out = fp;
    fp.lapses = fp.survives = NULL;
    fp.nlapses = fp.nsurvives = 0;
    rc = AP_OK;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    ap_query__items_free(fp.lapses, fp.nlapses);
    ap_query__items_free(fp.survives, fp.nsurvives);
    return rc;
}

/* The partners asked about, each with its chains; or every partner, counted by the kernel on
 * both graphs, and the AP_FORECAST_MAX_LISTED chosen (lapses first, by id) computed one by one
 * with their chains: the work follows what is listed, not the partners times their reach. */
static int all_partners(ap_forecast *f, const ap_graph *g, const ap_graph *d,
                        const uint32_t *partners, uint32_t n, ap_error *err)
{
    uint32_t count = n, *src = NULL;
    ap_reach_counts *cnt = NULL;
    ap_authority_ws *ws[2] = { NULL, NULL };    /* on g, on d */
    int rc = AP_OK;
    if (n == 0)
        for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
            count += ap_graph_node(g, v)->kind == AP_KIND_PARTNER;
    if ((f->partners = calloc((size_t)count + 1, sizeof *f->partners)) == NULL)
        return ap_error_nomem(err);
    if ((rc = ap_query__authority_ws_new(&ws[0], g, err)) < 0
        || (rc = ap_query__authority_ws_new(&ws[1], d, err)) < 0)
        goto done;
    for (uint32_t i = 0; n > 0 && rc == AP_OK && i < n; i++)
        if ((rc = one_partner(&f->partners[i], f, g, d, ws, partners[i], err)) == AP_OK)
            f->npartners++;
    if (n > 0)
        goto done;
    src = malloc(((size_t)count + 1) * sizeof *src);
    cnt = malloc(((size_t)count + 1) * sizeof *cnt);
    if (src == NULL || cnt == NULL) {
        rc = ap_error_nomem(err);
        goto done;
    }
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER)
            src[f->npartners++] = v;
    if ((rc = ap_query__reach_counts(cnt, g, d, src, count, err)) < 0)
        goto done;
    for (uint32_t i = 0; i < count; i++)       /* counted only: no lists */
        f->partners[i] = (ap_forecast_partner){ src[i], NULL, cnt[i].lost, NULL,
                                                cnt[i].targets, false };
    /* of every partner: those with lapses first, then the others, both by id */
    uint32_t listed = 0;
    for (int pass = 0; pass < 2; pass++)
        for (uint32_t i = 0; rc == AP_OK && i < f->npartners; i++) {
            ap_forecast_partner *fp = &f->partners[i], fresh;
            if (listed >= AP_FORECAST_MAX_LISTED || fp->listed
                || (pass == 0) != (fp->nlapses > 0))
                continue;
            if ((rc = one_partner(&fresh, f, g, d, ws, fp->partner, err)) < 0)
                break;
            *fp = fresh;
            listed++;
        }
done:
    free(src);
    free(cnt);
    ap_query__authority_ws_free(ws[0]);
    ap_query__authority_ws_free(ws[1]);
    return rc;
}

int ap_forecast_compute(ap_forecast **out, const ap_graph *g, const uint32_t *partners,
                        uint32_t n, int64_t until, ap_error *err)
{
    ap_forecast *f = calloc(1, sizeof *f);
    ap_graph *d = NULL;
    int rc;
    *out = NULL;
    if (f == NULL)
        return ap_error_nomem(err);
    f->until = until;
    if (until <= ap_graph_at(g)) {
        rc = ap_error_set(err, AP_EINPUT, "the forecast date must be after --at");
        goto fail;
    }
    if ((rc = window(f, g, err)) < 0)
        goto fail;
    ap_graph_edit edit = { f->edges, f->nedges, NULL, 0, f->nodes, f->nnodes };
    if ((rc = ap_graph_derive(&d, g, &edit, err)) < 0)
        goto fail;
    if ((rc = all_partners(f, g, d, partners, n, err)) < 0)
        goto fail;
    ap_graph_free(d);
    *out = f;
    return AP_OK;
fail:
    ap_graph_free(d);
    ap_forecast_free(f);
    return rc;
}
