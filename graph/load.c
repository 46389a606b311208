/* graph/load.c: reads one snapshot's rows from the store into a new graph. The edge table, by
 * far the largest, is read in rid ranges by two threads, each on its own SQLite connection. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/graph.h"
#include "graph_internal.h"

/* AP_TIME_NONE in SQL: SQLite reads this literal as the integer INT64_MIN */
#define TIME_NONE "-9223372036854775808"
#define SNAP_FILTER "snap_from <= ?1 AND (snap_to IS NULL OR snap_to > ?1)"

static int64_t col_time(sqlite3_stmt *stmt, int i)
{
    return sqlite3_column_type(stmt, i) == SQLITE_NULL ? AP_TIME_NONE
                                                       : sqlite3_column_int64(stmt, i);
}

/* Column i as text in strings (NULL: ""); NULL when out of memory. */
static const char *col_str(ap_chunk **strings, sqlite3_stmt *stmt, int i)
{
    const unsigned char *s = sqlite3_column_text(stmt, i);
    size_t len = (size_t)sqlite3_column_bytes(stmt, i);
    return ap_chunk__strdup(strings, s != NULL ? (const char *)s : "", s != NULL ? len : 0);
}

/* A node without attributes beyond its columns shares one "{}" instead of a copy. */
static const char *node_attrs(ap_chunk **strings, sqlite3_stmt *stmt, int i)
{
    const unsigned char *s = sqlite3_column_text(stmt, i);
    if (s == NULL || (s[0] == '{' && s[1] == '}' && s[2] == '\0'))
        return "{}";
    return col_str(strings, stmt, i);
}

/* The attrs texts of edges repeat (an expiry date, a note): a reader keeps one copy of each of
 * the first few thousand distinct texts and shares it (the graph never changes them). */
#define SEEN_SLOTS 8192
typedef struct {
    const char *text[SEEN_SLOTS];
    size_t len[SEEN_SLOTS];
    uint32_t hash[SEEN_SLOTS];
    unsigned used;
} seen_set;

