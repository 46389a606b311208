/* import/usage_k8s.c: one Kubernetes audit event (audit.k8s.io Event) as observed use: the
 * service account or user, the object as the Kubernetes reader names it, the verb as a right. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "usage_internal.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Verbs as rights (docs/sources/usage.md). */
static const struct { const char *verb; int right; } verbs[] = {
    { "get", AP_R_READ }, { "list", AP_R_READ }, { "watch", AP_R_READ },
    { "create", AP_R_WRITE }, { "update", AP_R_WRITE }, { "patch", AP_R_WRITE },
    { "delete", AP_R_DELETE }, { "deletecollection", AP_R_DELETE },
    { "impersonate", AP_R_ADMIN }, { "bind", AP_R_ADMIN }, { "escalate", AP_R_ADMIN },
    { "approve", AP_R_APPROVE }, { "sign", AP_R_MINT },
};

/* The longest names read, as the Kubernetes reader reads them (docs/sources/kubernetes.md):
 * Kubernetes' limit for an object's name, and for a user's name room for
 * system:serviceaccount:NAMESPACE:NAME. The ids built from them are whole: cut short, two
 * users or objects alike in their first bytes would be one. */
#define NAME_MAX_BYTES 253
#define USER_MAX_BYTES 512

/* The first field of ev longer than its limit (its name into *what, its limit into *max). */
static bool too_long(const json_t *ev, const char **what, int *max)
{
    static const struct { const char *obj, *key, *what; int max; } fields[] = {
        { NULL, "verb", "verb", NAME_MAX_BYTES },
        { "user", "username", "user.username", USER_MAX_BYTES },
        { "impersonatedUser", "username", "impersonatedUser.username", USER_MAX_BYTES },
        { "objectRef", "namespace", "objectRef.namespace", NAME_MAX_BYTES },
        { "objectRef", "apiGroup", "objectRef.apiGroup", NAME_MAX_BYTES },
        { "objectRef", "resource", "objectRef.resource", NAME_MAX_BYTES },
        { "objectRef", "subresource", "objectRef.subresource", NAME_MAX_BYTES },
        { "objectRef", "name", "objectRef.name", NAME_MAX_BYTES },
    };
    const json_t *groups = json_object_get(json_object_get(ev, "user"), "groups");
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const json_t *o = fields[i].obj != NULL ? json_object_get(ev, fields[i].obj) : ev;
        const json_t *v = json_object_get(o, fields[i].key);
        if (json_is_string(v) && json_string_length(v) > (size_t)fields[i].max) {
            *what = fields[i].what;
            *max = fields[i].max;
            return true;
        }
    }
    for (size_t i = 0; i < json_array_size(groups); i++)
        if (json_string_length(json_array_get(groups, i)) > USER_MAX_BYTES) {
            *what = "user.groups entry";
            *max = USER_MAX_BYTES;
            return true;
        }
    groups = json_object_get(json_object_get(ev, "impersonatedUser"), "groups");
    for (size_t i = 0; i < json_array_size(groups); i++)
        if (json_string_length(json_array_get(groups, i)) > USER_MAX_BYTES) {
            *what = "impersonatedUser.groups entry";
            *max = USER_MAX_BYTES;
            return true;
        }
    return false;
}

/* Everyone's groups after the others, the others by id: the order a group is tried in as the
 * principal carrying a use (docs/sources/usage.md). */
static int group_order(const void *x, const void *y)
{
    const char *a = *(const char *const *)x, *b = *(const char *const *)y;
    bool ea = ap_usage_everyone(a), eb = ap_usage_everyone(b);
    return ea != eb ? (ea ? 1 : -1) : strcmp(a, b);
}

/* The nodes of the snapshot the names of user.groups are (group:NAME, else the partner a
 * partner map made of the group), once each, in the order tried, as a JSON list text (*out,
 * free()); NULL when the event names none the snapshot has. Memory grows with the groups the
 * snapshot has, not with the names an event lists. */
static int groups_of(ap_usage_import *ui, const json_t *groups, char **out, ap_error *err)
{
    size_t n = json_array_size(groups), m = 0;
    const char **ids = NULL;
    json_t *set, *list = NULL, *v;
    const char *key;
    char id[USER_MAX_BYTES + 8];
    int rc = AP_OK;
    *out = NULL;
    if (n == 0)
        return AP_OK;
    if ((set = json_object()) == NULL)
        return ap_error_nomem(err);
    for (size_t i = 0; i < n && rc == AP_OK; i++) {
        const char *name = json_string_value(json_array_get(groups, i)), *node;
        snprintf(id, sizeof id, "group:%s", name);
        node = ap_usage__known(ui, id) ? id : ap_usage__k8s_subject(ui, "Group", name);
        if (node != NULL && json_object_set_new(set, node, json_true()) < 0)
            rc = ap_error_nomem(err);
    }
    if (rc == AP_OK && json_object_size(set) > 0) {
        if ((ids = malloc(json_object_size(set) * sizeof *ids)) == NULL
            || (list = json_array()) == NULL)
            rc = ap_error_nomem(err);
        json_object_foreach(set, key, v)
            if (ids != NULL)
                ids[m++] = key;
        if (rc == AP_OK)
            qsort(ids, m, sizeof *ids, group_order);
        for (size_t k = 0; rc == AP_OK && k < m; k++)
            if (json_array_append_new(list, json_string(ids[k])) < 0)
                rc = ap_error_nomem(err);
        if (rc == AP_OK && (*out = json_dumps(list, JSON_COMPACT)) == NULL)
            rc = ap_error_nomem(err);
    }
    free(ids);
    json_decref(list);
    json_decref(set);
    return rc;
}

