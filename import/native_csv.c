/* import/native_csv.c: the native inventory as CSV (libcsv): a nodes, an edges or a rights file,
 * known by its header. Read row by row, each row a small jansson object (an edges file's plain
 * rows: none, csv_fast.c), so memory stays flat.
 * After the header a second thread splits the text into rows and cells (csv_pipe.c) while this
 * one checks and stages them in order, so errors and their order are as if read alone. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <csv.h>

#include "csv_internal.h"

/* docs/design.md's typed fields; every other column, known or not, is text. */
static const char *const list_cols[] = { "rights", "requires", NULL };
static const char *const json_cols[] = { "scope", NULL };   /* a JSON object in the cell */
static const char *const bool_cols[] = { "logged", "static", "multi_tenant", "temporary",
                                         "escalates", NULL };


/* ---- places ---- */

/* Does a line end at pos? Lines end in "\r\n", "\n" or a lone "\r" (old Mac spreadsheets). */
static int ends_line(const csv_reader *r, size_t pos)
{
    return r->text[pos] == '\n'
        || (r->text[pos] == '\r' && (pos + 1 == r->len || r->text[pos + 1] != '\n'));
}

/* The end of the line starting at pos, its terminator included. */
static size_t line_end(const csv_reader *r, size_t pos)
{
    const char *nl = memchr(r->text + pos, '\n', r->len - pos);
    size_t end = nl != NULL ? (size_t)(nl - r->text) : r->len;
    const char *cr = memchr(r->text + pos, '\r', end - pos);
    while (cr != NULL && !ends_line(r, (size_t)(cr - r->text)))
        cr = memchr(cr + 1, '\r', end - (size_t)(cr + 1 - r->text));
    if (cr != NULL)
        return (size_t)(cr - r->text) + 1;
    return end < r->len ? end + 1 : r->len;
}

/* Where field k of the current record starts (item: the list item within it, or AP_NO_ITEM).
 * The record is re-read quote-aware from its start: errors need this, and an edge's two ends
 * (a few characters into the record). Returns 0 when the record has no such field. */
int ap_csv__field_place(const csv_reader *r, size_t k, size_t item, unsigned *line,
                        unsigned *col)
{
    size_t pos = r->rec_off, line_start = r->rec_off, field = 0;
    unsigned l = r->rec_line;
    int quoted = 0;
    for (; pos < r->len && field < k; pos++) {
        char c = r->text[pos];
        if (quoted) {
            if (c == '"' && pos + 1 < r->len && r->text[pos + 1] == '"')
                pos++;
            else if (c == '"')
                quoted = 0;
        } else if (c == '"') {
            quoted = 1;
        } else if (c == ',') {
            field++;
        } else if (c == '\n' || c == '\r') {
            return 0;
        }
        if (ends_line(r, pos)) {
            l++;
            line_start = pos + 1;
        }
    }
    while (pos < r->len && (r->text[pos] == ' ' || r->text[pos] == '\t'))
        pos++;
    if (field < k || pos >= r->len || r->text[pos] == '\n' || r->text[pos] == '\r')
        return 0;
    if (item != AP_NO_ITEM) {
        /* walk the cell's text to the item's first character, decoding quotes */
        size_t seen = 0;
        quoted = r->text[pos] == '"';
        if (quoted)
            pos++;
        for (; pos < r->len && seen < item; pos++) {
            char c = r->text[pos];
            if (quoted && c == '"' && pos + 1 < r->len && r->text[pos + 1] == '"')
                pos++;
            else if (c == '"' || (!quoted && (c == ',' || c == '\n' || c == '\r')))
                break;
            else if (c == '|')
                seen++;
            if (ends_line(r, pos)) {
                l++;
                line_start = pos + 1;
            }
        }
        while (pos < r->len && (r->text[pos] == ' ' || r->text[pos] == '\t'))
            pos++;
    }
    *line = l;
    *col = (unsigned)(pos - line_start + 1);
    return 1;
}

