/* import/msgraph_data.c: the Entra tables data/ ships (built-in roles, Graph permission ids,
 * Microsoft's first-party apps), carried by the library, and what a permission grants. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "msgraph_internal.h"

/* Generated from data/ by cmake/embed.cmake. */
extern const unsigned char ap_data_entra_roles[];
extern const unsigned char ap_data_msgraph_permissions[];
extern const unsigned char ap_data_microsoft_apps[];

/* Microsoft's own tenants: the owners of its first-party apps (data/microsoft-apps.tsv's
 * source lists them as AppOwnerOrganizationId). */
static const char *const ms_tenants[] = {
    "f8cdef31-a31e-4b4a-93e4-5f571e91255a", "72f988bf-86f1-41af-91ab-2d7cd011db47",
    "cdc5aeea-15c5-4db6-b079-fcadd2505dc2",
};

/* Each line of a TSV table (comments '#' skipped) as up to 3 fields; calls add for each. */
static int each_row(const char *text, int (*add)(mg_state *s, char **f, int n), mg_state *s)
{
    const char *p = text;
    char line[512];
    while (*p != '\0') {
        const char *nl = strchr(p, '\n');
        size_t len = nl != NULL ? (size_t)(nl - p) : strlen(p);
        char *f[3] = { NULL, NULL, NULL };
        int n = 0;
        if (len > 0 && p[0] != '#' && len < sizeof line) {
            memcpy(line, p, len);
            line[len] = '\0';
            for (char *q = line; n < 3 && q != NULL; n++) {
                f[n] = q;
                if ((q = strchr(q, '\t')) != NULL)
                    *q++ = '\0';
            }
            if (add(s, f, n) < 0)
                return AP_ENOMEM;
        }
        p += len + (nl != NULL);
    }
    return AP_OK;
}

static int add_role(mg_state *s, char **f, int n)
{
    json_t *v;
    if (n < 3)
        return AP_OK;
    v = json_pack("[ss]", f[1], f[2]);
    return v == NULL || json_object_set_new(s->roles, f[0], v) < 0 ? AP_ENOMEM : AP_OK;
}

static int add_perm(mg_state *s, char **f, int n)
{
    json_t *v;
    if (n < 3 || json_object_get(s->perms, f[0]) != NULL)
        return AP_OK;
    v = json_pack("[ss]", f[2], f[1]);
    return v == NULL || json_object_set_new(s->perms, f[0], v) < 0 ? AP_ENOMEM : AP_OK;
}

static int add_app(mg_state *s, char **f, int n)
{
    if (n < 2)
        return AP_OK;
    return json_object_set_new(s->apps, f[0], json_string(f[1])) < 0 ? AP_ENOMEM : AP_OK;
}

int ap_mg__data_load(mg_state *s)
{
    if (s->roles != NULL)
        return AP_OK;
    s->roles = json_object();
    s->perms = json_object();
    s->apps = json_object();
    s->ms_tenants = json_object();
    if (s->roles == NULL || s->perms == NULL || s->apps == NULL || s->ms_tenants == NULL)
        return AP_ENOMEM;
    for (size_t i = 0; i < sizeof ms_tenants / sizeof ms_tenants[0]; i++)
        if (json_object_set_new(s->ms_tenants, ms_tenants[i], json_true()) < 0)
            return AP_ENOMEM;
    if (each_row((const char *)ap_data_entra_roles, add_role, s) < 0
        || each_row((const char *)ap_data_msgraph_permissions, add_perm, s) < 0
        || each_row((const char *)ap_data_microsoft_apps, add_app, s) < 0)
        return AP_ENOMEM;
    return AP_OK;
}

/* Ids compare in lower case, as Graph writes them. */
static void lower(char *buf, size_t size, const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < size; i++)
        buf[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] - 'A' + 'a' : s[i]);
    buf[i] = '\0';
}

const char *ap_mg__role(const mg_state *s, const char *template_id, mg_role_class *cls)
{
    static const char *const classes[] = { "other", "reader", "privileged", "escalates",
                                           "global" };
    char id[MG_ID_MAX + 1];
    json_t *v;
    *cls = MG_ROLE_OTHER;
    lower(id, sizeof id, template_id);
    if ((v = json_object_get(s->roles, id)) == NULL)
        return NULL;
    for (int i = 0; i < 5; i++)
        if (strcmp(json_string_value(json_array_get(v, 1)), classes[i]) == 0)
            *cls = (mg_role_class)i;
    return json_string_value(json_array_get(v, 0));
}

