/* doc/yaml_doc.c: any YAML document (libyaml) as jansson values, with the position of every value
 * kept beside them: the native inventory's reader, Kubernetes manifests and policy files. */
#include <assert.h>
#include <stdbool.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "doc.h"

/* Aliases share the anchored value instead of copying it, so memory stays linear in the text;
 * but whoever walks the document walks every expansion, and json_dumps() recurses: bound both
 * what aliases add and how deep anything nests. */
#define YAML_MAX_DEPTH 1000
#define YAML_MAX_ALIAS_VALUES 1000000
#define YAML_MAX_ALIAS_BYTES ((size_t)64 << 20)

typedef struct {
    unsigned line, col;         /* 1-based */
} ymark;

/* The positions of a finished container's children, in order (mapping values or items). */
typedef struct {
    const json_t *container;    /* NULL: an empty slot of the table */
    ymark *kids;
    size_t n;
} mark_slot;

/* A mapping or sequence being built. */
typedef struct {
    json_t *value;
    ymark mark;
    char *anchor;               /* registered when the container ends */
    json_t *key;                /* mapping: the key waiting for its value, or NULL */
    ymark *kids;
    size_t nkids, cap;
    size_t values0, bytes0;     /* the expansion counters when it started */
    unsigned height;            /* tallest child so far (a scalar is 0 high) */
} frame;

/* The size of a value once its aliases are expanded: the anchor table keeps it per anchor. */
typedef struct {
    size_t values, bytes;
    unsigned height;
} weight;

typedef struct yaml_doc {
    const char *path;           /* for error messages */
    const char *text;
    size_t len;
    ap_error *err;
    frame *stack;               /* YAML_MAX_DEPTH frames */
    size_t depth;
    json_t *root;
    ymark root_mark;
    json_t *anchors;            /* name -> [value, values, bytes, height] */
    size_t values, bytes;       /* expanded so far, aliases included */
    size_t alias_values, alias_bytes;   /* added by aliases alone */
    mark_slot *slots;           /* open addressing on the container's address */
    size_t nslots, used;
    int multi;                  /* a stream of documents: root is the list of them */
} yaml_doc;

static ymark to_ymark(yaml_mark_t m)
{
    ymark y = { (unsigned)m.line + 1, (unsigned)m.column + 1 };   /* libyaml counts from 0 */
    return y;
}

