/* import/msgraph_gdap.c: GDAP (granular delegated admin) relationships and their access
 * assignments, and cross-tenant access partners, into authpath's model. */
#include <stdio.h>
#include <string.h>

#include "msgraph_internal.h"

#define R(b) ((ap_rights)1 << (b))
#define GDAP_PARTNER "entra:gdap-partner"

static json_t *gdap_partner(ap_import_ctx *ctx)
{
    return ap_mg__node(ctx, GDAP_PARTNER, AP_KIND_PARTNER, "GDAP partner (the tenant these "
                       "delegated admin relationships belong to)", "gdap_partner", true);
}

/* An ISO 8601 duration other than zero ("P180D" yes, "PT0S" no). */
static bool nonzero_duration(const char *d)
{
    if (d == NULL)
        return false;
    for (; *d != '\0'; d++)
        if (*d >= '1' && *d <= '9')
            return true;
    return false;
}

/* A relationship's state from its Graph status (docs/sources/msgraph.md, "GDAP liveness").
 * Only a status that says so makes it active: without one (a $select export that left it out)
 * or with one this build does not know (unknownFutureValue), nothing says the relationship is
 * live, nor that it ended; "suspended" holds its authority back without claiming either. */
static const char *relationship_state(const char *status)
{
    static const char *const map[][2] = {
        { "active", "active" }, { "expiring", "active" },  /* still live until endDateTime */
        { "approved", "approved" }, { "activating", "approved" },
        { "created", "requested" }, { "approvalPending", "requested" },
        { "terminationRequested", "revoked" }, { "terminating", "revoked" },
        { "terminated", "revoked" }, { "expired", "revoked" },
    };
    for (size_t i = 0; status != NULL && i < sizeof map / sizeof map[0]; i++)
        if (strcmp(status, map[i][0]) == 0)
            return map[i][1];
    return "suspended";
}

int ap_mg__gdap_relationship(ap_import_ctx *ctx, const json_t *o)
{
    const char *rid = ap_mg__str(o, "id"), *status = ap_mg__str(o, "status");
    const json_t *cust = ap_mg__get(o, "customer");
    const char *tenant = ap_mg__str(cust, "tenantId"), *cname = ap_mg__str(cust, "displayName");
    const char *ext = ap_mg__str(o, "autoExtendDuration"), *state;
    const json_t *roles = ap_mg__get(ap_mg__get(o, "accessDetails"), "unifiedRoles"), *r;
    char id[256], tlow[MG_ID_MAX + 1], role[512];
    size_t i;
    char privileged[1024] = "";
    int64_t end;
    json_t *n, *e;
    if (rid == NULL)
        return ap_mg__fail(ctx, o, "a delegatedAdminRelationship without %s", "id");
    if (ap_mg__too_long(ctx, o, "id", rid, MG_ID_MAX)
        || ap_mg__too_long(ctx, o, "customer.tenantId", tenant, MG_ID_MAX))
        return AP_EINPUT;
    if (tenant == NULL) {
        /* Graph: the partner may leave the customer out when it creates the relationship;
         * the system fills it in when the customer approves */
        tenant = "unknown-customer";
        cname = "the customer of a relationship not yet approved";
        ap_mg__note(ctx, "GDAP relationships that name no customer yet (its roles are named "
                    "for 'unknown-customer')");
    }
    ap_mg__lower_copy(tlow, sizeof tlow, tenant);
    snprintf(id, sizeof id, "entra:gdap:%s", rid);
    if (gdap_partner(ctx) == NULL
        || (n = ap_mg__node(ctx, id, AP_KIND_ROLE, ap_mg__str(o, "displayName"),
                            "gdap_relationship", false)) == NULL)
        return AP_ENOMEM;
    state = relationship_state(status);
    if (strcmp(state, "suspended") == 0)
        ap_mg__note(ctx, "GDAP relationships whose status is missing (an export with $select "
                    "that left it out) or unknown: taken as suspended, their roles carry no "
                    "authority (export 'status' to judge them)");
    ap_mg__set(n, "state", state);
    ap_mg__set(n, "gdap_status", status != NULL ? status : "unknown");
    ap_mg__set(n, "customer_tenant", tlow);
    ap_mg__set(n, "customer_name", cname);
    ap_mg__set(n, "duration", ap_mg__str(o, "duration"));
    ap_mg__set(n, "auto_extend_duration", ext);
    ap_mg__set(n, "indirect_provider_tenant", ap_mg__str(o, "indirectProviderTenantId"));
    ap_mg__copy_time(n, "valid_from", ap_mg__get(o, "activatedDateTime"));
    if (ap_mg__time(ap_mg__get(o, "endDateTime"), &end)) {
        ap_mg__set_time(n, "end_date", end);
        if (nonzero_duration(ext))
            json_object_set_new(n, "auto_extends", json_true());
        else
            ap_mg__set_time(n, "expires", end);
    }
    if ((e = ap_mg__edge(ctx, GDAP_PARTNER, "member_of", id, AP_RIGHTS_ALL)) == NULL)
        return AP_ENOMEM;
    json_array_foreach(roles, i, r) {
        const char *def = ap_mg__str(r, "roleDefinitionId");
        mg_role_class cls;
        if (def == NULL)
            continue;
        if (ap_mg__role_node(ctx, role, sizeof role, def, tlow, cname) == NULL
            || ap_mg__edge(ctx, id, "member_of", role, AP_RIGHTS_ALL) == NULL)
            return AP_ENOMEM;
        if (ap_mg__role(ctx->mg, def, &cls) != NULL && cls >= MG_ROLE_PRIVILEGED) {
            size_t used = strlen(privileged);
            snprintf(privileged + used, sizeof privileged - used, "%s%s", used > 0 ? ", " : "",
                     ap_mg__role(ctx->mg, def, &cls));
        }
    }
    if (privileged[0] != '\0')
        ap_mg__set(n, "privileged_roles", privileged);
    return AP_OK;
}

