/* graph/csr.c: the in-memory graph. A snapshot's nodes (sorted by id) and edges (sorted by
 * from, to, id) as compressed sparse rows with per-edge rights, built once and never changed. */
#define _DEFAULT_SOURCE         /* madvise's MADV_HUGEPAGE */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <jansson.h>

#include "authpath/graph.h"
#include "graph_internal.h"

const char *ap_chunk__strdup(ap_chunk **list, const char *s, size_t len)
{
    ap_chunk *c = *list;
    if (c == NULL || c->cap - c->used < len + 1) {
        /* 1 MiB, then twice the last chunk up to 32 MiB: a large graph's strings sit in
         * few chunks of huge pages */
        size_t cap = c == NULL ? (size_t)1 << 20 : c->cap < ((size_t)1 << 25) ? 2 * c->cap
                                                                                : c->cap;
        if (cap < len + 1)
            cap = len + 1;
        if ((c = ap_graph__big(1, sizeof *c + cap)) == NULL)
            return NULL;
        c->next = *list;
        c->used = 0;
        c->cap = cap;
        *list = c;
    }
    char *p = c->data + c->used;
    memcpy(p, s, len);
    p[len] = '\0';
    c->used += len + 1;
    return p;
}

const char *ap_graph__intern(ap_graph *g, const unsigned char *s)
{
    if (s == NULL)
        s = (const unsigned char *)"";
    return ap_chunk__strdup(&g->strings, (const char *)s, strlen((const char *)s));
}

void *ap_graph__big(size_t count, size_t size)
{
    const size_t huge = (size_t)1 << 21;
    size_t bytes;
    void *p;
    if (size != 0 && count > (SIZE_MAX - huge) / size)
        return NULL;
    bytes = count * size;
    if (bytes < huge)
        return malloc(bytes > 0 ? bytes : 1);
    bytes = (bytes + huge - 1) & ~(huge - 1);
    if ((p = aligned_alloc(huge, bytes)) == NULL)
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, bytes, MADV_HUGEPAGE);       /* a hint: nothing changes when it is refused */
#endif
    return p;
}

int ap_graph__edge_cmp(const void *a, const void *b)
{
    const ap_edge *x = a, *y = b;
    if (x->from != y->from)
        return x->from < y->from ? -1 : 1;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return strcmp(x->id, y->id);        /* edge ids are unique: the order is total */
}

static void sort_run(ap_edge *run, uint32_t len)
{
    if (len > 16) {
        qsort(run, len, sizeof *run, ap_graph__edge_cmp);
        return;
    }
    for (uint32_t i = 1; i < len; i++) {
        ap_edge x = run[i];
        uint32_t j = i;
        while (j > 0 && ap_graph__edge_cmp(&run[j - 1], &x) > 0) {
            run[j] = run[j - 1];
            j--;
        }
        run[j] = x;
    }
}

/* A part of sort_edges()'s work: scatter edges [lo, hi) of src to the next free places of
 * their rows (fill), then sort rows [vlo, vhi) by (to, id). */
typedef struct {
    const ap_edge *src;
    ap_edge *dst;
    uint32_t lo, hi;
    uint32_t *fill;
} scatter_part;

typedef struct {
    ap_edge *edges;
    const uint32_t *start;      /* row v is [start[v], start[v + 1]) */
    uint32_t vlo, vhi;
} rows_part;

static void *scatter(void *arg)
{
    scatter_part *p = arg;
    for (uint32_t i = p->lo; i < p->hi; i++)
        p->dst[p->fill[p->src[i].from]++] = p->src[i];
    return NULL;
}

static void *sort_rows(void *arg)
{
    rows_part *p = arg;
    for (uint32_t v = p->vlo; v < p->vhi; v++)
        sort_run(p->edges + p->start[v], p->start[v + 1] - p->start[v]);
    return NULL;
}

/* Run fn(b) on a second thread and fn(a) on this one (both here when that fails or the work
 * is small); returns when both are done. */
static void both(void *(*fn)(void *), void *a, void *b, bool threaded)
{
    pthread_t t;
    if (threaded && pthread_create(&t, NULL, fn, b) == 0) {
        fn(a);
        pthread_join(t, NULL);
        return;
    }
    fn(a);
    fn(b);
}

/* Edges into (from, to, id) order: nothing to do when they are in order already (a derived
 * graph, a database written in that order); else a counting sort by source that scatters the
 * edges into a second array (the stores are independent, so their cache misses overlap, where
 * permuting in place follows one dependent miss after another), then each row by (to, id).
 * Large graphs do each half of both steps on a second thread. */
