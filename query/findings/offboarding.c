/* query/findings/offboarding.c: rules about access that outlives its reason (OWASP NHI1): an
 * ended or suspended partner whose authority still works, minting rights, dormant access. */
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

/* The reached node that best shows what is still live: the most sensitive resource or
 * workflow (first in reach order among equals), else the first reached node. */
static uint32_t showcase(const ap_rule_ctx *c, const ap_authority *a)
{
    uint32_t best = a->reach[0];
    ap_sensitivity bs = ap_findings__sens(c, best);     /* a byte, not the node's record */
    for (uint32_t i = 1; i < a->nreach; i++) {
        ap_sensitivity s = ap_findings__sens(c, a->reach[i]);
        if (s > bs) {
            best = a->reach[i];
            bs = s;
        }
    }
    return best;
}

int ap_rule__ended_live(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        const ap_node *nd = ap_graph_node(g, p);
        int64_t ends;
        bool ended = ap_graph_node_time(g, p, "contract_ends", &ends) && ends <= c->at;
        bool stopped = nd->state == AP_STATE_SUSPENDED || nd->state == AP_STATE_REVOKED;
        char why[96], chain[1024];
        if ((!ended && !stopped) || a->nreach == 0)
            continue;
        uint32_t v = showcase(c, a);
        ap_finding *f = ap_findings__add(c, p, false, p);
        char d[32] = "";
        if (ended) {
            ap_findings__date_text(d, sizeof d, ends);
            ap_findings__date(c, f, "contract_ends", ends);
        }
        if (stopped)
            ap_findings__fact(c, f, "state", "%s", ap_state_name(nd->state));
        if (ended && stopped)
            snprintf(why, sizeof why, "contract ended on %s and it is %s", d,
                     ap_state_name(nd->state));
        else if (ended)
            snprintf(why, sizeof why, "contract ended on %s", d);
        else
            snprintf(why, sizeof why, "state is %s", ap_state_name(nd->state));
        ap_findings__fact(c, f, "reach", "%u", a->nreach);
        ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, v)->id);
        /* the rights the chain shown carries there (docs/design.md: no chain claims more) */
        ap_findings__rights(c, f, "rights",
                            ap_findings__path_for(c, f, a, v, AP_RIGHTS_ALL) & a->rights[v]);
        if (f == NULL)
            return c->rc;
        ap_findings__message(c, f, "Partner %s's %s, yet its authority still reaches %u node%s, "
                             "among them %s through %s.", nd->id, why, a->nreach,
                             a->nreach == 1 ? "" : "s", ap_graph_node(g, v)->id,
                             ap_findings__chain(c, f, chain, sizeof chain));
    }
    return c->rc;
}

/* The edges that let a partner mint credentials: a can_mint edge, or an edge that passes the
 * mint right by name into a resource or workflow (a secrets manager, an issuing CA); `all` on
 * an undeclared edge is undeclared-rights' business. What of the partner's rights there the
 * edge must pass (ap_findings__per_edge). */
static ap_rights mint_grant(const ap_rule_ctx *c, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    if (ed->kind == AP_EDGE_CAN_MINT)
        return AP_RIGHTS_ALL;
    if (!ed->declared || ed->rights == AP_RIGHTS_ALL || !(ed->rights >> AP_R_MINT & 1)
        || ap_findings__sens(c, ed->to) == AP_SENS_NONE)
        return 0;
    return (ap_rights)1 << AP_R_MINT;
}

int ap_rule__can_mint(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    ap_edge_witnesses *w = ap_findings__per_edge(c, mint_grant);
    (void)r;
    /* one finding per grant, every partner that can use it (the nearest one's chain) */
    for (size_t k = 0; w != NULL && k < w->n && c->rc == AP_OK; k++) {
        ap_finding *f = ap_findings__at(c, w->list[k].finding);
        if (f == NULL)
            break;
        const ap_edge *ed = ap_graph_edge(g, f->subject);
        const char *to = ap_graph_node(g, ed->to)->id;
        char who[512], chain[1024];
        bool many = f->npartners > 1;
        ap_findings__partner_list(c, f, who, sizeof who, 5);
        ap_findings__chain(c, f, chain, sizeof chain);
        /* one partner: "through CHAIN; it"; several: "(for example through CHAIN); each" */
        const char *open = many ? " (for example through " : " through ";
        const char *close = many ? "); each" : "; it";
        if (ed->kind == AP_EDGE_CAN_MINT) {
            ap_findings__fact(c, f, "mints_for", "%s", to);
            ap_findings__message(c, f, "Partner%s %s can mint credentials for %s%s%s%s can "
                                 "leave itself access that survives its offboarding.",
                                 many ? "s" : "", who, to, open, chain, close);
        } else {
            ap_findings__rights(c, f, "rights", w->list[k].passes);
            ap_findings__message(c, f, "Partner%s %s hold%s the mint right on %s%s%s%s can "
                                 "leave itself access that survives its offboarding.",
                                 many ? "s" : "", who, many ? "" : "s", to, open, chain, close);
        }
    }
    return c->rc;
}

static void say_dormant(ap_rule_ctx *c, ap_finding *f)
{
    const ap_node *nd = ap_graph_node(c->g, f->subject);
    int64_t used = 0;
    char d[32], held[1800];
    ap_findings__last_used(c, f->subject, &used);
    ap_findings__date_text(d, sizeof d, used);
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__message(c, f, "%s %s, held by %s, is live but was last used on %s (%lld days "
                         "ago, window %lld).",
                         nd->kind == AP_KIND_CREDENTIAL ? "Credential" : "Identity", nd->id,
                         held, d, (long long)((c->at - used) / AP_DAY),
                         (long long)(c->policy->dormant_after / AP_DAY));
}

int ap_rule__dormant(ap_rule_ctx *c, const ap_rule *r)
{
    (void)r;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k];
            int64_t used;
            if (!ap_findings__last_used(c, v, &used)
                || c->at - used <= c->policy->dormant_after)
                continue;
            ap_finding *f = ap_findings__subject(c, c->partners[i], false, v);
            if (f == NULL)
                continue;               /* another partner's finding: this one joined it */
            ap_findings__date(c, f, "last_used", used);
            ap_findings__fact(c, f, "idle_days", "%lld", (long long)((c->at - used) / AP_DAY));
            ap_findings__fact(c, f, "window_days", "%lld",
                              (long long)(c->policy->dormant_after / AP_DAY));
            ap_findings__path(c, f, c->auth[i], v, AP_UNREACHED);
            say_dormant(c, f);
        }
    }
    return ap_findings__subjects_said(c, 1, say_dormant);
}
