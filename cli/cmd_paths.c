/* cli/cmd_paths.c: `paths PARTNER [--to NODE]`: every authority-carrying path from a partner to
 * one target or to each sensitive resource, shortest first, bounded and saying when it stops. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"
#include "cli.h"

/* A positive count option (1..limit). */
static int parse_count(const char *opt, const char *arg, uint32_t limit, uint32_t *out)
{
    long long v;
    if (cli_number(opt, arg, 1, limit, &v) != EXIT_OK)
        return EXIT_USAGE;
    *out = (uint32_t)v;
    return EXIT_OK;
}

static const char *sens_name(const ap_node *nd)
{
    return ap_sensitivity_name(nd->sensitivity == AP_SENS_NONE ? AP_SENS_INTERNAL
                                                               : nd->sensitivity);
}

typedef struct {
    const ap_graph *g;
    const ap_authority *a;
    const ap_paths *p;
} paths_out;

/* One target: {"id", "kind", "sensitivity", "rights", "complete", ..., "paths": []}. */
static json_t *target_skeleton(const ap_graph *g, const ap_authority *a, const ap_path_set *s)
{
    const ap_node *nd = ap_graph_node(g, s->target);
    json_t *t = json_object();
    json_object_set_new(t, "id", json_string(nd->id));
    json_object_set_new(t, "kind", json_string(ap_kind_name(nd->kind)));
    if (nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW)
        json_object_set_new(t, "sensitivity", json_string(sens_name(nd)));
    json_object_set_new(t, "rights", cli_json_rights(ap_graph_vocab(g), a->rights[s->target]));
    json_object_set_new(t, "complete", json_boolean(!s->more && !s->deeper && !s->truncated));
    json_object_set_new(t, "more_paths", json_boolean(s->more));
    json_object_set_new(t, "longer_paths", json_boolean(s->deeper));
    json_object_set_new(t, "truncated", json_boolean(s->truncated));
    json_object_set_new(t, "paths", json_array());
    return t;
}

/* The targets, each with its paths, a path at a time (ap_json_writer): the sensitive targets
 * of a partner follow the estate, and each has up to max_paths chains. For cli_stream. */
static int write_paths_json(FILE *out, void *arg, ap_error *err)
{
    const paths_out *x = arg;
    const ap_graph *g = x->g;
    const ap_paths *p = x->p;
    ap_json_writer *w = NULL;
    json_t *root = json_object();
    char at[32];
    int rc;
    ap_time_format(at, sizeof at, ap_graph_at(g));
    json_object_set_new(root, "partner", json_string(ap_graph_node(g, p->source)->id));
    json_object_set_new(root, "at", json_string(at));
    json_object_set_new(root, "snapshot", json_integer(ap_graph_snapshot(g)));
    json_object_set_new(root, "max_depth", json_integer(p->max_depth));
    json_object_set_new(root, "max_paths", json_integer(p->max_paths));
    json_object_set_new(root, "max_work", json_integer((json_int_t)p->work));
    json_object_set_new(root, "targets", json_array());
    if ((rc = ap_json_writer_new(&w, out, root, err)) < 0
        || (rc = ap_json_writer_array(w, "targets", err)) < 0)
        goto done;
    for (uint32_t i = 0; rc == AP_OK && i < p->nsets; i++) {
        const ap_path_set *s = &p->sets[i];
        if ((rc = ap_json_writer_item_open(w, target_skeleton(g, x->a, s), err)) < 0
            || (rc = ap_json_writer_array(w, "paths", err)) < 0)
            break;
        for (uint32_t k = 0; rc == AP_OK && k < s->npaths; k++) {
            json_t *path = json_object();
            json_object_set_new(path, "hops", json_integer(s->off[k + 1] - s->off[k]));
            json_object_set_new(path, "rights", cli_json_rights(ap_graph_vocab(g), s->rights[k]));
            json_object_set_new(path, "steps", cli_json_chain(g, x->a, s->edges + s->off[k],
                                                              s->off[k + 1] - s->off[k]));
            rc = ap_json_writer_item(w, path, err);
        }
        if (rc == AP_OK && (rc = ap_json_writer_close(w, err)) == AP_OK)
            rc = ap_json_writer_item_close(w, err);
    }
    if (rc == AP_OK && (rc = ap_json_writer_close(w, err)) == AP_OK)
        rc = ap_json_writer_finish(w, err);
done:
    ap_json_writer_free(w);
    return rc;
}

/* "acme -holds-> key-1 -authenticates_as-> svc": the edges' ends and kinds, not their strings
 * (ap_graph_edge_fields) */
