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

static bool watch_credential(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__kind(c, v) == AP_KIND_CREDENTIAL;
}

/* Credential x->v and the batch's partners that own it join its finding (made by the first in
 * id order); whether it is shared is known once every batch was heard (finish_shared). */
static void node_shared(ap_rule_ctx *c, const ap_lanes_at *x)
{
    ap_findings__owned(c, x);
}

/* A credential of two holders or more: its chain, from the first in id order. */
static void ask_chain_shared(ap_rule_ctx *c, ap_finding *f)
{
    ap_findings__chain_then(c, f, f->partner, f->subject, AP_UNREACHED, true, say_shared);
}

/* Those of one holder are dropped: a credential is shared when two partners or more own it. */
static int finish_shared(ap_rule_ctx *c)
{
    return ap_findings__subjects_said(c, 2, ask_chain_shared);
}

const ap_lanes_rule ap_lanes__credential_shared = {
    "credential-shared", watch_credential, true, node_shared, NULL, finish_shared
};

static void say_multi_tenant(ap_rule_ctx *c, ap_finding *f)
{
    char held[1800];
    ap_findings__held_by(c, f, held, sizeof held);
    ap_findings__message(c, f, "Credential %s, held by %s, is multi-tenant: the same secret "
                         "serves the partner's other customers.",
                         ap_graph_node(c->g, f->subject)->id, held);
}

static bool watch_multi_tenant(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__kind(c, v) == AP_KIND_CREDENTIAL
           && ap_findings__node_flag(c, v, "multi_tenant", false);
}

/* Multi-tenant credential x->v and the batch's partners that own it: one finding, about every
 * partner concerned, its chain from the first in id order. */
static void node_multi_tenant(ap_rule_ctx *c, const ap_lanes_at *x)
{
    ap_finding *f = ap_findings__owned(c, x);
    if (f == NULL)
        return;                         /* none, or another partner's finding: joined it */
    ap_findings__fact(c, f, "multi_tenant", "true");
    ap_findings__chain_then(c, f, f->partner, x->v, AP_UNREACHED, true, say_multi_tenant);
}

const ap_lanes_rule ap_lanes__credential_multi_tenant = {
    "credential-multi-tenant", watch_multi_tenant, true, node_multi_tenant, NULL, NULL
};
