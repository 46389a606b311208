/* query/findings/kubernetes.c: rules about partners in Kubernetes RBAC, from the facts the
 * Kubernetes reader records (docs/sources/kubernetes.md): cluster-admin reached, wildcard verbs
 * on secrets, impersonation, and a partner's own users or groups bound cluster-wide. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "findings_internal.h"
#include "../query_internal.h"

static bool cluster_admin(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__node_flag(c, v, "cluster_admin", false);
}

/* What one batch of partners holds of the cluster-admin roles and the flagged access edges:
 * the lanes holding each role directly, the lanes each edge carries (directly from its tail);
 * rows of AP_KERNEL_LMAX words. */
typedef struct {
    uint32_t *role;
    uint64_t *held;
    size_t nrole, rolecap;
    uint32_t *edge;
    uint64_t *carried;
    size_t nedge, edgecap;
} k8s_batch;

static void k8s_batch_free(void *p)
{
    k8s_batch *s = p;
    free(s->role);
    free(s->held);
    free(s->edge);
    free(s->carried);
    free(s);
}

/* A row for x (a role or an edge) in ids/words, grown as needed; NULL when out of memory. */
static uint64_t *k8s_row(ap_rule_ctx *c, uint32_t **ids, uint64_t **words, size_t *n,
                         size_t *cap, uint32_t x)
{
    if (*n == *cap) {
        size_t m = *cap ? *cap * 2 : 16;
        uint32_t *i = realloc(*ids, m * sizeof *i);
        if (i != NULL)
            *ids = i;
        uint64_t *w = i != NULL ? realloc(*words, m * AP_KERNEL_LMAX * sizeof *w) : NULL;
        if (w == NULL) {
            c->rc = ap_error_nomem(c->err);
            return NULL;
        }
        *words = w;
        *cap = m;
    }
    (*ids)[*n] = x;
    return *words + (*n)++ * AP_KERNEL_LMAX;
}

static k8s_batch *k8s_state(ap_rule_ctx *c)
{
    return ap_findings__state(c, sizeof(k8s_batch), k8s_batch_free);
}

/* Cluster-admin role x->v and the lanes holding it directly, kept for the batch's end. */
static void keep_role(ap_rule_ctx *c, const ap_lanes_at *x)
{
    k8s_batch *s = k8s_state(c);
    uint64_t *row = s != NULL ? k8s_row(c, &s->role, &s->held, &s->nrole, &s->rolecap, x->v)
                              : NULL;
    if (row != NULL)
        memcpy(row, x->direct, x->b->L * sizeof *row);
}

static bool has_edge(const ap_graph *g, uint32_t u, uint32_t v)
{
    for (uint32_t e = ap_graph_out_begin(g, u); e < ap_graph_out_end(g, u); e++)
        if (ap_graph_edge(g, e)->to == v)
            return true;
    return false;
}

static bool same_text(const char *a, const char *b)
{
    return a != NULL && b != NULL && strcmp(a, b) == 0;
}

/* Does holding cluster-admin role u speak for role v (edge AP_UNREACHED) or for the flagged
 * edge e: k8s-cluster-admin's finding about u covers everything u allows. u covers a role of a
 * namespace when it is cluster-wide, and a role it controls (an edge from u to it, none back);
 * an edge when it is cluster-wide, of the edge's namespace, or controls the edge's tail. (The
 * old rules asked whether the witness chain shown passed a cluster-admin role: this asks what
 * the partner holds, whatever chain a run finds first.) */
static bool covers(const ap_rule_ctx *c, uint32_t u, uint32_t v, uint32_t e)
{
    const ap_graph *g = c->g;
    const char *uns = ap_graph_node_str(g, u, "namespace");
    if (e != AP_UNREACHED) {
        const ap_edge *ed = ap_graph_edge(g, e);
        return uns == NULL || same_text(uns, ap_graph_node_str(g, ed->to, "namespace"))
               || has_edge(g, u, ed->from);
    }
    if (u == v)
        return false;
    if (uns == NULL && ap_graph_node_str(g, v, "namespace") != NULL)
        return true;
    return has_edge(g, u, v) && !has_edge(g, v, u);
}

/* Clear from lanes[L] those that hold directly a cluster-admin role of the batch covering v
 * (or edge e). Roles are few: this is O(roles x L) words. */
