/* cli/common.c: the helpers every subcommand uses: opening the store and graph, choosing the
 * output format, finding a node by id (with suggestions), and writing JSON and tables. */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cli.h"

/* Open the database; a query (create false) never creates one: a mistyped --db or a run from
 * the wrong folder says so instead of answering from an empty estate. */
static int open_store(cli_ctx *ctx, bool create)
{
    struct stat sb;
    ap_error err;
    if (ctx->st != NULL)
        return EXIT_OK;
    if (!create && stat(ctx->db, &sb) != 0 && errno == ENOENT) {
        ap_error_set(&err, AP_ENOTFOUND, "no database '%s' (import an inventory first with "
                     "`authpath import FILE`, or name the database with --db or $AUTHPATH_DB)",
                     ctx->db);
        cli_error(&err);
        return EXIT_USAGE;
    }
    if (ap_store_open(&ctx->st, ctx->db, &err) < 0)
        return cli_fail(&err, NULL);
    return EXIT_OK;
}

int cli_open_store(cli_ctx *ctx) { return open_store(ctx, false); }

int cli_create_store(cli_ctx *ctx) { return open_store(ctx, true); }

static int load_graph(cli_ctx *ctx, bool partial)
{
    ap_error err;
    int rc;
    if ((rc = cli_open_store(ctx)) != EXIT_OK)
        return rc;
    int (*load)(ap_graph **, const ap_store *, int64_t, int64_t, ap_error *) =
        partial && !ctx->whole ? ap_graph_load_partial : ap_graph_load;
    if (load(&ctx->g, ctx->st, ctx->snapshot, ctx->at, &err) < 0)
        return cli_fail(&err, NULL);
    if (getenv("AUTHPATH_TRACE") != NULL) {
        char *note = ap_text_escape(ap_graph_load_note(ctx->g));
        cli_errorf("trace: the graph came from %s", note != NULL ? note : "?");
        free(note);
    }
    return EXIT_OK;
}

int cli_load_graph(cli_ctx *ctx) { return load_graph(ctx, false); }

int cli_load_graph_partial(cli_ctx *ctx) { return load_graph(ctx, true); }

int cli_graph_intact(const cli_ctx *ctx)
{
    return ap_graph_image_damage(ctx->g) != NULL ? EXIT_INTERNAL : EXIT_OK;
}

const char *cli_format(const cli_ctx *ctx, const char *allowed)
{
    static char first[32];
    const char *comma = strchr(allowed, ',');
    size_t n = comma != NULL ? (size_t)(comma - allowed) : strlen(allowed);
    if (ctx->format == NULL) {
        snprintf(first, sizeof first, "%.*s", (int)n, allowed);
        cli_output_text(strcmp(first, "text") == 0);
        return first;
    }
    size_t len = strlen(ctx->format);
    for (const char *p = allowed; p != NULL && *p;
         p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        const char *end = strchr(p, ',');
        size_t k = end != NULL ? (size_t)(end - p) : strlen(p);
        if (k == len && strncmp(p, ctx->format, len) == 0) {
            cli_output_text(strcmp(ctx->format, "text") == 0);
            return ctx->format;
        }
    }
    cli_errorf("unknown format '%s' for this command (expected one of %s)", ctx->format,
               allowed);
    return NULL;
}

size_t cli_distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la > 64 || lb > 64)
        return (size_t)-1;
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t prev = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t cur = row[j];
            size_t best = prev + (a[i - 1] != b[j - 1]);
            if (row[j] + 1 < best)
                best = row[j] + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            prev = cur;
        }
    }
    return row[lb];
}

/* "'a', 'b', 'c'": the (up to) three ids nearest id, among partners only when partners. */
static void closest(char *list, size_t size, const ap_graph *g, const char *id, bool partners)
{
    uint32_t best[3] = { 0, 0, 0 };
    size_t bestd[3] = { (size_t)-1, (size_t)-1, (size_t)-1 };
    list[0] = '\0';
    for (uint32_t u = 0; u < ap_graph_node_count(g); u++) {
        if (partners && ap_graph_node(g, u)->kind != AP_KIND_PARTNER)
            continue;
        size_t d = cli_distance(id, ap_graph_node(g, u)->id);
        for (int k = 0; k < 3; k++)
            if (d < bestd[k]) {         /* strict: on a tie the first id in id order stays */
                for (int j = 2; j > k; j--) {
                    bestd[j] = bestd[j - 1];
                    best[j] = best[j - 1];
                }
                bestd[k] = d;
                best[k] = u;
                break;
            }
    }
    for (int k = 0; k < 3 && bestd[k] != (size_t)-1; k++) {
        size_t used = strlen(list);
        snprintf(list + used, size - used, "%s'%s'", k ? ", " : "", ap_graph_node(g, best[k])->id);
    }
}

