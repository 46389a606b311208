/* cli/cmd_whatif_until.c: `what-if [PARTNER] --until DATE`, the expiry forecast: what lapses
 * by itself before DATE and what each partner still holds then, as text or JSON. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "whatif_out.h"

/* Print one element of an array nested `indent` spaces deep in an indented document. */
static int put_element(json_t *item, int indent, bool first)
{
    char *text = item != NULL ? json_dumps(item, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    json_decref(item);
    if (text == NULL)
        return -1;
    printf("%s\n%*s", first ? "" : ",", indent, "");
    for (const char *p = text; *p != '\0'; p++) {     /* JSON strings hold no raw newline */
        putchar(*p);
        if (*p == '\n')
            printf("%*s", indent, "");
    }
    free(text);
    return 0;
}



static json_t *when_json(int64_t t)
{
    char buf[32];
    ap_time_format(buf, sizeof buf, t);
    return json_string(buf);
}

static json_t *window_json(const ap_graph *g, const uint32_t *nodes, uint32_t nn,
                           const uint32_t *edges, uint32_t ne, bool starting)
{
    json_t *o = json_object(), *arr = json_array();
    for (uint32_t i = 0; i < nn; i++) {
        const ap_node *nd = ap_graph_node(g, nodes[i]);
        json_t *x = json_object();
        json_object_set_new(x, "id", json_string(nd->id));
        json_object_set_new(x, "kind", json_string(ap_kind_name(nd->kind)));
        json_object_set_new(x, starting ? "valid_from" : "expires",
                            when_json(starting ? nd->valid_from : nd->expires));
        json_array_append_new(arr, x);
    }
    json_object_set_new(o, "nodes", arr);
    arr = json_array();
    for (uint32_t i = 0; i < ne; i++) {
        const ap_edge *ed = ap_graph_edge(g, edges[i]);
        json_t *x = cli_json_edge(g, edges[i]);
        json_object_set_new(x, starting ? "valid_from" : "expires",
                            when_json(starting ? ed->valid_from : ed->expires));
        json_array_append_new(arr, x);
    }
    json_object_set_new(o, "edges", arr);
    return o;
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


static json_t *forecast_json(const ap_graph *g, const ap_forecast *f)
{
    json_t *root = json_object(), *arr = json_array();
    json_object_set_new(root, "at", when_json(ap_graph_at(g)));
    json_object_set_new(root, "until", when_json(f->until));
    json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(g)));
    json_object_set_new(root, "expiring", window_json(g, f->nodes, f->nnodes, f->edges,
                                                      f->nedges, false));
    json_object_set_new(root, "starting", window_json(g, f->starting_nodes, f->nstarting_nodes,
                                                      f->starting_edges, f->nstarting_edges,
                                                      true));
    json_decref(arr);
    json_object_set_new(root, "partners", json_array());    /* streamed: print_forecast_json */
    return root;
}

/* The forecast as JSON, one partner at a time: memory follows the largest partner. */
static int print_forecast_json(const ap_graph *g, const ap_forecast *f)
{
    json_t *root = forecast_json(g, f);
    char *text = root != NULL ? json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    const char *at = text != NULL ? strstr(text, "\"partners\": []") : NULL;
    int bad = 0;
    json_decref(root);
    if (at == NULL) {
        free(text);
        cli_errorf("out of memory");
        return EXIT_INTERNAL;
    }
    at += strlen("\"partners\": [");
    fwrite(text, 1, (size_t)(at - text), stdout);
    for (uint32_t i = 0; i < f->npartners && !bad; i++)
        bad = put_element(forecast_partner_json(g, &f->partners[i]), 4, i == 0);
    if (f->npartners > 0)
        printf("\n  ");
    printf("%s\n", at);
    free(text);
    if (bad) {
        cli_errorf("out of memory");
        return EXIT_INTERNAL;
    }
    return EXIT_OK;
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
        rc = print_forecast_json(ctx->g, f);
    } else {
        print_forecast(ctx->g, f);
        rc = EXIT_OK;
    }
    ap_forecast_free(f);
    return rc;
}
