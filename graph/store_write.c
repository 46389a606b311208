/* graph/store_write.c: the staged estate into the store's tables. A first load into empty
 * tables writes each row once, in the order the graph loader wants; later loads version rows. */
#include <stdlib.h>
#include <string.h>

#include "graph_internal.h"

/* Run each statement of sql in turn, binding @snap to the snapshot being written. */
static int run_script(ap_store *st, const char *sql, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    const char *tail = sql;
    while (*tail != '\0') {
        if (sqlite3_prepare_v2(st->db, tail, -1, &stmt, &tail) != SQLITE_OK)
            return ap_store__sqlerr(err, st->db, AP_EBUG, "sqlite prepare");
        if (stmt == NULL)
            break;
        int idx = sqlite3_bind_parameter_index(stmt, "@snap");
        if (idx > 0)
            sqlite3_bind_int64(stmt, idx, st->snap);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            int rc = ap_store__sqlerr(err, st->db, AP_EIO, "writing the snapshot");
            sqlite3_finalize(stmt);
            return rc;
        }
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    return AP_OK;
}

static void bind_time(sqlite3_stmt *stmt, int i, int64_t t)
{
    if (t == AP_TIME_NONE)
        sqlite3_bind_null(stmt, i);
    else
        sqlite3_bind_int64(stmt, i, t);
}

/* The columns a node row and a staged node share, from parameter first on:
 * kind, state, valid_from, expires, sensitivity, attrs, file, line, col. */
void ap_store__bind_node(sqlite3_stmt *s, int first, const ap_stage *sg,
                         const ap_stage_node *nd)
{
    sqlite3_bind_int(s, first, nd->kind);
    sqlite3_bind_int(s, first + 1, nd->state);
    bind_time(s, first + 2, nd->valid_from);
    bind_time(s, first + 3, nd->expires);
    if (nd->sensitivity == AP_SENS_NONE)
        sqlite3_bind_null(s, first + 4);
    else
        sqlite3_bind_int(s, first + 4, nd->sensitivity);
    sqlite3_bind_text(s, first + 5, nd->attrs, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, first + 6, sg->files[nd->file]);
    sqlite3_bind_int(s, first + 7, (int)nd->line);
    sqlite3_bind_int(s, first + 8, (int)nd->col);
}

/* Likewise for an edge: kind, rights, requires, escalates, declared, state, valid_from,
 * expires, attrs, file, line, col. */
void ap_store__bind_edge(sqlite3_stmt *s, int first, const ap_stage *sg,
                         const ap_stage_edge *e)
{
    sqlite3_bind_int(s, first, e->kind);
    sqlite3_bind_int64(s, first + 1, (sqlite3_int64)e->rights);
    sqlite3_bind_int64(s, first + 2, (sqlite3_int64)e->requires);
    sqlite3_bind_int(s, first + 3, e->escalates);
    sqlite3_bind_int(s, first + 4, e->declared);
    sqlite3_bind_int(s, first + 5, e->state);
    bind_time(s, first + 6, e->valid_from);
    bind_time(s, first + 7, e->expires);
    sqlite3_bind_text(s, first + 8, e->attrs, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, first + 9, sg->files[e->file]);
    sqlite3_bind_int(s, first + 10, (int)e->line);
    sqlite3_bind_int(s, first + 11, (int)e->col);
}

static int step(ap_store *st, sqlite3_stmt *s, ap_error *err)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? AP_OK
                             : ap_store__sqlerr(err, st->db, AP_EIO, "writing the snapshot");
}

/* ---- the first load ---- */

typedef struct {
    const char *id;
    uint32_t node;
} node_key;

static int node_key_cmp(const void *a, const void *b)
{
    return strcmp(((const node_key *)a)->id, ((const node_key *)b)->id);  /* ids are unique */
}

typedef struct {
    uint32_t to, edge;      /* to: the target's rank */
    const char *id;
} edge_key;

static int edge_key_cmp(const void *a, const void *b)
{
    const edge_key *x = a, *y = b;
    if (x->to != y->to)
        return x->to < y->to ? -1 : 1;
    return strcmp(x->id, y->id);        /* checked: edge ids are unique */
}

