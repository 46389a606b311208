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

/* What the outputs read: the authority, the observed use at its targets, the usage. */
typedef struct {
    const ap_graph *g;
    const ap_authority *a;
    const ap_observed *o;
    size_t no;
    const ap_usage *u;
} observed_out;

/* One reached node of the JSON, with its chain and its use (a reach follows the estate, its
 * chains more: streamed, cli_stream_json). */
static json_t *observed_item(void *arg, size_t k, size_t i, bool *skip)
{
    const observed_out *x = arg;
    const ap_vocab *voc = ap_graph_vocab(x->g);
    uint32_t v = x->a->reach[i];
    json_t *o = json_object();
    char t[32];
    seen s;
    (void)k;
    (void)skip;
    seen_at(x->g, x->o, x->no, x->u, v, &s);
    json_object_set_new(o, "id", json_string(ap_graph_node(x->g, v)->id));
    json_object_set_new(o, "kind", json_string(ap_kind_name(ap_graph_node(x->g, v)->kind)));
    json_object_set_new(o, "rights", cli_json_rights(voc, x->a->rights[v]));
    json_object_set_new(o, "hops", json_integer(x->a->hops[v]));
    size_t len = ap_authority_path(x->a, x->g, v, NULL, 0);
    uint32_t *path = malloc((len + 1) * sizeof *path);
    if (path != NULL) {
        ap_authority_path(x->a, x->g, v, path, len);
        json_object_set_new(o, "path", cli_json_chain(x->g, x->a, path, len));
    }
    free(path);
    json_object_set_new(o, "used", cli_json_rights(voc, s.used));
    json_object_set_new(o, "events", json_integer((json_int_t)s.events));
    if (s.last != AP_TIME_NONE) {
        ap_time_format(t, sizeof t, s.last);
        json_object_set_new(o, "last_used", json_string(t));
    } else {
        json_object_set_new(o, "last_used", json_null());
    }
    return o;
}

static const char *const head[] = { "HOPS", "KIND", "ID", "RIGHTS", "USED", "EVENTS",
                                    "LAST_USED" };

/* Row i of the table into the buffers given (rights lists joined by sep). */
static void observed_row(const observed_out *x, uint32_t i, const char *sep, char hops[16],
                         char rights[1024], char used[1024], char events[32], char last[32],
                         const char *row[7])
{
    const ap_vocab *voc = ap_graph_vocab(x->g);
    uint32_t v = x->a->reach[i];
    seen s;
    seen_at(x->g, x->o, x->no, x->u, v, &s);
    snprintf(hops, 16, "%u", x->a->hops[v]);
    ap_rights_format(rights, 1024, voc, x->a->rights[v], sep, true);
    if (s.used != 0)
        ap_rights_format(used, 1024, voc, s.used, sep, false);
    else
        used[0] = '\0';
    snprintf(events, 32, "%llu", (unsigned long long)s.events);
    cli_time(last, 32, s.last);
    row[0] = hops;
    row[1] = ap_kind_name(ap_graph_node(x->g, v)->kind);
    row[2] = ap_graph_node(x->g, v)->id;
    row[3] = rights;
    row[4] = used;
    row[5] = events;
    row[6] = last;
}

/* The table as CSV, a row at a time; for cli_stream. */
static int write_csv(FILE *out, void *arg, ap_error *err)
{
    const observed_out *x = arg;
    int rc = ap_csv_write_row(out, head, 7, err);
    for (uint32_t i = 0; rc == AP_OK && i < x->a->nreach; i++) {
        char hops[16], rights[1024], used[1024], events[32], last[32];
        const char *row[7];
        observed_row(x, i, "|", hops, rights, used, events, last, row);
        rc = ap_csv_write_row(out, row, 7, err);
    }
    return rc;
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
    observed_out x = { ctx->g, a, o, no, u };
    if (strcmp(format, "json") == 0) {
        static const char *const keys[] = { "reach" };
        const size_t n[] = { a->nreach };
        char t[32];
        json_t *root = json_object();
        ap_time_format(t, sizeof t, ap_graph_at(ctx->g));
        json_object_set_new(root, "partner", json_string(argv[optind]));
        json_object_set_new(root, "at", json_string(t));
        json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(ctx->g)));
        ap_time_format(t, sizeof t, ap_usage_since(u));
        json_object_set_new(root, "since", json_string(t));
        json_object_set_new(root, "reach", json_array());
        rc = cli_stream_json(root, keys, n, 1, 4, observed_item, &x);
    } else if (strcmp(format, "csv") == 0) {
        rc = cli_stream(write_csv, &x);
    } else {
        ap_table *tb = NULL;
        if (ap_table_new(&tb, 7, head, &err) < 0) {
            rc = cli_fail(&err, NULL);
            goto cleanup;
        }
        for (uint32_t i = 0; i < a->nreach; i++) {
            char hops[16], rights[1024], used[1024], events[32], last[32];
            const char *row[7];
            observed_row(&x, i, ",", hops, rights, used, events, last, row);
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