static int yaml_fail(yaml_doc *y, ymark m, const char *fmt, ...) AP_PRINTF(3, 4);
static int yaml_fail(yaml_doc *y, ymark m, const char *fmt, ...)
{
    char msg[sizeof y->err->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return ap_error_at(y->err, AP_EINPUT, y->path, m.line, m.col, "%s", msg);
}

/* ---- positions: container address -> its children's marks ---- */

static size_t slot_of(const mark_slot *slots, size_t nslots, const json_t *c)
{
    size_t h = (size_t)(((uintptr_t)c >> 4) * (uintptr_t)0x9E3779B97F4A7C15u);
    size_t i = h & (nslots - 1);
    while (slots[i].container != NULL && slots[i].container != c)
        i = (i + 1) & (nslots - 1);
    return i;
}

/* Keep the marks of container c (takes ownership of kids). */
static int marks_put(yaml_doc *y, const json_t *c, ymark *kids, size_t n)
{
    size_t i;
    if (2 * (y->used + 1) > y->nslots) {
        size_t cap = y->nslots ? 2 * y->nslots : 64;
        mark_slot *grown = calloc(cap, sizeof *grown);
        if (grown == NULL) {
            free(kids);
            return AP_ENOMEM;
        }
        for (size_t k = 0; k < y->nslots; k++)
            if (y->slots[k].container != NULL)
                grown[slot_of(grown, cap, y->slots[k].container)] = y->slots[k];
        free(y->slots);
        y->slots = grown;
        y->nslots = cap;
    }
    i = slot_of(y->slots, y->nslots, c);
    assert(y->slots[i].container == NULL);  /* a container ends once */
    y->slots[i].container = c;
    y->slots[i].kids = kids;
    y->slots[i].n = n;
    y->used++;
    return AP_OK;
}

/* The mark of child k of container c, when known. */
static int marks_get(const yaml_doc *y, const json_t *c, size_t k, ymark *out)
{
    size_t i;
    if (y->nslots == 0)
        return 0;
    i = slot_of(y->slots, y->nslots, c);
    if (y->slots[i].container == NULL || k >= y->slots[i].n)
        return 0;
    *out = y->slots[i].kids[k];
    return 1;
}

/* ---- the locator ---- */

static int step_key(const yaml_doc *y, const json_t **v, ymark *at, const char *key)
{
    size_t k = 0;
    if (!json_is_object(*v))
        return 0;
    for (void *it = json_object_iter((json_t *)*v); it != NULL;
         it = json_object_iter_next((json_t *)*v, it), k++) {
        if (strcmp(json_object_iter_key(it), key) == 0) {
            if (!marks_get(y, *v, k, at))
                return 0;
            *v = json_object_iter_value(it);
            return 1;
        }
    }
    return 0;
}

static int step_index(const yaml_doc *y, const json_t **v, ymark *at, size_t index)
{
    if (!json_is_array(*v) || index >= json_array_size(*v) || !marks_get(y, *v, index, at))
        return 0;
    *v = json_array_get(*v, index);
    return 1;
}

/* ---- building values from events ---- */

static int is_word(const char *s, size_t len, const char *const *words)
{
    for (; *words != NULL; words++)
        if (strlen(*words) == len && memcmp(s, *words, len) == 0)
            return 1;
    return 0;
}

static int all_digits(const char *s, const char *end, const char *digits)
{
    if (s == end)
        return 0;
    for (; s < end; s++)
        if (strchr(digits, *s) == NULL || *s == '\0')
            return 0;
    return 1;
}

/* [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?: YAML 1.2's core schema float. */
static int is_float(const char *s, const char *end)
{
    const char *d;
    if (s < end && (*s == '-' || *s == '+'))
        s++;
    d = s;
    while (s < end && *s >= '0' && *s <= '9')
        s++;
    if (s < end && *s == '.') {
        const char *frac = ++s;
        while (s < end && *s >= '0' && *s <= '9')
            s++;
        if (frac == s && frac - 1 == d)
            return 0;           /* "." alone */
    } else if (s == d) {
        return 0;
    }
    if (s < end && (*s == 'e' || *s == 'E')) {
        s++;
        if (s < end && (*s == '-' || *s == '+'))
            s++;
        if (!all_digits(s, end, "0123456789"))
            return 0;
        s = end;
    }
    return s == end;
}

/* A plain scalar by YAML 1.2's core schema, narrowed: only true/false (in three spellings) are
 * booleans, so yes/no/on/off stay text; .inf and .nan stay text too. A number too large for a
 * finite double (400 digits, 1e999) sets *range and returns NULL: it is refused, as the JSON
 * reader refuses it, not taken as text while a smaller number is a number. */
static json_t *plain_scalar(const char *s, size_t len, bool *range)
{
    static const char *const nulls[] = { "~", "null", "Null", "NULL", NULL };
    static const char *const trues[] = { "true", "True", "TRUE", NULL };
    static const char *const falses[] = { "false", "False", "FALSE", NULL };
    const char *end = s + len, *digits = s;
    int base = 10;
    if (len == 0 || is_word(s, len, nulls))
        return json_null();
    if (is_word(s, len, trues))
        return json_true();
    if (is_word(s, len, falses))
        return json_false();
    if (len > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o')) {
        base = s[1] == 'x' ? 16 : 8;
        digits = s + 2;
    } else if (*s == '-' || *s == '+') {
        digits = s + 1;
    }
    if (all_digits(digits, end, base == 16 ? "0123456789abcdefABCDEF"
                                : base == 8 ? "01234567" : "0123456789")) {
        long long n;
        double d;
        errno = 0;
        n = strtoll(base == 10 ? s : s + 2, NULL, base);
        if (errno == 0)
            return json_integer(n);
        if (base == 10 && isfinite(d = strtod(s, NULL)))
            return json_real(d);            /* beyond 64 bits: a float, as jansson reads it */
        *range = true;
        return NULL;
    }
    if (is_float(s, end)) {
        double d;
        errno = 0;
        d = strtod(s, NULL);
        if (errno == 0 && isfinite(d))
            return json_real(d);
        if (isinf(d)) {                     /* underflow to 0 is still a number */
            *range = true;
            return NULL;
        }
        return json_real(d);
    }
    return json_stringn(s, len);
}

static json_t *scalar_value(const yaml_event_t *ev, bool *range)
{
    const char *s = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE
        || (tag != NULL && (strcmp(tag, "!") == 0 || strcmp(tag, YAML_STR_TAG) == 0)))
        return json_stringn(s, len);
    return plain_scalar(s, len, range);
}