static const char *edge_attrs(ap_chunk **strings, seen_set *seen, sqlite3_stmt *stmt, int i)
{
    const unsigned char *s = sqlite3_column_text(stmt, i);
    size_t len = (size_t)sqlite3_column_bytes(stmt, i);
    uint32_t h = 2166136261u;           /* FNV-1a */
    unsigned slot;
    const char *copy;
    if (s == NULL || (s[0] == '{' && s[1] == '}' && s[2] == '\0'))
        return "{}";
    for (size_t k = 0; k < len; k++)
        h = (h ^ s[k]) * 16777619u;
    for (slot = h & (SEEN_SLOTS - 1); seen->text[slot] != NULL;
         slot = (slot + 1) & (SEEN_SLOTS - 1))
        if (seen->hash[slot] == h && seen->len[slot] == len
            && memcmp(seen->text[slot], s, len) == 0)
            return seen->text[slot];
    if ((copy = ap_chunk__strdup(strings, (const char *)s, len)) != NULL
        && seen->used < SEEN_SLOTS / 2) {      /* half full at most: probes stay short */
        seen->text[slot] = copy;
        seen->len[slot] = len;
        seen->hash[slot] = h;
        seen->used++;
    }
    return copy;
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

/* Nodes in id order without sorting: ident's unique index on id walks every key in id order,
 * giving each its place (rank) in g->nodes; the snapshot's node rows, read by table scan, go
 * to their key's place; places of keys not in the snapshot are then closed up. *key_map maps
 * an ident key to the node index (UINT32_MAX: not in the snapshot). */
static int load_nodes(ap_graph *g, const ap_store *st, uint32_t **key_map, int64_t nkeys,
                      ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    uint32_t *map = NULL, places = 0, present = 0;
    int rc;
    *key_map = NULL;
    /* nkeys places at most; only those written are ever touched */
    if ((map = ap_graph__big((size_t)nkeys, sizeof *map)) == NULL
        || (g->nodes = ap_graph__big((size_t)nkeys + 1, sizeof *g->nodes)) == NULL)
        goto nomem;
    memset(map, 0xff, (size_t)nkeys * sizeof *map);
    /* the unique index on ident(id) is in id order (BINARY collation: strcmp's order) */
    if ((rc = ap_store__prepare(st, &stmt, "SELECT key, id FROM ident ORDER BY id", err)) < 0)
        goto cleanup;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t key = sqlite3_column_int64(stmt, 0);
        if (key < 0 || key >= nkeys)
            continue;
        memset(&g->nodes[places], 0, sizeof *g->nodes);   /* attrs NULL: no row yet */
        if ((g->nodes[places].id = col_str(&g->strings, stmt, 1)) == NULL)
            goto nomem;
        map[key] = places++;
    }
    if (rc != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "loading node ids");
        goto cleanup;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    if ((rc = ap_store__prepare(st, &stmt,
             "SELECT key, kind, state, valid_from, expires, sensitivity, attrs, file, line, col"
             " FROM node NOT INDEXED WHERE " SNAP_FILTER, err)) < 0)
        goto cleanup;
    sqlite3_bind_int64(stmt, 1, g->snap);
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int64_t key = sqlite3_column_int64(stmt, 0);
        ap_node *nd;
        if (key < 0 || key >= nkeys || (map[key] != UINT32_MAX
                                        && g->nodes[map[key]].attrs != NULL)) {
            rc = ap_error_set(err, AP_EIO, "the database is inconsistent: a node of snapshot "
                              "%lld has no single identity", (long long)g->snap);
            goto cleanup;
        }
        if (map[key] == UINT32_MAX) {
            rc = ap_error_set(err, AP_EIO, "the database is inconsistent: a node of snapshot "
                              "%lld has no id", (long long)g->snap);
            goto cleanup;
        }
        nd = &g->nodes[map[key]];
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
        /* docs/design.md, liveness: a partner's state and contract never stop traversal */
        nd->live = nd->kind == AP_KIND_PARTNER
                   || ap_graph__own_live(nd->state, nd->valid_from, nd->expires, g->at);
        nd->file = sqlite3_column_int64(stmt, 7);
        nd->line = (unsigned)sqlite3_column_int(stmt, 8);
        nd->col = (unsigned)sqlite3_column_int(stmt, 9);
        if ((nd->attrs = node_attrs(&g->strings, stmt, 6)) == NULL)
            goto nomem;
        present++;
    }
    if (rc != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "loading nodes");
        goto cleanup;
    }
    if (present < places) {     /* close up the places of keys not in the snapshot */
        uint32_t *index = NULL; /* place -> node index */
        if ((index = ap_graph__big(places, sizeof *index)) == NULL)
            goto nomem;
        for (uint32_t p = 0; p < places; p++) {
            index[p] = g->nodes[p].attrs != NULL ? g->n : UINT32_MAX;
            if (g->nodes[p].attrs != NULL)
                g->nodes[g->n++] = g->nodes[p];
        }
        for (int64_t key = 0; key < nkeys; key++)
            if (map[key] != UINT32_MAX)
                map[key] = index[map[key]];
        free(index);
        ap_node *trimmed = realloc(g->nodes, ((size_t)g->n + 1) * sizeof *trimmed);
        if (trimmed != NULL)
            g->nodes = trimmed;
    } else {
        g->n = places;
    }
    *key_map = map;
    map = NULL;
    rc = AP_OK;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(map);
    sqlite3_finalize(stmt);
    return rc;
}

/* ---- Edges: work items of `chunk` rids, claimed by whichever reader is free. ----
 * Item k covers rids [k * chunk + 1, (k + 1) * chunk + 1) and writes its rows, in rid order,
 * from edges[k * chunk] on (rids are at most cap, the largest, so an item's rows fit in its
 * place): neither reader needs to know how many rows the other found, and gather_edges()
 * closes up the places left empty by rows of other snapshots afterwards. Rows of a snapshot
 * are never deleted or changed by later imports (only their snap_to is set), so two read
 * transactions begun at different moments see the same rows of snapshot snap. */

typedef struct {
    ap_edge *edges;         /* cap places: from and to hold ident keys until gather_edges() */
    uint32_t *found;        /* rows found in each work item */
    int64_t cap, nkeys, snap, at;
    uint32_t chunk, items;
    atomic_uint next;       /* the next work item to claim */
    atomic_bool failed;     /* a reader failed: the other stops early */
} edge_job;

typedef struct {
    edge_job *job;
    const char *path;       /* the database file, for the second reader's connection */
    sqlite3 *db;            /* this reader's connection */
    ap_chunk *strings;      /* this reader's copies; the graph takes them over */
    seen_set *seen;
    int rc;
    ap_error err;
} edge_reader;

