/* graph/store_import.c: the import writer. Readers stage nodes and edges into temporary tables
 * inside one write transaction; commit turns the staged estate into the next snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "graph_internal.h"

static const char *const stage_sql =
    "CREATE TEMP TABLE IF NOT EXISTS stage_node(id TEXT PRIMARY KEY, kind INTEGER, state INTEGER,"
    "  valid_from INTEGER, expires INTEGER, sensitivity INTEGER, attrs TEXT, file INTEGER,"
    "  line INTEGER, col INTEGER) WITHOUT ROWID;"
    "CREATE TEMP TABLE IF NOT EXISTS stage_edge(seq INTEGER PRIMARY KEY, id TEXT, autoid TEXT,"
    "  src TEXT, dst TEXT, kind INTEGER, rights INTEGER, requires INTEGER, escalates INTEGER,"
    "  declared INTEGER, state INTEGER, valid_from INTEGER, expires INTEGER, attrs TEXT,"
    "  file INTEGER, line INTEGER, col INTEGER, fl INTEGER, fc INTEGER, tl INTEGER, tc INTEGER);"
    "DROP INDEX IF EXISTS temp.stage_edge_id;"
    "DELETE FROM stage_node; DELETE FROM stage_edge;";

/* Looked up by id in the checks and the commit: built once, after staging. */
static const char *const stage_index_sql =
    "CREATE INDEX IF NOT EXISTS temp.stage_edge_id ON stage_edge(id)";

static void finalize_staging(ap_store *st)
{
    sqlite3_finalize(st->st_node);
    sqlite3_finalize(st->st_edge);
    st->st_node = st->st_edge = NULL;
}

int ap_store_begin(ap_store *st, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    if (st->in_import)
        return ap_error_set(err, AP_EBUG, "an import is already open on this store");
    if (sqlite3_db_readonly(st->db, "main") == 1)
        return ap_error_set(err, AP_EIO, "the database '%s' is read-only: cannot import into it",
                            sqlite3_db_filename(st->db, "main"));
    /* a bulk load wants a cache that holds the indexes it builds (pages, not a limit) */
    if ((rc = ap_store__exec(st, "PRAGMA cache_size = -131072; PRAGMA temp.cache_size = -131072",
                             err)) < 0)
        return rc;
    if ((rc = ap_store__exec(st, "BEGIN IMMEDIATE", err)) < 0)
        return rc;
    st->in_import = 1;
    st->staged_nodes = st->staged_edges = 0;
    /* an import that waited for another one builds on what that one wrote */
    if ((rc = ap_store__load_catalogue(st, err)) < 0)
        goto fail;
    if ((rc = ap_store__exec(st, stage_sql, err)) < 0)
        goto fail;
    if ((rc = ap_store__prepare(st, &stmt, "SELECT coalesce(max(id), 0) + 1 FROM snapshot",
                                err)) < 0)
        goto fail;
    st->snap = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 1;
    sqlite3_finalize(stmt);
    if ((rc = ap_store__prepare(st, &st->st_node,
             "INSERT INTO stage_node VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)", err)) < 0
        || (rc = ap_store__prepare(st, &st->st_edge,
             "INSERT INTO stage_edge(id, autoid, src, dst, kind, rights, requires, escalates,"
             " declared, state, valid_from, expires, attrs, file, line, col, fl, fc, tl, tc)"
             " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
             " ?17, ?18, ?19, ?20)", err)) < 0)
        goto fail;
    return AP_OK;
fail:
    ap_store_rollback(st);
    return rc;
}

void ap_store_rollback(ap_store *st)
{
    if (!st->in_import)
        return;
    finalize_staging(st);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->in_import = 0;
    /* forget what the abandoned import added to the in-memory catalogue */
    for (unsigned i = st->vocab_committed; i < st->vocab.count; i++) {
        free(st->vocab_names[i]);
        st->vocab_names[i] = NULL;
        st->vocab.names[i] = NULL;
    }
    st->vocab.count = st->vocab_committed;
    for (size_t i = st->sources_committed; i < st->nsources; i++)
        free(st->sources[i].path);
    st->nsources = st->sources_committed;
}

int ap_store_add_source(ap_store *st, const char *path, int64_t *file, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char *copy = NULL;
    int rc;
    if (st->nsources == st->sources_cap) {
        size_t cap = st->sources_cap ? st->sources_cap * 2 : 16;
        ap_source_entry *p = realloc(st->sources, cap * sizeof *p);
        if (p == NULL)
            return ap_error_nomem(err);
        st->sources = p;
        st->sources_cap = cap;
    }
    if ((copy = strdup(path)) == NULL)
        return ap_error_nomem(err);
    if ((rc = ap_store__prepare(st, &stmt, "INSERT INTO source(snap, path) VALUES (?1, ?2)",
                                err)) < 0)
        goto cleanup;
    sqlite3_bind_int64(stmt, 1, st->snap);
    sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "recording the input file");
        goto cleanup;
    }
    *file = sqlite3_last_insert_rowid(st->db);
    st->sources[st->nsources].id = *file;
    st->sources[st->nsources].path = copy;
    st->nsources++;
    copy = NULL;
    rc = AP_OK;
