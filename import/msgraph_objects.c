/* import/msgraph_objects.c: each Microsoft Graph object into authpath's model: service
 * principals, applications and their credentials, consents, app role and directory role
 * assignments (GDAP and cross-tenant partners: msgraph_gdap.c; other tools' Graph data:
 * msgraph_tools.c). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msgraph_internal.h"

#define R(b) ((ap_rights)1 << (b))
#define DIRECTORY "entra:directory"

/* ---- helpers ---- */

void ap_mg__lower_copy(char *buf, size_t size, const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < size; i++)
        buf[i] = (char)tolower((unsigned char)s[i]);
    buf[i] = '\0';
}

int ap_mg__fail(ap_import_ctx *ctx, const json_t *obj, const char *fmt, const char *arg)
{
    ap_place p = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, obj };
    char q[80];
    ap_doc_quote(q, sizeof q, arg != NULL ? arg : "");
    return ap_import__fail(ctx, &p, fmt, q);
}

bool ap_mg__too_long(ap_import_ctx *ctx, const json_t *obj, const char *key, const char *v,
                     size_t max)
{
    ap_place p = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, obj };
    if (v == NULL || strlen(v) <= max)
        return false;
    ap_import__fail(ctx, &p, "'%s' is longer than %zu bytes, more than authpath reads whole "
                    "(%s)", key, max, max == MG_ID_MAX ? "Graph ids are GUIDs of 36"
                    : max == MG_ISSUER_MAX ? "Entra's own limit" : "a permission's value");
    return true;
}

void ap_mg__note(ap_import_ctx *ctx, const char *what)
{
    ap_import__note(ctx, ctx->mg->line, ctx->mg->col, what);
}

static bool is_home(const mg_state *s, const char *tenant)
{
    char t[MG_ISSUER_MAX + 1];     /* an issuer's tenant too */
    if (tenant == NULL)
        return false;
    ap_mg__lower_copy(t, sizeof t, tenant);
    return json_object_get(s->home, t) != NULL;
}

/* A directory object's node id: Graph object ids are unique across types. */
static void obj_id(char *buf, size_t size, const char *id)
{
    char low[MG_ID_MAX + 1];
    ap_mg__lower_copy(low, sizeof low, id);
    snprintf(buf, size, "entra:%s", low);
}

/* The directory a role lives in: ours, or a GDAP customer's. */
static void directory(ap_import_ctx *ctx, char *id, size_t size, const char *tenant,
                      const char *tenant_name)
{
    char name[256];
    if (tenant == NULL) {
        snprintf(id, size, DIRECTORY);
        json_t *d = ap_mg__node(ctx, id, AP_KIND_RESOURCE, "Entra ID directory (this tenant)",
                                "entra_directory", true);
        ap_mg__set(d, "sensitivity", "critical");
        return;
    }
    snprintf(id, size, "entra:tenant:%s:directory", tenant);
    ap_import__label(name, sizeof name, "Entra ID directory of %s (tenant %s)",
                     tenant_name != NULL ? tenant_name : "the customer", tenant);
    json_t *d = ap_mg__node(ctx, id, AP_KIND_RESOURCE, name, "entra_directory", true);
    ap_mg__set(d, "sensitivity", "critical");
    ap_mg__set(d, "tenant", tenant);
}

/* A directory role (built-in template or custom definition) in a directory, with what it
 * grants there; escalating roles lead to that directory's Global Administrator. */
