/* authpath/usage.h: observed use. Runtime events stored beside a snapshot (never as grants),
 * read back per (actor, target, action) over a window, and compared with what chains carry. */
#ifndef AUTHPATH_USAGE_H
#define AUTHPATH_USAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "authpath/query.h"
#include "authpath/store.h"

/* ---- Writing: one transaction adding events to an existing snapshot ---- */

typedef struct {
    int64_t at;                 /* Unix seconds, UTC */
    const char *actor;          /* a node id of the snapshot, or the principal as the event
                                 * names it (actor_known false) */
    bool actor_known;
    const char *target;         /* an ARN, a Kubernetes object (k8s:NS/GROUP/RES/NAME), a node
                                 * id, or a service (aws:SVC:*) */
    bool target_known;          /* some node of the snapshot is or covers it */
    ap_rights rights;           /* what the action used */
    const char *action;         /* "s3:GetObject", "delete pods" */
    const char *via;            /* NULL, or how (a session, a workflow) */
    const char *event_id;       /* NULL when the event has none */
    bool ok;                    /* false: a denied attempt (an error code) */
    unsigned line;              /* where the event begins in its file */
    const char *shared_id;      /* NULL, or the id the copies of one action share (CloudTrail's
                                 * sharedEventID: one call logged in two accounts' trails) */
    const char *groups;         /* NULL, or a JSON list of node ids: the groups the actor acted
                                 * with (a Kubernetes audit event's user.groups), in the order
                                 * they are tried (docs/sources/usage.md) */
    const char *source_identity;    /* NULL, or who a role session says acted: CloudTrail's
                                     * sourceIdentity (a person or workload behind the role) */
} ap_obs_rec;

/* Start adding observations to snapshot snap (AP_ENOTFOUND when it does not exist). */
AP_EXPORT int ap_store_obs_begin(ap_store *st, int64_t snap, ap_error *err);
/* Register an input file of the open observation import: *file is its id. */
AP_EXPORT int ap_store_obs_source(ap_store *st, const char *path, int64_t *file, ap_error *err);
AP_EXPORT int ap_store_obs_add(ap_store *st, int64_t file, const ap_obs_rec *r, ap_error *err);
/* Is r already stored in the snapshot (by this import or an earlier one): an event with its
 * event id, or its shared id, and its action, actor and target? *seen false for an event
 * without either id. */
AP_EXPORT int ap_store_obs_seen(ap_store *st, const ap_obs_rec *r, bool *seen, ap_error *err);
AP_EXPORT int ap_store_obs_commit(ap_store *st, ap_error *err);
/* Abandon it: the database is as it was. */
AP_EXPORT void ap_store_obs_rollback(ap_store *st);

/* ---- Reading: events grouped by (actor, target, action, rights, ok) over a window ---- */

typedef struct {
    const char *actor, *target, *action;    /* borrowed from the usage */
    bool actor_known, target_known;
    ap_rights rights;
    bool ok;
    uint64_t count;
    int64_t first, last;                    /* times of the first and last event */
    const char *file;                       /* provenance of the first event */
    unsigned line;
    const char *event_id;                   /* "" when it had none */
    const char *const *groups;              /* node ids the actor acted with, in the order
                                             * tried (ngroups of them; NULL when none) */
    size_t ngroups;
    const char *source_identity;            /* the first (by bytes) of the source identities
                                             * its events name, NULL when none does */
    size_t nsource_identities;              /* how many different ones they name */
} ap_use;

typedef struct ap_usage ap_usage;

/* The events of snapshot snap with since <= at < until, grouped, sorted by actor, target,
 * action, ok. *out owns the result (ap_usage_free()). A snapshot without events gives an empty
 * usage with ap_usage_any() false. */
AP_EXPORT int ap_usage_load(ap_usage **out, const ap_store *st, int64_t snap, int64_t since,
                            int64_t until, ap_error *err);
AP_EXPORT void ap_usage_free(ap_usage *u);
AP_EXPORT size_t ap_usage_count(const ap_usage *u);
AP_EXPORT const ap_use *ap_usage_get(const ap_usage *u, size_t i);
/* The snapshot holds observations at all (in or out of the window). */
AP_EXPORT bool ap_usage_any(const ap_usage *u);
AP_EXPORT int64_t ap_usage_since(const ap_usage *u);
AP_EXPORT int64_t ap_usage_until(const ap_usage *u);
/* Events of the window an older authpath stored, which lack what this one keeps, so that
 * answers about them may be false: the commands say so (docs/sources/usage.md, "Events stored
 * by an older authpath"). All 0 when every event was stored by this schema. */
typedef struct {
    uint64_t no_groups;         /* Kubernetes events stored before schema 5: user.groups not
                                 * kept (a use a group carries reads as not granted) */
    uint64_t no_impersonation;  /* impersonated Kubernetes requests stored before schema 6: the
                                 * impersonation not kept as a use (impersonate never used) */
    uint64_t no_shared_id;      /* AWS events stored before schema 4: sharedEventID not kept (a
                                 * call logged in two accounts' trails counts twice) */
    int oldest;                 /* the oldest schema version they were stored under, 0: none */
} ap_usage_stale;
AP_EXPORT const ap_usage_stale *ap_usage_stale_events(const ap_usage *u);
/* The time of actor's last successful event before the window's end (at any time, not only in
 * the window): false when it has none. */
