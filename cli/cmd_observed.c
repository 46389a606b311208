/* cli/cmd_observed.c: `authority NODE --observed [--since DATE]`: what NODE reaches, marked with
 * what observed use (import --as usage) used there and when, over the window. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* The use seen at reached node v: from the observed targets, or for an identity, credential or
 * role its own last event. */
typedef struct {
    ap_rights used;
    uint64_t events;
    int64_t last;
} seen;

static void seen_at(const ap_graph *g, const ap_observed *o, size_t no, const ap_usage *u,
                    uint32_t v, seen *s)
{
    const ap_node *nd = ap_graph_node(g, v);
    s->used = 0;
    s->events = 0;
    s->last = AP_TIME_NONE;
    for (size_t i = 0; i < no; i++)
        if (o[i].node == v) {
            s->used = o[i].used;
            s->events = o[i].events;
            s->last = o[i].last;
            return;
        }
    if (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW) {
        int64_t t;
        if (ap_usage_last_used(u, nd->id, &t) && t >= ap_usage_since(u))
            s->last = t;
    }
}

int cli_authority_observed(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "observed", no_argument, NULL, 'o' },
        { "since", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("authority");
    const char *since = NULL, *format;
    ap_authority *a = NULL;
    ap_observed *o = NULL;
    ap_usage *u = NULL;
    size_t no = 0;
    ap_error err;
    int64_t p;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt == 's')
            since = optarg;
        else if (opt != 'o')
            return EXIT_USAGE;
    }
    if (argc - optind != 1) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "text,json,csv")) == NULL)
        return EXIT_USAGE;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if ((p = cli_find_node(ctx, argv[optind], "node")) < 0)
        return EXIT_USAGE;
    if ((rc = cli_load_usage(ctx, since, &u)) != EXIT_OK)
        return rc;
    if (ap_authority_compute(&a, ctx->g, (uint32_t)p, &err) < 0
        || ap_usage_observed(&o, &no, ctx->g, a, u, &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    const ap_vocab *voc = ap_graph_vocab(ctx->g);
    if (strcmp(format, "json") == 0) {
        char t[32];
        json_t *root = json_object(), *reach = json_array();
        ap_time_format(t, sizeof t, ap_graph_at(ctx->g));
        json_object_set_new(root, "partner", json_string(argv[optind]));
        json_object_set_new(root, "at", json_string(t));
        json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(ctx->g)));
        ap_time_format(t, sizeof t, ap_usage_since(u));
        json_object_set_new(root, "since", json_string(t));
        for (uint32_t i = 0; i < a->nreach; i++) {
            uint32_t v = a->reach[i];
            json_t *x = json_object();
            seen s;
            seen_at(ctx->g, o, no, u, v, &s);
            json_object_set_new(x, "id", json_string(ap_graph_node(ctx->g, v)->id));
            json_object_set_new(x, "kind",
                                json_string(ap_kind_name(ap_graph_node(ctx->g, v)->kind)));
            json_object_set_new(x, "rights", cli_json_rights(voc, a->rights[v]));
            json_object_set_new(x, "hops", json_integer(a->hops[v]));
            {
                size_t len = ap_authority_path(a, ctx->g, v, NULL, 0);
                uint32_t *path = malloc((len + 1) * sizeof *path);
                if (path != NULL) {
                    ap_authority_path(a, ctx->g, v, path, len);
                    json_object_set_new(x, "path", cli_json_chain(ctx->g, a, path, len));
                }
                free(path);
            }
            json_object_set_new(x, "used", cli_json_rights(voc, s.used));
            json_object_set_new(x, "events", json_integer((json_int_t)s.events));
            if (s.last != AP_TIME_NONE) {
                ap_time_format(t, sizeof t, s.last);
                json_object_set_new(x, "last_used", json_string(t));
            } else {
                json_object_set_new(x, "last_used", json_null());
            }
            json_array_append_new(reach, x);
        }
        json_object_set_new(root, "reach", reach);
        rc = cli_print_json(root);
    } else {
        static const char *const head[] = { "HOPS", "KIND", "ID", "RIGHTS", "USED", "EVENTS",
                                            "LAST_USED" };
        ap_table *tb = NULL;
        const char *sep = strcmp(format, "csv") == 0 ? "|" : ",";
        if (ap_table_new(&tb, 7, head, &err) < 0) {
            rc = cli_fail(&err, NULL);
            goto cleanup;
        }
        for (uint32_t i = 0; i < a->nreach; i++) {
            uint32_t v = a->reach[i];
            char hops[16], rights[1024], used[1024], events[32], last[32];
            seen s;
            seen_at(ctx->g, o, no, u, v, &s);
            snprintf(hops, sizeof hops, "%u", a->hops[v]);
            ap_rights_format(rights, sizeof rights, voc, a->rights[v], sep, true);
            if (s.used != 0)
                ap_rights_format(used, sizeof used, voc, s.used, sep, false);
            else
                used[0] = '\0';
            snprintf(events, sizeof events, "%llu", (unsigned long long)s.events);
            cli_time(last, sizeof last, s.last);
            const char *row[] = { hops, ap_kind_name(ap_graph_node(ctx->g, v)->kind),
                                  ap_graph_node(ctx->g, v)->id, rights, used, events, last };
            ap_table_add(tb, row, &err);
        }
        rc = cli_print_table(tb, format);
        ap_table_free(tb);
    }
cleanup:
    free(o);
    ap_usage_free(u);
    ap_authority_free(a);
    return rc;
}
