/* graph/graph_internal.h: what graph/ files share and no other folder sees: the store's and the
 * in-memory graph's fields, and their helpers. Never include it outside graph/. */
#ifndef AUTHPATH_GRAPH_INTERNAL_H
#define AUTHPATH_GRAPH_INTERNAL_H

#include <stdatomic.h>

#include <jansson.h>
#include <sqlite3.h>

#include "authpath/graph.h"
#include "authpath/store.h"

typedef struct {
    int64_t id;
    int64_t snap;               /* the snapshot whose import read it */
    char *path;
} ap_source_entry;

/* ---- the staged estate of an open import (store_stage.c, store_check.c) ---- */

#define AP_STAGE_NONE UINT32_MAX

/* Strings live in chunks that never move, so pointers into them stay valid. */
typedef struct ap_chunk {
    struct ap_chunk *next;
    size_t used, cap;
    char data[];
} ap_chunk;

/* The stage's arrays grow by blocks that never move (no copy as they grow, and pointers to
 * their elements stay valid): element i of a block array is AP_SEG(array, i). */
#define AP_SEG_SHIFT 16
#define AP_SEG(blocks, i) ((blocks)[(i) >> AP_SEG_SHIFT][(i) & ((1u << AP_SEG_SHIFT) - 1)])

typedef struct {
    const char *id;         /* a node id, declared or only named by an edge: inl when short */
    uint32_t hash;          /* ap_stage__hash(id) */
    uint32_t node;          /* the staged node declaring it, or AP_STAGE_NONE */
    char inl[16];           /* short ids live here, on the cache line a lookup reads anyway */
} ap_stage_sym;

typedef struct {
    int64_t valid_from, expires;
    const char *attrs;      /* in the stage's strings, or a shared "{}" */
    uint32_t sym, file;     /* file: index into ap_stage.files */
    unsigned line, col;
    uint8_t kind, state;
    int8_t sensitivity;
} ap_stage_node;

typedef struct {
    const char *id;         /* NULL until ap_store__name_edges() names it from|kind|to */
    ap_rights rights, requires;
    int64_t valid_from, expires;
    const char *attrs;
    uint32_t src, dst, file;
    unsigned line, col;
    uint8_t kind, state, escalates, declared;
} ap_stage_edge;

/* An edge staged while one of its ends was not declared yet: where its ends were written, for
 * ap_store_check() to report them should they stay undeclared. Most inventories declare nodes
 * first, so most edges never need these places and do not carry them. */
typedef struct {
    uint32_t edge;          /* its index in ap_stage.edges (input order) */
    unsigned from_line, from_col, to_line, to_col;
} ap_stage_open;

typedef struct {
    ap_stage_sym **syms;    /* block arrays, in the order added */
    ap_stage_node **nodes;  /* in input order */
    ap_stage_edge **edges;  /* in input order: the index is the edge's sequence number */
    uint32_t nsyms, nnodes, nedges;
    uint32_t sym_blocks, node_blocks, edge_blocks;     /* blocks allocated */
    uint64_t *sym_slots;    /* open addressing: hash << 32 | (symbol index + 1); 0: empty */
    uint32_t sym_mask;      /* slots - 1 (a power of two less one) */
    uint32_t last_src;      /* the symbol of the last edge's source (valid when < nsyms) */
    ap_stage_open *open;    /* the edges staged while an end was not declared, in input
                             * order: the only ones ap_store_check() looks at for undeclared
                             * ends (a declared node stays declared) */
    uint32_t nopen, open_cap;
    int64_t *files;         /* source ids of the files staged from */
    uint32_t nfiles, files_cap;
    ap_chunk *strings;
    int named;              /* every edge has its id */
    int checked;            /* ap_store_check() found nothing wrong */
} ap_stage;

/* Staged edges are read in graph order (through the edge order), so at random: a loop over
 * them asks for edge order[i + AP_STAGE_AHEAD] (both lines it may span) before it reads edge
 * order[i], so that the waits overlap instead of following one another. */
#define AP_STAGE_AHEAD 16
static inline void ap_stage__prefetch_edge(const ap_stage *sg, const uint32_t *order, uint32_t i)
{
    if (i < sg->nedges) {
        const char *e = (const char *)&AP_SEG(sg->edges, order[i]);
        __builtin_prefetch(e);
        __builtin_prefetch(e + sizeof(ap_stage_edge) - 1);
    }
}

