/* doc/json_walk.c: positions in JSON text that jansson has already accepted. jansson keeps
 * no positions, so the AWS and OpenGraph readers find a value's line and column by walking. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

size_t ap_json__skip_ws(const ap_json_text *t, size_t i)
{
    while (i < t->len && (t->s[i] == ' ' || t->s[i] == '\t' || t->s[i] == '\n'
                          || t->s[i] == '\r'))
        i++;
    return i;
}

/* The end of the string whose opening quote is at i. */
static size_t skip_string(const ap_json_text *t, size_t i)
{
    for (i++; i < t->len && t->s[i] != '"'; i++)
        if (t->s[i] == '\\')
            i++;
    return i < t->len ? i + 1 : t->len;
}

size_t ap_json__skip_value(const ap_json_text *t, size_t i)
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

/* Does the JSON string at [a, b) equal key? Keys with escapes are decoded by jansson. */
static int key_equals(const ap_json_text *t, size_t a, size_t b, const char *key)
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

size_t ap_json__find_key(const ap_json_text *t, size_t i, const char *key)
{
    if (i == SIZE_MAX)
        return SIZE_MAX;
    i = ap_json__skip_ws(t, i);
    if (i >= t->len || t->s[i] != '{')
        return SIZE_MAX;
    for (i = ap_json__skip_ws(t, i + 1); i < t->len && t->s[i] == '"';) {
        size_t end = skip_string(t, i), v = ap_json__skip_ws(t, ap_json__skip_ws(t, end) + 1);
        if (key_equals(t, i, end, key))
            return v;
        i = ap_json__skip_ws(t, ap_json__skip_value(t, v));
        if (i < t->len && t->s[i] == ',')
            i = ap_json__skip_ws(t, i + 1);
    }
    return SIZE_MAX;
}

size_t ap_json__find_index(const ap_json_text *t, size_t i, size_t k)
{
    if (i == SIZE_MAX)
        return SIZE_MAX;
    i = ap_json__skip_ws(t, i);
    if (i >= t->len || t->s[i] != '[')
        return SIZE_MAX;
    i = ap_json__skip_ws(t, i + 1);
    for (size_t n = 0; i < t->len && t->s[i] != ']'; n++) {
        if (n == k)
            return i;
        i = ap_json__skip_ws(t, ap_json__skip_value(t, i));
        if (i < t->len && t->s[i] == ',')
            i = ap_json__skip_ws(t, i + 1);
    }
    return SIZE_MAX;
}

int ap_json__elements(const ap_json_text *t, size_t i, size_t **out, size_t *n)
{
    size_t cap = 0, *pos = NULL;
    *out = NULL;
    *n = 0;
    if (i == SIZE_MAX)
        return AP_OK;
    i = ap_json__skip_ws(t, i);
    if (i >= t->len || t->s[i] != '[')
        return AP_OK;
    for (i = ap_json__skip_ws(t, i + 1); i < t->len && t->s[i] != ']';) {
        if (*n == cap) {
            size_t *p = realloc(pos, (cap = cap ? cap * 2 : 64) * sizeof *p);
            if (p == NULL) {
                free(pos);
                *n = 0;
                return AP_ENOMEM;
            }
            pos = p;
        }
        pos[(*n)++] = i;
        i = ap_json__skip_ws(t, ap_json__skip_value(t, i));
        if (i < t->len && t->s[i] == ',')
            i = ap_json__skip_ws(t, i + 1);
    }
    *out = pos;
    return AP_OK;
}

int ap_json__text_init(ap_json_text *t, const char *s, size_t len)
{
    size_t cap = 256;
    memset(t, 0, sizeof *t);
    t->s = s;
    t->len = len;
    if ((t->lines = malloc(cap * sizeof *t->lines)) == NULL)
        return AP_ENOMEM;
    t->lines[t->nlines++] = 0;
    for (const char *p = s; (p = memchr(p, '\n', len - (size_t)(p - s))) != NULL; p++) {
        if (t->nlines == cap) {
            size_t *q = realloc(t->lines, (cap *= 2) * sizeof *q);
            if (q == NULL)
                return AP_ENOMEM;
            t->lines = q;
        }
        t->lines[t->nlines++] = (size_t)(p - s) + 1;
        if ((size_t)(p - s) + 1 >= len)
            break;
    }
    return AP_OK;
}

void ap_json__text_free(ap_json_text *t)
{
    free(t->lines);
    t->lines = NULL;
}

void ap_json__line_col(const ap_json_text *t, size_t pos, unsigned *line, unsigned *col)
{
    size_t lo = 0, hi = t->nlines;
    if (pos == SIZE_MAX || t->nlines == 0) {
        *line = *col = 0;
        return;
    }
    while (hi - lo > 1) {               /* the last line start at or before pos */
        size_t mid = lo + (hi - lo) / 2;
        if (t->lines[mid] <= pos)
            lo = mid;
        else
            hi = mid;
    }
    *line = (unsigned)lo + 1;
    *col = (unsigned)(pos - t->lines[lo]) + 1;
}