cleanup:
    free(copy);
    sqlite3_finalize(stmt);
    return rc;
}

int ap_store_add_right(ap_store *st, const char *name, int *bit, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    char *copy;
    int rc, found = ap_vocab_find(&st->vocab, name);
    if (found >= 0) {
        *bit = found;
        return AP_OK;
    }
    if ((copy = strdup(name)) == NULL)
        return ap_error_nomem(err);
    if ((rc = ap_vocab_add(&st->vocab, copy, err)) < 0) {
        free(copy);
        return rc;
    }
    *bit = (int)st->vocab.count - 1;
    st->vocab_names[*bit] = copy;
    if (*bit < AP_R_BUILTIN)
        return AP_OK;
    if ((rc = ap_store__prepare(st, &stmt, "INSERT INTO vocab(bit, name) VALUES (?1, ?2)",
                                err)) < 0)
        return rc;
    sqlite3_bind_int(stmt, 1, *bit);
    sqlite3_bind_text(stmt, 2, name, -1, SQLITE_STATIC);
    rc = sqlite3_step(stmt) == SQLITE_DONE ? AP_OK
                                           : ap_store__sqlerr(err, st->db, AP_EIO, "vocabulary");
    sqlite3_finalize(stmt);
    return rc;
}

static void bind_time(sqlite3_stmt *stmt, int i, int64_t t)
{
    if (t == AP_TIME_NONE)
        sqlite3_bind_null(stmt, i);
    else
        sqlite3_bind_int64(stmt, i, t);
}

/* Where a staged node was first declared, for the duplicate message. */
static void first_place(ap_store *st, const char *id, char *buf, size_t size)
{
    sqlite3_stmt *stmt = NULL;
    buf[0] = '\0';
    if (ap_store__prepare(st, &stmt, "SELECT file, line, col FROM stage_node WHERE id = ?1",
                          NULL) < 0)
        return;
    sqlite3_bind_text(stmt, 1, id, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) == SQLITE_ROW) {
        const char *path = ap_store_source_path(st, sqlite3_column_int64(stmt, 0));
        snprintf(buf, size, "%s:%d:%d", path ? path : "?", sqlite3_column_int(stmt, 1),
                 sqlite3_column_int(stmt, 2));
    }
    sqlite3_finalize(stmt);
}

int ap_store_stage_node(ap_store *st, int64_t file, const ap_node_rec *rec, ap_error *err)
{
    sqlite3_stmt *s = st->st_node;
    int rc;
    sqlite3_reset(s);
    sqlite3_bind_text(s, 1, rec->id, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 2, rec->kind);
    sqlite3_bind_int(s, 3, rec->state);
    bind_time(s, 4, rec->valid_from);
    bind_time(s, 5, rec->expires);
    if (rec->sensitivity == AP_SENS_NONE)
        sqlite3_bind_null(s, 6);
    else
        sqlite3_bind_int(s, 6, rec->sensitivity);
    sqlite3_bind_text(s, 7, rec->attrs, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 8, file);
    sqlite3_bind_int(s, 9, (int)rec->line);
    sqlite3_bind_int(s, 10, (int)rec->col);
    rc = sqlite3_step(s);
    if (rc == SQLITE_DONE) {
        st->staged_nodes++;
        return AP_OK;
    }
    if (rc == SQLITE_CONSTRAINT) {
        char where[320];
        first_place(st, rec->id, where, sizeof where);
        return ap_error_at(err, AP_EINPUT, ap_store_source_path(st, file), rec->line, rec->col,
                           "duplicate node id '%s' (first declared at %s)", rec->id, where);
    }
    return ap_store__sqlerr(err, st->db, AP_EIO, "staging a node");
}