int ap_store__rank_nodes(const ap_stage *sg, uint32_t **by_rank, uint32_t **rank)
{
    node_key *keys = malloc(((size_t)sg->nnodes + 1) * sizeof *keys);
    *by_rank = malloc(((size_t)sg->nnodes + 1) * sizeof **by_rank);
    *rank = malloc(((size_t)sg->nsyms + 1) * sizeof **rank);
    if (keys == NULL || *by_rank == NULL || *rank == NULL) {
        free(keys);
        return AP_ENOMEM;
    }
    for (uint32_t i = 0; i < sg->nnodes; i++)
        keys[i] = (node_key){ AP_SEG(sg->syms, AP_SEG(sg->nodes, i).sym).id, i };
    qsort(keys, sg->nnodes, sizeof *keys, node_key_cmp);
    for (uint32_t i = 0; i < sg->nnodes; i++) {
        (*by_rank)[i] = keys[i].node;
        (*rank)[AP_SEG(sg->nodes, keys[i].node).sym] = i;
    }
    free(keys);
    return AP_OK;
}

/* The edges in the graph loader's order, (source, target, id) with nodes ranked by id, so
 * that it finds them sorted: a counting sort by source, then each source's run sorted.
 * rank: each symbol's node's rank. */
uint32_t *ap_store__edge_order(const ap_stage *sg, const uint32_t *rank)
{
    uint32_t *order = malloc(((size_t)sg->nedges + 1) * sizeof *order);
    uint32_t *fill = calloc((size_t)sg->nnodes + 1, sizeof *fill);
    edge_key *run = NULL;
    uint32_t longest = 0;
    if (order == NULL || fill == NULL)
        goto fail;
    for (uint32_t i = 0; i < sg->nedges; i++)
        fill[rank[AP_SEG(sg->edges, i).src] + 1]++;
    for (uint32_t v = 0; v < sg->nnodes; v++) {
        if (fill[v + 1] > longest)
            longest = fill[v + 1];
        fill[v + 1] += fill[v];
    }
    for (uint32_t i = 0; i < sg->nedges; i++)
        order[fill[rank[AP_SEG(sg->edges, i).src]]++] = i;
    if ((run = malloc(((size_t)longest + 1) * sizeof *run)) == NULL)
        goto fail;
    for (uint32_t v = 0, lo = 0; v < sg->nnodes; v++) {    /* fill[v]: the end of v's run */
        uint32_t len = fill[v] - lo;
        if (len > 1) {
            for (uint32_t k = 0; k < len; k++) {
                const ap_stage_edge *e = &AP_SEG(sg->edges, order[lo + k]);
                ap_stage__prefetch_edge(sg, order, lo + k + AP_STAGE_AHEAD);
                run[k] = (edge_key){ rank[e->dst], order[lo + k], e->id };
            }
            qsort(run, len, sizeof *run, edge_key_cmp);
            for (uint32_t k = 0; k < len; k++)
                order[lo + k] = run[k].edge;
        }
        lo = fill[v];
    }
    free(run);
    free(fill);
    return order;
fail:
    free(order);
    free(fill);
    return NULL;
}

/* Rows go in BATCH to a statement: its cursors stay open from one row to the next, so each
 * in-order insert finds its page at once instead of searching from the root. The statements
 * are INSERT OR FAIL: a statement of many rows that could abort half-way makes SQLite keep a
 * statement journal, a copy of every page it changes (2.4 GB of temporary file written at S=100
 * dense, 1.26M writes: bench/RESULTS.md, ninth session); a failed row fails the import, whose
 * transaction is rolled back whole, so a statement's own rollback adds nothing. */
#define BATCH 64

typedef struct {
    sqlite3_stmt *many, *one;   /* BATCH rows; one row, for the last rows */
    int ncols;
    uint32_t full;              /* rows written BATCH at a time: the others go one by one */
} batch;

