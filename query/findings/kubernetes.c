/* query/findings/kubernetes.c: rules about partners in Kubernetes RBAC, from the facts the
 * Kubernetes reader records (docs/sources/kubernetes.md): cluster-admin reached, wildcard verbs
 * on secrets, impersonation, and a partner's own users or groups bound cluster-wide. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

/* Does the witness path to v pass a cluster-admin role before v, or (with self) is v one?
 * (k8s-cluster-admin speaks for it.) */
static bool via_cluster_admin(const ap_rule_ctx *c, const ap_authority *a, uint32_t v, bool self)
{
    uint32_t *mid = NULL, n = 0;
    bool found = self && ap_findings__node_flag(c, v, "cluster_admin", false);
    if (found || ap_query__path_nodes(&mid, &n, c->g, a, v) < 0)
        return found;                   /* (out of memory: claim nothing) */
    for (uint32_t i = 0; i < n && !found; i++)
        found = ap_findings__node_flag(c, mid[i], "cluster_admin", false);
    free(mid);
    return found;
}

static bool cluster_admin(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__node_flag(c, v, "cluster_admin", false);
}

static void say_cluster_admin(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    const char *ns = ap_graph_node_str(g, f->subject, "namespace");
    char who[600], how[1100];
    ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
    who[0] = (char)toupper((unsigned char)who[0]);     /* "partner": the sentence's start */
    ap_findings__message(c, f, "%s hold%s %s (every verb on every resource%s%s)%s %s.", who,
                         f->npartners > 1 ? "" : "s", ap_graph_node_label(g, f->subject),
                         ns != NULL ? " in namespace " : " in every namespace",
                         ns != NULL ? ns : "", f->npartners > 1 ? "," : "", how);
}

int ap_rule__k8s_cluster_admin(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    if (!ap_findings__exists(c, false, cluster_admin))  /* every finding is about one */
        return c->rc;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        for (uint32_t k = 0; k < a->nreach && c->rc == AP_OK; k++) {
            uint32_t v = a->reach[k];
            if (!ap_findings__node_flag(c, v, "cluster_admin", false)
                || !ap_findings__direct(c, a, v) || via_cluster_admin(c, a, v, false))
                continue;
            /* one finding per cluster-admin role: a later partner joins it */
            ap_finding *f = ap_findings__subject(c, p, false, v);
            if (f == NULL)
                continue;
            const char *ns = ap_graph_node_str(g, v, "namespace");
            ap_findings__fact(c, f, "scope", "%s", ns != NULL ? ns : "cluster");
            ap_findings__path(c, f, a, v, AP_UNREACHED);
            say_cluster_admin(c, f);
        }
    }
    return c->rc < 0 ? c->rc : ap_findings__subjects_said(c, 1, say_cluster_admin);
}

static bool secrets_wildcard(const ap_rule_ctx *c, uint32_t e)
{
    return ap_graph_edge(c->g, e)->kind == AP_EDGE_ACCESS
           && ap_findings__edge_flag(c, e, "secrets_wildcard", false);
}

static bool impersonate(const ap_rule_ctx *c, uint32_t e)
{
    return ap_graph_edge(c->g, e)->kind == AP_EDGE_ACCESS
           && ap_findings__edge_flag(c, e, "impersonate", false);
}

/* What the flagged edge lets a partner do, by the running rule. */
static const char *flagged_what(const ap_rule_ctx *c)
{
    return strcmp(c->rule->id, "k8s-impersonation") == 0 ? "impersonate"
                                                          : "use every verb (*) on";
}

static void say_flagged(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    char who[600], how[1100];
    ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
    who[0] = (char)toupper((unsigned char)who[0]);     /* "partner": the sentence's start */
    ap_findings__message(c, f, "%s can %s %s%s %s.", who, flagged_what(c),
                         ap_graph_node_label(g, ap_graph_edge(g, f->subject)->to),
                         f->npartners > 1 ? "," : "", how);
}

/* Access edges flagged key that carry partner i's authority from a node it holds itself (not
 * through cluster-admin, whose own finding covers everything it allows): one finding per edge
 * (the Kubernetes rule), every partner it carries. */
static int flagged_access(ap_rule_ctx *c, const char *key)
{
    const ap_graph *g = c->g;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        const ap_authority *a = c->auth[i];
        uint32_t p = c->partners[i];
        /* the edges its authority can cross leave the source or a node it reaches */
        for (uint32_t k = 0; k <= a->nreach && c->rc == AP_OK; k++) {
            uint32_t v = k < a->nreach ? a->reach[k] : a->source;
            for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
                const ap_edge *ed = ap_graph_edge(g, e);
                if (ed->kind != AP_EDGE_ACCESS || !ap_findings__edge_flag(c, e, key, false)
                    || !ap_findings__carries(c, a, e)
                    || (ed->from != p && !ap_findings__direct(c, a, ed->from))
                    || via_cluster_admin(c, a, ed->from, true))
                    continue;
                ap_finding *f = ap_findings__subject(c, p, true, e);
                if (f == NULL)
                    continue;
                const char *ns = ap_graph_node_str(g, ed->to, "namespace");
                ap_findings__node(c, f, ed->from);
                ap_findings__node(c, f, ed->to);
                ap_findings__fact(c, f, "scope", "%s", ns != NULL ? ns : "cluster");
                ap_findings__path(c, f, a, ed->from, e);
                say_flagged(c, f);
            }
        }
    }
    return c->rc < 0 ? c->rc : ap_findings__subjects_said(c, 1, say_flagged);
}

int ap_rule__k8s_secrets_wildcard(ap_rule_ctx *c, const ap_rule *r)
{
    (void)r;
    if (!ap_findings__exists(c, true, secrets_wildcard))   /* every finding is about one */
        return c->rc;
    return flagged_access(c, "secrets_wildcard");
}

int ap_rule__k8s_impersonation(ap_rule_ctx *c, const ap_rule *r)
{
    (void)r;
    if (!ap_findings__exists(c, true, impersonate))        /* every finding is about one */
        return c->rc;
    return flagged_access(c, "impersonate");
}

int ap_rule__k8s_partner_cluster_wide(ap_rule_ctx *c, const ap_rule *r)
{
    const ap_graph *g = c->g;
    (void)r;
    for (uint32_t i = c->lo; i < c->hi && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            const char *scope = ap_graph_edge_str(g, e, "k8s_scope");
            const char *sub = ap_graph_edge_str(g, e, "subject");
            const char *binding = ap_graph_edge_str(g, e, "binding");
            if (ed->kind != AP_EDGE_MEMBER_OF || scope == NULL || strcmp(scope, "cluster") != 0
                || !ap_edge_usable(g, ed, p))
                continue;
            ap_finding *f = ap_findings__add(c, p, true, e);
            ap_findings__node(c, f, ed->to);
            if (sub != NULL)
                ap_findings__fact(c, f, "subject", "%s", sub);
            if (binding != NULL)
                ap_findings__fact(c, f, "binding", "%s", binding);
            ap_findings__path(c, f, c->auth[i], p, e);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "%s of partner %s is bound cluster-wide to %s by "
                                 "ClusterRoleBinding %s: its rules apply in every namespace.",
                                 sub != NULL ? sub : "A subject", ap_graph_node(g, p)->id,
                                 ap_graph_node_label(g, ed->to),
                                 binding != NULL ? binding : "?");
        }
    }
    return c->rc;
}
