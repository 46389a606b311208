/* query/findings/sharing.c: rules about credentials that serve more than one party (OWASP
 * NHI9): one credential held directly by several partners, multi-tenant credentials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"

/* Across batches: each (credential, finding) a partner holding it directly made, in partner
 * order; the last call keeps those of credentials with two holders or more. */
typedef struct {
    uint32_t credential;
    size_t finding;
} holding;

typedef struct {
    holding *list;
    size_t n, cap;
} holdings;

static void free_holdings(void *p)
{
    free(((holdings *)p)->list);
    free(p);
}

static int by_credential(const void *x, const void *y)
{
    const holding *a = x, *b = y;
    if (a->credential != b->credential)
        return a->credential < b->credential ? -1 : 1;
    return a->finding < b->finding ? -1 : a->finding > b->finding;     /* partner order */
}

/* The findings of one credential's nh holders (h[0..nh)): their list, or dropped if alone. */
static void holders_said(ap_rule_ctx *c, const holding *h, size_t nh)
{
    const ap_graph *g = c->g;
    uint32_t v = h[0].credential;
    char list[1024] = "", chain[1024];
    if (nh < 2) {
        ap_findings__drop(c, h[0].finding);
        return;
    }
    for (size_t k = 0; k < nh; k++) {
        size_t used = strlen(list);
        snprintf(list + used, sizeof list - used, "%s%s", k ? ", " : "",
                 ap_graph_node(g, c->out->items[h[k].finding].partner)->id);
    }
    /* one finding per holder: each partner's list shows it */
    for (size_t k = 0; k < nh && c->rc == AP_OK; k++) {
        ap_finding *f = ap_findings__at(c, h[k].finding);
        if (f == NULL)
            return;
        uint32_t p = f->partner;
        ap_findings__fact(c, f, "holders", "%s", list);
        for (size_t o = 0; o < nh; o++)
            ap_findings__node(c, f, c->out->items[h[o].finding].partner);
        ap_findings__message(c, f, "Credential %s, held by partner %s through %s, is also "
                             "held by %zu other partner%s (holders: %s).",
                             ap_graph_node(g, v)->id, ap_graph_node(g, p)->id,
                             ap_findings__chain(c, f, chain, sizeof chain), nh - 1,
                             nh == 2 ? "" : "s", list);
    }
}

int ap_rule__credential_shared(ap_rule_ctx *c, const ap_rule *r)
{
    holdings *s = ap_findings__state(c, sizeof *s, free_holdings);
    (void)r;
    if (s == NULL)
        return c->rc;
    /* each batch: a finding (its evidence) for every credential a partner holds directly */
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k];
            if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL)
                continue;
            if (s->n == s->cap) {
                size_t cap = s->cap * 2 + 16;
                holding *list = realloc(s->list, cap * sizeof *list);
                if (list == NULL)
                    return c->rc = ap_error_nomem(c->err);
                s->list = list;
                s->cap = cap;
            }
            ap_finding *f = ap_findings__add(c, c->partners[i], false, v);
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            s->list[s->n].credential = v;
            s->list[s->n++].finding = (size_t)(f - c->out->items);
        }
    }
    if (!c->last || s->n == 0)
        return c->rc;
    /* the last call: the holders of each credential, known now */
    qsort(s->list, s->n, sizeof *s->list, by_credential);
    for (size_t b = 0, e; b < s->n && c->rc == AP_OK; b = e) {
        for (e = b + 1; e < s->n && s->list[e].credential == s->list[b].credential; e++)
            ;
        holders_said(c, &s->list[b], e - b);
    }
    return c->rc;
}

int ap_rule__credential_multi_tenant(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown; k++) {
            uint32_t v = own[k];
            char chain[1024];
            if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL
                || !ap_findings__node_flag(c, v, "multi_tenant", false))
                continue;
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__fact(c, f, "multi_tenant", "true");
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "Credential %s, held by partner %s through %s, is "
                                 "multi-tenant: the same secret serves the partner's other "
                                 "customers.", ap_graph_node(g, v)->id, ap_graph_node(g, p)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}