/* "INSERT INTO table(cols) VALUES " then ncols parameters per row. */
static int batch_open(ap_store *st, batch *b, const char *head, int ncols, uint32_t rows,
                      ap_error *err)
{
    size_t hlen = strlen(head), row = 2 * (size_t)ncols + 2, size = hlen + BATCH * row + 1;
    char *sql = malloc(size), *p;
    int rc;
    b->many = b->one = NULL;
    b->ncols = ncols;
    b->full = rows - rows % BATCH;
    if (sql == NULL)
        return ap_error_nomem(err);
    memcpy(sql, head, hlen);
    p = sql + hlen;
    for (int r = 0; r < BATCH; r++) {
        *p++ = r > 0 ? ',' : '(';
        if (r > 0)
            *p++ = '(';
        for (int c = 0; c < ncols; c++) {
            *p++ = '?';
            *p++ = c + 1 < ncols ? ',' : ')';
        }
        *p = '\0';
        if (r == 0 && (rc = ap_store__prepare(st, &b->one, sql, err)) < 0)
            goto cleanup;
    }
    rc = ap_store__prepare(st, &b->many, sql, err);
cleanup:
    free(sql);
    return rc;
}

/* The statement row i binds into, and its first column's parameter. */
static sqlite3_stmt *batch_row(const batch *b, uint32_t i, int *first)
{
    if (i >= b->full) {
        *first = 1;
        return b->one;
    }
    *first = (int)(i % BATCH) * b->ncols + 1;
    return b->many;
}

/* Row i is bound: write what is complete. */
static int batch_done(ap_store *st, const batch *b, uint32_t i, ap_error *err)
{
    if (i >= b->full)
        return step(st, b->one, err);
    return i % BATCH == BATCH - 1 ? step(st, b->many, err) : AP_OK;
}

static void batch_close(batch *b)
{
    sqlite3_finalize(b->many);
    sqlite3_finalize(b->one);
}

