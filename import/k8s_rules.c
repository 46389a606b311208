/* import/k8s_rules.c: a Kubernetes role's rules as access to resources, and the escalations
 * KubeHound models (pods, impersonation, bind and escalate), per namespace or cluster-wide. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_model.h"

/* The rules of the built-in cluster-admin, for bindings to it when it is not in the input. */
json_t *ap_k8s__builtin_cluster_admin(void)
{
    return json_pack("{s:s, s:{s:s}, s:[{s:[s], s:[s], s:[s]}, {s:[s], s:[s]}]}", "kind",
                     "ClusterRole", "metadata", "name", "cluster-admin", "rules", "apiGroups",
                     "*", "resources", "*", "verbs", "*", "nonResourceURLs", "*", "verbs", "*");
}

/* ---- Rules ---- */

static ap_rights verb_rights(const char *v)
{
    static const struct { const char *verb; ap_rights r; } verbs[] = {
        { "get", R(READ) }, { "list", R(READ) }, { "watch", R(READ) },
        { "create", R(WRITE) }, { "update", R(WRITE) }, { "patch", R(WRITE) },
        { "delete", R(DELETE) }, { "deletecollection", R(DELETE) },
        { "impersonate", R(ADMIN) }, { "bind", R(ADMIN) }, { "escalate", R(ADMIN) },
        { "use", R(EXECUTE) }, { "approve", R(APPROVE) }, { "sign", R(APPROVE) },
    };
    if (strcmp(v, "*") == 0)
        return R(READ) | R(WRITE) | R(DELETE) | R(ADMIN) | R(EXECUTE) | R(APPROVE);
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(verbs[i].verb, v) == 0)
            return verbs[i].r;
    return R(WRITE);            /* any other verb changes something */
}

/* What a role's rules allow, for the escalations (per scope: the role's namespace or all). */
typedef struct {
    bool create_pods, exec_pods;
    bool create_rb, create_crb;
    json_t *bind_roles, *bind_cluster_roles;    /* names, or ["*"]; NULL: none */
    json_t *escalate_roles, *escalate_cluster_roles;
    json_t *imp_users, *imp_groups, *imp_sa;    /* names or ["*"] */
    k8s_pos at_pods, at_bind, at_escalate, at_imp;
} caps;

static void caps_free(caps *c)
{
    json_decref(c->bind_roles);
    json_decref(c->bind_cluster_roles);
    json_decref(c->escalate_roles);
    json_decref(c->escalate_cluster_roles);
    json_decref(c->imp_users);
    json_decref(c->imp_groups);
    json_decref(c->imp_sa);
}

static bool verb_in(const json_t *verbs, const char *v)
{
    return ap_k8s__has(verbs, "*") || ap_k8s__has(verbs, v);
}

/* Names a rule gives a capability over: its resourceNames, else every one ("*"). */
static int cap_names(json_t **cap, const json_t *names)
{
    if (*cap == NULL && (*cap = json_array()) == NULL)
        return AP_ENOMEM;
    if (json_array_size(names) == 0)
        return json_array_append_new(*cap, json_string("*")) < 0 ? AP_ENOMEM : AP_OK;
    for (size_t i = 0; i < json_array_size(names); i++)
        if (json_array_append(*cap, json_array_get(names, i)) < 0)
            return AP_ENOMEM;
    return AP_OK;
}

static bool names_cover(const json_t *cap, const char *name)
{
    return cap != NULL && (ap_k8s__has(cap, "*") || ap_k8s__has(cap, name));
}

