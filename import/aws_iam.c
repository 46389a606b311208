/* import/aws_iam.c: `aws iam get-account-authorization-details` in. Principals, groups and
 * policies become nodes, trust policies partner access, statements rights (docs/sources/aws-iam.md). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_internal.h"
#include "import_internal.h"

/* A node or edge in native shape, waiting to be staged; edges merge while they wait. */
typedef struct {
    json_t *obj;
    unsigned line, col;
    ap_rights rights;           /* access edges: the union of what their statements grant */
} item;

typedef struct {
    item *v;
    size_t n, cap;
    json_t *index;              /* node id, or edge key from|kind|to, -> position in v */
} items;

/* Where errors and provenance point: the element being read. */
typedef struct {
    unsigned line, col;
} aws_pos;

typedef struct {
    ap_import_ctx *ctx;
    ap_json_text t;
    aws_pos cur;
    items nodes, edges;
    json_t *home;               /* account id -> true: the accounts whose principals are here */
    json_t *roles;              /* role ARN -> {"name", "trust_root", "service"} */
    json_t *principals;         /* user, group and role ARNs -> "user" | "group" | "role" */
    json_t *by_name;            /* "ACCOUNT/role/NAME", "ACCOUNT/group/NAME" -> ARN */
    json_t *documents;          /* managed policy ARN -> its default version's document */
    int gate_iam, gate_sts;     /* the wildcard gates are needed */
    int nerr_before;
} aws;

static void locate_cur(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    const aws_pos *pos = vctx;
    (void)p;
    *line = pos->line;
    *col = pos->col;
}

static void at(aws *a, size_t pos)
{
    ap_json__line_col(&a->t, pos, &a->cur.line, &a->cur.col);
}

static int fail(aws *a, size_t pos, const char *fmt, const char *arg)
{
    ap_place p = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, NULL };
    if (pos != SIZE_MAX)
        at(a, pos);
    return ap_import__fail(a->ctx, &p, fmt, arg != NULL ? arg : "");
}

static void note(aws *a, const char *what)
{
    ap_import__note(a->ctx, a->cur.line, a->cur.col, what);
}

/* ---- Nodes and edges in waiting ---- */

static item *find_item(items *it, const char *key)
{
    json_t *i = json_object_get(it->index, key);
    return i != NULL ? &it->v[json_integer_value(i)] : NULL;
}

static item *new_item(aws *a, items *it, const char *key, json_t *obj)
{
    item *x;
    if (obj == NULL)
        return NULL;
    if (it->n == it->cap) {
        item *p = realloc(it->v, (it->cap = it->cap ? it->cap * 2 : 256) * sizeof *p);
        if (p == NULL) {
            json_decref(obj);
            return NULL;
        }
        it->v = p;
    }
    if (json_object_set_new(it->index, key, json_integer((json_int_t)it->n)) < 0) {
        json_decref(obj);
        return NULL;
    }
    x = &it->v[it->n++];
    x->obj = obj;
    x->line = a->cur.line;
    x->col = a->cur.col;
    x->rights = 0;
    return x;
}

/* The node with this id, made with kind, name and type when it is new. */
static json_t *node(aws *a, const char *id, ap_kind kind, const char *name, const char *type)
{
    item *x = find_item(&a->nodes, id);
    if (x != NULL)
        return x->obj;
    x = new_item(a, &a->nodes, id, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "kind",
                                             ap_kind_name(kind), "name", name, "type", type));
    return x != NULL ? x->obj : NULL;
}

/* Add s to the list attribute key of obj, once. */
static int add_to_list(json_t *obj, const char *key, const char *s)
{
    json_t *list = json_object_get(obj, key);
    if (list == NULL) {
        if (json_object_set_new(obj, key, json_array()) < 0)
            return AP_ENOMEM;
        list = json_object_get(obj, key);
    }
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_array_get(list, i)), s) == 0)
            return AP_OK;
    return json_array_append_new(list, json_string(s)) < 0 ? AP_ENOMEM : AP_OK;
}

/* The edge from -kind-> to (one per triple: later statements merge into it). */
static item *edge(aws *a, const char *from, const char *kind, const char *to)
{
    char *key;
    item *x;
    size_t len = strlen(from) + strlen(kind) + strlen(to) + 3;
    if ((key = malloc(len)) == NULL)
        return NULL;
    snprintf(key, len, "%s\x1f%s\x1f%s", from, kind, to);
    if ((x = find_item(&a->edges, key)) == NULL)
        x = new_item(a, &a->edges, key, json_pack("{s:s, s:s, s:s}", "from", from, "to", to,
                                                  "kind", kind));
    free(key);
    return x;
}

/* ---- ARNs ---- */

/* Field k (0-based) of an ARN "arn:partition:service:region:account:resource" into buf. */
static bool arn_field(const char *arn, int k, char *buf, size_t size)
{
    const char *p = arn;
    if (strncmp(arn, "arn:", 4) != 0)
        return false;
    for (int i = 0; i < k; i++) {
        if ((p = strchr(p, ':')) == NULL)
            return false;
        p++;
    }
    size_t n = k == 5 ? strlen(p) : (strchr(p, ':') != NULL ? (size_t)(strchr(p, ':') - p)
                                                            : strlen(p));
    snprintf(buf, size, "%.*s", (int)n, p);
    return true;
}

static bool is_account_id(const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0'; i++)
        if (!isdigit((unsigned char)s[i]))
            return false;
    return i == 12;
}

/* ---- Pass 1: who is here ---- */

static const char *str(const json_t *obj, const char *key)
{
    return json_string_value(json_object_get(obj, key));
}

/* The default version's document of a managed policy (NULL when it has none). */
static int default_document(aws *a, const json_t *pol, size_t pos, json_t **doc)
{
    const json_t *versions = json_object_get(pol, "PolicyVersionList");
    const char *dflt = str(pol, "DefaultVersionId");
    char why[200];
    *doc = NULL;
    for (size_t i = 0; i < json_array_size(versions); i++) {
        const json_t *v = json_array_get(versions, i);
        const char *vid = str(v, "VersionId");
        if (!json_is_true(json_object_get(v, "IsDefaultVersion"))
            && !(dflt != NULL && vid != NULL && strcmp(dflt, vid) == 0))
            continue;
        int rc = ap_aws__doc(doc, json_object_get(v, "Document"), why, sizeof why);
        if (rc == AP_EINPUT) {
            size_t vp = ap_json__find_index(&a->t, ap_json__find_key(&a->t, pos,
                                                                     "PolicyVersionList"), i);
            return fail(a, ap_json__find_key(&a->t, vp, "Document"), "%s", why);
        }
        return rc;
    }
    return AP_OK;
}

