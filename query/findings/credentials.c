/* query/findings/credentials.c: rules about how long partner credentials live (OWASP NHI7):
 * no expiry, a lifetime beyond policy, an expiry after the holder's contract ends. */
#include <stdio.h>

#include "findings_internal.h"

typedef enum { NO_EXPIRY, LONG_LIVED, OUTLIVES } which;

/* How long credential v is valid, from its start (or from now when it has none); 0 without an
 * expiry. */
static int64_t lifetime(const ap_rule_ctx *c, const ap_node *nd)
{
    if (nd->expires == AP_TIME_NONE)
        return 0;
    return nd->expires - (nd->valid_from == AP_TIME_NONE ? c->at : nd->valid_from);
}

/* The message of finding f about credential f->subject, its partners and chain; a contract's
 * end is that of f's partner, the first in id order. */
static void say(ap_rule_ctx *c, ap_finding *f, which w)
{
    const ap_graph *g = c->g;
    const ap_node *nd = ap_graph_node(g, f->subject);
    const int64_t max = c->policy->credential_max_lifetime;
    char held[1800], d[32], e[32];
    ap_findings__held_by(c, f, held, sizeof held);
    if (nd->expires != AP_TIME_NONE)
        ap_findings__date_text(e, sizeof e, nd->expires);
    if (w == NO_EXPIRY) {
        ap_findings__message(c, f, "Credential %s, held by %s, has no expiry.", nd->id, held);
    } else if (w == LONG_LIVED) {
        ap_findings__message(c, f, "Credential %s, held by %s, is valid for %lld days %s "
                             "until %s (policy maximum %lld).", nd->id, held,
                             (long long)(lifetime(c, nd) / AP_DAY),
                             nd->valid_from == AP_TIME_NONE ? "from now" : "in all", e,
                             (long long)(max / AP_DAY));
    } else {
        int64_t ends = 0;
        ap_graph_node_time(g, f->partner, "contract_ends", &ends);
        ap_findings__date_text(d, sizeof d, ends);
        ap_findings__message(c, f, "Credential %s, held by %s, expires on %s, after "
                             "partner %s's contract ends on %s.", nd->id, held, e,
                             ap_graph_node(g, f->partner)->id, d);
    }
}

static void say_no_expiry(ap_rule_ctx *c, ap_finding *f) { say(c, f, NO_EXPIRY); }
static void say_long_lived(ap_rule_ctx *c, ap_finding *f) { say(c, f, LONG_LIVED); }
static void say_outlives(ap_rule_ctx *c, ap_finding *f) { say(c, f, OUTLIVES); }

/* One pass over every credential each partner holds directly, for the three rules: one finding
 * per credential, about every partner concerned. */
static int scan(ap_rule_ctx *c, which w)
{
    const ap_graph *g = c->g;
    const int64_t max = c->policy->credential_max_lifetime;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        int64_t ends;
        bool has_contract = ap_graph_node_time(g, p, "contract_ends", &ends);
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k];
            const ap_node *nd = ap_graph_node(g, v);
            if (nd->kind != AP_KIND_CREDENTIAL)
                continue;
            int64_t life = lifetime(c, nd);
            if ((w == NO_EXPIRY && nd->expires != AP_TIME_NONE)
                || (w == LONG_LIVED && (nd->expires == AP_TIME_NONE || life <= max))
                || (w == OUTLIVES && (!has_contract || nd->expires == AP_TIME_NONE
                                      || nd->expires <= ends)))
                continue;
            ap_finding *f = ap_findings__subject(c, p, false, v);
            if (f == NULL)
                continue;               /* another partner's finding: p joined it */
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
            say(c, f, w);
        }
    }
    return ap_findings__subjects_said(c, 1, w == NO_EXPIRY    ? say_no_expiry
                                            : w == LONG_LIVED ? say_long_lived
                                                              : say_outlives);
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
