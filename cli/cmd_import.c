/* cli/cmd_import.c: `authpath import FILE... [--as FORMAT] [--map FILE] [--partner-map FILE]...`:
 * one snapshot from the files, or on any error nothing at all and every error with its place. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* The snapshot's recorded time: now, or SOURCE_DATE_EPOCH for reproducible runs. */
static int64_t created_time(void)
{
    const char *sde = getenv("SOURCE_DATE_EPOCH");
    char *end;
    if (sde != NULL && *sde != '\0') {
        long long v;
        errno = 0;
        v = strtoll(sde, &end, 10);
        if (*end == '\0' && errno == 0)       /* else (not a number, overflow): now */
            return v;
    }
    return (int64_t)time(NULL);
}

/* The list of vendors' AWS accounts: the source tree's copy, else the installed one. */
static const char *default_aws_accounts(void)
{
    static const char *const candidates[] = {
#ifdef AP_DATA_DIR
        AP_DATA_DIR "/known-aws-accounts.yaml",
#endif
#ifdef AP_INSTALL_DATA_DIR
        AP_INSTALL_DATA_DIR "/known-aws-accounts.yaml",
#endif
        NULL,
    };
    for (size_t i = 0; candidates[i] != NULL; i++)
        if (access(candidates[i], R_OK) == 0)
            return candidates[i];
    return NULL;
}

/* Foreign OpenGraph that names no partner: every partner query would start from nothing. The
 * fix is a kind map; the shipped one for the collector when its source kind says which. */
static void note_no_partner(const ap_import_notes *notes)
{
    const char *sk = notes->og_source_kind, *map = NULL;
    if (!notes->og_no_partner)
        return;
    if (strcmp(sk, "GitHub") == 0 || strcmp(sk, "GitHound") == 0)
        map = "docs/maps/githound.yaml";
    else if (strncmp(sk, "Okta", 4) == 0 || strcmp(sk, "OpenHound-Okta") == 0)
        map = "docs/maps/okta.yaml";
    if (map != NULL)
        fprintf(stderr, "authpath: note: no node of the OpenGraph input is a partner, so "
                "partner queries find nothing: name the third parties with a kind map, --map %s "
                "(docs/sources/opengraph.md)\n", map);
    else
        fprintf(stderr, "authpath: note: no node of the OpenGraph input is a partner, so "
                "partner queries find nothing: name the third parties with a kind map (--map "
                "FILE; examples in docs/maps/, the format in docs/sources/opengraph.md)\n");
}

/* "412 events from 3 unknown actors: a, b, c": what the snapshot could not name */
static void unknown_line(uint64_t events, uint64_t distinct, const char *what,
                         const char *names, size_t stride, size_t count)
{
    if (events == 0)
        return;
    fprintf(stderr, "authpath: note: %llu event%s from %llu unknown %s%s:",
            (unsigned long long)events, events == 1 ? "" : "s", (unsigned long long)distinct,
            what, distinct == 1 ? "" : "s");
    for (size_t i = 0; i < count && i < distinct; i++) {
        char *e = ap_text_escape(names + i * stride);
        fprintf(stderr, "%s %s", i > 0 ? "," : "", e != NULL ? e : "?");
        free(e);
    }
    if (distinct > count)
        fprintf(stderr, ", ...");
    fprintf(stderr, " (stored, not in the inventory)\n");
}

static void usage_report(const ap_usage_report *r, int64_t snap)
{
    char first[32], last[32];
    ap_time_format(first, sizeof first, r->first);
    ap_time_format(last, sizeof last, r->last);
    if (r->events == 0)     /* every event was stored already */
        fprintf(stderr, "authpath: imported no new event into snapshot %lld\n", (long long)snap);
    else
        fprintf(stderr, "authpath: imported %llu event%s (%llu denied) from %s to %s into "
                "snapshot %lld\n", (unsigned long long)r->events, r->events == 1 ? "" : "s",
                (unsigned long long)r->denied, first, last, (long long)snap);
    if (r->duplicates > 0)
        fprintf(stderr, "authpath: note: %llu duplicate event%s skipped (an event id the "
                "snapshot holds already, with the same action, actor and target: stored and "
                "counted once)\n", (unsigned long long)r->duplicates,
                r->duplicates == 1 ? "" : "s");
    if (r->skipped > 0)
        fprintf(stderr, "authpath: note: %llu audit event%s at an earlier stage not counted "
                "(each request counts once, when it completes)\n",
                (unsigned long long)r->skipped, r->skipped == 1 ? "" : "s");
    unknown_line(r->unknown_actor_events, r->unknown_actors, "actor", r->actors[0],
                 sizeof r->actors[0], AP_USAGE_REPORT_NAMES);
    unknown_line(r->unknown_target_events, r->unknown_targets, "target", r->targets[0],
                 sizeof r->targets[0], AP_USAGE_REPORT_NAMES);
}

/* A refused import into a database it created leaves no database behind: "exactly as it was"
 * is no file at all (unless another process has committed a snapshot into it meanwhile). */