/* Index one principal list: ARNs, accounts, names. kind is "user", "group" or "role". */
static int index_list(aws *a, const json_t *list, const size_t *pos, const char *kind,
                      const char *name_key)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        const char *arn = str(e, "Arn"), *name = str(e, name_key);
        char acct[32], key[600];
        at(a, pos[i]);
        if (!json_is_object(e) || arn == NULL || name == NULL
            || !arn_field(arn, 4, acct, sizeof acct)) {
            fail(a, SIZE_MAX, "a %s needs an 'Arn' (arn:aws:iam::ACCOUNT:...) and a name",
                 kind);
            continue;
        }
        json_object_set_new(a->home, acct, json_true());
        json_object_set_new(a->principals, arn, json_string(kind));
        snprintf(key, sizeof key, "%s/%s/%s", acct, kind, name);
        json_object_set_new(a->by_name, key, json_string(arn));
        if (strcmp(kind, "role") == 0)
            json_object_set_new(a->roles, arn, json_pack("{s:s}", "name", name));
    }
    return AP_OK;
}

/* ---- Trust policies: who can assume each role ---- */

typedef struct {
    const char *role;           /* the role's ARN */
    const char *via;            /* the assume action the statement allows */
    json_t *cond;               /* the statement's Condition, or NULL */
    json_t *keys;               /* its condition keys, sorted */
    bool external_id, restricted;
} trust;

static void condition_keys(trust *tr)
{
    static const char *const restricting[] = {
        "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount",
        "aws:PrincipalArn", "aws:SourceAccount", "aws:SourceArn", "aws:userid",
    };
    const char *op, *key;
    json_t *inner, *v;
    tr->keys = json_array();
    json_object_foreach(tr->cond, op, inner) {
        json_object_foreach(inner, key, v) {
            size_t i = 0, n = json_array_size(tr->keys);
            while (i < n && strcasecmp(json_string_value(json_array_get(tr->keys, i)), key) < 0)
                i++;
            if (i == n || strcasecmp(json_string_value(json_array_get(tr->keys, i)), key) != 0)
                json_array_insert_new(tr->keys, i, json_string(key));
            if (strcasecmp(key, "sts:ExternalId") == 0)
                tr->external_id = true;
            for (size_t r = 0; r < sizeof restricting / sizeof restricting[0]; r++)
                if (strcasecmp(key, restricting[r]) == 0)
                    tr->restricted = true;
        }
    }
}

static int trust_edge(aws *a, const trust *tr, const char *from, const char *principal,
                      bool cross)
{
    item *x = edge(a, from, "can_assume", tr->role);
    if (x == NULL)
        return AP_ENOMEM;
    json_object_set_new(x->obj, "via", json_string(tr->via));
    json_object_set_new(x->obj, "trust", json_string("trust policy"));
    if (cross) {
        json_object_set_new(x->obj, "cross_account", json_true());
        json_object_set_new(x->obj, "external_id", json_boolean(tr->external_id));
    }
    if (json_array_size(tr->keys) > 0) {
        json_object_set(x->obj, "condition_keys", tr->keys);
        json_object_set(x->obj, "condition", tr->cond);
    }
    return principal != NULL ? add_to_list(x->obj, "principals", principal) : AP_OK;
}

static void role_attr(aws *a, const char *role, const char *key, json_t *v)
{
    item *x = find_item(&a->nodes, role);
    if (x != NULL)
        json_object_set_new(x->obj, key, v);
    else
        json_decref(v);
}

/* An external account: a partner named after its vendor when the list knows it. */
static int partner(aws *a, const char *acct, const char **id_out, char *idbuf, size_t size)
{
    const char *vendor = json_string_value(json_object_get(a->ctx->aws_vendors, acct));
    char name[300];
    json_t *n;
    snprintf(idbuf, size, "aws:%s", acct);
    if (vendor != NULL)
        snprintf(name, sizeof name, "%s", vendor);
    else
        snprintf(name, sizeof name, "AWS account %s", acct);
    if ((n = node(a, idbuf, AP_KIND_PARTNER, name, "aws_account")) == NULL)
        return AP_ENOMEM;
    json_object_set_new(n, "aws_account", json_string(acct));
    json_object_set_new(n, "known_vendor", json_boolean(vendor != NULL));
    *id_out = idbuf;
    return AP_OK;
}

static int trust_anyone(aws *a, const trust *tr)
{
    json_t *org = NULL;
    const char *op;
    json_t *inner;
    json_object_foreach(tr->cond, op, inner) {
        json_t *v = json_object_get(inner, "aws:PrincipalOrgID");
        if (v != NULL && strncasecmp(op, "StringEquals", 12) == 0)
            org = v;
    }
    json_object_set_new(json_object_get(a->roles, tr->role), "trust_root", json_true());
    if (org != NULL) {
        json_t *orgs;
        if (ap_aws__list(&orgs, org, JSON_STRING) < 0)
            return AP_OK;
        for (size_t i = 0; i < json_array_size(orgs); i++) {
            const char *o = json_string_value(json_array_get(orgs, i));
            char id[200], name[220];
            snprintf(id, sizeof id, "aws:org:%s", o);
            snprintf(name, sizeof name, "AWS organization %s", o);
            if (node(a, id, AP_KIND_PARTNER, name, "aws_organization") == NULL
                || trust_edge(a, tr, id, "*", true) < 0) {
                json_decref(orgs);
                return AP_ENOMEM;
            }
        }
        json_decref(orgs);
        role_attr(a, tr->role, "trust_organization", json_true());
        return AP_OK;
    }
    if (node(a, "aws:*", AP_KIND_PARTNER, "Any AWS principal", "aws_anyone") == NULL)
        return AP_ENOMEM;
    if (!tr->restricted)
        role_attr(a, tr->role, "trust_anyone", json_true());
    return trust_edge(a, tr, "aws:*", "*", true);
}

/* A deleted principal shows in a trust policy as its unique id: AROA..., AIDA... */
static bool is_unique_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 16 || s[0] != 'A')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
            return false;
    return true;
}

