/* authpath/offboard.h: hypothetical changes and their consequences. Offboarding a partner (the
 * plan, residual, collateral, shared credentials, persistence, minimal cut, choke points),
 * what-if grants and revocations with readiness tests, and expiry forecasts. */
#ifndef AUTHPATH_OFFBOARD_H
#define AUTHPATH_OFFBOARD_H

#include <stdbool.h>
#include <stdint.h>

#include "authpath/findings.h"
#include "authpath/query.h"

/* One reached node with rights and the evidence: a witness path (edge indices of the graph
 * named where the list is described). */
typedef struct {
    uint32_t actor;         /* whose authority: a partner or workflow */
    uint32_t node;
    ap_rights rights;       /* held (residual, keeps) or lost (collateral, breaks) */
    bool dependency;        /* collateral only: a depends_on target cut, rights empty */
    uint32_t cause;         /* collateral only: the plan step on the former path, or UINT32_MAX */
    uint32_t *path, npath;
    ap_rights carried;      /* what path delivers when replayed, within rights: less than rights
                             * when no one chain brings them all (explain shows the others) */
} ap_reach_item;

/* ---- Offboarding (docs/design.md): a simulation, never a change to the store. ---- */

typedef enum {
    AP_STEP_REVOKE_CREDENTIAL,  /* target: a credential node the partner holds */
    AP_STEP_REMOVE_EDGE         /* target: an edge (out of the partner, or subcontractor_of
                                 * into it) */
} ap_step_kind;

typedef struct {
    ap_step_kind kind;
    uint32_t target;
} ap_offboard_step;

typedef struct {
    uint32_t credential;
    uint32_t *holders, nholders;    /* other nodes with a live edge into it, by id */
    ap_reach_item *breaks;          /* revoke it: what others lose because of it alone */
    uint32_t nbreaks;
    ap_reach_item *keeps;           /* keep it: what the partner keeps (paths in the graph) */
    uint32_t nkeeps;
    uint32_t breaks_unlisted;       /* items of actors past opts->max_actors: counted only */
    uint32_t breaks_unlisted_actors;    /* ... and those actors */
} ap_shared_credential;

typedef struct {
    uint32_t node;          /* the mint target, or the credential */
    bool mint;              /* true: the partner can mint credentials for node */
    uint32_t edge;          /* mint: the can_mint edge; a credential not usable yet: the holds
                             * edge that will carry it; else UINT32_MAX */
    int64_t expires;        /* the credential's expiry (AP_TIME_NONE: none) */
    uint32_t *path, npath;  /* the partner's witness path to node */
    bool outlives;          /* the credential outlives the partner's contract */
    bool dormant;           /* the partner holds it, but it is not usable at the graph's time
                             * (not valid yet, or suspended): the plan revokes only what is
                             * live, so it would carry authority again later */
    bool suspended;         /* dormant: the credential or the holds edge is suspended */
    int64_t usable_from;    /* dormant and not suspended: the date it becomes usable (the
                             * later valid_from of the credential and the holds edge) */
    uint32_t *reaches, nreaches;    /* dormant: the cut's kind of targets (resources and
                             * workflows at or above min_sensitivity) its own authority reaches
                             * in the estate as it stands at the graph's time, by id */
} ap_persistence_item;

typedef struct {
    uint32_t node;
    uint32_t *targets, ntargets;    /* the target resources every carrying path to passes it */
} ap_choke_point;

typedef struct {
    ap_sensitivity min_sensitivity;     /* cut targets: resources and workflows at or above */
    bool shared_holders_only;           /* shared credentials with their holders, neither
                                         * choice computed (keeps and breaks empty): a caller
                                         * that only counts them (the report) */
    /* Collateral and each shared credential's breaks list the items of their first max_actors
     * actors with any (by id); the others' are counted, not listed (*_unlisted): a plan that
     * cuts thousands of actors off a wide estate held all their losses and chains (2,000
     * partners sharing a key to 20,000 nodes: 6 GB). 0: every actor listed. */
    uint32_t max_actors;
    /* No collateral (collateral empty, its counts 0): it computes every touched actor's
     * authority before and after the plan, 20,000 runs a partner on a dense estate of 10,000
     * partners; a caller that shows one partner's plan among many (the report) says where to
     * ask for it instead. */
    bool skip_collateral;
    /* The residual counted, not listed (nresidual set, residual NULL): each item keeps its
     * chain, and a wide partner's actors' items passed a gigabyte (the stress shape at S=100);
     * a caller that shows the count (the report) asks for it alone. */
    bool count_residual;
    /* The most (node, rights) entries of the reach after the plan kept of the actors a shared
     * credential's choice may visit, so that a choice reads it instead of running the actor
     * again (12 bytes each); 0: 16M (192 MiB). An actor past it runs again, with the same
     * result. */
    uint32_t keep_reach_max;
} ap_offboard_opts;

/* Every edge index below is of the graph the plan was computed on; paths of residual and keep
 * items were found on the changed graph and mapped back to it. */
