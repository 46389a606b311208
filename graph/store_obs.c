/* graph/store_obs.c: observed use in the store. Events are added to an existing snapshot in one
 * transaction of their own, and read back grouped per (actor, target, action) over a window. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/usage.h"
#include "graph_internal.h"

/* A page cache of fixed size for the import: SQLite's default (2 MiB) spilled the transaction's
 * dirty index pages to the WAL again and again, a fifth of the CPU time at 1M events; 32 MiB,
 * whatever the number of events (bench/RESULTS.md, sixth session). */
#define OBS_CACHE_KIB 32768

static int cache_raise(ap_store *st, ap_error *err)
{
    sqlite3_stmt *s = NULL;
    char sql[64];
    int rc;
    if ((rc = ap_store__prepare(st, &s, "PRAGMA cache_size", err)) < 0)
        return rc;
    st->obs_cache = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -2000;
    sqlite3_finalize(s);
    snprintf(sql, sizeof sql, "PRAGMA cache_size = -%d", OBS_CACHE_KIB);
    return ap_store__exec(st, sql, err);
}

static void cache_restore(ap_store *st)
{
    char sql[64];
    snprintf(sql, sizeof sql, "PRAGMA cache_size = %d", st->obs_cache);
    sqlite3_exec(st->db, sql, NULL, NULL, NULL);
}

int ap_store_obs_begin(ap_store *st, int64_t snap, ap_error *err)
{
    int rc;
    if (st->in_import || st->obs_insert != NULL)
        return ap_error_set(err, AP_EBUG, "an import is already open on this store");
    if ((rc = ap_store_snapshot_exists(st, snap, err)) < 0)
        return rc;
    if (sqlite3_db_readonly(st->db, "main") == 1)
        return ap_error_set(err, AP_EIO, "the database '%s' is read-only: cannot import into it",
                            sqlite3_db_filename(st->db, "main"));
    sqlite3_busy_timeout(st->db, st->write_wait_ms);
    rc = ap_store__exec(st, "BEGIN IMMEDIATE", err);
    sqlite3_busy_timeout(st->db, AP_STORE_BUSY_MS);
    if (rc < 0)
        return rc;
    if ((rc = cache_raise(st, err)) < 0
        || (rc = ap_store__prepare(st, &st->obs_insert, "INSERT INTO observation(snap, file, line,"
                                   " event_id, at, actor, actor_known, target, target_known,"
                                   " rights, action, ok, via, shared_id, groups, source_identity)"
                                   " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12,"
                                   " ?13, ?14, ?15, ?16)",
                                   err)) < 0) {
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
        cache_restore(st);
        return rc;
    }
    st->obs_snap = snap;
    return AP_OK;
}

int ap_store_obs_source(ap_store *st, const char *path, int64_t *file, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc;
    if (st->obs_insert == NULL)
        return ap_error_set(err, AP_EBUG, "no observation import is open");
    if ((rc = ap_store__prepare(st, &stmt, "INSERT INTO source(snap, path) VALUES (?1, ?2)",
                                err)) < 0)
        return rc;
    sqlite3_bind_int64(stmt, 1, st->obs_snap);
    sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
    if (sqlite3_step(stmt) != SQLITE_DONE)
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "recording the input file");
    else
        *file = sqlite3_last_insert_rowid(st->db);
    sqlite3_finalize(stmt);
    return rc;
}

