/* graph/graph_internal.h: what graph/ files share and no other folder sees: the store's and the
 * in-memory graph's fields, and their helpers. Never include it outside graph/. */
#ifndef AUTHPATH_GRAPH_INTERNAL_H
#define AUTHPATH_GRAPH_INTERNAL_H

#include <jansson.h>
#include <sqlite3.h>

#include "authpath/graph.h"
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
    int64_t latest;             /* the latest snapshot, read with the catalogue; 0: none */
    uint64_t staged_nodes, staged_edges;    /* staged by the open import */
};

/* The indexes of schema version 1: created with the schema, and again after a bulk load into
 * empty tables (building an index once is cheaper than keeping it through every insert). */
#define AP_STORE_INDEXES_V1 \
    "CREATE INDEX node_open ON node(key) WHERE snap_to IS NULL;" \
    "CREATE INDEX node_snap ON node(snap_from, snap_to);" \
    "CREATE INDEX edge_open ON edge(id) WHERE snap_to IS NULL;" \
    "CREATE INDEX edge_snap ON edge(snap_from, snap_to);"

/* (Re)read the rights vocabulary, the input files and the latest snapshot id, together:
 * call inside a transaction. */
int ap_store__load_catalogue(ap_store *st, ap_error *err);
/* Copy sqlite3_errmsg() into err at once (SQLite may overwrite it) and return code. */
int ap_store__sqlerr(ap_error *err, sqlite3 *db, ap_status code, const char *what);
/* Prepare sql on st's database; AP_EBUG naming the statement on failure. */
int ap_store__prepare(const ap_store *st, sqlite3_stmt **stmt, const char *sql, ap_error *err);
/* Run sql with no parameters and no rows. */
int ap_store__exec(const ap_store *st, const char *sql, ap_error *err);
/* Create or migrate the schema to AP_SCHEMA_VERSION. */
int ap_store__migrate(ap_store *st, ap_error *err);

/* Strings live in chunks that never move, so pointers into them stay valid. */
typedef struct ap_chunk {
    struct ap_chunk *next;
    size_t used, cap;
    char data[];
} ap_chunk;

struct ap_graph {
    int64_t snap, at;
    uint32_t n, m;
    ap_node *nodes;
    ap_edge *edges;
    uint32_t *off;          /* n+1 entries; v's out-edges are [off[v], off[v+1]) */
    uint32_t *in_off;       /* n+1 entries into in_edge */
    uint32_t *in_edge;      /* m entries: edge indices grouped by target, in edge order */
    json_t **node_json;     /* parsed attrs, filled on first use */
    json_t **edge_json;
    ap_vocab vocab;
    char *vocab_names[AP_MAX_RIGHTS];
    ap_source_entry *sources;
    size_t nsources;
    ap_chunk *strings;
    igraph_t ig;
    int ig_built;
    uint32_t *ig_map;
    uint32_t *origin;       /* derived graphs: m entries, the parent's edge or UINT32_MAX */
};

/* Uninitialised memory for count elements of size bytes, to be freed with free(); NULL when
 * out of memory. From 2 MiB on it is whole 2 MiB pages with a hint to back them by huge pages:
 * one page fault per 2 MiB instead of 512 (first touches dominate a large graph's loading). */
void *ap_graph__big(size_t count, size_t size);
/* Copy the len bytes at s and a NUL into the chunks of list; NULL when out of memory. */
const char *ap_chunk__strdup(ap_chunk **list, const char *s, size_t len);
/* Copy s (NULL: "") into g's string chunks; NULL when out of memory. */
const char *ap_graph__intern(ap_graph *g, const unsigned char *s);
/* The edge order: (from, to, id); ids are unique, so the order is total. */
int ap_graph__edge_cmp(const void *a, const void *b);
/* How ap_graph__load() reads the edge table: with up to `threads` connections (1 or 2; one
 * for an in-memory database), in work items of `chunk` rids. ap_graph_load() uses
 * {2, 65536, false}; tests set second_reads_all to have the second reader claim every item. */
typedef struct {
    unsigned threads;
    uint32_t chunk;
    bool second_reads_all;
} ap_load_opts;
/* ap_graph_load() with these options (tests compare one reader with two). */
int ap_graph__load(ap_graph **out, const ap_store *st, int64_t snap, int64_t at,
                   const ap_load_opts *opts, ap_error *err);
/* Compute edge liveness from own_live and the ends, sort the edges by (from, to, id) and build
 * the out- and in-rows. */
int ap_graph__index(ap_graph *g, ap_error *err);

#endif
