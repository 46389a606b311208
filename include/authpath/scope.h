/* authpath/scope.h: a partner's declared scope (what data, rights, environments, jurisdictions
 * and time window it may reach) and the test of one reached target against it. */
#ifndef AUTHPATH_SCOPE_H
#define AUTHPATH_SCOPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "authpath/findings.h"

/* Why a reached target lies outside a scope: a bit per reason, in reporting order. */
typedef enum {
    AP_SCOPE_RESOURCE = 1 << 0,     /* matches none of the scope's resources */
    AP_SCOPE_SENSITIVITY = 1 << 1,  /* more sensitive than max_sensitivity */
    AP_SCOPE_RIGHTS = 1 << 2,       /* held with rights beyond the scope's rights */
    AP_SCOPE_ENVIRONMENT = 1 << 3,  /* its environment is not one of the scope's */
    AP_SCOPE_JURISDICTION = 1 << 4, /* its jurisdiction is not one of the scope's */
    AP_SCOPE_WINDOW = 1 << 5,       /* any authority outside the from/until window */
} ap_scope_reason;
#define AP_SCOPE_REASONS 6

typedef struct {
    char **resources;               /* ids or glob patterns (fnmatch) */
    size_t nresources;
    bool has_resources;
    ap_sensitivity max_sensitivity; /* AP_SENS_NONE: not declared */
    ap_rights rights;               /* valid when has_rights */
    bool has_rights;
    char **environments, **jurisdictions;
    size_t nenvironments, njurisdictions;
    bool has_environments, has_jurisdictions;
    int64_t from, until;            /* AP_TIME_NONE when not declared */
} ap_scope;

/* The scope of node v: its own `scope` attribute, else the policy's entry for its id (policy
 * may be NULL). *out is NULL when v declares none. Right names outside g's vocabulary grant
 * nothing (no edge can carry them). *out owns the result: ap_scope_free(). */
AP_EXPORT int ap_scope_of(ap_scope **out, const ap_graph *g, uint32_t v, const ap_policy *policy,
                          ap_error *err);
AP_EXPORT void ap_scope_free(ap_scope *s);

/* The reasons target v, held with rights r at time `at`, lies outside s (0: inside). Only
 * resources and workflows are targets; other kinds are never outside. */
AP_EXPORT unsigned ap_scope_outside(const ap_scope *s, const ap_graph *g, uint32_t v,
                                    ap_rights r, int64_t at);
/* How many of partner's reached targets lie outside its scope; -1 when it declares none. */
AP_EXPORT int ap_scope_count(int64_t *out, const ap_graph *g, uint32_t partner,
                             const ap_policy *policy, ap_error *err);
/* ap_scope_count of each of partners[0..n) into out[0..n), from one run of the all-partners
 * kernel over those that declare a scope (a batch of their authorities at a time), not a
 * single-source run each. */
AP_EXPORT int ap_scope_count_all(int64_t *out, const ap_graph *g, const uint32_t *partners,
                                 uint32_t n, const ap_policy *policy, ap_error *err);
/* A reason's name: "resource", "sensitivity", "rights", "environment", "jurisdiction",
 * "window". */
AP_EXPORT const char *ap_scope_reason_name(ap_scope_reason reason);

#endif
