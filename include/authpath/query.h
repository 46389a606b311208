/* authpath/query.h: the engine. One partner's transitive authority exactly as docs/design.md's
 * normative semantics define it, witness paths, blast radius and the partner ranking. */
#ifndef AUTHPATH_QUERY_H
#define AUTHPATH_QUERY_H

#include <stdbool.h>
#include <stdint.h>

#include "authpath/graph.h"

#define AP_UNREACHED UINT32_MAX

/* The rights edge e delivers to its target when its source holds `have`, or 0: docs/design.md's
 * round rule (gate on requires, escalation, depends_on never traversed). Liveness is the
 * caller's business (ap_edge_usable). */
static inline ap_rights ap_edge_transfer(const ap_edge *e, ap_rights have)
{
    if (!e->traversable || have == 0)
        return 0;
    if (e->requires != 0 && (have & e->requires) == 0)
        return 0;
    return e->escalates ? e->rights : (have & e->rights);
}

/* May authority from source s cross edge e? Live edge, live ends, the source always live.
 * e->live (own_live and both ends live, as every graph builds it) answers without reading the
 * ends' records: a run crossing every out-edge of its reach mostly stopped at the cache miss
 * on each target's record. An own-live edge that is not live has a dead end, so only an edge
 * of the source itself asks the ends (an offboarding's runs on an estate with many dead nodes
 * spent 6% of their time asking). */
static inline bool ap_edge_usable(const ap_graph *g, const ap_edge *e, uint32_t s)
{
    if (e->live)
        return true;
    if (!e->own_live || (e->from != s && e->to != s))
        return false;
    return (e->from == s || ap_graph_node_live(g, e->from))
           && (e->to == s || ap_graph_node_live(g, e->to));
}

/* When a class of rights first arrived at a node: the round, the edge that delivered it and
 * the length of the chain that carries it there (docs/semantics.md, "Witnesses"). */
typedef struct {
    uint32_t round;         /* AP_UNREACHED: the node never holds the class */
    uint32_t edge;          /* the delivering edge; AP_UNREACHED at the source */
    uint32_t len;           /* edges in the chain that carries the class (not in gate chains) */
} ap_arrival;

/* One source's authority: the fixpoint A, the round each node was first reached, and for each
 * class of rights at each reached node its first arrival. Rights travel in classes: one per
 * right of the vocabulary, and one for every bit beyond it (inputs name rights, or say "all",
 * so those bits never part). Following arrivals backwards gives chains that carry what they
 * claim (ap_authority_chain). */
typedef struct {
    uint32_t source;
    uint32_t n;             /* node count of the graph it was computed on */
    ap_rights *rights;      /* n entries: A(v); A(source) = every right */
    uint32_t *hops;         /* n entries: first round with A(v) non-empty; AP_UNREACHED */
    uint32_t *reach;        /* the reached nodes but the source, by hops then id */
    uint32_t nreach;
    uint32_t rounds;        /* rounds until the fixpoint */
    uint32_t nclasses;      /* right classes: the vocabulary's rights, and the rest if any */
    ap_rights class_mask[AP_MAX_RIGHTS];
    uint32_t *row;          /* n entries: v's row of arrivals (0: the source); AP_UNREACHED */
    ap_arrival *arrivals;   /* (nreach + 1) rows of nclasses */
    bool blocked;           /* every partner but the source received but sent nothing (direct
                             * holding, docs/design.md): false from ap_authority_compute */
} ap_authority;

/* Compute source's authority on g. *out owns the result: free it with ap_authority_free(). */
AP_EXPORT int ap_authority_compute(ap_authority **out, const ap_graph *g, uint32_t source,
                                   ap_error *err);
/* Source's authority as far as it bears on one target: the rights, hops and arrivals of target
 * and of every node that can reach it other than through the source are exactly
 * ap_authority_compute()'s, so its chains, explanations and paths to target are too; every
 * other node reads as unreached (reach lists only those). It never visits what cannot reach
 * target: a one-target answer (explain, paths --to) costs the part of the reach that bears on
 * it, plus a pass backwards over the rows (ap_graph_ancestry). */
AP_EXPORT int ap_authority_compute_to(ap_authority **out, const ap_graph *g, uint32_t source,
                                      uint32_t target, ap_error *err);
AP_EXPORT void ap_authority_free(ap_authority *a);

