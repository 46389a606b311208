/* query/findings/authentication.c: how partners prove who they are (OWASP NHI4): a static
 * secret that authenticates as one of our identities, where a workload identity would do. */
#include <ctype.h>
#include <string.h>

#include "findings_internal.h"

/* Is credential v a static secret? What the inventory says (static: true or false); else by its
 * type: API keys, client secrets, passwords, personal access tokens, SSH and access keys are
 * static by nature (a value someone stores and replays). */
bool ap_findings__static_of(const ap_attr_ask *type, const ap_attr_ask *is_static)
{
    static const char *const by_nature[] = { "api_key", "client_secret", "password", "pat",
                                             "ssh_key", "access_key" };
    bool nature = false;
    if (is_static->kind == 't' || is_static->kind == 'f')
        return is_static->kind == 't';
    for (size_t i = 0; type->kind == 's' && i < sizeof by_nature / sizeof by_nature[0]; i++)
        nature |= strcmp(type->buf, by_nature[i]) == 0;
    return nature;
}

/* ap_findings__static_of for credential v (its attributes parsed once). */
static bool secret_static(const ap_rule_ctx *c, uint32_t v)
{
    ap_attr_ask ask[2] = { { .key = "type" }, { .key = "static" } };   /* of every credential */
    ap_findings__attrs(c, ap_graph_node(c->g, v)->attrs, ask, 2);
    return ap_findings__static_of(&ask[0], &ask[1]);
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

/* Is e an authenticates_as edge to an identity? */
static bool stands_in(const ap_graph *g, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(g, e);
    return ed->kind == AP_EDGE_AUTHENTICATES_AS
           && ap_graph_node(g, ed->to)->kind == AP_KIND_IDENTITY;
}

/* Static secrets that authenticate as one of our identities. */
static bool watch_static(const ap_rule_ctx *c, uint32_t v)
{
    const ap_graph *g = c->g;
    if (ap_findings__kind(c, v) != AP_KIND_CREDENTIAL || !secret_static(c, v))
        return false;
    for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++)
        if (stands_in(g, e))
            return true;
    return false;
}

static void chain_static(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                         uint32_t e)
{
    ap_findings__path(c, f, a, v, e);
    say_static(c, f);
}

/* Static secret x->v and the batch's partners that own it and authenticate with it (their
 * authority crosses one of its authenticates_as edges): one finding, about every partner
 * concerned; the identity and chain of the first in id order (its first such edge it crosses;
 * the chain is its direct one, as it owns the secret, unless that does not carry what the edge
 * passes: then its plain authority's, with which the edge is crossed). */
static void node_static(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_graph *g = c->g;
    const unsigned L = x->b->L;
    uint64_t own[AP_KERNEL_LMAX], use[AP_KERNEL_LMAX], cross[AP_KERNEL_LMAX];
    bool some = false;
    ap_findings__owner_lanes(c, x, own);
    for (unsigned j = 0; j < L; j++) {
        some |= own[j] != 0;
        use[j] = 0;
    }
    if (!some)
        return;
    uint32_t first_e = AP_UNREACHED;
    int64_t first = -1;
    for (uint32_t e = ap_graph_out_begin(g, x->v); e < ap_graph_out_end(g, x->v); e++) {
        if (!stands_in(g, e))
            continue;
        ap_findings__edge_lanes(c, x, e, cross);
        for (unsigned j = 0; j < L; j++)
            use[j] |= cross[j] & own[j];
        int64_t l = ap_findings__first_lane(x->b, use);
        if (l != first) {               /* an earlier partner: its first edge is this one */
            first = l;
            first_e = e;
        }
    }
    ap_finding *f = ap_findings__subject_lanes(c, x->b, use, false, x->v);
    if (f == NULL)
        return;                         /* none, or another partner's finding: joined it */
    const char *type = ap_graph_node_str(g, x->v, "type");
    if (type != NULL)
        ap_findings__fact(c, f, "type", "%s", type);
    ap_findings__fact(c, f, "identity", "%s",
                      ap_graph_node(g, ap_graph_edge(g, first_e)->to)->id);
    ap_findings__chain_later_direct(c, f, f->partner, x->v, first_e, chain_static);
}

const ap_lanes_rule ap_lanes__static_secret = {
    "static-secret", watch_static, true, node_static, NULL, NULL
};
