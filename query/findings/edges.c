/* query/findings/edges.c: findings about an edge that carries partners' authority (an undeclared
 * access edge, a temporary one, a grant of minting): one finding per edge, every partner on it. */
#include <stdio.h>
#include <stdlib.h>

#include "findings_internal.h"
#include "../query_internal.h"

static void free_witnesses(void *p)
{
    ap_edge_witnesses *w = p;
    free(w->at);
    free(w->list);
    free(w->tails);
    free(w);
}

static ap_edge_witnesses *witnesses_of(ap_rule_ctx *c,
                                       ap_rights (*need)(const ap_rule_ctx *, uint32_t))
{
    uint32_t ne = ap_graph_edge_count(c->g), n = ap_graph_node_count(c->g);
    ap_edge_witnesses *w = ap_findings__state(c, sizeof *w, free_witnesses);
    if (w == NULL || w->at != NULL)
        return w;
    w->at = malloc(((size_t)ne + 1) * sizeof *w->at);
    w->tails = calloc((size_t)n / 64 + 1, sizeof *w->tails);
    if (w->at == NULL || w->tails == NULL) {
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (uint32_t e = 0; e < ne; e++) {
        w->at[e] = AP_UNREACHED;
        if (need(c, e) != 0) {
            uint32_t v = ap_graph_edge(c->g, e)->from;
            w->tails[v >> 6] |= (uint64_t)1 << (v & 63);
        }
    }
    return w;
}

/* The chain of f from a to e's tail, then e; what e passes of a's rights there. */
static void edge_chain(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t e,
                       ap_edge_witness *x, uint32_t hops)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    ap_findings__node(c, f, ed->from);
    ap_findings__node(c, f, ed->to);
    ap_findings__path(c, f, a, ed->from, e);
    x->hops = hops;
    x->passes = ap_edge_transfer(ed, a->rights[ed->from]);
}

ap_edge_witnesses *ap_findings__per_edge(ap_rule_ctx *c,
                                         ap_rights (*need)(const ap_rule_ctx *, uint32_t))
{
    const ap_graph *g = c->g;
    ap_edge_witnesses *w = witnesses_of(c, need);
    if (w == NULL)
        return NULL;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        for (uint32_t k = 0; k <= a->nreach && c->rc == AP_OK; k++) {
            uint32_t v = k < a->nreach ? a->reach[k] : a->source;
            if (!(w->tails[v >> 6] >> (v & 63) & 1))
                continue;                   /* no edge out of v is the rule's */
            for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
                ap_rights want = need(c, e);
                if (want == 0 || !ap_findings__carries(c, a, e)
                    || (ap_edge_transfer(ap_graph_edge(g, e), a->rights[v]) & want) == 0)
                    continue;
                if (w->at[e] != AP_UNREACHED) {
                    ap_edge_witness *x = &w->list[w->at[e]];
                    ap_findings__partner_at(c, x->finding, c->partners[i]);
                    if (a->hops[v] < x->hops) {     /* nearer: its chain instead */
                        ap_finding *f = ap_findings__at(c, x->finding);
                        ap_findings__reset(c, f);
                        edge_chain(c, f, a, e, x, a->hops[v]);
                    }
                    continue;
                }
                ap_finding *f = ap_findings__add(c, c->partners[i], true, e);
                if (f == NULL)
                    return NULL;
                ap_edge_witness x = { (size_t)(f - c->out->items), 0, 0 };
                if (ap_query__push(&w->list, &w->n, sizeof x, &x) < 0) {
                    c->rc = ap_error_nomem(c->err);
                    return NULL;
                }
                edge_chain(c, f, a, e, &w->list[w->n - 1], a->hops[v]);
                w->at[e] = w->n - 1;
            }
        }
    }
    return c->last && c->rc == AP_OK ? w : NULL;
}

void ap_findings__who_and_how(ap_rule_ctx *c, const ap_finding *f, char *who, size_t wsize,
                              char *how, size_t hsize)
{
    char list[512], chain[1024];
    ap_findings__partner_list(c, f, list, sizeof list, 5);
    snprintf(who, wsize, "partner%s %s", f->npartners > 1 ? "s" : "", list);
    snprintf(how, hsize, "%sthrough %s", f->npartners > 1 ? "for example " : "",
             ap_findings__chain(c, f, chain, sizeof chain));
}