const char *ap_mg__role_node(ap_import_ctx *ctx, char *id, size_t size, const char *tmpl,
                             const char *tenant, const char *tenant_name)
{
    mg_role_class cls;
    char t[MG_ID_MAX + 1], dir[256], ga[256], unknown[MG_ID_MAX + 8];
    const char *name;
    json_t *n;
    ap_rights r;
    ap_mg__lower_copy(t, sizeof t, tmpl);
    name = ap_mg__role(ctx->mg, t, &cls);
    if (name == NULL) {
        snprintf(unknown, sizeof unknown, "role %s", t);
        name = unknown;
    }
    directory(ctx, dir, sizeof dir, tenant, tenant_name);
    if (tenant == NULL)             /* named in the id too, so that paths read */
        snprintf(id, size, "entra:role:%s", name);
    else
        snprintf(id, size, "entra:tenant:%s:role:%s", tenant, name);
    n = ap_mg__node(ctx, id, AP_KIND_ROLE, name, "entra_directory_role", true);
    ap_mg__set(n, "role_template", t);
    if (tenant != NULL)
        ap_mg__set(n, "gdap_customer", tenant);
    if (cls >= MG_ROLE_PRIVILEGED)
        json_object_set_new(n, "privileged", json_true());
    r = cls == MG_ROLE_GLOBAL ? AP_RIGHTS_ALL
      : cls >= MG_ROLE_PRIVILEGED ? R(AP_R_READ) | R(AP_R_WRITE) | R(AP_R_DELETE) | R(AP_R_ADMIN)
      : cls == MG_ROLE_READER ? R(AP_R_READ) : R(AP_R_READ) | R(AP_R_WRITE);
    if (ap_mg__edge(ctx, id, "access", dir, r) == NULL)
        return NULL;
    if (cls == MG_ROLE_ESCALATES) {
        json_t *e;
        ap_mg__role_node(ctx, ga, sizeof ga, MG_GLOBAL_ADMIN, tenant, tenant_name);
        if ((e = ap_mg__edge(ctx, id, "can_assume", ga, AP_RIGHTS_ALL)) == NULL)
            return NULL;
        json_object_set_new(e, "escalates", json_true());
    }
    return id;
}

/* A permission (app role or delegated scope) of an API, with what it grants on the API. */
const char *ap_mg__perm_node(ap_import_ctx *ctx, char *id, size_t size, const char *resource,
                             const char *resource_name, const char *value, bool application,
                             const char *perm_id)
{
    char api[256], ga[256];
    json_t *n;
    snprintf(api, sizeof api, "entra:api:%s", resource);
    if (ap_mg__node(ctx, api, AP_KIND_RESOURCE, resource_name, "api", true) == NULL)
        return NULL;
    if (application)
        snprintf(id, size, "entra:approle:%s/%s", resource, value);
    else
        snprintf(id, size, "entra:scope:%s/%s", resource, value);
    n = ap_mg__node(ctx, id, AP_KIND_ROLE, value, application ? "application_permission"
                    : "delegated_permission", true);
    if (n == NULL)
        return NULL;
    if (resource_name != NULL)
        ap_mg__set(n, "api", resource_name);
    if (perm_id != NULL)
        ap_mg__set(n, "permission_id", perm_id);
    if (ap_mg__perm_privileged(value))
        json_object_set_new(n, "privileged", json_true());
    if (ap_mg__edge(ctx, id, "access", api, ap_mg__perm_rights(value)) == NULL)
        return NULL;
    if (application && ap_mg__perm_escalates(value)) {
        json_t *e;
        json_object_set_new(n, "escalates_to_global_admin", json_true());
        ap_mg__role_node(ctx, ga, sizeof ga, MG_GLOBAL_ADMIN, NULL, NULL);
        if ((e = ap_mg__edge(ctx, id, "can_assume", ga, AP_RIGHTS_ALL)) == NULL)
            return NULL;
        json_object_set_new(e, "escalates", json_true());
    }
    return id;
}

/* An identity named only by a reference (principalId, clientId). */
static void principal(ap_import_ctx *ctx, char *id, size_t size, const char *ref,
                      const char *type, const char *name)
{
    obj_id(id, size, ref);
    ap_mg__node(ctx, id, strcmp(type, "group") == 0 ? AP_KIND_ROLE : AP_KIND_IDENTITY, name,
                type, true);
}

