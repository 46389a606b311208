/* doc/doc.h: documents with positions, shared by the readers (import/) and the policy loader
 * (query/findings/): JSON text walks, YAML as jansson values with marks, declared scopes. */
#ifndef AUTHPATH_DOC_H
#define AUTHPATH_DOC_H

#include <stddef.h>

#include <jansson.h>

#include "authpath/error.h"

#define AP_NO_ITEM ((size_t)-1)

/* A short, printable copy of user text for messages (control characters as '?'; cut with
 * "..." after 60 bytes). */
void ap_doc_quote(char *buf, size_t size, const char *s);

/* A step into a document: a mapping's key, or (key NULL) a list's index. */
typedef struct {
    const char *key;
    size_t index;
} ap_step;

/* Any document (JSON or YAML), parsed with the positions of its values kept: for readers whose
 * places are deeper than the native sections (policy files). */
typedef struct ap_posdoc ap_posdoc;
/* Read a small file (a policy, a kind map) whole and parse it: JSON when the text (after a byte
 * order mark and blanks) starts with '{', else YAML. Syntax errors are AP_EINPUT with path,
 * line and column; more than max bytes is "not WHAT: larger than N MiB". *out owns the
 * document; *root is borrowed from it. */
int ap_posdoc_load(ap_posdoc **out, const json_t **root, const char *path, size_t max,
                   const char *what, ap_error *err);
/* The 1-based line and column of the value that steps lead to, or of the deepest one on the
 * way that exists (the document's start for none). */
void ap_posdoc_where(const ap_posdoc *d, const ap_step *steps, size_t n, unsigned *line,
                     unsigned *col);
void ap_posdoc_free(ap_posdoc *d);

/* The YAML half of that (doc/yaml_doc.c): any YAML document as a jansson value, by the native
 * reader's rules (YAML 1.2 core schema scalars, only true/false as booleans, string keys, no
 * duplicate keys, bounded aliases and nesting, one document), with its values' positions.
 * *root is borrowed from *out. Syntax errors are AP_EINPUT with path, line and column. */
typedef struct yaml_doc ap_yaml_doc;
int ap_doc_yaml_parse(ap_yaml_doc **out, const json_t **root, const char *text, size_t len,
                      const char *path, ap_error *err);
/* The same for a stream of documents (--- between them): *root is the list of the documents,
 * so steps start with a document's index. */
int ap_doc_yaml_parse_all(ap_yaml_doc **out, const json_t **root, const char *text,
                          size_t len, const char *path, ap_error *err);
void ap_doc_yaml_where(const ap_yaml_doc *y, const ap_step *steps, size_t n, unsigned *line,
                       unsigned *col);
void ap_doc_yaml_free(ap_yaml_doc *y);

/* A declared scope's shape (doc/scope_check.c). bad() is told the field (NULL: the scope
 * itself or an unknown key), the list item (AP_NO_ITEM: the whole field) and what is wrong; it
 * returns 1. Returns the number of problems. */
typedef int (*ap_scope_bad_fn)(void *ctx, const char *field, size_t item, const char *msg);
int ap_doc_scope_check(const json_t *v, ap_scope_bad_fn bad, void *ctx);

/* ---- json_walk.c: positions in JSON text jansson has accepted ---- */
typedef struct {
    const char *s;
    size_t len;
    size_t *lines;          /* offset of each line's first byte */
    size_t nlines;
} ap_json_text;

int ap_json__text_init(ap_json_text *t, const char *s, size_t len);
void ap_json__text_free(ap_json_text *t);
size_t ap_json__skip_ws(const ap_json_text *t, size_t i);
size_t ap_json__skip_value(const ap_json_text *t, size_t i);
/* Offset of the value of key in the object at i, or of element k of the array at i; SIZE_MAX
 * when there is none (or i is SIZE_MAX, so lookups chain). */
size_t ap_json__find_key(const ap_json_text *t, size_t i, const char *key);
size_t ap_json__find_index(const ap_json_text *t, size_t i, size_t k);
/* Offsets of every element of the array at i, in one pass: *out owns *n entries (free()). */
int ap_json__elements(const ap_json_text *t, size_t i, size_t **out, size_t *n);
/* 1-based line and column of an offset (0, 0 for SIZE_MAX). */
void ap_json__line_col(const ap_json_text *t, size_t pos, unsigned *line, unsigned *col);

#endif