typedef struct {
    uint32_t partner;
    ap_sensitivity min_sensitivity;
    uint32_t *actors, nactors;          /* the partner, then those acting for it, by id */
    ap_offboard_step *plan;             /* revocations, then edges out, then subcontractor_of in */
    uint32_t nplan;
    ap_reach_item *residual;            /* by actor, then hops, then id */
    uint32_t nresidual;
    ap_reach_item *collateral;          /* by actor id, then hops before the plan, then id */
    uint32_t ncollateral;
    uint32_t collateral_unlisted;       /* items of actors past opts->max_actors: counted */
    uint32_t collateral_unlisted_actors;    /* ... and those actors */
    ap_shared_credential *shared;       /* by credential id */
    uint32_t nshared;
    ap_persistence_item *persistence;   /* mint rights, then credentials (outliving the
                                         * contract, or dormant), by node id */
    uint32_t npersistence;
    int64_t contract_ends;              /* AP_TIME_NONE when the partner records none */
    uint32_t *targets, ntargets;        /* the cut's targets, by id */
    uint32_t *cut, ncut;                /* a minimum edge cut, by edge index */
    ap_choke_point *chokes;             /* most targets first, then id */
    uint32_t nchokes;
    bool chokes_skipped;                /* the search for choke points passed
                                         * AP_OFFBOARD_CHOKE_STEPS: none are listed */
} ap_offboard;

/* The choke points' search walks each target's dominators; past this many steps in all (chains
 * thousands deep to thousands of targets) it stops and says so instead of listing some. */
#define AP_OFFBOARD_CHOKE_STEPS ((uint64_t)1 << 24)

/* Simulate offboarding partner on g. Only the actors whose authority can reach what the plan
 * changes are computed before and after it, one at a time. *out owns the result:
 * ap_offboard_free(). */
AP_EXPORT int ap_offboard_compute(ap_offboard **out, const ap_graph *g, uint32_t partner,
                                  const ap_offboard_opts *opts, ap_error *err);
AP_EXPORT void ap_offboard_free(ap_offboard *o);

/* ---- What-if (docs/design.md): hypothetical grants and revocations. ---- */

/* Parse a grant 'FROM -KIND[right,right]-> TO' (the rights part optional: the kind's default;
 * "all" allowed) against g's nodes, kinds and rights. AP_EINPUT for a malformed text, an
 * unknown kind or right, AP_ENOTFOUND for an unknown node; the message quotes the text. */
AP_EXPORT int ap_whatif_parse_grant(ap_edge_spec *out, const ap_graph *g, const char *text,
                                    ap_error *err);

typedef struct {
    uint32_t partner;
    int64_t score_before, score_after;
    ap_reach_item *gained;          /* rights it gains; paths in the changed graph */
    uint32_t ngained;
    ap_reach_item *lost;            /* rights it loses; paths in the original graph */
    uint32_t nlost;
} ap_whatif_change;

typedef enum {
    AP_READY_ATTRIBUTABLE,          /* every new action is logged (by the actor or target) */
    AP_READY_NARROWABLE,            /* no undeclared or all-rights grant on the new paths */
    AP_READY_REVOCABLE,             /* grants expire; credentials have an owner and expiry and
                                     * are neither shared nor multi-tenant */
    AP_READY_WITHIN_PURPOSE,        /* every target and right the change adds lies inside the
                                     * partner's declared scope */
    AP_READY_COUNT
} ap_readiness_test;

/* One failed check, about a node or an edge of the changed graph. */
typedef struct {
    ap_readiness_test test;
    uint32_t node;                  /* the target, credential or identity; else UINT32_MAX */
    uint32_t edge;                  /* the grant or access edge; else UINT32_MAX */
    uint32_t actor;                 /* attributable: the identity acting, or UINT32_MAX */
    const char *reason;             /* static text: "not logged", "no owner", ... */
} ap_readiness_issue;

typedef struct {
    const ap_edge_spec *grants;
    size_t ngrants;
    const uint32_t *revoke_edges;   /* edge indices of the graph */
    size_t nrevoke_edges;
    const uint32_t *revoke_nodes;   /* node indices (never a partner) */
    size_t nrevoke_nodes;
    const ap_weights *weights;      /* NULL: the policy's weights (the defaults without one) */
    const ap_policy *policy;        /* for the findings before and after; NULL: the defaults */
} ap_whatif_opts;

/* What-if lists the changes of at most this many partners besides the one asked about, with
 * their chains (a change to a loop of partners changes every member); the rest are counted. */
#define AP_WHATIF_MAX_PARTNERS 20
/* Items of one list (gained, lost, lapses, survives) that carry their chain: the first this
 * many, nearest first (survives: resources and workflows only); the rest have path NULL, and
 * the outputs count them ("and N more"). The asked partner's gains all carry their chain
 * (readiness tests every new path). */
#define AP_WHATIF_ITEMS_SHOWN 10
/* The findings before and after are compared when the partners they are re-run for, times the
 * graph's nodes, stay within this (the catalogue holds each partner's authority at once: about
 * 0.5 GiB and 8 CPU-s for 2,000 partners of 2,000 nodes); past it what-if says so
 * (findings_skipped). */
