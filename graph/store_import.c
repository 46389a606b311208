/* graph/store_import.c: the import writer. Readers stage nodes and edges in memory (see
 * store_stage.c) inside one write transaction; commit turns them into the next snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "graph_internal.h"

/* Set the journal mode; 1 when the database now has it. */
static int journal_mode(ap_store *st, const char *mode)
{
    sqlite3_stmt *stmt = NULL;
    char sql[64];
    int ok;
    snprintf(sql, sizeof sql, "PRAGMA journal_mode = %s", mode);
    if (ap_store__prepare(st, &stmt, sql, NULL) < 0)
        return 0;
    ok = sqlite3_step(stmt) == SQLITE_ROW
         && sqlite3_stricmp((const char *)sqlite3_column_text(stmt, 0), mode) == 0;
    sqlite3_finalize(stmt);
    return ok;
}

/* Back to WAL after an import that ran with a rollback journal (readers then never wait for
 * writers); should it fail, the next ap_store_open() sets WAL again. */
static void restore_wal(ap_store *st)
{
    if (st->journal_switched) {
        st->journal_switched = 0;
        journal_mode(st, "WAL");
    }
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
    if ((st->stage = calloc(1, sizeof *st->stage)) == NULL)
        return ap_error_nomem(err);
    /* A first import into a database without snapshots: with WAL every page would be written
     * twice (log, then checkpoint); with a rollback journal pages new to the file need no
     * journal, so they are written once. SQLite refuses the switch while another connection
     * has the database open; then the import runs in WAL as any other. */
    sqlite3_busy_timeout(st->db, 0);    /* only worth it when nobody else has the file open */
    if (st->latest == 0 && journal_mode(st, "DELETE"))
        st->journal_switched = 1;
    /* another import holds the write lock: wait for it to finish, then build on it */
    sqlite3_busy_timeout(st->db, st->write_wait_ms);
    rc = ap_store__exec(st, "BEGIN IMMEDIATE", err);
    if (rc < 0 && sqlite3_errcode(st->db) == SQLITE_BUSY)
        rc = ap_error_set(err, AP_EIO, "another import is writing to the database: gave up "
                          "waiting for it after %g s", st->write_wait_ms / 1000.0);
    sqlite3_busy_timeout(st->db, AP_STORE_BUSY_MS);
    if (rc < 0) {
        ap_stage__free(st->stage);
        st->stage = NULL;
        restore_wal(st);
        return rc;
    }
    st->in_import = 1;
    /* an import that waited for another one builds on what that one wrote */
    if ((rc = ap_store__load_catalogue(st, err)) < 0)
        goto fail;
    if ((rc = ap_store__prepare(st, &stmt, "SELECT coalesce(max(id), 0) + 1 FROM snapshot",
                                err)) < 0)
        goto fail;
    st->snap = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int64(stmt, 0) : 1;
    sqlite3_finalize(stmt);
    return AP_OK;
fail:
    ap_store_rollback(st);
    return rc;
}

void ap_store_set_write_wait(ap_store *st, int ms)
{
    st->write_wait_ms = ms > 0 ? ms : 0;
}

void ap_store_rollback(ap_store *st)
{
    if (!st->in_import)
        return;
    ap_stage__free(st->stage);
    st->stage = NULL;
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    st->in_import = 0;
    restore_wal(st);
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
    st->sources[st->nsources].snap = st->snap;
    st->sources[st->nsources].path = copy;
    st->nsources++;
    copy = NULL;
    rc = AP_OK;
cleanup:
    free(copy);
    sqlite3_finalize(stmt);
    return rc;
}

int ap_store_source_hash(ap_store *st, int64_t file, const char *sha256, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    if (!st->in_import && st->obs_insert == NULL)
        return ap_error_set(err, AP_EBUG, "no import is open");
    if ((rc = ap_store__prepare(st, &stmt, "UPDATE source SET sha256 = ?2 WHERE id = ?1",
                                err)) < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, file);
    sqlite3_bind_text(stmt, 2, sha256, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "recording the input file's hash");
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
    sqlite3_stmt *stmt = NULL;
    char *files = NULL, when[32];
    int rc = AP_OK, empty;
    if (!st->in_import)
        return ap_error_set(err, AP_EBUG, "commit without an open import");
    if (!st->stage->checked && (rc = ap_store_check(st, NULL, err)) < 0)
        goto fail;
    /* The first load into empty tables has nothing to close or compare */
    if ((rc = ap_store__prepare(st, &stmt, "SELECT NOT EXISTS (SELECT 1 FROM node)"
                                           " AND NOT EXISTS (SELECT 1 FROM edge)"
                                           " AND NOT EXISTS (SELECT 1 FROM ident)", err)) < 0)
        goto fail;
    empty = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 1;
    sqlite3_finalize(stmt);
    stmt = NULL;
    rc = empty ? ap_store__write_bulk(st, err) : ap_store__write_versioned(st, err);
    if (rc < 0)
        goto fail;
    ap_stage__free(st->stage);          /* what is left to do needs little memory */
    st->stage = NULL;
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
    if ((rc = ap_store__exec(st, "COMMIT", err)) < 0)
        goto fail;
    st->in_import = 0;
    restore_wal(st);
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
