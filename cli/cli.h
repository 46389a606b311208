/* cli/cli.h: what the subcommands of the authpath command share: the parsed global options,
 * the open store and graph, and the helpers that turn library errors into messages and exits. */
#ifndef AUTHPATH_CLI_H
#define AUTHPATH_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "authpath/diagram.h"
#include "authpath/graph.h"
#include "authpath/import.h"
#include "authpath/render.h"
#include "authpath/store.h"
#include "authpath/usage.h"

enum { EXIT_OK = 0, EXIT_FINDINGS = 1, EXIT_USAGE = 2, EXIT_INTERNAL = 3 };

typedef struct {
    const char *db;         /* --db, $AUTHPATH_DB, ./authpath.db */
    int64_t at;             /* --at, default now */
    int64_t snapshot;       /* --snapshot, 0: the latest */
    const char *format;     /* --format, NULL: the command's default */
    ap_store *st;
    ap_graph *g;
    bool whole;             /* load the whole graph even where a partial load would do */
} cli_ctx;

typedef struct {
    const char *name;
    int (*run)(cli_ctx *ctx, int argc, char **argv);
    const char *usage;      /* "import FILE... [--as FORMAT] [--label TEXT]" */
    const char *summary;    /* one line for the command list */
    const char *help;       /* options, formats, examples: shown by COMMAND --help */
} cli_cmd;

/* usage_opt.c: the observed use of the loaded graph's snapshot from --since (NULL: 90 days
 * before --at) to --at; *out owns it (ap_usage_free()). EXIT_USAGE on a bad date. */
int cli_load_usage(cli_ctx *ctx, const char *since, ap_usage **out);
/* cmd_observed.c: authority NODE --observed [--since DATE]. */
int cli_authority_observed(cli_ctx *ctx, int argc, char **argv);
/* cmd_narrow.c: what-if PARTNER --narrow-to-observed. */
int cli_narrow(cli_ctx *ctx, const char *partner, const char *since, const char *policy,
               const char *format);

/* msg.c: the only place that prints diagnostics. */
void cli_error(const ap_error *err);
void cli_errorf(const char *fmt, ...) AP_PRINTF(1, 2);
/* Print err (and more) and return the exit code for its status. */
int cli_fail(const ap_error *err, const ap_error_list *more);
int cli_exit_code(int status);
/* What an import recognised but did not import, one line per construct. */
void cli_notes(const ap_import_notes *notes);
/* Import progress on stderr when it is a terminal (ap_import_opts.progress). */
typedef struct {
    int tty, shown;
    double start, last;
} cli_progress;
void cli_progress_init(cli_progress *p);
void cli_progress_cb(void *arg, const ap_import_progress *pr);
void cli_progress_done(cli_progress *p);

/* Lists of many partners or actors in one output (partners, blast-radius, offboard) show at
 * most this many of them, and count the rest ("N more" in text, "<key>_more" in JSON). */
#define CLI_LIST_MAX 20

/* common.c */
/* Open the database named by --db; a missing one is an error (exit 2) and is not created. */
int cli_open_store(cli_ctx *ctx);
/* The same, creating the database when it does not exist (import, demo). */
int cli_create_store(cli_ctx *ctx);
int cli_load_graph(cli_ctx *ctx);
/* The same for a command that reads a small part of the graph from one source (authority,
 * explain, paths): ap_graph_load_partial(). Never for a command that runs threads on it. */
int cli_load_graph_partial(cli_ctx *ctx);
/* After the partial graph's query, before its output: EXIT_INTERNAL when the graph image turned
 * out damaged in a block the query read (main.c then runs the command again from a whole load,
 * which reads the rows), else EXIT_OK. */
int cli_graph_intact(const cli_ctx *ctx);
/* The format to use: ctx->format when it is one of allowed ("text,json,csv"), else the first
 * of allowed when none was given; NULL (after a message) when the given one is not allowed. */
const char *cli_format(const cli_ctx *ctx, const char *allowed);
/* A numeric option or argument: a whole number from min to max, nothing else (no sign unless
 * min < 0, no spaces, no overflow); else a message naming what and the range, EXIT_USAGE. */
int cli_number(const char *what, const char *arg, long long min, long long max,
               long long *out);
/* Levenshtein distance between a and b, (size_t)-1 past 64 bytes: for suggestions only. */
size_t cli_distance(const char *a, const char *b);
/* Look up a node id: exact, else (when only one node answers to it) the id in other case or a
 * partner's display name; on failure prints an error naming the closest ids and returns -1. */
int64_t cli_find_node(const cli_ctx *ctx, const char *id, const char *what);
/* Look up a partner id (or, unambiguous, its id in other case or its display name); when
 * there is no such node, or it is not a partner, prints an error
 * naming the closest partner ids and returns -1 (the command exits 2). */
