/* graph/store_schema.c: the SQLite schema and its forward migrations. user_version holds the
 * schema version; a database newer than this build is refused, an older one migrated. */
#include "graph_internal.h"

#define AP_APPLICATION_ID 0x41505448   /* "APTH": tells our files from other SQLite files */

/* Version 1. Rows are versioned: a node or edge row is part of snapshots
 * [snap_from, snap_to) and snap_to IS NULL while it is current. Node ids are interned in
 * ident so that edge rows and the graph loader work with integers. */
static const char *const schema_v1 =
    "CREATE TABLE snapshot(id INTEGER PRIMARY KEY, created TEXT NOT NULL, label TEXT NOT NULL,"
    "  files TEXT NOT NULL);"
    "CREATE TABLE source(id INTEGER PRIMARY KEY, snap INTEGER NOT NULL, path TEXT NOT NULL);"
    "CREATE TABLE vocab(bit INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);"
    "CREATE TABLE ident(key INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE);"
    "CREATE TABLE node(rid INTEGER PRIMARY KEY, key INTEGER NOT NULL, snap_from INTEGER NOT NULL,"
    "  snap_to INTEGER, kind INTEGER NOT NULL, state INTEGER NOT NULL, valid_from INTEGER,"
    "  expires INTEGER, sensitivity INTEGER, attrs TEXT NOT NULL,"
    "  file INTEGER NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL);"
    "CREATE TABLE edge(rid INTEGER PRIMARY KEY, id TEXT NOT NULL, src INTEGER NOT NULL,"
    "  dst INTEGER NOT NULL, kind INTEGER NOT NULL, rights INTEGER NOT NULL,"
    "  requires INTEGER NOT NULL, escalates INTEGER NOT NULL, declared INTEGER NOT NULL,"
    "  state INTEGER NOT NULL, valid_from INTEGER, expires INTEGER, attrs TEXT NOT NULL,"
    "  snap_from INTEGER NOT NULL, snap_to INTEGER,"
    "  file INTEGER NOT NULL, line INTEGER NOT NULL, col INTEGER NOT NULL);"
    AP_STORE_INDEXES_V1;

/* Version 2: observed use (import --as usage). One row per runtime event, in the snapshot it
 * was imported into, with its provenance; never a grant. actor is a node id of that snapshot
 * when actor_known, else the principal as the event names it; target is what the event acted
 * on (an ARN, a Kubernetes object, a node id), matched against resource patterns by queries. */
static const char *const schema_v2 =
    "CREATE TABLE observation(rid INTEGER PRIMARY KEY, snap INTEGER NOT NULL,"
    "  file INTEGER NOT NULL, line INTEGER NOT NULL, event_id TEXT, at INTEGER NOT NULL,"
    "  actor TEXT NOT NULL, actor_known INTEGER NOT NULL, target TEXT NOT NULL,"
    "  target_known INTEGER NOT NULL, rights INTEGER NOT NULL, action TEXT NOT NULL,"
    "  ok INTEGER NOT NULL, via TEXT);"
    "CREATE INDEX observation_snap ON observation(snap, at);";

/* Version 3: the SHA-256 of every imported file, as its reader read it (NULL for files imported
 * before). */
static const char *const schema_v3 = "ALTER TABLE source ADD COLUMN sha256 TEXT;";

/* Version 4: an event is stored once per snapshot (docs/sources/usage.md, "Duplicates"); the
 * import looks each event id up before it adds the event, so ids are indexed. shared_id is the
 * id one action's copies share across accounts (CloudTrail's sharedEventID), else NULL. */
static const char *const schema_v4 =
    "CREATE INDEX observation_event ON observation(snap, event_id) WHERE event_id IS NOT NULL;"
    "ALTER TABLE observation ADD COLUMN shared_id TEXT;"
    "CREATE INDEX observation_shared ON observation(snap, shared_id)"
    "  WHERE shared_id IS NOT NULL;";

/* Version 5: the groups an event's principal acted with (a Kubernetes audit event's
 * user.groups), as a JSON list of the snapshot's node ids, else NULL (docs/sources/usage.md). */
static const char *const schema_v5 = "ALTER TABLE observation ADD COLUMN groups TEXT;";

