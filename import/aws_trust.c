/* import/aws_trust.c: an IAM role's trust policy, read as who may assume the role: other
 * accounts become partners, services and federation what they are (docs/sources/aws-iam.md). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_internal.h"

/* ---- Trust policies: who can assume each role ---- */

void ap_aws__condition_keys(trust *tr)
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
    item *x = ap_aws__edge(a, from, "can_assume", tr->role);
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
    return principal != NULL ? ap_aws__add_to_list(x->obj, "principals", principal) : AP_OK;
}

static void role_attr(aws *a, const char *role, const char *key, json_t *v)
{
    item *x = ap_aws__find_item(&a->nodes, role);
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
        ap_import__label(name, sizeof name, "%s", vendor);
    else
        snprintf(name, sizeof name, "AWS account %s", acct);
    if ((n = ap_aws__node(a, idbuf, AP_KIND_PARTNER, name, "aws_account")) == NULL)
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
            /* whole, however long: cut short, two organizations would be one */
            json_t *id = json_sprintf("aws:org:%s", o), *name = json_sprintf("AWS "
                                                                          "organization %s", o);
            int rc = id == NULL || name == NULL
                     || ap_aws__node(a, json_string_value(id), AP_KIND_PARTNER,
                                     json_string_value(name), "aws_organization") == NULL
                     || trust_edge(a, tr, json_string_value(id), "*", true) < 0;
            json_decref(id);
            json_decref(name);
            if (rc) {
                json_decref(orgs);
                return AP_ENOMEM;
            }
        }
        json_decref(orgs);
        role_attr(a, tr->role, "trust_organization", json_true());
        return AP_OK;
    }
    if (ap_aws__node(a, "aws:*", AP_KIND_PARTNER, "Any AWS principal", "aws_anyone") == NULL)
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
    /* p is at most AWS_ARN_MAX bytes (ap_aws__statements): res and key hold any part whole */
    char acct[32] = "", res[AWS_FIELD_SIZE] = "", id[64], key[AWS_FIELD_SIZE + 48];
    const char *from = NULL, *arn;
    if (strcmp(p, "*") == 0)
        return trust_anyone(a, tr);
    if (ap_aws__is_account_id(p)) {
        snprintf(acct, sizeof acct, "%s", p);
        snprintf(res, sizeof res, "root");
    } else if (!ap_aws__arn_field(p, 4, acct, sizeof acct)
               || !ap_aws__arn_field(p, 5, res, sizeof res)) {
        ap_aws__note(a, is_unique_id(p)
                            ? "trust names a deleted principal by its unique id (skipped)"
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
        ap_aws__note(a,
                     "trust names a principal of this account that is not in the file (skipped)");
        return AP_OK;
    }
    return trust_edge(a, tr, arn, strcmp(arn, p) != 0 ? p : NULL, false);
}

static int trust_other(aws *a, const trust *tr, const json_t *principal, const char *key)
{
    json_t *list;
    int rc = AP_OK;
    if (ap_aws__list(&list, json_object_get(principal, key), JSON_STRING) < 0)
        return ap_aws__fail(a, SIZE_MAX, "'Principal.%s' must be a string or a list of strings",
                            key);
    for (size_t i = 0; rc == AP_OK && i < json_array_size(list); i++) {
        const char *p = json_string_value(json_array_get(list, i));
        char id[AWS_FIELD_SIZE + 16];
        const char *slash = strrchr(p, '/');
        if (strcmp(key, "AWS") == 0) {
            rc = trust_aws(a, tr, p);
        } else if (strcmp(key, "Service") == 0) {
            snprintf(id, sizeof id, "aws:service:%s", p);
            json_object_set_new(json_object_get(a->roles, tr->role), "service", json_true());
            rc = ap_aws__node(a, id, AP_KIND_IDENTITY, p, "aws_service") == NULL
                     ? AP_ENOMEM
                     : trust_edge(a, tr, id, NULL, false);
        } else if (strcmp(key, "Federated") == 0) {
            rc = ap_aws__node(a, p, AP_KIND_IDENTITY, slash != NULL ? slash + 1 : p,
                              strstr(p, "saml-provider/") != NULL ? "aws_saml_provider"
                                                                  : "aws_federated")
                         == NULL
                     ? AP_ENOMEM
                     : trust_edge(a, tr, p, NULL, false);
        } else {
            ap_aws__note(a, "trust to a CanonicalUser principal is not supported (skipped)");
        }
    }
    json_decref(list);
    return rc;
}