#define AP_WHATIF_FINDINGS_BUDGET ((uint64_t)1 << 21)

typedef struct {
    ap_graph *changed;              /* the graph with the changes applied (owned) */
    uint32_t partner;
    ap_whatif_change *changes;      /* the partners whose authority changes, by id: the
                                     * partner asked about and the first
                                     * AP_WHATIF_MAX_PARTNERS others */
    uint32_t nchanges;
    uint32_t changes_more;          /* other partners whose authority changes, not listed */
    uint32_t nnew;                  /* the partner's gained nodes whose paths were tested */
    bool ready[AP_READY_COUNT];
    ap_readiness_issue *issues;     /* by test, then in path order */
    uint32_t nissues;
    uint32_t findings_skipped;      /* 0, or the partners whose findings the change could
                                     * touch when they are too many to re-run them within
                                     * AP_WHATIF_FINDINGS_BUDGET: no findings compared */
    ap_findings *findings_before;   /* the catalogue run on the graph (owned) */
    ap_findings *findings_after;    /* ... and on `changed` (owned) */
    size_t *appeared, nappeared;    /* indices into findings_after of the findings the change
                                     * raises (no finding of the same rule, subject id and
                                     * partner id before), in findings order */
    size_t *vanished, nvanished;    /* indices into findings_before of the findings it clears;
                                     * findings waived by the policy count on neither side */
    ap_reach_item *breaks;          /* what breaks, as offboarding's collateral says it: each
                                     * live depends_on edge whose target the change revokes (or
                                     * that the change removes); actor the dependent node, path
                                     * the depends_on edge of the graph; by edge order */
    uint32_t nbreaks;
} ap_whatif;

/* Apply opts to g in memory and compare every partner's authority; test the readiness of
 * partner's new paths; run the findings before and after. *out owns the result:
 * ap_whatif_free(). */
AP_EXPORT int ap_whatif_compute(ap_whatif **out, const ap_graph *g, uint32_t partner,
                                const ap_whatif_opts *opts, ap_error *err);
AP_EXPORT void ap_whatif_free(ap_whatif *w);

/* ---- Expiry forecast: what the expiries between the graph's time and `until` cut. ---- */

typedef struct {
    uint32_t partner;
    ap_reach_item *lapses;          /* rights the expiries take away; paths in the graph, cause:
                                     * the first edge on the path that expires or leads into a
                                     * node that expires */
    uint32_t nlapses;
    ap_reach_item *survives;        /* the resources and workflows it still holds at `until`;
                                     * paths in the graph */
    uint32_t nsurvives;
    bool listed;                    /* its first AP_WHATIF_ITEMS_SHOWN lapses and survivors carry
                                     * their chain; false: counted only, lapses and survives
                                     * NULL (nlapses and nsurvives still count them) */
} ap_forecast_partner;

/* The forecast of every partner lists the items, with their chains, of at most this many
 * partners: those with lapses first, by id, then the others by id; the rest are counted (a
 * loop of N partners reaching a cycle of N nodes would print N chains of each length). */
#define AP_FORECAST_MAX_LISTED AP_WHATIF_MAX_PARTNERS

typedef struct {
    int64_t until;
    uint32_t *nodes, nnodes;        /* live nodes that expire in (at, until], by id */
    uint32_t *edges, nedges;        /* live edges that expire in (at, until], in edge order */
    uint32_t *starting_nodes, nstarting_nodes;  /* become valid in (at, until]: not applied */
    uint32_t *starting_edges, nstarting_edges;
    ap_forecast_partner *partners;
    uint32_t npartners;
} ap_forecast;

/* Forecast the expiries for the n partners given (all partners when n is 0): only expiries
 * are applied, nothing that starts in the window. The partners given are all listed; of all
 * partners, AP_FORECAST_MAX_LISTED. *out owns the result: ap_forecast_free(). */
AP_EXPORT int ap_forecast_compute(ap_forecast **out, const ap_graph *g, const uint32_t *partners,
                                  uint32_t n, int64_t until, ap_error *err);
AP_EXPORT void ap_forecast_free(ap_forecast *f);

/* The edges that carry source's authority at the fixpoint: usable, from a node that holds
 * something, delivering something (self-loops and edges into the source left out: they never
 * matter for a cut). *out owns the array (free()), in edge order. */
AP_EXPORT int ap_carrying_edges(uint32_t **out, uint32_t *n, const ap_graph *g,
                                const ap_authority *a, ap_error *err);

/* The carrying edges that matter for reaching targets: an edge is kept when it hands on a right
 * its target needs, where a target needs everything it holds and a node needs what its kept
 * out-edges pass on, plus the rights that open their gates (anything it holds, for an
 * escalating edge). Every chain that delivers a right to a target uses only kept edges, so
 * an edge set that disconnects the targets in this subgraph cuts them off (the minimal cut and
 * the choke points run on it). *out owns the array (free()), in edge order. */
AP_EXPORT int ap_useful_edges(uint32_t **out, uint32_t *n, const ap_graph *g,
                              const ap_authority *a, const uint32_t *targets,
                              uint32_t ntargets, ap_error *err);

#endif
