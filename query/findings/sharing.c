/* query/findings/sharing.c: rules about credentials that serve more than one party (OWASP
 * NHI9): one credential held directly by several partners, multi-tenant credentials. */
#include <stdio.h>

#include "findings_internal.h"

static void say_shared(ap_rule_ctx *c, ap_finding *f)
{
    char held[1800];
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__fact(c, f, "holders", "%zu", f->npartners);
    ap_findings__message(c, f, "Credential %s is held by %s: one secret serves %zu "
                         "partners.", ap_graph_node(c->g, f->subject)->id, held,
                         f->npartners);
}

int ap_rule__credential_shared(ap_rule_ctx *c, const ap_rule *r)
{
    (void)r;
    /* each batch: a finding for every credential a partner holds directly, the partners after
     * the first joining it; the last call keeps those of two holders or more */
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k];
            if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL)
                continue;
            ap_finding *f = ap_findings__subject(c, c->partners[i], false, v);
            ap_findings__path(c, f, c->auth[i], v, AP_UNREACHED);
        }
    }
    return ap_findings__subjects_said(c, 2, say_shared);
}

static void say_multi_tenant(ap_rule_ctx *c, ap_finding *f)
{
    char held[1800];
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__message(c, f, "Credential %s, held by %s, is multi-tenant: the same secret "
                         "serves the partner's other customers.",
                         ap_graph_node(c->g, f->subject)->id, held);
}

int ap_rule__credential_multi_tenant(ap_rule_ctx *c, const ap_rule *r)
{
    (void)r;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k];
            if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL
                || !ap_findings__node_flag(c, v, "multi_tenant", false))
                continue;
            ap_finding *f = ap_findings__subject(c, c->partners[i], false, v);
            if (f == NULL)
                continue;
            ap_findings__fact(c, f, "multi_tenant", "true");
            ap_findings__path(c, f, c->auth[i], v, AP_UNREACHED);
            say_multi_tenant(c, f);
        }
    }
    return ap_findings__subjects_said(c, 1, say_multi_tenant);
}
