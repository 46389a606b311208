/* cli/cmd_whatif_until.c: `what-if [PARTNER] --until DATE`, the expiry forecast: what lapses
 * by itself before DATE and what each partner still holds then, as text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whatif_out.h"

static json_t *when_json(int64_t t)
{
    char buf[32];
    ap_time_format(buf, sizeof buf, t);
    return json_string(buf);
}

/* The nodes and edges of the window (expiring or, when starting, becoming valid): w's arrays
 * "nodes" and "edges" of the object open now, an item at a time. */
static int stream_window(ap_json_writer *w, const ap_graph *g, const uint32_t *nodes,
                         uint32_t nn, const uint32_t *edges, uint32_t ne, bool starting,
                         ap_error *err)
{
    int rc = ap_json_writer_array(w, "nodes", err);
    for (uint32_t i = 0; rc == AP_OK && i < nn; i++) {
        const ap_node *nd = ap_graph_node(g, nodes[i]);
        json_t *x = json_object();
        json_object_set_new(x, "id", json_string(nd->id));
        json_object_set_new(x, "kind", json_string(ap_kind_name(nd->kind)));
        json_object_set_new(x, starting ? "valid_from" : "expires",
                            when_json(starting ? nd->valid_from : nd->expires));
        rc = ap_json_writer_item(w, x, err);
    }
    if (rc < 0 || (rc = ap_json_writer_close(w, err)) < 0
        || (rc = ap_json_writer_array(w, "edges", err)) < 0)
        return rc;
    for (uint32_t i = 0; rc == AP_OK && i < ne; i++) {
        const ap_edge *ed = ap_graph_edge(g, edges[i]);
        json_t *x = cli_json_edge(g, edges[i]);
        json_object_set_new(x, starting ? "valid_from" : "expires",
                            when_json(starting ? ed->valid_from : ed->expires));
        rc = ap_json_writer_item(w, x, err);
    }
    return rc < 0 ? rc : ap_json_writer_close(w, err);
}

/* One partner of the forecast as JSON. */
static json_t *forecast_partner_json(const ap_graph *g, const ap_forecast_partner *fp)
{
    uint32_t more = fp->nlapses;
    json_t *o = json_object();
    /* a partner not listed has its counts only (AP_FORECAST_MAX_LISTED) */
    json_t *lapses = fp->listed ? cli_items_json_more(g, fp->lapses, fp->nlapses, &more)
                                : json_array();
    for (uint32_t k = 0, j = 0; fp->listed && k < fp->nlapses; k++)
        if (fp->lapses[k].path != NULL && j < json_array_size(lapses))
            json_object_set_new(json_array_get(lapses, j++), "ends",
                                fp->lapses[k].cause != UINT32_MAX
                                    ? cli_json_edge(g, fp->lapses[k].cause) : json_null());
    json_object_set_new(o, "partner", json_string(id_of(g, fp->partner)));
    json_object_set_new(o, "lapses", lapses);
    if (more > 0)
        json_object_set_new(o, "lapses_more", json_integer(more));
    /* survives: the resources and workflows with their chain, the rest counted */
    json_t *surv = fp->listed ? cli_items_json(g, fp->survives, fp->nsurvives) : json_array();
    json_object_set_new(o, "survives", surv);
    if (fp->nsurvives > json_array_size(surv))
        json_object_set_new(o, "survives_more",
                            json_integer(fp->nsurvives - json_array_size(surv)));
    return o;
}


static json_t *window_skeleton(void)
{
    json_t *o = json_object();
    json_object_set_new(o, "nodes", json_array());
    json_object_set_new(o, "edges", json_array());
    return o;
}

/* The forecast as JSON, a piece at a time (ap_json_writer): memory follows the largest
 * partner, not the window's nodes and edges nor the partners. For cli_stream. */
typedef struct {
    const ap_graph *g;
    const ap_forecast *f;
} forecast_out;

static int write_forecast(FILE *out, void *arg, ap_error *err)
{
    const forecast_out *x = arg;
    const ap_graph *g = x->g;
    const ap_forecast *f = x->f;
    ap_json_writer *w = NULL;
    json_t *root = json_object();
    int rc;
    json_object_set_new(root, "at", when_json(ap_graph_at(g)));
    json_object_set_new(root, "until", when_json(f->until));
    json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(g)));
    json_object_set_new(root, "expiring", window_skeleton());
    json_object_set_new(root, "starting", window_skeleton());
    json_object_set_new(root, "partners", json_array());
    if ((rc = ap_json_writer_new(&w, out, root, err)) < 0
        || (rc = stream_window(w, g, f->nodes, f->nnodes, f->edges, f->nedges, false,
                               err)) < 0
        || (rc = stream_window(w, g, f->starting_nodes, f->nstarting_nodes, f->starting_edges,
                               f->nstarting_edges, true, err)) < 0
        || (rc = ap_json_writer_array(w, "partners", err)) < 0)
        goto done;
    for (uint32_t i = 0; rc == AP_OK && i < f->npartners; i++)
        rc = ap_json_writer_item(w, forecast_partner_json(g, &f->partners[i]), err);
    if (rc == AP_OK && (rc = ap_json_writer_close(w, err)) == AP_OK)
        rc = ap_json_writer_finish(w, err);
done:
    ap_json_writer_free(w);
    return rc;
}