static int trust_aws(aws *a, const trust *tr, const char *p)
{
    char acct[32] = "", res[512] = "", id[64], key[700];
    const char *from = NULL, *arn;
    if (strcmp(p, "*") == 0)
        return trust_anyone(a, tr);
    if (is_account_id(p)) {
        snprintf(acct, sizeof acct, "%s", p);
        snprintf(res, sizeof res, "root");
    } else if (!arn_field(p, 4, acct, sizeof acct) || !arn_field(p, 5, res, sizeof res)) {
        note(a, is_unique_id(p) ? "trust names a deleted principal by its unique id (skipped)"
                                : "trust names an unrecognised principal (skipped)");
        return AP_OK;
    }
    if (json_object_get(a->home, acct) == NULL) {
        int rc = partner(a, acct, &from, id, sizeof id);
        return rc < 0 ? rc : trust_edge(a, tr, from, p, true);
    }
    if (strcmp(res, "root") == 0) {            /* any principal of the account it allows */
        json_object_set_new(json_object_get(a->roles, tr->role), "trust_root", json_true());
        return AP_OK;
    }
    if (strncmp(res, "assumed-role/", 13) == 0) {
        const char *slash = strchr(res + 13, '/');
        snprintf(key, sizeof key, "%s/role/%.*s", acct,
                 (int)(slash != NULL ? (size_t)(slash - res - 13) : strlen(res + 13)), res + 13);
        arn = json_string_value(json_object_get(a->by_name, key));
    } else {
        arn = json_object_get(a->principals, p) != NULL ? p : NULL;
    }
    if (arn == NULL) {
        note(a, "trust names a principal of this account that is not in the file (skipped)");
        return AP_OK;
    }
    return trust_edge(a, tr, arn, strcmp(arn, p) != 0 ? p : NULL, false);
}

static int trust_other(aws *a, const trust *tr, const json_t *principal, const char *key)
{
    json_t *list;
    int rc = AP_OK;
    if (ap_aws__list(&list, json_object_get(principal, key), JSON_STRING) < 0)
        return fail(a, SIZE_MAX, "'Principal.%s' must be a string or a list of strings", key);
    for (size_t i = 0; rc == AP_OK && i < json_array_size(list); i++) {
        const char *p = json_string_value(json_array_get(list, i));
        char id[600];
        const char *slash = strrchr(p, '/');
        if (strcmp(key, "AWS") == 0) {
            rc = trust_aws(a, tr, p);
        } else if (strcmp(key, "Service") == 0) {
            snprintf(id, sizeof id, "aws:service:%s", p);
            json_object_set_new(json_object_get(a->roles, tr->role), "service", json_true());
            rc = node(a, id, AP_KIND_IDENTITY, p, "aws_service") == NULL ? AP_ENOMEM
                 : trust_edge(a, tr, id, NULL, false);
        } else if (strcmp(key, "Federated") == 0) {
            rc = node(a, p, AP_KIND_IDENTITY, slash != NULL ? slash + 1 : p,
                      strstr(p, "saml-provider/") != NULL ? "aws_saml_provider"
                      : "aws_federated") == NULL ? AP_ENOMEM
                 : trust_edge(a, tr, p, NULL, false);
        } else {
            note(a, "trust to a CanonicalUser principal is not supported (skipped)");
        }
    }
    json_decref(list);
    return rc;
}

/* The assume action a statement allows (NULL when it allows none). */
static const char *assume_action(const json_t *actions)
{
    static const char *const assume[] = { "sts:AssumeRole", "sts:AssumeRoleWithSAML",
                                          "sts:AssumeRoleWithWebIdentity" };
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < json_array_size(actions); i++)
            if (ap_aws__glob(json_string_value(json_array_get(actions, i)), assume[k], true))
                return assume[k];
    return NULL;
}

/* The statements of a document as a list, each checked to be an object with an Effect. */
static int statements(aws *a, const json_t *doc, size_t pos, json_t **out)
{
    if (ap_aws__list(out, json_object_get(doc, "Statement"), JSON_OBJECT) < 0)
        return fail(a, pos, "'Statement' must be an object or a list of objects%s", NULL);
    if (json_array_size(*out) == 0)
        note(a, "policy document without statements");
    return AP_OK;
}

/* The position of statement i of the document at doc_pos (the document's own position when
 * it came as text). */
static size_t statement_pos(aws *a, size_t doc_pos, size_t i)
{
    size_t s = ap_json__find_key(&a->t, doc_pos, "Statement"), e;
    if (s == SIZE_MAX)
        return doc_pos;
    e = ap_json__find_index(&a->t, s, i);
    return e != SIZE_MAX ? e : s;
}

static int effect(aws *a, const json_t *st, bool *allow)
{
    const char *eff = str(st, "Effect");
    if (eff == NULL || (strcmp(eff, "Allow") != 0 && strcmp(eff, "Deny") != 0))
        return fail(a, SIZE_MAX, "a statement's 'Effect' must be \"Allow\" or \"Deny\"%s",
                    NULL);
    *allow = strcmp(eff, "Allow") == 0;
    return AP_OK;
}