/* A time attribute from a Graph time value. */
void ap_mg__copy_time(json_t *n, const char *key, const json_t *v)
{
    int64_t t;
    if (ap_mg__time(v, &t))
        ap_mg__set_time(n, key, t);
}

/* ---- credentials ---- */

static void remember_cred(json_t *owner, const char *cred)
{
    json_t *list = json_object_get(owner, "_creds");
    if (list == NULL) {
        list = json_array();
        json_object_set_new(owner, "_creds", list);
    }
    json_array_append_new(list, json_string(cred));
}

static int secrets(ap_import_ctx *ctx, json_t *owner, const char *owner_id,
                   const json_t *list, bool password)
{
    const json_t *c;
    size_t i;
    if (json_is_object(list)) {         /* PowerShell writes a list of one as the object */
        json_t *one = json_pack("[O]", list);
        int rc = one != NULL ? secrets(ctx, owner, owner_id, one, password) : AP_ENOMEM;
        json_decref(one);
        return rc;
    }
    json_array_foreach(list, i, c) {
        const char *key = ap_mg__str(c, "keyId"), *name = ap_mg__str(c, "displayName");
        char id[512], shown[128];
        json_t *n;
        if (key == NULL)
            key = ap_mg__str(c, "customKeyIdentifier");
        if (key == NULL) {
            ap_mg__fail(ctx, c, "a %s credential without keyId", password ? "password" : "key");
            continue;
        }
        if (ap_mg__too_long(ctx, c, "keyId", key, MG_ID_MAX))
            continue;
        snprintf(id, sizeof id, "%s/%s/%s", owner_id, password ? "password" : "key", key);
        ap_import__label(shown, sizeof shown, "%s %s", password ? "client secret"
                         : "certificate", name != NULL ? name : key);
        if ((n = ap_mg__node(ctx, id, AP_KIND_CREDENTIAL, shown, password ? "client_secret"
                             : "certificate", false)) == NULL)
            return AP_ENOMEM;
        json_object_set_new(n, "static", json_boolean(password));
        ap_mg__copy_time(n, "valid_from", ap_mg__get(c, "startDateTime"));
        ap_mg__copy_time(n, "expires", ap_mg__get(c, "endDateTime"));
        ap_mg__set(n, "key_id", key);
        if (ap_mg__edge(ctx, id, "authenticates_as", owner_id, AP_RIGHTS_ALL) == NULL)
            return AP_ENOMEM;
        remember_cred(owner, id);
    }
    return AP_OK;
}

/* Who issues a federated credential's tokens: a GitHub organisation, another tenant, any
 * other issuer; NULL for our own tenant. */
static const char *issuer_partner(ap_import_ctx *ctx, char *id, size_t size,
                                  const char *issuer, const char *subject)
{
    char name[700], tenant[MG_ISSUER_MAX + 1];
    const char *p;
    json_t *n;
    if (strstr(issuer, "token.actions.githubusercontent.com") != NULL && subject != NULL
        && strncmp(subject, "repo:", 5) == 0) {
        size_t len = strcspn(subject + 5, "/:");
        snprintf(id, size, "github:%.*s", (int)len, subject + 5);
        snprintf(name, sizeof name, "GitHub %.*s", (int)len, subject + 5);
        n = ap_mg__node(ctx, id, AP_KIND_PARTNER, name, "github_organization", true);
    } else if ((p = strstr(issuer, "login.microsoftonline.com/")) != NULL
               || (p = strstr(issuer, "sts.windows.net/")) != NULL) {
        p = strchr(p, '/') + 1;
        snprintf(tenant, sizeof tenant, "%.*s", (int)strcspn(p, "/"), p);
        if (is_home(ctx->mg, tenant))
            return NULL;
        snprintf(id, size, "entra:tenant:%s", tenant);
        snprintf(name, sizeof name, "Entra tenant %s", tenant);
        n = ap_mg__node(ctx, id, AP_KIND_PARTNER, name, "entra_tenant", true);
    } else {
        snprintf(id, size, "issuer:%s", issuer);
        snprintf(name, sizeof name, "token issuer %s", issuer);
        n = ap_mg__node(ctx, id, AP_KIND_PARTNER, name, "token_issuer", true);
    }
    ap_mg__set(n, "issuer", issuer);
    return n != NULL ? id : NULL;
}

