/* query/findings/attribution.c: actions that cannot be attributed (NIST CSF PR.PS-04,
 * DE.CM-06): a partner's write-capable path that passes through an identity with logged: false. */
#include <stdlib.h>

#include "findings_internal.h"
#include "../query_internal.h"

int ap_rule__unattributable(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    const ap_rights writes = ap_vocab_all(ap_graph_vocab(g)) & ~((ap_rights)1 << AP_R_READ);
    uint32_t n = ap_graph_node_count(g);
    uint32_t *seen = malloc(((size_t)n + 1) * sizeof *seen);    /* partner that reported it */
    (void)r;
    if (seen == NULL)
        return ap_error_nomem(c->err);
    for (uint32_t v = 0; v < n; v++)
        seen[v] = AP_UNREACHED;
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        /* each write-capable target in reach order; the unlogged identities on its witness */
        for (uint32_t k = 0; k < a->nreach && c->rc == AP_OK; k++) {
            uint32_t v = a->reach[k];
            if (ap_findings__sensitivity(g, v) == AP_SENS_NONE || (a->rights[v] & writes) == 0)
                continue;
            uint32_t *mid = NULL, nmid = 0;
            if (ap_query__path_nodes(&mid, &nmid, g, a, v) < 0) {
                c->rc = ap_error_nomem(c->err);
                break;
            }
            /* the path's inner nodes, from v's side back to the source */
            for (uint32_t j = nmid; j-- > 0;) {
                uint32_t u = mid[j];
                char chain[1024], rights[512];
                if (ap_graph_node(g, u)->kind != AP_KIND_IDENTITY || seen[u] == i
                    || ap_graph_node_bool(g, u, "logged", true))
                    continue;
                seen[u] = i;
                ap_finding *f = ap_findings__add(c, p, false, u);
                ap_findings__fact(c, f, "logged", "false");
                ap_findings__fact(c, f, "target", "%s", ap_graph_node(g, v)->id);
                ap_findings__rights(c, f, "rights", a->rights[v] & writes);
                ap_findings__path(c, f, a, v, AP_UNREACHED);
                if (f == NULL)
                    break;
                ap_rights_format(rights, sizeof rights, ap_graph_vocab(g), a->rights[v] & writes,
                                 ", ", true);
                ap_findings__message(c, f, "Partner %s can %s %s through %s, acting as %s, "
                                     "which is not logged: the change cannot be attributed.",
                                     ap_graph_node(g, p)->id, rights, ap_graph_node(g, v)->id,
                                     ap_findings__chain(c, f, chain, sizeof chain),
                                     ap_graph_node(g, u)->id);
            }
            free(mid);
        }
    }
    free(seen);
    return c->rc;
}
