/* cli/cmd_export.c: `authpath export --format opengraph|graphml|csv [--output FILE]`: the
 * snapshot's whole graph for BloodHound CE, Gephi, networkx or a spreadsheet. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static FILE *open_out(const char *path)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        cli_errorf("cannot write '%s': %s", path, strerror(errno));
    return f;
}

static int close_out(FILE *f, const char *path, int rc)
{
    if (fclose(f) != 0 && rc == EXIT_OK) {
        cli_errorf("cannot write '%s': %s", path, strerror(errno));
        return EXIT_INTERNAL;
    }
    return rc;
}

/* PREFIX-nodes.csv, PREFIX-edges.csv, and PREFIX-rights.csv when the inventory has rights of
 * its own: the three files `authpath import` takes back. */
static int export_csv(cli_ctx *ctx, const char *prefix)
{
    char npath[4096], epath[4096], rpath[4096];
    FILE *nodes = NULL, *edges = NULL, *rights = NULL;
    ap_error err;
    int rc = EXIT_USAGE;
    if (prefix == NULL) {
        cli_errorf("--format csv writes several files: give --output PREFIX (PREFIX-nodes.csv, "
                   "PREFIX-edges.csv, PREFIX-rights.csv)");
        return EXIT_USAGE;
    }
    snprintf(npath, sizeof npath, "%s-nodes.csv", prefix);
    snprintf(epath, sizeof epath, "%s-edges.csv", prefix);
    snprintf(rpath, sizeof rpath, "%s-rights.csv", prefix);
    if ((nodes = open_out(npath)) == NULL || (edges = open_out(epath)) == NULL
        || (ap_graph_vocab(ctx->g)->count > AP_R_BUILTIN && (rights = open_out(rpath)) == NULL))
        goto cleanup;
    rc = ap_render_csv_pair(nodes, edges, rights, ctx->g, &err) < 0 ? cli_fail(&err, NULL)
                                                                     : EXIT_OK;
cleanup:
    if (nodes != NULL)
        rc = close_out(nodes, npath, rc);
    if (edges != NULL)
        rc = close_out(edges, epath, rc);
    if (rights != NULL)
        rc = close_out(rights, rpath, rc);
    return rc;
}

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("export");
    const char *format, *output = NULL;
    FILE *out = stdout;
    ap_error err;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "o:", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt != 'o')
            return EXIT_USAGE;
        output = optarg;
    }
    if (optind < argc) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "opengraph,graphml,csv")) == NULL)
        return EXIT_USAGE;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if (strcmp(format, "csv") == 0)
        return export_csv(ctx, output);
    if (output != NULL && (out = open_out(output)) == NULL)
        return EXIT_USAGE;
    rc = strcmp(format, "graphml") == 0 ? ap_render_graphml(out, ctx->g, &err)
                                        : ap_render_opengraph(out, ctx->g, &err);
    rc = rc < 0 ? cli_fail(&err, NULL) : EXIT_OK;
    return output != NULL ? close_out(out, output, rc) : rc;
}
