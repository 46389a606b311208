/* import/k8s_model.c: the Kubernetes objects of an import as nodes and edges: service accounts,
 * users and groups (or partners), roles and their rules as access to resources, bindings as
 * membership, and the escalations KubeHound models (docs/sources/kubernetes.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"

#define R(x) ((ap_rights)1 << AP_R_##x)

/* A node or edge in native shape, waiting to be staged; edges merge by from|kind|to. */
typedef struct {
    json_t *obj;
    const k8s_obj *src;         /* where it comes from (file, path) */
    k8s_pos at;
    ap_rights rights;           /* access edges: the union of their verbs' rights */
} pending;

typedef struct {
    pending *v;
    size_t n, cap;
    json_t *index;              /* id or key -> position in v */
    bool full;                  /* K8S_MAX_ITEMS reached: the model stops growing */
} pendings;

/* Bindable ClusterRoles times namespaces can multiply: a bound on what one import may build
 * (--max-nodes and --max-edges, when given, are checked before staging as well). */
#define K8S_MAX_ITEMS ((size_t)1 << 22)

typedef struct {
    ap_import_ctx *ctx;
    struct ap_k8s_state *s;
    pendings nodes, edges;
    json_t *sa;                 /* "NS/NAME" -> true: every service account known */
    json_t *roles;              /* "NS/NAME" -> object index */
    json_t *cluster_roles;      /* "NAME" -> object index */
    json_t *namespaces;         /* every namespace named, sorted as met */
    json_t *tokens;             /* "NS" -> ["secret:NS/NAME", ...] */
    json_t *users, *groups;     /* user and group node ids made (not partners) */
    json_t *instances;          /* "clusterrole:NAME@NS" -> {"name", "ns"} */
    json_t *secret_nodes;       /* secrets resource node ids -> namespace ("*": every one) */
    json_t *granted;            /* role node ids whose rules are granted */
} model;

/* The rules of the built-in cluster-admin, for bindings to it when it is not in the input. */
static json_t *builtin_cluster_admin(void)
{
    return json_pack("{s:s, s:{s:s}, s:[{s:[s], s:[s], s:[s]}, {s:[s], s:[s]}]}", "kind",
                     "ClusterRole", "metadata", "name", "cluster-admin", "rules", "apiGroups",
                     "*", "resources", "*", "verbs", "*", "nonResourceURLs", "*", "verbs", "*");
}

/* ---- Pending nodes and edges ---- */

static pending *find(pendings *p, const char *key)
{
    json_t *i = json_object_get(p->index, key);
    return i != NULL ? &p->v[json_integer_value(i)] : NULL;
}

static pending *add(pendings *p, const char *key, json_t *obj, const k8s_obj *src, k8s_pos at)
{
    pending *x;
    if (obj == NULL)
        return NULL;
    if (p->n >= K8S_MAX_ITEMS) {
        p->full = true;
        json_decref(obj);
        return NULL;
    }
    if (p->n == p->cap) {
        pending *v = realloc(p->v, (p->cap = p->cap ? 2 * p->cap : 128) * sizeof *v);
        if (v == NULL) {
            json_decref(obj);
            return NULL;
        }
        p->v = v;
    }
    if (json_object_set_new(p->index, key, json_integer((json_int_t)p->n)) < 0) {
        json_decref(obj);
        return NULL;
    }
    x = &p->v[p->n++];
    *x = (pending){ obj, src, at, 0 };
    return x;
}

/* The node id: made with kind, name and type at src/at when new. */
static json_t *node(model *m, const char *id, ap_kind kind, const char *name, const char *type,
                    const k8s_obj *src, k8s_pos at)
{
    pending *x = find(&m->nodes, id);
    if (x != NULL)
        return x->obj;
    x = add(&m->nodes, id, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "kind",
                                     ap_kind_name(kind), "name", name, "type", type), src, at);
    return x != NULL ? x->obj : NULL;
}

/* The edge from -kind-> to (one per triple and tag: later grants merge into it). */
static pending *edge(model *m, const char *from, const char *kind, const char *to,
                     const char *tag, const k8s_obj *src, k8s_pos at)
{
    char key[1200];
    pending *x;
    snprintf(key, sizeof key, "%s\x1f%s\x1f%s\x1f%s", from, kind, to, tag != NULL ? tag : "");
    if ((x = find(&m->edges, key)) != NULL)
        return x;
    return add(&m->edges, key, json_pack("{s:s, s:s, s:s}", "from", from, "to", to, "kind",
                                         kind), src, at);
}

