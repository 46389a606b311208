/* import/detect_internal.h: what detection peeks at in a document before any reader parses it
 * (detect_peek.c), for the shapes of detect.c to ask about. */
#ifndef AUTHPATH_DETECT_INTERNAL_H
#define AUTHPATH_DETECT_INTERNAL_H

#include <stddef.h>

#include "import_internal.h"

#define PEEK_MAX_KEYS 64

/* One key of an object found by peeking, and where its value starts. */
typedef struct {
    const char *key;        /* raw text of the key, without quotes; not NUL-terminated */
    size_t klen;
    size_t at;              /* JSON: the value's offset; YAML: the value text's offset */
} peek_key;

typedef struct {
    peek_key k[PEEK_MAX_KEYS];
    size_t n;
} peek_obj;

/* What detection looks at: the top value (object or list) and, for a list or for an object
 * holding one, the keys of its first element. */
typedef struct {
    const char *text;
    size_t len;
    ap_syntax sx;
    char top;               /* '{' an object (or YAML mapping), '[' a list, 0 anything else */
    peek_obj obj;           /* the top object's keys */
    peek_obj elem;          /* the first element's keys: of the top list, or of the list
                             * found by ap_peek__elem_of() */
    int have_elem;          /* there is a first element and it is an object */
    size_t first;           /* offset of the document's first value */
} peek;

/* Peek at text: its syntax, its top value's keys and its first element's (nothing is parsed). */
void ap_peek__init(peek *p, const char *text, size_t len);
/* The end of the line at text offset i (its '\n' or len). */
size_t ap_peek__line_end(const char *s, size_t len, size_t i);
/* The key of o named key, or NULL. */
const peek_key *ap_peek__find(const peek_obj *o, const char *key);
int ap_peek__has(const peek_obj *o, const char *key);
/* The string value of key, as written (escapes left as they are), cut to fit. 0 when there is
 * none or it is not a plain string. */
int ap_peek__str(const peek *p, const peek_obj *o, const char *key, char *buf, size_t size);
/* Does the value of key start with prefix? */
int ap_peek__starts(const peek *p, const peek_obj *o, const char *key, const char *prefix);
/* Does text[0, n) hold needle, in any case? */
int ap_peek__contains_ci(const char *text, size_t n, const char *needle);
/* Does any string value of the object mention needle (case-insensitive)? */
int ap_peek__mentions(const peek *p, const peek_obj *o, const char *needle);
/* JSON only: the keys of the first element of the list that key holds (in p->elem). */
int ap_peek__elem_of(peek *p, const char *key);
/* The value of key is an empty list. */
int ap_peek__empty_list(const peek *p, const peek_obj *o, const char *key);

#endif
