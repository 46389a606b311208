/* authpath/inventory.h: what each partner, identity and credential is at the graph's time (its
 * effective state: declared state and dates together) and who holds or acts through it. */
#ifndef AUTHPATH_INVENTORY_H
#define AUTHPATH_INVENTORY_H

#include <stdint.h>

#include "authpath/query.h"

/* A node's state at the graph's time: revoked and suspended as declared; else expired (expires
 * at or before the time), not yet valid (valid_from after it), or the declared state. */
typedef enum {
    AP_EFF_NONE = -1,
    AP_EFF_ACTIVE, AP_EFF_UNDER_REVIEW, AP_EFF_REQUESTED, AP_EFF_APPROVED,
    AP_EFF_NOT_YET_VALID, AP_EFF_EXPIRED, AP_EFF_SUSPENDED, AP_EFF_REVOKED,
    AP_EFF_COUNT
} ap_effective_state;
#define AP_EFFECTIVE_STATE_NAMES "active, under_review, requested, approved, not_yet_valid, " \
                                 "expired, suspended, revoked"

AP_EXPORT const char *ap_effective_state_name(ap_effective_state s);
/* The state named s, or AP_EFF_NONE. */
AP_EXPORT ap_effective_state ap_effective_state_parse(const char *s);
AP_EXPORT ap_effective_state ap_node_effective_state(const ap_graph *g, uint32_t v);

/* The partners that hold or act through each identity and credential: those whose authority
 * reaches it at the graph's time, and those with a holds edge into it that is not revoked
 * (a credential not valid yet is still held). (*out)[v] lists the first `max` of them in id
 * order (empty for other kinds) and counts the rest in `more`; memory follows max, not the
 * estate's reach (partners are run a batch at a time, by the kernel's lanes on the caller's
 * thread: nthreads is not used). *out owns n = ap_graph_node_count(g) entries:
 * ap_holders_free(). */
typedef struct {
    uint32_t *partners, n;
    uint32_t more;          /* partners beyond the first max, not listed */
} ap_holders;
AP_EXPORT int ap_inventory_holders(ap_holders **out, const ap_graph *g, uint32_t max,
                                   unsigned nthreads, ap_error *err);
AP_EXPORT void ap_holders_free(ap_holders *h, uint32_t n);

#endif