static void bind_opt(sqlite3_stmt *s, int i, const char *v)
{
    if (v != NULL)
        sqlite3_bind_text(s, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

int ap_store_obs_add(ap_store *st, int64_t file, const ap_obs_rec *r, ap_error *err)
{
    sqlite3_stmt *s = st->obs_insert;
    int rc;
    if (s == NULL)
        return ap_error_set(err, AP_EBUG, "no observation import is open");
    sqlite3_bind_int64(s, 1, st->obs_snap);
    sqlite3_bind_int64(s, 2, file);
    sqlite3_bind_int64(s, 3, r->line);
    bind_opt(s, 4, r->event_id);
    sqlite3_bind_int64(s, 5, r->at);
    sqlite3_bind_text(s, 6, r->actor, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 7, r->actor_known);
    sqlite3_bind_text(s, 8, r->target, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 9, r->target_known);
    sqlite3_bind_int64(s, 10, (sqlite3_int64)r->rights);
    sqlite3_bind_text(s, 11, r->action, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 12, r->ok);
    bind_opt(s, 13, r->via);
    bind_opt(s, 14, r->shared_id);
    bind_opt(s, 15, r->groups);
    bind_opt(s, 16, r->source_identity);
    rc = sqlite3_step(s) == SQLITE_DONE ? AP_OK
         : ap_store__sqlerr(err, st->db, AP_EIO, "recording an observation");
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return rc;
}

/* Is there a row of the open import's snapshot with id (in column `col`), action, actor and
 * target? *stmt is prepared on first use and kept for the import. */
static int seen_by(ap_store *st, sqlite3_stmt **stmt, const char *col, const char *id,
                   const ap_obs_rec *r, bool *seen, ap_error *err)
{
    char sql[200];
    int rc, step;
    if (*stmt == NULL) {
        /* the index on (snap, col) finds the few rows of that id; the rest is compared */
        snprintf(sql, sizeof sql, "SELECT 1 FROM observation WHERE snap = ?1 AND %s = ?2"
                 " AND action = ?3 AND actor = ?4 AND target = ?5 LIMIT 1", col);
        if ((rc = ap_store__prepare(st, stmt, sql, err)) < 0)
            return rc;
    }
    sqlite3_bind_int64(*stmt, 1, st->obs_snap);
    sqlite3_bind_text(*stmt, 2, id, -1, SQLITE_STATIC);
    sqlite3_bind_text(*stmt, 3, r->action, -1, SQLITE_STATIC);
    sqlite3_bind_text(*stmt, 4, r->actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(*stmt, 5, r->target, -1, SQLITE_STATIC);
    step = sqlite3_step(*stmt);
    *seen = step == SQLITE_ROW;
    rc = step == SQLITE_ROW || step == SQLITE_DONE ? AP_OK
         : ap_store__sqlerr(err, st->db, AP_EIO, "looking an event up");
    sqlite3_reset(*stmt);
    sqlite3_clear_bindings(*stmt);
    return rc;
}

int ap_store_obs_seen(ap_store *st, const ap_obs_rec *r, bool *seen, ap_error *err)
{
    int rc = AP_OK;
    *seen = false;
    if (st->obs_insert == NULL)
        return ap_error_set(err, AP_EBUG, "no observation import is open");
    if (r->event_id != NULL && r->event_id[0] != '\0')
        rc = seen_by(st, &st->obs_seen, "event_id", r->event_id, r, seen, err);
    if (rc == AP_OK && !*seen && r->shared_id != NULL && r->shared_id[0] != '\0')
        rc = seen_by(st, &st->obs_seen_shared, "shared_id", r->shared_id, r, seen, err);
    return rc;
}

static void obs_finish(ap_store *st)
{
    sqlite3_finalize(st->obs_insert);
    st->obs_insert = NULL;
    sqlite3_finalize(st->obs_seen);
    st->obs_seen = NULL;
    sqlite3_finalize(st->obs_seen_shared);
    st->obs_seen_shared = NULL;
}

int ap_store_obs_commit(ap_store *st, ap_error *err)
{
    int rc;
    if (st->obs_insert == NULL)
        return ap_error_set(err, AP_EBUG, "commit without an open observation import");
    obs_finish(st);
    if ((rc = ap_store__exec(st, "COMMIT", err)) < 0)
        sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    cache_restore(st);
    return rc;
}

void ap_store_obs_rollback(ap_store *st)
{
    if (st->obs_insert == NULL)
        return;
    obs_finish(st);
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    cache_restore(st);
}

/* ---- Reading ---- */

typedef struct {
    const char *actor;
    int64_t last;
} last_use;

struct ap_usage {
    ap_use *items;
    size_t n, cap;
    last_use *last;             /* per actor, sorted: its last successful event before until */
    size_t nlast;
    bool any;
    int64_t since, until;
    ap_chunk *strings;
    ap_usage_stale stale;
};

/* len bytes kept with u's strings (aligned for pointers when align is set); NULL when out of
 * memory. */
static void *room(ap_usage *u, size_t len, bool align)
{
    ap_chunk *c = u->strings;
    size_t pad = align ? sizeof(void *) - 1 : 0;
    if (c == NULL || c->cap - c->used < len + pad) {
        size_t cap = len + pad > 65536 ? len + pad : 65536;
        if ((c = malloc(sizeof *c + cap)) == NULL)
            return NULL;
        c->next = u->strings;
        c->used = 0;
        c->cap = cap;
        u->strings = c;
    }
    if (align)
        c->used += (sizeof(void *) - (uintptr_t)(c->data + c->used) % sizeof(void *))
                   % sizeof(void *);
    c->used += len;
    return c->data + c->used - len;
}

static const char *keep(ap_usage *u, const unsigned char *s)
{
    size_t len = strlen((const char *)s) + 1;
    char *p = room(u, len, false);
    if (p != NULL)
        memcpy(p, s, len);
    return p;
}

/* A stored JSON list of group node ids into x->groups, kept with u's strings. */
static int keep_groups(ap_usage *u, ap_use *x, const char *text, ap_error *err)
{
    json_t *list = json_loads(text, 0, NULL);
    const char **ids;
    size_t n = json_array_size(list);
    int rc = AP_OK;
    if (list == NULL || !json_is_array(list)) {
        json_decref(list);
        return ap_error_set(err, AP_EIO, "an observation's groups are not a JSON list");
    }
    ids = n > 0 ? room(u, n * sizeof *ids, true) : NULL;
    if (n > 0 && ids == NULL)
        rc = ap_error_nomem(err);
    for (size_t i = 0; rc == AP_OK && i < n; i++) {
        const char *id = json_string_value(json_array_get(list, i));
        if (id == NULL)
            rc = ap_error_set(err, AP_EIO, "an observation's groups are not node ids");
        else if ((ids[i] = keep(u, (const unsigned char *)id)) == NULL)
            rc = ap_error_nomem(err);
    }
    if (rc == AP_OK) {
        x->groups = ids;
        x->ngroups = n;
    }
    json_decref(list);
    return rc;
}

static const unsigned char *col_text(sqlite3_stmt *s, int i)
{
    const unsigned char *t = sqlite3_column_text(s, i);
    return t != NULL ? t : (const unsigned char *)"";
}

int ap_usage_load(ap_usage **out, const ap_store *st, int64_t snap, int64_t since,
                  int64_t until, ap_error *err)
{
    sqlite3_stmt *s = NULL;
    ap_usage *u;
    int rc, step;
    *out = NULL;
    if ((u = calloc(1, sizeof *u)) == NULL)
        return ap_error_nomem(err);
    u->since = since;
    u->until = until;
    if ((rc = ap_store__prepare(st, &s, "SELECT EXISTS (SELECT 1 FROM observation WHERE snap = ?1)",
                                err)) < 0)
        goto fail;
    sqlite3_bind_int64(s, 1, snap);
    u->any = sqlite3_step(s) == SQLITE_ROW && sqlite3_column_int(s, 0) == 1;
    sqlite3_finalize(s);
    s = NULL;
    /* what events stored by an older authpath lack (schema versions 4, 5 and 6) */
    if ((rc = ap_store__prepare(st, &s,
             "SELECT coalesce(sum(stored_under < 5 AND target LIKE 'k8s:%'), 0),"
             "  coalesce(sum(stored_under < 6 AND target LIKE 'k8s:%' AND via IS NOT NULL), 0),"
             "  coalesce(sum(stored_under < 4 AND (target LIKE 'arn:%' OR target LIKE 'aws:%')),"
             "  0), coalesce(min(stored_under), 0) FROM observation"
             " WHERE snap = ?1 AND at >= ?2 AND at < ?3 AND stored_under IS NOT NULL", err)) < 0)
        goto fail;
    sqlite3_bind_int64(s, 1, snap);
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int64(s, 3, until);
    if (sqlite3_step(s) != SQLITE_ROW) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "reading observations");
        goto fail;
    }
    u->stale.no_groups = (uint64_t)sqlite3_column_int64(s, 0);
    u->stale.no_impersonation = (uint64_t)sqlite3_column_int64(s, 1);
    u->stale.no_shared_id = (uint64_t)sqlite3_column_int64(s, 2);
    if (u->stale.no_groups + u->stale.no_impersonation + u->stale.no_shared_id > 0)
        u->stale.oldest = sqlite3_column_int(s, 3);
    sqlite3_finalize(s);
    s = NULL;
    /* the first event of each group is its provenance: the lowest row of the earliest time */
    if ((rc = ap_store__prepare(st, &s,
             "SELECT o.actor, o.target, o.action, o.actor_known, o.target_known, o.rights, o.ok,"
             "  g.n, g.first, g.last, src.path, o.line, coalesce(o.event_id, ''), o.groups,"
             "  g.si, g.nsi"
             " FROM (SELECT actor, target, action, rights, ok, groups, count(*) AS n,"
             "   min(at) AS first, max(at) AS last, min(rid) AS rid,"
             "   min(source_identity) AS si, count(DISTINCT source_identity) AS nsi"
             "   FROM observation"
             "   WHERE snap = ?1 AND at >= ?2 AND at < ?3"
             "   GROUP BY actor, target, action, rights, ok, groups) AS g"
             " JOIN observation o ON o.rid = g.rid LEFT JOIN source src ON src.id = o.file"
             " ORDER BY o.actor, o.target, o.action, o.ok DESC, o.rights, o.groups", err)) < 0)
        goto fail;
    sqlite3_bind_int64(s, 1, snap);
    sqlite3_bind_int64(s, 2, since);
    sqlite3_bind_int64(s, 3, until);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        ap_use *x;
        if (u->n == u->cap) {
            size_t cap = u->cap ? u->cap * 2 : 64;
            ap_use *p = realloc(u->items, cap * sizeof *p);
            if (p == NULL)
                goto nomem;
            u->items = p;
            u->cap = cap;
        }
        x = &u->items[u->n];
        memset(x, 0, sizeof *x);
        if ((x->actor = keep(u, col_text(s, 0))) == NULL
            || (x->target = keep(u, col_text(s, 1))) == NULL
            || (x->action = keep(u, col_text(s, 2))) == NULL
            || (x->file = keep(u, col_text(s, 10))) == NULL
            || (x->event_id = keep(u, col_text(s, 12))) == NULL
            || (sqlite3_column_type(s, 14) != SQLITE_NULL
                && (x->source_identity = keep(u, col_text(s, 14))) == NULL))
            goto nomem;
        x->nsource_identities = (size_t)sqlite3_column_int64(s, 15);
        x->actor_known = sqlite3_column_int(s, 3) != 0;
        x->target_known = sqlite3_column_int(s, 4) != 0;
        x->rights = (ap_rights)sqlite3_column_int64(s, 5);
        x->ok = sqlite3_column_int(s, 6) != 0;
        x->count = (uint64_t)sqlite3_column_int64(s, 7);
        x->first = sqlite3_column_int64(s, 8);
        x->last = sqlite3_column_int64(s, 9);
        x->line = (unsigned)sqlite3_column_int(s, 11);
        if (sqlite3_column_type(s, 13) != SQLITE_NULL
            && (rc = keep_groups(u, x, (const char *)col_text(s, 13), err)) < 0)
            goto fail;
        u->n++;
    }
    if (step != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "reading observations");
        goto fail;
    }
    sqlite3_finalize(s);
    s = NULL;
    /* last use per actor, over every event before until (not only the window's) */
    if ((rc = ap_store__prepare(st, &s, "SELECT actor, max(at) FROM observation WHERE snap = ?1"
                                " AND at < ?2 AND ok AND actor_known GROUP BY actor"
                                " ORDER BY actor", err)) < 0)
        goto fail;
    sqlite3_bind_int64(s, 1, snap);
    sqlite3_bind_int64(s, 2, until);
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        last_use *p = realloc(u->last, (u->nlast + 1) * sizeof *p);
        if (p == NULL)
            goto nomem;
        u->last = p;
        if ((p[u->nlast].actor = keep(u, col_text(s, 0))) == NULL)
            goto nomem;
        p[u->nlast++].last = sqlite3_column_int64(s, 1);
    }
    if (step != SQLITE_DONE) {
        rc = ap_store__sqlerr(err, st->db, AP_EIO, "reading observations");
        goto fail;
    }
    sqlite3_finalize(s);
    *out = u;
    return AP_OK;
nomem:
    rc = ap_error_nomem(err);
fail:
    sqlite3_finalize(s);
    ap_usage_free(u);
    return rc;
}

void ap_usage_free(ap_usage *u)
{
    if (u == NULL)
        return;
    while (u->strings != NULL) {
        ap_chunk *next = u->strings->next;
        free(u->strings);
        u->strings = next;
    }
    free(u->items);
    free(u->last);
    free(u);
}

bool ap_usage_last_used(const ap_usage *u, const char *actor, int64_t *out)
{
    size_t lo = 0, hi = u->nlast;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(u->last[mid].actor, actor);
        if (c == 0) {
            *out = u->last[mid].last;
            return true;
        }
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

size_t ap_usage_count(const ap_usage *u) { return u->n; }
const ap_use *ap_usage_get(const ap_usage *u, size_t i) { return &u->items[i]; }
bool ap_usage_any(const ap_usage *u) { return u->any; }
const ap_usage_stale *ap_usage_stale_events(const ap_usage *u) { return &u->stale; }
int64_t ap_usage_since(const ap_usage *u) { return u->since; }
int64_t ap_usage_until(const ap_usage *u) { return u->until; }