/* The resource node for (scope, group, resource[, name]). */
static int resource_node(model *m, const char *scope, const char *group, const char *res,
                         const char *name, const k8s_obj *src, k8s_pos at, char *id,
                         size_t size)
{
    const char *g = group[0] == '\0' ? "core" : group;
    char label[1400], what[600];      /* names of at most 253 bytes (k8s.c) */
    json_t *n;
    bool cluster = strcmp(scope, "*") == 0;
    if (name != NULL)
        snprintf(id, size, "k8s:%s/%s/%s/%s", scope, g, res, name);
    else
        snprintf(id, size, "k8s:%s/%s/%s", scope, g, res);
    if (ap_k8s__find(&m->nodes, id) != NULL)
        return AP_OK;
    if (strcmp(res, "*") == 0)
        snprintf(what, sizeof what, "every resource%s%s", strcmp(g, "*") == 0 ? "" : " of ",
                 strcmp(g, "*") == 0 ? "" : g);
    else if (strcmp(g, "core") == 0 || strcmp(g, "*") == 0)
        snprintf(what, sizeof what, "%s", res);
    else
        snprintf(what, sizeof what, "%s.%s", res, g);
    snprintf(label, sizeof label, "%s%s%s%s %s", what, name != NULL ? " '" : "",
             name != NULL ? name : "", name != NULL ? "'" : "",
             cluster ? "in every namespace" : "in namespace ");
    if (!cluster)
        snprintf(label + strlen(label), sizeof label - strlen(label), "%s", scope);
    if ((n = ap_k8s__node(m, id, AP_KIND_RESOURCE, label, "k8s_resource", src, at)) == NULL)
        return AP_ENOMEM;
    json_object_set_new(n, "k8s_scope", json_string(cluster ? "cluster" : "namespace"));
    if (!cluster)
        json_object_set_new(n, "namespace", json_string(scope));
    json_object_set_new(n, "api_group", json_string(group));
    json_object_set_new(n, "k8s_resource", json_string(res));
    if (name != NULL)
        json_object_set_new(n, "resource_name", json_string(name));
    if (strcmp(res, "*") == 0 || strcmp(res, "secrets") == 0)
        json_object_set_new(n, "sensitivity", json_string(cluster ? "critical" : "confidential"));
    if ((strcmp(res, "secrets") == 0 || strcmp(res, "*") == 0)
        && (strcmp(g, "core") == 0 || strcmp(g, "*") == 0))
        json_object_set_new(m->secret_nodes, id, json_pack("{s:s, s:s?}", "scope", scope,
                                                           "name", name));
    return AP_OK;
}

