/* import/usage_entra.c: Microsoft Entra sign-ins as observed use: sign-in log records (signIn)
 * and the servicePrincipalSignInActivities report; the app or user as actor, the resource as target. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "msgraph_internal.h"
#include "usage_internal.h"

/* The sub-activities of a servicePrincipalSignInActivity in which the app was the client: each
 * is a sign-in by the app. Those where it was the resource name no client, and
 * lastSignInActivity repeats the latest of the four: neither is an event. */
static const struct { const char *key, *action; } client_activities[] = {
    { "applicationAuthenticationClientSignInActivity", "sign-in (app-only, as client)" },
    { "delegatedClientSignInActivity", "sign-in (delegated, as client)" },
};

static const char *str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s != NULL && s[0] != '\0' ? s : NULL;
}

bool ap_usage__entra_shape(const json_t *ev)
{
    for (size_t i = 0; i < sizeof client_activities / sizeof client_activities[0]; i++)
        if (json_object_get(ev, client_activities[i].key) != NULL)
            return true;
    return json_object_get(ev, "lastSignInActivity") != NULL
           || (json_object_get(ev, "createdDateTime") != NULL
               && json_object_get(ev, "appId") != NULL
               && (json_object_get(ev, "status") != NULL
                   || json_object_get(ev, "resourceId") != NULL));
}

/* RFC 3339, or Graph's sample form with a one-digit offset hour ("-8:00" for "-08:00"). */
static bool entra_time(const char *s, int64_t *out)
{
    char fixed[64];
    size_t n;
    if (ap_time_parse(s, out))
        return true;
    if (strncmp(s, "/Date(", 6) == 0) {     /* Windows PowerShell's ConvertTo-Json */
        json_t *v = json_string(s);
        bool ok = ap_mg__time(v, out);
        json_decref(v);
        return ok;
    }
    n = strlen(s);
    if (n < 5 || n + 2 > sizeof fixed || (s[n - 5] != '+' && s[n - 5] != '-')
        || !isdigit((unsigned char)s[n - 4]) || s[n - 3] != ':')
        return false;
    snprintf(fixed, sizeof fixed, "%.*s0%s", (int)(n - 4), s, s + n - 4);
    return ap_time_parse(fixed, out);
}

/* The ids read are at most MG_ID_MAX bytes, as the Graph reader reads them (Graph's are GUIDs):
 * the node ids built from them are whole, never two actors made one by a cut. */
#define ID_SIZE (MG_ID_MAX + 20)

/* The first of the record's id fields longer than MG_ID_MAX, or NULL. */
static const char *long_id(const json_t *ev)
{
    static const char *const keys[] = { "servicePrincipalId", "appId", "userId",
                                        "resourceServicePrincipalId", "resourceId" };
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = str(ev, keys[i]);
        if (v != NULL && strlen(v) > MG_ID_MAX)
            return keys[i];
    }
    return NULL;
}

static void lower_id(char *buf, size_t size, const char *prefix, const char *id)
{
    size_t n = (size_t)snprintf(buf, size, "%s", prefix);
    for (; *id != '\0' && n + 1 < size; id++)
        buf[n++] = (char)tolower((unsigned char)*id);
    buf[n < size ? n : size - 1] = '\0';
}

/* The app's node candidates, as the Graph reader names them (docs/sources/msgraph.md): its
 * service principal by object id, the node whose app_id it is, the first-party entry. */
static void app_actors(ap_usage_import *ui, const char *sp_id, const char *app_id,
                       char sp[][ID_SIZE], const char **actors)
{
    actors[0] = actors[1] = actors[2] = NULL;
    if (sp_id != NULL) {
        lower_id(sp[0], ID_SIZE, "entra:", sp_id);
        actors[0] = sp[0];
    }
    if (app_id != NULL) {
        actors[1] = ap_usage__app_node(ui, app_id);
        lower_id(sp[1], ID_SIZE, "entra:appid:", app_id);
        actors[2] = sp[1];
    }
}

/* What a sign-in was to: the resource's API node when the snapshot has one, else the API as
 * the Graph reader would name it; a record without a resource names the sign-in itself. */
static void resource_target(ap_usage_import *ui, const json_t *ev, char *buf, size_t size)
{
    const char *rsp = str(ev, "resourceServicePrincipalId"), *rid = str(ev, "resourceId");
    const char *node = rid != NULL ? ap_usage__app_node(ui, rid) : NULL;
    char cand[4][ID_SIZE];
    size_t n = 0;
    if (rsp != NULL) {
        snprintf(cand[n++], sizeof cand[0], "entra:api:%s", rsp);
        lower_id(cand[n++], sizeof cand[0], "entra:api:", rsp);
    }
    /* a snapshot's node id may be longer than the Graph reader's: only whole, a candidate */
    if (node != NULL && strncmp(node, "entra:", 6) == 0
        && strlen(node + 6) + sizeof "entra:api:" <= sizeof cand[0])
        snprintf(cand[n++], sizeof cand[0], "entra:api:%s", node + 6);
    if (rid != NULL)
        snprintf(cand[n++], sizeof cand[0], "entra:api:%s", rid);
    for (size_t i = 0; i < n; i++)
        if (ap_usage__known(ui, cand[i])) {
            snprintf(buf, size, "%s", cand[i]);
            return;
        }
    snprintf(buf, size, "%s", n > 0 ? cand[0] : "entra:sign-in");
}

