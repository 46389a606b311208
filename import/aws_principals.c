/* import/aws_principals.c: the AWS IAM reader's principals, one at a time: users, groups and
 * roles as nodes with their groups, access keys, instance profiles and attached policies. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "aws_internal.h"

static int attachments(aws *a, const char *holder, const json_t *e, size_t pos)
{
    json_t *list;
    int rc = AP_OK;
    if (ap_aws__list(&list, json_object_get(e, "AttachedManagedPolicies"), JSON_OBJECT) < 0)
        return ap_aws__fail(a, ap_json__find_key(&a->t, pos, "AttachedManagedPolicies"),
                            "'AttachedManagedPolicies' must be an object or a list of objects%s",
                            NULL);
    for (size_t i = 0; rc == AP_OK && i < json_array_size(list); i++) {
        const json_t *p = json_array_get(list, i);
        const char *arn = ap_aws__str(p, "PolicyArn"), *name = ap_aws__str(p, "PolicyName");
        json_t *n;
        item *x;
        if (arn == NULL) {
            ap_aws__fail(a, pos, "an attached policy needs a 'PolicyArn'%s", NULL);
            continue;
        }
        if (ap_aws__find_item(&a->nodes, arn) == NULL) {
            ap_aws__note(a,
                         "attached managed policy without a document in the file (what it grants "
                         "is unknown)");
            if ((n = ap_aws__node(a, arn, AP_KIND_ROLE, name != NULL ? name : arn,
                                  "aws_managed_policy"))
                == NULL)
                return AP_ENOMEM;
            json_object_set_new(n, "unresolved", json_true());
        }
        if ((x = ap_aws__edge(a, holder, "member_of", arn)) == NULL)
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
        return ap_aws__fail(a, lpos, "'%s' must be a list", key);
    for (size_t i = 0; rc >= 0 && i < json_array_size(list); i++) {
        const json_t *p = json_array_get(list, i);
        size_t ppos = ap_json__find_index(&a->t, lpos, i);
        if (!json_is_object(p) || json_object_get(p, "PolicyDocument") == NULL) {
            ap_aws__fail(a, ppos, "an inline policy needs a 'PolicyDocument'%s", NULL);
            continue;
        }
        rc = ap_aws__read_policy(a, holder, ap_aws__str(p, "PolicyName"),
                                 json_object_get(p, "PolicyDocument"),
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
        const char *kid = ap_aws__str(k, "AccessKeyId"), *status = ap_aws__str(k, "Status");
        char id[200];
        json_t *n;
        item *x;
        if (kid == NULL)
            continue;
        if (strlen(kid) > AWS_KEY_ID_MAX) {     /* id holds one of at most 128 bytes whole */
            ap_aws__fail(a, SIZE_MAX, "an 'AccessKeyId' is longer than 128 bytes (AWS's "
                         "limit)%s", NULL);
            continue;
        }
        snprintf(id, sizeof id, "aws:access-key:%s", kid);
        if ((n = ap_aws__node(a, id, AP_KIND_CREDENTIAL, kid, "aws_access_key")) == NULL
            || (x = ap_aws__edge(a, id, "authenticates_as", user)) == NULL)
            return AP_ENOMEM;
        json_object_set_new(n, "static", json_true());
        if (json_is_string(json_object_get(k, "CreateDate")))
            json_object_set(n, "valid_from", json_object_get(k, "CreateDate"));
        if (status != NULL && strcmp(status, "Inactive") == 0)
            json_object_set_new(n, "state", json_string("suspended"));
    }
    return AP_OK;
}

