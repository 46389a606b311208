/* cli/cmd_report.c: `authpath report [PARTNER...]`: the auditor's evidence pack, one
 * self-contained HTML file (docs/design.md, "Outputs"), for the estate or the partners named. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authpath/report.h"
#include "cli.h"

/* The snapshot's label, creation time and files ({"path", "sha256"} each, observed use
 * included) for the summary. */
static int snapshot_facts(cli_ctx *ctx, ap_report_opts *o, ap_snapshot_info **list,
                          size_t *n, json_t **files)
{
    ap_error err;
    if (ap_store_snapshots(list, n, ctx->st, &err) < 0)
        return cli_fail(&err, NULL);
    for (size_t i = 0; i < *n; i++) {
        if ((*list)[i].id != ap_graph_snapshot(ctx->g))
            continue;
        o->snapshot_label = (*list)[i].label;
        o->snapshot_created = (*list)[i].created;
        *files = json_loads((*list)[i].sources, 0, NULL);
    }
    return EXIT_OK;
}

/* The page for cli_stream: written as it is made, to the temporary file, then copied. */
typedef struct {
    const ap_graph *g;
    const ap_report_opts *o;
} report_out;

static int write_report(FILE *out, void *arg, ap_error *err)
{
    const report_out *x = arg;
    return ap_report_html_write(out, x->g, x->o, err);
}

int cmd_report(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "policy", required_argument, NULL, 'p' },
        { "since", required_argument, NULL, 's' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("report");
    const char *policy = NULL, *since = NULL, **sources = NULL, **hashes = NULL;
    ap_usage *usage = NULL;
    ap_report_opts ro;
    ap_policy pol;
    ap_snapshot_info *list = NULL;
    size_t nlist = 0;
    json_t *files = NULL;
    uint32_t *partners = NULL;
    ap_error err;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt == 's')
            since = optarg;
        else if (opt == 'p')
            policy = optarg;
        else
            return EXIT_USAGE;
    }
    if (cli_format(ctx, "html") == NULL)
        return EXIT_USAGE;
    memset(&ro, 0, sizeof ro);
    ap_policy_default(&pol);
    if ((rc = cli_open_store(ctx)) != EXIT_OK)
        return rc;
    if (policy != NULL && ap_policy_load(&pol, policy, ap_store_vocab(ctx->st), &err) < 0)
        return cli_fail(&err, NULL);
    if ((rc = cli_load_graph(ctx)) != EXIT_OK
        || (rc = cli_load_usage(ctx, since, &usage)) != EXIT_OK)
        goto cleanup;
    ro.usage = usage;
    if (optind < argc && (partners = calloc((size_t)(argc - optind), sizeof *partners)) == NULL) {
        cli_errorf("out of memory");
        rc = EXIT_INTERNAL;
        goto cleanup;
    }
    for (int i = optind; i < argc; i++) {
        int64_t v = cli_find_partner(ctx, argv[i]);
        if (v < 0) {
            rc = EXIT_USAGE;
            goto cleanup;
        }
        partners[ro.npartners++] = (uint32_t)v;
    }
    ro.partners = partners;
    ro.policy = &pol;
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    ro.threads = cpus < 1 ? 1u : (unsigned)cpus;
    if ((rc = snapshot_facts(ctx, &ro, &list, &nlist, &files)) != EXIT_OK)
        goto cleanup;
    if (json_array_size(files) > 0
        && (sources = calloc(json_array_size(files), sizeof *sources)) != NULL
        && (hashes = calloc(json_array_size(files), sizeof *hashes)) != NULL) {
        for (size_t i = 0; i < json_array_size(files); i++) {
            const json_t *f = json_array_get(files, i);
            if (!json_is_string(json_object_get(f, "path")))
                continue;
            hashes[ro.nsources] = json_string_value(json_object_get(f, "sha256"));
            sources[ro.nsources++] = json_string_value(json_object_get(f, "path"));
        }
    }
    ro.sources = sources;
    ro.source_hashes = hashes;
    report_out x = { ctx->g, &ro };
    rc = cli_stream(write_report, &x);
cleanup:
    free(partners);
    free(sources);
    free(hashes);
    ap_usage_free(usage);
    json_decref(files);
    ap_snapshot_list_free(list, nlist);
    ap_policy_clear(&pol);
    return rc;
}