int ap_mg__federated(ap_import_ctx *ctx, const json_t *c, const char *owner_id)
{
    const char *fid = ap_mg__str(c, "id"), *issuer = ap_mg__str(c, "issuer");
    const char *subject = ap_mg__str(c, "subject"), *name = ap_mg__str(c, "name");
    const json_t *aud = ap_mg__get(c, "audiences");
    char id[512], holder[700], shown[300];
    json_t *n;
    if (fid == NULL || issuer == NULL)
        return ap_mg__fail(ctx, c, "a federated identity credential without %s", fid == NULL ? "id"
                    : "issuer");
    if (ap_mg__too_long(ctx, c, "id", fid, MG_ID_MAX)
        || ap_mg__too_long(ctx, c, "issuer", issuer, MG_ISSUER_MAX)
        || ap_mg__too_long(ctx, c, "subject", subject, MG_ISSUER_MAX))
        return AP_EINPUT;
    snprintf(id, sizeof id, "%s/federated/%s", owner_id, fid);
    ap_import__label(shown, sizeof shown, "federated credential %s", name != NULL ? name : fid);
    if ((n = ap_mg__node(ctx, id, AP_KIND_CREDENTIAL, shown, "federated_credential",
                         false)) == NULL)
        return AP_ENOMEM;
    json_object_set_new(n, "static", json_false());
    ap_mg__set(n, "issuer", issuer);
    ap_mg__set(n, "subject", subject);
    if (json_is_string(aud))
        ap_mg__set(n, "audience", json_string_value(aud));
    else if (json_is_array(aud))
        ap_mg__set(n, "audience", json_string_value(json_array_get(aud, 0)));
    if (subject != NULL && strchr(subject, '*') != NULL)
        json_object_set_new(n, "subject_wildcard", json_true());
    if (ap_mg__str(c, "claimsMatchingExpression") != NULL
        || json_is_object(ap_mg__get(c, "claimsMatchingExpression")))
        json_object_set_new(n, "subject_wildcard", json_true());
    if (ap_mg__edge(ctx, id, "authenticates_as", owner_id, AP_RIGHTS_ALL) == NULL)
        return AP_ENOMEM;
    if (issuer_partner(ctx, holder, sizeof holder, issuer, subject) != NULL
        && ap_mg__edge(ctx, holder, "holds", id, AP_RIGHTS_ALL) == NULL)
        return AP_ENOMEM;
    return AP_OK;
}

static int federated_list(ap_import_ctx *ctx, const json_t *list, const char *owner_id)
{
    const json_t *c;
    size_t i;
    int rc;
    if (json_is_object(list))
        return ap_mg__federated(ctx, list, owner_id);
    json_array_foreach(list, i, c)
        if ((rc = ap_mg__federated(ctx, c, owner_id)) < 0 && rc != AP_EINPUT)
            return rc;
    return AP_OK;
}

/* ---- the objects ---- */