int64_t cli_find_partner(const cli_ctx *ctx, const char *id);
/* Write a JSON value to stdout (2-space indent, insertion order) and a newline. */
int cli_print_json(json_t *v);
/* An answer written by write(out, arg, err) (AP_OK, a negative ap_status with err set, or an
 * exit code after its own message), whole or not at all as cli_print_json: to a temporary file
 * in $TMPDIR first (memory follows what write holds, the disk holds the answer), then copied to
 * stdout. */
int cli_stream(int (*write)(FILE *out, void *arg, ap_error *err), void *arg);
/* doc with its arrays keys[0 .. nkeys) streamed from item (ap_render_json_streams), whole or not
 * at all as cli_print_json: written to a temporary file first (memory follows one item, the
 * disk holds the answer), then copied to stdout. */
int cli_stream_json(json_t *doc, const char *const *keys, const size_t *n, size_t nkeys,
                    int indent, json_t *(*item)(void *ctx, size_t k, size_t i, bool *skip),
                    void *ctx);
/* Print a table in the chosen format ("text" or "csv"). */
int cli_print_table(const ap_table *t, const char *format);
/* ISO time of t, or "" when t is AP_TIME_NONE. */
void cli_time(char *buf, size_t size, int64_t t);
/* A JSON string, or null when s is NULL. */
json_t *cli_json_str(const char *s);
/* A JSON array of the rights in r (vocabulary order). */
json_t *cli_json_rights(const ap_vocab *v, ap_rights r);

/* evidence.c: chains and edges with their sources. */
/* Where edge e was read: {file, line, col, snapshot}; null for an edge a what-if added. */
json_t *cli_json_source(const ap_graph *g, uint32_t e);
/* Steps of a path (from, to, kind, edge, source), for chains computed on another authority. */
json_t *cli_json_path(const ap_graph *g, const uint32_t *path, uint32_t n);
/* A chain of a's as JSON steps: from, to, kind, edge, source, the rights the chain carries over
 * the step (its replay), and for a gate the chain cannot open itself, gate: {rights, path}
 * (the opening right's own witness, alike). NULL if the chain carries nothing. */
json_t *cli_json_chain(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                       size_t len);
/* Steps a long chain keeps in a list of many chains: its first and last half (docs/json.md). */
#define CLI_CHAIN_SHOWN 16
/* Steps the gates' own witnesses of one chain may print in all, nested ones included: each
 * gate cites a whole witness, which may hold gates of its own, so the tree grew exponentially
 * with the nesting (a 300-partner ring through gated triggers: 5.4 GB of authority JSON). A gate
 * past the budget keeps its right and says how long its witness is ("path_omitted"). */
#define CLI_GATE_STEPS 64
/* Sets o's "path" to the chain's steps as cli_json_chain gives them, a chain longer than
 * CLI_CHAIN_SHOWN cut to its first and last halves, and then "path_omitted" {"after", "steps"}
 * says how many steps after the first half are left out (`authpath explain` prints it whole). */
void cli_json_chain_cut(json_t *o, const ap_graph *g, const ap_authority *a,
                        const uint32_t *edges, size_t len);
/* The chain as JSON steps (key "path"), a long one cut to its first and last 8 steps: then the
 * key path_omitted says where and how many ({"after", "steps"}) (cli/whatif_items.c). Lists of
 * items (offboarding's, what-if's) stay proportional to the items, not to their depth. */
void cli_set_path(json_t *o, const ap_graph *g, const uint32_t *path, uint32_t n);
/* "a > b > [N more steps] > y > z" for a chain longer than 16 steps; *out owns it. */
char *cli_path_text_cut(const ap_graph *g, uint32_t source, const uint32_t *path, uint32_t n);
/* --evidence: one line per step of a chain of a's ("a > b: kind, carries r; edge ID at
 * FILE:LINE:COL, snapshot N"), a gate's own witness below it, indented. */
void cli_print_chain_evidence(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                              size_t len, int indent);
json_t *cli_json_edge(const ap_graph *g, uint32_t e);
/* "source > a > b"; *out owns it (free()), NULL on allocation failure. */
char *cli_path_text(const ap_graph *g, uint32_t source, const uint32_t *path, uint32_t n);
/* Print to stdout, terminal-escaped: a string; an edge as "id (kind, from → to)". */
void cli_put(const char *s);
void cli_put_edge(const ap_graph *g, uint32_t e);

/* Standard option handling for commands: returns the getopt_long result, handling the global
 * options (--db --at --snapshot --format --output --wide) wherever they appear. CLI_HELP: --help was printed;
 * '?': a bad option (getopt said why). */