/* What a user may type for a node that is not its exact id: the id in other case, or a
 * partner's display name (any case). Returns the one node meant, -1 when none is, -2 (after a
 * message) when several are. */
static int64_t loose_match(const cli_ctx *ctx, const char *id, bool partners)
{
    int64_t found = -1;
    uint32_t first = 0, second = 0, count = 0;
    for (uint32_t u = 0; u < ap_graph_node_count(ctx->g); u++) {
        const ap_node *nd = ap_graph_node(ctx->g, u);
        if (partners && nd->kind != AP_KIND_PARTNER)
            continue;
        if (strcasecmp(nd->id, id) != 0
            && (nd->kind != AP_KIND_PARTNER
                || strcasecmp(ap_graph_node_label(ctx->g, u), id) != 0))
            continue;
        if (count == 0)
            first = u;
        else if (count == 1)
            second = u;
        count++;
        found = u;
    }
    if (count > 1) {
        ap_error err;
        ap_error_set(&err, AP_ENOTFOUND, "'%s' could be '%s' or '%s'%s: give the exact id", id,
                     ap_graph_node(ctx->g, first)->id, ap_graph_node(ctx->g, second)->id,
                     count > 2 ? " (or more)" : "");
        cli_error(&err);
        return -2;
    }
    return found;
}

int64_t cli_find_node(const cli_ctx *ctx, const char *id, const char *what)
{
    int64_t v = ap_graph_find(ctx->g, id);
    char list[400];
    ap_error err;
    if (v >= 0)
        return v;
    if ((v = loose_match(ctx, id, false)) >= 0)
        return v;
    if (v == -2)
        return -1;
    closest(list, sizeof list, ctx->g, id, false);
    if (ap_graph_image_damage(ctx->g) != NULL)
        return -1;                      /* not an answer: main.c runs the command again */
    if (list[0] != '\0')
        ap_error_set(&err, AP_ENOTFOUND, "no %s '%s' in snapshot %lld (closest: %s)", what, id,
                     (long long)ap_graph_snapshot(ctx->g), list);
    else
        ap_error_set(&err, AP_ENOTFOUND, "no %s '%s' in snapshot %lld", what, id,
                     (long long)ap_graph_snapshot(ctx->g));
    cli_error(&err);
    return -1;
}

int64_t cli_find_partner(const cli_ctx *ctx, const char *id)
{
    int64_t v = ap_graph_find(ctx->g, id);
    char list[400], hint[420];
    ap_error err;
    if (v >= 0 && ap_graph_node(ctx->g, (uint32_t)v)->kind == AP_KIND_PARTNER)
        return v;
    if (v < 0) {
        int64_t loose = loose_match(ctx, id, true);
        if (loose >= 0)
            return loose;
        if (loose == -2)
            return -1;
    }
    closest(list, sizeof list, ctx->g, id, true);
    if (list[0] != '\0')
        snprintf(hint, sizeof hint, "closest partners: %s", list);
    else
        snprintf(hint, sizeof hint, "the snapshot has no partners");
    if (v >= 0) {
        /* a node on a partner's side: name that partner, it is most likely the one meant */
        ap_kind kind = ap_graph_node(ctx->g, (uint32_t)v)->kind;
        const char *dom = ap_node_domain(ctx->g, (uint32_t)v);
        int64_t owner = ap_graph_find(ctx->g, dom);
        bool side = owner >= 0 && ap_graph_node(ctx->g, (uint32_t)owner)->kind == AP_KIND_PARTNER;
        ap_error_set(&err, AP_ENOTFOUND, "'%s' is %s %s%s%s%s, not a partner (%s)", id,
                     kind == AP_KIND_IDENTITY ? "an" : "a", ap_kind_name(kind),
                     side ? " on the side of partner '" : "", side ? dom : "", side ? "'" : "",
                     hint);
    } else {
        ap_error_set(&err, AP_ENOTFOUND, "no partner '%s' in snapshot %lld (%s)", id,
                     (long long)ap_graph_snapshot(ctx->g), hint);
    }
    cli_error(&err);
    return -1;
}

