/* cli/cmd_diff.c: `authpath diff A B [--partner P]`: what changed from snapshot A to B, for the
 * auditor's "what changed since the last review?": nodes, edges and every partner's authority. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diff.h"
#include "cli.h"

static const char *const change_name[] = { "added", "removed", "changed" };

static const char *reach_change(const ap_diff_reach *r)
{
    return r->before == 0 ? "gained" : r->after == 0 ? "lost" : "changed";
}

/* The graph an item is in: b, or a when it was removed. */
static const ap_graph *side(const ap_graph *a, const ap_graph *b, const ap_diff_item *it)
{
    return it->op == AP_DIFF_REMOVED ? a : b;
}

static json_t *fields_json(const char *fields)
{
    json_t *arr = json_array();
    for (const char *p = fields; *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        json_array_append_new(arr, json_stringn(p, n));
        p += n + (comma != NULL);
    }
    return arr;
}

typedef struct {
    const ap_snapdiff *d;
    const ap_graph *a, *b;
} diff_items;

/* Row i of section k (nodes, edges, authority) as JSON. */
static json_t *diff_item(void *ctx, size_t k, size_t i, bool *skip)
{
    const diff_items *x = ctx;
    const ap_snapdiff *d = x->d;
    *skip = false;
    if (k == 0) {
        const ap_graph *g = side(x->a, x->b, &d->nodes[i]);
        const ap_node *nd = ap_graph_node(g, d->nodes[i].index);
        return json_pack("{s:s, s:s, s:s, s:o}", "change", change_name[d->nodes[i].op], "id",
                         nd->id, "kind", ap_kind_name(nd->kind), "fields",
                         fields_json(d->nodes[i].fields));
    }
    if (k == 1) {
        const ap_graph *g = side(x->a, x->b, &d->edges[i]);
        const ap_edge *e = ap_graph_edge(g, d->edges[i].index);
        return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o}", "change", change_name[d->edges[i].op],
                         "id", e->id, "kind", ap_edge_kind_name(e->kind), "from",
                         ap_graph_node(g, e->from)->id, "to", ap_graph_node(g, e->to)->id,
                         "fields", fields_json(d->edges[i].fields));
    }
    const ap_diff_reach *r = &d->reach[i];
    return json_pack("{s:s, s:s, s:s, s:o, s:o}", "partner", r->partner, "target", r->target,
                     "change", reach_change(r), "before",
                     cli_json_rights(ap_graph_vocab(x->a), r->before), "after",
                     cli_json_rights(ap_graph_vocab(x->b), r->after));
}

/* Streamed a row at a time: memory follows one row, not the document (the authority changes
 * of a hub's estate wrote 390 MB of JSON from a 3.5 GB tree); whole or not at all on stdout. */
static int print_json(const ap_snapdiff *d, const ap_graph *a, const ap_graph *b, int64_t sa,
                      int64_t sb, int64_t at)
{
    static const char *const keys[] = { "nodes", "edges", "authority" };
    json_t *root = json_object();
    const size_t n[] = { d->nnodes, d->nedges, d->nreach };
    diff_items x = { d, a, b };
    char when[32];
    ap_time_format(when, sizeof when, at);
    json_object_set_new(root, "from", json_integer(sa));
    json_object_set_new(root, "to", json_integer(sb));
    json_object_set_new(root, "at", json_string(when));
    json_object_set_new(root, "nodes", json_array());
    json_object_set_new(root, "edges", json_array());
    json_object_set_new(root, "authority", json_array());
    return cli_stream_json(root, keys, n, 3, 4, diff_item, &x);
}

/* Where the rows go: CSV written a row at a time (csv set: one table of every row, its
 * section first), or a table per section for text (its columns need every row). */
typedef struct {
    ap_table *t[3];
    FILE *csv;
} sink;

static int put_row(const sink *to, int section, const char *const *row, ap_error *err)
{
    return to->csv != NULL ? ap_csv_write_row(to->csv, row, 9, err)
                           : ap_table_add(to->t[section], row, err);
}

/* The rows of each section. */
static int fill(const sink *to, const ap_snapdiff *d, const ap_graph *a, const ap_graph *b,
                ap_error *err)
{
    bool all = to->csv != NULL;
    int rc = AP_OK;
    for (uint32_t i = 0; i < d->nnodes && rc == AP_OK; i++) {
        const ap_node *nd = ap_graph_node(side(a, b, &d->nodes[i]), d->nodes[i].index);
        const char *row[] = { "node", change_name[d->nodes[i].op], nd->id,
                              ap_kind_name(nd->kind), "", "", d->nodes[i].fields, "", "" };
        const char *text[] = { row[1], row[2], row[3], row[6] };
        rc = put_row(to, 0, all ? row : text, err);
    }
    for (uint32_t i = 0; i < d->nedges && rc == AP_OK; i++) {
        const ap_graph *g = side(a, b, &d->edges[i]);
        const ap_edge *e = ap_graph_edge(g, d->edges[i].index);
        const char *row[] = { "edge", change_name[d->edges[i].op], e->id,
                              ap_edge_kind_name(e->kind), ap_graph_node(g, e->from)->id,
                              ap_graph_node(g, e->to)->id, d->edges[i].fields, "", "" };
        rc = put_row(to, 1, all ? row : row + 1, err);
    }
    for (uint32_t i = 0; i < d->nreach && rc == AP_OK; i++) {
        const ap_diff_reach *r = &d->reach[i];
        char before[512], after[512];
        ap_rights_format(before, sizeof before, ap_graph_vocab(a), r->before, " ", true);
        ap_rights_format(after, sizeof after, ap_graph_vocab(b), r->after, " ", true);
        const char *row[] = { "authority", reach_change(r), r->partner, "partner", "",
                              r->target, "", before, after };
        const char *text[] = { r->partner, row[1], r->target, before, after };
        rc = put_row(to, 2, all ? row : text, err);
    }
    return rc;
}

