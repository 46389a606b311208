/* graph/csr.c: the in-memory graph. A snapshot's nodes (sorted by id) and edges (sorted by
 * from, to, id) as compressed sparse rows with per-edge rights, built once and never changed. */
#define _DEFAULT_SOURCE         /* madvise's MADV_HUGEPAGE */
#include <stdlib.h>
#include <string.h>

#include <sys/mman.h>

#include <jansson.h>

#include "authpath/graph.h"
#include "graph_internal.h"

const char *ap_graph__intern(ap_graph *g, const unsigned char *s)
{
    size_t len;
    ap_chunk *c = g->strings;
    if (s == NULL)
        s = (const unsigned char *)"";
    len = strlen((const char *)s) + 1;
    if (c == NULL || c->cap - c->used < len) {
        size_t cap = len > (1u << 20) ? len : (1u << 20);
        if ((c = malloc(sizeof *c + cap)) == NULL)
            return NULL;
        c->next = g->strings;
        c->used = 0;
        c->cap = cap;
        g->strings = c;
    }
    char *p = c->data + c->used;
    memcpy(p, s, len);
    c->used += len;
    return p;
}

static int64_t col_time(sqlite3_stmt *stmt, int i)
{
    return sqlite3_column_type(stmt, i) == SQLITE_NULL ? AP_TIME_NONE
                                                       : sqlite3_column_int64(stmt, i);
}

static bool own_live(ap_state state, int64_t vf, int64_t exp, int64_t at)
{
    return ap_state_is_live(state) && (vf == AP_TIME_NONE || vf <= at)
           && (exp == AP_TIME_NONE || at < exp);
}

#define SNAP_FILTER "snap_from <= ?1 AND (snap_to IS NULL OR snap_to > ?1)"

/* A large array is written once, front to back: ask for huge pages, so that filling it takes
 * one page fault per 2 MiB instead of per 4 KiB (a hint; nothing changes when refused). */
void ap_graph__huge(void *p, size_t size)
{
#ifdef MADV_HUGEPAGE
    const uintptr_t huge = (uintptr_t)1 << 21;
    uintptr_t lo = ((uintptr_t)p + huge - 1) & ~(huge - 1);
    uintptr_t hi = ((uintptr_t)p + size) & ~(huge - 1);
    if (size >= 2 * huge && hi > lo)
        madvise((void *)lo, hi - lo, MADV_HUGEPAGE);
#else
    (void)p;
    (void)size;
#endif
}

/* Most edges have no attributes beyond their columns: share one "{}" instead of copying it. */
static const char *attrs_text(ap_graph *g, sqlite3_stmt *stmt, int i)
{
    const unsigned char *s = sqlite3_column_text(stmt, i);
    if (s == NULL || (s[0] == '{' && s[1] == '}' && s[2] == '\0'))
        return "{}";
    return ap_graph__intern(g, s);
}

/* One integer from a query with no parameters (0 when it has no row). */
static int64_t query_int(const ap_store *st, const char *sql)
{
    sqlite3_stmt *stmt = NULL;
    int64_t v = 0;
    if (sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL) == SQLITE_OK
        && sqlite3_step(stmt) == SQLITE_ROW)
        v = sqlite3_column_int64(stmt, 0);
    sqlite3_finalize(stmt);
    return v;
}

/* Nodes in id order without sorting: the snapshot's rows are read by table scan into an array
 * by ident key, then ident's unique index on id walks the keys in id order. *key_map maps an
 * ident key to the node index (UINT32_MAX: not in the snapshot). */
