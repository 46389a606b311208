/* authpath/paths.h: delegation paths. Every authority-carrying simple path from a partner to a
 * target (shortest first, bounded), and the partner-to-partner delegation structure. */
#ifndef AUTHPATH_PATHS_H
#define AUTHPATH_PATHS_H

#include <stdbool.h>
#include <stdint.h>

#include "authpath/query.h"

/* Does edge e carry a's authority at the fixpoint? Usable from a's source, its tail reached,
 * and the round rule lets something through (gate satisfied, non-empty transfer). */
static inline bool ap_authority_carries(const ap_graph *g, const ap_authority *a,
                                        const ap_edge *e)
{
    return a->rights[e->from] != 0 && ap_edge_usable(g, e, a->source)
           && ap_edge_transfer(e, a->rights[e->from]) != 0;
}

/* ---- Paths ---- */
#define AP_PATHS_MAX_DEPTH 12       /* edges per path unless asked otherwise */
#define AP_PATHS_MAX_PATHS 20       /* paths per target unless asked otherwise */
#define AP_PATHS_WORK 256           /* work bound per target: AP_PATHS_WORK x max_depth x
                                     * (max_paths + 1) edges examined */

typedef struct {
    uint32_t max_depth;             /* 0: AP_PATHS_MAX_DEPTH */
    uint32_t max_paths;             /* 0: AP_PATHS_MAX_PATHS */
} ap_paths_opts;

/* The paths to one target, shortest first, then by the ids along them. Every path is a simple
 * route that carries something: replaying it (ap_authority_replay) delivers rights[i] != 0. */
typedef struct {
    uint32_t target;
    uint32_t npaths;
    uint32_t *off;          /* npaths + 1 entries: path i is edges[off[i] .. off[i+1]) */
    uint32_t *edges;        /* graph edge indices, source to target, path after path */
    ap_rights *rights;      /* npaths entries: what each route delivers when replayed */
    bool more;              /* stopped at max_paths: more paths of at most max_depth exist */
    bool deeper;            /* a carrying route longer than max_depth exists and is left out */
    bool truncated;         /* the work bound stopped the search: some paths of at most
                             * max_depth, or the answer to `deeper`, may be missing */
} ap_path_set;

typedef struct {
    uint32_t source;
    uint32_t max_depth, max_paths;  /* the bounds used */
    uint64_t work;                  /* the work bound per target (edges examined) */
    ap_path_set *sets;
    uint32_t nsets;                 /* one per target, in the order asked */
} ap_paths;

/* The reached resources and workflows at or above min, most sensitive first, then by id.
 * *out owns an array of *n node indices (free()). */
AP_EXPORT int ap_paths_targets(uint32_t **out, uint32_t *n, const ap_graph *g,
                               const ap_authority *a, ap_sensitivity min, ap_error *err);

/* Every simple route from a's source to each target over edges that carry a's authority
 * (ap_authority_carries) that, replayed, delivers something: at most opts->max_paths per target
 * and opts->max_depth edges each. Found by a depth-first search backwards from the target,
 * deepening one length at a time, pruned by the distance from the source and by what the rest
 * of the route can still carry; each target's search examines at most AP_PATHS_WORK x
 * max_depth x (max_paths + 1) edges (ap_path_set.truncated says when it stopped there). Then
 * `deeper`: a breadth-first tree of carrying routes from the source answers when the target's
 * tree route is longer than max_depth; otherwise a backward search within the same bound, which
 * stops where a node's tree route joins it into a longer simple route that carries something.
 * *out owns the result: ap_paths_free(). */
AP_EXPORT int ap_paths_compute(ap_paths **out, const ap_graph *g, const ap_authority *a,
                               const uint32_t *targets, uint32_t ntargets,
                               const ap_paths_opts *opts, ap_error *err);
AP_EXPORT void ap_paths_free(ap_paths *p);

/* What a chain of edges alone carries from the source (every right) to its end: the replay of
 * ap_authority_replay (a gate the chain cannot open is judged on its tail's fixpoint). */
AP_EXPORT ap_rights ap_paths_chain_rights(const ap_graph *g, const ap_authority *a,
                                          const uint32_t *edges, uint32_t len);

/* ---- Delegation: partner-to-partner links ---- */

/* A delegation link: a live subcontractor_of or admin_of edge from a partner to a partner
 * that lets some right through. */
AP_EXPORT bool ap_delegation_is_link(const ap_graph *g, const ap_edge *e);

/* Lists of the delegation structure are cut at this many entries, nearest first: a chain's
 * partners acted for, and the partners one heir inherits from (or, for one partner, the heirs
 * inheriting from it). What is cut is counted, so work and output follow what is listed. */
#define AP_DELEGATION_MAX_LIST 5

/* One partner's chain: the partners it acts for over delegation links, nearest first. */
typedef struct {
    uint32_t partner;
    uint32_t nacts;         /* at most AP_DELEGATION_MAX_LIST */
    uint32_t nmore;         /* partners it acts for beyond those listed (farther) */
    uint32_t *acts_for;     /* partners, by distance then id */
    uint32_t *dist;         /* links from the partner to each */
    uint32_t *via;          /* the link through which each was first reached (lowest edge) */
    uint32_t depth;         /* the largest distance: the partner is a (depth + 3)th party */
} ap_chain;

/* A loop: nodes[i] -> nodes[(i + 1) % len] over edges[i]; nodes[0] is the lowest id. */
typedef struct {
    uint32_t len;
    uint32_t *nodes;
    uint32_t *edges;
} ap_loop;

/* Partner heir holds rights at partner from, through the witness path (edges, and the
 * rights the path itself carries over each step when replayed). */
typedef struct {
    uint32_t heir, from;
    ap_rights rights;
    uint32_t hops;
    uint32_t npath;
    uint32_t *path;
    ap_rights *carried;
} ap_inherit;

typedef struct {
    ap_chain *chains;       /* partners that act for at least one other, by id */
    uint32_t nchains;
    ap_loop *loops;         /* a cover of every strongly connected set of links by shortest
                             * cycles, ordered by their node ids */
    uint32_t nloops;
    ap_inherit *inherits;   /* by heir id, then from id; per heir its nearest
                             * AP_DELEGATION_MAX_LIST (with a partner: its heirs too) */
    uint32_t ninherits;
    uint32_t inherits_more; /* (heir, from) pairs not listed */
    uint32_t *links;        /* every delegation link, in edge order */
    uint32_t nlinks;
} ap_delegation;

/* The delegation structure of every partner, or (partner >= 0) the part touching it: its own
 * chain and the chains of partners acting for it, loops through it, and inheritance where it
 * is the heir or the one inherited from. *out owns it: ap_delegation_free(). */
AP_EXPORT int ap_delegation_compute(ap_delegation **out, const ap_graph *g, int64_t partner,
                                    ap_error *err);
AP_EXPORT void ap_delegation_free(ap_delegation *d);

#endif
