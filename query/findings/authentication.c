/* query/findings/authentication.c: how partners prove who they are (OWASP NHI4): a static
 * secret that authenticates as one of our identities, where a workload identity would do. */
#include <string.h>

#include "findings_internal.h"

/* Is credential v a static secret? What the inventory says (static: true or false); else by its
 * type: API keys, client secrets, passwords, personal access tokens, SSH and access keys are
 * static by nature (a value someone stores and replays). */
bool ap_findings__static(const ap_graph *g, uint32_t v)
{
    static const char *const by_nature[] = { "api_key", "client_secret", "password", "pat",
                                             "ssh_key", "access_key" };
    const char *type = ap_graph_node_str(g, v, "type");
    bool nature = false;
    for (size_t i = 0; type != NULL && i < sizeof by_nature / sizeof by_nature[0]; i++)
        nature |= strcmp(type, by_nature[i]) == 0;
    return ap_graph_node_bool(g, v, "static", nature);
}

int ap_rule__static_secret(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown; k++) {
            uint32_t v = own[k];
            char chain[1024];
            if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL || !ap_findings__static(g, v))
                continue;
            const char *type = ap_graph_node_str(g, v, "type");
            /* the identity the secret stands in for: its first authenticates_as edge in use */
            for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
                const ap_edge *ed = ap_graph_edge(g, e);
                if (ed->kind != AP_EDGE_AUTHENTICATES_AS || !ap_findings__carries(c, a, e)
                    || ap_graph_node(g, ed->to)->kind != AP_KIND_IDENTITY)
                    continue;
                ap_finding *f = ap_findings__add(c, p, false, v);
                if (type != NULL)
                    ap_findings__fact(c, f, "type", "%s", type);
                ap_findings__fact(c, f, "identity", "%s", ap_graph_node(g, ed->to)->id);
                ap_findings__path(c, f, a, v, e);
                if (f == NULL)
                    return c->rc;
                ap_findings__message(c, f, "Partner %s authenticates as %s with static secret "
                                     "%s%s%s%s through %s; a workload identity would prove the "
                                     "caller without a shared secret.", ap_graph_node(g, p)->id,
                                     ap_graph_node(g, ed->to)->id, ap_graph_node(g, v)->id,
                                     type != NULL ? " (" : "", type != NULL ? type : "",
                                     type != NULL ? ")" : "",
                                     ap_findings__chain(c, f, chain, sizeof chain));
                break;
            }
        }
    }
    return c->rc;
}
