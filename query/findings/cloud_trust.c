/* query/findings/cloud_trust.c: rules about who a cloud role trusts, from the facts the AWS IAM
 * reader records (docs/sources/aws-iam.md): a role anyone can assume, and external trust
 * without sts:ExternalId (the confused deputy). */
#include <stdio.h>

#include "findings_internal.h"

/* Both rules read trust policies (a partner's own can_assume edges), not authority: they run
 * once every batch is done (finish), and a single-source run happens only for the chain (and
 * the reach) a finding shows. */
static bool watch_nothing(const ap_rule_ctx *c, uint32_t v)
{
    (void)c;
    (void)v;
    return false;
}

/* The can_assume edges out of partner p that authority crosses, one call per edge. */
static bool assume_edge(const ap_rule_ctx *c, uint32_t p, uint32_t e)
{
    const ap_edge *ed = ap_graph_edge(c->g, e);
    return ed->kind == AP_EDGE_CAN_ASSUME && ed->from == p && ap_edge_usable(c->g, ed, p);
}

/* a: the partner's whole run (its reach is the finding's fact). */
static void say_anyone(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                       uint32_t e)
{
    const ap_graph *g = c->g;
    (void)v;
    (void)e;
    ap_findings__fact(c, f, "reach", "%u", a->nreach);
    ap_findings__path(c, f, a, f->subject, AP_UNREACHED);
    ap_findings__message(c, f, "Role %s trusts any AWS principal (Principal \"*\" with no "
                         "condition that narrows who): through it %s reaches %u nodes.",
                         ap_graph_node(g, f->subject)->id, ap_graph_node_label(g, f->partner),
                         a->nreach);
}

static int finish_anyone(ap_rule_ctx *c)
{
    const ap_graph *g = c->g;
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            if (!assume_edge(c, p, e) || !ap_findings__node_flag(c, ed->to, "trust_anyone", false))
                continue;
            const char *keys = ap_graph_edge_str(g, e, "condition_keys");
            ap_finding *f = ap_findings__add(c, p, false, ed->to);
            ap_findings__fact(c, f, "trust", "any AWS principal");
            if (keys != NULL)
                ap_findings__fact(c, f, "condition_keys", "%s", keys);
            if (f == NULL)
                return c->rc;
            ap_findings__chain_first(c, f, p, false, NULL, 0, say_anyone);
        }
    }
    return c->rc;
}

const ap_lanes_rule ap_lanes__trust_anyone = {
    "role-trusts-anyone", watch_nothing, false, NULL, NULL, finish_anyone
};

static void say_deputy(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                       uint32_t e)
{
    const ap_graph *g = c->g;
    ap_findings__path(c, f, a, v, e);
    ap_findings__message(c, f, "%s (%s) can assume role %s without sts:ExternalId: anyone the "
                         "external account acts for could make it act here (confused deputy).",
                         ap_graph_node_label(g, f->partner), ap_graph_node(g, f->partner)->id,
                         ap_graph_node(g, v)->id);
}

static int finish_deputy(ap_rule_ctx *c)
{
    const ap_graph *g = c->g;
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        const char *acct = ap_graph_node_str(g, p, "aws_account");
        /* external accounts only: anyone (role-trusts-anyone speaks about it) and a whole
         * organisation (not a third party) are other cases */
        if (acct == NULL)
            continue;
        for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            if (!assume_edge(c, p, e) || !ap_graph_edge_bool(g, e, "cross_account", false)
                || ap_graph_edge_bool(g, e, "external_id", true))
                continue;
            ap_finding *f = ap_findings__add(c, p, true, e);
            ap_findings__node(c, f, ed->to);
            ap_findings__fact(c, f, "external_id", "false");
            ap_findings__fact(c, f, "account", "%s", acct);
            ap_findings__fact(c, f, "known_vendor", "%s",
                              ap_graph_node_bool(g, p, "known_vendor", false) ? "true" : "false");
            if (f == NULL)
                return c->rc;
            ap_findings__chain_later(c, f, p, ed->to, AP_UNREACHED, false, say_deputy);
        }
    }
    return c->rc;
}

const ap_lanes_rule ap_lanes__confused_deputy = {
    "external-trust-no-external-id", watch_nothing, false, NULL, NULL, finish_deputy
};