const char *ap_mg__permission(const mg_state *s, const char *id)
{
    char key[MG_ID_MAX + 1];
    lower(key, sizeof key, id);
    return json_string_value(json_array_get(json_object_get(s->perms, key), 0));
}

bool ap_mg__microsoft(const mg_state *s, const char *app_id, const char *owner_tenant)
{
    char key[MG_ID_MAX + 1];
    if (app_id != NULL) {
        lower(key, sizeof key, app_id);
        if (json_object_get(s->apps, key) != NULL)
            return true;
    }
    if (owner_tenant != NULL) {
        lower(key, sizeof key, owner_tenant);
        if (json_object_get(s->ms_tenants, key) != NULL)
            return true;
    }
    return false;
}

const char *ap_mg__app_name(const mg_state *s, const char *app_id)
{
    char key[MG_ID_MAX + 1];
    lower(key, sizeof key, app_id);
    return json_string_value(json_object_get(s->apps, key));
}

/* Does the permission value hold word as one of its dot-separated parts (any case)? */
static bool part(const char *value, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = value; *p != '\0';) {
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        if (len == n && strncasecmp(p, word, n) == 0)
            return true;
        p += len + (dot != NULL);
    }
    return false;
}

#define R(b) ((ap_rights)1 << (b))

ap_rights ap_mg__perm_rights(const char *value)
{
    static const char *const everything[] = { "full_access_as_app", "FullControl", "Manage",
                                              "ManageAsApp", "ManageAll" };
    static const char *const as_user[] = { "user_impersonation", "access_as_user",
                                           "AccessAsUser", "AccessAsApp" };
    static const char *const identity[] = { "openid", "profile", "email", "offline_access" };
    for (size_t i = 0; i < sizeof everything / sizeof everything[0]; i++)
        if (part(value, everything[i]))
            return R(AP_R_READ) | R(AP_R_WRITE) | R(AP_R_DELETE) | R(AP_R_ADMIN);
    for (size_t i = 0; i < sizeof as_user / sizeof as_user[0]; i++)
        if (part(value, as_user[i]))
            return R(AP_R_READ) | R(AP_R_WRITE) | R(AP_R_DELETE);
    if (part(value, "ReadWrite"))
        return R(AP_R_READ) | R(AP_R_WRITE) | R(AP_R_DELETE);
    if (part(value, "Send") || part(value, "Invite") || part(value, "Export"))
        return R(AP_R_EXECUTE);
    if (part(value, "Create") || part(value, "Write") || part(value, "Update"))
        return R(AP_R_WRITE);
    if (part(value, "Read") || part(value, "ReadBasic") || part(value, "ReadAll"))
        return R(AP_R_READ);
    for (size_t i = 0; i < sizeof identity / sizeof identity[0]; i++)
        if (strcasecmp(value, identity[i]) == 0)
            return R(AP_R_READ);
    return R(AP_R_EXECUTE);         /* another verb: calling the API, no more is known */
}

/* Application permissions with a published path to Global Administrator: each lets its
 * holder assign itself a directory role, a Graph app role, or a credential of a more
 * privileged app (docs/sources/msgraph.md names the chains). */
static const char *const escalating[] = {
    "RoleManagement.ReadWrite.Directory", "AppRoleAssignment.ReadWrite.All",
    "Application.ReadWrite.All", "RoleAssignmentSchedule.ReadWrite.Directory",
    "RoleEligibilitySchedule.ReadWrite.Directory", "PrivilegedAccess.ReadWrite.AzureADGroup",
    "PrivilegedAssignmentSchedule.ReadWrite.AzureADGroup",
    "PrivilegedEligibilitySchedule.ReadWrite.AzureADGroup", "Policy.ReadWrite.PermissionGrant",
    "UserAuthenticationMethod.ReadWrite.All", "Directory.ReadWrite.All",
};

bool ap_mg__perm_escalates(const char *value)
{
    for (size_t i = 0; i < sizeof escalating / sizeof escalating[0]; i++)
        if (strcasecmp(value, escalating[i]) == 0)
            return true;
    return false;
}

bool ap_mg__perm_privileged(const char *value)
{
    size_t n = strlen(value);
    if (ap_mg__perm_escalates(value) || part(value, "FullControl")
        || part(value, "full_access_as_app") || part(value, "AccessAsUser")
        || strcasecmp(value, "Mail.Send") == 0)
        return true;
    return n > 14 && strcasecmp(value + n - 14, ".ReadWrite.All") == 0;
}
