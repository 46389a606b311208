/* query/query_internal.h: what query/ files share and no other folder sees: growing arrays and
 * strings, witness paths as owned arrays, and freeing lists of reach items. Never include it
 * elsewhere. */
#ifndef AUTHPATH_QUERY_INTERNAL_H
#define AUTHPATH_QUERY_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authpath/offboard.h"
#include "authpath/scope.h"

/* A growing NUL-terminated string (start from all zeros). Once memory runs out, failed is set
 * and the text stays as it was. */
typedef struct {
    char *s;
    size_t len, cap;
    bool failed;
} ap_strbuf;

void ap_query__put_n(ap_strbuf *b, const char *t, size_t n);
void ap_query__put(ap_strbuf *b, const char *t);

/* Append the size-byte item at *arr (n items, capacity implied: grows at powers of two).
 * -1 when out of memory (the array is unchanged). */
int ap_query__push(void *arr, uint32_t *n, size_t size, const void *item);
/* A bit per node of g set for each partner (node count / 64 + 1 words, to free), or NULL when
 * out of memory: the partners a blocked run stops at. */
uint64_t *ap_query__partner_bits(const ap_graph *g);
/* ap_scope_outside(s, g, v, r, at) of a resource or workflow v held with r (not 0) is the
 * union of these two: what v itself is, whatever the rights, and what r holds beyond s. */
unsigned ap_query__scope_outside_node(const ap_scope *s, const ap_graph *g, uint32_t v,
                                      int64_t at);
unsigned ap_query__scope_outside_rights(const ap_scope *s, const ap_graph *g, ap_rights r);
/* Each declared scope's group (scope_all.c): scope[i] not NULL gets group[i] < *ngroups, the
 * same as every scope equal to it (the same answers of both above); -1 when out of memory. */
int ap_query__scope_groups(ap_scope *const *scope, uint32_t n, uint32_t *group,
                           uint32_t *ngroups);
/* ap_scope_count of partner, whose scope s is already read. */
int ap_query__scope_count_with(int64_t *out, const ap_graph *g, uint32_t partner,
                               const ap_scope *s, ap_error *err);
/* Tests: ap_scope_count_all runs each partner on its own up to this many declaring a scope. */
extern unsigned ap_query__scope_runs_max;
/* qsort/bsearch order of uint32_t values (node and edge indices). */
int ap_query__u32_cmp(const void *x, const void *y);
/* bigmem.c: an array of size bytes (n x size zeroed) for the large per-node and per-edge
 * arrays: 2 MiB-aligned and marked for huge pages when that large. Released with free(). */
void *ap_query__big_alloc(size_t size);
void *ap_query__big_calloc(size_t n, size_t size);
/* Give the pages of freed heap memory back to the system (glibc's malloc_trim): after a phase
 * whose working set is freed, so that the next phase's peak does not stand on it (malloc keeps
 * freed chunks of up to 32 MiB in its heap once it has freed a mapped one). */
void ap_query__release_memory(void);
/* The witness of v in a (computed on d) for the rights in want (ap_authority_chain; every
 * right: the witness path) as an owned array; with to_parent, each edge is mapped to the parent
 * graph (ap_graph_edge_origin). *out is NULL when the path is empty. */
int ap_query__path(uint32_t **out, uint32_t *n, const ap_graph *d, const ap_authority *a,
                   uint32_t v, ap_rights want, bool to_parent, ap_error *err);
/* it's path (ap_query__path) and what that path carries of it->rights (it->carried), replayed
 * on d where the witness was found. */
int ap_query__item_path(ap_reach_item *it, const ap_graph *d, const ap_authority *a,
                        ap_rights want, bool to_parent, ap_error *err);
/* ap_query__item_path with to_parent for the items of one authority taken in reach order: an
 * item whose chain's last step leaves the node of an earlier item, whose own chain it extends,
 * takes that item's path and the step, so a deep chain's items cost their number, not their
 * number times the depth (the same paths and carried rights as the walk). memo: per node of d
 * its item's index + 1 in list (zeroed at first, ap_graph_node_count(d) entries), full: per
 * item what its whole chain carries, room for index + 1 entries. */
int ap_query__item_path_memo(ap_reach_item *list, uint32_t index, uint32_t *memo,
                             ap_rights *full, const ap_graph *d, const ap_authority *a,
                             ap_error *err);
