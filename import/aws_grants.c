/* import/aws_grants.c: an identity policy's statements, read as what their holder can do:
 * access with rights per service, takeovers of other principals, assumable roles. */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "aws_internal.h"

/* ---- Identity policies: what each holder can do ---- */

typedef struct {
    const char *holder;         /* a principal, or a managed policy's ARN */
    const char *policy;         /* the policy's name, for evidence */
    json_t *keys;               /* condition keys of the statement */
} grant;

static int evidence(item *x, const grant *g, const char *action)
{
    int rc = action != NULL ? ap_aws__add_to_list(x->obj, "actions", action) : AP_OK;
    if (rc == AP_OK && g->policy != NULL)
        rc = ap_aws__add_to_list(x->obj, "policies", g->policy);
    for (size_t i = 0; rc == AP_OK && i < json_array_size(g->keys); i++)
        rc = ap_aws__add_to_list(x->obj, "condition_keys",
                                 json_string_value(json_array_get(g->keys, i)));
    return rc;
}

/* The resource node a pattern names for actions of service svc. IAM ARNs (users, roles,
 * policies...) get an id of their own, aws:iam:ARN, so the node never is the principal itself. */
static int resource(aws *a, const char *svc, const char *pattern, const char **id_out,
                    char *buf, size_t size)
{
    json_t *n;
    char name[AWS_FIELD_SIZE + 20], field[64];
    /* buf holds "aws:iam:" and a pattern of at most AWS_ARN_MAX bytes (ap_aws__statements) */
    if (strcmp(pattern, "*") == 0) {
        snprintf(buf, size, "aws:%s:*", svc);
        if (strcmp(svc, "*") == 0)
            snprintf(name, sizeof name, "every resource of every service");
        else if (strcmp(svc, "other") == 0)
            snprintf(name, sizeof name, "every resource of every service but account, iam, "
                     "organizations and sts");
        else
            snprintf(name, sizeof name, "every %s resource", svc);
    } else {
        if (ap_aws__arn_field(pattern, 2, field, sizeof field) && strcmp(field, "iam") == 0)
            snprintf(buf, size, "aws:iam:%s", pattern);
        else
            snprintf(buf, size, "%s", pattern);
        snprintf(name, sizeof name, "%s", pattern);
    }
    if ((n = ap_aws__node(a, buf, AP_KIND_RESOURCE, name, "aws_resource")) == NULL)
        return AP_ENOMEM;
    json_object_set_new(n, "service", json_string(svc));
    if (strchr(pattern, '*') != NULL || strchr(pattern, '?') != NULL)
        json_object_set_new(n, "wildcard", json_true());
    if (strcmp(pattern, "*") == 0
        && (strcmp(svc, "*") == 0 || strcmp(svc, "iam") == 0 || strcmp(svc, "other") == 0))
        json_object_set_new(n, "sensitivity", json_string("critical"));
    *id_out = buf;
    return AP_OK;
}

static int access(aws *a, const grant *g, const char *svc, const char *pattern,
                  const char *action, ap_rights rights)
{
    char buf[AWS_FIELD_SIZE + 16];
    const char *id;
    item *x;
    int rc;
    if ((rc = resource(a, svc, pattern, &id, buf, sizeof buf)) < 0)
        return rc;
    if ((x = ap_aws__edge(a, g->holder, "access", id)) == NULL)
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
            if ((x = ap_aws__edge(a, g->holder, rules[r].edge, arn)) == NULL)
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
        if ((x = ap_aws__edge(a, g->holder, "can_assume", arn)) == NULL)
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
    char svc[AWS_FIELD_SIZE], arn_svc[AWS_FIELD_SIZE];
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
    if (strcmp(pattern, "*") != 0 && ap_aws__arn_field(pattern, 2, arn_svc, sizeof arn_svc)
        && strchr(arn_svc, '*') == NULL && strcmp(svc, "*") != 0 && strcasecmp(svc, arn_svc) != 0)
        return AP_OK;           /* the action does not apply to this service's resources */
    if (strcmp(pattern, "*") != 0 && strcmp(svc, "*") == 0)
        ap_aws__arn_field(pattern, 2, svc, sizeof svc);
    return access(a, g, svc[0] != '\0' ? svc : "*", pattern, action, rights);
}

static int emit(aws *a, const void *g, const char *action, const char *resource)
{
    return action_on(a, g, action, resource);
}

int ap_aws__read_policy(aws *a, const char *holder, const char *policy, const json_t *docv,
                        size_t doc_pos)
{
    json_t *doc = NULL, *sts = NULL;
    int rc;
    if ((rc = ap_aws__doc_statements(a, docv, doc_pos, &doc, &sts)) < 0)
        goto cleanup;
    for (size_t i = 0; rc >= 0 && i < json_array_size(sts); i++) {
        const json_t *st = json_array_get(sts, i);
        json_t *actions = NULL, *resources = NULL;
        grant g = { holder, policy, NULL };
        trust keys = { NULL, NULL, NULL, NULL, false, false };
        bool allow = false, not_action;
        ap_aws__at(a, json_is_string(docv) ? doc_pos : ap_aws__statement_pos(a, doc_pos, i));
        if (ap_aws__effect(a, st, &allow) < 0)
            continue;
        not_action = json_object_get(st, "NotAction") != NULL;
        if (ap_aws__list(&actions, json_object_get(st, not_action ? "NotAction" : "Action"),
                         JSON_STRING) < 0
            || json_array_size(actions) == 0) {
            ap_aws__fail(a, SIZE_MAX, "a statement needs 'Action': a string or a list of strings%s",
                         NULL);
            json_decref(actions);
            continue;
        }
        if (!allow) {       /* applied to the principals it binds (aws_limit.c); kept here */
            item *h = ap_aws__find_item(&a->nodes, holder);
            for (size_t k = 0; h != NULL && k < json_array_size(actions); k++)
                ap_aws__add_to_list(h->obj, not_action ? "deny_not_actions" : "deny_actions",
                                    json_string_value(json_array_get(actions, k)));
            json_decref(actions);
            continue;
        }
        if (json_object_get(st, "NotResource") != NULL) {
            ap_aws__note(a, "approximated: Allow with NotResource treated as every resource");
            resources = json_pack("[s]", "*");
        } else if (ap_aws__list(&resources, json_object_get(st, "Resource"), JSON_STRING) < 0
                   || json_array_size(resources) == 0) {
            ap_aws__fail(a, SIZE_MAX,
                         "a statement needs 'Resource': a string or a list of strings%s", NULL);
            json_decref(actions);
            json_decref(resources);
            continue;
        }
        keys.cond = json_is_object(json_object_get(st, "Condition"))
                    ? json_object_get(st, "Condition") : NULL;
        ap_aws__condition_keys(&keys);
        g.keys = keys.keys;
        if (a->limit != NULL || not_action)     /* per action, through the limit */
            for (size_t r = 0; rc >= 0 && r < json_array_size(resources); r++)
                rc = ap_aws__limited_actions(a, &g, actions, not_action,
                                             json_string_value(json_array_get(resources, r)),
                                             emit);
        else
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