int ap_store__write_bulk(ap_store *st, ap_error *err)
{
    const ap_stage *sg = st->stage;
    batch ident = { 0 }, node = { 0 }, edge = { 0 };
    uint32_t *rank = NULL, *order = NULL, *by_rank = NULL;
    int rc;
    /* edge_open is built once, after the rows (same transaction: still all or nothing) */
    if ((rc = run_script(st, "DROP INDEX edge_open", err)) < 0)
        return rc;
    /* Rows and index entries are appended in key order here, so a large page cache gains
     * nothing; and SQLite sorts edge_open's keys in runs as large as the cache before merging
     * them: 2 MB runs sort in the processor's caches (6M edge ids: 3.2 CPU-s, against 5.0
     * with 128 MiB runs; bench/RESULTS.md, eighth session) */
    if ((rc = run_script(st, "PRAGMA cache_size = -2000", err)) < 0)
        return rc;
    if (ap_store__rank_nodes(sg, &by_rank, &rank) < 0)
        goto nomem;
    /* ident keys and node rows in id order: key i + 1 is the node of rank i */
    if ((rc = batch_open(st, &ident, "INSERT OR FAIL INTO ident(key, id) VALUES ", 2,
                         sg->nnodes, err)) < 0
        || (rc = batch_open(st, &node, "INSERT OR FAIL INTO node(key, snap_from, kind, state,"
                            " valid_from, expires, sensitivity, attrs, file, line, col) VALUES ",
                            11, sg->nnodes, err)) < 0
        || (rc = batch_open(st, &edge, "INSERT OR FAIL INTO edge(id, src, dst, snap_from, kind,"
                            " rights, requires, escalates, declared, state, valid_from, expires,"
                            " attrs, file, line, col) VALUES ", 16, sg->nedges, err)) < 0)
        goto cleanup;
    for (uint32_t i = 0; i < sg->nnodes; i++) {
        int k;
        sqlite3_stmt *s = batch_row(&ident, i, &k);
        sqlite3_bind_int64(s, k, (int64_t)i + 1);
        sqlite3_bind_text(s, k + 1, AP_SEG(sg->syms, AP_SEG(sg->nodes, by_rank[i]).sym).id, -1,
                          SQLITE_STATIC);
        if ((rc = batch_done(st, &ident, i, err)) < 0)
            goto cleanup;
    }
    for (uint32_t i = 0; i < sg->nnodes; i++) {
        int k;
        sqlite3_stmt *s = batch_row(&node, i, &k);
        sqlite3_bind_int64(s, k, (int64_t)i + 1);
        sqlite3_bind_int64(s, k + 1, st->snap);
        ap_store__bind_node(s, k + 2, sg, &AP_SEG(sg->nodes, by_rank[i]));
        if ((rc = batch_done(st, &node, i, err)) < 0)
            goto cleanup;
    }
    if ((order = ap_store__edge_order(sg, rank)) == NULL)
        goto nomem;
    /* in graph order, fetched ahead: moving the staged edges into that order first cost more
     * (about 1.4 CPU-s by perf at S=100 dense, one random read after another) than this */
    for (uint32_t i = 0; i < AP_STAGE_AHEAD; i++)
        ap_stage__prefetch_edge(sg, order, i);
    for (uint32_t i = 0; i < sg->nedges; i++) {
        const ap_stage_edge *e = &AP_SEG(sg->edges, order[i]);
        int k;
        ap_stage__prefetch_edge(sg, order, i + AP_STAGE_AHEAD);
        if (i + AP_STAGE_AHEAD / 2 < sg->nedges)      /* its id: the edge has arrived by now */
            __builtin_prefetch(AP_SEG(sg->edges, order[i + AP_STAGE_AHEAD / 2]).id);
        sqlite3_stmt *s = batch_row(&edge, i, &k);
        sqlite3_bind_text(s, k, e->id, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, k + 1, (int64_t)rank[e->src] + 1);
        sqlite3_bind_int64(s, k + 2, (int64_t)rank[e->dst] + 1);
        sqlite3_bind_int64(s, k + 3, st->snap);
        ap_store__bind_edge(s, k + 4, sg, e);
        if ((rc = batch_done(st, &edge, i, err)) < 0)
            goto cleanup;
    }
    if ((rc = run_script(st, AP_STORE_INDEX_EDGE_OPEN, err)) < 0)
        goto cleanup;
    /* the graph image from the stage, in the rows' order: it only speeds up loading, so an
     * image that cannot be written leaves the import as it is (queries read the rows) */
    ap_error ignored;
    ap_store__stage_image(st, by_rank, rank, order, NULL, &ignored);
    rc = AP_OK;
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    batch_close(&ident);
    batch_close(&node);
    batch_close(&edge);
    free(rank);
    free(order);
    free(by_rank);
    return rc;
}

/* ---- a later load: rows versioned by snapshot ---- */

static const char *const stage_sql =
    "CREATE TEMP TABLE IF NOT EXISTS stage_node(id TEXT PRIMARY KEY, kind INTEGER, state INTEGER,"
    "  valid_from INTEGER, expires INTEGER, sensitivity INTEGER, attrs TEXT, file INTEGER,"
    "  line INTEGER, col INTEGER) WITHOUT ROWID;"
    "CREATE TEMP TABLE IF NOT EXISTS stage_edge(seq INTEGER PRIMARY KEY, id TEXT, src TEXT,"
    "  dst TEXT, kind INTEGER, rights INTEGER, requires INTEGER, escalates INTEGER,"
    "  declared INTEGER, state INTEGER, valid_from INTEGER, expires INTEGER, attrs TEXT,"
    "  file INTEGER, line INTEGER, col INTEGER);"
    "DROP INDEX IF EXISTS temp.stage_edge_id;"
    "DELETE FROM stage_node; DELETE FROM stage_edge;";