/* An access assignment's status Graph documents (pending, active, deleting, deleted, error):
 * without one, or with another, its grants are held back as a relationship's are. */
static bool assignment_status_known(const char *status)
{
    static const char *const known[] = { "active", "pending", "deleting", "deleted", "error" };
    for (size_t i = 0; status != NULL && i < sizeof known / sizeof known[0]; i++)
        if (strcmp(status, known[i]) == 0)
            return true;
    return false;
}

int ap_mg__gdap_assignment(ap_import_ctx *ctx, const json_t *o, const char *rel)
{
    const json_t *ac = ap_mg__get(o, "accessContainer");
    const char *gid = ap_mg__str(ac, "accessContainerId"), *status = ap_mg__str(o, "status");
    const json_t *roles = ap_mg__get(ap_mg__get(o, "accessDetails"), "unifiedRoles"), *r;
    const char *tenant = "unknown-customer", *cname = "the customer of a relationship not "
        "in the files";
    char gnode[256], relid[256], role[512], name[256];
    json_t *g, *e, *reln = NULL;
    size_t i;
    if (gid == NULL)
        return ap_mg__fail(ctx, o, "an access assignment without accessContainer.%s",
                    "accessContainerId");
    if (ap_mg__too_long(ctx, o, "accessContainer.accessContainerId", gid, MG_ID_MAX))
        return AP_EINPUT;
    if (rel != NULL) {
        snprintf(relid, sizeof relid, "entra:gdap:%s", rel);
        reln = ap_mg__node(ctx, relid, AP_KIND_ROLE, NULL, "gdap_relationship", true);
        if (json_object_get(reln, "customer_tenant") != NULL) {
            tenant = json_string_value(json_object_get(reln, "customer_tenant"));
            cname = json_string_value(json_object_get(reln, "customer_name"));
        }
    }
    snprintf(gnode, sizeof gnode, "entra:gdap-group:%s", gid);
    snprintf(name, sizeof name, "GDAP access group %s", gid);
    if (gdap_partner(ctx) == NULL
        || (g = ap_mg__node(ctx, gnode, AP_KIND_ROLE, name, "gdap_access_group", true)) == NULL)
        return AP_ENOMEM;
    ap_mg__set(g, "access_container_type", ap_mg__str(ac, "accessContainerType"));
    if ((e = ap_mg__edge(ctx, rel != NULL ? relid : GDAP_PARTNER, "member_of", gnode,
                         AP_RIGHTS_ALL)) == NULL)
        return AP_ENOMEM;
    if (rel == NULL)
        ap_mg__note(ctx, "access assignments whose relationship the file does not name (the "
             "customer is unknown: its roles are named for 'unknown-customer')");
    if (json_array_size(roles) > 0 && !assignment_status_known(status))
        ap_mg__note(ctx, "GDAP access assignments whose status is missing or unknown: taken as "
                    "suspended, their roles carry no authority (export 'status' to judge them)");
    json_array_foreach(roles, i, r) {
        const char *def = ap_mg__str(r, "roleDefinitionId");
        json_t *re;
        if (def == NULL)
            continue;
        if (ap_mg__role_node(ctx, role, sizeof role, def, tenant, cname) == NULL
            || (re = ap_mg__edge(ctx, gnode, "member_of", role, AP_RIGHTS_ALL)) == NULL)
            return AP_ENOMEM;
        if (!assignment_status_known(status))
            ap_mg__set(re, "state", "suspended");   /* unknown: neither live nor ended */
        else if (strcmp(status, "active") != 0)
            ap_mg__set(re, "state", strcmp(status, "pending") == 0 ? "requested" : "revoked");
        ap_mg__set(re, "gdap_assignment_status", status != NULL ? status : "unknown");
        ap_mg__set(re, "gdap_assignment", ap_mg__str(o, "id"));
    }
    return AP_OK;
}

