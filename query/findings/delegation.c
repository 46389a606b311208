/* query/findings/delegation.c: rules about partners acting through partners (OWASP NHI3):
 * delegation loops (strongly connected components, igraph), fourth parties reaching
 * sensitive resources, one partner inheriting another's authority. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <igraph.h>

#include "findings_internal.h"
#include "../query_internal.h"

/* The partner nearest to a's source on the witness path to v (not the source), or NONE. */
static uint32_t first_partner_on_path(const ap_rule_ctx *c, const ap_authority *a, uint32_t v)
{
    uint32_t found = AP_UNREACHED, *mid = NULL, n = 0;
    if (ap_query__path_nodes(&mid, &n, c->g, a, v) < 0)
        return AP_UNREACHED;            /* out of memory: claim nothing */
    for (uint32_t i = 0; i < n && found == AP_UNREACHED; i++)
        if (ap_graph_node(c->g, mid[i])->kind == AP_KIND_PARTNER)
            found = mid[i];
    free(mid);
    return found;
}

static int ig_fail(ap_rule_ctx *c, igraph_error_t ie)
{
    c->rc = ap_error_set(c->err, AP_EBUG, "igraph: %s", igraph_strerror(ie));
    return c->rc;
}

/* Report the loop through partner index m0: the shortest cycle m0 > ... > x > m0 in the
 * partner graph pg (edge i -> j when partner i's authority reaches partner j). */
static int report_loop(ap_rule_ctx *c, const igraph_t *pg, const igraph_vector_int_t *memb,
                       uint32_t m0)
{
    igraph_vector_int_t verts, best;
    igraph_error_t ie = IGRAPH_SUCCESS;
    const ap_graph *g = c->g;
    char chain[2048], order[1024] = "";
    if (igraph_vector_int_init(&verts, 0) != IGRAPH_SUCCESS)
        return ap_error_nomem(c->err);
    if (igraph_vector_int_init(&best, 0) != IGRAPH_SUCCESS) {
        igraph_vector_int_destroy(&verts);
        return ap_error_nomem(c->err);
    }
    for (uint32_t x = 0; x < c->npartners; x++) {
        if (x == m0 || VECTOR(*memb)[x] != VECTOR(*memb)[m0]
            || c->auth[x]->rights[c->partners[m0]] == 0)
            continue;
        if ((ie = igraph_get_shortest_path(pg, &verts, NULL, m0, x, IGRAPH_OUT)) != 0)
            break;
        if (igraph_vector_int_size(&best) == 0
            || igraph_vector_int_size(&verts) < igraph_vector_int_size(&best))
            if ((ie = igraph_vector_int_update(&best, &verts)) != 0)
                break;
    }
    if (ie != IGRAPH_SUCCESS) {
        ig_fail(c, ie);
        goto cleanup;
    }
    igraph_integer_t len = igraph_vector_int_size(&best);
    uint32_t p = c->partners[m0];
    ap_finding *f = ap_findings__add(c, p, false, p);
    for (igraph_integer_t k = 0; k < len; k++) {
        uint32_t from = (uint32_t)VECTOR(best)[k], to = (uint32_t)VECTOR(best)[(k + 1) % len];
        size_t used = strlen(order);
        snprintf(order + used, sizeof order - used, "%s > ",
                 ap_graph_node(g, c->partners[from])->id);
        ap_findings__node(c, f, c->partners[from]);
        ap_findings__path(c, f, c->auth[from], c->partners[to], AP_UNREACHED);
    }
    size_t used = strlen(order);
    snprintf(order + used, sizeof order - used, "%s", ap_graph_node(g, p)->id);
    ap_findings__fact(c, f, "loop", "%s", order);
    ap_findings__fact(c, f, "partners", "%lld", (long long)len);
    ap_findings__message(c, f, "Partners %s act for one another in a loop (%s): each inherits "
                         "the others' authority.", order,
                         ap_findings__chain(c, f, chain, sizeof chain));
cleanup:
    igraph_vector_int_destroy(&verts);
    igraph_vector_int_destroy(&best);
    return c->rc;
}

