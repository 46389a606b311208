/* import/msgraph_type.c: what a Microsoft Graph object is, from the collection its page names,
 * its @odata.type or its keys. */
#include <string.h>

#include "msgraph_internal.h"

static const struct { const char *name; mg_type type; } collections[] = {
    { "servicePrincipals", MG_SERVICE_PRINCIPAL }, { "servicePrincipal", MG_SERVICE_PRINCIPAL },
    { "applications", MG_APPLICATION }, { "application", MG_APPLICATION },
    { "oauth2PermissionGrants", MG_GRANT }, { "oauth2PermissionGrant", MG_GRANT },
    { "appRoleAssignedTo", MG_APP_ROLE_ASSIGNMENT }, { "appRoleAssignments",
                                                       MG_APP_ROLE_ASSIGNMENT },
    { "appRoleAssignment", MG_APP_ROLE_ASSIGNMENT },
    { "federatedIdentityCredentials", MG_FEDERATED_CREDENTIAL },
    { "federatedIdentityCredential", MG_FEDERATED_CREDENTIAL },
    { "roleAssignments", MG_ROLE_ASSIGNMENT }, { "unifiedRoleAssignment", MG_ROLE_ASSIGNMENT },
    { "delegatedAdminRelationships", MG_GDAP_RELATIONSHIP },
    { "delegatedAdminRelationship", MG_GDAP_RELATIONSHIP },
    { "resellerDelegatedAdminRelationship", MG_GDAP_RELATIONSHIP },
    { "accessAssignments", MG_GDAP_ASSIGNMENT },
    { "delegatedAdminAccessAssignment", MG_GDAP_ASSIGNMENT },
    { "partners", MG_CROSS_TENANT_PARTNER },
    { "crossTenantAccessPolicyConfigurationPartner", MG_CROSS_TENANT_PARTNER },
    { "servicePrincipalSignInActivities", MG_SIGN_IN_ACTIVITY },
    { "servicePrincipalSignInActivity", MG_SIGN_IN_ACTIVITY },
};

static mg_type by_name(const char *name, size_t n)
{
    for (size_t i = 0; i < sizeof collections / sizeof collections[0]; i++)
        if (strlen(collections[i].name) == n && strncmp(collections[i].name, name, n) == 0)
            return collections[i].type;
    return MG_NONE;
}

mg_type ap_mg__type_of_context(const char *context)
{
    const char *s = strchr(context, '#'), *end, *seg;
    mg_type last = MG_NONE;
    if (s == NULL)
        return MG_NONE;
    /* the last path segment that names a collection, its (keys) and /$entity left out */
    for (seg = s + 1; *seg != '\0'; seg = *end != '\0' ? end + 1 : end) {
        size_t n;
        end = seg + strcspn(seg, "/");
        n = strcspn(seg, "(/");
        if (by_name(seg, n) != MG_NONE)
            last = by_name(seg, n);
    }
    return last;
}

static bool has(const json_t *o, const char *k)
{
    return ap_mg__get(o, k) != NULL;
}

mg_type ap_mg__type_of(const json_t *o, mg_type ctx_type)
{
    const char *t = ap_mg__str(o, "@odata.type");
    if (t != NULL) {
        const char *dot = strrchr(t, '.');
        mg_type ty = dot != NULL ? by_name(dot + 1, strlen(dot + 1)) : MG_NONE;
        if (ty != MG_NONE)
            return ty;
    }
    if (ctx_type != MG_NONE)
        return ctx_type;
    if (has(o, "AllowedMemberTypes") || has(o, "AdminConsentDisplayName")
        || (!has(o, "id") && !has(o, "ObjectId")
            && (has(o, "AppDisplayName") || ((has(o, "appRoleId") || has(o, "roleId"))
                                             && has(o, "resourceDisplayName")))))
        return MG_PERMISSION_LIST;
    if (has(o, "customer") && has(o, "accessDetails"))
        return MG_GDAP_RELATIONSHIP;
    if (has(o, "accessContainer"))
        return MG_GDAP_ASSIGNMENT;
    if (has(o, "clientId") && has(o, "consentType"))
        return MG_GRANT;
    if (has(o, "appRoleId") && has(o, "principalId") && has(o, "resourceId"))
        return MG_APP_ROLE_ASSIGNMENT;
    if (has(o, "roleDefinitionId") && has(o, "principalId"))
        return MG_ROLE_ASSIGNMENT;
    if (has(o, "issuer") && has(o, "subject"))
        return MG_FEDERATED_CREDENTIAL;
    if (has(o, "tenantId") && (has(o, "b2bCollaborationInbound")
                               || has(o, "b2bDirectConnectInbound") || has(o, "inboundTrust")))
        return MG_CROSS_TENANT_PARTNER;
    if (has(o, "lastSignInActivity") || has(o, "delegatedClientSignInActivity"))
        return MG_SIGN_IN_ACTIVITY;
    if (has(o, "servicePrincipalType") || has(o, "appOwnerOrganizationId")
        || (has(o, "appId") && (has(o, "servicePrincipalNames")
                                || has(o, "appRoleAssignmentRequired"))))
        return MG_SERVICE_PRINCIPAL;
    if (has(o, "appId") && (has(o, "requiredResourceAccess") || has(o, "signInAudience")
                            || has(o, "passwordCredentials") || has(o, "keyCredentials")))
        return MG_APPLICATION;
    if ((has(o, "appRoleId") || has(o, "roleId")) && has(o, "resourceDisplayName"))
        return MG_PERMISSION_LIST;
    return MG_NONE;
}
