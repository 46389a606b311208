/* query/render/table.c: tables as aligned text for people and as CSV (libcsv) for
 * spreadsheets, with terminal escaping and formula-injection guards. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "authpath/render.h"

/* The cells' text side by side in one buffer, each ended by a NUL: a table of a million rows is
 * its bytes and an offset per cell, not an allocation per cell. */
struct ap_table {
    size_t ncols, nrows, cap;
    size_t *off;            /* (nrows + 1) * ncols: row 0 holds the headers */
    char *text;
    size_t len, tcap;
};

static const char *cell_at(const ap_table *t, size_t i) { return t->text + t->off[i]; }

/* Row r's cells (NULL: empty) appended; the table is as it was when out of memory. */
static int append_row(ap_table *t, size_t r, const char *const *cells)
{
    size_t need = 0, len = t->len;
    for (size_t c = 0; c < t->ncols; c++)
        need += (cells[c] != NULL ? strlen(cells[c]) : 0) + 1;
    if (t->nrows + 2 > t->cap) {
        size_t *p = realloc(t->off, t->cap * 2 * t->ncols * sizeof *p);
        if (p == NULL)
            return -1;
        t->off = p;
        t->cap *= 2;
    }
    if (len + need > t->tcap) {
        size_t tcap = t->tcap * 2 > len + need ? t->tcap * 2 : len + need;
        char *p = realloc(t->text, tcap);
        if (p == NULL)
            return -1;
        t->text = p;
        t->tcap = tcap;
    }
    size_t *row = t->off + r * t->ncols;
    for (size_t c = 0; c < t->ncols; c++) {
        size_t n = cells[c] != NULL ? strlen(cells[c]) : 0;
        row[c] = len;
        memcpy(t->text + len, cells[c] != NULL ? cells[c] : "", n);
        t->text[len + n] = '\0';
        len += n + 1;
    }
    t->len = len;
    return 0;
}

int ap_table_new(ap_table **out, size_t ncols, const char *const *headers, ap_error *err)
{
    ap_table *t = calloc(1, sizeof *t);
    *out = NULL;
    if (t == NULL)
        return ap_error_nomem(err);
    t->ncols = ncols;
    t->cap = 16;
    t->tcap = 4096;
    if ((t->off = calloc(t->cap * (ncols > 0 ? ncols : 1), sizeof *t->off)) == NULL
        || (t->text = malloc(t->tcap)) == NULL || append_row(t, 0, headers) < 0) {
        ap_table_free(t);
        return ap_error_nomem(err);
    }
    *out = t;
    return AP_OK;
}

void ap_table_free(ap_table *t)
{
    if (t == NULL)
        return;
    free(t->off);
    free(t->text);
    free(t);
}

size_t ap_table_rows(const ap_table *t) { return t->nrows; }

