/* query/findings/walks.c: the nodes of a witness chain not walked before for the same authority
 * (unattributable-write's many targets of one partner cost its reach, not reach x length). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

/* Make m ready for a's walks: a new generation when a changes, room for its slots. */
static bool memo_for(ap_walk_memo *m, const ap_authority *a)
{
    size_t slots = ((size_t)a->nreach + 1) * a->nclasses + 1;
    if (m->a == a && m->cap >= slots)
        return true;
    if (m->cap < slots) {
        uint32_t *stamp = realloc(m->stamp, slots * sizeof *stamp);
        if (stamp == NULL)
            return false;
        m->stamp = stamp;
        uint32_t *value = realloc(m->value, slots * sizeof *value);
        if (value == NULL)
            return false;
        m->value = value;
        int64_t *stack = realloc(m->stack, 2 * slots * sizeof *stack);
        if (stack == NULL)
            return false;
        m->stack = stack;
        memset(m->stamp + m->cap, 0, (slots - m->cap) * sizeof *stamp);
        m->cap = slots;
    }
    if (++m->gen == 0) {                /* wrapped: forget everything */
        memset(m->stamp, 0, m->cap * sizeof *m->stamp);
        m->gen = 1;
    }
    m->a = a;
    return true;
}

/* Edge e's tail and whether it escalates: from the view's compact arrays when the run has
 * them (4 bytes and a type where the record is 80), else from the record. */
static inline uint32_t step_back(const ap_rule_ctx *c, uint32_t e, bool *escalates)
{
    const ap_out_view *w = c->view;
    if (w != NULL && w->g == c->g) {
        *escalates = w->types[w->slot[e].meta & AP_OUT_TYPE].escalates;
        return w->from[e];
    }
    const ap_edge *ed = ap_graph_edge(c->g, e);
    *escalates = ed->escalates;
    return ed->from;
}

size_t ap_findings__walk_new(const ap_rule_ctx *c, const ap_authority *a, uint32_t v,
                             ap_rights want, uint32_t *out)
{
    ap_walk_memo *m = c->visit;
    uint32_t nc = a->nclasses;
    size_t n = 0;
    if (v == a->source || (a->rights[v] & want) == 0)
        return 0;
    if (!memo_for(m, a)) {           /* out of memory: name nothing */
        ((ap_rule_ctx *)c)->rc = c->rc < 0 ? c->rc : ap_error_nomem(c->err);
        return 0;
    }
    int cls = ap_query__best_class(a, &a->arrivals[(size_t)a->row[v] * nc], want,
                                   AP_UNREACHED, false);
    /* the walk of ap_authority_chain (as ap_findings__first_partner's); an inner (node,
     * class) walked before means the rest of the way was walked too */
    for (uint32_t u = v; u != a->source && cls >= 0;) {
        size_t slot = (size_t)a->row[u] * nc + (uint32_t)cls;
        if (u != v) {
            if (m->stamp[slot] == m->gen)
                break;
            m->stamp[slot] = m->gen;
            out[n++] = u;
        }
        const ap_arrival *x = &a->arrivals[slot];
        bool escalates;
        u = step_back(c, x->edge, &escalates);
        if (escalates && u != a->source)
            cls = ap_query__best_class(a, &a->arrivals[(size_t)a->row[u] * nc],
                                       AP_RIGHTS_ALL, x->round - 1, true);
    }
    return n;
}