static bool glob_any(const json_t *patterns, const char *s)
{
    for (size_t i = 0; i < json_array_size(patterns); i++)
        if (ap_aws__glob(json_string_value(json_array_get(patterns, i)), s, true))
            return true;
    return false;
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

/* Does the trust edge x (from -can_assume-> role) come only from what deny's principals name? */
static bool denied_edge(const aws *a, const item *x, const json_t *names)
{
    const char *from = json_string_value(json_object_get(x->obj, "from"));
    const json_t *via = json_object_get(x->obj, "principals");
    char acct[32];
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *p = json_string_value(json_array_get(names, i));
        if (strcmp(p, "*") == 0 || strcmp(p, from) == 0)
            return true;
        /* an account (id or root ARN) denies the account's partner and its principals */
        if (ap_aws__is_account_id(p) || (strncmp(p, "arn:", 4) == 0 && strlen(p) > 5
                                         && strcmp(p + strlen(p) - 5, ":root") == 0)) {
            if (!ap_aws__is_account_id(p)) {
                if (!ap_aws__arn_field(p, 4, acct, sizeof acct))
                    continue;       /* an account part longer than any: denies no account */
            } else
                snprintf(acct, sizeof acct, "%s", p);
            char pid[64], facct[32];
            snprintf(pid, sizeof pid, "aws:%s", acct);
            if (strcmp(from, pid) == 0
                || (ap_aws__arn_field(from, 4, facct, sizeof facct) && strcmp(facct, acct) == 0))
                return true;
        }
    }
    /* an external account's edge: denied when every principal it was allowed for is */
    if (json_array_size(via) == 0)
        return false;
    for (size_t k = 0; k < json_array_size(via); k++) {
        bool hit = false;
        for (size_t i = 0; i < json_array_size(names) && !hit; i++)
            hit = strcmp(json_string_value(json_array_get(names, i)),
                         json_string_value(json_array_get(via, k))) == 0;
        if (!hit)
            return false;
    }
    (void)a;
    return true;
}

/* A trust policy's unconditional Deny statements ([statement, offset] each): the can_assume
 * edges into role they cover carry nothing (rights none, denied). Conditions and NotPrincipal
 * are not applied (counted). */