/* A cross-tenant access partner: its users may reach the applications each inbound setting
 * allows (a null setting means the default policy applies: noted). */
int ap_mg__cross_tenant(ap_import_ctx *ctx, const json_t *o)
{
    static const char *const inbound[] = { "b2bCollaborationInbound", "b2bDirectConnectInbound" };
    const char *tenant = ap_mg__str(o, "tenantId");
    char pid[256], name[256], tlow[MG_ID_MAX + 1];
    json_t *p;
    if (tenant == NULL)
        return ap_mg__fail(ctx, o, "a cross-tenant access partner without %s", "tenantId");
    if (ap_mg__too_long(ctx, o, "tenantId", tenant, MG_ID_MAX))
        return AP_EINPUT;
    ap_mg__lower_copy(tlow, sizeof tlow, tenant);
    snprintf(pid, sizeof pid, "entra:tenant:%s", tlow);
    snprintf(name, sizeof name, "Entra tenant %s", tlow);
    if ((p = ap_mg__node(ctx, pid, AP_KIND_PARTNER, name, "entra_tenant", true)) == NULL)
        return AP_ENOMEM;
    ap_mg__set(p, "cross_tenant_partner", "true");
    for (size_t k = 0; k < 2; k++) {
        const json_t *set = ap_mg__get(o, inbound[k]), *apps, *users, *t;
        size_t i;
        if (set == NULL || json_is_null(set)) {
            ap_mg__note(ctx, "cross-tenant setting left to the default policy (not in the file: "
                 "nothing imported for it)");
            continue;
        }
        users = ap_mg__get(set, "usersAndGroups");
        apps = ap_mg__get(set, "applications");
        if (!json_is_object(apps) || !json_is_object(users)
            || strcmp(ap_mg__str(users, "accessType") ? ap_mg__str(users, "accessType") : "",
                      "allowed") != 0
            || strcmp(ap_mg__str(apps, "accessType") ? ap_mg__str(apps, "accessType") : "",
                      "allowed") != 0)
            continue;
        json_array_foreach(ap_mg__get(apps, "targets"), i, t) {
            const char *target = ap_mg__str(t, "target");
            char aid[256];
            json_t *e;
            if (target == NULL || ap_mg__too_long(ctx, t, "target", target, MG_ID_MAX))
                continue;
            snprintf(aid, sizeof aid, "entra:application:%s", target);
            if (ap_mg__node(ctx, aid, AP_KIND_RESOURCE, strcmp(target, "AllApplications") == 0
                            ? "all applications" : target, "application", true) == NULL
                || (e = ap_mg__edge(ctx, pid, "access", aid, R(AP_R_READ) | R(AP_R_WRITE)))
                   == NULL)
                return AP_ENOMEM;
            ap_mg__set(e, "cross_tenant_setting", inbound[k]);
        }
    }
    return AP_OK;
}
