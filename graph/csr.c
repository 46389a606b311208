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

/* sort_edges() in three steps. (1) An in-place pass moves each edge into its bucket (the top
 * 8 bits of its source), following cycles from bucket to bucket: each bucket is filled front
 * to back, so the edge it takes next is prefetched while the others move. (2) Each bucket, a
 * few MiB at most in a large graph, is counting-sorted by source through a buffer the size of
 * the largest bucket. (3) Each row is sorted by (to, id). No second copy of the edges is made:
 * fresh pages cost more than the moves on a virtual machine. Large graphs do half of (2) and
 * (3) on a second thread. */
#define BUCKETS 256

static void bucket_pass(ap_edge *e, uint32_t m, unsigned shift, uint32_t *bstart)
{
    uint32_t next[BUCKETS], end[BUCKETS];
    memset(bstart, 0, (BUCKETS + 1) * sizeof *bstart);
    for (uint32_t i = 0; i < m; i++)
        bstart[(e[i].from >> shift) + 1]++;
    for (unsigned b = 0; b < BUCKETS; b++)
        bstart[b + 1] += bstart[b];
    for (unsigned b = 0; b < BUCKETS; b++) {
        next[b] = bstart[b];
        end[b] = bstart[b + 1];
    }
    for (unsigned b = 0; b < BUCKETS; b++)
        while (next[b] < end[b]) {
            ap_edge x = e[next[b]];
            unsigned c = x.from >> shift;
            while (c != b) {                /* x belongs to bucket c: swap it for c's next */
                ap_edge y = e[next[c]];
                e[next[c]++] = x;
                if (next[c] < end[c])
                    __builtin_prefetch(&e[next[c]], 0, 0);
                x = y;
                c = x.from >> shift;
            }
            e[next[b]++] = x;
        }
}

/* Buckets [blo, bhi) sorted by source through buf, then their rows by (to, id). */
typedef struct {
    ap_edge *edges, *buf;
    const uint32_t *bstart;
    uint32_t *fill;             /* (1 << shift) + 1 counters */
    unsigned shift, blo, bhi;
    uint32_t n;
} bucket_part;

static void *sort_buckets(void *arg)
{
    bucket_part *p = arg;
    const uint32_t width = (uint32_t)1 << p->shift;
    for (unsigned b = p->blo; b < p->bhi; b++) {
        ap_edge *run = p->edges + p->bstart[b];
        uint32_t len = p->bstart[b + 1] - p->bstart[b], base = (uint32_t)b << p->shift;
        if (len == 0)
            continue;
        memset(p->fill, 0, ((size_t)width + 1) * sizeof *p->fill);
        for (uint32_t i = 0; i < len; i++)
            p->fill[run[i].from - base + 1]++;
        for (uint32_t v = 0; v < width; v++)
            p->fill[v + 1] += p->fill[v];
        for (uint32_t i = 0; i < len; i++)
            p->buf[p->fill[run[i].from - base]++] = run[i];
        memcpy(run, p->buf, (size_t)len * sizeof *run);
        /* fill[v] is now the end of row base + v within the bucket */
        for (uint32_t v = 0, lo = 0; v < width && base + v < p->n; v++) {
            sort_run(run + lo, p->fill[v] - lo);
            lo = p->fill[v];
        }
    }
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
 * graph, a database written in that order), else the three steps above. */