static int sort_edges(ap_graph *g, ap_error *err)
{
    uint32_t i, half = g->m / 2, vmid = 0;
    for (i = 1; i < g->m; i++)
        if (ap_graph__edge_cmp(&g->edges[i - 1], &g->edges[i]) > 0)
            break;
    if (i >= g->m)
        return AP_OK;
    ap_edge *sorted = ap_graph__big((size_t)g->m + 1, sizeof *sorted);
    uint32_t *start = ap_graph__big((size_t)g->n + 1, sizeof *start);
    uint32_t *fill0 = ap_graph__big((size_t)g->n + 1, sizeof *fill0);
    uint32_t *fill1 = ap_graph__big((size_t)g->n + 1, sizeof *fill1);
    if (sorted == NULL || start == NULL || fill0 == NULL || fill1 == NULL) {
        free(sorted);
        free(start);
        free(fill0);
        free(fill1);
        return ap_error_nomem(err);
    }
    memset(start, 0, ((size_t)g->n + 1) * sizeof *start);
    memset(fill1, 0, ((size_t)g->n + 1) * sizeof *fill1);
    for (i = 0; i < g->m; i++) {
        start[g->edges[i].from + 1]++;
        if (i < half)
            fill1[g->edges[i].from]++;          /* the first half's count in each row */
    }
    for (uint32_t v = 0; v < g->n; v++)
        start[v + 1] += start[v];
    for (uint32_t v = 0; v < g->n; v++) {       /* each row: the first half, then the second */
        fill0[v] = start[v];
        fill1[v] += start[v];
    }
    while (vmid < g->n && start[vmid] < half)
        vmid++;
    bool threaded = g->m >= (1u << 16);
    scatter_part s0 = {g->edges, sorted, 0, half, fill0}, s1 = {g->edges, sorted, half, g->m,
                                                                fill1};
    both(scatter, &s0, &s1, threaded);
    free(g->edges);
    g->edges = sorted;
    rows_part r0 = {g->edges, start, 0, vmid}, r1 = {g->edges, start, vmid, g->n};
    both(sort_rows, &r0, &r1, threaded);
    free(start);
    free(fill0);
    free(fill1);
    return AP_OK;
}

int ap_graph__index(ap_graph *g, ap_error *err)
{
    int rc;
    if ((rc = sort_edges(g, err)) < 0)
        return rc;
    g->off = ap_graph__big((size_t)g->n + 1, sizeof *g->off);
    g->in_off = ap_graph__big((size_t)g->n + 1, sizeof *g->in_off);
    g->in_edge = ap_graph__big((size_t)g->m + 1, sizeof *g->in_edge);
    if (g->off == NULL || g->in_off == NULL || g->in_edge == NULL)
        return ap_error_nomem(err);
    memset(g->off, 0, ((size_t)g->n + 1) * sizeof *g->off);
    memset(g->in_off, 0, ((size_t)g->n + 1) * sizeof *g->in_off);
    for (uint32_t i = 0; i < g->m; i++) {
        ap_edge *e = &g->edges[i];
        e->live = e->own_live && g->nodes[e->from].live && g->nodes[e->to].live;
        g->off[e->from + 1]++;
        g->in_off[e->to + 1]++;
    }
    for (uint32_t v = 0; v < g->n; v++) {
        g->off[v + 1] += g->off[v];
        g->in_off[v + 1] += g->in_off[v];
    }
    {
        uint32_t *fill = ap_graph__big((size_t)g->n + 1, sizeof *fill);
        if (fill == NULL)
            return ap_error_nomem(err);
        memcpy(fill, g->in_off, ((size_t)g->n + 1) * sizeof *fill);
        for (uint32_t i = 0; i < g->m; i++)
            g->in_edge[fill[g->edges[i].to]++] = i;
        free(fill);
    }
    return AP_OK;
}

void ap_graph_free(ap_graph *g)
{
    if (g == NULL)
        return;
    for (uint32_t v = 0; g->node_json != NULL && v < g->n; v++)
        json_decref(g->node_json[v]);
    for (uint32_t e = 0; g->edge_json != NULL && e < g->m; e++)
        json_decref(g->edge_json[e]);
    free(g->node_json);
    free(g->edge_json);
    while (g->strings != NULL) {
        ap_chunk *next = g->strings->next;
        free(g->strings);
        g->strings = next;
    }
    for (unsigned i = 0; i < AP_MAX_RIGHTS; i++)
        free(g->vocab_names[i]);
    for (size_t i = 0; g->sources != NULL && i < g->nsources; i++)
        free(g->sources[i].path);
    free(g->sources);
    if (g->ig_built)
        igraph_destroy(&g->ig);
    free(g->ig_map);
    free(g->origin);
    free(g->nodes);
    free(g->edges);
    free(g->off);
    free(g->in_off);
    free(g->in_edge);
    free(g);
}

