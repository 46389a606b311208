/* cli/usage_opt.c: the observed-use window of findings, authority --observed and what-if
 * --narrow-to-observed: --since DATE (default 90 days before --at) up to --at. */
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

#define DEFAULT_WINDOW_DAYS 90

/* Events an older authpath stored lack what this one keeps: said plainly, since the answers
 * about them may be false, not silently read as if complete. */
static void stale_note(const ap_usage_stale *s, int64_t snap)
{
    static const char *const what[] = {
        "Kubernetes audit events whose groups were not kept (a use a group's binding grants "
        "reads as usage-not-granted, the group's rights as granted-never-used)",
        "impersonated Kubernetes requests whose impersonation was not kept as a use (the "
        "right to impersonate reads as granted-never-used)",
        "AWS events whose sharedEventID was not kept (one call logged in two accounts' "
        "trails is counted twice)",
    };
    const uint64_t n[] = { s->no_groups, s->no_impersonation, s->no_shared_id };
    for (size_t i = 0; i < sizeof n / sizeof n[0]; i++)
        if (n[i] > 0)
            fprintf(stderr, "authpath: note: %llu event%s of snapshot %lld stored by an older "
                    "authpath (schema version %d), of %s: answers about them may be false; "
                    "import the inventory and the events again, into a new snapshot, to have "
                    "them counted\n", (unsigned long long)n[i], n[i] == 1 ? "" : "s",
                    (long long)snap, s->oldest, what[i]);
}

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
    stale_note(ap_usage_stale_events(*out), ap_graph_snapshot(ctx->g));
    return EXIT_OK;
}