static const char *kind_of(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "a mapping";
    case JSON_ARRAY: return "a list";
    case JSON_INTEGER: case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    default: return "a string";
    }
}

/* Add v (a new reference, taken over even on failure) where the open container wants it. */
static int add_value(yaml_doc *y, json_t *v, ymark m, unsigned height)
{
    frame *f;
    int rc = AP_OK;
    if (v == NULL)
        return ap_error_nomem(y->err);
    if (y->depth == 0) {
        json_decref(y->root);
        y->root = v;
        y->root_mark = m;
        return AP_OK;
    }
    f = &y->stack[y->depth - 1];
    if (json_is_object(f->value) && f->key == NULL) {
        char shown[64];
        if (!json_is_string(v)) {
            rc = yaml_fail(y, m, "a mapping key must be a string, not %s", kind_of(v));
            json_decref(v);
            return rc;
        }
        if (json_object_getn(f->value, json_string_value(v), json_string_length(v)) != NULL) {
            ap_doc_quote(shown, sizeof shown, json_string_value(v));
            json_decref(v);
            return yaml_fail(y, m, "duplicate key '%s'", shown);
        }
        f->key = v;
        return AP_OK;
    }
    if (f->nkids == f->cap) {
        size_t cap = f->cap ? 2 * f->cap : 8;
        ymark *kids = realloc(f->kids, cap * sizeof *kids);
        if (kids == NULL) {
            json_decref(v);
            return ap_error_nomem(y->err);
        }
        f->kids = kids;
        f->cap = cap;
    }
    f->kids[f->nkids++] = m;
    if (height > f->height)
        f->height = height;
    if (json_is_object(f->value)) {
        rc = json_object_setn_new(f->value, json_string_value(f->key),
                                  json_string_length(f->key), v);
        json_decref(f->key);
        f->key = NULL;
    } else {
        rc = json_array_append_new(f->value, v);
    }
    return rc == 0 ? AP_OK : ap_error_nomem(y->err);
}

static int add_anchor(yaml_doc *y, const char *name, json_t *v, weight w)
{
    json_t *entry = json_pack("[O,I,I,i]", v, (json_int_t)w.values, (json_int_t)w.bytes,
                              (int)w.height);
    if (entry == NULL || json_object_set_new(y->anchors, name, entry) != 0)
        return AP_ENOMEM;
    return AP_OK;
}

static int on_scalar(yaml_doc *y, const yaml_event_t *ev)
{
    ymark m = to_ymark(ev->start_mark);
    bool range = false;
    json_t *v = scalar_value(ev, &range);
    weight w = { 1, ev->data.scalar.length, 0 };
    if (range)
        return yaml_fail(y, m, "number out of range: '%.40s%s' (quote it if it is text)",
                         (const char *)ev->data.scalar.value,
                         ev->data.scalar.length > 40 ? "..." : "");
    if (v == NULL)
        return ap_error_nomem(y->err);
    y->values++;
    y->bytes += ev->data.scalar.length;
    if (ev->data.scalar.anchor != NULL
        && add_anchor(y, (const char *)ev->data.scalar.anchor, v, w) < 0) {
        json_decref(v);
        return ap_error_nomem(y->err);
    }
    return add_value(y, v, m, 0);
}

