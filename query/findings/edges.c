/* query/findings/edges.c: findings about an edge that carries partners' authority (an undeclared
 * access edge, a temporary one, a grant of minting): one finding per edge, every partner on it. */
#include <stdio.h>
#include <stdlib.h>

#include "findings_internal.h"
#include "../query_internal.h"

void ap_findings__select_free(ap_edge_select *s)
{
    free(s->tails);
    free(s->off);
    free(s->edge);
    free(s->need);
}

int ap_findings__select_edges(ap_rule_ctx *c, ap_edge_select *s,
                              ap_rights (*need)(const ap_rule_ctx *, uint32_t))
{
    const ap_graph *g = c->g;
    uint32_t n = ap_graph_node_count(g), count = 0;
    s->tails = calloc((size_t)n / 64 + 1, sizeof *s->tails);
    s->off = calloc((size_t)n + 1, sizeof *s->off);
    if (s->tails == NULL || s->off == NULL)
        return c->rc = ap_error_nomem(c->err);
    /* two passes over the out-rows: count, then fill (need is asked twice of each edge) */
    for (uint32_t v = 0; v < n; v++) {
        s->off[v] = count;
        for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++)
            count += need(c, e) != 0;
        if (count > s->off[v])
            s->tails[v >> 6] |= (uint64_t)1 << (v & 63);
    }
    s->off[n] = count;
    s->edge = malloc(((size_t)count + 1) * sizeof *s->edge);
    s->need = malloc(((size_t)count + 1) * sizeof *s->need);
    if (s->edge == NULL || s->need == NULL)
        return c->rc = ap_error_nomem(c->err);
    for (uint32_t v = 0, k = 0; v < n; v++) {
        if (!ap_findings__selected_tail(s, v))
            continue;
        for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
            ap_rights want = need(c, e);
            if (want != 0) {
                s->edge[k] = e;
                s->need[k++] = want;
            }
        }
    }
    return AP_OK;
}

static void free_witnesses(void *p)
{
    ap_edge_witnesses *w = p;
    free(w->at);
    free(w->list);
    ap_findings__select_free(&w->sel);
    free(w);
}

static ap_edge_witnesses *witnesses_of(ap_rule_ctx *c,
                                       ap_rights (*need)(const ap_rule_ctx *, uint32_t))
{
    ap_edge_witnesses *w = ap_findings__state(c, sizeof *w, free_witnesses);
    if (w == NULL || w->at != NULL)
        return w;
    if (ap_findings__select_edges(c, &w->sel, need) < 0)
        return NULL;
    uint32_t count = w->sel.off[ap_graph_node_count(c->g)];
    if ((w->at = malloc(((size_t)count + 1) * sizeof *w->at)) == NULL) {
        c->rc = ap_error_nomem(c->err);
        return NULL;
    }
    for (uint32_t j = 0; j < count; j++)
        w->at[j] = AP_UNREACHED;
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
            if (!ap_findings__selected_tail(&w->sel, v))
                continue;                   /* no edge out of v is the rule's */
            for (uint32_t j = w->sel.off[v]; j < w->sel.off[v + 1]; j++) {
                uint32_t e = w->sel.edge[j];
                if (!ap_findings__carries(c, a, e)
                    || (ap_edge_transfer(ap_graph_edge(g, e), a->rights[v]) & w->sel.need[j]) == 0)
                    continue;
                if (w->at[j] != AP_UNREACHED) {
                    ap_edge_witness *x = &w->list[w->at[j]];
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
                w->at[j] = w->n - 1;
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

