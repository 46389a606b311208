/* cli/cmd_import.c: `authpath import FILE... [--as FORMAT] [--label TEXT] [--max-nodes N]...`:
 * one snapshot from the files, or on any error nothing at all and every error with its place. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"

/* The snapshot's recorded time: now, or SOURCE_DATE_EPOCH for reproducible runs. */
static int64_t created_time(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    char *end;
    if (sde != NULL && *sde != '\0') {
        long long v = strtoll(sde, &end, 10);
        if (*end == '\0')
            return v;
    }
    return (int64_t)time(NULL);
}

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "as", required_argument, NULL, 'a' },
        { "label", required_argument, NULL, 'l' },
        { "max-nodes", required_argument, NULL, 'n' },
        { "max-edges", required_argument, NULL, 'e' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("import");
    ap_import_opts io = { .format = AP_FORMAT_AUTO };
    ap_error_list more;
    ap_error err;
    int64_t snap = 0;
    int opt, rc;
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt == 'a') {
            if ((io.format = ap_format_parse(optarg)) == AP_FORMAT_COUNT) {
                cli_errorf("--as: unknown format '%s' (expected native)", optarg);
                return EXIT_USAGE;
            }
        } else if (opt == 'l') {
            io.label = optarg;
        } else if (opt == 'n' || opt == 'e') {
            char *end;
            unsigned long long v = strtoull(optarg, &end, 10);
            if (*optarg < '0' || *optarg > '9' || *end != '\0' || v == 0) {
                cli_errorf("--max-%s: expected a positive whole number, not '%s'",
                           opt == 'n' ? "nodes" : "edges", optarg);
                return EXIT_USAGE;
            }
            *(opt == 'n' ? &io.max_nodes : &io.max_edges) = v;
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    if ((rc = cli_open_store(ctx)) != EXIT_OK)
        return rc;
    memset(&more, 0, sizeof more);
    io.more = &more;
    io.created = created_time();
    if (ap_import_files(ctx->st, (const char *const *)argv + optind, (size_t)(argc - optind),
                        &io, &snap, &err) < 0)
        return cli_fail(&err, &more);
    fprintf(stderr, "authpath: imported %d file%s as snapshot %lld\n", argc - optind,
            argc - optind == 1 ? "" : "s", (long long)snap);
    return EXIT_OK;
}
