/* import/native_json.c: the native inventory as JSON. jansson parses; since jansson keeps no
 * positions for values, a small locator re-walks the text to the place of an error. */
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"

typedef struct {
    const char *s;
    size_t len;
} text_ref;

/* The locator's memory: every node and every edge gets a place (its provenance), so finding
 * element k of a section must not rescan the text. Built on first use: the offsets of the
 * elements of "nodes" and of "edges", and where each line starts. */
typedef struct {
    size_t *at;
    size_t n;
    int built;
    size_t list_at;         /* where the section's list starts; SIZE_MAX: not found */
} section_index;

typedef struct {
    text_ref t;
    section_index nodes, edges;
    size_t *lines;          /* offset of each line's first byte */
    size_t nlines;
} json_locator;

static size_t skip_ws(const text_ref *t, size_t i)
{
    while (i < t->len && (t->s[i] == ' ' || t->s[i] == '\t' || t->s[i] == '\n'
                          || t->s[i] == '\r'))
        i++;
    return i;
}

/* The end of the string whose opening quote is at i. */
static size_t skip_string(const text_ref *t, size_t i)
{
    for (i++; i < t->len && t->s[i] != '"'; i++)
        if (t->s[i] == '\\')
            i++;
    return i < t->len ? i + 1 : t->len;
}

/* The end of the value starting at i (already well-formed: jansson accepted the text). */
static size_t skip_value(const text_ref *t, size_t i)
{
    int depth = 0;
    if (i >= t->len)
        return i;
    if (t->s[i] == '"')
        return skip_string(t, i);
    if (t->s[i] != '{' && t->s[i] != '[') {
        while (i < t->len && strchr(",]} \t\r\n", t->s[i]) == NULL)
            i++;
        return i;
    }
    for (; i < t->len; i++) {
        char c = t->s[i];
        if (c == '"')
            i = skip_string(t, i) - 1;
        else if (c == '{' || c == '[')
            depth++;
        else if ((c == '}' || c == ']') && --depth == 0)
            return i + 1;
    }
    return i;
}

/* Does the JSON string at [a, b) equal key? Escaped keys are decoded by jansson. */
static int key_equals(const text_ref *t, size_t a, size_t b, const char *key)
{
    json_t *v;
    int eq;
    if (memchr(t->s + a, '\\', b - a) == NULL)
        return b - a - 2 == strlen(key) && memcmp(t->s + a + 1, key, b - a - 2) == 0;
    v = json_loadb(t->s + a, b - a, JSON_DECODE_ANY, NULL);
    eq = json_is_string(v) && strcmp(json_string_value(v), key) == 0;
    json_decref(v);
    return eq;
}

/* Position of the value of key in the object at i, or SIZE_MAX. */
static size_t find_key(const text_ref *t, size_t i, const char *key)
{
    i = skip_ws(t, i);
    if (i >= t->len || t->s[i] != '{')
        return SIZE_MAX;
    for (i = skip_ws(t, i + 1); i < t->len && t->s[i] == '"';) {
        size_t end = skip_string(t, i), v = skip_ws(t, skip_ws(t, end) + 1);
        if (key_equals(t, i, end, key))
            return v;
        i = skip_ws(t, skip_value(t, v));
        if (i < t->len && t->s[i] == ',')
            i = skip_ws(t, i + 1);
    }
    return SIZE_MAX;
}

/* Position of element k of the array at i, or SIZE_MAX. */
static size_t find_index(const text_ref *t, size_t i, size_t k)
{
    i = skip_ws(t, i);
    if (i >= t->len || t->s[i] != '[')
        return SIZE_MAX;
    i = skip_ws(t, i + 1);
    for (size_t n = 0; i < t->len && t->s[i] != ']'; n++) {
        if (n == k)
            return i;
        i = skip_ws(t, skip_value(t, i));
        if (i < t->len && t->s[i] == ',')
            i = skip_ws(t, i + 1);
    }
    return SIZE_MAX;
}