/* One rule of role (node id) in scope: access edges, and what it adds to caps. */
static int grant_rule(model *m, const char *role, const char *scope, const k8s_obj *o,
                      const json_t *rule, k8s_pos at, caps *c)
{
    const json_t *verbs = json_object_get(rule, "verbs");
    const json_t *groups = json_object_get(rule, "apiGroups");
    const json_t *resources = json_object_get(rule, "resources");
    const json_t *names = json_object_get(rule, "resourceNames");
    ap_rights rights = 0;
    char id[1200];
    int rc;
    for (size_t v = 0; v < json_array_size(verbs); v++)
        rights |= verb_rights(json_string_value(json_array_get(verbs, v)));
    if (json_array_size(json_object_get(rule, "nonResourceURLs")) > 0
        && json_array_size(resources) == 0) {
        if (o->kind != NULL)    /* the built-in cluster-admin's own is not worth a note */
            ap_k8s__note(m->ctx, o, at, "rule on nonResourceURLs (not imported)");
        return AP_OK;
    }
    if (json_array_size(verbs) == 0 || json_array_size(resources) == 0)
        return AP_OK;
    if (json_array_size(groups) == 0) {
        ap_k8s__note(m->ctx, o, at, "rule without apiGroups (it matches nothing)");
        return AP_OK;
    }
    for (size_t gi = 0; gi < json_array_size(groups); gi++) {
        const char *g = json_string_value(json_array_get(groups, gi));
        bool core = g[0] == '\0' || strcmp(g, "*") == 0;
        bool rbac = strcmp(g, "rbac.authorization.k8s.io") == 0 || strcmp(g, "*") == 0;
        for (size_t ri = 0; ri < json_array_size(resources); ri++) {
            const char *res = json_string_value(json_array_get(resources, ri));
            bool any = strcmp(res, "*") == 0;
            size_t nn = json_array_size(names) > 0 ? json_array_size(names) : 1;
            for (size_t ni = 0; ni < nn; ni++) {
                const char *name = json_array_size(names) > 0
                                       ? json_string_value(json_array_get(names, ni)) : NULL;
                pending *e;
                if ((rc = resource_node(m, scope, g, res, name, o, at, id, sizeof id)) < 0)
                    return rc;
                if ((e = ap_k8s__edge(m, role, "access", id, NULL, o, at)) == NULL)
                    return AP_ENOMEM;
                e->rights |= rights;
                for (size_t v = 0; v < json_array_size(verbs); v++)
                    if (ap_k8s__add_to_list(e->obj, "verbs",
                                    json_string_value(json_array_get(verbs, v))) < 0)
                        return AP_ENOMEM;
                if (ap_k8s__has(verbs, "*") && core && (any || strcmp(res, "secrets") == 0))
                    json_object_set_new(e->obj, "secrets_wildcard", json_true());
                if (core && (ap_k8s__has(verbs, "impersonate")
                             || (ap_k8s__has(verbs, "*") && (strcmp(res, "users") == 0
                                                     || strcmp(res, "groups") == 0
                                                     || strcmp(res, "serviceaccounts") == 0))))
                    json_object_set_new(e->obj, "impersonate", json_true());
                if (ap_k8s__has(verbs, "*") && any && strcmp(g, "*") == 0 && name == NULL) {
                    pending *rn = ap_k8s__find(&m->nodes, role);
                    const char *type = rn != NULL ? json_string_value(json_object_get(rn->obj,
                                                                                     "type"))
                                                  : NULL;
                    json_object_set_new(e->obj, "all_resources", json_true());
                    if (type != NULL && strncmp(type, "k8s_cluster_role", 16) == 0)
                        json_object_set_new(rn->obj, "cluster_admin", json_true());
                }
            }
            /* the escalations: what this rule adds to the role's capabilities */
            if (core && (any || strcmp(res, "pods") == 0) && verb_in(verbs, "create")) {
                c->create_pods = true;
                c->at_pods = at;
            }
            if (core && (any || strcmp(res, "pods/exec") == 0) && verb_in(verbs, "create")) {
                c->exec_pods = true;
                c->at_pods = at;
            }
            if (rbac && (any || strcmp(res, "rolebindings") == 0) && verb_in(verbs, "create"))
                c->create_rb = true;
            if (rbac && (any || strcmp(res, "clusterrolebindings") == 0)
                && verb_in(verbs, "create") && strcmp(scope, "*") == 0)
                c->create_crb = true;
            if (rbac && verb_in(verbs, "bind")) {
                c->at_bind = at;
                if ((any || strcmp(res, "roles") == 0) && cap_names(&c->bind_roles, names) < 0)
                    return AP_ENOMEM;
                if ((any || strcmp(res, "clusterroles") == 0)
                    && cap_names(&c->bind_cluster_roles, names) < 0)
                    return AP_ENOMEM;
            }
            if (rbac && verb_in(verbs, "escalate")
                && (verb_in(verbs, "update") || verb_in(verbs, "patch"))) {
                c->at_escalate = at;
                if ((any || strcmp(res, "roles") == 0)
                    && cap_names(&c->escalate_roles, names) < 0)
                    return AP_ENOMEM;
                if ((any || strcmp(res, "clusterroles") == 0)
                    && cap_names(&c->escalate_cluster_roles, names) < 0)
                    return AP_ENOMEM;
            }
            if (core && verb_in(verbs, "impersonate")) {
                c->at_imp = at;
                if ((any || strcmp(res, "users") == 0) && cap_names(&c->imp_users, names) < 0)
                    return AP_ENOMEM;
                if ((any || strcmp(res, "groups") == 0) && cap_names(&c->imp_groups, names) < 0)
                    return AP_ENOMEM;
                if ((any || strcmp(res, "serviceaccounts") == 0)
                    && cap_names(&c->imp_sa, names) < 0)
                    return AP_ENOMEM;
            }
        }
    }
    return AP_OK;
}

