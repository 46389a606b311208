/* cli/usage_opt.c: the observed-use window of findings, authority --observed and what-if
 * --narrow-to-observed: --since DATE (default 90 days before --at) up to --at. */
#include <stdlib.h>

#include "cli.h"

#define DEFAULT_WINDOW_DAYS 90

int cli_load_usage(cli_ctx *ctx, const char *since, ap_usage **out)
{
    int64_t from = ctx->at - (int64_t)DEFAULT_WINDOW_DAYS * 86400;
    ap_error err;
    *out = NULL;
    if (since != NULL && !ap_time_parse(since, &from)) {
        cli_errorf("--since: '%s' is not a date or an RFC 3339 time", since);
        return EXIT_USAGE;
    }
    if (from > ctx->at) {
        cli_errorf("--since: '%s' is after --at", since);
        return EXIT_USAGE;
    }
    if (ap_usage_load(out, ctx->st, ap_graph_snapshot(ctx->g), from, ctx->at, &err) < 0)
        return cli_fail(&err, NULL);
    return EXIT_OK;
}
