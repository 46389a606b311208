/* query/render/table.c: tables as aligned text for people and as CSV (libcsv) for
 * spreadsheets, with terminal escaping and formula-injection guards. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>

#include "authpath/render.h"

struct ap_table {
    size_t ncols, nrows, cap;
    char **cells;           /* (nrows + 1) * ncols: row 0 holds the headers */
};

int ap_table_new(ap_table **out, size_t ncols, const char *const *headers, ap_error *err)
{
    ap_table *t = calloc(1, sizeof *t);
    *out = NULL;
    if (t == NULL)
        return ap_error_nomem(err);
    t->ncols = ncols;
    t->nrows = 0;
    t->cap = 16;
    if ((t->cells = calloc(t->cap * ncols, sizeof *t->cells)) == NULL) {
        free(t);
        return ap_error_nomem(err);
    }
    for (size_t c = 0; c < ncols; c++)
        if ((t->cells[c] = strdup(headers[c])) == NULL) {
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
    for (size_t i = 0; i < (t->nrows + 1) * t->ncols; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

size_t ap_table_rows(const ap_table *t) { return t->nrows; }

int ap_table_add(ap_table *t, const char *const *cells, ap_error *err)
{
    if (t->nrows + 2 > t->cap) {
        size_t cap = t->cap * 2;
        char **p = realloc(t->cells, cap * t->ncols * sizeof *p);
        if (p == NULL)
            return ap_error_nomem(err);
        t->cells = p;
        t->cap = cap;
    }
    char **row = t->cells + (t->nrows + 1) * t->ncols;
    for (size_t c = 0; c < t->ncols; c++) {
        row[c] = strdup(cells[c] != NULL ? cells[c] : "");
        if (row[c] == NULL) {
            for (size_t k = 0; k < c; k++)
                free(row[k]);
            return ap_error_nomem(err);
        }
    }
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

/* Bidirectional controls (LRM, RLM, U+202A-U+202E, U+2066-U+2069): printed raw, they reorder
 * what a terminal shows, so a name could make a line read as something else. */
static bool is_bidi(const unsigned char *p, size_t n)
{
    if (n != 3 || p[0] != 0xE2)
        return false;
    if (p[1] == 0x80)
        return p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE);
    return p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9;
}

char *ap_text_escape(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), o = 0;
    char *out = malloc(len * 4 + 1);
    if (out == NULL)
        return NULL;
    while (*p) {
        size_t n = utf8_len(p);
        if (*p == '\n' || *p == '\t' || *p == '\r' || *p == '\\') {
            out[o++] = '\\';
            out[o++] = *p == '\n' ? 'n' : *p == '\t' ? 't' : *p == '\r' ? 'r' : '\\';
            p++;
        } else if (n == 0 || *p < 0x20 || *p == 0x7F
                   || (n == 2 && p[0] == 0xC2 && p[1] < 0xA0)      /* C1 controls too */
                   || is_bidi(p, n)) {
            size_t k = n == 0 ? 1 : n;
            for (size_t i = 0; i < k; i++) {
                static const char hex[] = "0123456789abcdef";
                out[o++] = '\\';
                out[o++] = 'x';
                out[o++] = hex[p[i] >> 4];
                out[o++] = hex[p[i] & 15];
            }
            p += k;
        } else {
            memcpy(out + o, p, n);
            o += n;
            p += n;
        }
    }
    out[o] = '\0';
    return out;
}

size_t ap_text_width(const char *s)
{
    size_t w = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        w += (*p & 0xC0) != 0x80;
    return w;
}

int ap_table_write_text(const ap_table *t, FILE *out, ap_error *err)
{
    size_t total = (t->nrows + 1) * t->ncols;
    size_t *width = calloc(t->ncols, sizeof *width);
    char **shown = calloc(total, sizeof *shown);
    int rc = AP_OK;
    if (width == NULL || shown == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (size_t i = 0; i < total; i++) {
        if ((shown[i] = ap_text_escape(t->cells[i])) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        size_t w = ap_text_width(shown[i]);
        if (w > width[i % t->ncols])
            width[i % t->ncols] = w;
    }
    for (size_t r = 0; r <= t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            const char *cell = shown[r * t->ncols + c];
            if (c + 1 == t->ncols) {
                fputs(cell, out);
            } else {
                fputs(cell, out);
                for (size_t k = ap_text_width(cell); k < width[c] + 2; k++)
                    fputc(' ', out);
            }
        }
        fputc('\n', out);
    }
cleanup:
    for (size_t i = 0; shown != NULL && i < total; i++)
        free(shown[i]);
    free(shown);
    free(width);
    return rc;
}

/* One CSV cell: quoted by libcsv, with a ' before a leading = + - @ TAB or CR, and so before
 * quotes that lead to one: the native CSV reader takes one such ' off (see native_csv.c), so a
 * cell reads back as it was, and a spreadsheet shows it as text. */
static int write_cell(FILE *out, const char *cell)
{
    size_t quotes = strspn(cell, "'");
    if (cell[quotes] != '\0' && strchr("=+-@\t\r", cell[quotes]) != NULL) {
        size_t len = strlen(cell);
        char *guarded = malloc(len + 2);
        int rc;
        if (guarded == NULL)
            return -1;
        guarded[0] = '\'';
        memcpy(guarded + 1, cell, len + 1);
        rc = csv_fwrite(out, guarded, len + 1);
        free(guarded);
        return rc;
    }
    return csv_fwrite(out, cell, strlen(cell));
}

int ap_table_write_csv(const ap_table *t, FILE *out, ap_error *err)
{
    for (size_t r = 0; r <= t->nrows; r++) {
        for (size_t c = 0; c < t->ncols; c++) {
            if (c > 0)
                fputc(',', out);
            if (write_cell(out, t->cells[r * t->ncols + c]) != 0)
                return ap_error_set(err, AP_EIO, "cannot write CSV");
        }
        fputs("\r\n", out);
    }
    return AP_OK;
}