int ap_rule__delegation_loop(ap_rule_ctx *c, const ap_rule *r)
{
    igraph_vector_int_t ev, memb, csize;
    igraph_t pg;
    igraph_integer_t ncomp = 0;
    igraph_error_t ie;
    bool *done = NULL;
    int rc = AP_OK, built = 0;
    (void)r;
    if (igraph_vector_int_init(&ev, 0) != 0)
        return ap_error_nomem(c->err);
    igraph_vector_int_init(&memb, 0);
    igraph_vector_int_init(&csize, 0);
    /* the partner graph: i -> j when partner i's authority reaches partner j */
    for (uint32_t i = 0; i < c->npartners; i++)
        for (uint32_t j = 0; j < c->npartners; j++)
            if (i != j && c->auth[i]->rights[c->partners[j]] != 0
                && (igraph_vector_int_push_back(&ev, i) != 0
                    || igraph_vector_int_push_back(&ev, j) != 0)) {
                rc = ap_error_nomem(c->err);
                goto cleanup;
            }
    if ((ie = igraph_create(&pg, &ev, c->npartners, IGRAPH_DIRECTED)) != 0) {
        rc = ig_fail(c, ie);
        goto cleanup;
    }
    built = 1;
    if ((ie = igraph_connected_components(&pg, &memb, &csize, &ncomp, IGRAPH_STRONG)) != 0) {
        rc = ig_fail(c, ie);
        goto cleanup;
    }
    if ((done = calloc((size_t)ncomp + 1, sizeof *done)) == NULL) {
        rc = ap_error_nomem(c->err);
        goto cleanup;
    }
    /* one finding per loop, about its first partner in id order */
    for (uint32_t i = 0; i < c->npartners && rc == AP_OK; i++) {
        igraph_integer_t comp = VECTOR(memb)[i];
        if (done[comp] || VECTOR(csize)[comp] < 2)
            continue;
        done[comp] = true;
        rc = report_loop(c, &pg, &memb, i);
    }
cleanup:
    free(done);
    if (built)
        igraph_destroy(&pg);
    igraph_vector_int_destroy(&ev);
    igraph_vector_int_destroy(&memb);
    igraph_vector_int_destroy(&csize);
    return rc < 0 ? rc : c->rc;
}

int ap_rule__fourth_party(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = 0; i < c->npartners; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t v = a->reach[k];
            ap_sensitivity s = ap_findings__sensitivity(g, v);
            char chain[1024];
            if (s < AP_SENS_CONFIDENTIAL)
                continue;
            uint32_t q = first_partner_on_path(c, a, v);
            if (q == AP_UNREACHED)
                continue;
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__fact(c, f, "acts_for", "%s", ap_graph_node(g, q)->id);
            ap_findings__fact(c, f, "sensitivity", "%s", ap_sensitivity_name(s));
            ap_findings__rights(c, f, "rights", a->rights[v]);
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "Partner %s, acting for partner %s, reaches %s %s %s "
                                 "through %s.", ap_graph_node(g, p)->id,
                                 ap_graph_node(g, q)->id, ap_sensitivity_name(s),
                                 ap_kind_name(ap_graph_node(g, v)->kind),
                                 ap_graph_node(g, v)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}

int ap_rule__inherits_partner(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = 0; i < c->npartners; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t q = a->reach[k];
            char chain[1024];
            if (ap_graph_node(g, q)->kind != AP_KIND_PARTNER)
                continue;
            ap_finding *f = ap_findings__add(c, p, false, q);
            ap_findings__rights(c, f, "rights", a->rights[q]);
            ap_findings__path(c, f, a, q, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            bool declared = true;
            for (size_t s = 0; s < f->npath; s++)
                declared &= ap_graph_edge(g, f->path[s])->kind == AP_EDGE_SUBCONTRACTOR_OF;
            ap_findings__fact(c, f, "declared_subcontract", declared ? "true" : "false");
            ap_findings__message(c, f, "Partner %s inherits partner %s's authority through %s "
                                 "(%s).", ap_graph_node(g, p)->id, ap_graph_node(g, q)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain),
                                 declared ? "a declared subcontract"
                                          : "not a declared subcontract");
        }
    }
    return c->rc;
}