uint32_t ap_graph_node_count(const ap_graph *g) { return g->n; }
uint32_t ap_graph_edge_count(const ap_graph *g) { return g->m; }
int64_t ap_graph_snapshot(const ap_graph *g) { return g->snap; }
int64_t ap_graph_at(const ap_graph *g) { return g->at; }
const ap_vocab *ap_graph_vocab(const ap_graph *g) { return &g->vocab; }
const ap_node *ap_graph_node(const ap_graph *g, uint32_t v) { return &g->nodes[v]; }
const ap_edge *ap_graph_edge(const ap_graph *g, uint32_t e) { return &g->edges[e]; }
uint32_t ap_graph_out_begin(const ap_graph *g, uint32_t v) { return g->off[v]; }
uint32_t ap_graph_out_end(const ap_graph *g, uint32_t v) { return g->off[v + 1]; }
uint32_t ap_graph_in_begin(const ap_graph *g, uint32_t v) { return g->in_off[v]; }
uint32_t ap_graph_in_end(const ap_graph *g, uint32_t v) { return g->in_off[v + 1]; }
uint32_t ap_graph_in_edge(const ap_graph *g, uint32_t i) { return g->in_edge[i]; }

const char *ap_graph_source_path(const ap_graph *g, int64_t file)
{
    for (size_t i = 0; i < g->nsources; i++)
        if (g->sources[i].id == file)
            return g->sources[i].path;
    return "?";
}

int64_t ap_graph_find(const ap_graph *g, const char *id)
{
    uint32_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(g->nodes[mid].id, id);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static json_t *attrs_of(json_t **cache, const char *text)
{
    if (*cache == NULL)
        *cache = json_loads(text, 0, NULL);
    return *cache;
}

static const char *obj_str(json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

static bool obj_bool(json_t *obj, const char *key, bool dflt)
{
    json_t *v = json_object_get(obj, key);
    return json_is_boolean(v) ? json_is_true(v) : dflt;
}

const char *ap_graph_node_str(const ap_graph *g, uint32_t v, const char *key)
{
    return obj_str(attrs_of(&g->node_json[v], g->nodes[v].attrs), key);
}

bool ap_graph_node_time(const ap_graph *g, uint32_t v, const char *key, int64_t *out)
{
    return ap_time_parse(ap_graph_node_str(g, v, key), out);
}

bool ap_graph_node_bool(const ap_graph *g, uint32_t v, const char *key, bool dflt)
{
    return obj_bool(attrs_of(&g->node_json[v], g->nodes[v].attrs), key, dflt);
}

const char *ap_graph_edge_str(const ap_graph *g, uint32_t e, const char *key)
{
    return obj_str(attrs_of(&g->edge_json[e], g->edges[e].attrs), key);
}

bool ap_graph_edge_bool(const ap_graph *g, uint32_t e, const char *key, bool dflt)
{
    return obj_bool(attrs_of(&g->edge_json[e], g->edges[e].attrs), key, dflt);
}

const char *ap_graph_node_label(const ap_graph *g, uint32_t v)
{
    const char *name = ap_graph_node_str(g, v, "name");
    return name != NULL && name[0] != '\0' ? name : g->nodes[v].id;
}

const igraph_t *ap_graph_igraph(ap_graph *g, const uint32_t **edge_map)
{
    igraph_vector_int_t ev;
    igraph_integer_t k = 0;
    if (!g->ig_built) {
        uint32_t live = 0;
        for (uint32_t i = 0; i < g->m; i++)
            live += g->edges[i].live && g->edges[i].traversable;
        if ((g->ig_map = malloc(((size_t)live + 1) * sizeof *g->ig_map)) == NULL)
            return NULL;
        if (igraph_vector_int_init(&ev, 2 * (igraph_integer_t)live) != IGRAPH_SUCCESS)
            return NULL;
        for (uint32_t i = 0; i < g->m; i++) {
            const ap_edge *e = &g->edges[i];
            if (!(e->live && e->traversable))
                continue;
            VECTOR(ev)[2 * k] = e->from;
            VECTOR(ev)[2 * k + 1] = e->to;
            g->ig_map[k++] = i;
        }
        if (igraph_create(&g->ig, &ev, g->n, IGRAPH_DIRECTED) != IGRAPH_SUCCESS) {
            igraph_vector_int_destroy(&ev);
            return NULL;
        }
        igraph_vector_int_destroy(&ev);
        g->ig_built = 1;
    }
    if (edge_map != NULL)
        *edge_map = g->ig_map;
    return &g->ig;
}