/* Offsets of every element of the list at i (SIZE_MAX entries never appear). */
static void build_index(const text_ref *t, size_t i, section_index *ix)
{
    size_t cap = 0;
    ix->built = 1;
    i = skip_ws(t, i);
    if (i >= t->len || t->s[i] != '[')
        return;
    for (i = skip_ws(t, i + 1); i < t->len && t->s[i] != ']';) {
        if (ix->n == cap) {
            size_t *p = realloc(ix->at, (cap = cap ? cap * 2 : 256) * sizeof *p);
            if (p == NULL)
                return;             /* the locator falls back to scanning */
            ix->at = p;
        }
        ix->at[ix->n++] = i;
        i = skip_ws(t, skip_value(t, i));
        if (i < t->len && t->s[i] == ',')
            i = skip_ws(t, i + 1);
    }
}

static void to_line_col(json_locator *lc, size_t pos, unsigned *line, unsigned *col)
{
    const text_ref *t = &lc->t;
    if (lc->lines == NULL) {
        size_t cap = 1024;
        if ((lc->lines = malloc(cap * sizeof *lc->lines)) == NULL) {
            *line = *col = 0;
            return;
        }
        lc->lines[lc->nlines++] = 0;
        for (size_t i = 0; i < t->len; i++)
            if (t->s[i] == '\n') {
                if (lc->nlines == cap) {
                    size_t *p = realloc(lc->lines, (cap *= 2) * sizeof *p);
                    if (p == NULL) {
                        *line = *col = 0;
                        return;
                    }
                    lc->lines = p;
                }
                lc->lines[lc->nlines++] = i + 1;
            }
    }
    size_t lo = 0, hi = lc->nlines;        /* the last line start <= pos */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (lc->lines[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    *line = (unsigned)(lo + 1);
    *col = (unsigned)(pos - lc->lines[lo] + 1);
}

/* Element k of a section, through the index for nodes and edges. */
static size_t find_element(json_locator *lc, size_t section_at, const char *section, size_t k)
{
    section_index *ix = strcmp(section, "nodes") == 0 ? &lc->nodes
                      : strcmp(section, "edges") == 0 ? &lc->edges : NULL;
    if (ix == NULL)
        return find_index(&lc->t, section_at, k);
    if (!ix->built)
        build_index(&lc->t, section_at, ix);
    if (k < ix->n)
        return ix->at[k];
    return find_index(&lc->t, section_at, k);
}

/* Walk /section/index/key/item as far as the text allows: the deepest place found. */
static void locate_json(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    json_locator *lc = vctx;
    const text_ref *t = &lc->t;
    size_t at = skip_ws(t, 0), next = SIZE_MAX;
    section_index *ix = p->section == NULL ? NULL
                      : strcmp(p->section, "nodes") == 0 ? &lc->nodes
                      : strcmp(p->section, "edges") == 0 ? &lc->edges : NULL;
    if (ix != NULL) {
        if (!ix->built && ix->list_at == 0)
            ix->list_at = find_key(t, at, p->section) + 1;     /* +1: 0 means "not looked" */
        next = ix->list_at - 1;
    } else if (p->section != NULL) {
        next = find_key(t, at, p->section);
    }
    if (p->section != NULL && next != SIZE_MAX) {
        at = next;
        if (p->index != AP_NO_ITEM
            && (next = find_element(lc, at, p->section, p->index)) != SIZE_MAX) {
            at = next;
            if (p->key != NULL && (next = find_key(t, at, p->key)) != SIZE_MAX) {
                at = next;
                if (p->item != AP_NO_ITEM && (next = find_index(t, at, p->item)) != SIZE_MAX)
                    at = next;
            }
        }
    }
    to_line_col(lc, at, line, col);
}

int ap_import__json(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    json_locator lc;
    json_error_t je;
    json_t *doc;
    int rc;
    doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (doc == NULL)
        return ap_error_at(err, AP_EINPUT, ctx->path, (unsigned)(je.line > 0 ? je.line : 1),
                           (unsigned)(je.column > 0 ? je.column : 1), "invalid JSON: %s",
                           je.text);
    memset(&lc, 0, sizeof lc);
    lc.t.s = text;
    lc.t.len = len;
    ctx->locate = locate_json;
    ctx->locate_ctx = &lc;
    rc = ap_import__native_doc(ctx, doc, err);
    ctx->locate = NULL;
    free(lc.nodes.at);
    free(lc.edges.at);
    free(lc.lines);
    json_decref(doc);
    return rc;
}
