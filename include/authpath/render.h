/* authpath/render.h: turning results into text for people, CSV for spreadsheets and JSON for
 * machines. Renderers format what the query engine computed; they never compute it. */
#ifndef AUTHPATH_RENDER_H
#define AUTHPATH_RENDER_H

#include <stdbool.h>
#include <stdio.h>

#include "authpath/error.h"
#include "authpath/graph.h"
#include "authpath/findings.h"

/* ---- Tables: aligned text or RFC 4180 CSV from the same rows. ---- */
typedef struct ap_table ap_table;

/* *out owns a table with ncols columns named by headers (copied). */
AP_EXPORT int ap_table_new(ap_table **out, size_t ncols, const char *const *headers,
                           ap_error *err);
AP_EXPORT void ap_table_free(ap_table *t);
/* Append a row of ncols cells (copied; NULL is an empty cell). */
AP_EXPORT int ap_table_add(ap_table *t, const char *const *cells, ap_error *err);
AP_EXPORT size_t ap_table_rows(const ap_table *t);
/* Aligned columns, two spaces apart; control characters in cells shown escaped. */
AP_EXPORT int ap_table_write_text(const ap_table *t, FILE *out, ap_error *err);
/* The same in lines of at most max_width code points (0: no limit, as ap_table_write_text):
 * the widest columns are narrowed (never below their header or 8) and the cells longer than
 * their column shortened in the middle with an ellipsis (U+2026). A line may still be longer
 * when the headers alone do not fit. */
AP_EXPORT int ap_table_write_text_fit(const ap_table *t, FILE *out, size_t max_width,
                                      ap_error *err);
/* CSV through libcsv; cells starting with = + - @ TAB or CR get a leading ' (formula
 * injection). */
AP_EXPORT int ap_table_write_csv(const ap_table *t, FILE *out, ap_error *err);
/* One CSV row of n cells (NULL is an empty cell), as ap_table_write_csv writes each: for
 * writers that stream rows. */
AP_EXPORT int ap_csv_write_row(FILE *out, const char *const *cells, size_t n, ap_error *err);

/* A scratch file (read and write) for what is written before it is shown: in $TMPDIR, else
 * /tmp (*where, when not NULL, says which), named for tag and unlinked at once, so nothing is
 * left behind whatever befalls the process. NULL with errno when it cannot be made. */
AP_EXPORT FILE *ap_temp_file(const char *tag, const char **where);

/* Text for a terminal: what a name from an input could use to forge or hide what a terminal
 * shows is escaped, visibly: newline, tab, CR and backslash as \n \t \r \\, other C0
 * controls, DEL and bytes that are not UTF-8 as \xNN, C1 controls, the bidirectional
 * controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) and U+2028/U+2029 as
 * \uXXXX. *out owns the result (free()). */
AP_EXPORT char *ap_text_escape(const char *s);
/* The same over len bytes of s (NUL bytes included, escaped). With AP_TEXT_LAYOUT newline and
 * tab pass as they are, and so does backslash: the form for a whole text output whose names
 * were escaped already, where the layout's own line breaks and tabs must stay. */
#define AP_TEXT_LAYOUT 1u
AP_EXPORT char *ap_text_escape_n(const char *s, size_t len, unsigned flags);
/* Display width of UTF-8 text (code points; escapes counted as printed). */
AP_EXPORT size_t ap_text_width(const char *s);

/* ---- Whole-graph exports: every node and edge of the snapshot, live or not, with every
 * attribute. Each writes to out and fails only on allocation or write errors. ---- */
/* BloodHound OpenGraph JSON: metadata {source_kind: AuthPath} first, AP_* kinds, match_by id
 * (docs/sources/opengraph.md); `import --as opengraph` brings it back as the same graph. */
AP_EXPORT int ap_render_opengraph(FILE *out, const ap_graph *g, ap_error *err);
/* GraphML with a typed data key per attribute; node and edge ids are authpath's. */
AP_EXPORT int ap_render_graphml(FILE *out, const ap_graph *g, ap_error *err);
/* Native CSV: nodes (id, kind, attributes...), edges (id, from, to, kind, rights, requires,
 * escalates, attributes...), list fields joined by '|', and (when rights is not NULL) the
 * inventory's custom rights under the header 'right'. Attributes that are not text, lists of
 * text or booleans travel as JSON text. */
AP_EXPORT int ap_render_csv_pair(FILE *nodes, FILE *edges, FILE *rights, const ap_graph *g,
                                 ap_error *err);

/* ---- Findings (hidden ones, waived by the policy, are left out but for SARIF) ---- */
/* Text for people: grouped by partner, most severe first, each with its evidence. */
AP_EXPORT int ap_findings_write_text(FILE *out, const ap_graph *g, const ap_findings *f,
                                     ap_error *err);
/* One row per finding: *out owns the table (ap_table_free). */
AP_EXPORT int ap_findings_table(ap_table **out, const ap_graph *g, const ap_findings *f,
                                ap_error *err);
/* The same rows as CSV (ap_table_write_csv's bytes), written one finding at a time. */
AP_EXPORT int ap_findings_write_csv(FILE *out, const ap_graph *g, const ap_findings *f,
                                    ap_error *err);
/* docs/json.md: {"at", "snapshot", "findings": [{"rule", "severity", "subject", "message",
 * "owasp_nhi", "nist_csf", "evidence", "partner"}], "waived"}. */
