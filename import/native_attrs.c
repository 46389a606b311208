/* import/native_attrs.c: the attributes a node or edge keeps, as canonical JSON text (compact,
 * keys sorted, ASCII): the text the store compares between snapshots, so it must never vary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"

#define DUMP_FLAGS (JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII)
#define FAST_MAX 32             /* attributes the fast path handles; more go to jansson */

/* jansson's way, for anything the fast path does not handle. */
static char *attrs_dumped(const json_t *obj, const char *const *skip, size_t nskip)
{
    json_t *copy = json_object();
    const char *key;
    json_t *v;
    char *text;
    if (copy == NULL)
        return NULL;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (i < nskip && strcmp(skip[i], key) != 0)
            i++;
        if (i == nskip && !json_is_null(v))
            json_object_set(copy, key, v);
    }
    text = json_dumps(copy, DUMP_FLAGS);
    json_decref(copy);
    return text;
}

int ap_import__plain(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c > 0x7e || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

int ap_import__attr_put(char **p, const char *end, const char *key, size_t klen, const char *s,
                        size_t len, int quoted)
{
    char *q = *p;
    if ((size_t)(end - q) < klen + len + 8)
        return 0;
    if (q[-1] != '{')
        *q++ = ',';
    *q++ = '"';
    memcpy(q, key, klen);
    q += klen;
    *q++ = '"';
    *q++ = ':';
    if (quoted)
        *q++ = '"';
    memcpy(q, s, len);
    q += len;
    if (quoted)
        *q++ = '"';
    *p = q;
    return 1;
}

typedef struct {
    const char *key;
    size_t key_len;
    const char *text;       /* the value as written: a plain string (quoted) or true/false */
    size_t len;
    int quoted;
} attr;

static int attr_cmp(const void *a, const void *b)
{
    return strcmp(((const attr *)a)->key, ((const attr *)b)->key);     /* keys are plain */
}

char *ap_import__attrs(const json_t *obj, const char *const *skip, size_t nskip)
{
    attr kept[FAST_MAX];
    size_t n = 0, size = 3;
    void *it;
    char *text, *p;
    /* The common case, attributes that are plain strings or booleans, is written here
     * byte for byte as jansson would write it, without copying the object. */
    for (it = json_object_iter((json_t *)obj); it != NULL;
         it = json_object_iter_next((json_t *)obj, it)) {
        const char *key = json_object_iter_key(it);
        size_t key_len = json_object_iter_key_len(it), i = 0;
        const json_t *v = json_object_iter_value(it);
        attr *a = &kept[n];
        while (i < nskip && (skip[i][0] != key[0] || strcmp(skip[i], key) != 0))
            i++;
        if (i < nskip || json_is_null(v))
            continue;
        if (n == FAST_MAX || !ap_import__plain(key, key_len))
            return attrs_dumped(obj, skip, nskip);
        a->key = key;
        a->key_len = key_len;
        if (json_is_string(v) && ap_import__plain(json_string_value(v), json_string_length(v))) {
            a->text = json_string_value(v);
            a->len = json_string_length(v);
            a->quoted = 1;
        } else if (json_is_boolean(v)) {
            a->text = json_is_true(v) ? "true" : "false";
            a->len = strlen(a->text);
            a->quoted = 0;
        } else {
            return attrs_dumped(obj, skip, nskip);
        }
        size += key_len + a->len + 6;       /* "key":"value", */
        n++;
    }
    qsort(kept, n, sizeof *kept, attr_cmp);
    if ((text = malloc(size)) == NULL)
        return NULL;
    p = text;
    *p++ = '{';
    for (size_t i = 0; i < n; i++)      /* size leaves each the room it asks for */
        ap_import__attr_put(&p, text + size, kept[i].key, kept[i].key_len, kept[i].text,
                            kept[i].len, kept[i].quoted);
    *p++ = '}';
    *p = '\0';
    return text;
}