int ap_store_stage_edge(ap_store *st, int64_t file, const ap_edge_rec *rec, ap_error *err)
{
    sqlite3_stmt *s = st->st_edge;
    char *autoid = NULL;
    int rc;
    sqlite3_reset(s);
    if (rec->id != NULL) {
        sqlite3_bind_text(s, 1, rec->id, -1, SQLITE_STATIC);
        sqlite3_bind_null(s, 2);        /* only an edge without an id needs from|kind|to */
    } else {
        const char *kname = ap_edge_kind_name(rec->kind);
        size_t len = strlen(rec->from) + strlen(kname) + strlen(rec->to) + 3;
        if ((autoid = malloc(len)) == NULL)
            return ap_error_nomem(err);
        snprintf(autoid, len, "%s|%s|%s", rec->from, kname, rec->to);
        sqlite3_bind_null(s, 1);
        sqlite3_bind_text(s, 2, autoid, -1, SQLITE_STATIC);
    }
    sqlite3_bind_text(s, 3, rec->from, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, rec->to, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 5, rec->kind);
    sqlite3_bind_int64(s, 6, (sqlite3_int64)rec->rights);
    sqlite3_bind_int64(s, 7, (sqlite3_int64)rec->requires);
    sqlite3_bind_int(s, 8, rec->escalates);
    sqlite3_bind_int(s, 9, rec->rights_declared);
    sqlite3_bind_int(s, 10, rec->state);
    bind_time(s, 11, rec->valid_from);
    bind_time(s, 12, rec->expires);
    sqlite3_bind_text(s, 13, rec->attrs, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 14, file);
    sqlite3_bind_int(s, 15, (int)rec->line);
    sqlite3_bind_int(s, 16, (int)rec->col);
    sqlite3_bind_int(s, 17, (int)rec->from_line);
    sqlite3_bind_int(s, 18, (int)rec->from_col);
    sqlite3_bind_int(s, 19, (int)rec->to_line);
    sqlite3_bind_int(s, 20, (int)rec->to_col);
    rc = sqlite3_step(s) == SQLITE_DONE ? AP_OK
                                        : ap_store__sqlerr(err, st->db, AP_EIO, "staging an edge");
    if (rc == AP_OK)
        st->staged_edges++;
    sqlite3_reset(s);           /* the statement holds autoid until reset */
    free(autoid);
    return rc;
}

void ap_store_staged(const ap_store *st, uint64_t *nodes, uint64_t *edges)
{
    *nodes = st->staged_nodes;
    *edges = st->staged_edges;
}

/* Report each row of a diagnostic query: columns file, line, col, message. */
static int report_rows(ap_store *st, const char *sql, ap_error_list *more, ap_error *err,
                       int *nerr)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    if ((rc = ap_store__prepare(st, &stmt, sql, err)) < 0)
        return rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        ap_error e;
        ap_error_at(&e, AP_EINPUT, ap_store_source_path(st, sqlite3_column_int64(stmt, 0)),
                    (unsigned)sqlite3_column_int(stmt, 1), (unsigned)sqlite3_column_int(stmt, 2),
                    "%s", (const char *)sqlite3_column_text(stmt, 3));
        if ((*nerr)++ == 0) {
            if (err != NULL)
                *err = e;
        } else {
            ap_error_list_add(more, &e);
        }
    }
    sqlite3_finalize(stmt);
    return rc == SQLITE_DONE ? AP_OK : ap_store__sqlerr(err, st->db, AP_EIO, "checking");
}

int ap_store_check(ap_store *st, ap_error_list *more, ap_error *err)
{
    int rc, nerr = 0;
    /* DESIGN.md: an edge without an id is from|kind|to, with #2, #3... for repeats in order */
    if ((rc = ap_store__exec(st,
             "UPDATE stage_edge SET id = r.autoid || CASE WHEN r.rn > 1 THEN '#' || r.rn"
             " ELSE '' END FROM (SELECT seq, autoid, row_number() OVER (PARTITION BY autoid"
             " ORDER BY seq) AS rn FROM stage_edge WHERE id IS NULL) AS r"
             " WHERE stage_edge.seq = r.seq", err)) < 0
        || (rc = ap_store__exec(st, stage_index_sql, err)) < 0)
        return rc;
    /* without it the repeated-id check below compares every pair of edges */
    if ((rc = ap_store__exec(st, "CREATE INDEX IF NOT EXISTS temp.stage_edge_id"
                                 " ON stage_edge(id, seq)", err)) < 0)
        return rc;
    if ((rc = report_rows(st,
             "SELECT e.file, e.fl, e.fc, 'edge from undeclared node ''' || e.src || ''''"
             "  FROM stage_edge e WHERE NOT EXISTS (SELECT 1 FROM stage_node n WHERE n.id = e.src)"
             " UNION ALL "
             "SELECT e.file, e.tl, e.tc, 'edge to undeclared node ''' || e.dst || ''''"
             "  FROM stage_edge e WHERE NOT EXISTS (SELECT 1 FROM stage_node n WHERE n.id = e.dst)"
             " UNION ALL "
             "SELECT e.file, e.line, e.col, 'duplicate edge id ''' || e.id || ''''"
             "  FROM stage_edge e WHERE EXISTS (SELECT 1 FROM stage_edge f WHERE f.id = e.id"
             "  AND f.seq < e.seq)"
             " ORDER BY 1, 2, 3", more, err, &nerr)) < 0)
        return rc;
    return nerr > 0 ? AP_EINPUT : AP_OK;
}

