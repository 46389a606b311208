/* query/findings/sharing.c: rules about credentials that serve more than one party (OWASP
 * NHI9): one credential held directly by several partners, multi-tenant credentials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"

int ap_rule__credential_shared(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    uint32_t *holders = malloc(((size_t)c->npartners + 1) * sizeof *holders);
    (void)r;
    if (holders == NULL)
        return ap_error_nomem(c->err);
    for (uint32_t v = 0; v < ap_graph_node_count(g) && c->rc == AP_OK; v++) {
        uint32_t nh = 0;
        char list[1024] = "", chain[1024];
        if (ap_graph_node(g, v)->kind != AP_KIND_CREDENTIAL)
            continue;
        for (uint32_t i = 0; i < c->npartners; i++)
            if (ap_findings__owns(c, c->auth[i], v))
                holders[nh++] = i;
        if (nh < 2)
            continue;
        for (uint32_t h = 0; h < nh; h++) {
            size_t used = strlen(list);
            snprintf(list + used, sizeof list - used, "%s%s", h ? ", " : "",
                     ap_graph_node(g, c->partners[holders[h]])->id);
        }
        /* one finding per holder: each partner's list shows it */
        for (uint32_t h = 0; h < nh; h++) {
            uint32_t p = c->partners[holders[h]];
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__fact(c, f, "holders", "%s", list);
            ap_findings__path(c, f, c->auth[holders[h]], v, AP_UNREACHED);
            for (uint32_t o = 0; o < nh; o++)
                ap_findings__node(c, f, c->partners[holders[o]]);
            if (f == NULL)
                break;
            ap_findings__message(c, f, "Credential %s, held by partner %s through %s, is also "
                                 "held by %u other partner%s (holders: %s).",
                                 ap_graph_node(g, v)->id, ap_graph_node(g, p)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain), nh - 1,
                                 nh == 2 ? "" : "s", list);
        }
    }
    free(holders);
    return c->rc;
}

int ap_rule__credential_multi_tenant(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = 0; i < c->npartners; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t k = 0; k < a->nreach; k++) {
            uint32_t v = a->reach[k];
            char chain[1024];
            if (ap_graph_node(g, v)->kind != AP_KIND_CREDENTIAL
                || !ap_graph_node_bool(g, v, "multi_tenant", false)
                || !ap_findings__owns(c, a, v))
                continue;
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__fact(c, f, "multi_tenant", "true");
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "Credential %s, held by partner %s through %s, is "
                                 "multi-tenant: the same secret serves the partner's other "
                                 "customers.", ap_graph_node(g, v)->id, ap_graph_node(g, p)->id,
                                 ap_findings__chain(c, f, chain, sizeof chain));
        }
    }
    return c->rc;
}
