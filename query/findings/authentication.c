/* query/findings/authentication.c: how partners prove who they are (OWASP NHI4): a static
 * secret that authenticates as one of our identities, where a workload identity would do. */
#include <ctype.h>
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

/* The identity finding f's secret stands in for: the fact "identity" (its first authenticates_as
 * edge in use by the first partner), the edge f's path ends with. */
static void say_static(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    const char *type = ap_graph_node_str(g, f->subject, "type");
    char who[600], how[1100];
    if (f->npath == 0)
        return;
    ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
    who[0] = (char)toupper((unsigned char)who[0]);     /* "partner": the sentence's start */
    ap_findings__message(c, f, "%s authenticate%s as %s with static secret %s%s%s%s%s %s; a "
                         "workload identity would prove the caller without a shared secret.",
                         who, f->npartners > 1 ? "" : "s",
                         ap_graph_node(g, ap_graph_edge(g, f->path[f->npath - 1])->to)->id,
                         ap_graph_node(g, f->subject)->id, type != NULL ? " (" : "",
                         type != NULL ? type : "", type != NULL ? ")" : "",
                         f->npartners > 1 ? "," : "", how);
}

int ap_rule__static_secret(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        uint32_t nown;
        const uint32_t *own = ap_findings__owned(c, i, &nown);
        for (uint32_t k = 0; k < nown && c->rc == AP_OK; k++) {
            uint32_t v = own[k];
            if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL || !ap_findings__static(g, v))
                continue;
            const char *type = ap_graph_node_str(g, v, "type");
            /* the identity the secret stands in for: its first authenticates_as edge in use */
            for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
                const ap_edge *ed = ap_graph_edge(g, e);
                if (ed->kind != AP_EDGE_AUTHENTICATES_AS || !ap_findings__carries(c, a, e)
                    || ap_graph_node(g, ed->to)->kind != AP_KIND_IDENTITY)
                    continue;
                ap_finding *f = ap_findings__subject(c, p, false, v);
                if (f != NULL) {
                    if (type != NULL)
                        ap_findings__fact(c, f, "type", "%s", type);
                    ap_findings__fact(c, f, "identity", "%s", ap_graph_node(g, ed->to)->id);
                    ap_findings__path(c, f, a, v, e);
                    say_static(c, f);
                }
                break;
            }
        }
    }
    return ap_findings__subjects_said(c, 1, say_static);
}