static pending *escalation(model *m, const char *from, const char *kind, const char *to,
                           const char *via, const k8s_obj *o, k8s_pos at)
{
    pending *e = ap_k8s__edge(m, from, kind, to, NULL, o, at);
    if (e == NULL)
        return NULL;
    json_object_set_new(e->obj, "escalation", json_true());
    if (ap_k8s__add_to_list(e->obj, "via", via) < 0)
        return NULL;
    return e;
}


/* The ClusterRole NAME as bound by a RoleBinding in namespace ns: its rules in ns only (granted
 * by grants(), once every subject is known). */
int ap_k8s__instance(model *m, const char *name, const char *ns, const k8s_obj *src, k8s_pos at,
                     char *id, size_t size)
{
    json_t *n;
    char label[700];
    snprintf(id, size, "clusterrole:%s@%s", name, ns);
    if (json_object_get(m->instances, id) != NULL)
        return AP_OK;
    if (json_object_set_new(m->instances, id, json_pack("{s:s, s:s}", "name", name, "ns", ns))
        < 0)
        return AP_ENOMEM;
    snprintf(label, sizeof label, "%s (in namespace %s)", name, ns);
    if ((n = ap_k8s__node(m, id, AP_KIND_ROLE, label, "k8s_cluster_role_in_namespace", src, at)) ==
        NULL)
        return AP_ENOMEM;
    json_object_set_new(n, "namespace", json_string(ns));
    json_object_set_new(n, "cluster_role", json_string(name));
    if (strcmp(name, "cluster-admin") == 0)
        json_object_set_new(n, "cluster_admin", json_true());
    else if (json_object_get(m->cluster_roles, name) == NULL)
        json_object_set_new(n, "unresolved", json_true());
    return AP_OK;
}

/* The rules of a ClusterRole by name: the input's, the built-in cluster-admin's, or none.
 * *owned (when set) is a reference the caller drops. */
const json_t *ap_k8s__cluster_rules(model *m, const char *name, const k8s_obj **o, json_t **owned)
{
    json_t *idx = json_object_get(m->cluster_roles, name);
    *o = NULL;
    *owned = NULL;
    if (idx != NULL) {
        *o = &m->s->objs[json_integer_value(idx)];
        return (*o)->o;
    }
    if (strcmp(name, "cluster-admin") == 0)
        return *owned = ap_k8s__builtin_cluster_admin();
    return NULL;
}

/* ---- Bind and escalate ----
 * A role that may give itself any role of a set (every Role of a namespace, every ClusterRole,
 * every ClusterRole as a RoleBinding in a namespace binds it) administers one node standing for
 * the set, which administers each member: binders plus members edges, not their product.
 * admin_of passes every right, so each member holds what the binders hold, as it did when each
 * binder had an edge to each member. A binder restricted to resourceNames keeps its own edges. */

typedef enum { SET_ROLES, SET_CLUSTER_ROLES, SET_INSTANCES } role_set;

static bool covers_all(const json_t *cap)
{
    return cap != NULL && ap_k8s__has(cap, "*");
}

/* Does set in ns have a member other than role (a set of only the binder gives it nothing)? */
static bool set_has_other(model *m, role_set set, const char *ns, const char *role)
{
    const json_t *list = json_object_get(m->ns_roles, ns);
    const char *name;
    size_t n = set == SET_ROLES ? json_array_size(list) : json_object_size(m->cluster_roles);
    char id[1200];
    if (n != 1)
        return n > 1;
    if (set == SET_ROLES) {
        const k8s_obj *r = &m->s->objs[json_integer_value(json_array_get(list, 0))];
        snprintf(id, sizeof id, "role:%s/%s", ns, ap_k8s__meta(r, "name"));
    } else {
        name = json_object_iter_key(json_object_iter(m->cluster_roles));
        if (set == SET_INSTANCES)
            snprintf(id, sizeof id, "clusterrole:%s@%s", name, ns);
        else
            snprintf(id, sizeof id, "clusterrole:%s", name);
    }
    return strcmp(id, role) != 0;
}

