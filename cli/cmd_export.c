/* cli/cmd_export.c: `authpath export --format opengraph|graphml|csv [--output FILE]`: the
 * snapshot's whole graph for BloodHound CE, Gephi, networkx or a spreadsheet. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* PREFIX-nodes.csv, PREFIX-edges.csv, and PREFIX-rights.csv when the inventory has rights of
 * its own: the three files `authpath import` takes back, each written whole or not at all
 * (renamed into place together once all three are written). */
static int export_csv(cli_ctx *ctx, const char *prefix)
{
    static const char *const suffix[3] = { "nodes", "edges", "rights" };
    cli_atomic f[3];
    FILE *s[3] = { NULL, NULL, NULL };
    int n = ap_graph_vocab(ctx->g)->count > AP_R_BUILTIN ? 3 : 2, opened = 0, rc = EXIT_OK;
    ap_error err;
    if (prefix == NULL) {
        cli_errorf("--format csv writes several files: give --output PREFIX (PREFIX-nodes.csv, "
                   "PREFIX-edges.csv, PREFIX-rights.csv)");
        return EXIT_USAGE;
    }
    for (; opened < n && rc == EXIT_OK; opened++) {
        char path[4096];
        snprintf(path, sizeof path, "%s-%s.csv", prefix, suffix[opened]);
        if ((rc = cli_atomic_open(&f[opened], path)) != EXIT_OK)
            break;
        if ((s[opened] = cli_atomic_file(&f[opened])) == NULL) {
            cli_errorf("out of memory");
            rc = EXIT_INTERNAL;
        }
    }
    if (rc == EXIT_OK && ap_render_csv_pair(s[0], s[1], s[2], ctx->g, &err) < 0)
        rc = cli_fail(&err, NULL);
    for (int i = 0; i < opened; i++) {
        if (rc == EXIT_OK)
            rc = cli_atomic_commit(&f[i]);
        else
            cli_atomic_abort(&f[i]);
    }
    return rc;
}

/* For cli_stream: the whole graph is written a node and an edge at a time, into a temporary
 * file first, so that stdout gets it whole or not at all. */
static int write_opengraph(FILE *out, void *arg, ap_error *err)
{
    const cli_ctx *ctx = arg;
    return ap_render_opengraph(out, ctx->g, err);
}

static int write_graphml(FILE *out, void *arg, ap_error *err)
{
    const cli_ctx *ctx = arg;
    return ap_render_graphml(out, ctx->g, err);
}

int cmd_export(cli_ctx *ctx, int argc, char **argv)
{
    const cli_cmd *self = cli_command("export");
    const char *format;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", NULL)) != -1)
        return opt == CLI_HELP ? EXIT_OK : EXIT_USAGE;
    if (optind < argc) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((format = cli_format(ctx, "opengraph,graphml,csv")) == NULL)
        return EXIT_USAGE;
    if ((rc = cli_load_graph(ctx)) != EXIT_OK)
        return rc;
    if (strcmp(format, "csv") == 0)
        return export_csv(ctx, cli_output_take());
    return cli_stream(strcmp(format, "graphml") == 0 ? write_graphml : write_opengraph,
                      ctx);
}