/* The witness of v for the rights in `want`: the chain of the class of A(v) & want that arrived
 * first (then the shortest chain, then the lowest class), edge indices from the source to v,
 * written to edges (up to max). Replaying it (ap_authority_replay) delivers that class and
 * perhaps more. Returns its length: 0 for the source, or when v holds nothing of want. The
 * chain may pass a node twice (an escalation can bring back what a node lacked): it is a walk
 * whose rounds strictly fall, never a cycle of the same arrival. */
AP_EXPORT size_t ap_authority_chain(const ap_authority *a, const ap_graph *g, uint32_t v,
                                    ap_rights want, uint32_t *edges, size_t max);
/* The witness path to v: ap_authority_chain for every right, i.e. the shortest chain of the
 * rights that arrived first. */
AP_EXPORT size_t ap_authority_path(const ap_authority *a, const ap_graph *g, uint32_t v,
                                   uint32_t *edges, size_t max);

/* One replayed step of a chain. */
typedef struct {
    uint32_t edge;
    ap_rights carried;      /* what the chain hands on over this step */
    ap_rights gate;         /* 0, or (a gated step the chain itself cannot open) the right of the
                             * step's tail that opens it: its own witness is
                             * ap_authority_chain(a, g, tail, gate) */
} ap_chain_step;

/* Replay a chain from a's source (which holds every right): each step passes carried & rights,
 * or (escalating) creates its rights from any non-empty carried; a gate opens when the chain
 * brings a required right, else on a required right its tail holds at the fixpoint (named in
 * steps[i].gate). Returns what the chain delivers at its end, 0 when a step is unusable from
 * the source or hands on nothing (a->blocked: or leaves a partner other than the source).
 * steps (len entries) may be NULL. */
AP_EXPORT ap_rights ap_authority_replay(const ap_graph *g, const ap_authority *a,
                                        const uint32_t *edges, size_t len, ap_chain_step *steps);

/* The witness paths of many nodes of one authority, for an output that prints them all: a path
 * is its tail's and one step (the walk's state, a node and a class, is remembered when first
 * passed), and what it delivers is its tail's replayed over that step, so a node costs its
 * path's length in array reads and allocates nothing once the buffers have grown. The paths are
 * ap_authority_path's, what they deliver ap_authority_replay's of them. */
typedef struct ap_witnesses ap_witnesses;
/* *out owns a new set over a on g (both must outlive it): free it with ap_witnesses_free(). */
AP_EXPORT int ap_witnesses_new(ap_witnesses **out, const ap_graph *g, const ap_authority *a,
                               ap_error *err);
/* v's witness path as its nodes, a's source first, then each step's head (*n of them: 0 when
 * v has none, the source or a node not reached), borrowed from w until its next call, and in
 * *delivers what replaying it delivers (0 when there is no path). */
AP_EXPORT int ap_witnesses_get(ap_witnesses *w, uint32_t v, const uint32_t **nodes, uint32_t *n,
                               ap_rights *delivers, ap_error *err);
AP_EXPORT void ap_witnesses_free(ap_witnesses *w);

/* ---- Policy: weights and thresholds, overridable by --policy FILE. ---- */
typedef struct {
    int sens_weight[AP_SENS_COUNT];     /* public 1, internal 2, confidential 4, ... 16 */
    int right_weight[AP_MAX_RIGHTS];    /* read 1 write 2 delete 3 ... admin 5, custom 1 */
} ap_weights;
AP_EXPORT void ap_weights_default(ap_weights *w);

/* ---- Blast radius of one partner. ---- */
typedef struct {
    uint32_t partner;
    int64_t score;                          /* docs/design.md: sum of sensitivity x max right */
    int64_t score_by_sens[AP_SENS_COUNT];   /* score split by the targets' sensitivity */
    uint32_t by_kind[AP_KIND_COUNT];        /* reached nodes per kind */
    uint32_t by_sens[AP_SENS_COUNT];        /* reached resources and workflows per sensitivity */
    uint32_t by_sens_right[AP_SENS_COUNT][AP_MAX_RIGHTS];  /* ... that hold each right */
    /* node lists in id order, edge lists in edge order */
    uint32_t *workflows, nworkflows;        /* workflows it can trigger or run */
    uint32_t *identities, nidentities;      /* identities it can act as */
    uint32_t *partners, npartners;          /* other partners whose authority it inherits */
    uint32_t *escalations, nescalations;    /* escalating edges that carry its authority */
    uint32_t *boundaries, nboundaries;      /* authority-carrying edges that change domain */
    uint32_t cut;       /* 0: each list holds its n entries; else (AP_BLAST_LISTS_CUT) only
                         * its first min(n, cut) may be read */
} ap_blast;

