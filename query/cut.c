/* query/cut.c: the smallest set of edges whose removal cuts a partner off its sensitive targets
 * (igraph_st_mincut to a super-sink) and the choke points every path passes (dominator tree). */
#include <stdlib.h>
#include <string.h>

#include "query_internal.h"

int ap_carrying_edges(uint32_t **out, uint32_t *n, const ap_graph *g, const ap_authority *a,
                      ap_error *err)
{
    uint32_t *list = NULL, k = 0;
    *out = NULL;
    *n = 0;
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        if (ed->from == ed->to || ed->to == a->source || a->rights[ed->from] == 0
            || !ap_edge_usable(g, ed, a->source) || ap_edge_transfer(ed, a->rights[ed->from]) == 0)
            continue;
        if (ap_query__push(&list, &k, sizeof e, &e) < 0) {
            free(list);
            return ap_error_nomem(err);
        }
    }
    *out = list;
    *n = k;
    return AP_OK;
}

static int igraph_fail(ap_error *err, const char *what, igraph_error_t ie)
{
    return ap_error_set(err, AP_EBUG, "igraph %s: %s", what, igraph_strerror(ie));
}

/* A directed igraph graph on n vertices with the given edges, then an edge from each of extra
 * to vertex n-1; every edge turned around when reversed. igraph edge i is edges[i]. */
static igraph_error_t make_graph(igraph_t *ig, const ap_graph *g, uint32_t n,
                                 const uint32_t *edges, uint32_t nedges, const uint32_t *extra,
                                 uint32_t nextra, bool reversed)
{
    igraph_vector_int_t ev;
    igraph_error_t ie = igraph_vector_int_init(&ev, 2 * ((igraph_integer_t)nedges + nextra));
    int a = reversed ? 1 : 0, b = 1 - a;
    if (ie != IGRAPH_SUCCESS)
        return ie;
    for (uint32_t i = 0; i < nedges; i++) {
        VECTOR(ev)[2 * i + a] = ap_graph_edge(g, edges[i])->from;
        VECTOR(ev)[2 * i + b] = ap_graph_edge(g, edges[i])->to;
    }
    for (uint32_t i = 0; i < nextra; i++) {
        VECTOR(ev)[2 * (nedges + i) + a] = extra[i];
        VECTOR(ev)[2 * (nedges + i) + b] = n - 1;
    }
    ie = igraph_create(ig, &ev, n, IGRAPH_DIRECTED);
    igraph_vector_int_destroy(&ev);
    return ie;
}

