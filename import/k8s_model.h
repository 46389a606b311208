/* import/k8s_model.h: what the Kubernetes model's two halves share: the pending nodes and edges
 * (k8s_model.c) and the roles' rules as grants and escalations (k8s_rules.c). */
#ifndef AP_IMPORT_K8S_MODEL_H
#define AP_IMPORT_K8S_MODEL_H

#include "k8s_internal.h"

#define R(x) ((ap_rights)1 << AP_R_##x)

/* A node or edge in native shape, waiting to be staged; edges merge by from|kind|to. */
typedef struct {
    json_t *obj;
    const k8s_obj *src;         /* where it comes from (file, path) */
    k8s_pos at;
    ap_rights rights;           /* access edges: the union of their verbs' rights */
} pending;

/* The bounds on what one import may build, checked as each node and edge is made, so that an
 * estate past them is refused before it takes the memory: --max-nodes and --max-edges when
 * given, and K8S_MAX_ITEMS nodes and edges together (about 1.6 KB each while the model is
 * built: 1.7 GB). Every ClusterRole a RoleBinding may bind is a role in each namespace
 * (clusterrole:NAME@NS), so ClusterRoles times namespaces is what grows. */
#define K8S_MAX_ITEMS ((size_t)1 << 20)

typedef struct {
    size_t items;               /* nodes and edges made so far */
    bool full;                  /* a bound was reached: the model stops growing */
    size_t limit;               /* ... which: --max-nodes or --max-edges, or 0: K8S_MAX_ITEMS */
    const char *path;           /* where what was being made then comes from (the error's */
    k8s_pos at;                 /* place), or NULL */
} k8s_bound;

typedef struct {
    pending *v;
    size_t n, cap;
    json_t *index;              /* id or key -> position in v */
    size_t limit;               /* --max-nodes or --max-edges; SIZE_MAX when not given */
    k8s_bound *bound;           /* the model's: shared by its nodes and edges */
} pendings;

typedef struct {
    ap_import_ctx *ctx;
    struct ap_k8s_state *s;
    pendings nodes, edges;
    k8s_bound bound;
    json_t *sa;                 /* "NS/NAME" -> true: every service account known */
    json_t *roles;              /* "NS/NAME" -> object index */
    json_t *ns_roles;           /* "NS" -> [object index of each Role there, as met] */
    json_t *cluster_roles;      /* "NAME" -> object index */
    json_t *namespaces;         /* every namespace named, sorted as met */
    json_t *tokens;             /* "NS" -> ["secret:NS/NAME", ...] */
    json_t *users, *groups;     /* user and group node ids made (not partners) */
    json_t *instances;          /* "clusterrole:NAME@NS" -> {"name", "ns"} */
    json_t *secret_nodes;       /* secrets resource node ids -> namespace ("*": every one) */
    json_t *granted;            /* role node ids whose rules are granted */
    k8s_obj **builtins;         /* the built-in cluster-admin as each binding grants it: owned */
    size_t nbuiltins;
} model;


/* k8s_model.c: pending nodes and edges, and object fields */
pending *ap_k8s__find(pendings *p, const char *key);
json_t *ap_k8s__node(model *m, const char *id, ap_kind kind, const char *name, const char *type,
                     const k8s_obj *src, k8s_pos at);
pending *ap_k8s__edge(model *m, const char *from, const char *kind, const char *to,
                      const char *tag, const k8s_obj *src, k8s_pos at);
int ap_k8s__add_to_list(json_t *obj, const char *key, const char *s);
/* The model takes ownership of o (made for the built-in cluster-admin), freed with it. */
int ap_k8s__keep(model *m, k8s_obj *o);
const char *ap_k8s__meta(const k8s_obj *o, const char *key);
const char *ap_k8s__ns_of(const k8s_obj *o);
bool ap_k8s__is(const k8s_obj *o, const char *kind);
bool ap_k8s__has(const json_t *list, const char *s);

/* k8s_rules.c: the rules of roles */
json_t *ap_k8s__builtin_cluster_admin(void);
int ap_k8s__grant_role(model *m, const char *role, const char *scope, const k8s_obj *o,
                       const json_t *obj);
int ap_k8s__instance(model *m, const char *name, const char *ns, const k8s_obj *src, k8s_pos at,
                     char *id, size_t size);
const json_t *ap_k8s__cluster_rules(model *m, const char *name, const k8s_obj **o,
                                    json_t **owned);

#endif
