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

int ap_rule__no_owner(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        ap_finding *f;
        /* a partner is its own subject (no other partner holds it) */
        if (missing(g, p, "owner") && (f = ap_findings__subject(c, p, false, p)) != NULL) {
            ap_findings__fact(c, f, "missing", "owner");
            say_no_owner(c, f);
        }
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k];
            if (ap_findings__node_named(c, v, "owner"))
                continue;
            if ((f = ap_findings__subject(c, p, false, v)) == NULL)
                continue;
            ap_findings__fact(c, f, "missing", "owner");
            ap_findings__path(c, f, c->auth[i], v, AP_UNREACHED);
            say_no_owner(c, f);
        }
    }
    return ap_findings__subjects_said(c, 1, say_no_owner);
}

int ap_rule__no_sponsor(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
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