int ap_table_add(ap_table *t, const char *const *cells, ap_error *err)
{
    if (append_row(t, t->nrows + 1, cells) < 0)
        return ap_error_nomem(err);
    t->nrows++;
    return AP_OK;
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
    size_t n;
    unsigned cp;
    if (s[0] < 0x80)
        return 1;
    if ((s[0] & 0xE0) == 0xC0) {
        n = 2;
        cp = s[0] & 0x1F;
    } else if ((s[0] & 0xF0) == 0xE0) {
        n = 3;
        cp = s[0] & 0x0F;
    } else if ((s[0] & 0xF8) == 0xF0) {
        n = 4;
        cp = s[0] & 0x07;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 2 && cp < 0x80) || (n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000)
        || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* A code point a terminal must not receive raw from input data: C1 controls act like escape
 * sequences on some terminals; the bidirectional controls (ALM U+061C, LRM, RLM, U+202A-U+202E,
 * U+2066-U+2069) and the line and paragraph separators reorder or break what it shows, so a
 * name could make a line read as something else. */
static bool is_hidden_control(unsigned cp)
{
    return (cp >= 0x80 && cp <= 0x9F) || cp == 0x061C || cp == 0x200E || cp == 0x200F
           || (cp >= 0x2028 && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static unsigned utf8_decode(const unsigned char *p, size_t n)
{
    unsigned cp = n == 2 ? p[0] & 0x1Fu : n == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
    for (size_t i = 1; i < n; i++)
        cp = (cp << 6) | (p[i] & 0x3Fu);
    return cp;
}

/* utf8_len over at most avail bytes: a sequence cut short is invalid. */
static size_t utf8_len_n(const unsigned char *p, size_t avail)
{
    size_t want = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3
                : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (want == 0 || want > avail)
        return 0;
    for (size_t i = 1; i < want; i++)
        if (p[i] == 0)
            return 0;
    return utf8_len(p);
}

char *ap_text_escape_n(const char *s, size_t len, unsigned flags)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    bool layout = (flags & AP_TEXT_LAYOUT) != 0;
    size_t o = 0;
    char *out = malloc(len * 6 + 1);        /* the longest escape: 3 bytes become \uXXXX */
    if (out == NULL)
        return NULL;
    while (p < end) {
        if (*p >= 0x20 && *p < 0x7F && *p != '\\') {   /* printable ASCII, most text: as it is */
            const unsigned char *q = p + 1;
            while (q < end && *q >= 0x20 && *q < 0x7F && *q != '\\')
                q++;
            memcpy(out + o, p, (size_t)(q - p));
            o += (size_t)(q - p);
            p = q;
            continue;
        }
        size_t n = utf8_len_n(p, (size_t)(end - p));
        unsigned cp = n > 1 ? utf8_decode(p, n) : *p;
        if (layout && (*p == '\n' || *p == '\t')) {
            out[o++] = (char)*p++;
        } else if (!layout && (*p == '\n' || *p == '\t' || *p == '\r' || *p == '\\')) {
            out[o++] = '\\';
            out[o++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : *p == '\r' ? 'r' : '\\';
            p++;
        } else if (n == 0 || *p < 0x20 || *p == 0x7F) {
            out[o++] = '\\';                /* one byte: a C0 control, DEL or invalid UTF-8 */
            out[o++] = 'x';
            out[o++] = hex[*p >> 4];
            out[o++] = hex[*p & 15];
            p++;
        } else if (n > 1 && is_hidden_control(cp)) {
            out[o++] = '\\';
            out[o++] = 'u';
            for (int shift = 12; shift >= 0; shift -= 4)
                out[o++] = hex[(cp >> shift) & 15];
            p += n;
        } else {
            memcpy(out + o, p, n);
            o += n;
            p += n;
        }
    }
    out[o] = '\0';
    return out;
}

char *ap_text_escape(const char *s) { return ap_text_escape_n(s, strlen(s), 0); }

size_t ap_text_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        w += (*p & 0xC0) != 0x80;
    return w;
}

/* The byte offset of the code point numbered k in s (its end when s has fewer). */
static size_t offset_of(const char *s, size_t k)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    for (; p[i] != '\0'; i++)
        if ((p[i] & 0xC0) != 0x80 && k-- == 0)
            break;
    return i;
}

/* cell in at most width code points: when longer, its start and its end around an ellipsis
 * (ids differ at both ends: "arn:aws:iam::1234…:role/deploy"). *out owns the result. */
static char *shorten(const char *cell, size_t width)
{
    size_t w = ap_text_width(cell);
    if (w <= width || width < 3)
        return strdup(cell);
    size_t keep = width - 1, head = (keep + 1) / 2, tail = keep - head;
    size_t a = offset_of(cell, head), b = offset_of(cell, w - tail), len = strlen(cell);
    char *out = malloc(a + 3 + (len - b) + 1);
    if (out == NULL)
        return NULL;
    memcpy(out, cell, a);
    memcpy(out + a, "\xe2\x80\xa6", 3);
    memcpy(out + a + 3, cell + b, len - b + 1);
    return out;
}

/* Narrow the widest columns, one step at a time, until the line fits in max (columns keep at
 * least their header's width and 8 code points). */
static void fit_widths(size_t *width, const size_t *floor, size_t ncols, size_t max)
{
    for (;;) {
        size_t total = 0, widest = 0;
        for (size_t c = 0; c < ncols; c++) {
            total += width[c] + (c + 1 < ncols ? 2 : 0);
            if (width[c] > floor[c] && (width[widest] <= floor[widest]
                                        || width[c] > width[widest]))
                widest = c;
        }
        if (total <= max || width[widest] <= floor[widest])
            return;
        width[widest]--;
    }
}

int ap_table_write_text(const ap_table *t, FILE *out, ap_error *err)
{
    return ap_table_write_text_fit(t, out, 0, err);
}

/* Cell i as shown: escaped for the terminal, and shortened to its column's width when one is
 * given (width 0: whole). NULL when out of memory; free() it. */
static char *shown_cell(const ap_table *t, size_t i, size_t width)
{
    char *shown = ap_text_escape(cell_at(t, i)), *cut;
    if (shown == NULL || width == 0 || ap_text_width(shown) <= width)
        return shown;
    cut = shorten(shown, width);
    free(shown);
    return cut;
}

/* Two passes over the cells, each escaped again where it is needed: the widths, then the lines.
 * No copy of the table is kept, so its memory is the table's own. */
int ap_table_write_text_fit(const ap_table *t, FILE *out, size_t max_width, ap_error *err)
{
    size_t total = (t->nrows + 1) * t->ncols;
    size_t *width = calloc(t->ncols + 1, sizeof *width), *floor = calloc(t->ncols + 1,
                                                                          sizeof *floor);
    int rc = AP_OK;
    if (width == NULL || floor == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (size_t i = 0; i < total; i++) {
        char *shown = shown_cell(t, i, 0);
        if (shown == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        size_t w = ap_text_width(shown);
        free(shown);
        if (w > width[i % t->ncols])
            width[i % t->ncols] = w;
        if (i < t->ncols)
            floor[i] = w > 8 ? w : 8;
    }
    if (max_width > 0)
        fit_widths(width, floor, t->ncols, max_width);
    for (size_t r = 0; r <= t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            char *cell = shown_cell(t, r * t->ncols + c, max_width > 0 ? width[c] : 0);
            if (cell == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
            fputs(cell, out);
            for (size_t k = ap_text_width(cell); c + 1 < t->ncols && k < width[c] + 2; k++)
                fputc(' ', out);
            free(cell);
        }
        fputc('\n', out);
    }
cleanup:
    free(floor);
    free(width);
    return rc;
}

/* One CSV cell: quoted by libcsv, with a ' before a leading = + - @ TAB or CR, and so before
 * quotes that lead to one: the native CSV reader takes one such ' off (see native_csv.c), so a
 * cell reads back as it was, and a spreadsheet shows it as text. */
static int write_cell(FILE *out, const char *cell)
{
    size_t quotes = strspn(cell, "'"), len = strlen(cell);
    bool guard = cell[quotes] != '\0' && strchr("=+-@\t\r", cell[quotes]) != NULL;
    char small[8192], *buf = small;
    /* libcsv quotes into a buffer (csv_fwrite writes a byte at a time), then one fwrite; in one
     * pass, into room for the most it can write: two quotes and every byte doubled */
    size_t room = 2 * len + 2 + guard;
    if (room > sizeof small && (buf = malloc(room)) == NULL)
        return -1;
    size_t need = csv_write(buf + guard, room - guard, cell, len) + guard;
    if (guard) {                /* the opening quote, then the guard */
        buf[0] = '"';
        buf[1] = '\'';
    }
    int rc = fwrite(buf, 1, need, out) == need ? 0 : -1;
    if (buf != small)
        free(buf);
    return rc;
}

int ap_csv_write_row(FILE *out, const char *const *cells, size_t n, ap_error *err)
{
    for (size_t c = 0; c < n; c++) {
        if (c > 0)
            fputc(',', out);
        if (write_cell(out, cells[c] != NULL ? cells[c] : "") != 0)
            return ap_error_set(err, AP_EIO, "cannot write CSV");
    }
    fputs("\r\n", out);
    return AP_OK;
}

int ap_table_write_csv(const ap_table *t, FILE *out, ap_error *err)
{
    const char **row = malloc((t->ncols + 1) * sizeof *row);
    int rc = row != NULL ? AP_OK : ap_error_nomem(err);
    for (size_t r = 0; rc == AP_OK && r <= t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++)
            row[c] = cell_at(t, r * t->ncols + c);
        rc = ap_csv_write_row(out, row, t->ncols, err);
    }
    free(row);
    return rc;
}