static int read_trust(aws *a, const char *role, const json_t *docv, size_t doc_pos)
{
    json_t *doc = NULL, *sts = NULL;
    char why[200];
    int rc;
    if (docv == NULL || json_is_null(docv))
        return AP_OK;
    at(a, doc_pos);
    if ((rc = ap_aws__doc(&doc, docv, why, sizeof why)) < 0)
        return rc == AP_EINPUT ? fail(a, SIZE_MAX, "%s", why) : rc;
    if ((rc = statements(a, doc, doc_pos, &sts)) < 0)
        goto cleanup;
    for (size_t i = 0; rc >= 0 && i < json_array_size(sts); i++) {
        const json_t *st = json_array_get(sts, i), *pr = json_object_get(st, "Principal");
        json_t *actions = NULL;
        trust tr = { role, NULL, NULL, NULL, false, false };
        bool allow = false;
        if (json_is_string(docv))
            at(a, doc_pos);
        else
            at(a, statement_pos(a, doc_pos, i));
        if (effect(a, st, &allow) < 0)
            continue;
        if (!allow) {
            note(a, "Deny statement in a trust policy not applied (who may assume is an "
                 "over-approximation)");
            continue;
        }
        if (json_object_get(st, "NotPrincipal") != NULL) {
            note(a, "NotPrincipal in a trust policy is not supported (statement skipped)");
            continue;
        }
        if (json_object_get(st, "NotAction") != NULL) {
            note(a, "NotAction in a trust policy treated as every action");
            actions = json_pack("[s]", "*");
        } else if (ap_aws__list(&actions, json_object_get(st, "Action"), JSON_STRING) < 0) {
            fail(a, SIZE_MAX, "'Action' must be a string or a list of strings%s", NULL);
            continue;
        }
        tr.via = assume_action(actions);
        json_decref(actions);
        if (tr.via == NULL)
            continue;                       /* sts:TagSession and the like alone */
        tr.cond = json_is_object(json_object_get(st, "Condition"))
                  ? json_object_get(st, "Condition") : NULL;
        condition_keys(&tr);
        if (json_is_string(pr) && strcmp(json_string_value(pr), "*") == 0) {
            rc = trust_anyone(a, &tr);
        } else if (json_is_object(pr)) {
            const char *key;
            json_t *v;
            json_object_foreach((json_t *)pr, key, v)
                if ((rc = trust_other(a, &tr, pr, key)) < 0 && rc != AP_EINPUT)
                    break;
            if (rc == AP_EINPUT)
                rc = AP_OK;
        } else {
            fail(a, SIZE_MAX, "a trust statement's 'Principal' must be \"*\" or an object%s",
                 NULL);
        }
        json_decref(tr.keys);
    }
cleanup:
    json_decref(sts);
    json_decref(doc);
    return rc;
}

/* ---- Identity policies: what each holder can do ---- */

typedef struct {
    const char *holder;         /* a principal, or a managed policy's ARN */
    const char *policy;         /* the policy's name, for evidence */
    json_t *keys;               /* condition keys of the statement */
} grant;

static int evidence(item *x, const grant *g, const char *action)
{
    int rc = action != NULL ? add_to_list(x->obj, "actions", action) : AP_OK;
    if (rc == AP_OK && g->policy != NULL)
        rc = add_to_list(x->obj, "policies", g->policy);
    for (size_t i = 0; rc == AP_OK && i < json_array_size(g->keys); i++)
        rc = add_to_list(x->obj, "condition_keys",
                         json_string_value(json_array_get(g->keys, i)));
    return rc;
}

/* The resource node a pattern names for actions of service svc. IAM ARNs (users, roles,
 * policies...) get an id of their own, aws:iam:ARN, so the node never is the principal itself. */
static int resource(aws *a, const char *svc, const char *pattern, const char **id_out,
                    char *buf, size_t size)
{
    json_t *n;
    char name[700], field[64];
    if (strcmp(pattern, "*") == 0) {
        snprintf(buf, size, "aws:%s:*", svc);
        if (strcmp(svc, "*") == 0)
            snprintf(name, sizeof name, "every resource of every service");
        else
            snprintf(name, sizeof name, "every %s resource", svc);
    } else {
        if (arn_field(pattern, 2, field, sizeof field) && strcmp(field, "iam") == 0)
            snprintf(buf, size, "aws:iam:%s", pattern);
        else
            snprintf(buf, size, "%s", pattern);
        snprintf(name, sizeof name, "%s", pattern);
    }
    if ((n = node(a, buf, AP_KIND_RESOURCE, name, "aws_resource")) == NULL)
        return AP_ENOMEM;
    json_object_set_new(n, "service", json_string(svc));
    if (strchr(pattern, '*') != NULL || strchr(pattern, '?') != NULL)
        json_object_set_new(n, "wildcard", json_true());
    if (strcmp(pattern, "*") == 0 && (strcmp(svc, "*") == 0 || strcmp(svc, "iam") == 0))
        json_object_set_new(n, "sensitivity", json_string("critical"));
    *id_out = buf;
    return AP_OK;
}

static int access(aws *a, const grant *g, const char *svc, const char *pattern,
                  const char *action, ap_rights rights)
{
    char buf[800];
    const char *id;
    item *x;
    int rc;
    if ((rc = resource(a, svc, pattern, &id, buf, sizeof buf)) < 0)
        return rc;
    if ((x = edge(a, g->holder, "access", id)) == NULL)
        return AP_ENOMEM;
    x->rights |= rights;
    return evidence(x, g, action);
}

static bool covers(const char *pattern, const char *action)
{
    return ap_aws__glob(pattern, action, true);
}

/* IAM actions that take over principals matched by a specific resource pattern. */
static int takeover(aws *a, const grant *g, const char *action, const char *pattern)
{
    static const struct { const char *kind, *action, *edge; } rules[] = {
        { "user", "iam:CreateAccessKey", "can_mint" },
        { "user", "iam:CreateLoginProfile", "can_mint" },
        { "user", "iam:UpdateLoginProfile", "can_mint" },
        { "user", "iam:PutUserPolicy", "admin_of" }, { "user", "iam:AttachUserPolicy", "admin_of" },
        { "role", "iam:PutRolePolicy", "admin_of" }, { "role", "iam:AttachRolePolicy", "admin_of" },
        { "role", "iam:UpdateAssumeRolePolicy", "admin_of" },
        { "role", "iam:PassRole", "can_assume" },
        { "group", "iam:PutGroupPolicy", "admin_of" },
        { "group", "iam:AttachGroupPolicy", "admin_of" },
        { "group", "iam:AddUserToGroup", "admin_of" },
    };
    const char *arn;
    json_t *kind;
    json_object_foreach(a->principals, arn, kind) {
        if (!ap_aws__glob(pattern, arn, false) || strcmp(g->holder, arn) == 0)
            continue;
        for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
            item *x;
            if (strcmp(json_string_value(kind), rules[r].kind) != 0
                || !covers(action, rules[r].action))
                continue;
            if (strcmp(rules[r].edge, "can_assume") == 0   /* PassRole: to a service role */
                && !json_is_true(json_object_get(json_object_get(a->roles, arn), "service")))
                continue;
            if ((x = edge(a, g->holder, rules[r].edge, arn)) == NULL)
                return AP_ENOMEM;
            if (strcmp(rules[r].edge, "admin_of") == 0)
                json_object_set_new(x->obj, "escalates", json_true());
            json_object_set_new(x->obj, "escalation", json_true());
            if (evidence(x, g, rules[r].action) < 0)
                return AP_ENOMEM;
        }
    }
    return AP_OK;
}