static size_t column_of(const csv_reader *r, const char *name)
{
    for (size_t i = 0; i < json_array_size(r->names); i++) {
        const char *s = json_string_value(json_array_get(r->names, i));
        if (s[0] == name[0] && strcmp(s, name) == 0)
            return i;
    }
    return SIZE_MAX;
}

/* The current row's cell for p->key (the right for a rights file); else the row's start. A
 * place without a section is the file itself: where the reader last said. */
static void locate_csv(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    const csv_reader *r = vctx;
    size_t k = SIZE_MAX, item = AP_NO_ITEM;
    if (p->section == NULL) {
        *line = r->at_line;
        *col = r->at_col;
        return;
    }
    if (r->kind == FILE_RIGHTS) {
        k = 0;
    } else if (p->key != NULL) {
        k = column_of(r, p->key);
        item = p->item;
    }
    if (k == SIZE_MAX || !ap_csv__field_place(r, k, item, line, col)) {
        *line = r->rec_line;
        *col = 1;
    }
}

/* An error about the file at a line and column (syntax, header): recorded with the others. */
static int file_fail(csv_reader *r, unsigned line, unsigned col, const char *fmt, ...)
    AP_PRINTF(4, 5);
static int file_fail(csv_reader *r, unsigned line, unsigned col, const char *fmt, ...)
{
    ap_place p = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, NULL };
    char msg[sizeof r->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->at_line = line;
    r->at_col = col;
    return ap_import__fail(r->ctx, &p, "%s", msg);
}

/* The same, at field k of the current record. */
static int field_fail(csv_reader *r, size_t k, const char *fmt, const char *arg)
{
    unsigned line = r->rec_line, col = 1;
    ap_csv__field_place(r, k, AP_NO_ITEM, &line, &col);
    return file_fail(r, line, col, fmt, arg);
}

/* ---- cells to JSON ---- */

static int is_one_of(const char *s, const char *const *list)
{
    for (; *list != NULL; list++)
        if (strcmp(s, *list) == 0)
            return 1;
    return 0;
}

/* Text of a cell as a JSON string; *bad set when it is not UTF-8 (NULL either way). */
static json_t *text_value(const char *s, size_t len, int *bad)
{
    json_t *v = json_stringn(s, len);
    *bad = 0;
    if (v == NULL && (v = json_stringn_nocheck(s, len)) != NULL) {
        json_decref(v);         /* it was the text, not the memory */
        v = NULL;
        *bad = 1;
    }
    return v;
}

int ap_csv__bool(const char *s)
{
    if (strcasecmp(s, "true") == 0)
        return 1;
    return strcasecmp(s, "false") == 0 ? 0 : -1;
}