static int on_alias(yaml_doc *y, const yaml_event_t *ev)
{
    ymark m = to_ymark(ev->start_mark);
    const char *name = (const char *)ev->data.alias.anchor;
    json_t *entry = json_object_get(y->anchors, name);
    weight w;
    if (entry == NULL)
        return yaml_fail(y, m, "unknown YAML alias '*%s' (an anchor must be defined, and "
                         "its value complete, before the alias)", name);
    w.values = (size_t)json_integer_value(json_array_get(entry, 1));
    w.bytes = (size_t)json_integer_value(json_array_get(entry, 2));
    w.height = (unsigned)json_integer_value(json_array_get(entry, 3));
    y->alias_values += w.values;
    y->alias_bytes += w.bytes;
    if (y->alias_values > YAML_MAX_ALIAS_VALUES)
        return yaml_fail(y, m, "YAML aliases expand to more than %d values",
                         YAML_MAX_ALIAS_VALUES);
    if (y->alias_bytes > YAML_MAX_ALIAS_BYTES)
        return yaml_fail(y, m, "YAML aliases expand to more than %zu MiB of text",
                         YAML_MAX_ALIAS_BYTES >> 20);
    if (y->depth + w.height > YAML_MAX_DEPTH)
        return yaml_fail(y, m, "YAML nested deeper than %d levels", YAML_MAX_DEPTH);
    y->values += w.values;
    y->bytes += w.bytes;
    return add_value(y, json_incref(json_array_get(entry, 0)), m, w.height);
}

static int on_start(yaml_doc *y, const yaml_event_t *ev)
{
    ymark m = to_ymark(ev->start_mark);
    int mapping = ev->type == YAML_MAPPING_START_EVENT;
    const yaml_char_t *anchor = mapping ? ev->data.mapping_start.anchor
                                        : ev->data.sequence_start.anchor;
    frame *f;
    if (y->depth >= YAML_MAX_DEPTH)
        return yaml_fail(y, m, "YAML nested deeper than %d levels", YAML_MAX_DEPTH);
    if (y->depth > 0 && json_is_object(y->stack[y->depth - 1].value)
        && y->stack[y->depth - 1].key == NULL)
        return yaml_fail(y, m, "a mapping key must be a string, not %s",
                         mapping ? "a mapping" : "a list");
    f = &y->stack[y->depth];
    memset(f, 0, sizeof *f);
    f->mark = m;
    f->values0 = y->values++;
    f->bytes0 = y->bytes;
    if ((f->value = mapping ? json_object() : json_array()) == NULL)
        return ap_error_nomem(y->err);
    if (anchor != NULL && (f->anchor = strdup((const char *)anchor)) == NULL) {
        json_decref(f->value);
        return ap_error_nomem(y->err);
    }
    y->depth++;
    return AP_OK;
}

static int on_end(yaml_doc *y)
{
    frame f = y->stack[--y->depth];
    weight w = { y->values - f.values0, y->bytes - f.bytes0, f.height + 1 };
    int rc = AP_OK;
    json_decref(f.key);         /* NULL unless libyaml ended a mapping after a key: never */
    if (marks_put(y, f.value, f.kids, f.nkids) < 0
        || (f.anchor != NULL && add_anchor(y, f.anchor, f.value, w) < 0)) {
        json_decref(f.value);
        rc = ap_error_nomem(y->err);
    } else {
        rc = add_value(y, f.value, f.mark, w.height);
    }
    free(f.anchor);
    return rc;
}

/* Line and column of byte offset pos of the text. */
static ymark text_mark(const yaml_doc *y, size_t pos)
{
    ymark m = { 1, 1 };
    for (size_t i = 0; i < pos && i < y->len; i++, m.col++)
        if (y->text[i] == '\n') {
            m.line++;
            m.col = 0;
        }
    return m;
}

/* libyaml's own errors: scanner and parser name a mark, the reader a byte offset. */
static int syntax_error(yaml_doc *y, const yaml_parser_t *parser)
{
    ymark m = to_ymark(parser->problem_mark);
    const char *problem = parser->problem != NULL ? parser->problem : "unknown error";
    if (parser->error == YAML_MEMORY_ERROR)
        return ap_error_nomem(y->err);
    if (parser->error == YAML_READER_ERROR) {
        m = text_mark(y, parser->problem_offset);
    } else {
        /* at the end of a text without a final newline, libyaml's mark is on the line after
         * the last: name the end of the text instead */
        ymark end = text_mark(y, y->len);
        if (m.line > end.line)
            m = end;
    }
    return ap_error_at(y->err, AP_EINPUT, y->path, m.line, m.col, "invalid YAML: %s",
                       problem);
}

