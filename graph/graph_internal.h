/* graph/graph_internal.h: what graph/ files share and no other folder sees: the store's
 * fields (the SQLite handle) and the statement helpers. Never include it outside graph/. */
#ifndef AUTHPATH_GRAPH_INTERNAL_H
#define AUTHPATH_GRAPH_INTERNAL_H

#include <sqlite3.h>

#include "authpath/store.h"

typedef struct {
    int64_t id;
    char *path;
} ap_source_entry;

struct ap_store {
    sqlite3 *db;
    ap_vocab vocab;             /* names point into vocab_names */
    char *vocab_names[AP_MAX_RIGHTS];
    unsigned vocab_committed;   /* vocab.count before the open import */
    ap_source_entry *sources;
    size_t nsources, sources_committed, sources_cap;
    int in_import;
    int64_t snap;               /* the snapshot being written, during an import */
    sqlite3_stmt *st_node, *st_edge;   /* staging inserts, prepared once per import */
};

/* The indexes of schema version 1: created with the schema, and again after a bulk load into
 * empty tables (building an index once is cheaper than keeping it through every insert). */
#define AP_STORE_INDEXES_V1 \
    "CREATE INDEX node_open ON node(key) WHERE snap_to IS NULL;" \
    "CREATE INDEX node_snap ON node(snap_from, snap_to);" \
    "CREATE INDEX edge_open ON edge(id) WHERE snap_to IS NULL;" \
    "CREATE INDEX edge_snap ON edge(snap_from, snap_to);"

/* Copy sqlite3_errmsg() into err at once (SQLite may overwrite it) and return code. */
int ap_store__sqlerr(ap_error *err, sqlite3 *db, ap_status code, const char *what);
/* Prepare sql on st's database; AP_EBUG naming the statement on failure. */
int ap_store__prepare(const ap_store *st, sqlite3_stmt **stmt, const char *sql, ap_error *err);
/* Run sql with no parameters and no rows. */
int ap_store__exec(const ap_store *st, const char *sql, ap_error *err);
/* Create or migrate the schema to AP_SCHEMA_VERSION. */
int ap_store__migrate(ap_store *st, ap_error *err);

#endif
