/* query/findings/walks.c: questions about one authority's witness chains (the first partner on
 * a chain, the nodes not walked before, direct holding), each remembered per (node, class). */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

bool ap_findings__carries(const ap_rule_ctx *c, const ap_authority *a, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    return a->rights[ed->from] != 0 && ap_edge_usable(c->g, ed, a->source)
           && ap_edge_transfer(ed, a->rights[ed->from]) != 0;
}

static bool reaches_no_partner(const ap_rule_ctx *c, const ap_authority *a);

/* Make m ready for a's walks: a new generation when a changes, room for its slots. */
static bool memo_for(const ap_rule_ctx *c, ap_walk_memo *m, const ap_authority *a)
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
    m->alone = reaches_no_partner(c, a);
    return true;
}

/* Is a a batch partner's authority that reaches no other partner? Then no chain of it passes
 * one (the batch's reach by kind says so without a walk). */
static bool reaches_no_partner(const ap_rule_ctx *c, const ap_authority *a)
{
    int64_t i = ap_findings__partner_index(c, a->source);
    uint32_t n;
    if (i < c->lo || i >= c->hi || c->auth[i] != a || c->kind_at == NULL)
        return false;
    ap_findings__reach_kind(c, (uint32_t)i, AP_KIND_PARTNER, &n);
    return n == 0;
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

uint32_t ap_findings__first_partner(const ap_rule_ctx *c, const ap_authority *a, uint32_t v)
{
    ap_walk_memo *m = c->memo;
    uint32_t nc = a->nclasses, found = AP_UNREACHED;
    size_t depth = 0;
    if (v == a->source || a->rights[v] == 0)
        return AP_UNREACHED;
    if (!memo_for(c, m, a)) {           /* out of memory: claim nothing */
        ((ap_rule_ctx *)c)->rc = c->rc < 0 ? c->rc : ap_error_nomem(c->err);
        return AP_UNREACHED;
    }
    if (m->alone)                       /* asked once per authority, not once per node */
        return AP_UNREACHED;
    int cls = ap_query__best_class(a, &a->arrivals[(size_t)a->row[v] * nc], AP_RIGHTS_ALL,
                                   AP_UNREACHED, false);
    /* the walk of ap_authority_chain, back until the source or a remembered (node, class):
     * the walk from a node with a class is the same whichever chain led there. Stacked: the
     * slots passed (>= 0) and the partners passed (-1 - node). */
    for (uint32_t u = v; u != a->source && cls >= 0;) {
        size_t slot = (size_t)a->row[u] * nc + (uint32_t)cls;
        if (m->stamp[slot] == m->gen) {
            found = m->value[slot];
            break;
        }
        const ap_arrival *x = &a->arrivals[slot];
        bool escalates;
        m->stack[depth++] = (int64_t)slot;
        u = step_back(c, x->edge, &escalates);
        if (u != a->source && ap_findings__kind(c, u) == AP_KIND_PARTNER)
            m->stack[depth++] = -1 - (int64_t)u;
        if (escalates && u != a->source)
            cls = ap_query__best_class(a, &a->arrivals[(size_t)a->row[u] * nc],
                                       AP_RIGHTS_ALL, x->round - 1, true);
    }
    /* back towards v: each slot's answer is the partner nearest the source before it */
    while (depth > 0) {
        int64_t s = m->stack[--depth];
        if (s < 0 && found == AP_UNREACHED) {
            found = (uint32_t)(-1 - s);
        } else if (s >= 0) {
            m->stamp[s] = m->gen;
            m->value[s] = found;
        }
    }
    return found;
}

size_t ap_findings__walk_new(const ap_rule_ctx *c, const ap_authority *a, uint32_t v,
                             ap_rights want, uint32_t *out)
{
    ap_walk_memo *m = c->visit;
    uint32_t nc = a->nclasses;
    size_t n = 0;
    if (v == a->source || (a->rights[v] & want) == 0)
        return 0;
    if (!memo_for(c, m, a)) {           /* out of memory: name nothing */
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

size_t ap_findings__path_len(const ap_authority *a, uint32_t v)
{
    if (v >= a->n || v == a->source || a->rights[v] == 0)
        return 0;
    const ap_arrival *row = &a->arrivals[(size_t)a->row[v] * a->nclasses];
    int cls = ap_query__best_class(a, row, AP_RIGHTS_ALL, AP_UNREACHED, false);
    return cls < 0 ? 0 : row[cls].len;
}

bool ap_findings__direct(const ap_rule_ctx *c, const ap_authority *a, uint32_t v)
{
    if (v == a->source || a->rights[v] == 0)
        return false;
    return ap_findings__first_partner(c, a, v) == AP_UNREACHED;
}

bool ap_findings__owns(const ap_rule_ctx *c, const ap_authority *a, uint32_t v)
{
    if (v == a->source || a->rights[v] == 0)
        return false;
    if (ap_findings__path_len(a, v) == 1)
        return true;                    /* one step: no other partner on the way */
    /* the domain before the walk: most of a reach is operated by someone else, and a node
     * without one (the flag, remembered per node) is ap_node_domain's "home" */
    const char *domain = ap_findings__node_named(c, v, "domain") ? ap_node_domain(c->g, v)
                         : ap_findings__kind(c, v) == AP_KIND_PARTNER ? ap_graph_node(c->g, v)->id
                         : "home";
    if (strcmp(domain, ap_graph_node(c->g, a->source)->id) != 0)
        return false;
    return ap_findings__direct(c, a, v);
}

