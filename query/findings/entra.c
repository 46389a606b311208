/* query/findings/entra.c: rules about Microsoft Entra ID partner access, from the facts the
 * Microsoft Graph reader records (docs/sources/msgraph.md): GDAP relationships, admin consent,
 * app permissions that lead to Global Administrator, federated and multi-tenant apps. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "findings_internal.h"

#define GLOBAL_ADMIN "62e90394-69f5-4237-9190-012177145e10"

static bool is_global_admin(const ap_graph *g, uint32_t v)
{
    const char *t = ap_graph_node_str(g, v, "role_template");
    return t != NULL && strcmp(t, GLOBAL_ADMIN) == 0;
}

static bool has_type(const ap_graph *g, uint32_t v, const char *type)
{
    const char *t = ap_graph_node_str(g, v, "type");
    return t != NULL && strcmp(t, type) == 0;
}

static bool global_admin_role(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__node_is(c, v, "role_template", GLOBAL_ADMIN);
}

/* The message of f about Global Administrator role f->subject: a partner's label when it is
 * the only one, else the partners and the first one's chain. */
static void say_global_admin(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    const char *customer = ap_graph_node_str(g, f->subject, "gdap_customer");
    char chain[1024], who[600], how[1100];
    ap_findings__chain(c, f, chain, sizeof chain);
    if (f->npartners == 1 && customer != NULL) {
        ap_findings__message(c, f, "%s holds Global Administrator in customer tenant %s "
                             "through GDAP: %s.", ap_graph_node_label(g, f->partner), customer,
                             chain);
        return;
    }
    if (f->npartners == 1) {
        ap_findings__message(c, f, "Third party %s reaches Global Administrator of this "
                             "directory through its app's permissions: %s.",
                             ap_graph_node_label(g, f->partner), chain);
        return;
    }
    ap_findings__who_and_how(c, f, who, sizeof who, how, sizeof how);
    who[0] = (char)toupper((unsigned char)who[0]);
    if (customer != NULL)
        ap_findings__message(c, f, "%s hold Global Administrator in customer tenant %s "
                             "through GDAP, %s.", who, customer, how);
    else
        ap_findings__message(c, f, "%s reach Global Administrator of this directory through "
                             "apps' permissions, %s.", who, how);
}

/* A Global Administrator role: of a customer through GDAP (gdap true), or of this directory
 * (gdap false). */
static bool global_admin_of(const ap_rule_ctx *c, uint32_t v, bool gdap)
{
    return global_admin_role(c, v) && is_global_admin(c->g, v)
           && (ap_graph_node_str(c->g, v, "gdap_customer") != NULL) == gdap;
}

static bool watch_gdap_admin(const ap_rule_ctx *c, uint32_t v)
{
    return global_admin_of(c, v, true);
}

static bool watch_app_admin(const ap_rule_ctx *c, uint32_t v)
{
    return global_admin_of(c, v, false);
}

/* A partner reaches Global Administrator role x->v: one finding per role, every partner
 * whose authority reaches it (through another partner too), its chain from the first in id
 * order. */
static void node_global_admin(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const char *customer = ap_graph_node_str(c->g, x->v, "gdap_customer");
    ap_finding *f = ap_findings__subject_lanes(c, x->b, x->w + (size_t)x->b->K * x->b->L, false,
                                               x->v);
    if (f == NULL)
        return;                         /* another partner's finding: these joined it */
    ap_findings__fact(c, f, "role", "Global Administrator");
    if (customer != NULL)
        ap_findings__fact(c, f, "customer_tenant", "%s", customer);
    ap_findings__chain_then(c, f, f->partner, x->v, AP_UNREACHED, false, say_global_admin);
}

const ap_lanes_rule ap_lanes__gdap_global_admin = {
    "gdap-global-admin", watch_gdap_admin, false, node_global_admin, NULL, NULL
};
const ap_lanes_rule ap_lanes__app_global_admin = {
    "app-global-admin", watch_app_admin, false, node_global_admin, NULL, NULL
};

/* The structural rules (a GDAP relationship's record) hear of no node: they run once every
 * batch is done, a single-source run only for the chain a finding shows. */
static bool watch_nothing(const ap_rule_ctx *c, uint32_t v)
{
    (void)c;
    (void)v;
    return false;
}

static void chain_only(ap_rule_ctx *c, ap_finding *f, const ap_authority *a, uint32_t v,
                       uint32_t e)
{
    ap_findings__path(c, f, a, v, e);
}

/* GDAP relationships of a partner with privileged roles that auto-extend, or that Graph still
 * calls active after their end date (live or not: the record itself is the finding). */
