/* query/util.c: small helpers the query files share (query_internal.h): growing arrays at
 * powers of two and strings, witness paths copied out of an authority, freeing reach lists. */
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"

void ap_query__put_n(ap_strbuf *b, const char *t, size_t n)
{
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->len + n + 1) * 2;
        char *p = realloc(b->s, cap);
        if (p == NULL) {
            b->failed = true;
            return;
        }
        b->s = p;
        b->cap = cap;
    }
    memcpy(b->s + b->len, t, n);
    b->len += n;
    b->s[b->len] = '\0';
}

void ap_query__put(ap_strbuf *b, const char *t)
{
    ap_query__put_n(b, t, strlen(t));
}

int ap_query__push(void *arr, uint32_t *n, size_t size, const void *item)
{
    char **p = arr;
    if (*n == 0 || (*n & (*n - 1)) == 0) {
        size_t cap = *n ? (size_t)*n * 2 : 4;
        char *q = realloc(*p, cap * size);
        if (q == NULL)
            return -1;
        *p = q;
    }
    memcpy(*p + (size_t)*n * size, item, size);
    (*n)++;
    return 0;
}

int ap_query__path(uint32_t **out, uint32_t *n, const ap_graph *d, const ap_authority *a,
                   uint32_t v, ap_rights want, bool to_parent, ap_error *err)
{
    size_t len = ap_authority_chain(a, d, v, want, NULL, 0);
    *out = NULL;
    *n = 0;
    if (len == 0)
        return AP_OK;
    if ((*out = malloc(len * sizeof **out)) == NULL)
        return ap_error_nomem(err);
    ap_authority_chain(a, d, v, want, *out, len);
    for (size_t i = 0; to_parent && i < len; i++)
        (*out)[i] = ap_graph_edge_origin(d, (*out)[i]);
    *n = (uint32_t)len;
    return AP_OK;
}

int ap_query__item_path(ap_reach_item *it, const ap_graph *d, const ap_authority *a,
                        ap_rights want, bool to_parent, ap_error *err)
{
    int rc = ap_query__path(&it->path, &it->npath, d, a, it->node, want, false, err);
    if (rc < 0 || it->path == NULL)
        return rc;
    it->carried = ap_authority_replay(d, a, it->path, it->npath, NULL) & it->rights;
    for (uint32_t i = 0; to_parent && i < it->npath; i++)
        it->path[i] = ap_graph_edge_origin(d, it->path[i]);
    return AP_OK;
}

int ap_query__path_nodes(uint32_t **out, uint32_t *n, const ap_graph *g, const ap_authority *a,
                         uint32_t v)
{
    size_t len = ap_authority_path(a, g, v, NULL, 0);
    *out = NULL;
    *n = 0;
    if (len < 2)
        return 0;
    if ((*out = malloc(len * sizeof **out)) == NULL)
        return -1;
    ap_authority_path(a, g, v, *out, len);
    for (size_t i = 0; i + 1 < len; i++)
        (*out)[i] = ap_graph_edge(g, (*out)[i])->to;
    *n = (uint32_t)len - 1;
    return 0;
}

void ap_query__items_free(ap_reach_item *items, uint32_t n)
{
    for (uint32_t i = 0; items != NULL && i < n; i++)
        free(items[i].path);
    free(items);
}

int ap_query__u32_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}