static int sort_edges(ap_graph *g, ap_error *err)
{
    uint32_t i, bstart[BUCKETS + 1], biggest = 0;
    unsigned shift = 0, bmid = 0;
    for (i = 1; i < g->m; i++)
        if (ap_graph__edge_cmp(&g->edges[i - 1], &g->edges[i]) > 0)
            break;
    if (i >= g->m)
        return AP_OK;
    while (g->n > 0 && ((g->n - 1) >> shift) >= BUCKETS)
        shift++;
    bucket_pass(g->edges, g->m, shift, bstart);
    for (unsigned b = 0; b < BUCKETS; b++) {
        if (bstart[b + 1] - bstart[b] > biggest)
            biggest = bstart[b + 1] - bstart[b];
        if (bstart[b] < g->m / 2)
            bmid = b + 1;
    }
    bool threaded = g->m >= (1u << 16);
    bucket_part p0 = {g->edges, NULL, bstart, NULL, shift, 0, bmid, g->n};
    bucket_part p1 = {g->edges, NULL, bstart, NULL, shift, bmid, BUCKETS, g->n};
    p0.buf = ap_graph__big(biggest + 1, sizeof *p0.buf);
    p1.buf = ap_graph__big(biggest + 1, sizeof *p1.buf);
    p0.fill = ap_graph__big(((size_t)1 << shift) + 1, sizeof *p0.fill);
    p1.fill = ap_graph__big(((size_t)1 << shift) + 1, sizeof *p1.fill);
    int rc = AP_OK;
    if (p0.buf == NULL || p1.buf == NULL || p0.fill == NULL || p1.fill == NULL)
        rc = ap_error_nomem(err);
    else
        both(sort_buckets, &p0, &p1, threaded);
    free(p0.buf);
    free(p1.buf);
    free(p0.fill);
    free(p1.fill);
    return rc;
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

void ap_graph_forget_attrs(const ap_graph *cg)
{
    ap_graph *g = (ap_graph *)cg;       /* a cache: the graph does not change */
    if (g == NULL)
        return;
    /* only the attributes parsed (the caches' other pages were never touched, and are not
     * now), unless their list could not grow */
    for (uint32_t i = 0; !g->parsed_lost && i < g->nparsed; i++) {
        json_t **at = g->parsed[i] >> 32 ? &g->edge_json[(uint32_t)g->parsed[i]]
                                         : &g->node_json[(uint32_t)g->parsed[i]];
        json_decref(*at);
        *at = NULL;
    }
    for (uint32_t v = 0; g->parsed_lost && g->node_json != NULL && v < g->n; v++) {
        json_decref(g->node_json[v]);
        g->node_json[v] = NULL;
    }
    for (uint32_t e = 0; g->parsed_lost && g->edge_json != NULL && e < g->m; e++) {
        json_decref(g->edge_json[e]);
        g->edge_json[e] = NULL;
    }
    g->nparsed = 0;
    g->parsed_lost = false;
}

void ap_graph_free(ap_graph *g)
{
    if (g == NULL)
        return;
    ap_graph_forget_attrs(g);
    free(g->parsed);
    free(g->node_json);
    free(g->edge_json);
    ap_graph__release_share(g);
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
    free(g->ref);
    free(g->own);
    free(g->nodes);
    free(g->edges);
    free(g->node_slot);
    free(g->node_live);
    free(g->edge_slot);
    free(g->node_pool);
    free(g->edge_pool);
    free(g->block_ok);
    if (!g->rows_mapped) {      /* a partial load's rows are the image's */
        free(g->off);
        free(g->in_off);
        free(g->in_edge);
    }
    ap_graph__image_unmap(g->image, g->image_len, &g->holes);
    free(g);
}

uint32_t ap_graph_node_count(const ap_graph *g) { return g->n; }
uint32_t ap_graph_edge_count(const ap_graph *g) { return g->m; }
int64_t ap_graph_snapshot(const ap_graph *g) { return g->snap; }
int64_t ap_graph_at(const ap_graph *g) { return g->at; }
const ap_vocab *ap_graph_vocab(const ap_graph *g) { return &g->vocab; }
/* A partial load builds a record on first use: its graph is changed, never its answers. */
const ap_node *ap_graph_node(const ap_graph *g, uint32_t v)
{
    return g->nodes != NULL ? &g->nodes[v] : ap_graph__lazy_node((ap_graph *)g, v);
}

bool ap_graph_node_live(const ap_graph *g, uint32_t v)
{
    return g->nodes != NULL ? g->nodes[v].live : ap_graph__lazy_node_live((ap_graph *)g, v);
}

const ap_edge *ap_graph_edge(const ap_graph *g, uint32_t e)
{
    if (g->edges != NULL)
        return &g->edges[e];
    if (g->ref != NULL)         /* derived: the shared record, or its own */
        return g->ref[e] & AP_OWN_EDGE ? &g->own[g->ref[e] & ~AP_OWN_EDGE]
                                       : &g->share->edges[g->ref[e]];
    return ap_graph__lazy_edge((ap_graph *)g, e);
}

const ap_edge *ap_graph_edge_fields(const ap_graph *g, uint32_t e, ap_edge *tmp)
{
    if (g->edges != NULL || g->ref != NULL)
        return ap_graph_edge(g, e);
    return ap_graph__lazy_edge_fields((ap_graph *)g, e, tmp);
}
uint32_t ap_graph_out_begin(const ap_graph *g, uint32_t v)
{
    return g->re_narrow && v == g->re_via ? g->re_begin : g->off[v];
}

uint32_t ap_graph_out_end(const ap_graph *g, uint32_t v)
{
    return g->re_narrow && v == g->re_via ? g->re_end : g->off[v + 1];
}

uint32_t ap_graph_out_first_to(const ap_graph *g, uint32_t u, uint32_t v)
{
    uint32_t lo = ap_graph_out_begin(g, u), hi = ap_graph_out_end(g, u);
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ap_graph_edge(g, mid)->to < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

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

int64_t ap_graph_source_snapshot(const ap_graph *g, int64_t file)
{
    for (size_t i = 0; i < g->nsources; i++)
        if (g->sources[i].id == file)
            return g->sources[i].snap;
    return 0;
}

int64_t ap_graph_find(const ap_graph *g, const char *id)
{
    uint32_t lo = 0, hi = g->n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ap_graph_node(g, mid)->id, id);
        if (c == 0)
            return mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The parsed attributes of node (or, edge: edge) i, parsed on first use and listed for
 * ap_graph_free(). */
static json_t *attrs_of(const ap_graph *cg, bool edge, uint32_t i, const char *text)
{
    ap_graph *g = (ap_graph *)cg;       /* a cache: the graph does not change */
    json_t **cache = edge ? &g->edge_json[i] : &g->node_json[i];
    if (*cache != NULL || (*cache = json_loads(text, 0, NULL)) == NULL)
        return *cache;
    if (g->nparsed == g->parsed_cap) {
        uint32_t cap = g->parsed_cap != 0 ? g->parsed_cap * 2 : 64;
        uint64_t *p = cap > g->parsed_cap ? realloc(g->parsed, cap * sizeof *p) : NULL;
        if (p == NULL) {
            g->parsed_lost = true;      /* ap_graph_free() looks at every entry then */
            return *cache;
        }
        g->parsed = p;
        g->parsed_cap = cap;
    }
    g->parsed[g->nparsed++] = (uint64_t)edge << 32 | i;
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
    return obj_str(attrs_of(g, false, v, ap_graph_node(g, v)->attrs), key);
}

/* Past the printable ASCII at t but quotes and backslashes: what jansson writes unchanged
 * between quotes and reads back unchanged. */
static const char *plain_end(const char *t)
{
    while (*t >= 0x20 && *t <= 0x7e && *t != '"' && *t != '\\')
        t++;
    return t;
}

/* The span of key's string value in attributes text of the importers' form: '{', then
 * "key":value pairs joined by ',' with keys strictly increasing (so none twice) and values
 * plain strings, true or false, then '}' and the end. 1 found, 0 absent (or not a string);
 * -1 when the text is of another form (escapes, numbers, nesting, spaces): only jansson
 * reads that. Text of this form is JSON whose key has exactly this value. */
static int canonical_str(const char *t, const char *key, const char **val, size_t *len)
{
    const char *prev = NULL;
    size_t prevlen = 0, keylen = strlen(key);
    int found = 0;
    if (*t++ != '{')
        return -1;
    if (*t == '}')
        return t[1] == '\0' ? 0 : -1;
    for (;;) {
        const char *k = t + 1;
        if (*t != '"' || *(t = plain_end(k)) != '"' || t[1] != ':')
            return -1;
        size_t klen = (size_t)(t - k);
        if (prev != NULL) {
            int cmp = memcmp(prev, k, prevlen < klen ? prevlen : klen);
            if (cmp > 0 || (cmp == 0 && prevlen >= klen))
                return -1;
        }
        prev = k;
        prevlen = klen;
        t += 2;
        if (*t == '"') {
            const char *s = t + 1;
            if (*(t = plain_end(s)) != '"')
                return -1;
            if (klen == keylen && memcmp(k, key, klen) == 0) {
                *val = s;
                *len = (size_t)(t - s);
                found = 1;
            }
            t++;
        } else if (strncmp(t, "true", 4) == 0) {
            t += 4;
        } else if (strncmp(t, "false", 5) == 0) {
            t += 5;
        } else {
            return -1;
        }
        if (*t == '}')
            return t[1] == '\0' ? found : -1;
        if (*t++ != ',')
            return -1;
    }
}

int ap_graph_node_str_copy(char **buf, size_t *cap, const ap_graph *g, uint32_t v,
                           const char *key, ap_error *err)
{
    const char *attrs = ap_graph_node(g, v)->attrs, *val = NULL;
    json_t *o = NULL;
    size_t len = 0;
    int found = attrs != NULL ? canonical_str(attrs, key, &val, &len) : 0;
    if (found < 0) {            /* jansson's, parsed and let go */
        o = json_loads(attrs, 0, NULL);
        val = json_string_value(json_object_get(o, key));
        len = val != NULL ? json_string_length(json_object_get(o, key)) : 0;
        found = val != NULL;
    }
    if (found && len + 1 > *cap) {
        char *b = realloc(*buf, len + 1);
        if (b == NULL) {
            json_decref(o);
            return ap_error_nomem(err);
        }
        *buf = b;
        *cap = len + 1;
    }
    if (found) {
        memcpy(*buf, val, len);
        (*buf)[len] = '\0';
    }
    json_decref(o);
    return found;
}

bool ap_graph_node_time(const ap_graph *g, uint32_t v, const char *key, int64_t *out)
{
    return ap_time_parse(ap_graph_node_str(g, v, key), out);
}

bool ap_graph_node_bool(const ap_graph *g, uint32_t v, const char *key, bool dflt)
{
    return obj_bool(attrs_of(g, false, v, ap_graph_node(g, v)->attrs), key, dflt);
}

const char *ap_graph_edge_str(const ap_graph *g, uint32_t e, const char *key)
{
    return obj_str(attrs_of(g, true, e, ap_graph_edge(g, e)->attrs), key);
}

bool ap_graph_edge_bool(const ap_graph *g, uint32_t e, const char *key, bool dflt)
{
    return obj_bool(attrs_of(g, true, e, ap_graph_edge(g, e)->attrs), key, dflt);
}

const char *ap_graph_node_label(const ap_graph *g, uint32_t v)
{
    const char *name = ap_graph_node_str(g, v, "name");
    return name != NULL && name[0] != '\0' ? name : ap_graph_node(g, v)->id;
}

const igraph_t *ap_graph_igraph(ap_graph *g, const uint32_t **edge_map)
{
    igraph_vector_int_t ev;
    igraph_integer_t k = 0;
    if (!g->ig_built) {
        ap_error ignored;
        uint32_t live = 0;
        if (ap_graph__full(g, &ignored) < 0)
            return NULL;
        for (uint32_t i = 0; i < g->m; i++)
            live += ap_graph_edge(g, i)->live && ap_graph_edge(g, i)->traversable;
        if ((g->ig_map = malloc(((size_t)live + 1) * sizeof *g->ig_map)) == NULL)
            return NULL;
        if (igraph_vector_int_init(&ev, 2 * (igraph_integer_t)live) != IGRAPH_SUCCESS)
            return NULL;
        for (uint32_t i = 0; i < g->m; i++) {
            const ap_edge *e = ap_graph_edge(g, i);
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
