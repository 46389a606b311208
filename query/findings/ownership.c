/* query/findings/ownership.c: rules about accountability (NIST CSF GV.RR-02, ID.AM-04): a
 * partner, or an identity or credential it holds, with no owner; a partner with no sponsor or
 * no recorded purpose. */
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

static bool missing(const ap_graph *g, uint32_t v, const char *key)
{
    const char *s = ap_graph_node_str(g, v, key);
    return s == NULL || s[0] == '\0';
}

static void say_no_owner(ap_rule_ctx *c, ap_finding *f)
{
    char held[1800];
    if (f->subject == f->partner) {
        ap_findings__message(c, f, "Partner %s names no owner.",
                             ap_graph_node(c->g, f->partner)->id);
        return;
    }
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__message(c, f, "%s %s, held by %s, names no owner.",
                         ap_findings__kind(c, f->subject) == AP_KIND_IDENTITY ? "Identity"
                                                                              : "Credential",
                         ap_graph_node(c->g, f->subject)->id, held);
}

/* The identities and credentials a partner may own that name no owner. */
static bool watch_no_owner(const ap_rule_ctx *c, uint32_t v)
{
    ap_kind k = ap_findings__kind(c, v);
    return (k == AP_KIND_IDENTITY || k == AP_KIND_CREDENTIAL)
           && !ap_findings__node_named(c, v, "owner");
}

/* Identity or credential x->v and the batch's partners that own it: one finding, about every
 * partner concerned, its chain from the first in id order. */
static void node_no_owner(ap_rule_ctx *c, const ap_lanes_at *x)
{
    ap_finding *f = ap_findings__owned(c, x);
    if (f == NULL)
        return;                         /* none, or another partner's finding: joined it */
    ap_findings__fact(c, f, "missing", "owner");
    ap_findings__chain_then(c, f, f->partner, x->v, AP_UNREACHED, true, say_no_owner);
}

/* The partners themselves, each its own subject (no other partner holds it): no authority. */
static int finish_no_owner(ap_rule_ctx *c)
{
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        if (!missing(c->g, p, "owner"))
            continue;
        ap_finding *f = ap_findings__add(c, p, false, p);
        ap_findings__fact(c, f, "missing", "owner");
        say_no_owner(c, f);
    }
    return c->rc;
}

const ap_lanes_rule ap_lanes__owner_missing = {
    "owner-missing", watch_no_owner, true, node_no_owner, NULL, finish_no_owner
};

/* No node to watch: the partners' own attributes, no authority. */
static bool watch_nothing(const ap_rule_ctx *c, uint32_t v)
{
    (void)c;
    (void)v;
    return false;
}

static int finish_undocumented(ap_rule_ctx *c)
{
    const ap_graph *g = c->g;
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        bool sponsor = missing(g, p, "sponsor"), purpose = missing(g, p, "purpose");
        const char *what = sponsor && purpose ? "sponsor, purpose" : sponsor ? "sponsor"
                                                                             : "purpose";
        if (!sponsor && !purpose)
            continue;
        ap_finding *f = ap_findings__add(c, p, false, p);
        ap_findings__fact(c, f, "missing", "%s", what);
        ap_findings__message(c, f, "Partner %s has no %s recorded.", ap_graph_node(g, p)->id,
                             sponsor && purpose ? "sponsor and no purpose" : what);
    }
    return c->rc;
}

const ap_lanes_rule ap_lanes__partner_undocumented = {
    "partner-undocumented", watch_nothing, false, NULL, NULL, finish_undocumented
};