/* sts:AssumeRole on a pattern: every role here it matches whose trust lets this account in. */
static int assume(aws *a, const grant *g, const char *action, const char *pattern)
{
    const char *arn;
    json_t *role;
    int matched = 0;
    json_object_foreach(a->roles, arn, role) {
        item *x;
        if (!ap_aws__glob(pattern, arn, false))
            continue;
        matched = 1;
        if (!json_is_true(json_object_get(role, "trust_root")) || strcmp(g->holder, arn) == 0)
            continue;
        if ((x = edge(a, g->holder, "can_assume", arn)) == NULL)
            return AP_ENOMEM;
        json_object_set_new(x->obj, "via", json_string("sts:AssumeRole"));
        if (evidence(x, g, action) < 0)
            return AP_ENOMEM;
    }
    return matched ? AP_OK : access(a, g, "sts", pattern, action,
                                    (ap_rights)1 << AP_R_EXECUTE);
}

static bool any_takeover(const char *action)
{
    for (size_t i = 0; ap_aws__takeover[i] != NULL; i++)
        if (covers(action, ap_aws__takeover[i]))
            return true;
    return false;
}

static int action_on(aws *a, const grant *g, const char *action, const char *pattern)
{
    char svc[64], arn_svc[64];
    bool wild = strchr(action, '*') != NULL || strchr(action, '?') != NULL;
    ap_rights rights = ap_aws__action_rights(action);
    int rc;
    ap_aws__service(action, svc, sizeof svc);
    if (covers(action, "sts:AssumeRole")) {
        if (strcmp(pattern, "*") == 0) {
            a->gate_sts = 1;
            if ((rc = access(a, g, "sts", "*", action, (ap_rights)1 << AP_R_EXECUTE)) < 0)
                return rc;
        } else if ((rc = assume(a, g, action, pattern)) < 0) {
            return rc;
        }
        if (!wild)
            return AP_OK;
    }
    if (any_takeover(action)) {
        rights |= (ap_rights)1 << AP_R_ADMIN;
        if (strcmp(pattern, "*") == 0) {
            a->gate_iam = 1;
            if ((rc = access(a, g, "iam", "*", action, rights)) < 0)
                return rc;
            if (strcmp(svc, "iam") == 0)
                return AP_OK;
        } else if ((rc = takeover(a, g, action, pattern)) < 0) {
            return rc;
        }
    }
    if (strcmp(pattern, "*") != 0 && arn_field(pattern, 2, arn_svc, sizeof arn_svc)
        && strchr(arn_svc, '*') == NULL && strcmp(svc, "*") != 0
        && strcasecmp(svc, arn_svc) != 0)
        return AP_OK;           /* the action does not apply to this service's resources */
    if (strcmp(pattern, "*") != 0 && strcmp(svc, "*") == 0)
        arn_field(pattern, 2, svc, sizeof svc);
    return access(a, g, svc[0] != '\0' ? svc : "*", pattern, action, rights);
}

static int read_policy(aws *a, const char *holder, const char *policy, const json_t *docv,
                       size_t doc_pos)
{
    json_t *doc = NULL, *sts = NULL;
    char why[200];
    int rc;
    at(a, doc_pos);
    if ((rc = ap_aws__doc(&doc, docv, why, sizeof why)) < 0)
        return rc == AP_EINPUT ? fail(a, SIZE_MAX, "%s", why) : rc;
    if ((rc = statements(a, doc, doc_pos, &sts)) < 0)
        goto cleanup;
    for (size_t i = 0; rc >= 0 && i < json_array_size(sts); i++) {
        const json_t *st = json_array_get(sts, i);
        json_t *actions = NULL, *resources = NULL;
        grant g = { holder, policy, NULL };
        trust keys = { NULL, NULL, NULL, NULL, false, false };
        bool allow = false;
        at(a, json_is_string(docv) ? doc_pos : statement_pos(a, doc_pos, i));
        if (effect(a, st, &allow) < 0)
            continue;
        if (json_object_get(st, "NotAction") != NULL) {
            note(a, allow ? "Allow with NotAction treated as every action (an over-approximation)"
                          : "Deny statement not applied (authority is an over-approximation)");
            actions = json_pack("[s]", "*");
        } else if (ap_aws__list(&actions, json_object_get(st, "Action"), JSON_STRING) < 0
                   || json_array_size(actions) == 0) {
            fail(a, SIZE_MAX, "a statement needs 'Action': a string or a list of strings%s",
                 NULL);
            json_decref(actions);
            continue;
        }
        if (!allow) {
            item *h = find_item(&a->nodes, holder);
            if (json_object_get(st, "NotAction") == NULL)
                note(a, "Deny statement not applied (authority is an over-approximation)");
            for (size_t k = 0; h != NULL && k < json_array_size(actions); k++)
                add_to_list(h->obj, "deny_actions",
                            json_string_value(json_array_get(actions, k)));
            json_decref(actions);
            continue;
        }
        if (json_object_get(st, "NotResource") != NULL) {
            note(a, "Allow with NotResource treated as every resource (an over-approximation)");
            resources = json_pack("[s]", "*");
        } else if (ap_aws__list(&resources, json_object_get(st, "Resource"), JSON_STRING) < 0
                   || json_array_size(resources) == 0) {
            fail(a, SIZE_MAX, "a statement needs 'Resource': a string or a list of strings%s",
                 NULL);
            json_decref(actions);
            json_decref(resources);
            continue;
        }
        keys.cond = json_is_object(json_object_get(st, "Condition"))
                    ? json_object_get(st, "Condition") : NULL;
        condition_keys(&keys);
        g.keys = keys.keys;
        for (size_t x = 0; rc >= 0 && x < json_array_size(actions); x++)
            for (size_t r = 0; rc >= 0 && r < json_array_size(resources); r++)
                rc = action_on(a, &g, json_string_value(json_array_get(actions, x)),
                               json_string_value(json_array_get(resources, r)));
        json_decref(keys.keys);
        json_decref(actions);
        json_decref(resources);
    }
cleanup:
    json_decref(sts);
    json_decref(doc);
    return rc;
}

/* ---- Pass 2: one principal at a time ---- */

