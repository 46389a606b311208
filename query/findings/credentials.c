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

/* Does credential v (its own dates) raise rule w, whatever the partner's contract? */
static bool raises(const ap_rule_ctx *c, uint32_t v, which w)
{
    const ap_node *nd = ap_graph_node(c->g, v);
    if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL)
        return false;
    return w == NO_EXPIRY ? nd->expires == AP_TIME_NONE
         : w == LONG_LIVED ? nd->expires != AP_TIME_NONE
                             && lifetime(c, nd) > c->policy->credential_max_lifetime
                           : nd->expires != AP_TIME_NONE;
}

static bool watch_no_expiry(const ap_rule_ctx *c, uint32_t v) { return raises(c, v, NO_EXPIRY); }
static bool watch_long_lived(const ap_rule_ctx *c, uint32_t v) { return raises(c, v, LONG_LIVED); }
static bool watch_outlives(const ap_rule_ctx *c, uint32_t v) { return raises(c, v, OUTLIVES); }

static void chain_no_expiry(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                            uint32_t e)
{
    ap_findings__path(c, f, a, v, e);
    say(c, f, NO_EXPIRY);
}

static void chain_long_lived(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                             uint32_t e)
{
    ap_findings__path(c, f, a, v, e);
    say(c, f, LONG_LIVED);
}

static void chain_outlives(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                           uint32_t e)
{
    ap_findings__path(c, f, a, v, e);
    say(c, f, OUTLIVES);
}

/* Credential x->v and the batch's partners that own it: one finding per credential, about
 * every partner concerned, its chain from the first in id order. */
static void credential(ap_rule_ctx *c, const ap_lanes_at *x, which w)
{
    const ap_graph *g = c->g;
    const ap_node *nd = ap_graph_node(g, x->v);
    const int64_t max = c->policy->credential_max_lifetime;
    uint64_t own[AP_KERNEL_LMAX], some = 0;
    ap_findings__owner_lanes(c, x, own);
    for (unsigned j = 0; j < x->b->L; j++) {
        for (uint64_t m = w == OUTLIVES ? own[j] : 0; m != 0; m &= m - 1) {
            unsigned lane = j * 64 + (unsigned)__builtin_ctzll(m);
            int64_t ends;
            if (!ap_graph_node_time(g, ap_findings__lane_partner(c, x->b, lane), "contract_ends",
                                    &ends) || nd->expires <= ends)
                own[j] &= ~((uint64_t)1 << (lane % 64));
        }
        some |= own[j];
    }
    if (some == 0)
        return;
    ap_finding *f = ap_findings__subject_lanes(c, x->b, own, false, x->v);
    if (f == NULL)
        return;                         /* another partner's finding: these joined it */
    if (nd->valid_from != AP_TIME_NONE)
        ap_findings__date(c, f, "valid_from", nd->valid_from);
    if (nd->expires != AP_TIME_NONE)
        ap_findings__date(c, f, "expires", nd->expires);
    if (w == LONG_LIVED) {
        ap_findings__fact(c, f, "lifetime_days", "%lld",
                          (long long)(lifetime(c, nd) / AP_DAY));
        ap_findings__fact(c, f, "max_days", "%lld", (long long)(max / AP_DAY));
    }
    if (w == OUTLIVES) {
        int64_t ends = 0;
        ap_graph_node_time(g, f->partner, "contract_ends", &ends);
        ap_findings__date(c, f, "contract_ends", ends);
    }
    ap_findings__chain_later(c, f, f->partner, x->v, AP_UNREACHED, true,
                             w == NO_EXPIRY    ? chain_no_expiry
                             : w == LONG_LIVED ? chain_long_lived
                                               : chain_outlives);
}

static void node_no_expiry(ap_rule_ctx *c, const ap_lanes_at *x) { credential(c, x, NO_EXPIRY); }
static void node_long_lived(ap_rule_ctx *c, const ap_lanes_at *x) { credential(c, x, LONG_LIVED); }
static void node_outlives(ap_rule_ctx *c, const ap_lanes_at *x) { credential(c, x, OUTLIVES); }

const ap_lanes_rule ap_lanes__credential_no_expiry = {
    "credential-no-expiry", watch_no_expiry, true, node_no_expiry, NULL, NULL
};
const ap_lanes_rule ap_lanes__credential_long_lived = {
    "credential-long-lived", watch_long_lived, true, node_long_lived, NULL, NULL
};
const ap_lanes_rule ap_lanes__credential_outlives_contract = {
    "credential-outlives-contract", watch_outlives, true, node_outlives, NULL, NULL
};