/* The node for every role of set in ns (unused for SET_CLUSTER_ROLES), id out: made with its
 * edges the first time a binder (o at at, which the node cites) needs it; each edge to a member
 * cites the member's definition. */
static int set_node(model *m, role_set set, const char *ns, const k8s_obj *o, k8s_pos at,
                    char *id, size_t size)
{
    char label[700], mid[1200];
    const char *name;
    json_t *n, *v;
    if (set == SET_ROLES)
        snprintf(id, size, "roles:%s/*", ns);
    else if (set == SET_CLUSTER_ROLES)
        snprintf(id, size, "clusterroles:*");
    else
        snprintf(id, size, "clusterroles:*@%s", ns);
    if (ap_k8s__find(&m->nodes, id) != NULL)
        return AP_OK;
    if (set == SET_ROLES)
        snprintf(label, sizeof label, "every Role in namespace %s", ns);
    else if (set == SET_CLUSTER_ROLES)
        snprintf(label, sizeof label, "every ClusterRole");
    else
        snprintf(label, sizeof label, "every ClusterRole (in namespace %s)", ns);
    if ((n = ap_k8s__node(m, id, AP_KIND_ROLE, label,
                          set == SET_ROLES ? "k8s_any_role"
                          : set == SET_CLUSTER_ROLES ? "k8s_any_cluster_role"
                                                     : "k8s_any_cluster_role_in_namespace",
                          o, at)) == NULL)
        return AP_ENOMEM;
    if (set != SET_CLUSTER_ROLES && json_object_set_new(n, "namespace", json_string(ns)) < 0)
        return AP_ENOMEM;
    if (set == SET_ROLES) {
        const json_t *list = json_object_get(m->ns_roles, ns);
        for (size_t i = 0; i < json_array_size(list); i++) {
            const k8s_obj *r = &m->s->objs[json_integer_value(json_array_get(list, i))];
            snprintf(mid, sizeof mid, "role:%s/%s", ns, ap_k8s__meta(r, "name"));
            if (ap_k8s__edge(m, id, "admin_of", mid, NULL, r, r->at) == NULL)
                return AP_ENOMEM;
        }
        return AP_OK;
    }
    json_object_foreach(m->cluster_roles, name, v) {
        const k8s_obj *r = &m->s->objs[json_integer_value(v)];
        int rc;
        if (set == SET_INSTANCES) {
            if ((rc = ap_k8s__instance(m, name, ns, r, r->at, mid, sizeof mid)) < 0)
                return rc;
        } else {
            snprintf(mid, sizeof mid, "clusterrole:%s", name);
        }
        if (ap_k8s__edge(m, id, "admin_of", mid, NULL, r, r->at) == NULL)
            return AP_ENOMEM;
    }
    return AP_OK;
}

/* role administers the set in ns (through its node) when the set has another member. */
static int bind_set(model *m, const char *role, role_set set, const char *ns, const char *via,
                    const k8s_obj *o, k8s_pos at)
{
    char id[1200];
    int rc;
    if (!set_has_other(m, set, ns, role))
        return AP_OK;
    if ((rc = set_node(m, set, ns, o, at, id, sizeof id)) < 0)
        return rc;
    return escalation(m, role, "admin_of", id, via, o, at) == NULL ? AP_ENOMEM : AP_OK;
}

