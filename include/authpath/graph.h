/* authpath/graph.h: the in-memory graph of one snapshot at one time. Nodes sorted by id, edges
 * sorted by (from, to, id) so each node's out-edges are one run (compressed sparse rows). */
#ifndef AUTHPATH_GRAPH_H
#define AUTHPATH_GRAPH_H

#include <stdbool.h>
#include <stdint.h>

#include <igraph.h>

#include "authpath/store.h"

typedef struct ap_graph ap_graph;

typedef struct {
    const char *id;
    ap_kind kind;
    ap_state state;
    int64_t valid_from, expires;    /* AP_TIME_NONE when not given */
    ap_sensitivity sensitivity;     /* resources and workflows: internal unless given */
    bool live;                      /* carries authority at the graph's time (partners: always) */
    const char *attrs;              /* canonical JSON of every attribute but id and kind */
    int64_t file;                   /* provenance: source id, line, column */
    unsigned line, col;
} ap_node;

/* 80 bytes (a large graph holds millions): wide fields first, kind and state as small ints. */
typedef struct {
    const char *id;
    const char *attrs;
    ap_rights rights, requires;
    int64_t valid_from, expires;
    int64_t file;                   /* provenance: source id, line, column */
    uint32_t from, to;
    unsigned line, col;
    uint8_t kind;                   /* an ap_edge_kind */
    uint8_t state;                  /* an ap_state */
    bool escalates;
    bool declared;                  /* the input named its rights */
    bool traversable;               /* false for depends_on */
    bool own_live;                  /* its own state and dates allow it at the graph's time */
    bool live;                      /* own_live and both ends live */
} ap_edge;

/* Load snapshot snap (0: the latest) with liveness evaluated at `at` (Unix seconds, UTC).
 * On success *out owns a new graph: free it with ap_graph_free(). */
AP_EXPORT int ap_graph_load(ap_graph **out, const ap_store *st, int64_t snap, int64_t at,
                            ap_error *err);
/* ap_graph_load() for a query that reads a small part of the graph (one source's authority,
 * paths, an explanation): from the graph image it builds each node and edge only when first
 * asked for (ap_graph_node, ap_graph_edge) and checks the image's blocks it reads then (see
 * ap_graph_image_damage), so the cost follows what the query reaches; from the rows it is
 * ap_graph_load(). Every answer is the same. Because the accessors fill it in, such a graph
 * must not be read by several threads at once. */
AP_EXPORT int ap_graph_load_partial(ap_graph **out, const ap_store *st, int64_t snap,
                                    int64_t at, ap_error *err);
AP_EXPORT void ap_graph_free(ap_graph *g);
/* Where g came from, for a trace: its graph image, or the database's rows and why the image
 * was not used (none recorded, stale, corrupt...). Borrowed from g. */
AP_EXPORT const char *ap_graph_load_note(const ap_graph *g);
/* NULL, or why g is not to be used: ap_graph_load_partial() checks each block of the graph
 * image's records and strings when it first reads it, and a block that does not match its
 * checksum makes every answer computed from g since then wrong (load it again with
 * ap_graph_load(), which checks the whole image and reads the rows instead). Static text. */
AP_EXPORT const char *ap_graph_image_damage(const ap_graph *g);

AP_EXPORT uint32_t ap_graph_node_count(const ap_graph *g);
AP_EXPORT uint32_t ap_graph_edge_count(const ap_graph *g);
AP_EXPORT int64_t ap_graph_snapshot(const ap_graph *g);
AP_EXPORT int64_t ap_graph_at(const ap_graph *g);
/* The rights vocabulary, borrowed from g. */
AP_EXPORT const ap_vocab *ap_graph_vocab(const ap_graph *g);
/* Path of an input file by source id (provenance), borrowed from g; "?" when unknown. */
AP_EXPORT const char *ap_graph_source_path(const ap_graph *g, int64_t file);
/* The snapshot whose import read that input file; 0 when unknown. */
AP_EXPORT int64_t ap_graph_source_snapshot(const ap_graph *g, int64_t file);