static int read_edge_row(edge_reader *r, sqlite3_stmt *stmt, ap_edge *e)
{
    const edge_job *job = r->job;
    int64_t a = sqlite3_column_int64(stmt, 1), b = sqlite3_column_int64(stmt, 2);
    /* kind, state, escalates, declared (SQL's << and | bind alike: hence the brackets) */
    int64_t small = sqlite3_column_int64(stmt, 3);
    if (a < 0 || a >= job->nkeys || b < 0 || b >= job->nkeys)
        return ap_error_set(&r->err, AP_EIO, "the database is inconsistent: an edge of "
                            "snapshot %lld names a node that is not in it", (long long)job->snap);
    e->id = col_str(&r->strings, stmt, 0);
    e->from = (uint32_t)a;
    e->to = (uint32_t)b;
    e->kind = (uint8_t)(small & 0xff);
    e->state = (uint8_t)(small >> 8 & 0xff);
    e->escalates = (small >> 16 & 1) != 0;
    e->declared = (small >> 17 & 1) != 0;
    e->rights = (ap_rights)sqlite3_column_int64(stmt, 4);
    e->requires = (ap_rights)sqlite3_column_int64(stmt, 5);
    e->traversable = e->kind != AP_EDGE_DEPENDS_ON;
    e->valid_from = sqlite3_column_int64(stmt, 6);
    e->expires = sqlite3_column_int64(stmt, 7);
    e->own_live = ap_graph__own_live((ap_state)e->state, e->valid_from, e->expires, job->at);
    e->live = false;
    e->attrs = edge_attrs(&r->strings, r->seen, stmt, 8);
    e->file = sqlite3_column_int64(stmt, 9);
    e->line = (unsigned)sqlite3_column_int(stmt, 10);
    e->col = (unsigned)sqlite3_column_int(stmt, 11);
    if (e->id == NULL || e->attrs == NULL)
        return ap_error_nomem(&r->err);
    return AP_OK;
}

/* Claim work items until none is left; r->rc and r->err say how it ended. */
static void read_edges(edge_reader *r)
{
    edge_job *job = r->job;
    sqlite3_stmt *stmt = NULL;
    unsigned k;
    int rc;
    if (sqlite3_prepare_v2(r->db,
            "SELECT id, src, dst, kind | (state << 8) | ((escalates != 0) << 16)"
            " | ((declared != 0) << 17), rights, requires, ifnull(valid_from, " TIME_NONE "),"
            " ifnull(expires, " TIME_NONE "), attrs, file, line, col FROM edge NOT INDEXED"
            " WHERE rid >= ?2 AND rid < ?3 AND " SNAP_FILTER, -1, &stmt, NULL) != SQLITE_OK) {
        r->rc = ap_store__sqlerr(&r->err, r->db, AP_EBUG, "preparing the edge scan");
        goto cleanup;
    }
    sqlite3_bind_int64(stmt, 1, job->snap);
    while (!atomic_load(&job->failed) && (k = atomic_fetch_add(&job->next, 1)) < job->items) {
        int64_t lo = (int64_t)k * job->chunk, hi = lo + job->chunk;    /* places */
        uint32_t found = 0;
        if (hi > job->cap)
            hi = job->cap;
        sqlite3_reset(stmt);
        sqlite3_bind_int64(stmt, 2, lo + 1);
        sqlite3_bind_int64(stmt, 3, hi + 1);
        while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
            if (lo + found >= hi) {
                r->rc = ap_error_set(&r->err, AP_EBUG, "the edge scan left its rid range");
                goto cleanup;
            }
            if ((r->rc = read_edge_row(r, stmt, &job->edges[lo + found])) < 0)
                goto cleanup;
            found++;
        }
        if (rc != SQLITE_DONE) {
            r->rc = ap_store__sqlerr(&r->err, r->db, AP_EIO, "loading edges");
            goto cleanup;
        }
        job->found[k] = found;
    }
    r->rc = AP_OK;
cleanup:
    if (r->rc < 0)
        atomic_store(&job->failed, true);
    sqlite3_finalize(stmt);
}

/* The second reader: its own read-only connection to the same file and its own read
 * transaction. When the connection cannot be had it reads nothing and the first reader
 * claims every work item. */