static const char *const version_sql =
    "CREATE INDEX temp.stage_edge_id ON stage_edge(id);"
    "INSERT OR IGNORE INTO ident(id) SELECT id FROM stage_node ORDER BY id;"
    /* close what changed or vanished; an unchanged row stays open with its provenance */
    "UPDATE node SET snap_to = @snap WHERE snap_to IS NULL AND NOT EXISTS ("
    "  SELECT 1 FROM stage_node s JOIN ident i ON i.id = s.id WHERE i.key = node.key"
    "  AND s.kind = node.kind AND s.attrs = node.attrs);"
    "INSERT INTO node(key, snap_from, kind, state, valid_from, expires, sensitivity, attrs,"
    "  file, line, col)"
    "  SELECT i.key, @snap, s.kind, s.state, s.valid_from, s.expires, s.sensitivity, s.attrs,"
    "  s.file, s.line, s.col FROM stage_node s JOIN ident i ON i.id = s.id"
    "  WHERE NOT EXISTS (SELECT 1 FROM node n WHERE n.key = i.key AND n.snap_to IS NULL)"
    "  ORDER BY s.id;"
    "UPDATE edge SET snap_to = @snap WHERE snap_to IS NULL AND NOT EXISTS ("
    "  SELECT 1 FROM stage_edge s JOIN ident a ON a.id = s.src JOIN ident b ON b.id = s.dst"
    "  WHERE s.id = edge.id AND a.key = edge.src AND b.key = edge.dst AND s.kind = edge.kind"
    "  AND s.rights = edge.rights AND s.requires = edge.requires"
    "  AND s.escalates = edge.escalates AND s.declared = edge.declared"
    "  AND s.state = edge.state AND s.valid_from IS edge.valid_from"
    "  AND s.expires IS edge.expires AND s.attrs = edge.attrs);"
    "INSERT INTO edge(id, src, dst, kind, rights, requires, escalates, declared, state,"
    "  valid_from, expires, attrs, snap_from, file, line, col)"
    "  SELECT s.id, a.key, b.key, s.kind, s.rights, s.requires, s.escalates, s.declared,"
    "  s.state, s.valid_from, s.expires, s.attrs, @snap, s.file, s.line, s.col"
    "  FROM stage_edge s JOIN ident a ON a.id = s.src JOIN ident b ON b.id = s.dst"
    "  WHERE NOT EXISTS (SELECT 1 FROM edge e WHERE e.id = s.id AND e.snap_to IS NULL)"
    "  ORDER BY s.seq;"
    "DELETE FROM stage_node; DELETE FROM stage_edge;";

int ap_store__write_versioned(ap_store *st, ap_error *err)
{
    const ap_stage *sg = st->stage;
    sqlite3_stmt *node = NULL, *edge = NULL;
    int rc;
    /* compared with the latest snapshot's graph image when it is there (store_diff.c) */
    if ((rc = ap_store__write_diffed(st, err)) != 0)
        return rc < 0 ? rc : AP_OK;
    /* else the staged rows go to temporary tables, where SQL compares them with the open rows */
    if ((rc = run_script(st, stage_sql, err)) < 0)
        return rc;
    if ((rc = ap_store__prepare(st, &node,
             "INSERT INTO stage_node VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err)) < 0
        || (rc = ap_store__prepare(st, &edge,
             "INSERT INTO stage_edge(seq, id, src, dst, kind, rights, requires, escalates,"
             " declared, state, valid_from, expires, attrs, file, line, col)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
             err)) < 0)
        goto cleanup;
    for (uint32_t i = 0; i < sg->nnodes; i++) {
        const char *id = AP_SEG(sg->syms, AP_SEG(sg->nodes, i).sym).id;
        sqlite3_bind_text(node, 1, id, -1, SQLITE_STATIC);
        ap_store__bind_node(node, 2, sg, &AP_SEG(sg->nodes, i));
        if ((rc = step(st, node, err)) < 0)
            goto cleanup;
    }
    for (uint32_t i = 0; i < sg->nedges; i++) {
        const ap_stage_edge *e = &AP_SEG(sg->edges, i);
        sqlite3_bind_int64(edge, 1, (int64_t)i + 1);
        sqlite3_bind_text(edge, 2, e->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(edge, 3, AP_SEG(sg->syms, e->src).id, -1, SQLITE_STATIC);
        sqlite3_bind_text(edge, 4, AP_SEG(sg->syms, e->dst).id, -1, SQLITE_STATIC);
        ap_store__bind_edge(edge, 5, sg, e);
        if ((rc = step(st, edge, err)) < 0)
            goto cleanup;
    }
    rc = run_script(st, version_sql, err);
cleanup:
    sqlite3_finalize(node);
    sqlite3_finalize(edge);
    return rc;
}