static char *files_json(const ap_store *st)
{
    json_t *arr = json_array();
    char *text;
    for (size_t i = st->sources_committed; arr != NULL && i < st->nsources; i++)
        json_array_append_new(arr, json_string(st->sources[i].path));
    text = arr != NULL ? json_dumps(arr, JSON_COMPACT) : NULL;
    json_decref(arr);
    return text;
}

int ap_store_commit(ap_store *st, const char *label, int64_t created, int64_t *snap,
                    ap_error *err)
{
    static const char *const write_sql =
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
        "  ORDER BY s.seq;";
    /* The first load into empty tables: nothing to close or compare, so the rows go straight
     * in and the indexes are built once at the end (same transaction: still all or nothing).
     * Edges stay in input order: sorting them here (SQLite's sorter, whole rows) cost more
     * than the graph loader's counting sort by source does on every load. */
    static const char *const bulk_sql =
        "DROP INDEX node_open; DROP INDEX node_snap; DROP INDEX edge_open; DROP INDEX edge_snap;"
        "INSERT OR IGNORE INTO ident(id) SELECT id FROM stage_node ORDER BY id;"
        "INSERT INTO node(key, snap_from, kind, state, valid_from, expires, sensitivity, attrs,"
        "  file, line, col)"
        "  SELECT i.key, @snap, s.kind, s.state, s.valid_from, s.expires, s.sensitivity, s.attrs,"
        "  s.file, s.line, s.col FROM stage_node s JOIN ident i ON i.id = s.id ORDER BY s.id;"
        "INSERT INTO edge(id, src, dst, kind, rights, requires, escalates, declared, state,"
        "  valid_from, expires, attrs, snap_from, file, line, col)"
        "  SELECT s.id, a.key, b.key, s.kind, s.rights, s.requires, s.escalates, s.declared,"
        "  s.state, s.valid_from, s.expires, s.attrs, @snap, s.file, s.line, s.col"
        "  FROM stage_edge s JOIN ident a ON a.id = s.src JOIN ident b ON b.id = s.dst"
        "  ORDER BY s.seq;"
        AP_STORE_INDEXES_V1;
    sqlite3_stmt *stmt = NULL;
    const char *tail = write_sql;
    char *files = NULL, when[32];
    int rc = AP_OK;
    if (!st->in_import)
        return ap_error_set(err, AP_EBUG, "commit without an open import");
    finalize_staging(st);
    if ((rc = ap_store__exec(st, stage_index_sql, err)) < 0)
        goto fail;
    if ((rc = ap_store__prepare(st, &stmt, "SELECT NOT EXISTS (SELECT 1 FROM node)"
                                           " AND NOT EXISTS (SELECT 1 FROM edge)", err)) < 0)
        goto fail;
    if (sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 1)
        tail = bulk_sql;
    sqlite3_finalize(stmt);
    stmt = NULL;
    while (*tail != '\0') {
        if (sqlite3_prepare_v2(st->db, tail, -1, &stmt, &tail) != SQLITE_OK) {
            rc = ap_store__sqlerr(err, st->db, AP_EBUG, "sqlite prepare");
            goto fail;
        }
        if (stmt == NULL)
            break;
        int idx = sqlite3_bind_parameter_index(stmt, "@snap");
        if (idx > 0)
            sqlite3_bind_int64(stmt, idx, st->snap);
        if (sqlite3_step(stmt) != SQLITE_DONE) {
            rc = ap_store__sqlerr(err, st->db, AP_EIO, "writing the snapshot");
            goto fail;
        }
        sqlite3_finalize(stmt);
        stmt = NULL;
    }
    if ((files = files_json(st)) == NULL) {
        rc = ap_error_nomem(err);
        goto fail;
    }
    ap_time_format(when, sizeof when, created);
    if ((rc = ap_store__prepare(st, &stmt, "INSERT INTO snapshot(id, created, label, files)"
                                           " VALUES (?1, ?2, ?3, ?4)", err)) < 0)
        goto fail;
    sqlite3_bind_int64(stmt, 1, st->snap);
    sqlite3_bind_text(stmt, 2, when, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 3, label, -1, SQLITE_STATIC);
    sqlite3_bind_text(stmt, 4, files, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "writing the snapshot");
        goto fail;
    }
    sqlite3_finalize(stmt);
    stmt = NULL;
    ap_store__exec(st, "DELETE FROM stage_node; DELETE FROM stage_edge", NULL);
    if ((rc = ap_store__exec(st, "COMMIT", err)) < 0)
        goto fail;
    st->in_import = 0;
    st->vocab_committed = st->vocab.count;
    st->sources_committed = st->nsources;
    st->latest = st->snap;
    *snap = st->snap;
    free(files);
    return AP_OK;
fail:
    sqlite3_finalize(stmt);
    free(files);
    ap_store_rollback(st);
    return rc;
}
