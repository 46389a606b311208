/* graph/store.c: opening the SQLite store and reading its catalogue (snapshots, vocabulary,
 * input files). The import writer is in store_import.c, the schema in store_schema.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "authpath/usage.h"
#include "graph_internal.h"

/* The OS reason for an I/O error when SQLite kept none (a write cut short by the file size
 * limit or a full disk leaves it 0, as on a first import): a database, journal or WAL file at
 * the size limit, or no room left in its folder. 0 when neither explains it. */
static int io_reason(sqlite3 *db)
{
    const char *name = sqlite3_db_filename(db, "main");
    static const char *const suffix[] = { "", "-wal", "-journal" };
    struct rlimit rl;
    struct statvfs vfs;
    char path[4096];
    if (name == NULL || name[0] == '\0')
        return 0;
    if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        for (size_t i = 0; i < sizeof suffix / sizeof suffix[0]; i++) {
            struct stat sb;
            snprintf(path, sizeof path, "%s%s", name, suffix[i]);
            /* a page or a WAL frame short of the limit: the next write could not fit */
            if (stat(path, &sb) == 0 && (rlim_t)sb.st_size + 70000 >= rl.rlim_cur)
                return EFBIG;
        }
    snprintf(path, sizeof path, "%s", name);
    char *slash = strrchr(path, '/');
    if (slash != NULL)
        slash[slash == path] = '\0';
    if (statvfs(slash != NULL ? path : ".", &vfs) == 0
        && (unsigned long long)vfs.f_bavail * vfs.f_frsize < 70000)
        return ENOSPC;
    return 0;
}

int ap_store__sqlerr(ap_error *err, sqlite3 *db, ap_status code, const char *what)
{
    int ec = sqlite3_errcode(db);
    if (ec == SQLITE_NOMEM)
        return ap_error_nomem(err);
    if (ec == SQLITE_FULL || ec == SQLITE_IOERR || ec == SQLITE_READONLY || ec == SQLITE_BUSY
        || ec == SQLITE_CANTOPEN || ec == SQLITE_LOCKED || ec == SQLITE_CORRUPT
        || ec == SQLITE_NOTADB || ec == SQLITE_PERM)
        code = AP_EIO;
    /* "disk I/O error" alone does not say a file outgrew its limit or the disk is gone */
    if ((ec == SQLITE_IOERR || ec == SQLITE_FULL || ec == SQLITE_CANTOPEN)
        && sqlite3_system_errno(db) != 0)
        return ap_error_set(err, code, "%s: %s (%s)", what, sqlite3_errmsg(db),
                            strerror(sqlite3_system_errno(db)));
    if ((ec == SQLITE_IOERR || ec == SQLITE_FULL) && io_reason(db) != 0)
        return ap_error_set(err, code, "%s: %s (%s)", what, sqlite3_errmsg(db),
                            strerror(io_reason(db)));
    return ap_error_set(err, code, "%s: %s", what, sqlite3_errmsg(db));
}

int ap_store__prepare(const ap_store *st, sqlite3_stmt **stmt, const char *sql, ap_error *err)
{
    *stmt = NULL;
    if (sqlite3_prepare_v2(st->db, sql, -1, stmt, NULL) != SQLITE_OK)
        return ap_store__sqlerr(err, st->db, AP_EBUG, "sqlite prepare");
    return AP_OK;
}

int ap_store__exec(const ap_store *st, const char *sql, ap_error *err)
{
    if (sqlite3_exec(st->db, sql, NULL, NULL, NULL) != SQLITE_OK)
        return ap_store__sqlerr(err, st->db, AP_EIO, "sqlite");
    return AP_OK;
}

static int load_vocab(ap_store *st, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    ap_vocab_init(&st->vocab);
    if ((rc = ap_store__prepare(st, &stmt, "SELECT bit, name FROM vocab ORDER BY bit", err)) < 0)
        return rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        int bit = sqlite3_column_int(stmt, 0);
        const char *name = (const char *)sqlite3_column_text(stmt, 1);
        if (bit != (int)st->vocab.count || bit >= AP_MAX_RIGHTS) {
            rc = ap_error_set(err, AP_EINPUT, "the rights vocabulary in the database is damaged");
            goto cleanup;
        }
        if ((st->vocab_names[bit] = strdup(name)) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        st->vocab.names[bit] = st->vocab_names[bit];
        st->vocab.count++;
    }
    rc = rc == SQLITE_DONE ? AP_OK : ap_store__sqlerr(err, st->db, AP_EIO, "reading vocabulary");
cleanup:
    st->vocab_committed = st->vocab.count;
    sqlite3_finalize(stmt);
    return rc;
}