static int attachments(aws *a, const char *holder, const json_t *e, size_t pos)
{
    json_t *list;
    int rc = AP_OK;
    if (ap_aws__list(&list, json_object_get(e, "AttachedManagedPolicies"), JSON_OBJECT) < 0)
        return fail(a, ap_json__find_key(&a->t, pos, "AttachedManagedPolicies"),
                    "'AttachedManagedPolicies' must be an object or a list of objects%s", NULL);
    for (size_t i = 0; rc == AP_OK && i < json_array_size(list); i++) {
        const json_t *p = json_array_get(list, i);
        const char *arn = str(p, "PolicyArn"), *name = str(p, "PolicyName");
        json_t *n;
        item *x;
        if (arn == NULL) {
            fail(a, pos, "an attached policy needs a 'PolicyArn'%s", NULL);
            continue;
        }
        if (find_item(&a->nodes, arn) == NULL) {
            note(a, "attached managed policy without a document in the file (what it grants "
                 "is unknown)");
            if ((n = node(a, arn, AP_KIND_ROLE, name != NULL ? name : arn,
                          "aws_managed_policy")) == NULL)
                return AP_ENOMEM;
            json_object_set_new(n, "unresolved", json_true());
        }
        if ((x = edge(a, holder, "member_of", arn)) == NULL)
            rc = AP_ENOMEM;
        else
            json_object_set_new(x->obj, "via", json_string("attached policy"));
    }
    json_decref(list);
    return rc;
}

static int inline_policies(aws *a, const char *holder, const json_t *e, size_t pos,
                           const char *key)
{
    const json_t *list = json_object_get(e, key);
    size_t lpos = ap_json__find_key(&a->t, pos, key);
    int rc = AP_OK;
    if (list != NULL && !json_is_array(list))
        return fail(a, lpos, "'%s' must be a list", key);
    for (size_t i = 0; rc >= 0 && i < json_array_size(list); i++) {
        const json_t *p = json_array_get(list, i);
        size_t ppos = ap_json__find_index(&a->t, lpos, i);
        if (!json_is_object(p) || json_object_get(p, "PolicyDocument") == NULL) {
            fail(a, ppos, "an inline policy needs a 'PolicyDocument'%s", NULL);
            continue;
        }
        rc = read_policy(a, holder, str(p, "PolicyName"), json_object_get(p, "PolicyDocument"),
                         ap_json__find_key(&a->t, ppos, "PolicyDocument"));
    }
    return rc == AP_EINPUT ? AP_OK : rc;
}

static void common_attrs(json_t *n, const json_t *e, const char *acct)
{
    static const char *const keys[][2] = {
        { "Path", "aws_path" }, { "CreateDate", "created" }, { "UserId", "aws_id" },
        { "RoleId", "aws_id" }, { "GroupId", "aws_id" }, { "PolicyId", "aws_id" },
        { "Description", "purpose" },
    };
    json_object_set_new(n, "aws_account", json_string(acct));
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
        if (json_is_string(json_object_get(e, keys[i][0])))
            json_object_set(n, keys[i][1], json_object_get(e, keys[i][0]));
    if (json_is_object(json_object_get(e, "PermissionsBoundary")))
        json_object_set(n, "permissions_boundary",
                        json_object_get(json_object_get(e, "PermissionsBoundary"),
                                        "PermissionsBoundaryArn"));
}

/* Access keys, where a collector merged them into the user (AccessKeyMetadata). */
static int access_keys(aws *a, const char *user, const json_t *e)
{
    const json_t *keys = json_object_get(e, "AccessKeyMetadata");
    for (size_t i = 0; i < json_array_size(keys); i++) {
        const json_t *k = json_array_get(keys, i);
        const char *kid = str(k, "AccessKeyId"), *status = str(k, "Status");
        char id[200];
        json_t *n;
        item *x;
        if (kid == NULL)
            continue;
        snprintf(id, sizeof id, "aws:access-key:%s", kid);
        if ((n = node(a, id, AP_KIND_CREDENTIAL, kid, "aws_access_key")) == NULL
            || (x = edge(a, id, "authenticates_as", user)) == NULL)
            return AP_ENOMEM;
        json_object_set_new(n, "static", json_true());
        if (json_is_string(json_object_get(k, "CreateDate")))
            json_object_set(n, "valid_from", json_object_get(k, "CreateDate"));
        if (status != NULL && strcmp(status, "Inactive") == 0)
            json_object_set_new(n, "state", json_string("suspended"));
    }
    return AP_OK;
}

static void boundary_note(aws *a, const json_t *e)
{
    if (json_is_object(json_object_get(e, "PermissionsBoundary")))
        note(a, "permissions boundary not applied (authority is an over-approximation)");
}

static int read_user(aws *a, const json_t *e, size_t pos, bool nodes_only)
{
    const char *arn = str(e, "Arn");
    char acct[32], key[600];
    json_t *n, *groups;
    int rc;
    if (arn == NULL || !arn_field(arn, 4, acct, sizeof acct) || str(e, "UserName") == NULL)
        return AP_OK;                           /* reported in pass 1 */
    at(a, pos);
    if ((n = node(a, arn, AP_KIND_IDENTITY, str(e, "UserName"), "aws_iam_user")) == NULL)
        return AP_ENOMEM;
    common_attrs(n, e, acct);
    if (nodes_only)
        return AP_OK;
    boundary_note(a, e);
    if (ap_aws__list(&groups, json_object_get(e, "GroupList"), JSON_STRING) < 0)
        return fail(a, ap_json__find_key(&a->t, pos, "GroupList"),
                    "'GroupList' must be a list of group names%s", NULL);
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const char *g;
        snprintf(key, sizeof key, "%s/group/%s", acct,
                 json_string_value(json_array_get(groups, i)));
        if ((g = json_string_value(json_object_get(a->by_name, key))) == NULL) {
            note(a, "user in a group that is not in the file (membership skipped)");
            continue;
        }
        if (edge(a, arn, "member_of", g) == NULL) {
            json_decref(groups);
            return AP_ENOMEM;
        }
    }
    json_decref(groups);
    if ((rc = access_keys(a, arn, e)) < 0 || (rc = attachments(a, arn, e, pos)) < 0)
        return rc;
    return inline_policies(a, arn, e, pos, "UserPolicyList");
}