/* Attributes service principals and applications share. */
static void app_attrs(json_t *n, const json_t *o)
{
    const char *aud = ap_mg__str(o, "signInAudience");
    const json_t *vp = ap_mg__get(o, "verifiedPublisher");
    ap_mg__set(n, "app_id", ap_mg__str(o, "appId"));
    ap_mg__set(n, "sign_in_audience", aud);
    if (aud != NULL && (strcasecmp(aud, "AzureADMultipleOrgs") == 0
                        || strcasecmp(aud, "AzureADandPersonalMicrosoftAccount") == 0))
        json_object_set_new(n, "multi_tenant_app", json_true());
    if (json_is_boolean(ap_mg__get(o, "IsMultiTenantEnabled")))
        json_object_set_new(n, "multi_tenant_app", json_boolean(
                                json_is_true(ap_mg__get(o, "IsMultiTenantEnabled"))));
    if (ap_mg__str(vp, "displayName") != NULL || ap_mg__str(vp, "verifiedPublisherId") != NULL)
        ap_mg__set(n, "verified_publisher", ap_mg__str(vp, "displayName") != NULL
                   ? ap_mg__str(vp, "displayName") : ap_mg__str(vp, "verifiedPublisherId"));
    ap_mg__set(n, "publisher_name", ap_mg__str(o, "publisherName"));
    if (json_is_false(ap_mg__get(o, "accountEnabled")))
        ap_mg__set(n, "state", "suspended");
}

static int app_credentials(ap_import_ctx *ctx, json_t *n, const char *id, const json_t *o)
{
    int rc;
    if ((rc = secrets(ctx, n, id, ap_mg__get(o, "passwordCredentials"), true)) < 0
        && rc != AP_EINPUT)
        return rc;
    if ((rc = secrets(ctx, n, id, ap_mg__get(o, "keyCredentials"), false)) < 0
        && rc != AP_EINPUT)
        return rc;
    if (ap_mg__get(o, "federatedIdentityCredentials") != NULL)
        return federated_list(ctx, ap_mg__get(o, "federatedIdentityCredentials"), id);
    return federated_list(ctx, ap_mg__get(o, "federatedCredentials"), id);
}

/* An object id: "id", PowerShell's "Id", or ScubaGear's "ObjectId" (a string or an object
 * naming the application's and the service principal's). */
static const char *object_id(const json_t *o, bool application)
{
    const json_t *v = ap_mg__get(o, "id");
    if (v == NULL)
        v = ap_mg__get(o, "ObjectId");
    if (json_is_object(v))
        v = json_object_get(v, application ? "Application" : "ServicePrincipal");
    return json_string_value(v);
}

static int service_principal(ap_import_ctx *ctx, const json_t *o)
{
    const char *oid = object_id(o, false), *name = ap_mg__str(o, "displayName");
    const char *app = ap_mg__str(o, "appId"), *owner = ap_mg__str(o, "appOwnerOrganizationId");
    char id[256];
    json_t *n;
    if (oid == NULL)
        return ap_mg__fail(ctx, o, "a service principal without id%s", "");
    if (ap_mg__too_long(ctx, o, "id", oid, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "appId", app, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "appOwnerOrganizationId", owner, MG_ID_MAX))
        return AP_EINPUT;
    obj_id(id, sizeof id, oid);
    if (name == NULL)
        name = ap_mg__str(o, "appDisplayName");
    if ((n = ap_mg__node(ctx, id, AP_KIND_IDENTITY, name, "service_principal", false)) == NULL)
        return AP_ENOMEM;
    app_attrs(n, o);
    ap_mg__set(n, "service_principal_type", ap_mg__str(o, "servicePrincipalType"));
    if (owner != NULL) {
        ap_mg__set(n, "app_owner_organization", owner);
        ap_mg__set(n, "_owner", owner);
    }
    if (ap_mg__microsoft(ctx->mg, app, owner))
        json_object_set_new(n, "microsoft_first_party", json_true());
    return app_credentials(ctx, n, id, o);
}

static int application(ap_import_ctx *ctx, const json_t *o)
{
    const char *oid = object_id(o, true), *name = ap_mg__str(o, "displayName");
    const json_t *rra = ap_mg__get(o, "requiredResourceAccess");
    char id[256];
    json_t *n;
    if (oid == NULL)
        return ap_mg__fail(ctx, o, "an application without id%s", "");
    if (ap_mg__too_long(ctx, o, "id", oid, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "appId", ap_mg__str(o, "appId"), MG_ID_MAX))
        return AP_EINPUT;
    obj_id(id, sizeof id, oid);
    if ((n = ap_mg__node(ctx, id, AP_KIND_IDENTITY, name, "application", false)) == NULL)
        return AP_ENOMEM;
    app_attrs(n, o);
    if (json_array_size(rra) > 0)
        ap_mg__note(ctx, "requiredResourceAccess (permissions an app asks for, not grants: the "
             "service principal's appRoleAssignments and oauth2PermissionGrants say what it "
             "holds)");
    return app_credentials(ctx, n, id, o);
}

