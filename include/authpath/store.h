/* authpath/store.h: the SQLite store. Snapshots of the estate, rows versioned by snapshot, the
 * global rights vocabulary, provenance, and the staged writer every reader feeds. */
#ifndef AUTHPATH_STORE_H
#define AUTHPATH_STORE_H

#include <stdint.h>

#include "authpath/model.h"

typedef struct ap_store ap_store;

#define AP_SCHEMA_VERSION 6

/* Open (creating with mode 0600 when missing) the database at path; ":memory:" works too.
 * A database written by a newer authpath is refused with AP_ESCHEMA; an older one is migrated
 * forward. On success *out owns the store: close it with ap_store_close(). A store is not
 * thread-safe: use it from one thread at a time (open one per thread to read in parallel). */
AP_EXPORT int ap_store_open(ap_store **out, const char *path, ap_error *err);
AP_EXPORT void ap_store_close(ap_store *st);

/* The latest snapshot id, or 0 when the database holds none: as of ap_store_open() (or this
 * store's own last import), so that it always matches the rights and files the store knows; a
 * snapshot another process commits later is seen by the next open. */
AP_EXPORT int ap_store_latest(const ap_store *st, int64_t *snap, ap_error *err);
/* AP_ENOTFOUND when snap does not exist. */
AP_EXPORT int ap_store_snapshot_exists(const ap_store *st, int64_t snap, ap_error *err);
/* 1 when snapshots a and b hold the same node and edge rows (so the same graph at any time),
 * 0 when some row is in one and not the other; AP_ENOTFOUND when either does not exist. */
AP_EXPORT int ap_store_same_rows(const ap_store *st, int64_t a, int64_t b, ap_error *err);

typedef struct {
    int64_t id;
    char *created;      /* ISO time the snapshot was written */
    char *label;
    char *files;        /* JSON array of the imported paths */
    char *sources;      /* JSON array of every file imported into it, inventories then observed
                         * use, in import order: {"path": ..., "sha256": ...}; sha256 is null
                         * for a file imported before schema 3 */
} ap_snapshot_info;
/* *out owns an array of *n snapshots, oldest first: free with ap_snapshot_list_free(). */
AP_EXPORT int ap_store_snapshots(ap_snapshot_info **out, size_t *n, const ap_store *st,
                                 ap_error *err);
AP_EXPORT void ap_snapshot_list_free(ap_snapshot_info *list, size_t n);

/* The rights vocabulary: built-ins then every custom right ever imported, in bit order.
 * Names are borrowed from st. */
AP_EXPORT const ap_vocab *ap_store_vocab(const ap_store *st);

/* ---- The import writer: one transaction, one snapshot. ---- */

typedef struct {
    const char *id;
    ap_kind kind;
    ap_state state;
    int64_t valid_from, expires;    /* AP_TIME_NONE when not given */
    ap_sensitivity sensitivity;     /* AP_SENS_NONE when not given */
    const char *attrs;              /* canonical JSON object: every attribute but id and kind */
    unsigned line, col;             /* where the node begins in its file */
} ap_node_rec;

typedef struct {
    const char *id;                 /* NULL: the store names it from|kind|to (#2, #3: repeats) */
    const char *from, *to;
    ap_edge_kind kind;
    ap_rights rights, requires;
    int escalates;                  /* 0 or 1 */
    int rights_declared;            /* 1 when the input named the rights */
    ap_state state;
    int64_t valid_from, expires;
    const char *attrs;
    unsigned line, col;             /* where the edge begins */
    unsigned from_line, from_col, to_line, to_col;  /* where its endpoints are named */
} ap_edge_rec;

/* How long ap_store_begin() waits for another import to finish before it gives up, by
 * default: imports of large estates take minutes, and one started meanwhile should land after
 * it, not fail. Other statements wait AP_STORE_BUSY_MS for a lock. */
#define AP_STORE_WRITE_WAIT_MS (30 * 60 * 1000)
#define AP_STORE_BUSY_MS 10000
/* Set that wait for this store (milliseconds; 0: do not wait). */
AP_EXPORT void ap_store_set_write_wait(ap_store *st, int ms);
/* Start an import: a write transaction that stays open until commit or rollback. When another
 * import holds the database longer than the write wait: AP_EIO, "another import is writing to
 * the database: gave up waiting for it after N s". */
AP_EXPORT int ap_store_begin(ap_store *st, ap_error *err);
/* Register an input file of this import; *file is its id for provenance. */
AP_EXPORT int ap_store_add_source(ap_store *st, const char *path, int64_t *file, ap_error *err);
/* Record the SHA-256 (64 lower-case hex digits) of input file `file` of the open import
 * (inventory or observed use), once it has been read. */
AP_EXPORT int ap_store_source_hash(ap_store *st, int64_t file, const char *sha256,
                                   ap_error *err);
/* Add a custom right to the vocabulary (no-op when known); *bit is its index. */
AP_EXPORT int ap_store_add_right(ap_store *st, const char *name, int *bit, ap_error *err);
/* Stage one node or edge. A node id staged twice is AP_EINPUT naming both places. */
AP_EXPORT int ap_store_stage_node(ap_store *st, int64_t file, const ap_node_rec *rec,
                                  ap_error *err);
AP_EXPORT int ap_store_stage_edge(ap_store *st, int64_t file, const ap_edge_rec *rec,
                                  ap_error *err);
/* A hint, nothing more: the n node ids (at most AP_STAGE_HINT_MAX) about to be staged as
 * edge ends. Starts fetching their places in the staging index from memory so that staging
 * them waits less; changes nothing and may be left out. */
#define AP_STAGE_HINT_MAX 64
AP_EXPORT void ap_store_stage_hint(const ap_store *st, const char *const *ids, size_t n);
/* Nodes and edges staged so far by the open import. */
AP_EXPORT void ap_store_staged(const ap_store *st, uint64_t *nodes, uint64_t *edges);
/* Check what needs the whole import: edges to undeclared nodes, repeated edge ids. The first
 * error goes to err, the others (up to AP_MAX_ERRORS in all) to more when not NULL. */
AP_EXPORT int ap_store_check(ap_store *st, ap_error_list *more, ap_error *err);
/* Write the staged estate as a new snapshot and commit. */
/* created: Unix seconds recorded as the snapshot's time (the library has no clock). */
AP_EXPORT int ap_store_commit(ap_store *st, const char *label, int64_t created, int64_t *snap,
                              ap_error *err);
/* Abandon the import: the database is exactly as it was before ap_store_begin(). */
AP_EXPORT void ap_store_rollback(ap_store *st);

/* Path of an input file by id (for provenance), borrowed from st; NULL when unknown. */
AP_EXPORT const char *ap_store_source_path(const ap_store *st, int64_t file);

#endif