#define CLI_HELP 0x10068
int cli_global_option(cli_ctx *ctx, int opt, const char *arg);
int cli_getopt(cli_ctx *ctx, const cli_cmd *cmd, int argc, char **argv, const char *shortopts,
               const void *longopts);
void cli_usage(const cli_cmd *cmd, FILE *out);
const cli_cmd *cli_command(const char *name);

/* diagram_out.c: dot, svg, png or pdf? PNG and PDF on a terminal: a message, EXIT_USAGE. */
bool cli_is_diagram_format(const char *format);
int cli_binary_ok(const char *format);
/* Render d in format to stdout. */
int cli_write_diagram(const ap_graph *g, const ap_diagram *d, const char *format);

/* output.c: standard output as one checked sink; --output FILE written atomically. */
/* A file written whole or not at all: a temporary file beside path (".NAME.XXXXXX"), made
 * FILE by cli_atomic_commit (fsync, rename) and removed by cli_atomic_abort or by SIGINT,
 * SIGTERM, SIGHUP or SIGQUIT. Each prints its own message on failure. */
typedef struct {
    char path[4096];
    int fd, slot;
    FILE *file;
} cli_atomic;
int cli_atomic_open(cli_atomic *a, const char *path);      /* EXIT_OK or EXIT_USAGE */
FILE *cli_atomic_file(cli_atomic *a);                       /* a stream on it, owned by a */
int cli_atomic_commit(cli_atomic *a);                       /* EXIT_OK or EXIT_INTERNAL */
void cli_atomic_abort(cli_atomic *a);
/* Make stdout the sink: every write checked (SIGXFSZ ignored: a write past `ulimit -f` fails
 * with EFBIG) and, in text mode (the default), passed through ap_text_escape_n(LAYOUT). */
void cli_output_init(void);
/* Text mode on (text for a terminal) or off (JSON, CSV, DOT, SVG, PNG...: their writers
 * escape for their own syntax); cli_format() sets it from the chosen format. */
void cli_output_text(bool text);
/* --output FILE: what stdout gets from now on goes to a temporary file beside FILE. */
int cli_output_to(const char *path);
/* Give up the --output file (for a command that writes files of its own): its path, or NULL
 * when there was no --output. */
const char *cli_output_take(void);
bool cli_output_is_tty(void);
void cli_output_wide(bool wide);
/* The width text tables must fit: the terminal's on a terminal, else 0 (no limit). */
size_t cli_output_width(void);
/* The locale's character set is UTF-8 (LC_ALL, else LC_CTYPE, else LANG says so). */
bool cli_output_utf8(void);
/* A score split by sensitivity as a bar of width cells into buf, scaled so that max fills
 * it, the most sensitive part first: block characters when utf8, else ASCII; each part ends
 * at the rounded running sum, so the parts add up to the whole bar (a score above zero that
 * rounds to nothing shows one cell of its most sensitive part). The key says which glyph is
 * which sensitivity. */
#define CLI_BAR_WIDTH 10     /* within its header's width: a table never shortens it */
void cli_score_bar(char *buf, size_t size, const int64_t part[AP_SENS_COUNT], int64_t max,
                   unsigned width, bool utf8);
void cli_score_bar_key(char *buf, size_t size, bool utf8);
/* Flush stdout, report a failed write (exit 3) and commit or remove the --output file: it is
 * kept only when rc is 0 or 1. Returns the exit code. */
int cli_output_finish(int rc);
/* Drop what stdout holds and has not written yet: false when some of its output is already
 * out (it cannot be taken back). */
bool cli_output_discard(void);

/* One per subcommand. */
int cmd_import(cli_ctx *ctx, int argc, char **argv);
int cmd_snapshots(cli_ctx *ctx, int argc, char **argv);
int cmd_report(cli_ctx *ctx, int argc, char **argv);
int cmd_diff(cli_ctx *ctx, int argc, char **argv);
int cmd_inventory(cli_ctx *ctx, int argc, char **argv);
int cmd_demo(cli_ctx *ctx, int argc, char **argv);
int cmd_authority(cli_ctx *ctx, int argc, char **argv);
int cmd_explain(cli_ctx *ctx, int argc, char **argv);
int cmd_blast_radius(cli_ctx *ctx, int argc, char **argv);
int cmd_partners(cli_ctx *ctx, int argc, char **argv);
int cmd_offboard(cli_ctx *ctx, int argc, char **argv);
int cmd_what_if(cli_ctx *ctx, int argc, char **argv);
int cmd_findings(cli_ctx *ctx, int argc, char **argv);
int cmd_rules(cli_ctx *ctx, int argc, char **argv);
int cmd_paths(cli_ctx *ctx, int argc, char **argv);
int cmd_delegation(cli_ctx *ctx, int argc, char **argv);
int cmd_export(cli_ctx *ctx, int argc, char **argv);

#endif