static int grant(ap_import_ctx *ctx, const json_t *o)
{
    const char *client = ap_mg__str(o, "clientId"), *res = ap_mg__str(o, "resourceId");
    const char *scope = ap_mg__str(o, "scope"), *consent = ap_mg__str(o, "consentType");
    const char *who = ap_mg__str(o, "principalId");
    char cid[256], res_low[MG_ID_MAX + 1];
    if (client == NULL || res == NULL)
        return ap_mg__fail(ctx, o, "an oauth2PermissionGrant without %s",
                           client == NULL ? "clientId" : "resourceId");
    if (ap_mg__too_long(ctx, o, "clientId", client, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "resourceId", res, MG_ID_MAX))
        return AP_EINPUT;
    for (const char *p = scope != NULL ? scope : ""; *p != '\0';) {   /* each value whole */
        size_t len = strcspn(p, " ");
        if (len > MG_VALUE_MAX)
            return ap_mg__fail(ctx, o, "a value in 'scope' is longer than 256 bytes, more than "
                               "authpath reads whole%s", "");
        p += len;
        while (*p == ' ')
            p++;
    }
    principal(ctx, cid, sizeof cid, client, "service_principal", NULL);
    ap_mg__lower_copy(res_low, sizeof res_low, res);
    for (const char *p = scope != NULL ? scope : ""; *p != '\0';) {
        size_t len = strcspn(p, " ");
        char value[MG_VALUE_MAX + 1], sid[512];
        json_t *e;
        if (len > 0 && len < sizeof value) {
            snprintf(value, sizeof value, "%.*s", (int)len, p);
            if (ap_mg__perm_node(ctx, sid, sizeof sid, res_low, ap_mg__app_name(ctx->mg, res_low),
                          value, false, NULL) == NULL
                || (e = ap_mg__edge(ctx, cid, "member_of", sid, AP_RIGHTS_ALL)) == NULL)
                return AP_ENOMEM;
            ap_mg__set(e, "consent_type", consent);
            ap_mg__set(e, "consent_principal", who);
        }
        p += len;
        while (*p == ' ')
            p++;
    }
    return AP_OK;
}

static int app_role_assignment(ap_import_ctx *ctx, const json_t *o)
{
    const char *who = ap_mg__str(o, "principalId"), *res = ap_mg__str(o, "resourceId");
    const char *role = ap_mg__str(o, "appRoleId"), *ptype = ap_mg__str(o, "principalType");
    const char *value, *type;
    char pid[256], perm[512], res_low[MG_ID_MAX + 1], role_low[MG_ID_MAX + 1];
    json_t *e;
    if (who == NULL || res == NULL || role == NULL)
        return ap_mg__fail(ctx, o, "an appRoleAssignment without %s", who == NULL ? "principalId"
                    : res == NULL ? "resourceId" : "appRoleId");
    if (ap_mg__too_long(ctx, o, "principalId", who, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "resourceId", res, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "appRoleId", role, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "roleDisplayName", ap_mg__str(o, "roleDisplayName"),
                           MG_VALUE_MAX))
        return AP_EINPUT;
    type = ptype == NULL || strcasecmp(ptype, "ServicePrincipal") == 0 ? "service_principal"
         : strcasecmp(ptype, "Group") == 0 ? "group" : "user";
    principal(ctx, pid, sizeof pid, who, type, ap_mg__str(o, "principalDisplayName"));
    ap_mg__lower_copy(res_low, sizeof res_low, res);
    ap_mg__lower_copy(role_low, sizeof role_low, role);
    if (strcmp(role_low, "00000000-0000-0000-0000-000000000000") == 0)
        value = "default access";
    else if ((value = ap_mg__permission(ctx->mg, role_low)) == NULL
             && (value = ap_mg__str(o, "roleDisplayName")) == NULL)
        value = role_low;
    if (ap_mg__perm_node(ctx, perm, sizeof perm, res_low, ap_mg__str(o, "resourceDisplayName"),
                         value, true, role_low) == NULL
        || (e = ap_mg__edge(ctx, pid, "member_of", perm, AP_RIGHTS_ALL)) == NULL)
        return AP_ENOMEM;
    ap_mg__copy_time(e, "valid_from", ap_mg__get(o, "createdDateTime"));
    return AP_OK;
}