static int read_group(aws *a, const json_t *e, size_t pos, bool nodes_only)
{
    const char *arn = str(e, "Arn");
    char acct[32];
    json_t *n;
    int rc;
    if (arn == NULL || !arn_field(arn, 4, acct, sizeof acct) || str(e, "GroupName") == NULL)
        return AP_OK;
    at(a, pos);
    if ((n = node(a, arn, AP_KIND_ROLE, str(e, "GroupName"), "aws_iam_group")) == NULL)
        return AP_ENOMEM;
    common_attrs(n, e, acct);
    if (nodes_only)
        return AP_OK;
    if ((rc = attachments(a, arn, e, pos)) < 0)
        return rc;
    return inline_policies(a, arn, e, pos, "GroupPolicyList");
}

static int read_role_node(aws *a, const json_t *e, size_t pos)
{
    const char *arn = str(e, "Arn");
    const json_t *used = json_object_get(json_object_get(e, "RoleLastUsed"), "LastUsedDate");
    char acct[32];
    json_t *n;
    if (arn == NULL || !arn_field(arn, 4, acct, sizeof acct) || str(e, "RoleName") == NULL)
        return AP_OK;
    at(a, pos);
    if ((n = node(a, arn, AP_KIND_IDENTITY, str(e, "RoleName"), "aws_iam_role")) == NULL)
        return AP_ENOMEM;
    common_attrs(n, e, acct);
    if (json_is_string(used))
        json_object_set(n, "last_used", (json_t *)used);
    return AP_OK;
}

static int read_role(aws *a, const json_t *e, size_t pos)
{
    const char *arn = str(e, "Arn");
    const json_t *profiles = json_object_get(e, "InstanceProfileList");
    int rc;
    if (arn == NULL || find_item(&a->nodes, arn) == NULL)
        return AP_OK;
    at(a, pos);
    boundary_note(a, e);
    for (size_t i = 0; i < json_array_size(profiles); i++) {
        const json_t *p = json_array_get(profiles, i);
        const char *parn = str(p, "Arn");
        json_t *n;
        if (parn == NULL)
            continue;
        if ((n = node(a, parn, AP_KIND_CREDENTIAL, str(p, "InstanceProfileName") != NULL
                      ? str(p, "InstanceProfileName") : parn, "aws_instance_profile")) == NULL
            || edge(a, parn, "authenticates_as", arn) == NULL)
            return AP_ENOMEM;
    }
    if ((rc = attachments(a, arn, e, pos)) < 0)
        return rc;
    return inline_policies(a, arn, e, pos, "RolePolicyList");
}

/* The gates: write-admin on every IAM resource takes over every principal; sts:AssumeRole on
 * every resource reaches every role whose trust lets this account in. */
static int gates(aws *a)
{
    const char *arn;
    json_t *v;
    if (a->gate_iam)
        json_object_foreach(a->principals, arn, v) {
            item *x = edge(a, "aws:iam:*", "admin_of", arn);
            if (x == NULL)
                return AP_ENOMEM;
            json_object_set_new(x->obj, "requires", json_pack("[s]", "admin"));
            json_object_set_new(x->obj, "escalates", json_true());
            json_object_set_new(x->obj, "escalation", json_true());
            json_object_set_new(x->obj, "via", json_string("IAM write actions on every "
                                                           "resource"));
        }
    if (a->gate_sts)
        json_object_foreach(a->roles, arn, v) {
            item *x;
            if (!json_is_true(json_object_get(v, "trust_root")))
                continue;
            if ((x = edge(a, "aws:sts:*", "can_assume", arn)) == NULL)
                return AP_ENOMEM;
            json_object_set_new(x->obj, "requires", json_pack("[s]", "execute"));
            json_object_set_new(x->obj, "via", json_string("sts:AssumeRole on every role"));
        }
    return AP_OK;
}

static int stage(aws *a, ap_error *err)
{
    const ap_vocab *v = ap_store_vocab(a->ctx->st);
    int rc;
    for (size_t i = 0; i < a->nodes.n; i++) {
        a->cur = (aws_pos){ a->nodes.v[i].line, a->nodes.v[i].col };
        if ((rc = ap_import__native_node(a->ctx, i, a->nodes.v[i].obj, err)) < 0
            && rc != AP_EINPUT)
            return rc;
    }
    for (size_t i = 0; i < a->edges.n; i++) {
        item *x = &a->edges.v[i];
        if (strcmp(json_string_value(json_object_get(x->obj, "kind")), "access") == 0) {
            json_t *names = json_array();
            for (unsigned b = 0; names != NULL && b < v->count; b++)
                if (x->rights & ((ap_rights)1 << b))
                    json_array_append_new(names, json_string(v->names[b]));
            if (names == NULL || json_object_set_new(x->obj, "rights", names) < 0)
                return ap_error_nomem(err);
        }
        a->cur = (aws_pos){ x->line, x->col };
        if ((rc = ap_import__native_edge(a->ctx, i, x->obj, err)) < 0 && rc != AP_EINPUT)
            return rc;
    }
    return AP_OK;
}

static void free_items(items *it)
{
    for (size_t i = 0; i < it->n; i++)
        json_decref(it->v[i].obj);
    free(it->v);
    json_decref(it->index);
}

static const char *const lists[] = { "UserDetailList", "GroupDetailList", "RoleDetailList",
                                     "Policies" };

