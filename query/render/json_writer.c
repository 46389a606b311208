/* query/render/json_writer.c: a JSON document written a piece at a time, arrays within arrays,
 * in the bytes json_dumpf gives for the whole (2-space indent, insertion order). */
#include <stdlib.h>
#include <string.h>

#include "render_internal.h"

/* The skeletons being written: the document, then each item opened in an array of the level
 * below. Each is dumped once by jansson; its empty arrays are filled as the caller goes. */
enum { DEPTH = 8 };

typedef struct {
    char *text;         /* the skeleton dumped whole; owned */
    const char *pos;    /* what is written of text ends here */
    int base;           /* spaces before each line of text but its first (the item's indent) */
    int item_indent;    /* the open array's items start this far in; -1: no array is open */
    size_t items;       /* items written to the open array */
} level;

struct ap_json_writer {
    FILE *out;
    size_t depth;       /* levels in use; 0 after ap_json_writer_finish */
    level lv[DEPTH];
};

static void put_spaces(FILE *out, int n)
{
    static const char spaces[] = "                                ";
    for (; n > 0; n -= (int)sizeof spaces - 1)
        fwrite(spaces, 1, n < (int)sizeof spaces - 1 ? (size_t)n : sizeof spaces - 1, out);
}

/* text[0 .. len) with `base` spaces after each newline: JSON strings hold no raw newline, so
 * every newline starts a line of the skeleton. */
static void put_indented(FILE *out, const char *text, size_t len, int base)
{
    const char *end = text + len, *nl;
    while (text < end && (nl = memchr(text, '\n', (size_t)(end - text))) != NULL) {
        fwrite(text, 1, (size_t)(nl - text) + 1, out);
        put_spaces(out, base);
        text = nl + 1;
    }
    fwrite(text, 1, (size_t)(end - text), out);
}

static int io_status(const ap_json_writer *w, ap_error *err)
{
    return ferror(w->out) ? ap_error_set(err, AP_EIO, "cannot write JSON") : AP_OK;
}

static char *dump(json_t *v)
{
    /* ENCODE_ANY: an item may be a bare string (a list of ids) */
    size_t flags = JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY;
    char *text = v != NULL ? json_dumps(v, flags) : NULL;
    json_decref(v);
    return text;
}

int ap_json_writer_new(ap_json_writer **out, FILE *to, json_t *doc, ap_error *err)
{
    ap_json_writer *w;
    *out = NULL;
    if ((w = calloc(1, sizeof *w)) == NULL) {
        json_decref(doc);
        return ap_error_nomem(err);
    }
    if ((w->lv[0].text = dump(doc)) == NULL) {
        free(w);
        return ap_error_nomem(err);
    }
    w->out = to;
    w->depth = 1;
    w->lv[0].pos = w->lv[0].text;
    w->lv[0].item_indent = -1;
    *out = w;
    return AP_OK;
}

void ap_json_writer_free(ap_json_writer *w)
{
    if (w == NULL)
        return;
    for (size_t i = 0; i < w->depth; i++)
        free(w->lv[i].text);
    free(w);
}

int ap_json_writer_array(ap_json_writer *w, const char *key, ap_error *err)
{
    char marker[128];
    level *l = &w->lv[w->depth - 1];
    const char *at, *line;
    if (l->item_indent >= 0)
        return ap_error_set(err, AP_EBUG, "JSON writer: '%s' opened out of turn", key);
    snprintf(marker, sizeof marker, "\"%s\": []", key);
    /* a marker cannot start inside a string: there its quotes would be escaped */
    if ((at = strstr(l->pos, marker)) == NULL)
        return ap_error_set(err, AP_EBUG, "no empty '%s' array to stream into", key);
    for (line = at; line > l->text && line[-1] != '\n'; line--)
        ;
    l->item_indent = l->base + (int)(at - line) + 2;
    at += strlen(marker) - 1;                   /* at the closing bracket */
    put_indented(w->out, l->pos, (size_t)(at - l->pos), l->base);
    l->pos = at;
    l->items = 0;
    return io_status(w, err);
}

/* The separator and indent before the open array's next item. */
static int item_start(ap_json_writer *w, level *l, ap_error *err)
{
    if (l->item_indent < 0)
        return ap_error_set(err, AP_EBUG, "JSON writer: an item outside an array");
    if (l->items++ > 0)
        fputc(',', w->out);
    fputc('\n', w->out);
    put_spaces(w->out, l->item_indent);
    return AP_OK;
}

int ap_json_writer_item(ap_json_writer *w, json_t *item, ap_error *err)
{
    level *l = &w->lv[w->depth - 1];
    char *text = dump(item);
    int rc;
    if (text == NULL)
        return ap_error_nomem(err);
    if ((rc = item_start(w, l, err)) == AP_OK) {
        put_indented(w->out, text, strlen(text), l->item_indent);
        rc = io_status(w, err);
    }
    free(text);
    return rc;
}

int ap_json_writer_item_open(ap_json_writer *w, json_t *item, ap_error *err)
{
    level *l = &w->lv[w->depth - 1], *in;
    char *text = dump(item);
    int rc;
    if (text == NULL)
        return ap_error_nomem(err);
    if (w->depth == DEPTH) {
        free(text);
        return ap_error_set(err, AP_EBUG, "JSON writer: arrays nested deeper than %d", DEPTH);
    }
    if ((rc = item_start(w, l, err)) < 0) {
        free(text);
        return rc;
    }
    in = &w->lv[w->depth++];
    in->text = text;
    in->pos = text;
    in->base = l->item_indent;
    in->item_indent = -1;
    in->items = 0;
    return AP_OK;
}

int ap_json_writer_close(ap_json_writer *w, ap_error *err)
{
    level *l = &w->lv[w->depth - 1];
    if (l->item_indent < 0)
        return ap_error_set(err, AP_EBUG, "JSON writer: no array to close");
    if (l->items > 0) {
        fputc('\n', w->out);
        put_spaces(w->out, l->item_indent - 2);
    }
    l->item_indent = -1;
    return io_status(w, err);
}

int ap_json_writer_item_close(ap_json_writer *w, ap_error *err)
{
    level *l = &w->lv[w->depth - 1];
    if (w->depth < 2 || l->item_indent >= 0)
        return ap_error_set(err, AP_EBUG, "JSON writer: no item to close");
    put_indented(w->out, l->pos, strlen(l->pos), l->base);
    free(l->text);
    l->text = NULL;
    w->depth--;
    return io_status(w, err);
}

int ap_json_writer_finish(ap_json_writer *w, ap_error *err)
{
    level *l = &w->lv[0];
    if (w->depth != 1 || l->item_indent >= 0)
        return ap_error_set(err, AP_EBUG, "JSON writer: the document ends with an array open");
    if (fputs(l->pos, w->out) == EOF || fputc('\n', w->out) == EOF || fflush(w->out) == EOF)
        return ap_error_set(err, AP_EIO, "cannot write JSON");
    l->pos += strlen(l->pos);
    return io_status(w, err);
}