static void forget_fresh(cli_ctx *ctx, bool fresh)
{
    static const char *const tails[] = { "", "-wal", "-shm", "-journal" };
    ap_snapshot_info *list = NULL;
    size_t n = 1;
    ap_error err;
    char path[4096];
    if (!fresh)
        return;
    if (ctx->st != NULL && ap_store_snapshots(&list, &n, ctx->st, &err) == AP_OK)
        ap_snapshot_list_free(list, n);
    else if (ctx->st != NULL)
        n = 1;                      /* cannot tell: keep it */
    if (ctx->st != NULL && n > 0)
        return;
    ap_store_close(ctx->st);
    ctx->st = NULL;
    for (size_t i = 0; i < sizeof tails / sizeof tails[0]; i++)
        if (snprintf(path, sizeof path, "%s%s", ctx->db, tails[i]) < (int)sizeof path)
            unlink(path);
}

int cmd_import(cli_ctx *ctx, int argc, char **argv)
{
    static const struct option opts[] = {
        { "as", required_argument, NULL, 'a' },
        { "label", required_argument, NULL, 'l' },
        { "max-nodes", required_argument, NULL, 'n' },
        { "max-edges", required_argument, NULL, 'e' },
        { "aws-accounts", required_argument, NULL, 'w' },
        { "map", required_argument, NULL, 'm' },
        { "partner-map", required_argument, NULL, 'p' },
        { NULL, 0, NULL, 0 },
    };
    const cli_cmd *self = cli_command("import");
    ap_import_opts io = { .format = AP_FORMAT_AUTO };
    ap_import_notes notes;
    ap_usage_report usage;
    ap_error_list more;
    cli_progress progress;
    ap_error err;
    int64_t snap = 0;
    size_t approximated = 0;
    int opt, rc;
    io.aws_accounts = default_aws_accounts();
    while ((opt = cli_getopt(ctx, self, argc, argv, "", opts)) != -1) {
        if (opt == CLI_HELP)
            return EXIT_OK;
        if (opt == 'a') {
            if ((io.format = ap_format_parse(optarg)) == AP_FORMAT_COUNT) {
                cli_errorf("--as: unknown format '%s' (expected one of %s)", optarg,
                           AP_FORMAT_NAMES);
                return EXIT_USAGE;
            }
        } else if (opt == 'l') {
            io.label = optarg;
        } else if (opt == 'n' || opt == 'e') {
            long long v;        /* a graph numbers nodes and edges in 32 bits */
            if (cli_number(opt == 'n' ? "--max-nodes" : "--max-edges", optarg, 1, UINT32_MAX,
                           &v) != EXIT_OK)
                return EXIT_USAGE;
            *(opt == 'n' ? &io.max_nodes : &io.max_edges) = (uint64_t)v;
        } else if (opt == 'w') {
            io.aws_accounts = optarg[0] != '\0' ? optarg : NULL;
        } else if (opt == 'm') {
            io.og_map = optarg;
        } else if (opt == 'p') {
            io.partner_map = optarg;
        } else {
            return EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_usage(self, stderr);
        return EXIT_USAGE;
    }
    struct stat sb;
    bool fresh = stat(ctx->db, &sb) != 0 && errno == ENOENT;
    if ((rc = cli_create_store(ctx)) != EXIT_OK) {
        forget_fresh(ctx, fresh);
        return rc;
    }
    memset(&more, 0, sizeof more);
    memset(&notes, 0, sizeof notes);
    io.more = &more;
    io.notes = &notes;
    memset(&usage, 0, sizeof usage);
    io.usage = &usage;
    io.usage_snap = ctx->snapshot;
    io.created = created_time();
    cli_progress_init(&progress);
    io.progress = cli_progress_cb;
    io.progress_arg = &progress;
    rc = ap_import_files(ctx->st, (const char *const *)argv + optind, (size_t)(argc - optind),
                         &io, &snap, &err);
    cli_progress_done(&progress);
    if (rc < 0) {
        rc = cli_fail(&err, &more);
        forget_fresh(ctx, fresh);
        return rc;
    }
    if (usage.events > 0 || usage.duplicates > 0) {     /* observed use, not an inventory */
        usage_report(&usage, snap);
        return EXIT_OK;
    }
    cli_notes(&notes);
    note_no_partner(&notes);
    for (size_t i = 0; i < notes.count; i++)    /* AWS statements kept as an approximation */
        if (strncmp(notes.items[i].what, "approximated:", 13) == 0)
            approximated += notes.items[i].count;
    fprintf(stderr, "authpath: imported %d file%s as snapshot %lld", argc - optind,
            argc - optind == 1 ? "" : "s", (long long)snap);
    if (approximated > 0)
        fprintf(stderr, " (%zu statement%s approximated: see the notes)", approximated,
                approximated == 1 ? "" : "s");
    fputc('\n', stderr);
    return EXIT_OK;
}