AP_EXPORT int ap_findings_write_json(FILE *out, const ap_graph *g, const ap_findings *f,
                                     ap_error *err);
/* SARIF 2.1.0 for code-scanning dashboards: every catalogue rule, one result per finding with
 * the subject's provenance as its physical location; waived findings carry a suppression. */
AP_EXPORT int ap_findings_write_sarif(FILE *out, const ap_graph *g, const ap_findings *f,
                                      const char *tool_version, ap_error *err);
typedef struct {
    const char *tool_version;       /* driver.semanticVersion */
    const char *information_uri;    /* driver.informationUri, the tool's page; NULL: none */
    const char *rules_uri;          /* docs/rules.md online: helpUri is it#RULE-ID; NULL: none */
    /* The absolute folder artifact URIs are relative to (uriBaseId %SRCROOT%), also given as
     * originalUriBaseIds; NULL: the current directory, not named in the output. Input files
     * outside it get file:// URIs. */
    const char *source_root;
    /* At most this many results (0: one per finding): the most severe findings, in the
     * findings' order; the others are counted in a warning notification of the run's
     * invocation and in run.properties (code scanning rejects a run of more than 25,000:
     * AP_SARIF_CODE_SCANNING_MAX). */
    size_t max_results;
} ap_sarif_opts;
#define AP_SARIF_CODE_SCANNING_MAX 25000
/* The same with opts; ap_findings_write_sarif is it with only the version set. Each rule has
 * a PascalCase name apart from its id; automationDetails.id is
 * "authpath/findings/snapshot-N". */
AP_EXPORT int ap_findings_write_sarif_with(FILE *out, const ap_graph *g, const ap_findings *f,
                                           const ap_sarif_opts *opts, ap_error *err);
/* The catalogue as Markdown (docs/rules.md is this output). */
AP_EXPORT int ap_rules_write_markdown(FILE *out, ap_error *err);

struct json_t;
/* Write item as one element of an array nested `indent` spaces deep in a document written
 * with 2-space indent and insertion order (the bytes json_dumpf gives for the whole), after a
 * comma unless it is the first; takes ownership of item (NULL is out of memory). */
AP_EXPORT int ap_render_json_item(FILE *out, struct json_t *item, int indent, bool first,
                                  ap_error *err);
/* Write the JSON document doc (2-space indent, insertion order: the bytes json_dumpf gives)
 * whose empty array at `key`, nested `indent` spaces deep and unique in doc, gets n items from
 * item(ctx, i, &skip), each built, written and freed in turn: memory follows one item, not the
 * document. NULL from item without skip set is out of memory. Takes ownership of doc. */
AP_EXPORT int ap_render_json_stream(FILE *out, struct json_t *doc, const char *key, int indent,
                                    size_t n,
                                    struct json_t *(*item)(void *ctx, size_t i, bool *skip),
                                    void *ctx, ap_error *err);
/* ap_render_json_stream for several arrays of doc: keys[0 .. nkeys), in the order the document
 * holds them, each empty in doc and unique, nested `indent` spaces deep; array k gets n[k] items
 * from item(ctx, k, i, &skip). */
AP_EXPORT int ap_render_json_streams(FILE *out, struct json_t *doc, const char *const *keys,
                                     const size_t *n, size_t nkeys, int indent,
                                     struct json_t *(*item)(void *ctx, size_t k, size_t i,
                                                            bool *skip),
                                     void *ctx, ap_error *err);


/* ---- A JSON document written a piece at a time: memory follows the largest piece, not the
 * document, and the bytes are what json_dumpf gives for the whole (2-space indent, insertion
 * order). The document is a skeleton whose arrays to stream are empty; each is opened by its
 * key (unique in what is left of its object to write, in the order the object holds them),
 * given items, closed. An item can be a skeleton too: opened, its own arrays streamed, closed.
 * Where writing stops half-way the output is half a document: write to a file to keep. ---- */
typedef struct ap_json_writer ap_json_writer;
/* *out owns a writer to `to` of the skeleton doc (taken: freed even when this fails). */
AP_EXPORT int ap_json_writer_new(ap_json_writer **out, FILE *to, struct json_t *doc,
                                 ap_error *err);
/* Write up to and into the empty array at key in the skeleton open now. */
AP_EXPORT int ap_json_writer_array(ap_json_writer *w, const char *key, ap_error *err);
/* One item of the open array; takes ownership of item (NULL is out of memory). */
AP_EXPORT int ap_json_writer_item(ap_json_writer *w, struct json_t *item, ap_error *err);
/* One item of the open array whose own empty arrays are streamed next, until
 * ap_json_writer_item_close; takes ownership of item (NULL is out of memory). */
AP_EXPORT int ap_json_writer_item_open(ap_json_writer *w, struct json_t *item, ap_error *err);
/* End the open array; then the rest of the item opened with ap_json_writer_item_open. */
AP_EXPORT int ap_json_writer_close(ap_json_writer *w, ap_error *err);
AP_EXPORT int ap_json_writer_item_close(ap_json_writer *w, ap_error *err);
/* The rest of the document, a newline, and a flush. */
AP_EXPORT int ap_json_writer_finish(ap_json_writer *w, ap_error *err);
AP_EXPORT void ap_json_writer_free(ap_json_writer *w);   /* NULL does nothing */

#endif