static int finish_gdap_stale(ap_rule_ctx *c)
{
    const ap_graph *g = c->g;
    for (uint32_t i = 0; i < c->npartners && c->rc == AP_OK; i++) {
        uint32_t p = c->partners[i];
        for (uint32_t e = ap_graph_out_begin(g, p); e < ap_graph_out_end(g, p); e++) {
            uint32_t v = ap_graph_edge(g, e)->to;
            const ap_node *nd = ap_graph_node(g, v);
            /* a flag byte first: every partner's every edge is asked, and a node's attributes
             * read with ap_graph_node_str stay parsed for the run */
            if (!ap_findings__node_is(c, v, "type", "gdap_relationship"))
                continue;
            const char *roles = ap_graph_node_str(g, v, "privileged_roles");
            const char *status = ap_graph_node_str(g, v, "gdap_status");
            bool extends = ap_graph_node_bool(g, v, "auto_extends", false);
            int64_t end;
            bool past = !extends && ap_graph_node_time(g, v, "end_date", &end) && end <= c->at
                        && status != NULL && strcmp(status, "active") == 0;
            char d[32];
            /* a status the export did not give (or "unknown") claims nothing: only what
             * Graph calls active is stale */
            if (!has_type(g, v, "gdap_relationship") || roles == NULL || (!extends && !past)
                || status == NULL || strcmp(status, "active") != 0)
                continue;
            ap_finding *f = ap_findings__add(c, p, false, v);
            ap_findings__fact(c, f, "privileged_roles", "%s", roles);
            if (extends)
                ap_findings__fact(c, f, "auto_extend", "%s",
                                  ap_graph_node_str(g, v, "auto_extend_duration"));
            if (past)
                ap_findings__date(c, f, "end_date", end);
            if (f == NULL)
                return c->rc;
            ap_findings__chain_later(c, f, p, v, AP_UNREACHED, false, chain_only);
            if (past) {
                ap_findings__date_text(d, sizeof d, end);
                ap_findings__message(c, f, "GDAP relationship %s of %s ended on %s but is "
                                     "still active, with privileged roles (%s).", nd->id,
                                     ap_graph_node_label(g, p), d, roles);
            } else {
                ap_findings__message(c, f, "GDAP relationship %s of %s extends itself "
                                     "automatically (%s) and holds privileged roles (%s): it "
                                     "never comes up for renewal.", nd->id,
                                     ap_graph_node_label(g, p),
                                     ap_graph_node_str(g, v, "auto_extend_duration"), roles);
            }
        }
    }
    return c->rc;
}

const ap_lanes_rule ap_lanes__gdap_stale = {
    "gdap-stale-privileged", watch_nothing, false, NULL, NULL, finish_gdap_stale
};

/* The privileged permissions app v holds over live member_of edges (consent: only those of
 * that consent type; NULL: any), joined into buf. */
static size_t privileged_perms(const ap_graph *g, uint32_t v, const char *consent, char *buf,
                               size_t size)
{
    size_t n = 0, used = 0;
    buf[0] = '\0';
    for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
        const ap_edge *ed = ap_graph_edge(g, e);
        const char *ct = ap_graph_edge_str(g, e, "consent_type");
        const char *name;
        if (ed->kind != AP_EDGE_MEMBER_OF || !ed->live
            || !ap_graph_node_bool(g, ed->to, "privileged", false)
            || (consent != NULL && (ct == NULL || strcmp(ct, consent) != 0)))
            continue;
        name = ap_graph_node_str(g, ed->to, "name");
        if (used < size)
            used += (size_t)snprintf(buf + used, size - used, "%s%s", n > 0 ? ", " : "",
                                     name != NULL ? name : ap_graph_node(g, ed->to)->id);
        n++;
    }
    return n;
}

typedef enum { ADMIN_CONSENT, UNVERIFIED } app_check;

static bool third_party(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__node_flag(c, v, "third_party", false);
}

static void say_app(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    bool consent = strcmp(c->rule->id, "admin-consent-third-party") == 0;
    const char *perms = ap_findings__fact_of(f, "permissions");
    char owners[600];
    if (perms == NULL)
        return;
    if (f->npartners == 1)
        snprintf(owners, sizeof owners, "%s", ap_graph_node_label(g, f->partner));
    else
        ap_findings__partner_list(c, f, owners, sizeof owners, 5);
    if (consent)
        ap_findings__message(c, f, "App %s of %s has tenant-wide admin consent (AllPrincipals) "
                             "to high-privilege scopes: %s.", ap_graph_node_label(g, f->subject),
                             owners, perms);
    else
        ap_findings__message(c, f, "Multi-tenant app %s of %s has no verified publisher and "
                             "holds privileged permissions: %s.",
                             ap_graph_node_label(g, f->subject), owners, perms);
}

