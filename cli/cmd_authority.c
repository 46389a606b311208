/* cli/cmd_authority.c: `authority PARTNER` (everything a partner reaches, with rights, hops and
 * the witness path) and `explain PARTNER TARGET` (that path as one sentence). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "cli.h"

/* Parse no options but the global ones; the positional arguments stay in argv[optind...]. */
static int plain_options(cli_ctx *ctx, const cli_cmd *self, int argc, char **argv, int nargs)
{
    int opt;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", NULL)) != -1)
        return opt == CLI_HELP ? -1 : EXIT_USAGE;
    if (argc - optind != nargs) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    return EXIT_OK;
}

static json_t *path_json(const ap_graph *g, const ap_authority *a, uint32_t v)
{
    json_t *arr = json_array();
    size_t len = ap_authority_path(a, g, v, NULL, 0);
    uint32_t *path = malloc((len + 1) * sizeof *path);
    if (path == NULL || arr == NULL) {
        free(path);
        json_decref(arr);
        return NULL;
    }
    ap_authority_path(a, g, v, path, len);
    for (size_t i = 0; i < len; i++) {
        const ap_edge *e = ap_graph_edge(g, path[i]);
        json_t *step = json_object();
        json_object_set_new(step, "from", json_string(ap_graph_node(g, e->from)->id));
        json_object_set_new(step, "to", json_string(ap_graph_node(g, e->to)->id));
        json_object_set_new(step, "kind", json_string(ap_edge_kind_name(e->kind)));
        json_array_append_new(arr, step);
    }
    free(path);
    return arr;
}

/* "partner -> key -> svc" for the text and CSV forms. */
static char *path_text(const ap_graph *g, const ap_authority *a, uint32_t v)
{
    size_t len = ap_authority_path(a, g, v, NULL, 0), size = 1;
    uint32_t *path = malloc((len + 1) * sizeof *path);
    char *s;
    if (path == NULL)
        return NULL;
    ap_authority_path(a, g, v, path, len);
    size += strlen(ap_graph_node(g, a->source)->id);
    for (size_t i = 0; i < len; i++)
        size += strlen(ap_graph_node(g, ap_graph_edge(g, path[i])->to)->id) + 4;
    if ((s = malloc(size)) != NULL) {
        strcpy(s, ap_graph_node(g, a->source)->id);
        for (size_t i = 0; i < len; i++) {
            strcat(s, " > ");
            strcat(s, ap_graph_node(g, ap_graph_edge(g, path[i])->to)->id);
        }
    }
    free(path);
    return s;
}

int cmd_authority(cli_ctx *ctx, int argc, char **argv)
{
    const cli_cmd *self = cli_command("authority");
    const char *format;
    ap_authority *a = NULL;
    ap_error err;
    int64_t p;
    int rc;
    if ((rc = plain_options(ctx, self, argc, argv, 1)) != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if ((format = cli_format(ctx, "text,json,csv,dot,svg,png,pdf")) == NULL
        || cli_binary_ok(format) != EXIT_OK)
        return EXIT_USAGE;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if ((p = cli_find_node(ctx, argv[optind], "node")) < 0)
        return EXIT_USAGE;
    if (ap_authority_compute(&a, ctx->g, (uint32_t)p, &err) < 0)
        return cli_fail(&err, NULL);
    const ap_vocab *voc = ap_graph_vocab(ctx->g);
    if (cli_is_diagram_format(format)) {
        ap_diagram *d = NULL;
        rc = ap_diagram_authority(&d, ctx->g, a, &err) < 0 ? cli_fail(&err, NULL)
                                                           : cli_write_diagram(ctx->g, d, format);
        ap_diagram_free(d);
    } else if (strcmp(format, "json") == 0) {
        char at[32];
        json_t *root = json_object(), *reach = json_array();
        ap_time_format(at, sizeof at, ap_graph_at(ctx->g));
        json_object_set_new(root, "partner", json_string(ap_graph_node(ctx->g, (uint32_t)p)->id));
        json_object_set_new(root, "at", json_string(at));
        json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(ctx->g)));
        for (uint32_t i = 0; i < a->nreach; i++) {
            uint32_t v = a->reach[i];
            json_t *o = json_object();
            json_object_set_new(o, "id", json_string(ap_graph_node(ctx->g, v)->id));
            json_object_set_new(o, "kind",
                                json_string(ap_kind_name(ap_graph_node(ctx->g, v)->kind)));
            json_object_set_new(o, "rights", cli_json_rights(voc, a->rights[v]));
            json_object_set_new(o, "hops", json_integer(a->hops[v]));
            json_object_set_new(o, "path", path_json(ctx->g, a, v));
            json_array_append_new(reach, o);
        }
        json_object_set_new(root, "reach", reach);
        rc = cli_print_json(root);
    } else {
        static const char *const head[] = { "HOPS", "KIND", "ID", "NAME", "RIGHTS", "PATH" };
        ap_table *t = NULL;
        if (ap_table_new(&t, 6, head, &err) < 0) {
            ap_authority_free(a);
            return cli_fail(&err, NULL);
        }
        for (uint32_t i = 0; i < a->nreach; i++) {
            uint32_t v = a->reach[i];
            char hops[16], rights[1024];
            char *path = path_text(ctx->g, a, v);
            snprintf(hops, sizeof hops, "%u", a->hops[v]);
            ap_rights_format(rights, sizeof rights, voc, a->rights[v],
                             strcmp(format, "csv") == 0 ? "|" : ",", true);
            const char *row[] = { hops, ap_kind_name(ap_graph_node(ctx->g, v)->kind),
                                  ap_graph_node(ctx->g, v)->id,
                                  ap_graph_node_str(ctx->g, v, "name"), rights, path };
            ap_table_add(t, row, &err);
            free(path);
        }
        rc = cli_print_table(t, format);
        ap_table_free(t);
    }
    ap_authority_free(a);
    return rc;
}

