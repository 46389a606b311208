/* doc/posdoc.c: a JSON or YAML document with the positions of its values, so that a reader
 * can name the line and column of any value it refuses (policy files, kind maps; see doc.h). */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"

/* The whole file as text (*out owns it, NUL-terminated); more than max bytes is not WHAT. */
static int read_small(char **out, size_t *len, const char *path, size_t max, const char *what,
                      ap_error *err)
{
    FILE *f = fopen(path, "rb");
    char *text = NULL;
    size_t n = 0, cap = 0;
    int rc = AP_OK;
    *out = NULL;
    if (f == NULL)
        return ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
    for (;;) {
        if (n + 4096 + 1 > cap) {
            char *p = realloc(text, cap = (n + 4096 + 1) * 2);
            if (p == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
            text = p;
        }
        size_t got = fread(text + n, 1, cap - n - 1, f);
        n += got;
        if (n > max) {
            rc = ap_error_at(err, AP_EINPUT, path, 0, 0, "not %s: larger than %zu MiB", what,
                             max >> 20);
            goto cleanup;
        }
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        rc = ap_error_at(err, AP_EINPUT, path, 0, 0, "cannot read: %s", strerror(errno));
        goto cleanup;
    }
    text[n] = '\0';
    *out = text;
    *len = n;
    text = NULL;
cleanup:
    free(text);
    fclose(f);
    return rc;
}

struct ap_posdoc {
    json_t *root;           /* JSON: jansson's document */
    char *text;             /* the file's text, as read */
    ap_json_text walk;
    ap_yaml_doc *yaml;      /* YAML: the document and its marks */
};

void ap_posdoc_free(ap_posdoc *d)
{
    if (d == NULL)
        return;
    json_decref(d->root);
    ap_json__text_free(&d->walk);
    free(d->text);
    ap_doc_yaml_free(d->yaml);
    free(d);
}

/* JSON: jansson's document, and the text kept for json_walk.c to find places in. */
static int parse_json(ap_posdoc *d, const char *text, size_t len, const char *path,
                      ap_error *err)
{
    json_error_t je;
    if ((d->root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return ap_error_at(err, AP_EINPUT, path, (unsigned)(je.line > 0 ? je.line : 1),
                           (unsigned)(je.column > 0 ? je.column : 1), "invalid JSON: %s",
                           je.text);
    if (ap_json__text_init(&d->walk, text, len) != AP_OK)
        return ap_error_nomem(err);
    return AP_OK;
}

void ap_posdoc_where(const ap_posdoc *d, const ap_step *steps, size_t n, unsigned *line,
                     unsigned *col)
{
    size_t at, next;
    if (d->yaml != NULL) {
        ap_doc_yaml_where(d->yaml, steps, n, line, col);
        return;
    }
    at = ap_json__skip_ws(&d->walk, 0);
    for (size_t k = 0; k < n; k++) {
        next = steps[k].key != NULL ? ap_json__find_key(&d->walk, at, steps[k].key)
                                    : ap_json__find_index(&d->walk, at, steps[k].index);
        if (next == SIZE_MAX)
            break;
        at = next;
    }
    ap_json__line_col(&d->walk, at, line, col);
}

int ap_posdoc_load(ap_posdoc **out, const json_t **root, const char *path, size_t max,
                   const char *what, ap_error *err)
{
    ap_posdoc *d = calloc(1, sizeof *d);
    const char *text;
    size_t len = 0, i = 0;
    int rc;
    *out = NULL;
    *root = NULL;
    if (d == NULL)
        return ap_error_nomem(err);
    if ((rc = read_small(&d->text, &len, path, max, what, err)) < 0)   /* d keeps the text */
        goto fail;
    text = d->text;
    if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)     /* a UTF-8 byte order mark */
        text += 3, len -= 3;
    while (i < len && (text[i] == ' ' || text[i] == '\t' || text[i] == '\r' || text[i] == '\n'))
        i++;
    if (i < len && text[i] == '{')
        rc = parse_json(d, text, len, path, err);
    else
        rc = ap_doc_yaml_parse(&d->yaml, root, text, len, path, err);
    if (rc < 0)
        goto fail;
    if (d->root != NULL)
        *root = d->root;
    *out = d;
    return AP_OK;
fail:
    ap_posdoc_free(d);
    return rc;
}