/* Index of the node with this id, or -1. */
AP_EXPORT int64_t ap_graph_find(const ap_graph *g, const char *id);
AP_EXPORT const ap_node *ap_graph_node(const ap_graph *g, uint32_t v);
AP_EXPORT const ap_edge *ap_graph_edge(const ap_graph *g, uint32_t e);
/* ap_graph_node(g, v)->live for a pass that asks many nodes' liveness and names few (an edge's
 * ends): a partial load reads it from v's image record in place (its block checked, see
 * ap_graph_image_damage) and builds no record. */
AP_EXPORT bool ap_graph_node_live(const ap_graph *g, uint32_t v);
/* Edge e for a pass that reads many edges and names few (authority's rounds, its chains):
 * every field but the strings, which may be NULL. A partial load that has not built e reads its
 * image record in place (its block checked, see ap_graph_image_damage) into *tmp, or, tmp NULL,
 * keeps it (a walk read again and again: no string is read until ap_graph_edge names e); any
 * other graph gives e's record. Borrowed from g, or tmp. */
AP_EXPORT const ap_edge *ap_graph_edge_fields(const ap_graph *g, uint32_t e, ap_edge *tmp);
/* v's out-edges (every edge, live or not) are [ap_graph_out_begin, ap_graph_out_end). */
AP_EXPORT uint32_t ap_graph_out_begin(const ap_graph *g, uint32_t v);
AP_EXPORT uint32_t ap_graph_out_end(const ap_graph *g, uint32_t v);
/* The first of u's out-edges (as ap_graph_out_begin/end give them) whose head is v or a later
 * node, or ap_graph_out_end(g, u): a row is in (head, id) order, so this is a binary search. */
AP_EXPORT uint32_t ap_graph_out_first_to(const ap_graph *g, uint32_t u, uint32_t v);
/* v's in-edges: ap_graph_in_edge(g, i) for i in [ap_graph_in_begin, ap_graph_in_end). */
AP_EXPORT uint32_t ap_graph_in_begin(const ap_graph *g, uint32_t v);
AP_EXPORT uint32_t ap_graph_in_end(const ap_graph *g, uint32_t v);
AP_EXPORT uint32_t ap_graph_in_edge(const ap_graph *g, uint32_t i);
/* What can bear on target: a bit per edge (*out, owned: edge count / 64 + 1 words) set for the
 * in-edges of target and of every node that can reach it, stop's own in-edges left out (stop:
 * a node whose state nothing that reaches it changes, or UINT32_MAX). A pass backwards over
 * the rows alone: no node or edge record is built. AP_ENOMEM when out of memory. */
AP_EXPORT int ap_graph_ancestry(uint64_t **out, const ap_graph *g, uint32_t target,
                                uint32_t stop);
/* What can reach targets[0..n): a bit per node (*out, owned: node count / 64 + 1 words) set for
 * each target and each node with a path to one whose inner nodes are not closed (closed: a bit
 * per node, or NULL; a closed node met is marked, its in-edges not followed, unless it is a
 * target). Targets out of range are ignored. AP_ENOMEM when out of memory. */
AP_EXPORT int ap_graph_ancestors(uint64_t **out, const ap_graph *g, const uint32_t *targets,
                                 size_t n, const uint64_t *closed);

/* An attribute of a node or edge, from its attrs: a string (NULL when absent or not a string),
 * a time (false when absent or not a date), a boolean (dflt when absent). Borrowed from g. */
AP_EXPORT const char *ap_graph_node_str(const ap_graph *g, uint32_t v, const char *key);
AP_EXPORT bool ap_graph_node_time(const ap_graph *g, uint32_t v, const char *key, int64_t *out);
AP_EXPORT bool ap_graph_node_bool(const ap_graph *g, uint32_t v, const char *key, bool dflt);
AP_EXPORT const char *ap_graph_edge_str(const ap_graph *g, uint32_t e, const char *key);
AP_EXPORT bool ap_graph_edge_bool(const ap_graph *g, uint32_t e, const char *key, bool dflt);
/* ap_graph_node_str(g, v, key) copied into *buf, which the caller owns and this grows
 * (start with NULL and 0, free() it after), for a pass over many nodes: v's parsed attributes
 * are not kept. Attributes as the importers write them (compact, keys sorted, strings of
 * printable ASCII) are read in place; any other text is parsed by jansson and let go. 1 when v
 * has key as a string, 0 when not, AP_ENOMEM. */