/* FNV-1a of a NUL-terminated string. */
uint32_t ap_stage__hash(const char *s);
/* Copy len bytes of s (plus a NUL) into sg's strings; NULL when out of memory. */
const char *ap_stage__intern(ap_stage *sg, const char *s, size_t len);
void ap_stage__free(ap_stage *sg);

struct ap_store {
    sqlite3 *db;
    ap_vocab vocab;             /* names point into vocab_names */
    char *vocab_names[AP_MAX_RIGHTS];
    unsigned vocab_committed;   /* vocab.count before the open import */
    ap_source_entry *sources;
    size_t nsources, sources_committed, sources_cap;
    int in_import;
    int journal_switched;       /* this import runs with a rollback journal: WAL after it */
    int64_t snap;               /* the snapshot being written, during an import */
    ap_stage *stage;            /* what the open import staged; NULL when none is open */
    int64_t latest;             /* the latest snapshot, read with the catalogue; 0: none */
    int write_wait_ms;          /* ap_store_begin()'s wait for another import */
    sqlite3_stmt *obs_insert;   /* the open observation import (store_obs.c), or NULL */
    sqlite3_stmt *obs_seen;     /* its duplicate lookups (by event id, by shared id), */
    sqlite3_stmt *obs_seen_shared;  /* prepared on first use */
    char *image_tmp;            /* the open import's graph image, written, not yet in place */
    uint8_t image_token[16];
    int64_t obs_snap;
    int obs_cache;              /* cache_size before the observation import raised it */
};

/* The indexes of schema version 1. A bulk load into empty tables writes rows in the order of
 * all but edge_open, so it keeps those (an in-order insert lands on the last page) and builds
 * edge_open once, after the rows (cheaper than keeping it through every insert). */
#define AP_STORE_INDEX_EDGE_OPEN "CREATE INDEX edge_open ON edge(id) WHERE snap_to IS NULL;"
#define AP_STORE_INDEXES_V1 \
    "CREATE INDEX node_open ON node(key) WHERE snap_to IS NULL;" \
    "CREATE INDEX node_snap ON node(snap_from, snap_to);" \
    AP_STORE_INDEX_EDGE_OPEN \
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
/* Give every staged edge without an id its from|kind|to name (once per import). */
int ap_store__name_edges(ap_store *st, ap_error *err);
/* Write the checked stage as snapshot st->snap: into empty tables (every row once, in the
 * graph loader's order, indexes built after), or versioning the rows already there. */
int ap_store__write_bulk(ap_store *st, ap_error *err);
int ap_store__write_versioned(ap_store *st, ap_error *err);
/* The versioned write without SQL's comparison (store_diff.c): the stage merged with the
 * latest snapshot's graph image, only the rows that changed written, the new snapshot's image
 * written from both (st->image_tmp). 1 when done, 0 when there is no usable image (nothing
 * written: use ap_store__write_versioned), < 0 on an error. */
int ap_store__write_diffed(ap_store *st, ap_error *err);
/* The staged nodes in id order: by_rank[i] is the staged node of rank i, rank[sym] the rank
 * of the node of symbol sym (both owned); AP_ENOMEM when out of memory. */
int ap_store__rank_nodes(const ap_stage *sg, uint32_t **by_rank, uint32_t **rank);
/* The staged edges in graph order (owned), ranks as above; NULL when out of memory. */
uint32_t *ap_store__edge_order(const ap_stage *sg, const uint32_t *rank);
/* Bind a staged node's columns kind, state, valid_from, expires, sensitivity, attrs, file,
 * line, col (an edge's: kind, rights, requires, escalates, declared, state, valid_from,
 * expires, attrs, file, line, col) from parameter first on. */
void ap_store__bind_node(sqlite3_stmt *s, int first, const ap_stage *sg,
                         const ap_stage_node *nd);
void ap_store__bind_edge(sqlite3_stmt *s, int first, const ap_stage *sg,
                         const ap_stage_edge *e);

/* Ranges of a graph image's mapping already unmapped (a whole load keeps only its strings:
 * image_read.c): the rest is unmapped piece by piece around them, never the whole length again,
 * for a later mapping of the process may lie in a hole by then. Sorted, page-aligned. */
#define AP_IMAGE_HOLES 8
typedef struct {
    size_t lo[AP_IMAGE_HOLES], hi[AP_IMAGE_HOLES];
    unsigned n;
} ap_image_holes;
/* Unmap what is left of the image mapping [image, image + len) but its holes. */
void ap_graph__image_unmap(void *image, size_t len, const ap_image_holes *holes);