static int u32_cmp(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

/* The minimum cut: carrying edges capacity 1, target -> super-sink edges a capacity no cut of
 * real edges reaches, so only real edges are ever cut. igraph returns the minimum cut nearest
 * its target, so the flow runs on the reversed graph from the super-sink to the partner: of all
 * minimum cuts, the one nearest the partner, which touches the least of anyone else's access. */
static int min_cut(ap_offboard *o, const ap_graph *g, const uint32_t *carry, uint32_t ncarry,
                   ap_error *err)
{
    igraph_t ig;
    igraph_vector_t cap;
    igraph_vector_int_t cut;
    igraph_real_t value = 0;
    igraph_error_handler_t *prev = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_error_t ie;
    int built = 0, rc = AP_OK;
    uint32_t n = ap_graph_node_count(g) + 1;
    if ((ie = igraph_vector_int_init(&cut, 0)) != IGRAPH_SUCCESS) {
        igraph_set_error_handler(prev);
        return igraph_fail(err, "vector", ie);
    }
    if ((ie = igraph_vector_init(&cap, (igraph_integer_t)ncarry + o->ntargets))
        != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&cut);
        igraph_set_error_handler(prev);
        return igraph_fail(err, "vector", ie);
    }
    for (uint32_t i = 0; i < ncarry + o->ntargets; i++)
        VECTOR(cap)[i] = i < ncarry ? 1.0 : (double)ncarry + 1.0;
    if ((ie = make_graph(&ig, g, n, carry, ncarry, o->targets, o->ntargets, true))
        != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "create", ie);
        goto cleanup;
    }
    built = 1;
    if ((ie = igraph_st_mincut(&ig, &value, &cut, NULL, NULL, n - 1, o->partner, &cap))
        != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "st_mincut", ie);
        goto cleanup;
    }
    o->ncut = (uint32_t)igraph_vector_int_size(&cut);
    if ((o->cut = malloc(((size_t)o->ncut + 1) * sizeof *o->cut)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (uint32_t i = 0; i < o->ncut; i++) {
        igraph_integer_t id = VECTOR(cut)[i];
        if (id < 0 || id >= (igraph_integer_t)ncarry) {
            rc = ap_error_set(err, AP_EBUG, "the minimum cut crossed a super-sink edge");
            goto cleanup;
        }
        o->cut[i] = carry[id];
    }
    if ((double)o->ncut != value) {
        rc = ap_error_set(err, AP_EBUG, "the cut has %u edges but its value is %g", o->ncut,
                          (double)value);
        goto cleanup;
    }
    qsort(o->cut, o->ncut, sizeof *o->cut, u32_cmp);
cleanup:
    if (built)
        igraph_destroy(&ig);
    igraph_vector_destroy(&cap);
    igraph_vector_int_destroy(&cut);
    igraph_set_error_handler(prev);
    return rc;
}

static int choke_cmp(const void *x, const void *y)    /* most targets first, then id order */
{
    const ap_choke_point *a = x, *b = y;
    if (a->ntargets != b->ntargets)
        return a->ntargets > b->ntargets ? -1 : 1;
    return a->node < b->node ? -1 : a->node > b->node;
}

/* Choke points: for each target, its strict dominators from the partner but the partner. */
static int choke_points(ap_offboard *o, const ap_graph *g, const uint32_t *carry,
                        uint32_t ncarry, ap_error *err)
{
    igraph_t ig;
    igraph_vector_int_t dom;
    igraph_error_handler_t *prev = igraph_set_error_handler(igraph_error_handler_ignore);
    igraph_error_t ie;
    uint32_t n = ap_graph_node_count(g), *slot = NULL;
    int built = 0, rc = AP_OK;
    if ((ie = igraph_vector_int_init(&dom, 0)) != IGRAPH_SUCCESS) {
        igraph_set_error_handler(prev);
        return igraph_fail(err, "vector", ie);
    }
    if ((ie = make_graph(&ig, g, n, carry, ncarry, NULL, 0, false)) != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "create", ie);
        goto cleanup;
    }
    built = 1;
    if ((ie = igraph_dominator_tree(&ig, o->partner, &dom, NULL, NULL, IGRAPH_OUT))
        != IGRAPH_SUCCESS) {
        rc = igraph_fail(err, "dominator_tree", ie);
        goto cleanup;
    }
    if ((slot = malloc(((size_t)n + 1) * sizeof *slot)) == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    memset(slot, 0xff, ((size_t)n + 1) * sizeof *slot);
    /* targets are in id order, so each choke point's target list comes out in id order */
    for (uint32_t i = 0; i < o->ntargets; i++) {
        uint32_t t = o->targets[i];
        for (igraph_integer_t d = VECTOR(dom)[t]; d >= 0 && (uint32_t)d != o->partner;
             d = VECTOR(dom)[d]) {
            ap_choke_point cp = { (uint32_t)d, NULL, 0 };
            if (slot[d] == UINT32_MAX) {
                if (ap_query__push(&o->chokes, &o->nchokes, sizeof cp, &cp) < 0)
                    goto nomem;
                slot[d] = o->nchokes - 1;
            }
            ap_choke_point *c = &o->chokes[slot[d]];
            if (ap_query__push(&c->targets, &c->ntargets, sizeof t, &t) < 0)
                goto nomem;
        }
    }
    if (o->nchokes > 1)
        qsort(o->chokes, o->nchokes, sizeof *o->chokes, choke_cmp);
    goto cleanup;
nomem:
    rc = ap_error_nomem(err);
cleanup:
    free(slot);
    if (built)
        igraph_destroy(&ig);
    igraph_vector_int_destroy(&dom);
    igraph_set_error_handler(prev);
    return rc;
}

int ap_offboard__cut(ap_offboard *o, const ap_graph *g, const ap_authority *a, ap_error *err)
{
    uint32_t *carry = NULL, ncarry = 0;
    int rc;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *nd = ap_graph_node(g, v);
        if (v == o->partner || a->rights[v] == 0
            || (nd->kind != AP_KIND_RESOURCE && nd->kind != AP_KIND_WORKFLOW)
            || nd->sensitivity < o->min_sensitivity)
            continue;
        if (ap_query__push(&o->targets, &o->ntargets, sizeof v, &v) < 0)
            return ap_error_nomem(err);
    }
    if (o->ntargets == 0)
        return AP_OK;
    if ((rc = ap_carrying_edges(&carry, &ncarry, g, a, err)) < 0)
        return rc;
    if ((rc = min_cut(o, g, carry, ncarry, err)) == AP_OK)
        rc = choke_points(o, g, carry, ncarry, err);
    free(carry);
    return rc;
}
