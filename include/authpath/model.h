/* authpath/model.h: the model of docs/design.md: node and edge kinds, lifecycle states,
 * sensitivities, partner tiers, rights masks, and time. Pure functions, no allocation. */
#ifndef AUTHPATH_MODEL_H
#define AUTHPATH_MODEL_H

#include <stdbool.h>
#include <stdint.h>

#include "authpath/error.h"

typedef enum {
    AP_KIND_NONE = -1,
    AP_KIND_PARTNER, AP_KIND_IDENTITY, AP_KIND_CREDENTIAL, AP_KIND_ROLE, AP_KIND_RESOURCE,
    AP_KIND_WORKFLOW,
    AP_KIND_COUNT
} ap_kind;
#define AP_KIND_NAMES "partner, identity, credential, role, resource, workflow"

typedef enum {
    AP_EDGE_NONE = -1,
    AP_EDGE_HOLDS, AP_EDGE_AUTHENTICATES_AS, AP_EDGE_MEMBER_OF, AP_EDGE_CAN_ASSUME,
    AP_EDGE_SUBCONTRACTOR_OF, AP_EDGE_ADMIN_OF, AP_EDGE_CAN_MINT, AP_EDGE_ACCESS,
    AP_EDGE_TRIGGERS, AP_EDGE_RUNS_AS, AP_EDGE_DEPENDS_ON,
    AP_EDGE_COUNT
} ap_edge_kind;
#define AP_EDGE_KIND_NAMES "holds, authenticates_as, member_of, can_assume, subcontractor_of, " \
                           "admin_of, can_mint, access, triggers, runs_as, depends_on"

typedef enum {
    AP_STATE_NONE = -1,
    AP_STATE_REQUESTED, AP_STATE_APPROVED, AP_STATE_ACTIVE, AP_STATE_UNDER_REVIEW,
    AP_STATE_SUSPENDED, AP_STATE_REVOKED,
    AP_STATE_COUNT
} ap_state;
#define AP_STATE_NAMES "requested, approved, active, under_review, suspended, revoked"

typedef enum {
    AP_SENS_NONE = -1,
    AP_SENS_PUBLIC, AP_SENS_INTERNAL, AP_SENS_CONFIDENTIAL, AP_SENS_RESTRICTED, AP_SENS_CRITICAL,
    AP_SENS_COUNT
} ap_sensitivity;
#define AP_SENS_NAMES "public, internal, confidential, restricted, critical"

typedef enum {
    AP_TIER_NONE = -1,
    AP_TIER_READ_ONLY, AP_TIER_STANDARD, AP_TIER_PRIVILEGED,
    AP_TIER_COUNT
} ap_tier;
#define AP_TIER_NAMES "read_only, standard, privileged"

/* One word per node, 64 rights at most (docs/design.md): a union is an OR, a fixpoint a compare */
typedef uint64_t ap_rights;
#define AP_RIGHTS_ALL (~(ap_rights)0)
#define AP_MAX_RIGHTS 64
/* The built-in vocabulary, bits 0..7 in this order. */
enum { AP_R_READ, AP_R_WRITE, AP_R_DELETE, AP_R_ADMIN, AP_R_EXECUTE, AP_R_APPROVE, AP_R_MINT,
       AP_R_DELEGATE, AP_R_BUILTIN };

/* A rights vocabulary: the built-in names, then the inventory's own. Names are borrowed from
 * wherever the caller keeps them (the built-ins are static). */
typedef struct {
    const char *names[AP_MAX_RIGHTS];
    unsigned count;
} ap_vocab;

/* Static table entry describing each edge kind's default semantics (docs/design.md's table). */
typedef struct {
    const char *name;
    const char *sentence;   /* printf-free template: "{u} holds {v}" */
    bool traversable;       /* false only for depends_on */
    ap_rights requires;     /* default gate: write for triggers, else none */
    bool escalates;         /* runs_as */
} ap_edge_kind_info;

AP_EXPORT const char *ap_kind_name(ap_kind k);
AP_EXPORT ap_kind ap_kind_parse(const char *s);
AP_EXPORT const char *ap_edge_kind_name(ap_edge_kind k);
AP_EXPORT ap_edge_kind ap_edge_kind_parse(const char *s);
AP_EXPORT const ap_edge_kind_info *ap_edge_kind_info_of(ap_edge_kind k);
AP_EXPORT const char *ap_state_name(ap_state s);
AP_EXPORT ap_state ap_state_parse(const char *s);
AP_EXPORT const char *ap_sensitivity_name(ap_sensitivity s);
AP_EXPORT ap_sensitivity ap_sensitivity_parse(const char *s);
AP_EXPORT const char *ap_tier_name(ap_tier t);
AP_EXPORT ap_tier ap_tier_parse(const char *s);
/* True for the states in which a node or edge carries authority (active, under_review). */
AP_EXPORT bool ap_state_is_live(ap_state s);

/* Vocabulary: init with the built-ins; add a custom name (AP_EINPUT when full or invalid). */
AP_EXPORT void ap_vocab_init(ap_vocab *v);
AP_EXPORT int ap_vocab_add(ap_vocab *v, const char *name, ap_error *err);
/* Index of name, or -1. */
AP_EXPORT int ap_vocab_find(const ap_vocab *v, const char *name);
/* Mask of every right in v. */
AP_EXPORT ap_rights ap_vocab_all(const ap_vocab *v);
/* Write the names in r, in vocabulary order, joined by sep, into buf (truncated to size;
 * "all" when r covers the vocabulary and all_word is set, "none" when r is empty). */
AP_EXPORT void ap_rights_format(char *buf, size_t size, const ap_vocab *v, ap_rights r,
                                const char *sep, bool all_word);

/* Time: Unix seconds, UTC. Accepts YYYY-MM-DD (00:00 UTC), YYYY-MM-DDTHH:MM[:SS[.frac]] with
 * an optional Z or +HH:MM/-HH:MM (no zone means UTC); a space may stand for the T.
 * Returns false when s is not such a time. */
AP_EXPORT bool ap_time_parse(const char *s, int64_t *out);
/* YYYY-MM-DDTHH:MM:SSZ into buf (at least 21 bytes). */
AP_EXPORT void ap_time_format(char *buf, size_t size, int64_t t);
/* YYYY-MM-DD into buf (at least 11 bytes). */
AP_EXPORT void ap_date_format(char *buf, size_t size, int64_t t);

#define AP_TIME_NONE INT64_MIN   /* "not given" for optional times */

#endif