static int load_nodes(ap_graph *g, const ap_store *st, uint32_t **key_map, int64_t *nkeys,
                      ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    ap_node *by_key = NULL;
    uint32_t present = 0;
    int rc;
    *key_map = NULL;
    *nkeys = query_int(st, "SELECT coalesce(max(key), 0) + 1 FROM ident");
    if (*nkeys <= 0 || *nkeys > UINT32_MAX)
        return ap_error_set(err, AP_EIO, "the database is inconsistent: bad node keys");
    if ((by_key = calloc((size_t)*nkeys, sizeof *by_key)) == NULL
        || (*key_map = malloc((size_t)*nkeys * sizeof **key_map)) == NULL)
        goto nomem;
    ap_graph__huge(by_key, (size_t)*nkeys * sizeof *by_key);
    memset(*key_map, 0xff, (size_t)*nkeys * sizeof **key_map);
    if ((rc = ap_store__prepare(st, &stmt,
             "SELECT key, kind, state, valid_from, expires, sensitivity, attrs, file, line, col"
             " FROM node NOT INDEXED WHERE " SNAP_FILTER, err)) < 0)
        goto cleanup;
    sqlite3_bind_int64(stmt, 1, g->snap);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t key = sqlite3_column_int64(stmt, 0);
        ap_node *nd;
        if (key < 0 || key >= *nkeys || by_key[key].attrs != NULL) {
            rc = ap_error_set(err, AP_EIO, "the database is inconsistent: a node of snapshot "
                              "%lld has no single identity", (long long)g->snap);
            goto cleanup;
        }
        nd = &by_key[key];
        nd->kind = (ap_kind)sqlite3_column_int(stmt, 1);
        nd->state = (ap_state)sqlite3_column_int(stmt, 2);
        nd->valid_from = col_time(stmt, 3);
        nd->expires = col_time(stmt, 4);
        if (sqlite3_column_type(stmt, 5) != SQLITE_NULL)
            nd->sensitivity = (ap_sensitivity)sqlite3_column_int(stmt, 5);
        else if (nd->kind == AP_KIND_RESOURCE || nd->kind == AP_KIND_WORKFLOW)
            nd->sensitivity = AP_SENS_INTERNAL;
        else
            nd->sensitivity = AP_SENS_NONE;
        /* DESIGN.md: a partner's state and contract never stop traversal */
        nd->live = nd->kind == AP_KIND_PARTNER
                   || own_live(nd->state, nd->valid_from, nd->expires, g->at);
        nd->file = sqlite3_column_int64(stmt, 7);
        nd->line = (unsigned)sqlite3_column_int(stmt, 8);
        nd->col = (unsigned)sqlite3_column_int(stmt, 9);
        if ((nd->attrs = attrs_text(g, stmt, 6)) == NULL)
            goto nomem;
        present++;
    }
    if (rc != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "loading nodes");
        goto cleanup;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if ((g->nodes = malloc(((size_t)present + 1) * sizeof *g->nodes)) == NULL)
        goto nomem;
    ap_graph__huge(g->nodes, ((size_t)present + 1) * sizeof *g->nodes);
    /* the unique index on ident(id) is in id order (BINARY collation: strcmp's order) */
    if ((rc = ap_store__prepare(st, &stmt, "SELECT key, id FROM ident ORDER BY id", err)) < 0)
        goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t key = sqlite3_column_int64(stmt, 0);
        if (key < 0 || key >= *nkeys || by_key[key].attrs == NULL)
            continue;
        ap_node *nd = &g->nodes[g->n];
        *nd = by_key[key];
        if ((nd->id = ap_graph__intern(g, sqlite3_column_text(stmt, 1))) == NULL)
            goto nomem;
        (*key_map)[key] = g->n++;
    }
    if (rc != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "loading node ids");
        goto cleanup;
    }
    if (g->n != present) {
        rc = ap_error_set(err, AP_EIO, "the database is inconsistent: a node of snapshot %lld "
                          "has no id", (long long)g->snap);
        goto cleanup;
    }
    rc = AP_OK;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(by_key);
    sqlite3_finalize(stmt);
    return rc;
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

/* Edges by table scan; the array is sized from the largest row id, an upper bound on the rows
 * of any snapshot (pages never touched cost nothing), and trimmed at the end. */