/* Does app v raise the running rule (w): a third party's service principal holding
 * privileged permissions (ADMIN_CONSENT: by admin consent; UNVERIFIED: a multi-tenant app with
 * no verified publisher)? Into perms when it does. */
static bool app_raises(const ap_rule_ctx *c, uint32_t v, app_check w, char *perms, size_t size)
{
    const ap_graph *g = c->g;
    if (!third_party(c, v) || !has_type(g, v, "service_principal"))
        return false;
    if (w == UNVERIFIED && (!ap_graph_node_bool(g, v, "multi_tenant_app", false)
                            || ap_graph_node_str(g, v, "verified_publisher") != NULL))
        return false;
    return privileged_perms(g, v, w == ADMIN_CONSENT ? "AllPrincipals" : NULL, perms, size) > 0;
}

static bool watch_consent(const ap_rule_ctx *c, uint32_t v)
{
    char perms[1024];
    return app_raises(c, v, ADMIN_CONSENT, perms, sizeof perms);
}

static bool watch_unverified(const ap_rule_ctx *c, uint32_t v)
{
    char perms[1024];
    return app_raises(c, v, UNVERIFIED, perms, sizeof perms);
}

/* App x->v and the batch's partners that own it (ap_findings__owner_lanes): one finding per
 * app, every owner, its chain from the first in id order (held directly). */
static void third_party_app(ap_rule_ctx *c, const ap_lanes_at *x, app_check w)
{
    char perms[1024];
    ap_finding *f = ap_findings__owned(c, x);
    if (f == NULL || !app_raises(c, x->v, w, perms, sizeof perms))
        return;
    ap_findings__fact(c, f, "permissions", "%s", perms);
    if (w == ADMIN_CONSENT)
        ap_findings__fact(c, f, "consent_type", "AllPrincipals");
    else
        ap_findings__fact(c, f, "verified_publisher", "none");
    ap_findings__chain_then(c, f, f->partner, x->v, AP_UNREACHED, true, say_app);
}

static void node_consent(ap_rule_ctx *c, const ap_lanes_at *x)
{
    third_party_app(c, x, ADMIN_CONSENT);
}

static void node_unverified(ap_rule_ctx *c, const ap_lanes_at *x)
{
    third_party_app(c, x, UNVERIFIED);
}

const ap_lanes_rule ap_lanes__admin_consent = {
    "admin-consent-third-party", watch_consent, true, node_consent, NULL, NULL
};
const ap_lanes_rule ap_lanes__unverified_app = {
    "unverified-multi-tenant-app", watch_unverified, true, node_unverified, NULL, NULL
};

static void say_federated(ap_rule_ctx *c, ap_finding *f)
{
    const ap_graph *g = c->g;
    const char *subject = ap_graph_node_str(g, f->subject, "subject");
    char owners[600];
    if (f->npartners == 1)
        snprintf(owners, sizeof owners, "%s", ap_graph_node_label(g, f->partner));
    else
        ap_findings__partner_list(c, f, owners, sizeof owners, 5);
    ap_findings__message(c, f, "Federated credential %s accepts any subject matching '%s' from "
                         "%s: every workflow that matches gets the app's tokens.",
                         ap_graph_node(g, f->subject)->id, subject != NULL ? subject : "",
                         owners);
}

static bool watch_federated(const ap_rule_ctx *c, uint32_t v)
{
    return ap_findings__kind(c, v) == AP_KIND_CREDENTIAL
           && ap_findings__node_flag(c, v, "subject_wildcard", false);
}

/* A federated credential whose subject has a wildcard: any workflow of the repository (any
 * branch, any pull request) gets the app's tokens. One finding per credential, every partner
 * that owns it (ap_findings__owner_lanes), its chain from the first in id order. */
static void node_federated(ap_rule_ctx *c, const ap_lanes_at *x)
{
    const ap_graph *g = c->g;
    ap_finding *f = ap_findings__owned(c, x);
    if (f == NULL)
        return;
    const char *subject = ap_graph_node_str(g, x->v, "subject");
    const char *issuer = ap_graph_node_str(g, x->v, "issuer");
    ap_findings__fact(c, f, "subject", "%s", subject != NULL ? subject : "");
    ap_findings__fact(c, f, "issuer", "%s", issuer != NULL ? issuer : "");
    ap_findings__chain_then(c, f, f->partner, x->v, AP_UNREACHED, true, say_federated);
}

const ap_lanes_rule ap_lanes__federated_wildcard = {
    "federated-credential-wildcard", watch_federated, true, node_federated, NULL, NULL
};