static int load_sources(ap_store *st, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    if ((rc = ap_store__prepare(st, &stmt, "SELECT id, path, snap FROM source ORDER BY id", err)) < 0)
        return rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (st->nsources == st->sources_cap) {
            size_t cap = st->sources_cap ? st->sources_cap * 2 : 16;
            ap_source_entry *p = realloc(st->sources, cap * sizeof *p);
            if (p == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
            st->sources = p;
            st->sources_cap = cap;
        }
        ap_source_entry *e = &st->sources[st->nsources];
        e->id = sqlite3_column_int64(stmt, 0);
        e->snap = sqlite3_column_int64(stmt, 2);
        if ((e->path = strdup((const char *)sqlite3_column_text(stmt, 1))) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        st->nsources++;
    }
    rc = rc == SQLITE_DONE ? AP_OK : ap_store__sqlerr(err, st->db, AP_EIO, "reading sources");
cleanup:
    st->sources_committed = st->nsources;
    sqlite3_finalize(stmt);
    return rc;
}

/* SQLite creates files with the process umask; an access map is private, so create it 0600
 * first and let SQLite open what is there (its -wal and -shm files copy the mode). */
static int create_private(const char *path, ap_error *err)
{
    int fd;
    if (strcmp(path, ":memory:") == 0 || path[0] == '\0')
        return AP_OK;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        return AP_OK;
    }
    if (errno == EEXIST)
        return AP_OK;
    return ap_error_set(err, AP_EIO, "cannot create database '%s': %s", path, strerror(errno));
}

static void free_catalogue(ap_store *st)
{
    for (unsigned i = 0; i < AP_MAX_RIGHTS; i++) {
        free(st->vocab_names[i]);
        st->vocab_names[i] = NULL;
    }
    for (size_t i = 0; i < st->nsources; i++)
        free(st->sources[i].path);
    st->nsources = st->sources_committed = 0;
}

/* Inside a transaction, so that the rights, the files and the latest snapshot agree with each
 * other: another process may have imported since this store last looked. */
int ap_store__load_catalogue(ap_store *st, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    free_catalogue(st);
    if ((rc = load_vocab(st, err)) < 0 || (rc = load_sources(st, err)) < 0)
        return rc;
    if ((rc = ap_store__prepare(st, &stmt, "SELECT coalesce(max(id), 0) FROM snapshot", err))
        < 0)
        return rc;
    if (sqlite3_step(stmt) == SQLITE_ROW)
        st->latest = sqlite3_column_int64(stmt, 0);
    else
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "reading snapshots");
    sqlite3_finalize(stmt);
    return rc;
}

int ap_store_open(ap_store **out, const char *path, ap_error *err)
{
    ap_store *st = NULL;
    int rc;
    *out = NULL;
    if ((rc = create_private(path, err)) < 0)
        return rc;
    if ((st = calloc(1, sizeof *st)) == NULL)
        return ap_error_nomem(err);
    /* a store is used by one thread at a time: SQLite's own locking would only cost time */
    if (sqlite3_open_v2(path, &st->db,
                        SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL)
        != SQLITE_OK) {
        rc = st->db ? ap_store__sqlerr(err, st->db, AP_EIO, "cannot open database")
                    : ap_error_nomem(err);
        goto fail;
    }
    sqlite3_extended_result_codes(st->db, 0);
    sqlite3_busy_timeout(st->db, AP_STORE_BUSY_MS);
    st->write_wait_ms = AP_STORE_WRITE_WAIT_MS;
    /* journal_mode answers with a row, so exec ignores it; a read-only file stays as it is */
    sqlite3_exec(st->db, "PRAGMA journal_mode = WAL", NULL, NULL, NULL);
    /* FULL: a snapshot reported as imported survives a power cut too (one sync per import) */
    if ((rc = ap_store__exec(st, "PRAGMA synchronous = FULL; PRAGMA foreign_keys = OFF", err))
        < 0 || (rc = ap_store__migrate(st, err)) < 0) {
        if (sqlite3_errcode(st->db) == SQLITE_READONLY)     /* WAL cannot start its files */
            rc = ap_error_set(err, AP_EIO, "cannot read database '%s': its folder is read-only "
                              "and SQLite needs to create '%s-wal' and '-shm' beside it", path,
                              path);
        goto fail;
    }
    if ((rc = ap_store__exec(st, "BEGIN", err)) < 0)
        goto fail;
    rc = ap_store__load_catalogue(st, err);
    sqlite3_exec(st->db, "COMMIT", NULL, NULL, NULL);
    if (rc < 0)
        goto fail;
    *out = st;
    return AP_OK;
fail:
    ap_store_close(st);
    return rc;
}

void ap_store_close(ap_store *st)
{
    if (st == NULL)
        return;
    if (st->in_import)
        ap_store_rollback(st);
    ap_store_obs_rollback(st);
    free_catalogue(st);
    free(st->sources);
    sqlite3_close(st->db);
    free(st);
}

const ap_vocab *ap_store_vocab(const ap_store *st) { return &st->vocab; }