int cli_print_json(json_t *v)
{
    if (v == NULL) {
        cli_errorf("out of memory");
        return EXIT_INTERNAL;
    }
    /* whole or nothing: json_dumpf writes as it goes, and when it ran out of memory half-way
     * (offboard --all on 300 partners x 300 shared keys under 2 GiB) it left what it had
     * written, a newline and no message */
    char *text = json_dumps(v, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(v);
    if (text == NULL) {
        cli_errorf("out of memory (nothing was written)");
        return EXIT_INTERNAL;
    }
    fputs(text, stdout);
    fputc('\n', stdout);
    free(text);
    return EXIT_OK;
}

int cli_stream(int (*write)(FILE *out, void *arg, ap_error *err), void *arg)
{
    ap_error err;
    char buf[65536];
    size_t got;
    const char *dir = "/tmp";
    FILE *tmp = ap_temp_file("answer", &dir);
    int rc;
    if (tmp == NULL) {
        cli_errorf("cannot make a temporary file for the answer in %s: %s (nothing was "
                   "written)", dir, strerror(errno));
        return EXIT_INTERNAL;
    }
    if ((rc = write(tmp, arg, &err)) != EXIT_OK) {
        fclose(tmp);
        return rc < 0 ? cli_fail(&err, NULL) : rc;
    }
    if (fflush(tmp) != 0) {
        fclose(tmp);
        cli_errorf("cannot write the answer to its temporary file: %s", strerror(errno));
        return EXIT_INTERNAL;
    }
    rewind(tmp);
    while ((got = fread(buf, 1, sizeof buf, tmp)) > 0)
        fwrite(buf, 1, got, stdout);
    if (ferror(tmp)) {
        fclose(tmp);
        cli_errorf("cannot read the answer back from its temporary file: %s", strerror(errno));
        return EXIT_INTERNAL;
    }
    fclose(tmp);
    return EXIT_OK;
}

/* cli_stream_json's arguments, for its writer. */
typedef struct {
    json_t *doc;
    const char *const *keys;
    const size_t *n;
    size_t nkeys;
    int indent;
    json_t *(*item)(void *ctx, size_t k, size_t i, bool *skip);
    void *ctx;
} streams_args;

static int write_streams(FILE *out, void *arg, ap_error *err)
{
    streams_args *s = arg;
    json_t *doc = s->doc;
    s->doc = NULL;                      /* taken by the renderer, even when it fails */
    return ap_render_json_streams(out, doc, s->keys, s->n, s->nkeys, s->indent, s->item,
                                  s->ctx, err);
}

int cli_stream_json(json_t *doc, const char *const *keys, const size_t *n, size_t nkeys,
                    int indent, json_t *(*item)(void *ctx, size_t k, size_t i, bool *skip),
                    void *ctx)
{
    streams_args s = { doc, keys, n, nkeys, indent, item, ctx };
    int rc = cli_stream(write_streams, &s);
    json_decref(s.doc);                 /* not taken when no temporary file could be made */
    return rc;
}

int cli_print_table(const ap_table *t, const char *format)
{
    ap_error err;
    int rc = strcmp(format, "csv") == 0
                 ? ap_table_write_csv(t, stdout, &err)
                 : ap_table_write_text_fit(t, stdout, cli_output_width(), &err);
    return rc < 0 ? cli_fail(&err, NULL) : EXIT_OK;
}

void cli_time(char *buf, size_t size, int64_t t)
{
    if (t == AP_TIME_NONE)
        buf[0] = '\0';
    else
        ap_time_format(buf, size, t);
}

json_t *cli_json_str(const char *s) { return s != NULL ? json_string(s) : json_null(); }

json_t *cli_json_rights(const ap_vocab *v, ap_rights r)
{
    json_t *arr = json_array();
    for (unsigned i = 0; arr != NULL && i < v->count; i++)
        if (r & ((ap_rights)1 << i))
            json_array_append_new(arr, json_string(v->names[i]));
    return arr;
}

/* cli_global_option; main.c uses the same numbers */
enum { OPT_DB = 1000, OPT_AT, OPT_SNAPSHOT, OPT_FORMAT, OPT_OUTPUT, OPT_WIDE, OPT_HELP };

/* The command's own long options followed by the global ones. */
static struct option *merged_options(const struct option *own)
{
    static const struct option globals[] = {
        { "db", required_argument, NULL, OPT_DB },
        { "at", required_argument, NULL, OPT_AT },
        { "snapshot", required_argument, NULL, OPT_SNAPSHOT },
        { "format", required_argument, NULL, OPT_FORMAT },
        { "output", required_argument, NULL, OPT_OUTPUT },
        { "wide", no_argument, NULL, OPT_WIDE },
        { "help", no_argument, NULL, OPT_HELP },
    };
    size_t n = 0, g = sizeof globals / sizeof globals[0];
    while (own != NULL && own[n].name != NULL)
        n++;
    struct option *all = calloc(n + g + 1, sizeof *all);
    if (all == NULL)
        return NULL;
    if (n > 0)
        memcpy(all, own, n * sizeof *all);
    memcpy(all + n, globals, g * sizeof *all);
    return all;
}

int cli_getopt(cli_ctx *ctx, const cli_cmd *cmd, int argc, char **argv, const char *shortopts,
               const void *longopts)
{
    static struct option *all;
    static const void *for_own;
    if (all == NULL || for_own != longopts) {
        free(all);
        all = merged_options(longopts);
        for_own = longopts;
    }
    for (;;) {
        int before = optind > 0 ? optind : 1;
        int opt = getopt_long(argc, argv, shortopts != NULL ? shortopts : "", all, NULL);
        if (opt == '?') {
            /* getopt said what it did not know; a node id such as "-p" is the likely cause */
            for (int i = before; i < argc; i++)
                if (argv[i][0] == '-' && argv[i][1] != '\0' && argv[i][1] != '-') {
                    char *shown = ap_text_escape(argv[i]);
                    cli_errorf("a node id that starts with '-' goes after `--`: authpath %s -- %s",
                               cmd->name, shown != NULL ? shown : "?");
                    free(shown);
                    break;
                } else if (argv[i][0] == '-') {
                    break;
                }
        }
        if (opt == OPT_HELP) {
            cli_usage(cmd, stdout);
            opt = CLI_HELP;
        }
        if (opt >= OPT_DB && opt <= OPT_WIDE) {
            if (cli_global_option(ctx, opt, optarg) == EXIT_OK)
                continue;
            opt = '?';
        }
        if (opt == -1 || opt == CLI_HELP || opt == '?') {    /* the command stops asking */
            free(all);
            all = NULL;
            for_own = NULL;
        }
        return opt;
    }
}

int cli_number(const char *what, const char *arg, long long min, long long max,
               long long *out)
{
    char *end;
    long long v;
    errno = 0;
    v = strtoll(arg, &end, 10);
    /* digits only (a sign only where negatives are allowed): strtoll would skip spaces */
    if ((arg[0] < '0' || arg[0] > '9') && !(min < 0 && arg[0] == '-' && arg[1] >= '0'
                                            && arg[1] <= '9'))
        end = (char *)arg;
    if (end == arg || *end != '\0' || errno == ERANGE || v < min || v > max) {
        char *shown = ap_text_escape(arg);
        cli_errorf("%s: expected a whole number from %lld to %lld, not '%s'", what, min, max,
                   shown != NULL ? shown : "?");
        free(shown);
        return EXIT_USAGE;
    }
    *out = v;
    return EXIT_OK;
}

int cli_global_option(cli_ctx *ctx, int opt, const char *arg)
{
    long long v;
    switch (opt) {
    case OPT_DB:
        ctx->db = arg;
        return EXIT_OK;
    case OPT_AT:
        if (strcmp(arg, "now") != 0 && !ap_time_parse(arg, &ctx->at)) {
            cli_errorf("--at: bad time '%s' (expected YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)", arg);
            return EXIT_USAGE;
        }
        return EXIT_OK;
    case OPT_SNAPSHOT:
        if (cli_number("--snapshot", arg, 1, INT64_MAX, &v) != EXIT_OK)
            return EXIT_USAGE;
        ctx->snapshot = v;
        return EXIT_OK;
    case OPT_FORMAT:
        ctx->format = arg;
        return EXIT_OK;
    case OPT_OUTPUT:
        return cli_output_to(arg);
    case OPT_WIDE:
        cli_output_wide(true);
        return EXIT_OK;
    }
    return EXIT_USAGE;
}

void cli_usage(const cli_cmd *cmd, FILE *out)
{
    fprintf(out, "usage: authpath [--db FILE] [--at TIME] [--snapshot N] %s\n\n%s\n",
            cmd->usage, cmd->summary);
    if (cmd->help != NULL && cmd->help[0] != '\0')
        fprintf(out, "\n%s", cmd->help);
}
