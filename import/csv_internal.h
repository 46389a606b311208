/* import/csv_internal.h: what the CSV reader's two files share (native_csv.c reads and checks,
 * csv_pipe.c parses rows on a second thread): the reader's state and the steps between them. */
#ifndef AUTHPATH_CSV_INTERNAL_H
#define AUTHPATH_CSV_INTERNAL_H

#include <stddef.h>

#include <csv.h>

#include "import_internal.h"

typedef enum { FILE_NODES, FILE_EDGES, FILE_RIGHTS } file_kind;
typedef enum { COL_TEXT, COL_LIST, COL_BOOL, COL_JSON } col_type;
#define AP_CSV_FAST_COLS 10     /* the edge fields csv_fast.c reads */

/* A cell of the current row. */
typedef struct {
    size_t off, len;            /* in the row buffer */
    int empty;                  /* an empty cell: the field is absent */
} cell;

/* One CSV file being read: the checking thread's, or the parsing thread's own copy (pipe set). */
typedef struct {
    ap_import_ctx *ctx;
    ap_error *err;
    const char *text;
    size_t len;
    int rc;                     /* a failure that stops the file: AP_EINPUT once reported */
    /* the record being read: its first physical line and where that line starts */
    unsigned rec_line;
    size_t rec_off;
    /* its cells, NUL-terminated one after another in buf */
    char *buf;
    size_t used, size;
    cell *cells;
    size_t ncells, cap;
    /* the header */
    int have_header;
    file_kind kind;
    json_t *names;              /* the column names, as JSON strings */
    col_type *types;
    json_t *obj;                /* the current row (see row_object) */
    json_t **colval;            /* each column's value in obj (borrowed), or NULL */
    size_t row;                 /* data rows so far */
    int row_key_bad;            /* a cell the row cannot be read without (id, kind; from, to)
                                 * was reported bad: the row goes no further (one error) */
    unsigned at_line, at_col;   /* the place of an error about the file itself */
    struct csv_pipe *pipe;      /* set in the parsing thread: rows go there */
    int fast;                   /* a file whose rows csv_fast.c may stage (edges, nodes) */
    size_t fast_col[AP_CSV_FAST_COLS];  /* edges: the column of each field read, or SIZE_MAX */
    size_t *fast_order;         /* the attribute columns, by name (owned) */
    int *fast_known;            /* each column's known attribute, or -1 (owned) */
    size_t fast_nattrs, fast_id, fast_kind;
} csv_reader;

/* Why parsing stopped before the end of the text (reported by the thread that checks rows). */
typedef enum {
    STOP_NONE, STOP_STRAY_QUOTE, STOP_AFTER_QUOTE, STOP_OPEN_QUOTE, STOP_NOMEM
} stop_why;

/* Where the parser is in the text. */
typedef struct {
    size_t pos;                 /* the next physical line */
    unsigned line;
    int quoted;                 /* inside a quoted field at pos */
    stop_why why;
    unsigned why_line, why_col;
} cursor;

/* Parse lines from c until the text ends, r->rc is set, a syntax error (c->why), or, with
 * header_only, the header is read; then the end of the text (the last record, or an open quote). */
void ap_csv__parse_lines(csv_reader *r, struct csv_parser *parser, cursor *c, int header_only);
void ap_csv__parse_end(csv_reader *r, struct csv_parser *parser, cursor *c);
/* Report why parsing stopped, if it did early. */
void ap_csv__report_stop(csv_reader *r, const cursor *c);
/* Check and stage the current row (r's cells). */
void ap_csv__read_row(csv_reader *r);
/* A boolean cell: 1 for "true", 0 for "false" (any case), -1 for anything else. */
int ap_csv__bool(const char *s);

/* Where field k (and list item, or AP_NO_ITEM) of the current record starts; 0 when the record
 * has no such field. */
int ap_csv__field_place(const csv_reader *r, size_t k, size_t item, unsigned *line,
                        unsigned *col);
/* After the header: may the rows be staged by csv_fast.c (r->fast)? AP_ENOMEM or AP_OK. */
int ap_csv__fast_header(csv_reader *r);
/* Stage the current row of an edges file without a jansson object: 1 when done (r->rc set if
 * staging failed), 0 when the row must take the generic path (it may hold an error, a new
 * right, text to check or escape: that path finds and places it). */
int ap_csv__fast_edge(csv_reader *r);
/* Likewise for a row of a nodes file. */
int ap_csv__fast_node(csv_reader *r);
/* Rows the two above staged since the process started (tests check that the fast path ran). */
unsigned long ap_csv__fast_staged(void);
void ap_csv__fast_count(void);
/* Tell the store which ends the next nrows rows (each its text, cells and cell count) will
 * stage, so that it fetches their places ahead (ap_store_stage_hint). */
#define AP_CSV_HINT_ROWS (AP_STAGE_HINT_MAX / 2)
void ap_csv__fast_hint(const csv_reader *r, const char *const *bufs, const cell *const *cells,
                       const size_t *ncells, size_t nrows);

/* The parsing thread's on_row: the current row into the batch being filled (csv_pipe.c). */
void ap_csv__pipe_row(csv_reader *r);
/* Read the rows after the header (the parser and c where it stopped) through the pipe; r->rc
 * says how it went. */
void ap_csv__read_piped(csv_reader *r, struct csv_parser *parser, const cursor *c);

#endif
