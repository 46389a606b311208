/* query/findings/review.c: the access review cadence. A partner's last_reviewed must be
 * younger than the policy's cadence for the most sensitive resource or workflow it reaches. */
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

int ap_rule__review_overdue(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i], top = AP_UNREACHED;
        ap_sensitivity s = AP_SENS_INTERNAL;     /* what nothing sensitive is reviewed at */
        int64_t reviewed;
        char d[32], due[32], chain[1024];
        for (uint32_t k = 0; k < a->nreach; k++) {
            ap_sensitivity vs = ap_findings__sens(c, a->reach[k]);
            if (vs > s || (vs == s && top == AP_UNREACHED && vs != AP_SENS_NONE)) {
                s = vs;
                top = a->reach[k];
            }
        }
        int64_t every = c->policy->review_every[s];
        bool never = !ap_graph_node_time(g, p, "last_reviewed", &reviewed);
        if (!never && c->at - reviewed <= every)
            continue;
        ap_finding *f = ap_findings__add(c, p, false, p);
        if (!never) {
            ap_findings__date(c, f, "last_reviewed", reviewed);
            ap_findings__date(c, f, "due", reviewed + every);
        }
        ap_findings__fact(c, f, "sensitivity", "%s", ap_sensitivity_name(s));
        ap_findings__fact(c, f, "cadence_days", "%lld", (long long)(every / AP_DAY));
        uint32_t via = AP_UNREACHED;
        if (top != AP_UNREACHED) {
            ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, top)->id);
            ap_findings__path(c, f, a, top, AP_UNREACHED);
        }
        if (f == NULL)
            return c->rc;
        /* through another partner, the evidence stops at it (its own findings carry on) */
        if (top != AP_UNREACHED)
            via = ap_findings__stop_at_partner(c, f, top);
        if (top != AP_UNREACHED)
            snprintf(chain, sizeof chain, "it reaches %s %s through ", ap_sensitivity_name(s),
                     ap_graph_node(g, top)->id);
        else
            snprintf(chain, sizeof chain, "it reaches nothing above internal");
        size_t used = strlen(chain);
        if (top != AP_UNREACHED)
            ap_findings__chain(c, f, chain + used, sizeof chain - used);
        used = strlen(chain);
        if (via != AP_UNREACHED)
            snprintf(chain + used, sizeof chain - used, ", acting for partner %s",
                     ap_graph_node(g, via)->id);
        if (never) {
            ap_findings__message(c, f, "Partner %s was never reviewed; %s, so the cadence is "
                                 "%lld days.", ap_graph_node(g, p)->id, chain,
                                 (long long)(every / AP_DAY));
        } else {
            ap_findings__date_text(d, sizeof d, reviewed);
            ap_findings__date_text(due, sizeof due, reviewed + every);
            ap_findings__message(c, f, "Partner %s was last reviewed on %s and was due by %s; "
                                 "%s, so the cadence is %lld days.", ap_graph_node(g, p)->id, d,
                                 due, chain, (long long)(every / AP_DAY));
        }
    }
    return c->rc;
}