static int add_to_list(json_t *obj, const char *key, const char *s)
{
    json_t *list = json_object_get(obj, key);
    if (list == NULL) {
        if (json_object_set_new(obj, key, json_array()) < 0)
            return AP_ENOMEM;
        list = json_object_get(obj, key);
    }
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_array_get(list, i)), s) == 0)
            return AP_OK;
    return json_array_append_new(list, json_string(s)) < 0 ? AP_ENOMEM : AP_OK;
}

/* ---- Object fields ---- */

static const char *meta(const k8s_obj *o, const char *key)
{
    return json_string_value(json_object_get(json_object_get(o->o, "metadata"), key));
}

static const char *ns_of(const k8s_obj *o)
{
    const char *ns = meta(o, "namespace");
    return ns != NULL && ns[0] != '\0' ? ns : "default";
}

static bool is(const k8s_obj *o, const char *kind)
{
    return strcmp(o->kind, kind) == 0;
}

static bool has(const json_t *list, const char *s)
{
    for (size_t i = 0; i < json_array_size(list); i++)
        if (strcmp(json_string_value(json_array_get(list, i)), s) == 0)
            return true;
    return false;
}

/* ---- Subjects ---- */

static int service_account(model *m, const char *ns, const char *name, const k8s_obj *src,
                           k8s_pos at, const char **id_out, char *buf, size_t size)
{
    char key[600];
    json_t *n;
    snprintf(buf, size, "sa:%s/%s", ns, name);
    snprintf(key, sizeof key, "%s/%s", ns, name);
    *id_out = buf;
    if (find(&m->nodes, buf) != NULL)
        return AP_OK;
    if ((n = node(m, buf, AP_KIND_IDENTITY, name, "k8s_service_account", src, at)) == NULL
        || json_object_set_new(n, "namespace", json_string(ns)) < 0
        || json_object_set_new(m->sa, key, json_true()) < 0)
        return AP_ENOMEM;
    if (json_object_get(m->namespaces, ns) == NULL)
        json_object_set_new(m->namespaces, ns, json_true());
    if (src == NULL || !is(src, "ServiceAccount")) {
        json_object_set_new(n, "declared", json_false());
        ap_k8s__note(m->ctx, src, at, "service account named by a binding but not in the input "
                     "(made from the binding)");
    }
    return AP_OK;
}

/* The node a binding subject is: a service account, a partner (by --partner-map), or a user
 * or group identity. */
static int subject(model *m, const k8s_obj *b, size_t i, const char **id_out, char *buf,
                   size_t size)
{
    const json_t *sub = json_array_get(json_object_get(b->o, "subjects"), i);
    const char *kind = json_string_value(json_object_get(sub, "kind"));
    const char *name = json_string_value(json_object_get(sub, "name"));
    const char *ns = json_string_value(json_object_get(sub, "namespace"));
    const char *partner;
    k8s_pos at = b->parts[i];
    json_t *n;
    char label[600];
    if (strcmp(kind, "ServiceAccount") == 0) {
        if (ns == NULL || ns[0] == '\0')
            ns = is(b, "RoleBinding") ? ns_of(b) : "default";
        return service_account(m, ns, name, b, at, id_out, buf, size);
    }
    if (strcmp(kind, "User") == 0 && strncmp(name, "system:serviceaccount:", 22) == 0
        && strchr(name + 22, ':') != NULL) {
        char sns[300];
        const char *colon = strchr(name + 22, ':');
        snprintf(sns, sizeof sns, "%.*s", (int)(colon - (name + 22)), name + 22);
        return service_account(m, sns, colon + 1, b, at, id_out, buf, size);
    }
    snprintf(label, sizeof label, "%s %s", kind, name);
    if ((partner = ap_k8s__partner_of(m->s, name)) != NULL) {
        snprintf(buf, size, "%s", partner);
        *id_out = buf;
        if ((n = node(m, buf, AP_KIND_PARTNER, partner, "k8s_partner", b, at)) == NULL
            || add_to_list(n, "k8s_subjects", label) < 0)
            return AP_ENOMEM;
        return AP_OK;
    }
    snprintf(buf, size, "%s:%s", strcmp(kind, "User") == 0 ? "user" : "group", name);
    *id_out = buf;
    if ((n = node(m, buf, AP_KIND_IDENTITY, name, strcmp(kind, "User") == 0 ? "k8s_user"
                                                                            : "k8s_group",
                  b, at)) == NULL)
        return AP_ENOMEM;
    json_object_set_new(strcmp(kind, "User") == 0 ? m->users : m->groups, buf, json_true());
    return AP_OK;
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
    return has(verbs, "*") || has(verbs, v);
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
    return cap != NULL && (has(cap, "*") || has(cap, name));
}