/* Let the pages of g's image mapping that lie wholly in [lo, hi) go from the process: a pass
 * over a read-only image drops what it has read (they stay in the page cache, and a page read
 * again is mapped again, unchanged), so that a later import does not hold the old image whole
 * beside the new one (store_diff.c, image_stage.c). Nothing when g has no image. */
void ap_graph__image_forget(const ap_graph *g, const void *lo, const void *hi);

/* What a loaded graph shares with every graph derived from it (derive.c): its edge records,
 * the strings its records point into and the image those are mapped from. Counted: the last
 * graph to let go frees them, so a derived graph may outlive its parent. */
typedef struct {
    atomic_uint refs;
    ap_edge *edges;
    ap_chunk *strings;
    void *image;
    size_t image_len;
    ap_image_holes holes;
} ap_graph_share;

/* A derived graph's edge e is share->edges[ref[e]], or own[ref[e] & ~AP_OWN_EDGE] when that
 * bit is set (an added edge, or a shared one whose liveness the edit changes). */
#define AP_OWN_EDGE 0x80000000u

struct ap_graph {
    int64_t snap, at;
    uint32_t n, m;
    ap_node *nodes;
    ap_edge *edges;
    uint32_t *off;          /* n+1 entries; v's out-edges are [off[v], off[v+1]) */
    uint32_t *in_off;       /* n+1 entries into in_edge */
    uint32_t *in_edge;      /* m entries: edge indices grouped by target, in edge order */
    const uint32_t *in_from;    /* m entries: in_edge[i]'s tail; only a partial load's (the
                                 * image's), else NULL */
    json_t **node_json;     /* parsed attrs, filled on first use */
    json_t **edge_json;
    uint64_t *parsed;       /* which entries are filled: edge << 32 | index, in order */
    uint32_t nparsed, parsed_cap;
    bool parsed_lost;       /* the list could not grow: any entry may be filled */
    ap_vocab vocab;
    char *vocab_names[AP_MAX_RIGHTS];
    ap_source_entry *sources;
    size_t nsources;
    ap_chunk *strings;
    igraph_t ig;
    int ig_built;
    uint32_t *ig_map;
    uint32_t *origin;       /* derived graphs: m entries, the parent's edge or UINT32_MAX */
    /* Derived graphs: edges is NULL and each edge is found through ref (AP_OWN_EDGE above);
     * a loaded graph gets share at its first derivation and keeps using edges. */
    ap_graph_share *share;
    uint32_t *ref;
    ap_edge *own;
    uint32_t nown;
    /* A derived graph's node reinstated for a moment (ap_graph_reinstate): re_node, its record
     * under the edit (put back by ap_graph_reinstate_undo), and when re_narrow, re_via's out-row
     * as ap_graph_out_begin/end give it: [re_begin, re_end), its edges into re_node. */
    bool re_on, re_narrow;
    uint32_t re_node, re_via, re_begin, re_end;
    ap_node re_saved;
    void *image;            /* the mapped graph image the strings point into, or NULL */
    size_t image_len;
    ap_image_holes holes;   /* what of it is unmapped already */
    /* A partial load (ap_graph_load_partial): nodes and edges stay NULL until
     * ap_graph__full(); each record is built from the image's on first use into the pools
     * (filled front to back: only the pages used are ever touched), and the rows (off, in_off,
     * in_edge) are the image's own, mapped (rows_mapped). */
    const uint8_t *rec_nodes, *rec_edges;   /* the image's records; NULL: not partial */
    uint32_t *node_slot, *edge_slot;        /* 0: not built yet; else its place + 1 */
    uint8_t *node_live;     /* each node's liveness read in place (ap_graph_node_live): 0 not
                             * read yet, 1 not live, 2 live */
    ap_node *node_pool;
    ap_edge *edge_pool;
    uint32_t nodes_built, edges_built;
    bool rows_mapped;
    /* A lazy load (AP_IMG_LAZY) checks a block of the records or strings against the image's
     * block table the first time it is read: block_ok[b] says it was (NULL: every block was
     * checked at open); image_damage, why a block failed (the graph is not to be used). */
    uint8_t *block_ok;
    uint64_t block_base[8];     /* each section's first block in the table */
    const char *image_damage;
    char load_note[320];    /* where the graph came from (ap_graph_load_note) */
};

/* An element's own liveness at `at`: its state and validity interval. */
static inline bool ap_graph__own_live(ap_state state, int64_t vf, int64_t exp, int64_t at)
{
    return ap_state_is_live(state) && (vf == AP_TIME_NONE || vf <= at)
           && (exp == AP_TIME_NONE || at < exp);
}

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
/* Copy the store's catalogue (vocabulary, input files) into g and give it empty attribute
 * caches: the last step of every load. */