/* witness.c: one step of ap_authority_replay: what e hands on after a chain that brought
 * `carried` to its tail (0: nothing, the chain ends), and in *gate the right of the tail that
 * opens e's gate when the chain brings none of it (0: no gate, or the chain's own). */
ap_rights ap_query__replay_step(const ap_graph *g, const ap_authority *a, ap_rights carried,
                                const ap_edge *e, ap_rights *gate);
/* authority.c: the class of an arrival row among those meeting `want` that arrived by round
 * max_round: with len_first, the shortest chain, then the earliest; else the earliest, then
 * the shortest; then the lowest class. -1 when none. */
int ap_query__best_class(const ap_authority *a, const ap_arrival *row, ap_rights want,
                         uint32_t max_round, bool len_first);
/* outview.c: the graph's out-edges as slots for many runs on one graph (edge e's slot is
 * slot[e], node v's out-edges off[v] .. off[v + 1]): its target, its type (what
 * ap_edge_transfer reads: rights, requires, escalation) and its liveness (ap_edge_usable's:
 * e->live, else which ends are not live); AP_OUT_DEAD when no source may cross it (not
 * traversable, or not own-live). A run given the view reads 8 bytes an edge, not a record;
 * a walk back along witnesses reads from[e] and the type's escalation (every edge has a
 * type, a dead one too). */
#define AP_OUT_TYPE 0x0fffffffu
#define AP_OUT_FROM_DEAD 0x10000000u    /* not live: the tail is not live (ap_graph_node_live) */
#define AP_OUT_TO_DEAD 0x20000000u      /* not live: the head is not live */
#define AP_OUT_LIVE 0x40000000u
#define AP_OUT_DEAD 0x80000000u
typedef struct {
    uint32_t to, meta;
} ap_out_slot;
typedef struct {
    ap_rights rights, requires;
    bool escalates;
} ap_out_type;
typedef struct ap_out_view {
    const ap_graph *g;          /* the graph it was built on: the only one it serves */
    uint32_t n, m;
    uint32_t *off;
    ap_out_slot *slot;
    uint32_t *from;             /* by edge: its tail (NULL in a view of some heads) */
    uint32_t *eid;              /* NULL: slot e is edge e; else slot e's edge (a view of some
                                 * heads: ap_query__out_view_only) */
    ap_out_type *types;
    uint32_t ntypes;
} ap_out_view;
int ap_query__out_view_new(ap_out_view **out, const ap_graph *g, ap_error *err);
/* The slots of v (a whole view) that a source may cross into a node of nodes (a bit per node),
 * each row in v's order with its edge in eid: for the runs of a workspace that delivers only
 * to those nodes (ap_query__authority_ws_only), which then read no other slot. */
int ap_query__out_view_only(ap_out_view **out, const ap_out_view *v, const uint64_t *nodes,
                            ap_error *err);
void ap_query__out_view_free(ap_out_view *v);
/* An authority workspace: ap_authority_compute's arrays and buffers kept from one source to the
 * next on graphs of one node count (a graph and the graphs derived from it), so that each run
 * costs its reach and allocates nothing once grown. ap_query__authority_run's result is
 * borrowed from ws: valid until the next run or ap_query__authority_ws_free(). */
typedef struct ap_authority_ws ap_authority_ws;
int ap_query__authority_ws_new(ap_authority_ws **out, const ap_graph *g, ap_error *err);
int ap_query__authority_run(const ap_authority **out, ap_authority_ws *ws, const ap_graph *g,
                            uint32_t source, ap_error *err);
/* ap_query__authority_run, stopped early: after each round, enough(ctx, a, v) hears of every
 * node v first reached in it; once one call says true, the run stops at the end of that
 * round. The result then holds every node of at most a->rounds hops, with its hops and the
 * arrivals of the classes that came by then (so its witness path, ap_authority_path, is the
 * full run's), but not the rights that would arrive later: A(v) is only a lower bound. */
int ap_query__authority_run_until(const ap_authority **out, ap_authority_ws *ws,
                                  const ap_graph *g, uint32_t source,
                                  bool (*enough)(void *ctx, const ap_authority *a, uint32_t v),
                                  void *ctx, ap_error *err);
void ap_query__authority_ws_free(ap_authority_ws *ws);
/* Let ws's runs on view->g read view's slots (NULL: the edge records again). The view must
 * outlive ws's runs; it is not ws's to free. */
