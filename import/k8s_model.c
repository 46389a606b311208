/* import/k8s_model.c: the Kubernetes objects of an import as nodes and edges: service accounts,
 * users and groups (or partners), bindings as membership; the roles' rules are k8s_rules.c's
 * (docs/sources/kubernetes.md). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_model.h"


/* ---- Pending nodes and edges ---- */

pending *ap_k8s__find(pendings *p, const char *key)
{
    json_t *i = json_object_get(p->index, key);
    return i != NULL ? &p->v[json_integer_value(i)] : NULL;
}

static pending *add(pendings *p, const char *key, json_t *obj, const k8s_obj *src, k8s_pos at)
{
    pending *x;
    if (obj == NULL)
        return NULL;
    if (p->n >= p->limit || p->bound->items >= K8S_MAX_ITEMS) {
        if (!p->bound->full) {
            p->bound->full = true;
            p->bound->limit = p->n >= p->limit ? p->limit : 0;
            p->bound->path = src != NULL ? src->path : NULL;
            p->bound->at = at;
        }
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
    p->bound->items++;
    *x = (pending){ obj, src, at, 0 };
    return x;
}

/* The node id: made with kind, name and type at src/at when new. */
json_t *ap_k8s__node(model *m, const char *id, ap_kind kind, const char *name, const char *type,
                     const k8s_obj *src, k8s_pos at)
{
    pending *x = ap_k8s__find(&m->nodes, id);
    if (x != NULL)
        return x->obj;
    x = add(&m->nodes, id, json_pack("{s:s, s:s, s:s, s:s}", "id", id, "kind",
                                     ap_kind_name(kind), "name", name, "type", type), src, at);
    return x != NULL ? x->obj : NULL;
}

/* The edge from -kind-> to (one per triple and tag: later grants merge into it). */
pending *ap_k8s__edge(model *m, const char *from, const char *kind, const char *to,
                      const char *tag, const k8s_obj *src, k8s_pos at)
{
    /* the whole key, however long the names: a fixed buffer cut two resources whose names
     * share their first thousand bytes to one key, and the second's grant merged into the
     * first's edge (the second resource was left with none) */
    size_t size = strlen(from) + strlen(kind) + strlen(to) + (tag != NULL ? strlen(tag) : 0) + 4;
    char *key = malloc(size);
    pending *x;
    if (key == NULL)
        return NULL;
    snprintf(key, size, "%s\x1f%s\x1f%s\x1f%s", from, kind, to, tag != NULL ? tag : "");
    if ((x = ap_k8s__find(&m->edges, key)) == NULL)
        x = add(&m->edges, key, json_pack("{s:s, s:s, s:s}", "from", from, "to", to, "kind",
                                          kind), src, at);
    free(key);
    return x;
}

int ap_k8s__keep(model *m, k8s_obj *o)
{
    k8s_obj **v = realloc(m->builtins, (m->nbuiltins + 1) * sizeof *v);
    if (v == NULL)
        return AP_ENOMEM;
    m->builtins = v;
    m->builtins[m->nbuiltins++] = o;
    return AP_OK;
}

int ap_k8s__add_to_list(json_t *obj, const char *key, const char *s)
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

const char *ap_k8s__meta(const k8s_obj *o, const char *key)
{
    return json_string_value(json_object_get(json_object_get(o->o, "metadata"), key));
}

const char *ap_k8s__ns_of(const k8s_obj *o)
{
    const char *ns = ap_k8s__meta(o, "namespace");
    return ns != NULL && ns[0] != '\0' ? ns : "default";
}

bool ap_k8s__is(const k8s_obj *o, const char *kind)
{
    return strcmp(o->kind, kind) == 0;
}

bool ap_k8s__has(const json_t *list, const char *s)
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
    if (ap_k8s__find(&m->nodes, buf) != NULL)
        return AP_OK;
    if ((n = ap_k8s__node(m, buf, AP_KIND_IDENTITY, name, "k8s_service_account", src, at)) == NULL
        || json_object_set_new(n, "namespace", json_string(ns)) < 0
        || json_object_set_new(m->sa, key, json_true()) < 0)
        return AP_ENOMEM;
    if (json_object_get(m->namespaces, ns) == NULL)
        json_object_set_new(m->namespaces, ns, json_true());
    if (src == NULL || !ap_k8s__is(src, "ServiceAccount")) {
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
            ns = ap_k8s__is(b, "RoleBinding") ? ap_k8s__ns_of(b) : "default";
        return service_account(m, ns, name, b, at, id_out, buf, size);
    }
    if (strcmp(kind, "User") == 0 && strncmp(name, "system:serviceaccount:", 22) == 0
        && strchr(name + 22, ':') != NULL) {
        char sns[520];     /* a subject's name is at most 512 bytes (k8s.c) */
        const char *colon = strchr(name + 22, ':');
        snprintf(sns, sizeof sns, "%.*s", (int)(colon - (name + 22)), name + 22);
        return service_account(m, sns, colon + 1, b, at, id_out, buf, size);
    }
    snprintf(label, sizeof label, "%s %s", kind, name);
    if ((partner = ap_k8s__partner_of(m->s, name)) != NULL) {
        snprintf(buf, size, "%s", partner);
        *id_out = buf;
        if ((n = ap_k8s__node(m, buf, AP_KIND_PARTNER, partner, "k8s_partner", b, at)) == NULL
            || ap_k8s__add_to_list(n, "k8s_subjects", label) < 0)
            return AP_ENOMEM;
        return AP_OK;
    }
    snprintf(buf, size, "%s:%s", strcmp(kind, "User") == 0 ? "user" : "group", name);
    *id_out = buf;
    if ((n = ap_k8s__node(m, buf, AP_KIND_IDENTITY, name, strcmp(kind, "User") == 0 ? "k8s_user"
                                                                            : "k8s_group",
                  b, at)) == NULL)
        return AP_ENOMEM;
    json_object_set_new(strcmp(kind, "User") == 0 ? m->users : m->groups, buf, json_true());
    return AP_OK;
}