/* Version 6: which events an older authpath stored, so that what they lack is said
 * (docs/sources/usage.md, "Events stored by an older authpath"): stored_under is the schema
 * version the database had when the migration found the row (it was stored under that one or
 * an earlier one), NULL for a row stored since. Before version 4 an event could be stored
 * twice; those with an event id are kept once here, as the import keeps them now (the first
 * stored; copies across accounts' trails cannot be told apart: sharedEventID was not kept).
 * A database already at 4 or 5 may hold such rows from before its own migration to 4, and
 * since 4 no import stores them: the same rule applies to it.
 * source_identity is who a role session says acted (CloudTrail's sourceIdentity), else NULL. */
static const char *const schema_v6 =
    "ALTER TABLE observation ADD COLUMN stored_under INTEGER;"
    "ALTER TABLE observation ADD COLUMN source_identity TEXT;";
static const char *const dedup_v4 =
    "DELETE FROM observation WHERE event_id IS NOT NULL AND rid NOT IN"
    "  (SELECT min(rid) FROM observation WHERE event_id IS NOT NULL"
    "   GROUP BY snap, event_id, action, actor, target);";

int ap_store__migrate(ap_store *st, ap_error *err)
{
    sqlite3_stmt *stmt = NULL;
    int rc, version, app;
    if ((rc = ap_store__prepare(st, &stmt, "PRAGMA user_version", err)) < 0)
        return rc;
    version = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);
    if ((rc = ap_store__prepare(st, &stmt, "PRAGMA application_id", err)) < 0)
        return rc;
    app = sqlite3_step(stmt) == SQLITE_ROW ? sqlite3_column_int(stmt, 0) : 0;
    sqlite3_finalize(stmt);

    if (version > AP_SCHEMA_VERSION)
        return ap_error_set(err, AP_ESCHEMA, "the database has schema version %d, newer than "
                            "this authpath (version %d): upgrade authpath to read it",
                            version, AP_SCHEMA_VERSION);
    if (version == 0 && app != 0 && app != AP_APPLICATION_ID)
        return ap_error_set(err, AP_EINPUT, "the file is an SQLite database of another program");
    if (version == 0) {
        sqlite3_stmt *tables = NULL;
        int n;
        if ((rc = ap_store__prepare(st, &tables, "SELECT count(*) FROM sqlite_master", err)) < 0)
            return rc;
        n = sqlite3_step(tables) == SQLITE_ROW ? sqlite3_column_int(tables, 0) : 0;
        sqlite3_finalize(tables);
        if (n > 0)
            return ap_error_set(err, AP_EINPUT, "the file is an SQLite database of another "
                                "program");
    }
    if (version == AP_SCHEMA_VERSION)
        return AP_OK;
    /* Each step moves one version forward inside one transaction. */
    if ((rc = ap_store__exec(st, "BEGIN IMMEDIATE", err)) < 0)
        return rc;
    if (version < 1) {
        if ((rc = ap_store__exec(st, schema_v1, err)) < 0)
            goto fail;
        if ((rc = ap_store__exec(st, "PRAGMA application_id = 1095783496", err)) < 0)
            goto fail;
    }
    if (version < 2 && (rc = ap_store__exec(st, schema_v2, err)) < 0)
        goto fail;
    if (version < 3 && (rc = ap_store__exec(st, schema_v3, err)) < 0)
        goto fail;
    if (version < 4 && (rc = ap_store__exec(st, schema_v4, err)) < 0)
        goto fail;
    if (version < 5 && (rc = ap_store__exec(st, schema_v5, err)) < 0)
        goto fail;
    if (version < 6) {
        char sql[96];
        snprintf(sql, sizeof sql, "UPDATE observation SET stored_under = %d;", version);
        if ((rc = ap_store__exec(st, schema_v6, err)) < 0
            || (version >= 2 && (rc = ap_store__exec(st, sql, err)) < 0)
            || (version >= 2 && (rc = ap_store__exec(st, dedup_v4, err)) < 0))
            goto fail;
    }
    /* Future versions: `if (version < 7) { ALTER TABLE ... }` here. */
    if ((rc = ap_store__exec(st, "PRAGMA user_version = 6", err)) < 0)
        goto fail;
    return ap_store__exec(st, "COMMIT", err);
fail:
    sqlite3_exec(st->db, "ROLLBACK", NULL, NULL, NULL);
    return rc;
}