/* Bind (with create on bindings) and escalate: the roles role can give itself in scope. */
static int bind_escalations(model *m, const char *role, const char *scope, const k8s_obj *o,
                            const caps *c)
{
    bool cluster = strcmp(scope, "*") == 0;
    bool bind_roles = c->create_rb && c->bind_roles != NULL;
    /* a ClusterRole is bound cluster-wide when it can be: then not in each namespace */
    bool crb_any = cluster && ((c->create_crb && c->bind_cluster_roles != NULL)
                               || c->escalate_cluster_roles != NULL);
    const char *ns, *name;
    json_t *v;
    char id[1200];
    int rc;
    if (!bind_roles && c->escalate_roles == NULL && !crb_any
        && !(c->create_rb && c->bind_cluster_roles != NULL))
        return AP_OK;
    /* Roles: every one of a namespace when its names are all bound or all escalated */
    if ((c->create_rb && covers_all(c->bind_roles))
        || (covers_all(c->escalate_roles) && !bind_roles)) {
        const char *via = bind_roles ? "bind" : "escalate";
        k8s_pos at = bind_roles ? c->at_bind : c->at_escalate;
        json_object_foreach(m->ns_roles, ns, v)
            if ((cluster || strcmp(ns, scope) == 0)
                && (rc = bind_set(m, role, SET_ROLES, ns, via, o, at)) < 0)
                return rc;
    } else if (bind_roles || c->escalate_roles != NULL) {
        json_object_foreach(m->ns_roles, ns, v) {
            if (!cluster && strcmp(ns, scope) != 0)
                continue;
            for (size_t i = 0; i < json_array_size(v); i++) {
                const k8s_obj *r = &m->s->objs[json_integer_value(json_array_get(v, i))];
                bool bind;
                name = ap_k8s__meta(r, "name");
                bind = c->create_rb && names_cover(c->bind_roles, name);
                snprintf(id, sizeof id, "role:%s/%s", ns, name);
                if ((bind || names_cover(c->escalate_roles, name)) && strcmp(id, role) != 0
                    && escalation(m, role, "admin_of", id, bind ? "bind" : "escalate", o,
                                  bind ? c->at_bind : c->at_escalate) == NULL)
                    return AP_ENOMEM;
            }
        }
    }
    /* ClusterRoles: cluster-wide, or as a RoleBinding binds them in each namespace in scope */
    if (cluster && c->create_crb && covers_all(c->bind_cluster_roles))
        return bind_set(m, role, SET_CLUSTER_ROLES, "", "bind", o, c->at_bind);
    if (cluster && covers_all(c->escalate_cluster_roles)
        && !(c->create_crb && c->bind_cluster_roles != NULL))
        return bind_set(m, role, SET_CLUSTER_ROLES, "", "escalate", o, c->at_escalate);
    if (!crb_any && c->create_rb && covers_all(c->bind_cluster_roles)) {
        json_object_foreach(m->namespaces, ns, v)
            if ((cluster || strcmp(ns, scope) == 0)
                && (rc = bind_set(m, role, SET_INSTANCES, ns, "bind", o, c->at_bind)) < 0)
                return rc;
        return AP_OK;
    }
    json_object_foreach(m->cluster_roles, name, v) {
        const k8s_obj *r = &m->s->objs[json_integer_value(v)];
        if ((cluster && c->create_crb && names_cover(c->bind_cluster_roles, name))
            || (cluster && names_cover(c->escalate_cluster_roles, name))) {
            bool bind = c->create_crb && names_cover(c->bind_cluster_roles, name);
            snprintf(id, sizeof id, "clusterrole:%s", name);
            if (strcmp(id, role) != 0
                && escalation(m, role, "admin_of", id, bind ? "bind" : "escalate", o,
                              bind ? c->at_bind : c->at_escalate) == NULL)
                return AP_ENOMEM;
        } else if (c->create_rb && names_cover(c->bind_cluster_roles, name)) {
            /* a RoleBinding to the ClusterRole: its rules in each namespace in scope */
            json_t *nv;
            json_object_foreach(m->namespaces, ns, nv) {
                if (!cluster && strcmp(ns, scope) != 0)
                    continue;
                if ((rc = ap_k8s__instance(m, name, ns, r, r->at, id, sizeof id)) < 0)
                    return rc;
                if (strcmp(id, role) != 0
                    && escalation(m, role, "admin_of", id, "bind", o, c->at_bind) == NULL)
                    return AP_ENOMEM;
            }
        }
    }
    return AP_OK;
}