AP_EXPORT bool ap_usage_last_used(const ap_usage *u, const char *actor, int64_t *out);

/* ---- Comparing with the inventory (query/usage.c) ---- */

/* Does node v stand for target (docs/sources/usage.md, "Targets"): its id is the target, a
 * pattern matching it (AWS wildcards: an `orders/` star pattern covers an object in orders), its
 * service (`aws:s3:*`), or a Kubernetes resource of which the target is one object. */
AP_EXPORT bool ap_usage_covers(const char *node_id, const char *target);

/* Does some chain carry use u: a node standing for u's target on which u's actor, else one of
 * the groups it acted with (in their order), holds every right u used (authority computed on
 * g; a is the actor's authority when the caller has it, else NULL). False when neither the
 * actor nor any of its groups is in g. */
AP_EXPORT bool ap_usage_carried(const ap_graph *g, const ap_authority *a, const ap_use *u);

/* The authority of node v, which the caller keeps (a cache), or NULL on error. */
typedef const ap_authority *(*ap_usage_authority_fn)(void *ctx, uint32_t v);

/* Which principal carries use u: the node of u's actor when its own authority does, else that
 * of the first of u's groups whose authority does; -1 when none does; -2 when auth failed.
 * auth (with ctx) gives authorities; NULL: computed here and freed. */
AP_EXPORT int64_t ap_usage_carrier(const ap_graph *g, const ap_use *u, ap_usage_authority_fn auth,
                                   void *ctx);

/* A group that every authenticated (or every anonymous) user is in, by its node id
 * (group:system:authenticated, group:system:unauthenticated): a grant to it is a grant to
 * everyone. */
AP_EXPORT bool ap_usage_everyone(const char *node_id);

/* Is use u's actor one a source with authority a acts as: the source itself or a node it
 * reaches (a role it assumes, a key it holds), or is one of the groups u's actor acted with the
 * source itself (a partner a partner map made of that group)? A group the source merely
 * reaches does not make another member's use the source's. */
AP_EXPORT bool ap_usage_acts_as(const ap_graph *g, const ap_authority *a, const ap_use *u);

/* What a source's chains carry to one reached resource or workflow, and what of it was used. */
typedef struct {
    uint32_t node;
    ap_rights granted;          /* the source's authority there */
    ap_rights used;             /* rights successful events of its actors used there */
    uint64_t events;
    int64_t first, last;        /* of those events; AP_TIME_NONE when none */
} ap_observed;

/* For every resource and workflow a reaches (in a->reach order): granted and used, from the
 * successful uses in u whose actor the source acts as and whose target the node stands for.
 * *out owns an array of *n entries (free()). */
AP_EXPORT int ap_usage_observed(ap_observed **out, size_t *n, const ap_graph *g,
                                const ap_authority *a, const ap_usage *u, ap_error *err);

/* ---- Narrowing a partner to its observed use (query/narrow.c) ---- */

typedef struct {
    uint32_t edge;              /* an edge of the original graph */
    ap_rights before, after;    /* after == 0: the edge is revoked (removed) */
} ap_narrow_change;

typedef struct {
    uint32_t node;              /* a reached target still holding rights never used */
    ap_rights rights;           /* those rights, after the narrowing */
    const ap_use *needed_by;    /* the observed use that reducing them would break (borrowed
                                 * from the usage), or NULL: no access edge of the partner's
                                 * chains into the node grants them (they arrive through a
                                 * trigger, an escalation or a grant of another kind) */
    uint32_t edge;              /* the edge that could not be reduced, or UINT32_MAX */
} ap_narrow_kept;

typedef struct {
    uint32_t partner;
    ap_narrow_change *changes;  /* by edge index */
    size_t nchanges;
    ap_narrow_kept *kept;       /* in the partner's reach order */
    size_t nkept;
    ap_rights removed_total;    /* every right some change took away (for the summary) */
    int64_t score_before, score_after;
    size_t uses;                /* successful observed uses (grouped) a chain carried before */
    size_t uses_still;          /* ... and still carries on the narrowed graph (== uses) */
    size_t uses_uncarried;      /* successful uses no chain carried even before (drift) */
    ap_graph *narrowed;         /* the changed graph (owned); edges re-sorted */
} ap_narrow;

/* The smallest set of revocations and right reductions of access edges, in edge order, that
 * removes the rights partner's chains carry and no observed use in u used, while every
 * successful use in u that a chain carried (of any actor, so workflows that ran too) is still
 * carried: each step is re-checked on the changed graph and kept only when nothing breaks.
 * w: score weights (NULL: defaults). g is not changed. *out owns the result. */
AP_EXPORT int ap_narrow_compute(ap_narrow **out, const ap_graph *g, uint32_t partner,
                                const ap_usage *u, const ap_weights *w, ap_error *err);
AP_EXPORT void ap_narrow_free(ap_narrow *n);

#endif