AP_EXPORT int ap_graph_node_str_copy(char **buf, size_t *cap, const ap_graph *g, uint32_t v,
                                     const char *key, ap_error *err);
/* Let go of every attribute object parsed so far (they are parsed again when next asked for):
 * a long run's cache, which the next stage of a command need not carry. Every string or object
 * read from the attributes before this call is invalid after it. */
AP_EXPORT void ap_graph_forget_attrs(const ap_graph *g);
/* The node's display name: its 'name' attribute, else its id. */
AP_EXPORT const char *ap_graph_node_label(const ap_graph *g, uint32_t v);

/* Index of the edge with this id, or -1 (a linear scan). */
AP_EXPORT int64_t ap_graph_find_edge(const ap_graph *g, const char *id);

/* ---- Hypothetical changes: a graph derived from another (which never changes). ---- */

/* An edge to add. Liveness is evaluated at the parent graph's time: the edge is active, valid
 * from the start, and live when both its ends are. */
typedef struct {
    const char *id;             /* NULL: "from|kind|to", with #2, #3... when that id is taken */
    uint32_t from, to;          /* node indices of the parent graph */
    ap_edge_kind kind;
    ap_rights rights, requires;
    bool escalates;
    bool declared;              /* the rights were named (not the kind's default) */
    int64_t expires;            /* AP_TIME_NONE: no expiry */
} ap_edge_spec;

typedef struct {
    const uint32_t *remove;     /* edge indices of the parent graph (repeats allowed) */
    size_t nremove;
    const ap_edge_spec *add;
    size_t nadd;
    const uint32_t *revoke;     /* node indices: state revoked, not live (never a partner) */
    size_t nrevoke;
} ap_graph_edit;

/* A new graph: g with edit applied. Nodes keep their indices; edges are re-sorted, so use
 * ap_graph_edge_origin() to map them back. *out owns the result (ap_graph_free()). It shares
 * g's edge records and strings (counted, so either may be freed first): a kept edge is g's own
 * record unless the edit revoked one of its live ends. The first derivation from g changes
 * what g owns, so it must not run while another thread derives from g. AP_EINPUT when an
 * index is out of range, a partner is revoked or an added edge's id is taken. */
AP_EXPORT int ap_graph_derive(ap_graph **out, const ap_graph *g, const ap_graph_edit *edit,
                              ap_error *err);
/* One of d's revocations undone for a moment, in place (what a choice between keeping and
 * revoking a credential asks, without a copy of the estate per choice): node v of d, derived
 * from parent, takes the parent's state and liveness again, and its edges theirs (live when
 * live in the parent and both ends are live in d); v UINT32_MAX reinstates none. When via is a
 * node, via's out-edges as ap_graph_out_begin() and ap_graph_out_end() give them are only its
 * edges into v, none when v is UINT32_MAX (the caller says the others carry nothing: they stay
 * in their heads' in-rows and by index). Costs v's edges, not the graph. One node at a time;
 * ap_graph_reinstate_undo(d, parent) puts d back (nothing when none is reinstated). d must not
 * be in use by another thread meanwhile.
 * AP_EBUG when d is not derived, is reinstating already, or v or via is out of range. */
AP_EXPORT int ap_graph_reinstate(ap_graph *d, const ap_graph *parent, uint32_t v, uint32_t via,
                                 ap_error *err);
AP_EXPORT void ap_graph_reinstate_undo(ap_graph *d, const ap_graph *parent);
/* The parent's index of edge e of a derived graph, UINT32_MAX for an added edge; e itself for
 * a loaded graph. */
AP_EXPORT uint32_t ap_graph_edge_origin(const ap_graph *g, uint32_t e);

/* An igraph graph over the same vertex numbering with one igraph edge per live traversable
 * edge; *edge_map (when not NULL) gives the ap_graph edge of each igraph edge. Built on first
 * use (not thread-safe), borrowed from g. NULL on allocation failure. */
AP_EXPORT const igraph_t *ap_graph_igraph(ap_graph *g, const uint32_t **edge_map);

/* Install authpath's igraph error handler (errors are returned, never abort). Idempotent. */
AP_EXPORT void ap_igraph_init(void);

#endif