/* The escalation edges of a role from its capabilities in scope. */
static int escalations(model *m, const char *role, const char *scope, const k8s_obj *o,
                       const caps *c)
{
    bool cluster = strcmp(scope, "*") == 0;
    const char *key;
    json_t *v;
    char id[1200];
    /* pods: whoever runs a pod in a namespace (or execs into one) runs as its accounts */
    if (c->create_pods || c->exec_pods)
        json_object_foreach(m->sa, key, v) {
            const char *slash = strchr(key, '/');
            if (!cluster && (strncmp(key, scope, (size_t)(slash - key)) != 0
                             || strlen(scope) != (size_t)(slash - key)))
                continue;
            snprintf(id, sizeof id, "sa:%s", key);
            if (escalation(m, role, "can_assume", id, c->create_pods ? "create pods"
                                                                     : "create pods/exec",
                           o, c->at_pods) == NULL)
                return AP_ENOMEM;
        }
    /* impersonation: users and groups are cluster-wide, service accounts per namespace */
    if (c->imp_sa != NULL)
        json_object_foreach(m->sa, key, v) {
            const char *slash = strchr(key, '/');
            if (!cluster && (strncmp(key, scope, (size_t)(slash - key)) != 0
                             || strlen(scope) != (size_t)(slash - key)))
                continue;
            if (!names_cover(c->imp_sa, slash + 1))
                continue;
            snprintf(id, sizeof id, "sa:%s", key);
            if (escalation(m, role, "can_assume", id, "impersonate", o, c->at_imp) == NULL)
                return AP_ENOMEM;
        }
    if ((c->imp_users != NULL || c->imp_groups != NULL) && !cluster)
        ap_k8s__note(m->ctx, o, c->at_imp, "impersonation of users or groups granted in a "
                     "namespace (Kubernetes honours it cluster-wide only: no can_assume)");
    if (cluster) {
        json_object_foreach(m->users, key, v)
            if (names_cover(c->imp_users, key + 5)
                && escalation(m, role, "can_assume", key, "impersonate", o, c->at_imp) == NULL)
                return AP_ENOMEM;
        json_object_foreach(m->groups, key, v)
            if (names_cover(c->imp_groups, key + 6)
                && escalation(m, role, "can_assume", key, "impersonate", o, c->at_imp) == NULL)
                return AP_ENOMEM;
    }
    return bind_escalations(m, role, scope, o, c);
}

/* The rules of obj granted to role in scope (a namespace, or "*" for every one). */
int ap_k8s__grant_role(model *m, const char *role, const char *scope, const k8s_obj *o,
                       const json_t *obj)
{
    const json_t *rules = json_object_get(obj, "rules");
    pending *rn = ap_k8s__find(&m->nodes, role);
    caps c;
    int rc = AP_OK;
    if (json_object_get(m->granted, role) != NULL)
        return AP_OK;
    if (json_object_set_new(m->granted, role, json_true()) < 0)
        return AP_ENOMEM;
    if (o == NULL) {    /* the built-in cluster-admin: its edges point at the binding */
        /* the edges keep a pointer to it until they are staged: the model owns it, not this
         * call's stack (which the staging read after return, ASan's stack-use-after-return) */
        k8s_obj *builtin = calloc(1, sizeof *builtin);
        if (builtin == NULL || ap_k8s__keep(m, builtin) < 0) {
            free(builtin);
            return AP_ENOMEM;
        }
        if (rn != NULL && rn->src != NULL)
            *builtin = *rn->src;
        builtin->kind = NULL;       /* no notes about the built-in rules */
        builtin->parts = NULL;
        builtin->nparts = 0;
        builtin->at = rn != NULL ? rn->at : (k8s_pos){ 0, 0 };
        o = builtin;
    }
    memset(&c, 0, sizeof c);
    for (size_t i = 0; rc == AP_OK && i < json_array_size(rules); i++) {
        k8s_pos at = i < o->nparts ? o->parts[i] : o->at;
        rc = grant_rule(m, role, scope, o, json_array_get(rules, i), at, &c);
    }
    if (rc == AP_OK)
        rc = escalations(m, role, scope, o, &c);
    caps_free(&c);
    return rc;
}