/* A group the API server adds to an impersonated user without asking for the right to
 * impersonate it: everyone's, and a service account's own groups. */
static bool added_unchecked(const char *group, const char *sa_ns, size_t sa_ns_len)
{
    if (strcmp(group, "system:authenticated") == 0)
        return true;
    if (sa_ns == NULL)
        return false;
    return strcmp(group, "system:serviceaccounts") == 0
           || (strncmp(group, "system:serviceaccounts:", 23) == 0
               && strlen(group + 23) == sa_ns_len && strncmp(group + 23, sa_ns, sa_ns_len) == 0);
}

/* The impersonation a request made (impersonatedUser, logged only once the API server has
 * allowed it): the requester used `impersonate` on the user or service account, and on each
 * group asked for, as objects the Kubernetes reader's impersonate rules name (users,
 * serviceaccounts in the account's namespace, groups). Stored beside the request's own use as
 * uses of the same event, so that the right to impersonate counts as used; r is the request's
 * record (actor, groups, time, event id), changed here. */
static int impersonation(ap_usage_import *ui, ap_obs_rec *r, const json_t *imp,
                         const char *const *actors, ap_error *err)
{
    const char *name = str(imp, "username"), *sa_ns = NULL;
    const json_t *groups = json_object_get(imp, "groups");
    char target[USER_MAX_BYTES + 64];
    size_t sa_ns_len = 0;
    int rc;
    r->rights = (ap_rights)1 << AP_R_ADMIN;
    r->via = NULL;
    r->ok = true;
    if (strncmp(name, "system:serviceaccount:", 22) == 0 && strchr(name + 22, ':') != NULL) {
        const char *colon = strchr(name + 22, ':');
        sa_ns = name + 22;
        sa_ns_len = (size_t)(colon - sa_ns);
        snprintf(target, sizeof target, "k8s:%.*s/core/serviceaccounts/%s", (int)sa_ns_len,
                 sa_ns, colon + 1);
        r->action = "impersonate serviceaccounts";
    } else {
        snprintf(target, sizeof target, "k8s:*/core/users/%s", name);
        r->action = "impersonate users";
    }
    r->target = target;
    if ((rc = ap_usage__event_part(ui, r, actors, 2, err)) < 0)
        return rc;
    r->action = "impersonate groups";
    for (size_t i = 0; i < json_array_size(groups); i++) {
        const char *g = json_string_value(json_array_get(groups, i));
        if (added_unchecked(g, sa_ns, sa_ns_len))     /* names checked: a list of strings */
            continue;
        snprintf(target, sizeof target, "k8s:*/core/groups/%s", g);
        if ((rc = ap_usage__event_part(ui, r, actors, 2, err)) < 0)
            return rc;
    }
    return AP_OK;
}