static int load_edges(ap_graph *g, const ap_store *st, const uint32_t *key_map, int64_t nkeys,
                      ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int64_t cap = query_int(st, "SELECT coalesce(max(rid), 0) FROM edge");
    int rc;
    if (cap < 0 || cap >= UINT32_MAX)
        return ap_error_set(err, AP_EIO, "the database holds too many edges");
    if ((g->edges = malloc(((size_t)cap + 1) * sizeof *g->edges)) == NULL)
        return ap_error_nomem(err);
    ap_graph__huge(g->edges, ((size_t)cap + 1) * sizeof *g->edges);
    if ((rc = ap_store__prepare(st, &stmt,
             "SELECT id, src, dst, kind, rights, requires, escalates, declared, state,"
             " valid_from, expires, attrs, file, line, col FROM edge NOT INDEXED"
             " WHERE " SNAP_FILTER, err)) < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, g->snap);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t a = sqlite3_column_int64(stmt, 1), b = sqlite3_column_int64(stmt, 2);
        ap_edge *e;
        if (a < 0 || a >= nkeys || b < 0 || b >= nkeys || key_map[a] == UINT32_MAX
            || key_map[b] == UINT32_MAX || g->m >= (uint32_t)cap) {
            rc = ap_error_set(err, AP_EIO, "the database is inconsistent: an edge of snapshot "
                              "%lld names a node that is not in it", (long long)g->snap);
            goto cleanup;
        }
        e = &g->edges[g->m];
        e->id = ap_graph__intern(g, sqlite3_column_text(stmt, 0));
        e->from = key_map[a];
        e->to = key_map[b];
        e->kind = (ap_edge_kind)sqlite3_column_int(stmt, 3);
        e->rights = (ap_rights)sqlite3_column_int64(stmt, 4);
        e->requires = (ap_rights)sqlite3_column_int64(stmt, 5);
        e->escalates = sqlite3_column_int(stmt, 6) != 0;
        e->declared = sqlite3_column_int(stmt, 7) != 0;
        e->traversable = e->kind != AP_EDGE_DEPENDS_ON;
        e->state = (ap_state)sqlite3_column_int(stmt, 8);
        e->valid_from = col_time(stmt, 9);
        e->expires = col_time(stmt, 10);
        e->own_live = own_live(e->state, e->valid_from, e->expires, g->at);
        e->attrs = attrs_text(g, stmt, 11);
        e->file = sqlite3_column_int64(stmt, 12);
        e->line = (unsigned)sqlite3_column_int(stmt, 13);
        e->col = (unsigned)sqlite3_column_int(stmt, 14);
        if (e->id == NULL || e->attrs == NULL)
            goto nomem;
        g->m++;
    }
    if (rc != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "loading edges");
        goto cleanup;
    }
    {
        ap_edge *p = realloc(g->edges, ((size_t)g->m + 1) * sizeof *p);
        if (p != NULL)
            g->edges = p;
    }
    rc = AP_OK;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    sqlite3_finalize(stmt);
    return rc;
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

/* Edges into (from, to, id) order: nothing to do when they are in order already (a derived
 * graph); else a counting sort by source, applied in place by following the permutation's
 * cycles (no second copy of the edges), then each row sorted by (to, id). */
static int sort_edges(ap_graph *g, ap_error *err)
{
    uint32_t i;
    for (i = 1; i < g->m; i++)
        if (ap_graph__edge_cmp(&g->edges[i - 1], &g->edges[i]) > 0)
            break;
    if (i >= g->m)
        return AP_OK;
    uint32_t *dest = malloc(((size_t)g->m + 1) * sizeof *dest);
    uint32_t *fill = calloc((size_t)g->n + 1, sizeof *fill);
    if (dest == NULL || fill == NULL) {
        free(dest);
        free(fill);
        return ap_error_nomem(err);
    }
    for (i = 0; i < g->m; i++)
        fill[g->edges[i].from + 1]++;
    for (uint32_t v = 0; v < g->n; v++)
        fill[v + 1] += fill[v];
    for (i = 0; i < g->m; i++)
        dest[i] = fill[g->edges[i].from]++;
    for (i = 0; i < g->m; i++)
        while (dest[i] != i) {              /* each swap puts one edge where it belongs */
            uint32_t j = dest[i];
            ap_edge t = g->edges[j];
            g->edges[j] = g->edges[i];
            g->edges[i] = t;
            dest[i] = dest[j];
            dest[j] = j;
        }
    for (uint32_t v = 0, lo = 0; v < g->n; v++) {     /* fill[v] is now the end of row v */
        sort_run(g->edges + lo, fill[v] - lo);
        lo = fill[v];
    }
    free(dest);
    free(fill);
    return AP_OK;
}