/* "a|b|c" as ["a", "b", "c"] (items trimmed); "all" and "none" stay words. */
static json_t *list_value(const char *s, size_t len, int *bad)
{
    json_t *list, *item;
    const char *end = s + len;
    if (strcmp(s, "all") == 0 || strcmp(s, "none") == 0)
        return text_value(s, len, bad);
    if ((list = json_array()) == NULL)
        return NULL;
    for (;;) {
        const char *bar = memchr(s, '|', (size_t)(end - s)), *e = bar ? bar : end;
        const char *a = s;
        while (a < e && (*a == ' ' || *a == '\t'))
            a++;
        while (e > a && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if ((item = text_value(a, (size_t)(e - a), bad)) == NULL
            || json_array_append_new(list, item) != 0) {
            json_decref(list);
            return NULL;
        }
        if (bar == NULL)
            return list;
        s = bar + 1;
    }
}

/* Cell i's column takes value v (NULL: none) in the row's object; -1 when out of memory. */
static int set_column(csv_reader *r, size_t i, const char *name, json_t *v)
{
    if (v == NULL) {
        if (r->colval[i] != NULL)
            json_object_del(r->obj, name);
        r->colval[i] = NULL;
        return 0;
    }
    r->colval[i] = v;
    if (json_object_set_new(r->obj, name, v) != 0) {
        r->colval[i] = NULL;
        json_object_del(r->obj, name);
        return -1;
    }
    return 0;
}

/* The current row as an object of its non-empty cells. NULL with r->rc set on failure; a bad
 * cell is reported and left out, so the rest of the row is still checked. The object is the
 * reader's, borrowed until the next row: rows are alike, so a text cell mostly just replaces
 * the text of its column's string, with no lookup and no new key. */
static json_t *row_object(csv_reader *r)
{
    size_t ncols = json_array_size(r->names);
    if (r->obj == NULL && ((r->obj = json_object()) == NULL
                           || (r->colval = calloc(ncols, sizeof *r->colval)) == NULL)) {
        r->rc = ap_error_nomem(r->err);
        return NULL;
    }
    for (size_t i = 0; i < ncols; i++) {
        const char *s = i < r->ncells ? r->buf + r->cells[i].off : NULL;
        const char *name = json_string_value(json_array_get(r->names, i));
        size_t len = i < r->ncells ? r->cells[i].len : 0;
        json_t *v = NULL;
        int bad = 0, b;
        if (s == NULL || r->cells[i].empty) {
            set_column(r, i, name, NULL);
            continue;
        }
        switch (r->types[i]) {
        case COL_LIST: v = list_value(s, len, &bad); break;
        case COL_JSON: {
            json_error_t je;
            if ((v = json_loadb(s, len, JSON_REJECT_DUPLICATES, &je)) == NULL) {
                set_column(r, i, name, NULL);
                field_fail(r, i, "'scope' must hold a JSON object (%s)", je.text);
                continue;
            }
            break;
        }
        case COL_TEXT:
            if (json_is_string(r->colval[i]) && json_string_setn(r->colval[i], s, len) == 0)
                continue;
            v = text_value(s, len, &bad);
            break;
        case COL_BOOL:
            if ((b = ap_csv__bool(s)) >= 0) {
                v = json_boolean(b);
                if (v == r->colval[i])
                    continue;
            } else {
                ap_place p = { r->kind == FILE_EDGES ? "edges" : "nodes", r->row, name,
                               AP_NO_ITEM, NULL };
                char shown[64];
                set_column(r, i, name, NULL);
                ap_doc_quote(shown, sizeof shown, s);
                ap_import__fail(r->ctx, &p, "'%s' must be true or false, not '%s'", name,
                                shown);
                continue;
            }
            break;
        }
        if (bad) {
            set_column(r, i, name, NULL);
            field_fail(r, i, "'%s' is not valid UTF-8 text", name);
            r->row_key_bad |= strcmp(name, "id") == 0 || strcmp(name, "kind") == 0
                              || strcmp(name, "from") == 0 || strcmp(name, "to") == 0;
            continue;
        }
        if (v == NULL || set_column(r, i, name, v) < 0) {
            r->rc = ap_error_nomem(r->err);
            return NULL;
        }
    }
    return r->obj;
}

/* ---- rows ---- */

static int has(const csv_reader *r, const char *name)
{
    return column_of(r, name) != SIZE_MAX;
}

/* The first row names the columns and so the kind of file. */
static int read_header(csv_reader *r)
{
    static const char *const need_edges[] = { "from", "to", "kind", NULL };
    static const char *const need_nodes[] = { "id", "kind", NULL };
    const char *const *need;
    const char *what;
    if ((r->names = json_array()) == NULL
        || (r->types = calloc(r->ncells, sizeof *r->types)) == NULL)
        return r->rc = ap_error_nomem(r->err);
    for (size_t i = 0; i < r->ncells; i++) {
        cell *x = &r->cells[i];
        json_t *name;
        int bad;
        /* a column's name is a word of the format: spaces or tabs around it ("id, kind") are
         * padding, not part of it (a cell of a row keeps them: they are part of its value) */
        while (x->len > 0 && (r->buf[x->off] == ' ' || r->buf[x->off] == '\t')) {
            x->off++;
            x->len--;
        }
        while (x->len > 0 && (r->buf[x->off + x->len - 1] == ' '
                              || r->buf[x->off + x->len - 1] == '\t'))
            r->buf[x->off + --x->len] = '\0';
        x->empty |= x->len == 0;
        const char *s = r->buf + x->off;
        if (x->empty)
            return r->rc = field_fail(r, i, "empty column name in the header%s", "");
        if (column_of(r, s) != SIZE_MAX) {
            char shown[64];
            ap_doc_quote(shown, sizeof shown, s);
            return r->rc = field_fail(r, i, "duplicate column '%s' in the header", shown);
        }
        if ((name = text_value(s, r->cells[i].len, &bad)) == NULL && bad)
            return r->rc = field_fail(r, i, "column %s is not valid UTF-8 text", "name");
        if (name == NULL || json_array_append_new(r->names, name) != 0)
            return r->rc = ap_error_nomem(r->err);
        r->types[i] = is_one_of(s, list_cols) ? COL_LIST
                    : is_one_of(s, bool_cols) ? COL_BOOL
                    : is_one_of(s, json_cols) ? COL_JSON : COL_TEXT;
    }
    if (has(r, "from") || has(r, "to")) {
        r->kind = FILE_EDGES;
        need = need_edges;
        what = "an edges file needs from, to and kind";
    } else if (has(r, "id") || has(r, "kind")) {
        r->kind = FILE_NODES;
        need = need_nodes;
        what = "a nodes file needs id and kind";
    } else if (has(r, "right")) {
        r->kind = FILE_RIGHTS;
        if (r->ncells > 1)      /* name the first column that is not 'right' */
            return r->rc = field_fail(r, column_of(r, "right") == 0 ? 1 : 0,
                                      "a rights file has a single column, '%s'", "right");
        return AP_OK;
    } else {
        return r->rc = file_fail(r, r->rec_line, 1, "unknown CSV header (expected the columns "
                                 "id and kind of a nodes file, from, to and kind of an edges "
                                 "file, or right)");
    }
    for (; *need != NULL; need++)
        if (!has(r, *need))
            return r->rc = file_fail(r, r->rec_line, 1, "the header has no '%s' column (%s)",
                                     *need, what);
    if (ap_csv__fast_header(r) < 0)
        return r->rc = ap_error_nomem(r->err);
    return AP_OK;
}

void ap_csv__read_row(csv_reader *r)
{
    size_t ncols = json_array_size(r->names);
    json_t *obj = NULL;
    int rc = AP_OK;
    if (r->fast && (r->kind == FILE_EDGES ? ap_csv__fast_edge(r) : ap_csv__fast_node(r))) {
        ap_csv__fast_count();
        return;                 /* staged without its object (csv_fast.c) */
    }
    if (r->ncells > ncols) {
        unsigned line = r->rec_line, col = 1;
        ap_csv__field_place(r, ncols, AP_NO_ITEM, &line, &col);
        file_fail(r, line, col, "row has %zu fields but the header only %zu", r->ncells,
                  ncols);
    }
    if (r->kind == FILE_RIGHTS) {
        /* one right at a time, in a list of one: the locator knows the row it is in */
        json_t *name;
        int bad;
        if (r->cells[0].empty)
            return;
        if ((obj = json_array()) == NULL) {
            r->rc = ap_error_nomem(r->err);
            return;
        }
        name = text_value(r->buf + r->cells[0].off, r->cells[0].len, &bad);
        if (bad)
            field_fail(r, 0, "'%s' is not valid UTF-8 text", "right");
        else if (name == NULL || json_array_append_new(obj, name) != 0)
            rc = ap_error_nomem(r->err);
        else
            rc = ap_import__native_rights(r->ctx, obj, r->err);
    } else {
        const json_t *row;
        r->row_key_bad = 0;
        row = row_object(r);
        /* a key cell left out as bad would be reported again as missing: one error is enough */
        if (row != NULL && !r->row_key_bad)
            rc = r->kind == FILE_NODES ? ap_import__native_node(r->ctx, r->row, row, r->err)
                                       : ap_import__native_edge(r->ctx, r->row, row, r->err);
    }
    if (rc < 0 && rc != AP_EINPUT)
        r->rc = rc;
    json_decref(obj);
}

/* A cell our CSV writer guarded against formula injection: quotes, then = + - @ TAB or CR.
 * One quote is the guard (a spreadsheet does not show it either). */
static int guarded(const char *s, size_t len)
{
    size_t quotes = 0;
    while (quotes < len && s[quotes] == '\'')
        quotes++;
    return quotes > 0 && quotes < len && memchr("=+-@\t\r", s[quotes], 6) != NULL;
}

/* libcsv's callbacks: one per field, one per end of row. */
static void on_field(void *s, size_t len, void *data)
{
    csv_reader *r = data;
    if (r->rc < 0)
        return;
    if (s != NULL && guarded(s, len)) {
        s = (char *)s + 1;
        len--;
    }
    if (r->ncells == r->cap) {
        size_t cap = r->cap ? 2 * r->cap : 16;
        cell *cells = realloc(r->cells, cap * sizeof *cells);
        if (cells == NULL) {
            r->rc = ap_error_nomem(r->err);
            return;
        }
        r->cells = cells;
        r->cap = cap;
    }
    if (r->used + len + 1 > r->size) {
        size_t size = r->size ? r->size : 256;
        char *buf;
        while (size < r->used + len + 1)
            size *= 2;
        if ((buf = realloc(r->buf, size)) == NULL) {
            r->rc = ap_error_nomem(r->err);
            return;
        }
        r->buf = buf;
        r->size = size;
    }
    r->cells[r->ncells].off = r->used;
    r->cells[r->ncells].len = len;
    r->cells[r->ncells].empty = s == NULL || len == 0;
    if (s != NULL)
        memcpy(r->buf + r->used, s, len);
    r->buf[r->used + len] = '\0';
    r->used += len + 1;
    r->ncells++;
}

static void on_row(int term, void *data)
{
    csv_reader *r = data;
    (void)term;
    if (r->pipe != NULL) {
        if (r->rc == AP_OK)
            ap_csv__pipe_row(r);
    } else if (r->rc == AP_OK && !r->have_header) {
        r->have_header = 1;
        read_header(r);
    } else if (r->rc == AP_OK) {
        ap_csv__read_row(r);
        r->row++;
    }
    r->ncells = 0;
    r->used = 0;
}

/* Where the quoted field left open at the end of the text began. */
static void open_quote(const csv_reader *r, unsigned *line, unsigned *col)
{
    size_t line_start = r->rec_off;
    unsigned l = r->rec_line;
    int quoted = 0;
    *line = l;
    *col = 1;
    for (size_t pos = r->rec_off; pos < r->len; pos++) {
        if (r->text[pos] == '"') {
            if (!quoted) {
                *line = l;
                *col = (unsigned)(pos - line_start + 1);
            }
            quoted = !quoted;   /* a doubled quote flips twice */
        } else if (ends_line(r, pos)) {
            l++;
            line_start = pos + 1;
        }
    }
}

static unsigned count_quotes(const char *s, size_t len)
{
    unsigned n = 0;
    for (const char *q = s, *end = s + len; (q = memchr(q, '"', (size_t)(end - q))) != NULL;
         q++)
        n++;
    return n;
}

/* ---- the lines ---- */

/* Parse lines from c until the text ends, r->rc is set, a syntax error (c->why), or, with
 * header_only, the header is read. One physical line at a time, so each row knows the line it
 * starts on: a record goes on past the end of a line while it has an odd number of quotes. */
void ap_csv__parse_lines(csv_reader *r, struct csv_parser *parser, cursor *c, int header_only)
{
    while (c->pos < r->len && r->rc == AP_OK && !(header_only && r->have_header)) {
        size_t end = line_end(r, c->pos), done;
        if (!c->quoted) {
            r->rec_line = c->line;
            r->rec_off = c->pos;
        }
        c->quoted ^= (int)(count_quotes(r->text + c->pos, end - c->pos) & 1);
        done = csv_parse(parser, r->text + c->pos, end - c->pos, on_field, on_row, r);
        if (done < end - c->pos && r->rc == AP_OK) {
            c->why = csv_error(parser) != CSV_EPARSE ? STOP_NOMEM
                   : r->text[c->pos + done] == '"' ? STOP_STRAY_QUOTE : STOP_AFTER_QUOTE;
            c->why_line = c->line;
            c->why_col = (unsigned)done + 1;
            return;
        }
        c->pos = end;
        c->line++;
    }
}

/* The end of the text: the last record, or the quoted field left open. */
void ap_csv__parse_end(csv_reader *r, struct csv_parser *parser, cursor *c)
{
    if (r->rc == AP_OK && c->why == STOP_NONE
        && csv_fini(parser, on_field, on_row, r) != 0 && r->rc == AP_OK) {
        c->why = STOP_OPEN_QUOTE;
        open_quote(r, &c->why_line, &c->why_col);
    }
}

/* Report why parsing stopped, if it did early. */
void ap_csv__report_stop(csv_reader *r, const cursor *c)
{
    switch (c->why) {
    case STOP_NONE: break;
    case STOP_NOMEM: r->rc = ap_error_nomem(r->err); break;
    case STOP_STRAY_QUOTE:
        r->rc = file_fail(r, c->why_line, c->why_col, "invalid CSV: stray '\"' in a field "
                          "(quote the whole field and double the quotes in it)");
        break;
    case STOP_AFTER_QUOTE:
        r->rc = file_fail(r, c->why_line, c->why_col, "invalid CSV: text after the closing "
                          "quote of a field");
        break;
    case STOP_OPEN_QUOTE:
        r->rc = file_fail(r, c->why_line, c->why_col, "invalid CSV: quoted field not closed at "
                          "the end of the file");
        break;
    }
}

/* RFC 4180: "spaces are considered part of a field and should not be ignored". libcsv trims
 * spaces and tabs around an unquoted field unless told that no character is one: an id 'a '
 * became 'a' (and a second node 'a' a duplicate), a name's leading tab vanished. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

int ap_import__csv(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    struct csv_parser parser;
    csv_reader r;
    cursor c = { 0, 1, 0, STOP_NONE, 0, 0 };
    int rc;
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.err = err;
    r.text = text;
    r.len = len;
    r.rec_line = 1;
    if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL | CSV_EMPTY_IS_NULL)
        != 0)
        return ap_error_nomem(err);
    /* libcsv grows a field's buffer by this much at a time: by its default 128 bytes a 4 MB
     * name took 31,000 reallocations, each a copy where realloc cannot grow in place (ASan) */
    csv_set_blk_size(&parser, AP_CSV_BLOCK);
    csv_set_space_func(&parser, no_space);
    ctx->locate = locate_csv;
    ctx->locate_ctx = &r;
    /* the header here; the rows through the pipe, when there are any */
    ap_csv__parse_lines(&r, &parser, &c, 1);
    if (r.rc == AP_OK && c.why == STOP_NONE && r.have_header && c.pos < len) {
        ap_csv__read_piped(&r, &parser, &c);
    } else {
        ap_csv__parse_end(&r, &parser, &c);
        if (r.rc == AP_OK)
            ap_csv__report_stop(&r, &c);
    }
    if (r.rc == AP_OK && !r.have_header)
        r.rc = file_fail(&r, 1, 1, "empty CSV file (expected a header)");
    rc = r.rc;
    ctx->locate = NULL;
    csv_free(&parser);
    free(r.buf);
    free(r.cells);
    free(r.types);
    free(r.colval);
    free(r.fast_order);
    free(r.fast_known);
    json_decref(r.obj);
    json_decref(r.names);
    return rc;
}