int ap_import__aws_iam(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    aws a;
    json_error_t je;
    json_t *doc;
    const json_t *l[4];
    size_t *pos[4] = { NULL, NULL, NULL, NULL }, npos[4] = { 0, 0, 0, 0 }, top;
    int rc = AP_OK, found = 0;
    if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return ap_error_at(err, AP_EINPUT, ctx->path, (unsigned)(je.line > 0 ? je.line : 1),
                           (unsigned)(je.column > 0 ? je.column : 1), "invalid JSON: %s",
                           je.text);
    if (ctx->aws_vendors == NULL && ctx->opts->aws_accounts != NULL
        && (rc = ap_import__aws_vendors(&ctx->aws_vendors, ctx->opts->aws_accounts, err)) < 0) {
        json_decref(doc);
        return rc;
    }
    memset(&a, 0, sizeof a);
    a.ctx = ctx;
    a.nodes.index = json_object();
    a.edges.index = json_object();
    a.home = json_object();
    a.roles = json_object();
    a.principals = json_object();
    a.by_name = json_object();
    a.documents = json_object();
    ctx->locate = locate_cur;
    ctx->locate_ctx = &a.cur;
    if (ap_json__text_init(&a.t, text, len) < 0 || a.nodes.index == NULL
        || a.edges.index == NULL || a.home == NULL || a.roles == NULL || a.principals == NULL
        || a.by_name == NULL || a.documents == NULL) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    top = ap_json__skip_ws(&a.t, 0);
    at(&a, top);
    for (int i = 0; i < 4; i++) {
        l[i] = json_is_object(doc) ? json_object_get(doc, lists[i]) : NULL;
        if (l[i] != NULL && !json_is_array(l[i])) {
            rc = fail(&a, ap_json__find_key(&a.t, top, lists[i]), "'%s' must be a list",
                      lists[i]);
            goto cleanup;
        }
        found |= l[i] != NULL;
        if (ap_json__elements(&a.t, ap_json__find_key(&a.t, top, lists[i]), &pos[i],
                              &npos[i]) < 0 || npos[i] < json_array_size(l[i])) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
    }
    if (!found) {
        rc = fail(&a, top, "not the output of aws iam get-account-authorization-details "
                  "(expected UserDetailList, GroupDetailList, RoleDetailList or Policies)%s",
                  NULL);
        goto cleanup;
    }
    if (json_is_true(json_object_get(doc, "IsTruncated"))) {
        at(&a, ap_json__find_key(&a.t, top, "IsTruncated"));
        note(&a, "the output is one page of several (IsTruncated): export every page, e.g. "
             "without --max-items");
    }
    /* pass 1: who is here, and the managed policies' documents */
    index_list(&a, l[0], pos[0], "user", "UserName");
    index_list(&a, l[1], pos[1], "group", "GroupName");
    index_list(&a, l[2], pos[2], "role", "RoleName");
    for (size_t i = 0; i < json_array_size(l[3]); i++) {
        const json_t *p = json_array_get(l[3], i);
        const char *arn = str(p, "Arn");
        char acct[32];
        json_t *n;
        at(&a, pos[3][i]);
        if (!json_is_object(p) || arn == NULL || str(p, "PolicyName") == NULL) {
            fail(&a, SIZE_MAX, "a policy needs an 'Arn' and a 'PolicyName'%s", NULL);
            continue;
        }
        if ((n = node(&a, arn, AP_KIND_ROLE, str(p, "PolicyName"), "aws_managed_policy"))
            == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        if (arn_field(arn, 4, acct, sizeof acct) && strcmp(acct, "aws") == 0)
            json_object_set_new(n, "aws_managed", json_true());
        json_t *d = NULL;
        if ((rc = default_document(&a, p, pos[3][i], &d)) < 0 && rc != AP_EINPUT)
            goto cleanup;
        if (d != NULL)
            json_object_set_new(a.documents, arn, d);
        else if (rc == AP_OK)
            json_object_set_new(n, "unresolved", json_true());
    }
    /* pass 2: principals, then trust, then what the policies grant */
    for (size_t i = 0; i < json_array_size(l[2]); i++)
        if ((rc = read_role_node(&a, json_array_get(l[2], i), pos[2][i])) < 0)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[1]); i++)
        if ((rc = read_group(&a, json_array_get(l[1], i), pos[1][i], true)) < 0)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[0]); i++)
        if ((rc = read_user(&a, json_array_get(l[0], i), pos[0][i], true)) < 0
            && rc != AP_EINPUT)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[2]); i++) {
        const json_t *e = json_array_get(l[2], i);
        if (str(e, "Arn") != NULL && json_object_get(a.roles, str(e, "Arn")) != NULL
            && (rc = read_trust(&a, str(e, "Arn"), json_object_get(e, "AssumeRolePolicyDocument"),
                                ap_json__find_key(&a.t, pos[2][i], "AssumeRolePolicyDocument")))
               < 0 && rc != AP_EINPUT)
            goto nomem;
    }
    for (size_t i = 0; i < json_array_size(l[1]); i++)
        if ((rc = read_group(&a, json_array_get(l[1], i), pos[1][i], false)) < 0
            && rc != AP_EINPUT)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[0]); i++)
        if ((rc = read_user(&a, json_array_get(l[0], i), pos[0][i], false)) < 0
            && rc != AP_EINPUT)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[2]); i++)
        if ((rc = read_role(&a, json_array_get(l[2], i), pos[2][i])) < 0 && rc != AP_EINPUT)
            goto nomem;
    for (size_t i = 0; i < json_array_size(l[3]); i++) {
        const json_t *p = json_array_get(l[3], i);
        const char *arn = str(p, "Arn");
        const json_t *d = arn != NULL ? json_object_get(a.documents, arn) : NULL;
        size_t vpos = ap_json__find_key(&a.t, pos[3][i], "PolicyVersionList"), dpos;
        if (d == NULL)
            continue;
        /* the document's position: the default version's, found as the pass-1 lookup did */
        dpos = pos[3][i];
        for (size_t k = 0; k < json_array_size(json_object_get(p, "PolicyVersionList")); k++) {
            const json_t *v = json_array_get(json_object_get(p, "PolicyVersionList"), k);
            if (json_object_get(v, "Document") != NULL
                && (json_is_true(json_object_get(v, "IsDefaultVersion"))
                    || (str(p, "DefaultVersionId") != NULL && str(v, "VersionId") != NULL
                        && strcmp(str(p, "DefaultVersionId"), str(v, "VersionId")) == 0))) {
                dpos = ap_json__find_key(&a.t, ap_json__find_index(&a.t, vpos, k), "Document");
                break;
            }
        }
        if ((rc = read_policy(&a, arn, NULL, d, dpos)) < 0 && rc != AP_EINPUT)
            goto nomem;
    }
    if ((rc = gates(&a)) < 0)
        goto nomem;
    rc = stage(&a, err);
    goto cleanup;
nomem:
    rc = rc == AP_ENOMEM ? ap_error_nomem(err) : rc;
cleanup:
    ctx->locate = NULL;
    for (int i = 0; i < 4; i++)
        free(pos[i]);
    free_items(&a.nodes);
    free_items(&a.edges);
    json_decref(a.home);
    json_decref(a.roles);
    json_decref(a.principals);
    json_decref(a.by_name);
    json_decref(a.documents);
    ap_json__text_free(&a.t);
    json_decref(doc);
    return rc;
}