static void uncover(ap_rule_ctx *c, const k8s_batch *s, unsigned L, uint32_t v, uint32_t e,
                    uint64_t *lanes)
{
    for (size_t r = 0; r < s->nrole; r++) {
        const uint64_t *held = s->held + r * AP_KERNEL_LMAX;
        bool any = false;
        for (unsigned j = 0; j < L; j++)
            any |= (lanes[j] & held[j]) != 0;
        if (any && covers(c, s->role[r], v, e))
            for (unsigned j = 0; j < L; j++)
                lanes[j] &= ~held[j];
    }
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

static void node_cluster_admin(ap_rule_ctx *c, const ap_lanes_at *x)
{
    keep_role(c, x);
}

/* The batch's cluster-admin roles: one finding per role, every partner holding it directly
 * (with every other partner blocked) and no cluster-admin role that covers it. */
static void end_cluster_admin(ap_rule_ctx *c, const ap_kernel_batch *b)
{
    k8s_batch *s = k8s_state(c);
    if (s == NULL)
        return;
    for (size_t r = 0; r < s->nrole && c->rc == AP_OK; r++) {
        uint64_t lanes[AP_KERNEL_LMAX];
        uint32_t v = s->role[r];
        memcpy(lanes, s->held + r * AP_KERNEL_LMAX, b->L * sizeof *lanes);
        uncover(c, s, b->L, v, AP_UNREACHED, lanes);
        ap_finding *f = ap_findings__subject_lanes(c, b, lanes, false, v);
        if (f == NULL)
            continue;
        const char *ns = ap_graph_node_str(c->g, v, "namespace");
        ap_findings__fact(c, f, "scope", "%s", ns != NULL ? ns : "cluster");
        ap_findings__chain_then(c, f, f->partner, v, AP_UNREACHED, true, say_cluster_admin);
    }
    s->nrole = 0;
}

const ap_lanes_rule ap_lanes__k8s_cluster_admin = {
    "k8s-cluster-admin", cluster_admin, true, node_cluster_admin, end_cluster_admin, NULL
};

/* The flag of the running rule's access edges. */
static const char *flag_key(const ap_rule_ctx *c)
{
    return strcmp(c->rule->id, "k8s-impersonation") == 0 ? "impersonate" : "secrets_wildcard";
}

static bool flagged(const ap_rule_ctx *c, uint32_t e)
{
    return ap_graph_edge(c->g, e)->kind == AP_EDGE_ACCESS
           && ap_findings__edge_flag(c, e, flag_key(c), false);
}

/* Cluster-admin roles and the tails of the rule's flagged edges. */
static bool watch_flagged(const ap_rule_ctx *c, uint32_t v)
{
    if (cluster_admin(c, v))
        return true;
    for (uint32_t e = ap_graph_out_begin(c->g, v); e < ap_graph_out_end(c->g, v); e++)
        if (flagged(c, e))
            return true;
    return false;
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

/* Lanes for edge e in the batch's rows (one row per edge: the same edge twice joins it). */
static void keep_edge(ap_rule_ctx *c, k8s_batch *s, unsigned L, uint32_t e,
                      const uint64_t *lanes)
{
    uint64_t *row = NULL;
    for (size_t k = s->nedge; k-- > 0 && row == NULL;)
        if (s->edge[k] == e)
            row = s->carried + k * AP_KERNEL_LMAX;
    if (row == NULL && (row = k8s_row(c, &s->edge, &s->carried, &s->nedge, &s->edgecap, e))
                           != NULL)
        memset(row, 0, AP_KERNEL_LMAX * sizeof *row);
    for (unsigned j = 0; row != NULL && j < L; j++)
        row[j] |= lanes[j];
}

/* At the tail of flagged edges (not a cluster-admin role, whose own finding covers everything
 * it allows): the lanes each edge carries that hold the tail directly. A tail that is a batch
 * partner is its own source: its lane comes from end_flagged. */
static void node_flagged(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_kernel_batch *b = x->b;
    k8s_batch *s = k8s_state(c);
    if (s == NULL)
        return;
    if (cluster_admin(c, x->v)) {
        keep_role(c, x);
        return;
    }
    int64_t own = ap_findings__partner_index(c, x->v);
    for (uint32_t e = ap_graph_out_begin(c->g, x->v); e < ap_graph_out_end(c->g, x->v); e++) {
        uint64_t lanes[AP_KERNEL_LMAX], some = 0;
        if (!flagged(c, e))
            continue;
        ap_findings__edge_lanes(c, x, e, lanes);
        for (unsigned j = 0; j < b->L; j++)
            lanes[j] &= x->direct[j];
        if (own >= b->base && own < b->base + b->nb)
            lanes[(own - b->base) / 64] &= ~((uint64_t)1 << ((own - b->base) % 64));
        for (unsigned j = 0; j < b->L; j++)
            some |= lanes[j];
        if (some != 0)
            keep_edge(c, s, b->L, e, lanes);
    }
}

/* The batch's flagged edges: their partner tails' own lanes (a source holds every right),
 * then one finding per edge, every partner it carries that no cluster-admin role it holds
 * directly covers. */
static void end_flagged(ap_rule_ctx *c, const ap_kernel_batch *b)
{
    const ap_graph *g = c->g;
    k8s_batch *s = k8s_state(c);
    if (s == NULL)
        return;
    for (uint32_t i = b->base; i < b->base + b->nb && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            uint64_t lanes[AP_KERNEL_LMAX] = { 0 };
            if (!flagged(c, e) || cluster_admin(c, p) || !ed->traversable
                || !ap_edge_usable(g, ed, p) || ap_edge_transfer(ed, AP_RIGHTS_ALL) == 0)
                continue;
            lanes[(i - b->base) / 64] = (uint64_t)1 << ((i - b->base) % 64);
            keep_edge(c, s, b->L, e, lanes);
        }
    }
    for (size_t k = 0; k < s->nedge && c->rc == AP_OK; k++) {
        uint64_t lanes[AP_KERNEL_LMAX];
        uint32_t e = s->edge[k];
        const ap_edge *ed = ap_graph_edge(g, e);
        memcpy(lanes, s->carried + k * AP_KERNEL_LMAX, b->L * sizeof *lanes);
        uncover(c, s, b->L, AP_UNREACHED, e, lanes);
        ap_finding *f = ap_findings__subject_lanes(c, b, lanes, true, e);
        if (f == NULL)
            continue;
        const char *ns = ap_graph_node_str(g, ed->to, "namespace");
        ap_findings__node(c, f, ed->from);
        ap_findings__node(c, f, ed->to);
        ap_findings__fact(c, f, "scope", "%s", ns != NULL ? ns : "cluster");
        ap_findings__chain_then(c, f, f->partner, ed->from, e, false, say_flagged);
    }
    s->nrole = s->nedge = 0;
}

const ap_lanes_rule ap_lanes__k8s_secrets_wildcard = {
    "k8s-secrets-wildcard", watch_flagged, true, node_flagged, end_flagged, NULL
};
const ap_lanes_rule ap_lanes__k8s_impersonation = {
    "k8s-impersonation", watch_flagged, true, node_flagged, end_flagged, NULL
};

static bool watch_nothing(const ap_rule_ctx *c, uint32_t v)
{
    (void)c;
    (void)v;
    return false;
}

static void chain_cluster_wide(ap_rule_ctx *c, ap_finding *f, const ap_authority *a,
                               uint32_t v, uint32_t e)
{
    ap_findings__path(c, f, a, v, e);
}

/* The partners' own member_of edges a ClusterRoleBinding made: structural, no authority (the
 * chain is the partner and the edge). */
static int finish_cluster_wide(ap_rule_ctx *c)
{
    const ap_graph *g = c->g;
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p); e++) {
            const ap_edge *ed = ap_graph_edge(g, e);
            if (ed->kind != AP_EDGE_MEMBER_OF || !ap_edge_usable(g, ed, p))
                continue;               /* before the attributes, which then stay parsed */
            const char *scope = ap_graph_edge_str(g, e, "k8s_scope");
            const char *sub = ap_graph_edge_str(g, e, "subject");
            const char *binding = ap_graph_edge_str(g, e, "binding");
            if (scope == NULL || strcmp(scope, "cluster") != 0)
                continue;
            ap_finding *f = ap_findings__add(c, p, true, e);
            ap_findings__node(c, f, ed->to);
            if (sub != NULL)
                ap_findings__fact(c, f, "subject", "%s", sub);
            if (binding != NULL)
                ap_findings__fact(c, f, "binding", "%s", binding);
            if (f == NULL)
                return c->rc;
            ap_findings__message(c, f, "%s of partner %s is bound cluster-wide to %s by "
                                 "ClusterRoleBinding %s: its rules apply in every namespace.",
                                 sub != NULL ? sub : "A subject", ap_graph_node(g, p)->id,
                                 ap_graph_node_label(g, ed->to),
                                 binding != NULL ? binding : "?");
            ap_findings__chain_later(c, f, p, p, e, false, chain_cluster_wide);
        }
    }
    return c->rc;
}

const ap_lanes_rule ap_lanes__k8s_partner_cluster_wide = {
    "k8s-partner-cluster-wide", watch_nothing, false, NULL, NULL, finish_cluster_wide
};