/* Blast radius from a computed authority. *out owns it: ap_blast_free(). */
AP_EXPORT int ap_blast_compute(ap_blast **out, const ap_graph *g, const ap_authority *a,
                               const ap_weights *w, ap_error *err);
AP_EXPORT void ap_blast_free(ap_blast *b);
/* The score contribution of one reached node (0 unless a resource or workflow). */
AP_EXPORT int64_t ap_blast_node_score(const ap_graph *g, uint32_t v, ap_rights r,
                                      const ap_weights *w);

/* ---- All partners at once: the bit-parallel kernel (docs/design.md, performance). ---- */

/* Called with the authority of sources[i] at node v (r = A(v), never empty; the source itself
 * included, with every right). Called from worker threads, concurrently for different i, once
 * per (i, v): a visitor that writes only to slots of i needs no lock. */
typedef void (*ap_authority_visit)(void *ctx, uint32_t i, uint32_t v, ap_rights r);

/* The authority of each of n sources, exactly ap_authority_compute()'s rights, computed up to
 * 512 sources at a time on nthreads threads (at least one; the caller's thread is one of them). */
AP_EXPORT int ap_authority_all(const ap_graph *g, const uint32_t *sources, uint32_t n,
                               unsigned nthreads, ap_authority_visit visit, void *ctx,
                               ap_error *err);

#define AP_BLAST_LISTS 1u   /* fill the lists of each ap_blast, not only their counts */
/* AP_BLAST_LISTS with each list cut to its first k entries (1 <= k < 2^24; in id or edge
 * order): the counts stay whole, the result's cut says k. What a ranking that shows k entries
 * of each list needs: memory for k entries a list, not the estate's. */
#define AP_BLAST_LISTS_CUT(k) (AP_BLAST_LISTS | (unsigned)(k) << 8)

/* The blast radius of each of n sources: (*out)[i] is what ap_blast_compute() gives for
 * sources[i]. Without AP_BLAST_LISTS the lists are NULL and only their counts are set. *out
 * owns an array of n results: free it with ap_blast_list_free(). */
AP_EXPORT int ap_blast_all(ap_blast ***out, const ap_graph *g, const uint32_t *sources,
                           uint32_t n, const ap_weights *w, unsigned flags, unsigned nthreads,
                           ap_error *err);
AP_EXPORT void ap_blast_list_free(ap_blast **list, uint32_t n);

/* Called with the blast radius of sources[i], in order of i; b is freed after the call. A
 * nonzero return stops the run (ap_blast_each then returns AP_EIO). */
typedef int (*ap_blast_emit)(void *ctx, uint32_t i, const ap_blast *b);

/* ap_blast_all's results handed to emit one at a time, in source order, instead of kept: memory
 * for the lists of a few batches of sources, whatever the output's size. emit is called from
 * worker threads, one call at a time. */
AP_EXPORT int ap_blast_each(const ap_graph *g, const uint32_t *sources, uint32_t n,
                            const ap_weights *w, unsigned flags, unsigned nthreads,
                            ap_blast_emit emit, void *ctx, ap_error *err);

/* The domain a node belongs to: its 'domain' attribute, else its own id for a partner, else
 * "home". Borrowed from g. */
AP_EXPORT const char *ap_node_domain(const ap_graph *g, uint32_t v);

/* ---- Explanations ---- */
/* One sentence for the witness path to v, e.g. "Northwind holds api key nw-1, which
 * authenticates as svc-backup, ... which can read and write crm". *out owns it (free()). */
AP_EXPORT int ap_explain_sentence(char **out, const ap_graph *g, const ap_authority *a,
                                  uint32_t v, ap_error *err);

/* Every chain it takes to explain all of v's rights: the witness path first, then, while some
 * right of A(v) is not delivered by a chain already listed, the witness of the earliest arrived
 * of them (ap_authority_chain). Each chain delivers what its rights say when replayed, no two
 * list the same rights, and together they deliver A(v). Never fails on a reached node. *out
 * owns n explanations: free with ap_explanations_free(). */
typedef struct {
    uint32_t *edges;        /* the chain, source first */
    size_t len;
    ap_rights rights;       /* what replaying the chain delivers to v (ap_authority_replay) */
    char *sentence;
} ap_explanation;
AP_EXPORT int ap_explain_all(ap_explanation **out, size_t *n, const ap_graph *g,
                             const ap_authority *a, uint32_t v, ap_error *err);
AP_EXPORT void ap_explanations_free(ap_explanation *list, size_t n);

#endif