static int role_assignment(ap_import_ctx *ctx, const json_t *o)
{
    const char *who = ap_mg__str(o, "principalId"), *def = ap_mg__str(o, "roleDefinitionId");
    const char *scope = ap_mg__str(o, "directoryScopeId");
    char pid[256], rid[256];
    json_t *e;
    if (who == NULL || def == NULL)
        return ap_mg__fail(ctx, o, "a role assignment without %s", who == NULL ? "principalId"
                    : "roleDefinitionId");
    if (ap_mg__too_long(ctx, o, "principalId", who, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "roleDefinitionId", def, MG_ID_MAX))
        return AP_EINPUT;
    principal(ctx, pid, sizeof pid, who, "directory_principal", NULL);
    if (ap_mg__role_node(ctx, rid, sizeof rid, def, NULL, NULL) == NULL
        || (e = ap_mg__edge(ctx, pid, "member_of", rid, AP_RIGHTS_ALL)) == NULL)
        return AP_ENOMEM;
    if (scope != NULL && strcmp(scope, "/") != 0) {
        ap_mg__set(e, "directory_scope", scope);
        ap_mg__note(ctx, "role assignment scoped to an administrative unit or object (taken as the "
             "whole directory: an over-approximation)");
    }
    return AP_OK;
}

int ap_mg__object(ap_import_ctx *ctx, const json_t *obj, mg_type type, const char *parent)
{
    char owner[300];           /* "entra:owner-of:" and a file's name of up to 255 bytes */
    switch (type) {
    case MG_SERVICE_PRINCIPAL: return service_principal(ctx, obj);
    case MG_APPLICATION: return application(ctx, obj);
    case MG_GRANT: return grant(ctx, obj);
    case MG_APP_ROLE_ASSIGNMENT: return app_role_assignment(ctx, obj);
    case MG_ROLE_ASSIGNMENT: return role_assignment(ctx, obj);
    case MG_GDAP_RELATIONSHIP: return ap_mg__gdap_relationship(ctx, obj);
    case MG_GDAP_ASSIGNMENT: return ap_mg__gdap_assignment(ctx, obj, parent);
    case MG_CROSS_TENANT_PARTNER: return ap_mg__cross_tenant(ctx, obj);
    case MG_FEDERATED_CREDENTIAL:
        if (parent != NULL) {
            obj_id(owner, sizeof owner, parent);
            ap_mg__node(ctx, owner, AP_KIND_IDENTITY, NULL, "application", true);
        } else {
            const char *base = strrchr(ctx->path, '/');
            char name[400];
            snprintf(owner, sizeof owner, "entra:owner-of:%s", base != NULL ? base + 1
                     : ctx->path);
            snprintf(name, sizeof name, "the application whose federated credentials %s "
                     "lists", base != NULL ? base + 1 : ctx->path);
            ap_mg__node(ctx, owner, AP_KIND_IDENTITY, name, "application", true);
        }
        return ap_mg__federated(ctx, obj, owner);
    case MG_SIGN_IN_ACTIVITY:
        return ap_mg__fail(ctx, obj, "Microsoft Graph servicePrincipalSignInActivities is observed "
                    "use (when apps signed in), not access: import it with --as usage%s", "");
    case MG_PERMISSION_LIST:
        return ap_mg__fail(ctx, obj, "a list of permissions or apps that names no holder "
                    "(reference data, no principalId): nothing to import; give the service "
                    "principals' appRoleAssignments instead%s", "");
    default:
        return ap_mg__fail(ctx, obj, "not a Microsoft Graph object authpath reads (expected a "
                    "service principal, application, oauth2PermissionGrant, appRoleAssignment, "
                    "federated identity credential, role assignment, delegatedAdminRelationship, "
                    "access assignment or cross-tenant access partner)%s", "");
    }
}