typedef struct {
    const ap_snapdiff *d;
    const ap_graph *a, *b;
} diff_csv;

/* For cli_stream: the header, then every row (an authority row's ID is the partner, its TO
 * the target). */
static int write_csv(FILE *out, void *arg, ap_error *err)
{
    static const char *const all[] = { "SECTION", "CHANGE", "ID", "KIND", "FROM", "TO",
                                       "FIELDS", "BEFORE", "AFTER" };
    const diff_csv *x = arg;
    sink to = { { NULL, NULL, NULL }, out };
    int rc = ap_csv_write_row(out, all, 9, err);
    return rc < 0 ? rc : fill(&to, x->d, x->a, x->b, err);
}

/* CSV: one table, a row at a time. Text: a table per section. */
static int print_tables(const ap_snapdiff *d, const ap_graph *a, const ap_graph *b, int64_t sa,
                        int64_t sb, const char *format)
{
    static const char *const nodes[] = { "CHANGE", "ID", "KIND", "FIELDS" };
    static const char *const edges[] = { "CHANGE", "ID", "KIND", "FROM", "TO", "FIELDS" };
    static const char *const reach[] = { "PARTNER", "CHANGE", "TARGET", "BEFORE", "AFTER" };
    sink to = { { NULL, NULL, NULL }, NULL };
    ap_error err;
    int rc = EXIT_OK;
    if (strcmp(format, "csv") == 0) {
        diff_csv x = { d, a, b };
        return cli_stream(write_csv, &x);
    }
    if (ap_table_new(&to.t[0], 4, nodes, &err) < 0 || ap_table_new(&to.t[1], 6, edges, &err) < 0
        || ap_table_new(&to.t[2], 5, reach, &err) < 0 || fill(&to, d, a, b, &err) < 0) {
        rc = cli_fail(&err, NULL);
    } else {
        static const char *const title[] = { "Nodes", "Edges", "Authority" };
        const uint32_t count[] = { d->nnodes, d->nedges, d->nreach };
        printf("Snapshot %lld -> %lld\n", (long long)sa, (long long)sb);
        for (int s = 0; s < 3 && rc == EXIT_OK; s++) {
            printf("\n%s: %u change%s\n", title[s], count[s], count[s] == 1 ? "" : "s");
            if (count[s] > 0)
                rc = cli_print_table(to.t[s], format);
        }
    }
    for (int s = 0; s < 3; s++)
        ap_table_free(to.t[s]);
    return rc;
}

/* A snapshot number as given on the command line. */
static int64_t snapshot_arg(const char *s)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (*s < '0' || *s > '9' || *end != '\0' || v <= 0 || errno == ERANGE) {
        char *shown = ap_text_escape(s);
        cli_errorf("diff: '%s' is not a snapshot number (see authpath snapshots)",
                   shown != NULL ? shown : "?");
        free(shown);
        return -1;
    }
    return v;
}

int cmd_diff(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "partner", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("diff");
    const char *partner = NULL, *format;
    ap_graph *a = NULL, *b = NULL;
    ap_snapdiff *d = NULL;
    ap_error err;
    int64_t sa, sb;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt != 'p')
            return EXIT_USAGE;
        partner = optarg;
    }
    if (argc - optind != 2) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "text,json,csv")) == NULL)
        return EXIT_USAGE;
    if ((sa = snapshot_arg(argv[optind])) < 0 || (sb = snapshot_arg(argv[optind + 1])) < 0)
        return EXIT_USAGE;
    if ((rc = cli_open_store(ctx)) != EXIT_OK)
        return rc;
    /* the same rows: the same graph, nothing changed; said without loading either (two
     * graphs of a million nodes held 1.9 GB to find that) */
    if (partner == NULL && ap_store_same_rows(ctx->st, sa, sb, &err) == 1) {
        if ((d = calloc(1, sizeof *d)) == NULL) {
            ap_error_nomem(&err);
            return cli_fail(&err, NULL);
        }
        goto print;
    }
    if (ap_graph_load(&a, ctx->st, sa, ctx->at, &err) < 0
        || ap_graph_load(&b, ctx->st, sb, ctx->at, &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    if (partner != NULL) {           /* a partner of either snapshot */
        int64_t v = ap_graph_find(b, partner);
        ctx->g = v >= 0 && ap_graph_node(b, (uint32_t)v)->kind == AP_KIND_PARTNER ? b : a;
        rc = cli_find_partner(ctx, partner) < 0 ? EXIT_USAGE : EXIT_OK;
        ctx->g = NULL;
        if (rc != EXIT_OK)
            goto cleanup;
    }
    if (ap_snapdiff_compute(&d, a, b, partner, 2, &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
print:
    rc = strcmp(format, "json") == 0 ? print_json(d, a, b, sa, sb, ctx->at)
                                     : print_tables(d, a, b, sa, sb, format);
cleanup:
    ap_snapdiff_free(d);
    ap_graph_free(a);
    ap_graph_free(b);
    return rc;
}