static json_t *edges_json(const ap_graph *g, const uint32_t *edges, size_t len)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < len; i++) {
        const ap_edge *e = ap_graph_edge(g, edges[i]);
        json_t *step = json_object();
        json_object_set_new(step, "from", json_string(ap_graph_node(g, e->from)->id));
        json_object_set_new(step, "to", json_string(ap_graph_node(g, e->to)->id));
        json_object_set_new(step, "kind", json_string(ap_edge_kind_name(e->kind)));
        json_array_append_new(arr, step);
    }
    return arr;
}

int cmd_explain(cli_ctx *ctx, int argc, char **argv)
{
    const cli_cmd *self = cli_command("explain");
    const char *format;
    ap_authority *a = NULL;
    ap_explanation *x = NULL;
    size_t nx = 0;
    ap_error err;
    int64_t p, v;
    int rc;
    if ((rc = plain_options(ctx, self, argc, argv, 2)) != EXIT_OK)
        return rc < 0 ? EXIT_OK : rc;
    if ((format = cli_format(ctx, "text,json")) == NULL)
        return EXIT_USAGE;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if ((p = cli_find_node(ctx, argv[optind], "node")) < 0
        || (v = cli_find_node(ctx, argv[optind + 1], "node")) < 0)
        return EXIT_USAGE;
    if (ap_authority_compute(&a, ctx->g, (uint32_t)p, &err) < 0)
        return cli_fail(&err, NULL);
    if (ap_explain_all(&x, &nx, ctx->g, a, (uint32_t)v, &err) < 0) {
        ap_authority_free(a);
        return cli_fail(&err, NULL);
    }
    const ap_vocab *voc = ap_graph_vocab(ctx->g);
    if (strcmp(format, "json") == 0) {
        json_t *root = json_object(), *list = json_array();
        json_object_set_new(root, "partner", json_string(ap_graph_node(ctx->g, (uint32_t)p)->id));
        json_object_set_new(root, "target", json_string(argv[optind + 1]));
        json_object_set_new(root, "rights", cli_json_rights(voc, a->rights[v]));
        json_object_set_new(root, "hops", json_integer(a->hops[v]));
        json_object_set_new(root, "path", path_json(ctx->g, a, (uint32_t)v));
        json_object_set_new(root, "sentence", json_string(x[0].sentence));
        for (size_t i = 0; i < nx; i++) {
            json_t *o = json_object();
            json_object_set_new(o, "rights", cli_json_rights(voc, x[i].rights));
            json_object_set_new(o, "path", edges_json(ctx->g, x[i].edges, x[i].len));
            json_object_set_new(o, "sentence", json_string(x[i].sentence));
            json_array_append_new(list, o);
        }
        json_object_set_new(root, "explanations", list);
        rc = cli_print_json(root);
    } else {
        for (size_t i = 0; i < nx; i++) {
            char *shown = ap_text_escape(x[i].sentence);
            printf("%s.\n", shown != NULL ? shown : x[i].sentence);
            free(shown);
        }
    }
    ap_explanations_free(x, nx);
    ap_authority_free(a);
    return rc;
}
