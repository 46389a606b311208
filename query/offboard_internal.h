/* query/offboard_internal.h: what offboard.c and offboard_shared.c share and no other file sees:
 * the computation's context, the lists an actor's losses go into, and the helpers filling them. */
#ifndef AUTHPATH_OFFBOARD_INTERNAL_H
#define AUTHPATH_OFFBOARD_INTERNAL_H

#include "query_internal.h"

/* ap_offboard_opts.keep_reach_max's default: offboarding the first partner of the independent
 * S=100 estate with a giant component keeps 13.9M, 39 actors that its 7 choices visit 63 times
 * (each visit was two runs). */
#define AP_OFFBOARD_KEPT_MAX ((size_t)16 << 20)

/* Some of the nodes an authority holds (its source first, then by hops and id). */
typedef struct {
    uint32_t *node;
    uint32_t n;
} held_list;

/* What the computation keeps at hand: the graph, the plan as flags and as an edit, and the
 * authority before the plan of every actor whose losses count as collateral. NONE is each
 * file's UINT32_MAX. */
typedef struct {
    const ap_graph *g;
    ap_offboard *o;
    ap_rights vocab;            /* every right of the vocabulary */
    bool *is_actor;             /* n: the partner and those acting for it */
    bool *revoked;              /* n: credentials the plan revokes */
    bool *removed;              /* m: edges the plan removes */
    uint32_t *rm, nrm;          /* the plan's edges, as an edit list */
    uint32_t *rv, nrv;          /* the plan's credentials, as an edit list */
    uint32_t *others, nothers;  /* collateral actors: other partners and workflows, by id */
    bool *touches;              /* n: nodes with a live traversable route on g to what the plan
                                 * changes (a superset of those whose authority it changes) */
    bool *is_tail;              /* n: the tail of an edge into a credential the plan revokes */
    held_list *after;           /* nothers: the tails each touched actor holds after the plan
                                 * (from offboard.c's collateral(), for the choices: its
                                 * whole reach, kept for every touched actor, was 1.2 GB on the
                                 * dense S=100 estate) */
    held_list *kept;            /* nothers: of the actors with tails after the plan, their
                                 * whole reach after it (node, then kept_rights), up to
                                 * kept_max entries in all: a choice reads it
                                 * instead of running the actor again (kept_rights[i] NULL:
                                 * not kept, run again) */
    ap_rights **kept_rights;    /* nothers */
    size_t nkept, kept_max;     /* entries kept in all, and the most */
    ap_rights *after_dense;     /* n: one kept reach spread out for a choice, zero between */
    uint32_t *held_off, *held_by;   /* n+1 offsets into held_by: for node v, the touched actors
                                 * (indices into others) whose after list holds it */
    uint32_t *other_of;         /* n: a node's index into others, NONE when it is none */
    uint8_t *visit;             /* nothers: what this choice asks of them (offboard_shared.c's
                                 * VISIT_*), 0 between */
    uint32_t *visits, nvisits;  /* nothers: the actors with visit set, in the order marked */
    uint32_t *edge_step;        /* m: the plan step removing an edge, NONE when none does */
    uint32_t *node_step;        /* n: the plan step revoking a node, NONE when none does */
    uint32_t *memo;             /* n: ap_offboard__reach_items' memo, zero between uses */
    ap_graph *choices;          /* the estate after the plan but P's holds on the credentials
                                 * it revokes (they die with them): each choice reinstates one
                                 * (ap_graph_reinstate) */
    ap_authority_ws *ws;        /* the runs on choices: each costs its reach, not the estate */
    ap_authority_ws *ws_after;  /* ... and an actor's run after the plan, beside it */
    uint32_t max_actors;        /* opts->max_actors: actors whose losses are listed; 0 all */
    bool holders_only;          /* opts->shared_holders_only: no choice computed, so no after
                                 * lists kept */
    bool count_residual;        /* opts->count_residual: nresidual only, no items */
} offboard_ctx;

/* Where one actor's items go: into *list, or (list NULL: an actor past the listed ones) only
 * counted. */
typedef struct {
    ap_reach_item **list;
    uint32_t *n;
    uint32_t counted;
} item_sink;

/* Actor-by-actor losses into list (with *n): the first max_actors actors with any listed, the
 * others counted in *unlisted (items) and *unlisted_actors. */
typedef struct {
    item_sink sink;
    uint32_t listed_actors;
    uint32_t *unlisted, *unlisted_actors;
    ap_reach_item **list;
    uint32_t *n;
    uint32_t before;            /* *n when the current actor began */
} loss_lists;

/* Begin an actor: its items listed, or (past max_actors) counted. */
item_sink *ap_offboard__actor_begin(loss_lists *l, const offboard_ctx *c);
void ap_offboard__actor_end(loss_lists *l);
/* Every non-partner node a reaches on d (by hops, then id), with paths mapped to the parent. */
int ap_offboard__reach_items(ap_reach_item **list, uint32_t *n, offboard_ctx *c,
                             const ap_graph *d, const ap_authority *a, ap_error *err);
/* What `before` (computed on gb) holds and `after` (rights per node) does not: by hops before,
 * then id, each with the first plan step on its path. */
int ap_offboard__lost_items(item_sink *s, offboard_ctx *c, const ap_graph *gb,
                            const ap_authority *before, const ap_rights *after, ap_error *err);
/* depends_on edges of actor w whose target the plan cuts: a revoked credential (only `only`
 * when it is not NONE) or the partner itself. */
int ap_offboard__dependency_items(item_sink *s, offboard_ctx *c, uint32_t w, uint32_t only,
                                  ap_error *err);
/* offboard_shared.c: c->o->shared, the credentials the plan revokes that another node also
 * holds, each with what revoking it breaks and what keeping it leaves with the partner (with
 * holders_only, the holders alone). It reads the after lists offboard.c's collateral() keeps
 * (none when opts->skip_collateral skipped it). */
int ap_offboard__shared_credentials(offboard_ctx *c, bool holders_only, ap_error *err);

#endif
