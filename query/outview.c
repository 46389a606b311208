/* query/outview.c: a graph's out-edges as 8-byte slots (target, edge type, liveness) for runs
 * of many single-source authorities: a round reads a slot, not an 80-byte edge record. */
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "query_internal.h"

static size_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return (size_t)x;
}

static uint64_t type_key(const ap_out_type *t)
{
    return t->rights * 0x9e3779b97f4a7c15ull ^ t->requires ^ (uint64_t)t->escalates << 63;
}

static bool same_type(const ap_out_type *a, const ap_out_type *b)
{
    return a->rights == b->rights && a->requires == b->requires && a->escalates == b->escalates;
}

/* The type index of t, added when new; UINT32_MAX when out of memory or past AP_OUT_TYPE. */
static uint32_t type_of(ap_out_view *v, uint32_t **table, uint32_t *tcap, const ap_out_type *t)
{
    if ((size_t)v->ntypes * 2 >= *tcap) {
        uint32_t cap = *tcap ? *tcap * 2 : 1024, *nt = malloc(cap * sizeof *nt);
        ap_out_type *types = realloc(v->types, (cap / 2 + 1) * sizeof *types);
        if (nt == NULL || types == NULL) {
            free(nt);
            if (types != NULL)
                v->types = types;
            return UINT32_MAX;
        }
        v->types = types;
        memset(nt, 0xff, cap * sizeof *nt);
        for (uint32_t k = 0; k < v->ntypes; k++) {
            size_t h = mix(type_key(&v->types[k])) & (cap - 1);
            while (nt[h] != UINT32_MAX)
                h = (h + 1) & (cap - 1);
            nt[h] = k;
        }
        free(*table);
        *table = nt;
        *tcap = cap;
    }
    size_t h = mix(type_key(t)) & (*tcap - 1);
    for (; (*table)[h] != UINT32_MAX; h = (h + 1) & (*tcap - 1))
        if (same_type(&v->types[(*table)[h]], t))
            return (*table)[h];
    if (v->ntypes > AP_OUT_TYPE)
        return UINT32_MAX;
    v->types[v->ntypes] = *t;
    (*table)[h] = v->ntypes;
    return v->ntypes++;
}

int ap_query__out_view_new(ap_out_view **out, const ap_graph *g, ap_error *err)
{
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g), *table = NULL, tcap = 0;
    ap_out_view *v = calloc(1, sizeof *v);
    *out = NULL;
    if (v == NULL || (v->slot = malloc(((size_t)m + 1) * sizeof *v->slot)) == NULL
        || (v->off = malloc(((size_t)n + 1) * sizeof *v->off)) == NULL
        || (v->from = malloc(((size_t)m + 1) * sizeof *v->from)) == NULL) {
        ap_query__out_view_free(v);
        return ap_error_nomem(err);
    }
    v->g = g;
    v->n = n;
    v->m = m;
    for (uint32_t u = 0; u < n; u++)
        v->off[u] = ap_graph_out_begin(g, u);
    v->off[n] = m;
    for (uint32_t e = 0; e < m; e++) {
        ap_edge tmp;
        const ap_edge *ed = ap_graph_edge_fields(g, e, &tmp);
        ap_out_type t = { ed->rights, ed->requires, ed->escalates };
        uint32_t meta = type_of(v, &table, &tcap, &t);
        if (meta == UINT32_MAX) {
            free(table);
            ap_query__out_view_free(v);
            return ap_error_nomem(err);
        }
        if (!ed->traversable || !ed->own_live)
            meta |= AP_OUT_DEAD;
        else
            meta |= ed->live ? AP_OUT_LIVE
                             : (ap_graph_node_live(g, ed->from) ? 0 : AP_OUT_FROM_DEAD)
                                   | (ap_graph_node_live(g, ed->to) ? 0 : AP_OUT_TO_DEAD);
        v->slot[e] = (ap_out_slot){ ed->to, meta };
        v->from[e] = ed->from;
    }
    free(table);
    *out = v;
    return AP_OK;
}

/* Does a source cross slot s into one of nodes? */
static bool into(ap_out_slot s, const uint64_t *nodes)
{
    return !(s.meta & AP_OUT_DEAD) && (nodes[s.to >> 6] >> (s.to & 63) & 1);
}

int ap_query__out_view_only(ap_out_view **out, const ap_out_view *v, const uint64_t *nodes,
                            ap_error *err)
{
    uint32_t m = 0;
    ap_out_view *w = calloc(1, sizeof *w);
    *out = NULL;
    for (uint32_t e = 0; w != NULL && e < v->m; e++)
        m += into(v->slot[e], nodes);
    if (w == NULL || (w->slot = malloc(((size_t)m + 1) * sizeof *w->slot)) == NULL
        || (w->eid = malloc(((size_t)m + 1) * sizeof *w->eid)) == NULL
        || (w->off = malloc(((size_t)v->n + 1) * sizeof *w->off)) == NULL
        || (w->types = malloc(((size_t)v->ntypes + 1) * sizeof *w->types)) == NULL) {
        ap_query__out_view_free(w);
        return ap_error_nomem(err);
    }
    w->g = v->g;
    w->n = v->n;
    w->m = m;
    w->ntypes = v->ntypes;
    if (v->ntypes > 0)              /* none in a graph without edges: types is NULL */
        memcpy(w->types, v->types, (size_t)v->ntypes * sizeof *w->types);
    m = 0;
    for (uint32_t u = 0; u < v->n; u++) {
        w->off[u] = m;
        for (uint32_t e = v->off[u]; e < v->off[u + 1]; e++) {
            if (into(v->slot[e], nodes)) {
                w->slot[m] = v->slot[e];
                w->eid[m++] = e;
            }
        }
    }
    w->off[v->n] = m;
    *out = w;
    return AP_OK;
}

void ap_query__out_view_free(ap_out_view *v)
{
    if (v == NULL)
        return;
    free(v->slot);
    free(v->off);
    free(v->from);
    free(v->eid);
    free(v->types);
    free(v);
}