/* ---- The objects, in order ---- */

static int role_nodes(model *m)
{
    for (size_t i = 0; i < m->s->n; i++) {
        const k8s_obj *o = &m->s->objs[i];
        const char *name = ap_k8s__meta(o, "name");
        char id[700];
        json_t *n, *list;
        if (ap_k8s__is(o, "Role")) {
            snprintf(id, sizeof id, "role:%s/%s", ap_k8s__ns_of(o), name);
            if (ap_k8s__find(&m->nodes, id) != NULL) {
                ap_k8s__note(m->ctx, o, o->at, "repeated Role (the first is kept)");
                continue;
            }
            if ((n = ap_k8s__node(m, id, AP_KIND_ROLE, name, "k8s_role", o, o->at)) == NULL)
                return AP_ENOMEM;
            json_object_set_new(n, "namespace", json_string(ap_k8s__ns_of(o)));
            snprintf(id, sizeof id, "%s/%s", ap_k8s__ns_of(o), name);
            json_object_set_new(m->roles, id, json_integer((json_int_t)i));
            if (json_object_get(m->ns_roles, ap_k8s__ns_of(o)) == NULL
                && json_object_set_new(m->ns_roles, ap_k8s__ns_of(o), json_array()) < 0)
                return AP_ENOMEM;
            list = json_object_get(m->ns_roles, ap_k8s__ns_of(o));
            if (json_array_append_new(list, json_integer((json_int_t)i)) < 0)
                return AP_ENOMEM;
        } else if (ap_k8s__is(o, "ClusterRole")) {
            snprintf(id, sizeof id, "clusterrole:%s", name);
            if (ap_k8s__find(&m->nodes, id) != NULL) {
                ap_k8s__note(m->ctx, o, o->at, "repeated ClusterRole (the first is kept)");
                continue;
            }
            if ((n = ap_k8s__node(m, id, AP_KIND_ROLE, name, "k8s_cluster_role", o, o->at)) ==
                NULL)
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
        if (json_object_get(m->namespaces, ap_k8s__ns_of(o)) == NULL && ap_k8s__is(o, "Role"))
            json_object_set_new(m->namespaces, ap_k8s__ns_of(o), json_true());
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
    if (strcmp(kind, "ClusterRole") == 0 && ap_k8s__is(b, "RoleBinding")) {
        if (json_object_get(m->cluster_roles, name) == NULL && strcmp(name, "cluster-admin") != 0)
            ap_k8s__note(m->ctx, b, b->ref, "binding to a role that is not in the input (what "
                         "it grants is unknown)");
        return ap_k8s__instance(m, name, ap_k8s__ns_of(b), b, b->ref, id, size);
    }
    if (strcmp(kind, "Role") == 0 && ap_k8s__is(b, "ClusterRoleBinding")) {
        ap_k8s__note(m->ctx, b, b->ref, "ClusterRoleBinding to a Role (Kubernetes refuses it: "
                     "skipped)");
        *id_out = NULL;
        return AP_OK;
    }
    if (strcmp(kind, "Role") == 0) {
        snprintf(id, size, "role:%s/%s", ap_k8s__ns_of(b), name);
        snprintf(key, sizeof key, "%s/%s", ap_k8s__ns_of(b), name);
        if (json_object_get(m->roles, key) != NULL || ap_k8s__find(&m->nodes, id) != NULL)
            return AP_OK;
        if ((n = ap_k8s__node(m, id, AP_KIND_ROLE, name, "k8s_role", b, b->ref)) == NULL)
            return AP_ENOMEM;
        json_object_set_new(n, "namespace", json_string(ap_k8s__ns_of(b)));
    } else {
        snprintf(id, size, "clusterrole:%s", name);
        if (json_object_get(m->cluster_roles, name) != NULL || ap_k8s__find(&m->nodes, id) != NULL)
            return AP_OK;
        if ((n = ap_k8s__node(m, id, AP_KIND_ROLE, name, "k8s_cluster_role", b, b->ref)) == NULL)
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
        bool cluster = ap_k8s__is(b, "ClusterRoleBinding");
        if (!cluster && !ap_k8s__is(b, "RoleBinding"))
            continue;
        if ((rc = bound_role(m, b, &role, rid, sizeof rid)) < 0)
            return rc;
        if (role == NULL)
            continue;
        if (!cluster && json_object_get(m->namespaces, ap_k8s__ns_of(b)) == NULL)
            json_object_set_new(m->namespaces, ap_k8s__ns_of(b), json_true());
        for (size_t k = 0; k < b->nparts; k++) {
            const json_t *sub = json_array_get(json_object_get(b->o, "subjects"), k);
            pending *e;
            char label[700];
            if ((rc = subject(m, b, k, &who, sid, sizeof sid)) < 0)
                return rc;
            if ((e = ap_k8s__edge(m, who, "member_of", role, ap_k8s__meta(b, "name"), b,
                                  b->parts[k])) == NULL)
                return AP_ENOMEM;
            json_object_set_new(e->obj, "binding", json_string(ap_k8s__meta(b, "name")));
            json_object_set_new(e->obj, "binding_kind", json_string(b->kind));
            json_object_set_new(e->obj, "k8s_scope", json_string(cluster ? "cluster"
                                                                         : "namespace"));
            if (!cluster)
                json_object_set_new(e->obj, "namespace", json_string(ap_k8s__ns_of(b)));
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
        if (ap_k8s__is(o, "ServiceAccount")) {
            snprintf(buf, sizeof buf, "sa:%s/%s", ap_k8s__ns_of(o), ap_k8s__meta(o, "name"));
            if (ap_k8s__find(&m->nodes, buf) != NULL) {
                ap_k8s__note(m->ctx, o, o->at, "repeated ServiceAccount (the first is kept)");
                continue;
            }
            if ((rc = service_account(m, ap_k8s__ns_of(o), ap_k8s__meta(o, "name"), o, o->at, &id,
                                      buf, sizeof buf)) < 0)
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
        if (!ap_k8s__is(o, "Secret"))
            continue;
        if (type == NULL || strcmp(type, "kubernetes.io/service-account-token") != 0
            || sa == NULL) {
            ap_k8s__note(m->ctx, o, o->at, "secret that is not a service-account token (not a "
                         "credential here; rules on secrets are access to it)");
            continue;
        }
        snprintf(id, sizeof id, "secret:%s/%s", ap_k8s__ns_of(o), ap_k8s__meta(o, "name"));
        if (ap_k8s__find(&m->nodes, id) != NULL)
            continue;
        if ((n = ap_k8s__node(m, id, AP_KIND_CREDENTIAL, ap_k8s__meta(o, "name"),
                              "k8s_service_account_token", o, o->at)) == NULL)
            return AP_ENOMEM;
        json_object_set_new(n, "namespace", json_string(ap_k8s__ns_of(o)));
        json_object_set_new(n, "static", json_true());
        if (ap_k8s__meta(o, "creationTimestamp") != NULL)
            json_object_set_new(n, "valid_from",
                                json_string(ap_k8s__meta(o, "creationTimestamp")));
        if ((rc = service_account(m, ap_k8s__ns_of(o), sa, o, o->at, &to, sid, sizeof sid)) < 0)
            return rc;
        if ((e = ap_k8s__edge(m, id, "authenticates_as", to, NULL, o, o->at)) == NULL)
            return AP_ENOMEM;
        if ((list = json_object_get(m->tokens, ap_k8s__ns_of(o))) == NULL) {
            json_object_set_new(m->tokens, ap_k8s__ns_of(o), json_array());
            list = json_object_get(m->tokens, ap_k8s__ns_of(o));
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
                pending *e, *r = ap_k8s__find(&m->nodes, res);
                if (name != NULL && strcmp(strrchr(tok, '/') + 1, name) != 0)
                    continue;
                if ((e = ap_k8s__edge(m, res, "holds", tok, NULL, r->src, r->at)) == NULL)
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
            pending *gn = ap_k8s__find(&m->nodes, groups[i]);
            pending *e;
            if (gn == NULL)
                continue;
            if ((e = ap_k8s__edge(m, id, "member_of", groups[i], NULL, gn->src, gn->at)) == NULL) {
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
        if (ap_k8s__is(o, "Role"))
            snprintf(id, sizeof id, "role:%s/%s", ap_k8s__ns_of(o), ap_k8s__meta(o, "name"));
        else if (ap_k8s__is(o, "ClusterRole"))
            snprintf(id, sizeof id, "clusterrole:%s", ap_k8s__meta(o, "name"));
        else
            continue;
        if ((rc = ap_k8s__grant_role(m, id, ap_k8s__is(o, "Role") ? ap_k8s__ns_of(o) : "*", o,
                                     o->o)) < 0)
            return rc;
    }
    if (ap_k8s__find(&m->nodes, "clusterrole:cluster-admin") != NULL
        && json_object_get(m->cluster_roles, "cluster-admin") == NULL) {
        json_t *builtin = ap_k8s__builtin_cluster_admin();
        rc = builtin != NULL
                 ? ap_k8s__grant_role(m, "clusterrole:cluster-admin", "*", NULL, builtin)
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
            const json_t *rules = ap_k8s__cluster_rules(
                m, json_string_value(json_object_get(v, "name")), &o, &owned);
            rc = rules != NULL ? ap_k8s__grant_role(
                                     m, id, json_string_value(json_object_get(v, "ns")), o, rules)
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
    m.nodes.limit = ctx->opts->max_nodes > 0 && ctx->opts->max_nodes < SIZE_MAX
                        ? (size_t)ctx->opts->max_nodes : SIZE_MAX;
    m.edges.limit = ctx->opts->max_edges > 0 && ctx->opts->max_edges < SIZE_MAX
                        ? (size_t)ctx->opts->max_edges : SIZE_MAX;
    m.nodes.bound = m.edges.bound = &m.bound;
    m.sa = json_object();
    m.roles = json_object();
    m.ns_roles = json_object();
    m.cluster_roles = json_object();
    m.namespaces = json_object();
    m.tokens = json_object();
    m.users = json_object();
    m.groups = json_object();
    m.instances = json_object();
    m.secret_nodes = json_object();
    m.granted = json_object();
    if (m.nodes.index == NULL || m.edges.index == NULL || m.sa == NULL || m.roles == NULL
        || m.ns_roles == NULL || m.cluster_roles == NULL || m.namespaces == NULL
        || m.tokens == NULL || m.users == NULL || m.groups == NULL || m.instances == NULL
        || m.secret_nodes == NULL || m.granted == NULL) {
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
    if (m.bound.full) {
        const char *where = m.bound.path != NULL ? m.bound.path : s->objs[0].path;
        k8s_pos at = m.bound.path != NULL ? m.bound.at : (k8s_pos){ 0, 0 };
        if (m.bound.limit > 0)
            rc = ap_error_at(err, AP_EINPUT, where, at.line, at.col, "the Kubernetes input "
                             "expands to more than %zu nodes or edges (raise --max-nodes or "
                             "--max-edges if that is expected)", m.bound.limit);
        else
            rc = ap_error_at(err, AP_EINPUT, where, at.line, at.col, "the Kubernetes input "
                             "expands to more than %zu nodes and edges (each ClusterRole that "
                             "may be bound in a namespace is a role there: ClusterRoles times "
                             "namespaces)", K8S_MAX_ITEMS);
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
    json_decref(m.ns_roles);
    json_decref(m.cluster_roles);
    json_decref(m.namespaces);
    json_decref(m.tokens);
    json_decref(m.users);
    json_decref(m.groups);
    json_decref(m.instances);
    json_decref(m.secret_nodes);
    json_decref(m.granted);
    for (size_t i = 0; i < m.nbuiltins; i++)
        free(m.builtins[i]);
    free(m.builtins);
    return rc;
}