int ap_aws__read_user(aws *a, const json_t *e, size_t pos, bool nodes_only)
{
    const char *arn = ap_aws__str(e, "Arn");
    char acct[32], key[600];
    json_t *n, *groups;
    bool limited;
    int rc;
    if (arn == NULL || !ap_aws__arn_field(arn, 4, acct, sizeof acct)
        || ap_aws__str(e, "UserName") == NULL)
        return AP_OK; /* reported in pass 1 */
    ap_aws__at(a, pos);
    if ((n = ap_aws__node(a, arn, AP_KIND_IDENTITY, ap_aws__str(e, "UserName"), "aws_iam_user"))
        == NULL)
        return AP_ENOMEM;
    common_attrs(n, e, acct);
    if (nodes_only)
        return AP_OK;
    if (ap_aws__list(&groups, json_object_get(e, "GroupList"), JSON_STRING) < 0)
        return ap_aws__fail(a, ap_json__find_key(&a->t, pos, "GroupList"),
                            "'GroupList' must be a list of group names%s", NULL);
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const char *g;
        snprintf(key, sizeof key, "%s/group/%s", acct,
                 json_string_value(json_array_get(groups, i)));
        if ((g = json_string_value(json_object_get(a->by_name, key))) == NULL) {
            ap_aws__note(a, "user in a group that is not in the file (membership skipped)");
            continue;
        }
        if (ap_aws__edge(a, arn, "member_of", g) == NULL) {
            json_decref(groups);
            return AP_ENOMEM;
        }
    }
    json_decref(groups);
    if ((rc = access_keys(a, arn, e)) < 0 || (rc = attachments(a, arn, e, pos)) < 0)
        return rc;
    if ((rc = ap_aws__read_limited(a, arn, e, pos, true, &limited)) < 0 || limited)
        return rc;
    return inline_policies(a, arn, e, pos, "UserPolicyList");
}

int ap_aws__read_group(aws *a, const json_t *e, size_t pos, bool nodes_only)
{
    const char *arn = ap_aws__str(e, "Arn");
    char acct[32];
    json_t *n;
    int rc;
    if (arn == NULL || !ap_aws__arn_field(arn, 4, acct, sizeof acct)
        || ap_aws__str(e, "GroupName") == NULL)
        return AP_OK;
    ap_aws__at(a, pos);
    if ((n = ap_aws__node(a, arn, AP_KIND_ROLE, ap_aws__str(e, "GroupName"), "aws_iam_group"))
        == NULL)
        return AP_ENOMEM;
    common_attrs(n, e, acct);
    if (nodes_only)
        return AP_OK;
    if ((rc = attachments(a, arn, e, pos)) < 0)
        return rc;
    return inline_policies(a, arn, e, pos, "GroupPolicyList");
}

int ap_aws__read_role_node(aws *a, const json_t *e, size_t pos)
{
    const char *arn = ap_aws__str(e, "Arn");
    const json_t *used = json_object_get(json_object_get(e, "RoleLastUsed"), "LastUsedDate");
    char acct[32];
    json_t *n;
    if (arn == NULL || !ap_aws__arn_field(arn, 4, acct, sizeof acct)
        || ap_aws__str(e, "RoleName") == NULL)
        return AP_OK;
    ap_aws__at(a, pos);
    if ((n = ap_aws__node(a, arn, AP_KIND_IDENTITY, ap_aws__str(e, "RoleName"), "aws_iam_role"))
        == NULL)
        return AP_ENOMEM;
    common_attrs(n, e, acct);
    if (json_is_string(used))
        json_object_set(n, "last_used", (json_t *)used);
    return AP_OK;
}

int ap_aws__read_role(aws *a, const json_t *e, size_t pos)
{
    const char *arn = ap_aws__str(e, "Arn");
    const json_t *profiles = json_object_get(e, "InstanceProfileList");
    bool limited;
    int rc;
    if (arn == NULL || ap_aws__find_item(&a->nodes, arn) == NULL)
        return AP_OK;
    ap_aws__at(a, pos);
    for (size_t i = 0; i < json_array_size(profiles); i++) {
        const json_t *p = json_array_get(profiles, i);
        const char *parn = ap_aws__str(p, "Arn");
        json_t *n;
        if (parn == NULL)
            continue;
        if ((n = ap_aws__node(a, parn, AP_KIND_CREDENTIAL,
                              ap_aws__str(p, "InstanceProfileName") != NULL
                                  ? ap_aws__str(p, "InstanceProfileName")
                                  : parn,
                              "aws_instance_profile"))
                == NULL
            || ap_aws__edge(a, parn, "authenticates_as", arn) == NULL)
            return AP_ENOMEM;
    }
    if ((rc = attachments(a, arn, e, pos)) < 0)
        return rc;
    if ((rc = ap_aws__read_limited(a, arn, e, pos, false, &limited)) < 0 || limited)
        return rc;
    return inline_policies(a, arn, e, pos, "RolePolicyList");
}