/* One signIn record: a service principal's or a user's sign-in to a resource. */
static int sign_in(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err)
{
    const json_t *status = json_object_get(ev, "status"), *types;
    const json_t *code = json_object_get(status, "errorCode");
    const char *time = str(ev, "createdDateTime"), *user = str(ev, "userId");
    const char *sp_id = str(ev, "servicePrincipalId"), *app_id = str(ev, "appId");
    char ids[2][ID_SIZE], target[1024], userid[ID_SIZE], action[64] = "sign-in", via[ID_SIZE];
    const char *actors[3], *too_long = long_id(ev);
    bool as_app = sp_id != NULL || user == NULL;
    ap_obs_rec r;
    memset(&r, 0, sizeof r);
    r.line = line;
    if (too_long != NULL)
        return ap_usage__fail(ui, line, 1, err, "a sign-in whose %s is longer than %d bytes, "
                              "more than authpath reads whole (Graph ids are GUIDs of 36)",
                              too_long, MG_ID_MAX);
    if (time == NULL || !entra_time(time, &r.at))
        return ap_usage__fail(ui, line, 1, err, "a sign-in whose createdDateTime is %s",
                              time == NULL ? "missing" : "not an RFC 3339 time");
    if (code != NULL && !json_is_integer(code) && !json_is_null(code))
        return ap_usage__fail(ui, line, 1, err, "a sign-in whose status.errorCode is not a "
                              "number");
    types = json_object_get(ev, "signInEventTypes");
    for (size_t i = 0; i < json_array_size(types); i++) {
        const char *t = json_string_value(json_array_get(types, i));
        if (t != NULL && (strcmp(t, "servicePrincipal") == 0
                          || strcmp(t, "managedIdentity") == 0))
            as_app = true;
    }
    app_actors(ui, sp_id, app_id, ids, actors);
    if (!as_app) {          /* a user signing in through the app: the user acts */
        lower_id(userid, sizeof userid, "entra:", user);
        actors[0] = NULL;
        actors[1] = userid;
        actors[2] = NULL;
        if (app_id != NULL) {
            snprintf(via, sizeof via, "%s", ids[1]);
            r.via = via;
        }
        snprintf(action, sizeof action, "sign-in (user)");
    }
    resource_target(ui, ev, target, sizeof target);
    r.target = target;
    r.rights = 0;           /* a sign-in says where a token was for, not what it did there */
    r.action = action;
    r.event_id = str(ev, "id");
    /* 0 is a success; without a code (a $select export that left status out) the record says
     * a sign-in was tried, not that it worked: an attempt, not a use */
    r.ok = json_is_integer(code) && json_integer_value(code) == 0;
    return ap_usage__event(ui, &r, actors, 3, err);
}

/* One servicePrincipalSignInActivity: an event per sub-activity in which the app was client. */
static int activity(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err)
{
    const char *app_id = str(ev, "appId");
    char ids[2][ID_SIZE];
    const char *actors[3];
    if (app_id == NULL)
        return ap_usage__fail(ui, line, 1, err, "a servicePrincipalSignInActivity without "
                              "appId");
    if (strlen(app_id) > MG_ID_MAX)
        return ap_usage__fail(ui, line, 1, err, "a servicePrincipalSignInActivity whose appId "
                              "is longer than %d bytes, more than authpath reads whole (Graph "
                              "ids are GUIDs of 36)", MG_ID_MAX);
    app_actors(ui, NULL, app_id, ids, actors);
    for (size_t i = 0; i < sizeof client_activities / sizeof client_activities[0]; i++) {
        const json_t *a = json_object_get(ev, client_activities[i].key);
        const char *time = str(a, "lastSignInDateTime");
        ap_obs_rec r;
        int rc;
        if (time == NULL)
            continue;           /* null: the app never signed in that way */
        memset(&r, 0, sizeof r);
        r.line = line;
        if (!entra_time(time, &r.at))
            return ap_usage__fail(ui, line, 1, err, "%s.lastSignInDateTime is not an RFC 3339 "
                                  "time", client_activities[i].key);
        r.target = "entra:sign-in";
        r.rights = 0;
        r.action = client_activities[i].action;
        r.event_id = str(a, "lastSignInRequestId");
        r.ok = true;
        if ((rc = ap_usage__event(ui, &r, actors, 3, err)) < 0)
            return rc;
    }
    return AP_OK;           /* none: the app signed in only as a resource, or never */
}

int ap_usage__entra(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err)
{
    if (json_object_get(ev, "createdDateTime") != NULL && json_object_get(ev, "appId") != NULL)
        return sign_in(ui, ev, line, err);
    return activity(ui, ev, line, err);
}