int ap_usage__k8s(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err)
{
    const json_t *user = json_object_get(ev, "user"), *ref = json_object_get(ev, "objectRef");
    const char *stage = str(ev, "stage"), *verb = str(ev, "verb");
    const char *name = str(user, "username");
    const char *imp = str(json_object_get(ev, "impersonatedUser"), "username");
    const char *time = str(ev, "stageTimestamp");
    const json_t *code = json_object_get(json_object_get(ev, "responseStatus"), "code");
    /* each holds what it is built from whole (too_long), a request URI aside (url) */
    char actor[USER_MAX_BYTES + 8], target[5 * NAME_MAX_BYTES + 16];
    char action[3 * NAME_MAX_BYTES + 24], via[USER_MAX_BYTES + 8], full[2 * NAME_MAX_BYTES + 2];
    char *url = NULL;
    const char *actors[2] = { actor, NULL }, *what;
    const json_t *groups = json_object_get(user, "groups");
    char *group_ids = NULL;
    ap_obs_rec r;
    int right = AP_R_WRITE, max, rc;
    memset(&r, 0, sizeof r);
    r.line = line;
    if (stage != NULL && strcmp(stage, "ResponseComplete") != 0
        && strcmp(stage, "Panic") != 0) {
        ap_usage__skip(ui, "an audit event at an earlier stage", line);
        return AP_OK;           /* the same request is logged again when it completes */
    }
    if (verb == NULL || name == NULL || verb[0] == '\0' || name[0] == '\0')
        return ap_usage__fail(ui, line, 1, err, "a Kubernetes audit event without %s",
                              verb == NULL ? "verb" : "user.username");
    if (time == NULL)
        time = str(ev, "requestReceivedTimestamp");
    if (time == NULL)           /* audit.k8s.io/v1alpha1 and early v1beta1 */
        time = str(ev, "timestamp");
    if (time == NULL || !ap_time_parse(time, &r.at))
        return ap_usage__fail(ui, line, 1, err, "a Kubernetes audit event whose timestamp is %s",
                              time == NULL ? "missing" : "not an RFC 3339 time");
    for (int k = 0; k < 2; k++) {
        const json_t *list = k == 0 ? groups : json_object_get(json_object_get(ev,
                                                              "impersonatedUser"), "groups");
        bool names = list == NULL || json_is_null(list) || json_is_array(list);
        for (size_t i = 0; names && i < json_array_size(list); i++)
            names = json_is_string(json_array_get(list, i));
        if (!names)
            return ap_usage__fail(ui, line, 1, err, "a Kubernetes audit event whose %s is not "
                                  "a list of group names",
                                  k == 0 ? "user.groups" : "impersonatedUser.groups");
    }
    if (too_long(ev, &what, &max))
        return ap_usage__fail(ui, line, 1, err, "a Kubernetes audit event whose %s is longer "
                              "than %d bytes, more than authpath reads whole", what, max);
    if (strncmp(name, "system:serviceaccount:", 22) == 0 && strchr(name + 22, ':') != NULL) {
        const char *colon = strchr(name + 22, ':');
        snprintf(actor, sizeof actor, "sa:%.*s/%s", (int)(colon - (name + 22)), name + 22,
                 colon + 1);
    } else {
        /* a user a partner map made a partner (docs/sources/kubernetes.md) is that partner */
        snprintf(actor, sizeof actor, "user:%s", name);
        actors[1] = ap_usage__k8s_subject(ui, "User", name);
    }
    full[0] = '\0';
    if (json_is_object(ref) && str(ref, "resource") != NULL) {
        const char *ns = str(ref, "namespace"), *group = str(ref, "apiGroup");
        const char *res = str(ref, "resource"), *obj = str(ref, "name");
        const char *sub = str(ref, "subresource");
        snprintf(full, sizeof full, "%s%s%s", res, sub != NULL ? "/" : "", sub != NULL ? sub : "");
        if (obj != NULL)
            snprintf(target, sizeof target, "k8s:%s/%s/%s/%s", ns != NULL ? ns : "*",
                     group != NULL && group[0] != '\0' ? group : "core", full, obj);
        else
            snprintf(target, sizeof target, "k8s:%s/%s/%s", ns != NULL ? ns : "*",
                     group != NULL && group[0] != '\0' ? group : "core", full);
    } else {
        const char *uri = str(ev, "requestURI");
        size_t len = strlen(uri != NULL ? uri : "?") + sizeof "k8s:url:";
        if (len > sizeof target && (url = malloc(len)) == NULL)     /* whole, however long */
            return ap_error_nomem(err);
        snprintf(url != NULL ? url : target, url != NULL ? len : sizeof target, "k8s:url:%s",
                 uri != NULL ? uri : "?");
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(verbs[i].verb, verb) == 0)
            right = verbs[i].right;
    /* the subresource too: "create pods/exec" is a shell in a pod, not a new pod */
    snprintf(action, sizeof action, "%s %s", verb, full[0] != '\0' ? full
                                                   : "(non-resource URL)");
    r.target = url != NULL ? url : target;
    r.rights = (ap_rights)1 << right;
    r.action = action;
    r.event_id = str(ev, "auditID");
    /* a request made as another user (kubectl --as): the requester acts, through the account
     * impersonated, which is how it was done */
    if (imp != NULL && strncmp(imp, "system:serviceaccount:", 22) == 0
        && strchr(imp + 22, ':') != NULL) {
        const char *colon = strchr(imp + 22, ':');
        snprintf(via, sizeof via, "sa:%.*s/%s", (int)(colon - (imp + 22)), imp + 22, colon + 1);
        r.via = via;
    } else if (imp != NULL) {
        snprintf(via, sizeof via, "user:%s", imp);
        r.via = via;
    }
    /* a request the API server panicked on did not succeed, whatever status it carries (the
     * Panic stage often has none): an attempt, not a use */
    r.ok = (!json_is_integer(code) || json_integer_value(code) < 400)
           && (stage == NULL || strcmp(stage, "Panic") != 0);
    /* the groups the requester acted with: a binding to one of them grants it what it did
     * (or, impersonating, its right to impersonate, whose chain reaches the account used) */
    if ((rc = groups_of(ui, groups, &group_ids, err)) < 0) {
        free(url);
        return rc;
    }
    r.groups = group_ids;
    rc = ap_usage__event(ui, &r, actors, 2, err);
    if (rc == AP_OK && imp != NULL && imp[0] != '\0')
        rc = impersonation(ui, &r, json_object_get(ev, "impersonatedUser"), actors, err);
    free(group_ids);
    free(url);
    return rc;
}
