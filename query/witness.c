/* query/witness.c: replaying a chain of edges by the round rule, so that what a chain claims is
 * what it carries: per step the rights handed on, and for a gate the right that opens it. */
#include <stdlib.h>

#include "authpath/query.h"
#include "query_internal.h"

/* The right of u that opens a gate on `requires`: of u's classes meeting it, the one that
 * arrived first (its witness is ap_authority_chain(a, g, u, result)). */
static ap_rights gate_right(const ap_authority *a, uint32_t u, ap_rights requires)
{
    int c = ap_query__best_class(a, &a->arrivals[(size_t)a->row[u] * a->nclasses], requires,
                                 AP_UNREACHED, false);
    return c < 0 ? 0 : a->class_mask[c] & requires;
}

ap_rights ap_query__replay_step(const ap_graph *g, const ap_authority *a, ap_rights carried,
                                const ap_edge *e, ap_rights *gate)
{
    *gate = 0;
    if (carried == 0 || !e->traversable || !ap_edge_usable(g, e, a->source))
        return 0;
    if (e->requires != 0 && (carried & e->requires) == 0) {
        /* the chain brings no required right: the tail's own, by its own witness */
        if (e->from == a->source || (a->rights[e->from] & e->requires) == 0)
            return 0;
        *gate = gate_right(a, e->from, e->requires);
    }
    return e->escalates ? e->rights : carried & e->rights;
}

ap_rights ap_authority_replay(const ap_graph *g, const ap_authority *a, const uint32_t *edges,
                              size_t len, ap_chain_step *steps)
{
    ap_rights carried = AP_RIGHTS_ALL;
    uint32_t at = a->source;
    for (size_t i = 0; i < len; i++) {
        const ap_edge *e = ap_graph_edge(g, edges[i]);
        ap_rights gate;
        if (e->from != at
            || (carried = ap_query__replay_step(g, a, carried, e, &gate)) == 0)
            return 0;
        if (steps != NULL)
            steps[i] = (ap_chain_step){ edges[i], carried, gate };
        at = e->to;
    }
    return carried;
}