static void put_window(const ap_graph *g, const uint32_t *nodes, uint32_t nn,
                       const uint32_t *edges, uint32_t ne, bool starting)
{
    char when[32];
    for (uint32_t i = 0; i < nn; i++) {
        const ap_node *nd = ap_graph_node(g, nodes[i]);
        ap_time_format(when, sizeof when, starting ? nd->valid_from : nd->expires);
        printf("  %s ", ap_kind_name(nd->kind));
        cli_put(nd->id);
        printf(" %s %s\n", starting ? "becomes valid" : "expires", when);
    }
    for (uint32_t i = 0; i < ne; i++) {
        const ap_edge *ed = ap_graph_edge(g, edges[i]);
        ap_time_format(when, sizeof when, starting ? ed->valid_from : ed->expires);
        fputs("  edge ", stdout);
        cli_put_edge(g, edges[i]);
        printf(" %s %s\n", starting ? "becomes valid" : "expires", when);
    }
    if (nn + ne == 0)
        printf("  nothing\n");
}

static void print_forecast(const ap_graph *g, const ap_forecast *f)
{
    char at[32], until[32];
    ap_time_format(at, sizeof at, ap_graph_at(g));
    ap_time_format(until, sizeof until, f->until);
    printf("Expiry forecast from %s to %s, snapshot %lld: only expiries are applied.\n", at,
           until, (long long)ap_graph_snapshot(g));
    printf("\nExpiring in the window:\n");
    put_window(g, f->nodes, f->nnodes, f->edges, f->nedges, false);
    if (f->nstarting_nodes + f->nstarting_edges > 0) {
        printf("\nBecoming valid in the window (not applied: it adds access back):\n");
        put_window(g, f->starting_nodes, f->nstarting_nodes, f->starting_edges,
                   f->nstarting_edges, true);
    }
    for (uint32_t i = 0; i < f->npartners; i++) {
        const ap_forecast_partner *fp = &f->partners[i];
        uint32_t shown = 0;
        fputs("\n", stdout);
        cli_put(id_of(g, fp->partner));
        if (!fp->listed) {              /* counted only: AP_FORECAST_MAX_LISTED */
            printf(": %u %s by itself, %u %s (not listed: `what-if ", fp->nlapses,
                   fp->nlapses == 1 ? "item lapses" : "items lapse", fp->nsurvives,
                   fp->nsurvives == 1 ? "resource or workflow survives"
                                      : "resources and workflows survive");
            cli_put(id_of(g, fp->partner));
            printf(" --until %s` lists them)\n", until);
            continue;
        }
        printf(": lapses by itself (no action needed):%s\n", fp->nlapses ? "" : " nothing");
        uint32_t listed = 0, more = 0;
        for (uint32_t k = 0; k < fp->nlapses; k++) {
            const ap_reach_item *it = &fp->lapses[k];
            if (it->path == NULL || listed >= AP_WHATIF_ITEMS_SHOWN) {
                more++;
                continue;
            }
            listed++;
            cli_put_items(g, fp->partner, it, 1, "-");
            if (it->cause != UINT32_MAX) {
                const ap_edge *e = ap_graph_edge(g, it->cause);
                const ap_node *to = ap_graph_node(g, e->to);
                bool edge_ends = e->expires != AP_TIME_NONE && e->expires <= f->until
                                 && e->expires > ap_graph_at(g);
                char when[32];
                ap_time_format(when, sizeof when, edge_ends ? e->expires : to->expires);
                fputs("      ends when ", stdout);
                if (edge_ends) {
                    fputs("edge ", stdout);
                    cli_put(e->id);
                } else {
                    printf("%s ", ap_kind_name(to->kind));
                    cli_put(to->id);
                }
                printf(" expires, %s\n", when);
            }
        }
        if (more > 0)
            printf("    and %u more (the first %u are listed)\n", more, listed);
        printf("  survives (resources and workflows; act if it must end):\n");
        more = 0;
        for (uint32_t k = 0; k < fp->nsurvives; k++) {
            ap_kind kind = ap_graph_node(g, fp->survives[k].node)->kind;
            if (kind != AP_KIND_RESOURCE && kind != AP_KIND_WORKFLOW)
                continue;
            if (fp->survives[k].path == NULL || shown >= AP_WHATIF_ITEMS_SHOWN) {
                more++;
                continue;
            }
            cli_put_items(g, fp->partner, &fp->survives[k], 1, "-");
            shown++;
        }
        if (more > 0)
            printf("    and %u more (the first %u are listed)\n", more, shown);
        if (shown == 0)
            printf("    nothing\n");
    }
}

int cli_whatif_until(cli_ctx *ctx, const char *partner, int64_t until, const char *format)
{
    ap_forecast *f = NULL;
    ap_error err;
    uint32_t p = 0;
    int rc;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if (partner != NULL) {
        int64_t v = cli_find_partner(ctx, partner);
        if (v < 0)
            return EXIT_USAGE;
        p = (uint32_t)v;
    }
    if (ap_forecast_compute(&f, ctx->g, &p, partner != NULL, until, &err) < 0)
        return cli_fail(&err, NULL);
    if (strcmp(format, "json") == 0) {
        forecast_out x = { ctx->g, f };
        rc = cli_stream(write_forecast, &x);
    } else {
        print_forecast(ctx->g, f);
        rc = EXIT_OK;
    }
    ap_forecast_free(f);
    return rc;
}