static char *path_text(const ap_graph *g, const ap_path_set *s, uint32_t k)
{
    uint32_t from = ap_graph_edge_fields(g, s->edges[s->off[k]], NULL)->from;
    size_t size = strlen(ap_graph_node(g, from)->id) + 1;
    for (uint32_t j = s->off[k]; j < s->off[k + 1]; j++) {
        const ap_edge *e = ap_graph_edge_fields(g, s->edges[j], NULL);
        size += strlen(ap_edge_kind_name(e->kind)) + strlen(ap_graph_node(g, e->to)->id) + 6;
    }
    char *text = malloc(size);
    if (text == NULL)
        return NULL;
    strcpy(text, ap_graph_node(g, from)->id);
    for (uint32_t j = s->off[k]; j < s->off[k + 1]; j++) {
        const ap_edge *e = ap_graph_edge_fields(g, s->edges[j], NULL);
        strcat(text, " -");
        strcat(text, ap_edge_kind_name(e->kind));
        strcat(text, "-> ");
        strcat(text, ap_graph_node(g, e->to)->id);
    }
    return text;
}

/* One row of the table: target, path number, hops, rights, chain; *out owns the chain. */
static void path_row(const ap_graph *g, const ap_path_set *s, uint32_t k, bool csv,
                     char num[16], char hops[16], char rights[1024], char **chain)
{
    *chain = path_text(g, s, k);
    snprintf(num, 16, "%u", k + 1);
    snprintf(hops, 16, "%u", s->off[k + 1] - s->off[k]);
    ap_rights_format(rights, 1024, ap_graph_vocab(g), s->rights[k], csv ? "|" : ",", true);
}

static const char *const table_head[] = { "TARGET", "PATH", "HOPS", "RIGHTS", "CHAIN" };

/* The table as CSV, a row at a time (nothing at all when there is no path, as the table's);
 * for cli_stream. */
static int write_paths_csv(FILE *out, void *arg, ap_error *err)
{
    const paths_out *x = arg;
    bool first = true;
    for (uint32_t i = 0; i < x->p->nsets; i++) {
        const ap_path_set *s = &x->p->sets[i];
        for (uint32_t k = 0; k < s->npaths; k++) {
            char num[16], hops[16], rights[1024], *chain;
            int rc;
            if (first && (rc = ap_csv_write_row(out, table_head, 5, err)) < 0)
                return rc;
            first = false;
            path_row(x->g, s, k, true, num, hops, rights, &chain);
            const char *row[] = { ap_graph_node(x->g, s->target)->id, num, hops, rights, chain };
            rc = chain != NULL ? ap_csv_write_row(out, row, 5, err) : ap_error_nomem(err);
            free(chain);
            if (rc < 0)
                return rc;
        }
    }
    return AP_OK;
}

static int paths_table(const ap_graph *g, const ap_authority *a, const ap_paths *p,
                       const char *format, bool evidence)
{
    const bool csv = strcmp(format, "csv") == 0;
    ap_table *t = NULL;
    ap_error err;
    int rc;
    if (csv) {
        paths_out x = { g, a, p };
        return cli_stream(write_paths_csv, &x);
    }
    if (ap_table_new(&t, 5, table_head, &err) < 0)
        return cli_fail(&err, NULL);
    for (uint32_t i = 0; i < p->nsets; i++) {
        const ap_path_set *s = &p->sets[i];
        for (uint32_t k = 0; k < s->npaths; k++) {
            char num[16], hops[16], rights[1024], *chain;
            path_row(g, s, k, false, num, hops, rights, &chain);
            const char *row[] = { ap_graph_node(g, s->target)->id, num, hops, rights, chain };
            rc = ap_table_add(t, row, &err);
            free(chain);
            if (rc < 0) {
                ap_table_free(t);
                return cli_fail(&err, NULL);
            }
        }
    }
    rc = ap_table_rows(t) > 0 ? cli_print_table(t, format) : EXIT_OK;
    ap_table_free(t);
    if (rc != EXIT_OK)
        return rc;
    /* never silent: say where enumeration stopped, and which targets have no path */
    for (uint32_t i = 0; i < p->nsets; i++) {
        const ap_path_set *s = &p->sets[i];
        char *id = ap_text_escape(ap_graph_node(g, s->target)->id);
        const char *shown = id != NULL ? id : "?";
        if (s->npaths == 0 && !s->deeper && !s->truncated && a->rights[s->target] == 0)
            printf("no authority-carrying path to '%s'\n", shown);
        else if (s->npaths == 0 && !s->deeper && !s->truncated)
            printf("no simple path carries authority to '%s' (explain shows the chain that "
                   "does)\n", shown);
        if (s->truncated)
            printf("paths to '%s': the search stopped at its work bound (%llu edges examined); "
                   "more or longer paths may exist\n", shown, (unsigned long long)p->work);
        if (s->more)
            printf("paths to '%s': stopped at %u; more exist (raise --max-paths)\n", shown,
                   p->max_paths);
        if (s->deeper && s->npaths == 0)
            printf("no path to '%s' within --max-depth %u; longer ones exist\n", shown,
                   p->max_depth);
        else if (s->deeper)
            printf("paths to '%s': longer ones than --max-depth %u left out\n", shown,
                   p->max_depth);
        free(id);
    }
    if (!evidence)
        return EXIT_OK;
    printf("\nevidence:\n");
    for (uint32_t i = 0; i < p->nsets; i++) {
        const ap_path_set *s = &p->sets[i];
        for (uint32_t k = 0; k < s->npaths; k++) {
            printf("  ");
            cli_put(ap_graph_node(g, s->target)->id);
            printf(" path %u:\n", k + 1);
            cli_print_chain_evidence(g, a, s->edges + s->off[k], s->off[k + 1] - s->off[k], 4);
        }
    }
    return EXIT_OK;
}