void ap_query__authority_ws_view(ap_authority_ws *ws, const ap_out_view *view);
/* With on, ws's runs (ap_query__authority_run and _until, from then until switched off; off
 * in a new workspace) compute the blocked authority, docs/design.md's direct holding: every
 * partner (AP_KIND_PARTNER) but the source receives by the round rule but sends nothing on
 * (its out-edges are skipped). The result says so (a->blocked): its witness chains never pass
 * through another partner, and ap_authority_replay refuses a chain that does. Read by the
 * edge records and by an out-edge view (ap_query__authority_ws_view) alike. */
void ap_query__authority_ws_block(ap_authority_ws *ws, bool on);
/* With nodes (a bit per node, NULL: off), ws's runs deliver only to the nodes with a bit, until
 * switched again; nodes must outlive those runs. Where nodes holds every in-neighbour of each
 * of its nodes (ap_graph_ancestors; in a blocked run, a partner's in-edges but for a target's
 * may be left out, as it sends nothing), each of its nodes ends every round with exactly the
 * unrestricted run's rights, hops and arrivals, so its witness chain is that run's; the reach
 * list holds only what was reached among them. */
void ap_query__authority_ws_only(ap_authority_ws *ws, const uint64_t *nodes);
/* With probe (NULL: off), each round of ws's runs on a view (ap_query__authority_ws_view; not
 * on the edge records) first tells probe(ctx, v, round) of each node v it will first reach
 * (perhaps more than once each), before it delivers anything; once a call says true, the run
 * stops there: its result holds the rounds before. For rules that ask only which nodes a round
 * first reaches: the round's deliveries, rows and arrivals are not made. */
void ap_query__authority_ws_probe(ap_authority_ws *ws,
                                  bool (*probe)(void *ctx, uint32_t v, uint32_t round),
                                  void *ctx);
/* reachdiff.c: per source, how its authority on g and on d (derived from g) differ. */
typedef struct {
    uint32_t lost;          /* reached nodes (not the source) where A_g & ~A_d holds a right */
    uint32_t gained;        /* ... where A_d & ~A_g does */
    uint32_t targets;       /* resources and workflows reached on d */
} ap_reach_counts;
/* out[i] for sources[i], i < ns: the same counts as comparing ap_authority_compute on both
 * graphs, from the all-partners kernel in chunks of sources (a table of 32 MiB), or from its
 * lanes where the graph is too large for that. */
int ap_query__reach_counts(ap_reach_counts *out, const ap_graph *g, const ap_graph *d,
                           const uint32_t *sources, uint32_t ns, ap_error *err);
/* The same counts from the kernel's lanes on both graphs, a batch at a time (reachlanes.c):
 * what ap_query__reach_counts does where a table of 64 sources would not fit in 32 MiB. */
int ap_query__reach_counts_lanes(ap_reach_counts *out, const ap_graph *g, const ap_graph *d,
                                 const uint32_t *sources, uint32_t ns, ap_error *err);
/* The nodes strictly between a's source and v on v's witness path (ap_authority_path), from
 * the source on, as an owned array (NULL when there are none). -1 when out of memory. */
int ap_query__path_nodes(uint32_t **out, uint32_t *n, const ap_graph *g, const ap_authority *a,
                         uint32_t v);
/* Free the paths of n items and the array. */
void ap_query__items_free(ap_reach_item *items, uint32_t n);

/* cut.c: fill o->targets (reached resources and workflows at or above o->min_sensitivity),
 * o->cut and o->chokes from the partner's authority a on g. */
int ap_offboard__cut(ap_offboard *o, const ap_graph *g, const ap_authority *a, ap_error *err);
/* Offboarding's persistence risks (offboard_persist.c): can_mint targets the partner's
 * authority pa reaches, then credentials outliving its contract or dormant, by node id. */
int ap_offboard__persistence(ap_offboard *o, const ap_graph *g, const ap_authority *pa,
                             ap_error *err);

/* whatif_findings.c: run the catalogue on g and on w->changed for the partners v with
 * partners[v] (those the change can touch; NULL: all) and fill w's findings, appeared and
 * vanished. */
int ap_whatif__findings(ap_whatif *w, const ap_graph *g, const ap_policy *policy,
                        const bool *partners, ap_error *err);
/* findings/findings.c: ap_findings_compute for the partners v with partners[v] only (NULL:
 * every partner): a finding about several partners lists those among them. */
int ap_findings__compute_some(ap_findings **out, const ap_graph *g, const ap_findings_opts *opts,
                              const bool *partners, ap_error *err);
#endif