/* Turn the whole text into y->root, or fail with err set. */
static int build(yaml_doc *y)
{
    yaml_parser_t parser;
    yaml_event_t ev;
    int rc = AP_OK, done = 0, docs = 0;
    if (!yaml_parser_initialize(&parser))
        return ap_error_nomem(y->err);
    yaml_parser_set_input_string(&parser, (const unsigned char *)y->text, y->len);
    while (!done && rc == AP_OK) {
        if (!yaml_parser_parse(&parser, &ev)) {
            rc = syntax_error(y, &parser);
            break;
        }
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
            if (y->multi) {     /* the documents become the items of one list */
                yaml_event_t list;
                memset(&list, 0, sizeof list);
                list.type = YAML_SEQUENCE_START_EVENT;
                list.start_mark = ev.start_mark;
                rc = on_start(y, &list);
            }
            break;
        case YAML_DOCUMENT_START_EVENT:
            if (docs++ > 0 && !y->multi)
                rc = yaml_fail(y, to_ymark(ev.start_mark), "more than one YAML document "
                               "in the file (expected one)");
            break;
        case YAML_STREAM_END_EVENT:
            done = 1;
            if (y->multi)
                rc = on_end(y);
            break;
        case YAML_SCALAR_EVENT: rc = on_scalar(y, &ev); break;
        case YAML_ALIAS_EVENT: rc = on_alias(y, &ev); break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: rc = on_start(y, &ev); break;
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: rc = on_end(y); break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return rc;
}

static void doc_free(yaml_doc *y)
{
    while (y->depth > 0) {
        frame *f = &y->stack[--y->depth];
        json_decref(f->value);
        json_decref(f->key);
        free(f->kids);
        free(f->anchor);
    }
    free(y->stack);
    for (size_t i = 0; i < y->nslots; i++)
        free(y->slots[i].kids);
    free(y->slots);
    json_decref(y->anchors);
    json_decref(y->root);
}

/* Parse the text into y (y->root on success); doc_free(y) in every case. */
static int doc_parse(yaml_doc *y, const char *text, size_t len, const char *path, ap_error *err,
                     int multi)
{
    memset(y, 0, sizeof *y);
    y->multi = multi;
    y->path = path;
    y->text = text;
    y->len = len;
    y->err = err;
    y->root_mark.line = y->root_mark.col = 1;
    if ((y->stack = calloc(YAML_MAX_DEPTH, sizeof *y->stack)) == NULL
        || (y->anchors = json_object()) == NULL
        || (y->root = json_null()) == NULL)
        return ap_error_nomem(err);
    return build(y);
}

static int parse_doc(ap_yaml_doc **out, const json_t **root, const char *text, size_t len,
                     const char *path, ap_error *err, int multi)
{
    yaml_doc *y = malloc(sizeof *y);
    int rc;
    *out = NULL;
    *root = NULL;
    if (y == NULL)
        return ap_error_nomem(err);
    if ((rc = doc_parse(y, text, len, path, err, multi)) < 0) {
        doc_free(y);
        free(y);
        return rc;
    }
    json_decref(y->anchors);    /* the document holds what it needs */
    y->anchors = NULL;
    y->err = NULL;
    *out = y;
    *root = y->root;
    return AP_OK;
}

int ap_doc_yaml_parse(ap_yaml_doc **out, const json_t **root, const char *text, size_t len,
                      const char *path, ap_error *err)
{
    return parse_doc(out, root, text, len, path, err, 0);
}

int ap_doc_yaml_parse_all(ap_yaml_doc **out, const json_t **root, const char *text,
                          size_t len, const char *path, ap_error *err)
{
    return parse_doc(out, root, text, len, path, err, 1);
}

void ap_doc_yaml_where(const ap_yaml_doc *y, const ap_step *steps, size_t n, unsigned *line,
                       unsigned *col)
{
    const json_t *v = y->root;
    ymark at = y->root_mark;
    for (size_t i = 0; i < n; i++)
        if (!(steps[i].key != NULL ? step_key(y, &v, &at, steps[i].key)
                                   : step_index(y, &v, &at, steps[i].index)))
            break;
    *line = at.line;
    *col = at.col;
}

void ap_doc_yaml_free(ap_yaml_doc *y)
{
    if (y == NULL)
        return;
    doc_free(y);
    free(y);
}
