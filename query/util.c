/* query/util.c: small helpers the query files share (query_internal.h): growing arrays at
 * powers of two and strings, the partners' bits, witness paths copied out of an authority,
 * freeing reach lists. */
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

uint64_t *ap_query__partner_bits(const ap_graph *g)
{
    uint32_t n = ap_graph_node_count(g);
    uint64_t *bits = calloc((size_t)n / 64 + 1, sizeof *bits);
    for (uint32_t v = 0; bits != NULL && v < n; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER)
            bits[v >> 6] |= (uint64_t)1 << (v & 63);
    return bits;
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

int ap_query__item_path_memo(ap_reach_item *list, uint32_t index, uint32_t *memo,
                             ap_rights *full, const ap_graph *d, const ap_authority *a,
                             ap_error *err)
{
    ap_reach_item *it = &list[index];
    uint32_t v = it->node, nc = a->nclasses;
    const ap_arrival *row = &a->arrivals[(size_t)a->row[v] * nc];
    int c = ap_query__best_class(a, row, AP_RIGHTS_ALL, AP_UNREACHED, false);
    const ap_edge *e = c >= 0 ? ap_graph_edge(d, row[c].edge) : NULL;
    uint32_t u = e != NULL ? e->from : a->source, k = memo[u];
    if (v != a->source && (a->rights[v] & AP_RIGHTS_ALL) != 0)
        memo[v] = index + 1;
    /* the walk from the tail (ap_authority_chain) goes on with this class, or, after an
     * escalating step, with the one its tail held by the round before: the same walk as the
     * tail's own item when that is the tail's first class */
    if (e != NULL && u != a->source && k != 0 && k - 1 < index && list[k - 1].path != NULL) {
        const ap_arrival *urow = &a->arrivals[(size_t)a->row[u] * nc];
        int cu = e->escalates ? ap_query__best_class(a, urow, AP_RIGHTS_ALL,
                                                      row[c].round - 1, true)
                              : c;
        const ap_reach_item *t = &list[k - 1];
        if (cu == ap_query__best_class(a, urow, AP_RIGHTS_ALL, AP_UNREACHED, false)
            && row[c].len == t->npath + 1) {
            if ((it->path = malloc(((size_t)t->npath + 1) * sizeof *it->path)) == NULL)
                return ap_error_nomem(err);
            memcpy(it->path, t->path, t->npath * sizeof *it->path);
            it->path[t->npath] = ap_graph_edge_origin(d, row[c].edge);
            it->npath = t->npath + 1;
            ap_rights gate;
            full[index] = ap_query__replay_step(d, a, full[k - 1], e, &gate);
            it->carried = full[index] & it->rights;
            return AP_OK;
        }
    }
    int rc = ap_query__path(&it->path, &it->npath, d, a, v, AP_RIGHTS_ALL, false, err);
    if (rc < 0 || it->path == NULL) {
        full[index] = 0;
        return rc;
    }
    full[index] = ap_authority_replay(d, a, it->path, it->npath, NULL);
    it->carried = full[index] & it->rights;
    for (uint32_t i = 0; i < it->npath; i++)
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
