/* import/msgraph_tools.c: Graph data as other tools save it: ROADtools' database export and
 * AzureHound's federated identity credentials, read through the Graph objects' own builders. */
#include <stdio.h>
#include <string.h>

#include "msgraph_internal.h"

/* ---- other tools' Graph data ---- */

int ap_mg__roadtools(ap_import_ctx *ctx, const json_t *doc)
{
    const json_t *apps = json_object_get(doc, "apps"), *app;
    const char *app_id;
    json_object_foreach((json_t *)apps, app_id, app) {
        const json_t *scopes = json_object_get(app, "scopes"), *list;
        const char *res;
        char id[256];
        json_t *n;
        bool bad = ap_mg__too_long(ctx, app, "an app's id", app_id, MG_ID_MAX);
        json_object_foreach((json_t *)scopes, res, list) {
            const json_t *s;
            size_t i;
            bad = ap_mg__too_long(ctx, app, "a resource's id", res, MG_ID_MAX) || bad;
            json_array_foreach(list, i, s)
                bad = ap_mg__too_long(ctx, app, "a scope", json_string_value(s), MG_VALUE_MAX)
                      || bad;
        }
        if (bad)
            continue;
        snprintf(id, sizeof id, "entra:appid:%s", app_id);
        if ((n = ap_mg__node(ctx, id, AP_KIND_IDENTITY, json_string_value(json_object_get(
                                 app, "name")), "microsoft_first_party_app", false)) == NULL)
            return AP_ENOMEM;
        ap_mg__set(n, "app_id", app_id);
        json_object_set_new(n, "microsoft_first_party", json_true());
        if (json_is_true(json_object_get(app, "foci")))
            json_object_set_new(n, "foci", json_true());
        json_object_foreach((json_t *)scopes, res, list) {
            const json_t *s;
            size_t i;
            json_array_foreach(list, i, s) {
                char sid[512];
                json_t *e;
                if (!json_is_string(s))
                    continue;
                if (ap_mg__perm_node(ctx, sid, sizeof sid, res, ap_mg__app_name(ctx->mg, res),
                              json_string_value(s), false, NULL) == NULL
                    || (e = ap_mg__edge(ctx, id, "member_of", sid, AP_RIGHTS_ALL)) == NULL)
                    return AP_ENOMEM;
                ap_mg__set(e, "consent_type", "preauthorized");
            }
        }
        ap_import__tick(ctx);
    }
    return AP_OK;
}

int ap_mg__azurehound_fic(ap_import_ctx *ctx, const json_t *doc)
{
    const json_t *rec;
    size_t i;
    json_array_foreach(json_object_get(doc, "data"), i, rec) {
        const char *kind = json_string_value(json_object_get(rec, "kind"));
        const json_t *fics = json_object_get(json_object_get(rec, "data"), "fics"), *f;
        size_t k;
        if (kind == NULL || strcmp(kind, "AZFederatedIdentityCredential") != 0) {
            ap_mg__note(ctx, "AzureHound record of another kind (only "
                        "AZFederatedIdentityCredential is read)");
            continue;
        }
        json_array_foreach(fics, k, f) {
            const char *app = json_string_value(json_object_get(f, "appId"));
            char owner[256];
            int rc;
            if (app == NULL) {
                ap_mg__fail(ctx, f, "an AzureHound federated credential without %s", "appId");
                continue;
            }
            if (ap_mg__too_long(ctx, f, "appId", app, MG_ID_MAX))
                continue;
            snprintf(owner, sizeof owner, "entra:appid:%s", app);
            if (ap_mg__node(ctx, owner, AP_KIND_IDENTITY, NULL, "application", true) == NULL)
                return AP_ENOMEM;
            ap_mg__set(ap_mg__node(ctx, owner, AP_KIND_IDENTITY, NULL, NULL, true), "app_id",
                       app);
            if ((rc = ap_mg__federated(ctx, json_object_get(f, "fic"), owner)) < 0
                && rc != AP_EINPUT)
                return rc;
        }
    }
    return AP_OK;
}