static int apply_trust_denies(aws *a, const char *role, const json_t *denies)
{
    for (size_t i = 0; i < json_array_size(denies); i++) {
        const json_t *st = json_array_get(json_array_get(denies, i), 0);
        const json_t *pr = json_object_get(st, "Principal");
        json_t *actions = NULL, *names = json_array();
        ap_aws__at(a, (size_t)json_integer_value(json_array_get(json_array_get(denies, i), 1)));
        const char *key;
        json_t *v;
        if (names == NULL)
            return AP_ENOMEM;
        if (json_object_get(st, "Condition") != NULL || json_object_get(st, "NotPrincipal") != NULL
            || json_object_get(st, "NotAction") != NULL) {
            ap_aws__note(a, "approximated: Deny in a trust policy with a Condition, NotPrincipal "
                            "or NotAction not applied");
            json_decref(names);
            continue;
        }
        if (ap_aws__list(&actions, json_object_get(st, "Action"), JSON_STRING) < 0
            || assume_action(actions) == NULL) {
            json_decref(actions);
            json_decref(names);
            continue;
        }
        if (json_is_string(pr))
            json_array_append_new(names, json_string(json_string_value(pr)));
        else
            json_object_foreach((json_t *)pr, key, v) {
                json_t *list = NULL;
                if (ap_aws__list(&list, v, JSON_STRING) < 0)
                    continue;
                for (size_t k = 0; k < json_array_size(list); k++) {
                    const char *p = json_string_value(json_array_get(list, k));
                    char id[AWS_FIELD_SIZE + 16];
                    if (strcmp(key, "Service") == 0)
                        snprintf(id, sizeof id, "aws:service:%s", p);
                    else
                        snprintf(id, sizeof id, "%s", p);
                    json_array_append_new(names, json_string(id));
                }
                json_decref(list);
            }
        for (size_t e = 0; e < a->edges.n; e++) {
            item *x = &a->edges.v[e];
            const char *via = json_string_value(json_object_get(x->obj, "via"));
            if (strcmp(json_string_value(json_object_get(x->obj, "kind")), "can_assume") != 0
                || strcmp(json_string_value(json_object_get(x->obj, "to")), role) != 0
                || json_object_get(x->obj, "trust") == NULL || via == NULL
                || !glob_any(actions, via) || !denied_edge(a, x, names))
                continue;
            json_object_set_new(x->obj, "rights", json_string("none"));
            json_object_set_new(x->obj, "denied", json_string("Deny in the trust policy"));
        }
        json_decref(actions);
        json_decref(names);
    }
    return AP_OK;
}

int ap_aws__read_trust(aws *a, const char *role, const json_t *docv, size_t doc_pos)
{
    json_t *doc = NULL, *sts = NULL, *denies = json_array();
    int rc;
    if (docv == NULL || json_is_null(docv) || denies == NULL) {
        json_decref(denies);
        return denies == NULL ? AP_ENOMEM : AP_OK;
    }
    if ((rc = ap_aws__doc_statements(a, docv, doc_pos, &doc, &sts)) < 0)
        goto cleanup;
    for (size_t i = 0; rc >= 0 && i < json_array_size(sts); i++) {
        const json_t *st = json_array_get(sts, i), *pr = json_object_get(st, "Principal");
        json_t *actions = NULL;
        trust tr = { role, NULL, NULL, NULL, false, false };
        bool allow = false;
        if (json_is_string(docv))
            ap_aws__at(a, doc_pos);
        else
            ap_aws__at(a, ap_aws__statement_pos(a, doc_pos, i));
        if (ap_aws__effect(a, st, &allow) < 0)
            continue;
        if (!allow) {       /* applied once every Allow of the document is read */
            size_t at = json_is_string(docv) ? doc_pos : ap_aws__statement_pos(a, doc_pos, i);
            if (json_array_append_new(denies, json_pack("[O, I]", st, (json_int_t)at)) < 0)
                rc = AP_ENOMEM;
            continue;
        }
        if (json_object_get(st, "NotPrincipal") != NULL) {
            ap_aws__note(a, "NotPrincipal in a trust policy is not supported (statement skipped)");
            continue;
        }
        if (json_object_get(st, "NotAction") != NULL) {
            ap_aws__note(a, "NotAction in a trust policy treated as every action");
            actions = json_pack("[s]", "*");
        } else if (ap_aws__list(&actions, json_object_get(st, "Action"), JSON_STRING) < 0) {
            ap_aws__fail(a, SIZE_MAX, "'Action' must be a string or a list of strings%s", NULL);
            continue;
        }
        tr.via = assume_action(actions);
        json_decref(actions);
        if (tr.via == NULL)
            continue;                       /* sts:TagSession and the like alone */
        tr.cond = json_is_object(json_object_get(st, "Condition"))
                  ? json_object_get(st, "Condition") : NULL;
        ap_aws__condition_keys(&tr);
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
            ap_aws__fail(a, SIZE_MAX,
                         "a trust statement's 'Principal' must be \"*\" or an object%s", NULL);
        }
        json_decref(tr.keys);
    }
    if (rc >= 0)
        rc = apply_trust_denies(a, role, denies);
cleanup:
    json_decref(denies);
    json_decref(sts);
    json_decref(doc);
    return rc;
}