int cmd_paths(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "to", required_argument, NULL, 't' },
        { "max-depth", required_argument, NULL, 'd' },
        { "max-paths", required_argument, NULL, 'n' },
        { "min-sensitivity", required_argument, NULL, 's' },
        { "evidence", no_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("paths");
    const char *format, *to = NULL;
    ap_paths_opts po = { AP_PATHS_MAX_DEPTH, AP_PATHS_MAX_PATHS };
    ap_sensitivity min = AP_SENS_CONFIDENTIAL;
    ap_authority *a = NULL;
    ap_paths *p = NULL;
    ap_diagram *d = NULL;
    uint32_t *targets = NULL, ntargets = 0;
    ap_error err;
    int64_t src;
    int opt, rc = EXIT_OK;
    bool evidence = false;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        switch (opt) {
        case CLI_HELP:
            return EXIT_OK;
        case 't':
            to = optarg;
            break;
        case 'e':
            evidence = true;
            break;
        case 'd':
            rc = parse_count("--max-depth", optarg, 1000, &po.max_depth);
            break;
        case 'n':
            rc = parse_count("--max-paths", optarg, 10000, &po.max_paths);
            break;
        case 's':
            if ((min = ap_sensitivity_parse(optarg)) == AP_SENS_NONE) {
                cli_errorf("--min-sensitivity: unknown sensitivity '%s' (expected one of %s)",
                           optarg, AP_SENS_NAMES);
                rc = EXIT_USAGE;
            }
            break;
        default:
            return EXIT_USAGE;
        }
        if (rc != EXIT_OK)
            return rc;
    }
    if (argc - optind != 1) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "text,json,csv,dot,svg,png,pdf")) == NULL
        || cli_binary_ok(format) != EXIT_OK)
        return EXIT_USAGE;
    if ((rc = cli_load_graph_partial(ctx)) != EXIT_OK)
        return rc;
    if ((src = cli_find_node(ctx, argv[optind], "node")) < 0)
        return EXIT_USAGE;
    int64_t v = to != NULL ? cli_find_node(ctx, to, "node") : -1;
    if (to != NULL && v < 0)
        return EXIT_USAGE;
    /* one target in words: only what can reach it bears on its paths (a diagram shows more) */
    if ((to != NULL && !cli_is_diagram_format(format)
             ? ap_authority_compute_to(&a, ctx->g, (uint32_t)src, (uint32_t)v, &err)
             : ap_authority_compute(&a, ctx->g, (uint32_t)src, &err)) < 0)
        return cli_fail(&err, NULL);
    if (to != NULL) {
        if ((targets = malloc(sizeof *targets)) == NULL) {
            rc = cli_fail(&(ap_error){ .code = AP_ENOMEM, .msg = "out of memory" }, NULL);
            goto cleanup;
        }
        targets[0] = (uint32_t)v;
        ntargets = 1;
    } else if (ap_paths_targets(&targets, &ntargets, ctx->g, a, min, &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    if (ap_paths_compute(&p, ctx->g, a, targets, ntargets, &po, &err) < 0) {
        rc = cli_fail(&err, NULL);
        goto cleanup;
    }
    if ((rc = cli_graph_intact(ctx)) != EXIT_OK)
        goto cleanup;
    if (cli_is_diagram_format(format)) {
        if (ap_diagram_paths(&d, ctx->g, a, p, &err) < 0)
            rc = cli_fail(&err, NULL);
        else
            rc = cli_write_diagram(ctx->g, d, format);
    } else if (strcmp(format, "json") == 0) {
        paths_out x = { ctx->g, a, p };
        rc = cli_stream(write_paths_json, &x);
    } else {
        if (ntargets == 0 && strcmp(format, "text") == 0) {
            char *id = ap_text_escape(argv[optind]);
            printf("no resource or workflow at or above %s is reachable from '%s'\n",
                   ap_sensitivity_name(min), id != NULL ? id : "?");
            free(id);
        }
        rc = paths_table(ctx->g, a, p, format, evidence);
    }
cleanup:
    ap_diagram_free(d);
    ap_paths_free(p);
    free(targets);
    ap_authority_free(a);
    return rc;
}
