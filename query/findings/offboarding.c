/* query/findings/offboarding.c: rules about access that outlives its reason (OWASP NHI1): an
 * ended or suspended partner whose authority still works, minting rights, dormant access. */
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

/* The reached node that best shows what is still live: the most sensitive resource or
 * workflow (first in reach order among equals), else the first reached node. */
static uint32_t showcase(const ap_graph *g, const ap_authority *a)
{
    uint32_t best = a->reach[0];
    ap_sensitivity bs = ap_findings__sensitivity(g, best);
    for (uint32_t i = 1; i < a->nreach; i++) {
        ap_sensitivity s = ap_findings__sensitivity(g, a->reach[i]);
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
        uint32_t v = showcase(g, a);
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
        ap_findings__rights(c, f, "rights", a->rights[v]);
        ap_findings__path(c, f, a, v, AP_UNREACHED);
        if (f == NULL)
            return c->rc;
        ap_findings__message(c, f, "Partner %s's %s, yet its authority still reaches %u node%s, "
                             "among them %s through %s.", nd->id, why, a->nreach,
                             a->nreach == 1 ? "" : "s", ap_graph_node(g, v)->id,
                             ap_findings__chain(c, f, chain, sizeof chain));
    }
    return c->rc;
}

/* can_mint edges a's authority crosses: out of its source or a node it reaches. */
static int mint_edges(ap_rule_ctx *c, const ap_authority *a, uint32_t p)
{
    const ap_graph *g = c->g;
    char chain[1024];
    for (uint32_t k = 0; k <= a->nreach; k++) {
        uint32_t v = k < a->nreach ? a->reach[k] : a->source;
        for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            if (ed->kind != AP_EDGE_CAN_MINT || !ap_findings__carries(c, a, e))
                continue;
            ap_finding *f = ap_findings__add(c, p, true, e);
            ap_findings__node(c, f, ed->from);
            ap_findings__node(c, f, ed->to);
            ap_findings__fact(c, f, "mints_for", "%s", ap_graph_node(g, ed->to)->id);
            ap_findings__path(c, f, a, ed->from, e);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "Partner %s can mint credentials for %s through %s; it "
                                 "can leave itself access that survives its offboarding.",
                                 ap_graph_node(g, p)->id, ap_graph_node(g, ed->to)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}

int ap_rule__can_mint(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        char chain[1024];
        if (mint_edges(c, a, p) < 0)
            return c->rc;
        /* the mint right granted by name on a resource or workflow (a secrets manager, an
         * issuing CA); `all` on an undeclared edge is undeclared-rights' business */
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t v = a->reach[k], e = AP_UNREACHED;
            if (ap_findings__sensitivity(g, v) == AP_SENS_NONE)
                continue;
            for (uint32_t j = ap_graph_in_begin(g, v); j < ap_graph_in_end(g, v); j++) {
                uint32_t x = ap_graph_in_edge(g, j);
                const ap_edge *ed = ap_graph_edge(g, x);
                if (ed->declared && ed->rights != AP_RIGHTS_ALL && ap_findings__carries(c, a, x)
                    && ap_edge_transfer(ed, a->rights[ed->from]) >> AP_R_MINT & 1) {
                    e = x;
                    break;
                }
            }
            if (e == AP_UNREACHED)
                continue;
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__rights(c, f, "rights", a->rights[v]);
            ap_findings__path(c, f, a, ap_graph_edge(g, e)->from, e);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "Partner %s holds the mint right on %s through %s; it "
                                 "can leave itself access that survives its offboarding.",
                                 ap_graph_node(g, p)->id, ap_graph_node(g, v)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}

int ap_rule__dormant(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t v = a->reach[k];
            const ap_node *nd = ap_graph_node(g, v);
            int64_t used;
            char d[32], chain[1024];
            if ((nd->kind != AP_KIND_CREDENTIAL && nd->kind != AP_KIND_IDENTITY)
                || !ap_findings__owns(c, a, v) || !ap_findings__last_used(c, v, &used)
                || c->at - used <= c->policy->dormant_after)
                continue;
            long long days = (long long)((c->at - used) / AP_DAY);
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__date(c, f, "last_used", used);
            ap_findings__fact(c, f, "idle_days", "%lld", days);
            ap_findings__fact(c, f, "window_days", "%lld",
                              (long long)(c->policy->dormant_after / AP_DAY));
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            ap_findings__date_text(d, sizeof d, used);
            ap_findings__message(c, f, "%s %s, held by partner %s through %s, is live but was "
                                 "last used on %s (%lld days ago, window %lld).",
                                 nd->kind == AP_KIND_CREDENTIAL ? "Credential" : "Identity",
                                 nd->id, ap_graph_node(g, p)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain), d, days,
                                 (long long)(c->policy->dormant_after / AP_DAY));
        }
    }
    return c->rc;
}