/* ---- the end of the import ---- */

int ap_mg__link(ap_import_ctx *ctx)
{
    mg_state *s = ctx->mg;
    json_t *by_app = json_object();
    if (by_app == NULL)
        return AP_ENOMEM;
    for (size_t i = 0; i < s->nodes.n; i++) {     /* service principals by appId */
        json_t *o = s->nodes.v[i].obj;
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *app = json_string_value(json_object_get(o, "app_id"));
        if (type != NULL && app != NULL && strcmp(type, "service_principal") == 0)
            json_object_set(by_app, app, json_object_get(o, "id"));
    }
    for (size_t i = 0, n = s->nodes.n; i < n; i++) {
        mg_item *it = &s->nodes.v[i];
        json_t *o = it->obj, *list, *c;
        const char *type = json_string_value(json_object_get(o, "type"));
        const char *owner = json_string_value(json_object_get(o, "_owner"));
        const char *app = json_string_value(json_object_get(o, "app_id"));
        const char *id = json_string_value(json_object_get(o, "id"));
        const char *pub = json_string_value(json_object_get(o, "verified_publisher"));
        char pid[256], name[300], tlow[MG_ID_MAX + 1];
        json_t *p;
        size_t k;
        s->line = it->line;
        s->col = it->col;
        ctx->file = it->file;
        ctx->path = it->path;
        if (type != NULL && strcmp(type, "application") == 0 && app != NULL
            && json_object_get(by_app, app) != NULL
            && ap_mg__edge(ctx, id, "admin_of", json_string_value(json_object_get(by_app, app)),
                           AP_RIGHTS_ALL) == NULL) {
            json_decref(by_app);
            return AP_ENOMEM;
        }
        if (owner == NULL || json_is_true(json_object_get(o, "microsoft_first_party"))
            || is_home(s, owner))
            continue;
        ap_mg__lower_copy(tlow, sizeof tlow, owner);
        snprintf(pid, sizeof pid, "entra:tenant:%s", tlow);
        if (pub != NULL)
            ap_import__label(name, sizeof name, "%s (Entra tenant %s)", pub, tlow);
        else if (json_object_get(o, "publisher_name") != NULL)
            ap_import__label(name, sizeof name, "%s (Entra tenant %s)",
                             json_string_value(json_object_get(o, "publisher_name")), tlow);
        else
            snprintf(name, sizeof name, "Entra tenant %s", tlow);
        json_object_set_new(o, "third_party", json_true());
        ap_mg__set(o, "domain", pid);
        if ((p = ap_mg__node(ctx, pid, AP_KIND_PARTNER, name, "entra_tenant", true)) == NULL
            || ap_mg__edge(ctx, pid, "admin_of", id, AP_RIGHTS_ALL) == NULL) {
            json_decref(by_app);
            return AP_ENOMEM;
        }
        o = s->nodes.v[i].obj;          /* the list may have moved */
        list = json_object_get(o, "_creds");
        json_array_foreach(list, k, c)
            if (ap_mg__edge(ctx, pid, "holds", json_string_value(c), AP_RIGHTS_ALL) == NULL) {
                json_decref(by_app);
                return AP_ENOMEM;
            }
    }
    json_decref(by_app);
    return AP_OK;
}
