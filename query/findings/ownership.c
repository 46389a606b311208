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

int ap_rule__no_owner(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        char chain[1024];
        if (missing(g, p, "owner")) {
            ap_finding *f = ap_findings__add(c, p, false, p);
            ap_findings__fact(c, f, "missing", "owner");
            ap_findings__message(c, f, "Partner %s names no owner.", ap_graph_node(g, p)->id);
        }
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown; k++) {
            uint32_t v = own[k];
            ap_kind kind = ap_findings__kind(c, v);
            if (ap_findings__node_named(c, v, "owner"))
                continue;
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__fact(c, f, "missing", "owner");
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "%s %s, held by partner %s through %s, names no owner.",
                                 kind == AP_KIND_IDENTITY ? "Identity" : "Credential",
                                 ap_graph_node(g, v)->id, ap_graph_node(g, p)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
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