int ap_graph__index(ap_graph *g, ap_error *err)
{
    int rc;
    if ((rc = sort_edges(g, err)) < 0)
        return rc;
    g->off = calloc((size_t)g->n + 1, sizeof *g->off);
    g->in_off = calloc((size_t)g->n + 1, sizeof *g->in_off);
    g->in_edge = malloc(((size_t)g->m + 1) * sizeof *g->in_edge);
    if (g->off == NULL || g->in_off == NULL || g->in_edge == NULL)
        return ap_error_nomem(err);
    ap_graph__huge(g->in_edge, ((size_t)g->m + 1) * sizeof *g->in_edge);
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
        uint32_t *fill = malloc(((size_t)g->n + 1) * sizeof *fill);
        if (fill == NULL)
            return ap_error_nomem(err);
        memcpy(fill, g->in_off, ((size_t)g->n + 1) * sizeof *fill);
        for (uint32_t i = 0; i < g->m; i++)
            g->in_edge[fill[g->edges[i].to]++] = i;
        free(fill);
    }
    return AP_OK;
}

static int copy_catalogue(ap_graph *g, const ap_store *st, ap_error *err)
{
    const ap_vocab *v = ap_store_vocab(st);
    ap_vocab_init(&g->vocab);
    for (unsigned i = AP_R_BUILTIN; i < v->count; i++) {
        if ((g->vocab_names[i] = strdup(v->names[i])) == NULL)
            return ap_error_nomem(err);
        g->vocab.names[i] = g->vocab_names[i];
        g->vocab.count = i + 1;
    }
    g->nsources = st->nsources;
    if ((g->sources = calloc(st->nsources + 1, sizeof *g->sources)) == NULL)
        return ap_error_nomem(err);
    for (size_t i = 0; i < st->nsources; i++) {
        g->sources[i].id = st->sources[i].id;
        if ((g->sources[i].path = strdup(st->sources[i].path)) == NULL)
            return ap_error_nomem(err);
    }
    return AP_OK;
}

int ap_graph_load(ap_graph **out, const ap_store *st, int64_t snap, int64_t at, ap_error *err)
{
    ap_graph *g;
    uint32_t *key_map = NULL;
    int64_t nkeys = 0;
    int rc;
    *out = NULL;
    if (snap == 0) {
        if ((rc = ap_store_latest(st, &snap, err)) < 0)
            return rc;
        if (snap == 0)
            return ap_error_set(err, AP_ENOTFOUND, "the database holds no snapshot yet: "
                                "import an inventory first");
    } else if ((rc = ap_store_snapshot_exists(st, snap, err)) < 0) {
        return rc;
    }
    if ((g = calloc(1, sizeof *g)) == NULL)
        return ap_error_nomem(err);
    g->snap = snap;
    g->at = at;
    /* one read transaction: nodes and edges come from the same state of the file */
    if ((rc = ap_store__exec(st, "BEGIN", err)) < 0)
        goto fail;
    rc = load_nodes(g, st, &key_map, &nkeys, err);
    if (rc == AP_OK)
        rc = load_edges(g, st, key_map, nkeys, err);
    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (rc < 0 || (rc = ap_graph__index(g, err)) < 0 || (rc = copy_catalogue(g, st, err)) < 0)
        goto fail;
    if ((g->node_json = calloc((size_t)g->n + 1, sizeof *g->node_json)) == NULL
        || (g->edge_json = calloc((size_t)g->m + 1, sizeof *g->edge_json)) == NULL) {
        rc = ap_error_nomem(err);
        goto fail;
    }
    free(key_map);
    *out = g;
    return AP_OK;
fail:
    free(key_map);
    ap_graph_free(g);
    return rc;
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
