/* query/findings/credentials.c: rules about how long partner credentials live (OWASP NHI7):
 * no expiry, a lifetime beyond policy, an expiry after the holder's contract ends. */
#include <stdio.h>

#include "findings_internal.h"

typedef enum { NO_EXPIRY, LONG_LIVED, OUTLIVES } which;

/* One pass over every credential each partner holds directly, for the three rules. */
static int scan(ap_rule_ctx *c, which w)
{
    const ap_graph *g = c->g;
    const int64_t max = c->policy->credential_max_lifetime;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        int64_t ends;
        bool has_contract = ap_graph_node_time(g, p, "contract_ends", &ends);
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown; k++) {
            uint32_t v = own[k];
            const ap_node *nd = ap_graph_node(g, v);
            char d[32], e[32], chain[1024];
            if (nd->kind != AP_KIND_CREDENTIAL)
                continue;
            bool counted_from_now = nd->valid_from == AP_TIME_NONE;
            int64_t life = nd->expires == AP_TIME_NONE ? 0
                         : nd->expires - (counted_from_now ? c->at : nd->valid_from);
            if ((w == NO_EXPIRY && nd->expires != AP_TIME_NONE)
                || (w == LONG_LIVED && (nd->expires == AP_TIME_NONE || life <= max))
                || (w == OUTLIVES && (!has_contract || nd->expires == AP_TIME_NONE
                                      || nd->expires <= ends)))
                continue;
            ap_finding *f = ap_findings__add(c, p, false, v);
            if (nd->valid_from != AP_TIME_NONE)
                ap_findings__date(c, f, "valid_from", nd->valid_from);
            if (nd->expires != AP_TIME_NONE)
                ap_findings__date(c, f, "expires", nd->expires);
            if (w == LONG_LIVED) {
                ap_findings__fact(c, f, "lifetime_days", "%lld", (long long)(life / AP_DAY));
                ap_findings__fact(c, f, "max_days", "%lld", (long long)(max / AP_DAY));
            }
            if (w == OUTLIVES)
                ap_findings__date(c, f, "contract_ends", ends);
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            ap_findings__chain(c, f, chain, sizeof chain);
            if (nd->expires != AP_TIME_NONE)
                ap_findings__date_text(e, sizeof e, nd->expires);
            if (w == NO_EXPIRY) {
                ap_findings__message(c, f, "Credential %s, held by partner %s through %s, has "
                                     "no expiry.", nd->id, ap_graph_node(g, p)->id, chain);
            } else if (w == LONG_LIVED) {
                ap_findings__message(c, f, "Credential %s, held by partner %s through %s, is "
                                     "valid for %lld days %s until %s (policy maximum %lld).",
                                     nd->id, ap_graph_node(g, p)->id, chain,
                                     (long long)(life / AP_DAY),
                                     counted_from_now ? "from now" : "in all", e,
                                     (long long)(max / AP_DAY));
            } else {
                ap_findings__date_text(d, sizeof d, ends);
                ap_findings__message(c, f, "Credential %s, held by partner %s through %s, "
                                     "expires on %s, after the contract ends on %s.", nd->id,
                                     ap_graph_node(g, p)->id, chain, e, d);
            }
        }
    }
    return c->rc;
}

int ap_rule__credential_no_expiry(ap_rule_ctx *c, const ap_rule *r)
{
    (void)r;
    return scan(c, NO_EXPIRY);
}

int ap_rule__credential_long_lived(ap_rule_ctx *c, const ap_rule *r)
{
    (void)r;
    return scan(c, LONG_LIVED);
}

int ap_rule__credential_outlives_contract(ap_rule_ctx *c, const ap_rule *r)
{
    (void)r;
    return scan(c, OUTLIVES);
}