const char *ap_store_source_path(const ap_store *st, int64_t file)
{
    for (size_t i = 0; i < st->nsources; i++)
        if (st->sources[i].id == file)
            return st->sources[i].path;
    return NULL;
}

int ap_store_latest(const ap_store *st, int64_t *snap, ap_error *err)
{
    (void)err;
    *snap = st->latest;
    return AP_OK;
}

int ap_store_snapshot_exists(const ap_store *st, int64_t snap, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    if (snap > st->latest)      /* newer than the rights and files this store knows */
        return ap_error_set(err, AP_ENOTFOUND, "no snapshot %lld in the database",
                            (long long)snap);
    if ((rc = ap_store__prepare(st, &stmt, "SELECT 1 FROM snapshot WHERE id = ?1", err)) < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, snap);
    rc = sqlite3_step(stmt);
    sqlite3_finalize(stmt);
    if (rc == SQLITE_ROW)
        return AP_OK;
    if (rc == SQLITE_DONE)
        return ap_error_set(err, AP_ENOTFOUND, "no snapshot %lld in the database",
                            (long long)snap);
    return ap_store__sqlerr(err, st->db, AP_EIO, "reading snapshots");
}

int ap_store_same_rows(const ap_store *st, int64_t a, int64_t b, ap_error *err)
{
    /* a row is in snapshot s when snap_from <= s < snap_to (or it is open): it is in one of a
     * and b but not the other exactly when it was opened or closed in (lo, hi]; the
     * (snap_from, snap_to) indexes answer both without reading a row */
    static const char *const sql[] = {
        "SELECT 1 FROM node WHERE snap_from > ?1 AND snap_from <= ?2 LIMIT 1",
        "SELECT 1 FROM node WHERE snap_to > ?1 AND snap_to <= ?2 LIMIT 1",
        "SELECT 1 FROM edge WHERE snap_from > ?1 AND snap_from <= ?2 LIMIT 1",
        "SELECT 1 FROM edge WHERE snap_to > ?1 AND snap_to <= ?2 LIMIT 1",
    };
    int64_t lo = a < b ? a : b, hi = a < b ? b : a;
    int rc;
    if ((rc = ap_store_snapshot_exists(st, a, err)) < 0
        || (rc = ap_store_snapshot_exists(st, b, err)) < 0)
        return rc;
    for (size_t i = 0; i < sizeof sql / sizeof sql[0]; i++) {
        sqlite3_stmt *stmt = NULL;
        if ((rc = ap_store__prepare(st, &stmt, sql[i], err)) < 0)
            return rc;
        sqlite3_bind_int64(stmt, 1, lo);
        sqlite3_bind_int64(stmt, 2, hi);
        rc = sqlite3_step(stmt);
        sqlite3_finalize(stmt);
        if (rc == SQLITE_ROW)
            return 0;
        if (rc != SQLITE_DONE)
            return ap_store__sqlerr(err, st->db, AP_EIO, "reading snapshots");
    }
    return 1;
}

static char *dup_col(sqlite3_stmt *stmt, int i)
{
    const unsigned char *s = sqlite3_column_text(stmt, i);
    return strdup(s != NULL ? (const char *)s : "");
}

int ap_store_snapshots(ap_snapshot_info **out, size_t *n, const ap_store *st, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    ap_snapshot_info *list = NULL;
    size_t count = 0, cap = 0;
    int rc;
    *out = NULL;
    *n = 0;
    if ((rc = ap_store__prepare(st, &stmt, "SELECT id, created, label, files,"
                                " (SELECT json_group_array(json_object('path', path, 'sha256',"
                                "  sha256)) FROM (SELECT path, sha256 FROM source"
                                "  WHERE snap = snapshot.id ORDER BY id))"
                                " FROM snapshot ORDER BY id", err)) < 0)
        return rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? cap * 2 : 8;
            ap_snapshot_info *p = realloc(list, cap * sizeof *p);
            if (p == NULL) {
                rc = ap_error_nomem(err);
                goto cleanup;
            }
            list = p;
        }
        ap_snapshot_info *s = &list[count++];
        s->id = sqlite3_column_int64(stmt, 0);
        s->created = dup_col(stmt, 1);
        s->label = dup_col(stmt, 2);
        s->files = dup_col(stmt, 3);
        s->sources = dup_col(stmt, 4);
        if (s->created == NULL || s->label == NULL || s->files == NULL
            || s->sources == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    if (rc != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "reading snapshots");
        goto cleanup;
    }
    *out = list;
    *n = count;
    list = NULL;
    count = 0;
    rc = AP_OK;
cleanup:
    ap_snapshot_list_free(list, count);
    sqlite3_finalize(stmt);
    return rc;
}

void ap_snapshot_list_free(ap_snapshot_info *list, size_t n)
{
    if (list == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(list[i].created);
        free(list[i].label);
        free(list[i].files);
        free(list[i].sources);
    }
    free(list);
}
