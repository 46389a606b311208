/* query/offboard_persist.c: what persists after offboarding: the identities the partner can
 * mint credentials for, credentials that outlive its contract, and dormant ones. */
#include <stdlib.h>

#include "query_internal.h"

#define NONE UINT32_MAX

static int persist_cmp(const void *x, const void *y)
{
    const ap_persistence_item *a = x, *b = y;
    if (a->mint != b->mint)
        return a->mint ? -1 : 1;
    if (a->node != b->node)
        return a->node < b->node ? -1 : 1;
    return a->edge < b->edge ? -1 : a->edge > b->edge;
}

/* Not live yet, live later: active or under review, valid from a time after the graph's. */
static bool live_later(ap_state state, int64_t valid_from, int64_t expires, int64_t at)
{
    return ap_state_is_live(state) && (expires == AP_TIME_NONE || at < expires)
           && valid_from != AP_TIME_NONE && valid_from > at;
}

/* The holds edge from p through which p will hold credential v once both are valid, or
 * UINT32_MAX. */
static uint32_t held_later(const ap_graph *g, uint32_t p, uint32_t v)
{
    const ap_node *nd = ap_graph_node(g, v);
    int64_t at = ap_graph_at(g);
    bool node_ok = nd->live || live_later(nd->state, nd->valid_from, nd->expires, at);
    uint32_t end = ap_graph_out_end(g, p);
    for (uint32_t e = node_ok ? ap_graph_out_first_to(g, p, v) : end; e < end; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->to != v)
            break;
        if (ed->kind == AP_EDGE_HOLDS
            && (ed->own_live || live_later(ed->state, ed->valid_from, ed->expires, at)))
            return e;
    }
    return NONE;
}

/* The holds edge from p to credential v through which p will hold it again although it is not
 * usable now: the credential or the edge is not valid yet or suspended (neither revoked nor
 * expired). Sets when it becomes usable; UINT32_MAX when there is none. */
static uint32_t held_dormant(const ap_graph *g, uint32_t p, uint32_t v, int64_t *from,
                             bool *suspended)
{
    const ap_node *nd = ap_graph_node(g, v);
    int64_t at = ap_graph_at(g);
    bool node_susp = nd->state == AP_STATE_SUSPENDED
                     && (nd->expires == AP_TIME_NONE || at < nd->expires);
    bool node_later = live_later(nd->state, nd->valid_from, nd->expires, at);
    if (!(nd->live || node_later || node_susp))
        return NONE;
    uint32_t end = ap_graph_out_end(g, p);
    for (uint32_t e = ap_graph_out_first_to(g, p, v); e < end; e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->to != v)
            break;
        if (ed->kind != AP_EDGE_HOLDS)
            continue;
        bool edge_susp = ed->state == AP_STATE_SUSPENDED
                         && (ed->expires == AP_TIME_NONE || at < ed->expires);
        bool edge_later = live_later(ed->state, ed->valid_from, ed->expires, at);
        if (!(ed->own_live || edge_later || edge_susp) || (ed->own_live && nd->live))
            continue;
        *suspended = node_susp || edge_susp;
        *from = AP_TIME_NONE;
        if (node_later)
            *from = nd->valid_from;
        if (edge_later && (*from == AP_TIME_NONE || ed->valid_from > *from))
            *from = ed->valid_from;
        return e;
    }
    return NONE;
}

/* The resources and workflows at or above the cut's sensitivity that credential v's own
 * authority reaches on g (v counted live, as the source always is), by id. */
static int dormant_reach(ap_persistence_item *it, const ap_graph *g, const ap_offboard *o,
                         ap_error *err)
{
    ap_authority *a = NULL;
    int rc = ap_authority_compute(&a, g, it->node, err);
    for (uint32_t v = 0; rc == AP_OK && v < ap_graph_node_count(g); v++) {
        const ap_node *nd = ap_graph_node(g, v);
        if (v == it->node || a->rights[v] == 0
            || (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW)
            || nd->sensitivity < o->min_sensitivity)
            continue;
        if (ap_query__push(&it->reaches, &it->nreaches, sizeof v, &v) < 0)
            rc = ap_error_nomem(err);
    }
    ap_authority_free(a);
    return rc;
}

/* Mint rights that carry P's authority; credentials P reaches (or holds from a later date)
 * that outlive its contract; and credentials P holds that are not usable now but will be (not
 * valid yet, or suspended), with what they reach then. */
int ap_offboard__persistence(ap_offboard *o, const ap_graph *g, const ap_authority *pa,
                             ap_error *err)
{
    int rc = AP_OK;
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->kind != AP_EDGE_CAN_MINT || pa->rights[ed->from] == 0
            || !ap_edge_usable(g, ed, o->partner)
            || ap_edge_transfer(ed, pa->rights[ed->from]) == 0)
            continue;
        ap_persistence_item it = { ed->to, true, e, ap_graph_node(g, ed->to)->expires, NULL, 0,
                                   false, false, false, AP_TIME_NONE, NULL, 0 };
        uint32_t *p;
        /* the path to the minting node, then the can_mint edge itself */
        if ((rc = ap_query__path(&it.path, &it.npath, g, pa, ed->from,
                                  ed->escalates ? AP_RIGHTS_ALL : ed->rights, false, err)) < 0)
            return rc;
        if ((p = realloc(it.path, ((size_t)it.npath + 1) * sizeof *p)) == NULL) {
            free(it.path);
            return ap_error_nomem(err);
        }
        it.path = p;
        it.path[it.npath++] = e;
        if (ap_query__push(&o->persistence, &o->npersistence, sizeof it, &it) < 0) {
            free(it.path);
            return ap_error_nomem(err);
        }
    }
    o->contract_ends = AP_TIME_NONE;
    int64_t ends = 0;
    bool contract = ap_graph_node_time(g, o->partner, "contract_ends", &ends);
    if (contract)
        o->contract_ends = ends;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *nd = ap_graph_node(g, v);
        int64_t from = AP_TIME_NONE;
        bool suspended = false;
        if (nd->kind != AP_KIND_CREDENTIAL)
            continue;
        uint32_t dormant = held_dormant(g, o->partner, v, &from, &suspended);
        uint32_t later = held_later(g, o->partner, v);
        bool outlives = contract && (nd->expires == AP_TIME_NONE || nd->expires > ends)
                        && (pa->rights[v] != 0 || later != NONE);
        if (!outlives && dormant == NONE)
            continue;
        ap_persistence_item it = { v, false, NONE, nd->expires, NULL, 0, outlives,
                                   dormant != NONE, suspended, from, NULL, 0 };
        if (pa->rights[v] == 0) {
            /* not usable yet: the evidence is the holds edge that will carry it */
            it.edge = dormant != NONE ? dormant : later;
            if ((it.path = malloc(sizeof *it.path)) == NULL)
                return ap_error_nomem(err);
            it.path[0] = it.edge;
            it.npath = 1;
        } else if ((rc = ap_query__path(&it.path, &it.npath, g, pa, v, AP_RIGHTS_ALL, false,
                                        err)) < 0) {
            return rc;
        }
        if ((it.dormant && (rc = dormant_reach(&it, g, o, err)) < 0)
            || ap_query__push(&o->persistence, &o->npersistence, sizeof it, &it) < 0) {
            free(it.path);
            free(it.reaches);
            return rc < 0 ? rc : ap_error_nomem(err);
        }
    }
    if (o->npersistence > 1)
        qsort(o->persistence, o->npersistence, sizeof *o->persistence, persist_cmp);
    return AP_OK;
}