int ap_graph__finish(ap_graph *g, const ap_store *st, ap_error *err);
/* The graph image (image_write.c, image_read.c). What its writer reads: node v and edge i as a loaded graph holds
 * them (liveness aside), and the rows; ctx is the callbacks'. */
typedef struct {
    int64_t snap;
    uint32_t n, m;
    const uint32_t *off, *in_off, *in_edge;
    void (*node)(const void *ctx, uint32_t v, ap_node *out);
    void (*edge)(const void *ctx, uint32_t i, ap_edge *out);
    const void *ctx;
} ap_image_src;
int ap_image__write(const ap_image_src *src, const char *path, const uint8_t token[16],
                    ap_error *err);
/* The image's path with suffix appended (owned); NULL for an in-memory database. */
char *ap_image__path(const ap_store *st, const char *suffix);
/* Record token as snapshot snap's image (creating the table when needed): inside a
 * transaction. */
int ap_image__record(ap_store *st, int64_t snap, const uint8_t token[16], ap_error *err);
/* The rows a later import keeps (store_diff.c): node of rank v and edge i (graph order) of
 * the new snapshot are the old image's node node_old[v] and edge edge_old[i] when those are
 * not UINT32_MAX, and carry that record's fields (provenance included) but for the ends. */
typedef struct {
    const ap_graph *old;        /* a partial load of the latest snapshot's image */
    const uint32_t *node_old, *edge_old;
} ap_image_keep;
/* The bulk import's image (or, with keep, a later import's), written from the stage before commit (image_stage.c): by_rank maps
 * a node's place in id order to the staged node, rank a symbol to that place, order lists the
 * staged edges in graph order. Sets st->image_tmp on success. */
int ap_store__stage_image(ap_store *st, const uint32_t *by_rank, const uint32_t *rank,
                          const uint32_t *order, const ap_image_keep *keep, ap_error *err);
/* Write g to path with this token. */
int ap_graph__write_image(const ap_graph *g, const char *path, const uint8_t token[16],
                          ap_error *err);
/* After snapshot snap's import: load it and write its image beside the database (DB-graph),
 * then record the image's token in the database. Nothing for an in-memory database. */
int ap_store__write_image(ap_store *st, int64_t snap, ap_error *err);
/* How an image is opened: WHOLE builds every record (every block hashed at open); CHECKED
 * builds none but hashes every block at open (a reader of the records in place: the import's
 * diff); LAZY hashes the header, block table and rows at open and each block of the records
 * and strings when a record is first built from it (image_lazy.c). */
typedef enum { AP_IMG_WHOLE, AP_IMG_CHECKED, AP_IMG_LAZY } ap_img_mode;
/* Snapshot snap from its image, liveness at `at`: 1 and *out (without catalogue: see
 * ap_graph__finish) when the image is there and every check of the mode holds; 0 and why it
 * was not used otherwise; < 0 on an error (out of memory). */
int ap_graph__open_image(ap_graph **out, const ap_store *st, int64_t snap, int64_t at,
                         ap_img_mode mode, char *why, size_t whylen, ap_error *err);
/* Node v and edge e of a partial load, built on first use (image_lazy.c). */
const ap_node *ap_graph__lazy_node(ap_graph *g, uint32_t v);
const ap_edge *ap_graph__lazy_edge(ap_graph *g, uint32_t e);
const ap_edge *ap_graph__lazy_edge_fields(ap_graph *g, uint32_t e, ap_edge *tmp);
/* Node v's liveness, from its image record read in place (its block checked, no string read,
 * no record built) the first time, with every other record wholly in that block. */
bool ap_graph__lazy_node_live(ap_graph *g, uint32_t v);
/* Give a partial load its whole nodes and edges arrays (what a pass over every record, a
 * derived graph or igraph wants); nothing for any other graph. Records handed out before
 * stay valid. AP_ENOMEM when out of memory. */
int ap_graph__full(ap_graph *g, ap_error *err);
/* Let go of g's share (when it has one): what only the share still owns is freed by the last
 * graph using it. */
void ap_graph__release_share(ap_graph *g);
/* Compute edge liveness from own_live and the ends, sort the edges by (from, to, id) and build
 * the out- and in-rows. */
int ap_graph__index(ap_graph *g, ap_error *err);

#endif