/* The resource node for (scope, group, resource[, name]). */
static int resource_node(model *m, const char *scope, const char *group, const char *res,
                         const char *name, const k8s_obj *src, k8s_pos at, char *id,
                         size_t size)
{
    const char *g = group[0] == '\0' ? "core" : group;
    char label[900], what[400];
    json_t *n;
    bool cluster = strcmp(scope, "*") == 0;
    if (name != NULL)
        snprintf(id, size, "k8s:%s/%s/%s/%s", scope, g, res, name);
    else
        snprintf(id, size, "k8s:%s/%s/%s", scope, g, res);
    if (find(&m->nodes, id) != NULL)
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
    if ((n = node(m, id, AP_KIND_RESOURCE, label, "k8s_resource", src, at)) == NULL)
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
                if ((e = edge(m, role, "access", id, NULL, o, at)) == NULL)
                    return AP_ENOMEM;
                e->rights |= rights;
                for (size_t v = 0; v < json_array_size(verbs); v++)
                    if (add_to_list(e->obj, "verbs",
                                    json_string_value(json_array_get(verbs, v))) < 0)
                        return AP_ENOMEM;
                if (has(verbs, "*") && core && (any || strcmp(res, "secrets") == 0))
                    json_object_set_new(e->obj, "secrets_wildcard", json_true());
                if (core && (has(verbs, "impersonate")
                             || (has(verbs, "*") && (strcmp(res, "users") == 0
                                                     || strcmp(res, "groups") == 0
                                                     || strcmp(res, "serviceaccounts") == 0))))
                    json_object_set_new(e->obj, "impersonate", json_true());
                if (has(verbs, "*") && any && strcmp(g, "*") == 0 && name == NULL) {
                    pending *rn = find(&m->nodes, role);
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
    pending *e = edge(m, from, kind, to, NULL, o, at);
    if (e == NULL)
        return NULL;
    json_object_set_new(e->obj, "escalation", json_true());
    if (add_to_list(e->obj, "via", via) < 0)
        return NULL;
    return e;
}

static int grant_role(model *m, const char *role, const char *scope, const k8s_obj *o,
                      const json_t *obj);

/* The ClusterRole NAME as bound by a RoleBinding in namespace ns: its rules in ns only (granted
 * by grants(), once every subject is known). */
static int instance(model *m, const char *name, const char *ns, const k8s_obj *src, k8s_pos at,
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
    if ((n = node(m, id, AP_KIND_ROLE, label, "k8s_cluster_role_in_namespace", src, at)) == NULL)
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
static const json_t *cluster_rules(model *m, const char *name, const k8s_obj **o,
                                   json_t **owned)
{
    json_t *idx = json_object_get(m->cluster_roles, name);
    *o = NULL;
    *owned = NULL;
    if (idx != NULL) {
        *o = &m->s->objs[json_integer_value(idx)];
        return (*o)->o;
    }
    if (strcmp(name, "cluster-admin") == 0)
        return *owned = builtin_cluster_admin();
    return NULL;
}

/* The escalation edges of a role from its capabilities in scope. */
static int escalations(model *m, const char *role, const char *scope, const k8s_obj *o,
                       const caps *c)
{
    bool cluster = strcmp(scope, "*") == 0;
    const char *key;
    json_t *v;
    char id[1200];
    int rc;
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
    /* bind (with create on bindings) and escalate: the roles it can give itself */
    for (size_t i = 0; i < m->s->n; i++) {
        const k8s_obj *r = &m->s->objs[i];
        const char *name = meta(r, "name");
        if (is(r, "Role") && (cluster || strcmp(ns_of(r), scope) == 0)) {
            bool bind = c->create_rb && names_cover(c->bind_roles, name);
            snprintf(id, sizeof id, "role:%s/%s", ns_of(r), name);
            if ((bind || names_cover(c->escalate_roles, name)) && strcmp(id, role) != 0
                && escalation(m, role, "admin_of", id, bind ? "bind" : "escalate", o,
                              bind ? c->at_bind : c->at_escalate) == NULL)
                return AP_ENOMEM;
        }
        if (!is(r, "ClusterRole"))
            continue;
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
            const char *ns;
            json_t *nv;
            json_t *spaces = json_deep_copy(m->namespaces);
            if (spaces == NULL)
                return AP_ENOMEM;
            json_object_foreach(spaces, ns, nv) {
                if (!cluster && strcmp(ns, scope) != 0)
                    continue;
                if ((rc = instance(m, name, ns, r, r->at, id, sizeof id)) < 0
                    || (strcmp(id, role) != 0
                        && escalation(m, role, "admin_of", id, "bind", o, c->at_bind) == NULL)) {
                    json_decref(spaces);
                    return rc < 0 ? rc : AP_ENOMEM;
                }
            }
            json_decref(spaces);
        }
    }
    return AP_OK;
}

/* The rules of obj granted to role in scope (a namespace, or "*" for every one). */
static int grant_role(model *m, const char *role, const char *scope, const k8s_obj *o,
                      const json_t *obj)
{
    const json_t *rules = json_object_get(obj, "rules");
    pending *rn = find(&m->nodes, role);
    k8s_obj builtin;
    caps c;
    int rc = AP_OK;
    if (json_object_get(m->granted, role) != NULL)
        return AP_OK;
    if (json_object_set_new(m->granted, role, json_true()) < 0)
        return AP_ENOMEM;
    if (o == NULL) {    /* the built-in cluster-admin: its edges point at the binding */
        memset(&builtin, 0, sizeof builtin);
        if (rn != NULL && rn->src != NULL)
            builtin = *rn->src;
        builtin.kind = NULL;        /* no notes about the built-in rules */
        builtin.parts = NULL;
        builtin.nparts = 0;
        builtin.at = rn != NULL ? rn->at : (k8s_pos){ 0, 0 };
        o = &builtin;
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

/* ---- The objects, in order ---- */

static int role_nodes(model *m)
{
    for (size_t i = 0; i < m->s->n; i++) {
        const k8s_obj *o = &m->s->objs[i];
        const char *name = meta(o, "name");
        char id[700];
        json_t *n;
        if (is(o, "Role")) {
            snprintf(id, sizeof id, "role:%s/%s", ns_of(o), name);
            if (find(&m->nodes, id) != NULL) {
                ap_k8s__note(m->ctx, o, o->at, "repeated Role (the first is kept)");
                continue;
            }
            if ((n = node(m, id, AP_KIND_ROLE, name, "k8s_role", o, o->at)) == NULL)
                return AP_ENOMEM;
            json_object_set_new(n, "namespace", json_string(ns_of(o)));
            snprintf(id, sizeof id, "%s/%s", ns_of(o), name);
            json_object_set_new(m->roles, id, json_integer((json_int_t)i));
        } else if (is(o, "ClusterRole")) {
            snprintf(id, sizeof id, "clusterrole:%s", name);
            if (find(&m->nodes, id) != NULL) {
                ap_k8s__note(m->ctx, o, o->at, "repeated ClusterRole (the first is kept)");
                continue;
            }
            if ((n = node(m, id, AP_KIND_ROLE, name, "k8s_cluster_role", o, o->at)) == NULL)
                return AP_ENOMEM;
            if (strcmp(name, "cluster-admin") == 0)
                json_object_set_new(n, "cluster_admin", json_true());
            if (json_object_get(o->o, "aggregationRule") != NULL
                && json_array_size(json_object_get(o->o, "rules")) == 0)
                ap_k8s__note(m->ctx, o, o->at, "aggregated ClusterRole without rules in the "
                             "input (export it from a live cluster to see what it grants)");
            json_object_set_new(m->cluster_roles, name, json_integer((json_int_t)i));
        } else {
            continue;
        }
        if (json_object_get(m->namespaces, ns_of(o)) == NULL && is(o, "Role"))
            json_object_set_new(m->namespaces, ns_of(o), json_true());
    }
    return AP_OK;
}

/* A role a binding names: known, the built-in cluster-admin, or unresolved. */
static int bound_role(model *m, const k8s_obj *b, const char **id_out, char *id, size_t size)
{
    const json_t *ref = json_object_get(b->o, "roleRef");
    const char *kind = json_string_value(json_object_get(ref, "kind"));
    const char *name = json_string_value(json_object_get(ref, "name"));
    json_t *n;
    char key[700];
    *id_out = id;
    if (strcmp(kind, "ClusterRole") == 0 && is(b, "RoleBinding")) {
        if (json_object_get(m->cluster_roles, name) == NULL && strcmp(name, "cluster-admin") != 0)
            ap_k8s__note(m->ctx, b, b->ref, "binding to a role that is not in the input (what "
                         "it grants is unknown)");
        return instance(m, name, ns_of(b), b, b->ref, id, size);
    }
    if (strcmp(kind, "Role") == 0 && is(b, "ClusterRoleBinding")) {
        ap_k8s__note(m->ctx, b, b->ref, "ClusterRoleBinding to a Role (Kubernetes refuses it: "
                     "skipped)");
        *id_out = NULL;
        return AP_OK;
    }
    if (strcmp(kind, "Role") == 0) {
        snprintf(id, size, "role:%s/%s", ns_of(b), name);
        snprintf(key, sizeof key, "%s/%s", ns_of(b), name);
        if (json_object_get(m->roles, key) != NULL || find(&m->nodes, id) != NULL)
            return AP_OK;
        if ((n = node(m, id, AP_KIND_ROLE, name, "k8s_role", b, b->ref)) == NULL)
            return AP_ENOMEM;
        json_object_set_new(n, "namespace", json_string(ns_of(b)));
    } else {
        snprintf(id, size, "clusterrole:%s", name);
        if (json_object_get(m->cluster_roles, name) != NULL || find(&m->nodes, id) != NULL)
            return AP_OK;
        if ((n = node(m, id, AP_KIND_ROLE, name, "k8s_cluster_role", b, b->ref)) == NULL)
            return AP_ENOMEM;
        if (strcmp(name, "cluster-admin") == 0) {
            json_object_set_new(n, "cluster_admin", json_true());
            json_object_set_new(n, "builtin", json_true());
            ap_k8s__note(m->ctx, b, b->ref, "binding to the built-in cluster-admin, which is "
                         "not in the input (its rules are known: every verb on everything)");
            return AP_OK;
        }
    }
    json_object_set_new(n, "unresolved", json_true());
    ap_k8s__note(m->ctx, b, b->ref, "binding to a role that is not in the input (what it "
                 "grants is unknown)");
    return AP_OK;
}

static int bindings(model *m)
{
    for (size_t i = 0; i < m->s->n; i++) {
        const k8s_obj *b = &m->s->objs[i];
        const char *role, *who;
        char rid[800], sid[800];
        int rc;
        bool cluster = is(b, "ClusterRoleBinding");
        if (!cluster && !is(b, "RoleBinding"))
            continue;
        if ((rc = bound_role(m, b, &role, rid, sizeof rid)) < 0)
            return rc;
        if (role == NULL)
            continue;
        if (!cluster && json_object_get(m->namespaces, ns_of(b)) == NULL)
            json_object_set_new(m->namespaces, ns_of(b), json_true());
        for (size_t k = 0; k < b->nparts; k++) {
            const json_t *sub = json_array_get(json_object_get(b->o, "subjects"), k);
            pending *e;
            char label[700];
            if ((rc = subject(m, b, k, &who, sid, sizeof sid)) < 0)
                return rc;
            if ((e = edge(m, who, "member_of", role, meta(b, "name"), b, b->parts[k])) == NULL)
                return AP_ENOMEM;
            json_object_set_new(e->obj, "binding", json_string(meta(b, "name")));
            json_object_set_new(e->obj, "binding_kind", json_string(b->kind));
            json_object_set_new(e->obj, "k8s_scope", json_string(cluster ? "cluster"
                                                                         : "namespace"));
            if (!cluster)
                json_object_set_new(e->obj, "namespace", json_string(ns_of(b)));
            snprintf(label, sizeof label, "%s %s",
                     json_string_value(json_object_get(sub, "kind")),
                     json_string_value(json_object_get(sub, "name")));
            json_object_set_new(e->obj, "subject", json_string(label));
        }
        if (b->nparts == 0)
            ap_k8s__note(m->ctx, b, b->at, "binding without subjects");
    }
    return AP_OK;
}

/* Service accounts, and token secrets as their credentials. */
static int accounts(model *m)
{
    for (size_t i = 0; i < m->s->n; i++) {
        const k8s_obj *o = &m->s->objs[i];
        const char *id;
        char buf[700];
        int rc;
        if (is(o, "ServiceAccount")) {
            snprintf(buf, sizeof buf, "sa:%s/%s", ns_of(o), meta(o, "name"));
            if (find(&m->nodes, buf) != NULL) {
                ap_k8s__note(m->ctx, o, o->at, "repeated ServiceAccount (the first is kept)");
                continue;
            }
            if ((rc = service_account(m, ns_of(o), meta(o, "name"), o, o->at, &id, buf,
                                      sizeof buf)) < 0)
                return rc;
        }
    }
    for (size_t i = 0; i < m->s->n; i++) {
        const k8s_obj *o = &m->s->objs[i];
        const json_t *ann = json_object_get(json_object_get(o->o, "metadata"), "annotations");
        const char *type = json_string_value(json_object_get(o->o, "type"));
        const char *sa = json_string_value(json_object_get(ann,
                                                           "kubernetes.io/service-account.name"));
        const char *to;
        char id[700], sid[700];
        json_t *n, *list;
        pending *e;
        int rc;
        if (!is(o, "Secret"))
            continue;
        if (type == NULL || strcmp(type, "kubernetes.io/service-account-token") != 0
            || sa == NULL) {
            ap_k8s__note(m->ctx, o, o->at, "secret that is not a service-account token (not a "
                         "credential here; rules on secrets are access to it)");
            continue;
        }
        snprintf(id, sizeof id, "secret:%s/%s", ns_of(o), meta(o, "name"));
        if (find(&m->nodes, id) != NULL)
            continue;
        if ((n = node(m, id, AP_KIND_CREDENTIAL, meta(o, "name"), "k8s_service_account_token",
                      o, o->at)) == NULL)
            return AP_ENOMEM;
        json_object_set_new(n, "namespace", json_string(ns_of(o)));
        json_object_set_new(n, "static", json_true());
        if (meta(o, "creationTimestamp") != NULL)
            json_object_set_new(n, "valid_from", json_string(meta(o, "creationTimestamp")));
        if ((rc = service_account(m, ns_of(o), sa, o, o->at, &to, sid, sizeof sid)) < 0)
            return rc;
        if ((e = edge(m, id, "authenticates_as", to, NULL, o, o->at)) == NULL)
            return AP_ENOMEM;
        if ((list = json_object_get(m->tokens, ns_of(o))) == NULL) {
            json_object_set_new(m->tokens, ns_of(o), json_array());
            list = json_object_get(m->tokens, ns_of(o));
        }
        if (list == NULL || json_array_append_new(list, json_string(id)) < 0)
            return AP_ENOMEM;
    }
    return AP_OK;
}

/* Whoever reads secrets in a namespace holds the service-account tokens stored there. */
static int token_readers(model *m)
{
    const char *res;
    json_t *v;
    json_object_foreach(m->secret_nodes, res, v) {
        const char *scope = json_string_value(json_object_get(v, "scope"));
        const char *name = json_string_value(json_object_get(v, "name"));
        const char *ns;
        json_t *list;
        json_object_foreach(m->tokens, ns, list) {
            if (strcmp(scope, "*") != 0 && strcmp(scope, ns) != 0)
                continue;
            for (size_t i = 0; i < json_array_size(list); i++) {
                const char *tok = json_string_value(json_array_get(list, i));
                pending *e, *r = find(&m->nodes, res);
                if (name != NULL && strcmp(strrchr(tok, '/') + 1, name) != 0)
                    continue;
                if ((e = edge(m, res, "holds", tok, NULL, r->src, r->at)) == NULL)
                    return AP_ENOMEM;
                json_object_set_new(e->obj, "requires", json_pack("[s]", "read"));
                json_object_set_new(e->obj, "escalates", json_true());
                json_object_set_new(e->obj, "escalation", json_true());
                json_object_set_new(e->obj, "via", json_string("read secrets"));
            }
        }
    }
    return AP_OK;
}

/* Kubernetes' own groups of service accounts, where a binding names them. */
static int sa_groups(model *m)
{
    const char *key;
    json_t *v;
    json_t *sas = json_deep_copy(m->sa);
    if (sas == NULL)
        return AP_ENOMEM;
    json_object_foreach(sas, key, v) {
        const char *slash = strchr(key, '/');
        char g[700], id[700];
        snprintf(id, sizeof id, "sa:%s", key);
        snprintf(g, sizeof g, "group:system:serviceaccounts:%.*s", (int)(slash - key), key);
        const char *const groups[] = { g, "group:system:serviceaccounts",
                                       "group:system:authenticated" };
        for (size_t i = 0; i < 3; i++) {
            pending *gn = find(&m->nodes, groups[i]);
            pending *e;
            if (gn == NULL)
                continue;
            if ((e = edge(m, id, "member_of", groups[i], NULL, gn->src, gn->at)) == NULL) {
                json_decref(sas);
                return AP_ENOMEM;
            }
            json_object_set_new(e->obj, "implicit", json_true());
        }
    }
    json_decref(sas);
    return AP_OK;
}

/* Every Role and ClusterRole's rules, then those of the ClusterRoles bound in a namespace
 * (granting may bind more of them: until none is left). */
static int grants(model *m)
{
    size_t before;
    int rc;
    for (size_t i = 0; i < m->s->n; i++) {
        const k8s_obj *o = &m->s->objs[i];
        char id[700];
        if (is(o, "Role"))
            snprintf(id, sizeof id, "role:%s/%s", ns_of(o), meta(o, "name"));
        else if (is(o, "ClusterRole"))
            snprintf(id, sizeof id, "clusterrole:%s", meta(o, "name"));
        else
            continue;
        if ((rc = grant_role(m, id, is(o, "Role") ? ns_of(o) : "*", o, o->o)) < 0)
            return rc;
    }
    if (find(&m->nodes, "clusterrole:cluster-admin") != NULL
        && json_object_get(m->cluster_roles, "cluster-admin") == NULL) {
        json_t *builtin = builtin_cluster_admin();
        rc = builtin != NULL ? grant_role(m, "clusterrole:cluster-admin", "*", NULL, builtin)
                             : AP_ENOMEM;
        json_decref(builtin);
        if (rc < 0)
            return rc;
    }
    do {
        json_t *todo = json_deep_copy(m->instances);
        const char *id;
        json_t *v;
        if (todo == NULL)
            return AP_ENOMEM;
        before = json_object_size(m->instances);
        json_object_foreach(todo, id, v) {
            const k8s_obj *o;
            json_t *owned;
            const json_t *rules = cluster_rules(m, json_string_value(json_object_get(v, "name")),
                                                &o, &owned);
            rc = rules != NULL ? grant_role(m, id, json_string_value(json_object_get(v, "ns")),
                                            o, rules)
                               : AP_OK;
            json_decref(owned);
            if (rc < 0) {
                json_decref(todo);
                return rc;
            }
        }
        json_decref(todo);
    } while (json_object_size(m->instances) != before);
    return AP_OK;
}

static int stage(model *m, ap_error *err)
{
    const ap_vocab *v = ap_store_vocab(m->ctx->st);
    int rc;
    for (size_t i = 0; i < m->nodes.n; i++) {
        pending *x = &m->nodes.v[i];
        if (x->src != NULL) {
            m->ctx->file = x->src->file;
            m->ctx->path = x->src->path;
        }
        m->s->cur = x->at;
        if ((rc = ap_import__native_node(m->ctx, i, x->obj, err)) < 0 && rc != AP_EINPUT)
            return rc;
    }
    for (size_t i = 0; i < m->edges.n; i++) {
        pending *x = &m->edges.v[i];
        if (strcmp(json_string_value(json_object_get(x->obj, "kind")), "access") == 0) {
            json_t *names = json_array();
            for (unsigned b = 0; names != NULL && b < v->count; b++)
                if (x->rights & ((ap_rights)1 << b))
                    json_array_append_new(names, json_string(v->names[b]));
            if (names == NULL || json_object_set_new(x->obj, "rights", names) < 0)
                return ap_error_nomem(err);
        }
        if (x->src != NULL) {
            m->ctx->file = x->src->file;
            m->ctx->path = x->src->path;
        }
        m->s->cur = x->at;
        if ((rc = ap_import__native_edge(m->ctx, i, x->obj, err)) < 0 && rc != AP_EINPUT)
            return rc;
    }
    return AP_OK;
}

static void free_pendings(pendings *p)
{
    for (size_t i = 0; i < p->n; i++)
        json_decref(p->v[i].obj);
    free(p->v);
    json_decref(p->index);
}

int ap_k8s__model(ap_import_ctx *ctx, struct ap_k8s_state *s, ap_error *err)
{
    model m;
    int64_t file = ctx->file;
    const char *path = ctx->path;
    int rc;
    memset(&m, 0, sizeof m);
    m.ctx = ctx;
    m.s = s;
    m.nodes.index = json_object();
    m.edges.index = json_object();
    m.sa = json_object();
    m.roles = json_object();
    m.cluster_roles = json_object();
    m.namespaces = json_object();
    m.tokens = json_object();
    m.users = json_object();
    m.groups = json_object();
    m.instances = json_object();
    m.secret_nodes = json_object();
    m.granted = json_object();
    if (m.nodes.index == NULL || m.edges.index == NULL || m.sa == NULL || m.roles == NULL
        || m.cluster_roles == NULL || m.namespaces == NULL || m.tokens == NULL
        || m.users == NULL || m.groups == NULL || m.instances == NULL || m.secret_nodes == NULL
        || m.granted == NULL) {
        rc = AP_ENOMEM;
        goto cleanup;
    }
    /* who and what exists first, so rules can name them; then what the rules grant */
    rc = accounts(&m);
    rc = rc < 0 ? rc : role_nodes(&m);
    rc = rc < 0 ? rc : bindings(&m);
    rc = rc < 0 ? rc : sa_groups(&m);
    rc = rc < 0 ? rc : grants(&m);
    rc = rc < 0 ? rc : token_readers(&m);
    if (m.nodes.full || m.edges.full
        || (ctx->opts->max_nodes > 0 && m.nodes.n > ctx->opts->max_nodes)
        || (ctx->opts->max_edges > 0 && m.edges.n > ctx->opts->max_edges)) {
        rc = ap_error_at(err, AP_EINPUT, s->objs[0].path, 0, 0, "the Kubernetes input expands "
                         "to more than %zu nodes or edges (%s)",
                         m.nodes.full || m.edges.full ? K8S_MAX_ITEMS
                         : (size_t)(m.nodes.n > ctx->opts->max_nodes && ctx->opts->max_nodes > 0
                                        ? ctx->opts->max_nodes : ctx->opts->max_edges),
                         m.nodes.full || m.edges.full
                             ? "roles that can bind ClusterRoles in many namespaces"
                             : "raise --max-nodes or --max-edges if that is expected");
        if (ctx->nerr++ == 0)
            ctx->first = *err;
        else
            ap_error_list_add(ctx->opts->more, err);
        goto cleanup;
    }
    if (rc < 0)
        goto cleanup;
    rc = stage(&m, err);
cleanup:
    if (rc == AP_ENOMEM)
        rc = ap_error_nomem(err);
    ctx->file = file;
    ctx->path = path;
    free_pendings(&m.nodes);
    free_pendings(&m.edges);
    json_decref(m.sa);
    json_decref(m.roles);
    json_decref(m.cluster_roles);
    json_decref(m.namespaces);
    json_decref(m.tokens);
    json_decref(m.users);
    json_decref(m.groups);
    json_decref(m.instances);
    json_decref(m.secret_nodes);
    json_decref(m.granted);
    return rc;
}