static void *second_reader(void *arg)
{
    edge_reader *r = arg;
    r->rc = AP_OK;
    if (sqlite3_open_v2(r->path, &r->db,
                        SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        sqlite3_close(r->db);
        r->db = NULL;
        return NULL;
    }
    sqlite3_busy_timeout(r->db, AP_STORE_BUSY_MS);
    if (sqlite3_exec(r->db, "BEGIN", NULL, NULL, NULL) == SQLITE_OK) {
        read_edges(r);
        sqlite3_exec(r->db, "COMMIT", NULL, NULL, NULL);
    }
    sqlite3_close(r->db);
    r->db = NULL;
    return NULL;
}

/* Close up the places left empty by the readers, turn ident keys into node indices, trim. */
static int gather_edges(ap_graph *g, const edge_job *job, const uint32_t *key_map,
                        ap_error *err)
{
    ap_edge *edges = job->edges;
    uint32_t m = 0;
    for (uint32_t k = 0; k < job->items; k++) {
        size_t lo = (size_t)k * job->chunk;
        if (job->found[k] > 0 && m != lo)
            memmove(&edges[m], &edges[lo], (size_t)job->found[k] * sizeof *edges);
        for (uint32_t i = m; i < m + job->found[k]; i++) {
            ap_edge *e = &edges[i];
            e->from = key_map[e->from];
            e->to = key_map[e->to];
            if (e->from == UINT32_MAX || e->to == UINT32_MAX)
                return ap_error_set(err, AP_EIO, "the database is inconsistent: an edge of "
                                    "snapshot %lld names a node that is not in it",
                                    (long long)g->snap);
        }
        m += job->found[k];
    }
    g->m = m;
    ap_edge *p = realloc(g->edges, ((size_t)m + 1) * sizeof *p);
    if (p != NULL)
        g->edges = p;
    return AP_OK;
}

/* Append the strings of list to g's. */
static void adopt_strings(ap_graph *g, ap_chunk *list)
{
    while (list != NULL) {
        ap_chunk *next = list->next;
        list->next = g->strings;
        g->strings = list;
        list = next;
    }
}

/* Nodes on st's connection while a second reader starts on the edges; then both read edges. */
static int load_rows(ap_graph *g, const ap_store *st, const ap_load_opts *opts,
                     ap_error *err)
{
    edge_job job = {0};
    edge_reader mine = {0}, other = {0};
    pthread_t thread;
    bool threaded = false;
    uint32_t *key_map = NULL;
    const char *file = sqlite3_db_filename(st->db, "main");
    int64_t nkeys = query_int(st, "SELECT coalesce(max(key), 0) + 1 FROM ident");
    int rc;
    job.cap = query_int(st, "SELECT coalesce(max(rid), 0) FROM edge");
    if (nkeys <= 0 || nkeys > UINT32_MAX)
        return ap_error_set(err, AP_EIO, "the database is inconsistent: bad node keys");
    if (job.cap < 0 || job.cap >= UINT32_MAX)
        return ap_error_set(err, AP_EIO, "the database holds too many edges");
    job.nkeys = nkeys;
    job.snap = g->snap;
    job.at = g->at;
    job.chunk = opts->chunk > 0 ? opts->chunk : 1;
    job.items = (uint32_t)((job.cap + job.chunk - 1) / job.chunk);
    atomic_init(&job.next, 0);
    atomic_init(&job.failed, false);
    /* pages never touched cost nothing: the array is trimmed to the rows found at the end */
    if ((g->edges = ap_graph__big((size_t)job.cap + 1, sizeof *g->edges)) == NULL
        || (job.found = calloc((size_t)job.items + 1, sizeof *job.found)) == NULL
        || (mine.seen = calloc(1, sizeof *mine.seen)) == NULL
        || (other.seen = calloc(1, sizeof *other.seen)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    job.edges = g->edges;
    mine.job = other.job = &job;
    mine.db = st->db;
    other.path = file;
    /* an in-memory database has no second connection; a small one is not worth a thread */
    if (opts->threads > 1 && job.items > 1 && file != NULL && file[0] != '\0')
        threaded = pthread_create(&thread, NULL, second_reader, &other) == 0;

    rc = load_nodes(g, st, &key_map, nkeys, err);
    if (threaded && opts->second_reads_all) {
        pthread_join(thread, NULL);
        threaded = false;
    }
    if (rc < 0)
        atomic_store(&job.failed, true);
    else
        read_edges(&mine);      /* whatever the second reader has not claimed */
    if (threaded)
        pthread_join(thread, NULL);
    adopt_strings(g, mine.strings);
    adopt_strings(g, other.strings);
    if (rc < 0)
        goto cleanup;
    if (mine.rc < 0 || other.rc < 0) {
        *err = mine.rc < 0 ? mine.err : other.err;
        rc = mine.rc < 0 ? mine.rc : other.rc;
        goto cleanup;
    }
    rc = gather_edges(g, &job, key_map, err);
cleanup:
    free(key_map);
    free(job.found);
    free(mine.seen);
    free(other.seen);
    return rc;
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
        g->sources[i].snap = st->sources[i].snap;
        if ((g->sources[i].path = strdup(st->sources[i].path)) == NULL)
            return ap_error_nomem(err);
    }
    return AP_OK;
}

/* snap, or the latest snapshot when snap is 0, when it exists. */
static int resolve_snap(const ap_store *st, int64_t *snap, ap_error *err)
{
    int rc;
    if (*snap != 0)
        return ap_store_snapshot_exists(st, *snap, err);
    if ((rc = ap_store_latest(st, snap, err)) < 0)
        return rc;
    if (*snap == 0)
        return ap_error_set(err, AP_ENOTFOUND, "the database holds no snapshot yet: "
                            "import an inventory first");
    return AP_OK;
}

int ap_graph__finish(ap_graph *g, const ap_store *st, ap_error *err)
{
    int rc;
    if ((rc = copy_catalogue(g, st, err)) < 0)
        return rc;
    if (g->rec_nodes != NULL)   /* partial: only the pages of the attributes used */
        g->node_json = calloc((size_t)g->n + 1, sizeof *g->node_json);
    else if ((g->node_json = ap_graph__big((size_t)g->n + 1, sizeof *g->node_json)) != NULL)
        memset(g->node_json, 0, ((size_t)g->n + 1) * sizeof *g->node_json);
    if (g->node_json == NULL
        || (g->edge_json = calloc((size_t)g->m + 1, sizeof *g->edge_json)) == NULL)
        return ap_error_nomem(err);
    return AP_OK;
}

int ap_graph__load(ap_graph **out, const ap_store *st, int64_t snap, int64_t at,
                   const ap_load_opts *opts, ap_error *err)
{
    ap_graph *g;
    int rc;
    *out = NULL;
    if ((rc = resolve_snap(st, &snap, err)) < 0)
        return rc;
    if ((g = calloc(1, sizeof *g)) == NULL)
        return ap_error_nomem(err);
    g->snap = snap;
    g->at = at;
    snprintf(g->load_note, sizeof g->load_note, "the database's rows");
    /* one read transaction: nodes and edges come from the same state of the file */
    if ((rc = ap_store__exec(st, "BEGIN", err)) < 0)
        goto fail;
    rc = load_rows(g, st, opts, err);
    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (rc < 0 || (rc = ap_graph__index(g, err)) < 0 || (rc = ap_graph__finish(g, st, err)) < 0)
        goto fail;
    *out = g;
    return AP_OK;
fail:
    ap_graph_free(g);
    return rc;
}

/* The image when it can be used (image_read.c), else the rows; the graph's load note says which
 * and why. */
static int load(ap_graph **out, const ap_store *st, int64_t snap, int64_t at, bool partial,
                ap_error *err)
{
    const ap_load_opts opts = {2, 1u << 16, false};
    char why[sizeof (*out)->load_note - 32];
    int rc;
    *out = NULL;
    if ((rc = resolve_snap(st, &snap, err)) < 0)
        return rc;
    if ((rc = ap_graph__open_image(out, st, snap, at, partial ? AP_IMG_LAZY : AP_IMG_WHOLE, why,
                                   sizeof why, err)) < 0)
        return rc;
    if (rc == 1) {
        if ((rc = ap_graph__finish(*out, st, err)) < 0) {
            ap_graph_free(*out);
            *out = NULL;
        }
        return rc;
    }
    if ((rc = ap_graph__load(out, st, snap, at, &opts, err)) < 0)
        return rc;
    snprintf((*out)->load_note, sizeof (*out)->load_note, "the database's rows (%s)", why);
    return AP_OK;
}

int ap_graph_load(ap_graph **out, const ap_store *st, int64_t snap, int64_t at, ap_error *err)
{
    return load(out, st, snap, at, false, err);
}

int ap_graph_load_partial(ap_graph **out, const ap_store *st, int64_t snap, int64_t at,
                          ap_error *err)
{
    return load(out, st, snap, at, true, err);
}

const char *ap_graph_load_note(const ap_graph *g) { return g->load_note; }

const char *ap_graph_image_damage(const ap_graph *g) { return g->image_damage; }
