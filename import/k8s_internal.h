/* import/k8s_internal.h: what the Kubernetes RBAC reader's files share: the objects kept from
 * every file of the import (k8s.c) and the model built from them once all are read (k8s_model.c). */
#ifndef AUTHPATH_K8S_INTERNAL_H
#define AUTHPATH_K8S_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "authpath/model.h"
#include "import_internal.h"

typedef struct {
    unsigned line, col;         /* 1-based; 0 when unknown */
} k8s_pos;

/* One RBAC object (ServiceAccount, Secret, Role, ClusterRole, RoleBinding, ClusterRoleBinding)
 * as read, checked, with the places that edges made from it point at. */
typedef struct {
    json_t *o;                  /* owned reference */
    const char *kind;           /* borrowed from o */
    int64_t file;               /* source id and path of the file it came from */
    const char *path;
    k8s_pos at;                 /* the object */
    k8s_pos *parts;             /* rules[i] (roles) or subjects[i] (bindings); owned */
    size_t nparts;
    k8s_pos ref;                /* roleRef (bindings) */
} k8s_obj;

struct ap_k8s_state {
    k8s_obj *objs;
    size_t n, cap;
    json_t *partners;           /* --partner-map: name or glob -> partner id, in file order */
    k8s_pos *partner_pos;       /* where each entry of the map is (for notes) */
    char *partner_path;
    k8s_pos cur;                /* where errors and notes point now */
};

/* Build the graph from every object kept and stage it (k8s_model.c). */
int ap_k8s__model(ap_import_ctx *ctx, struct ap_k8s_state *s, ap_error *err);
/* The partner a user or group name belongs to by the map (exact names first, then the first
 * glob in file order), or NULL. */
const char *ap_k8s__partner_of(const struct ap_k8s_state *s, const char *name);
/* A note at position at of the file path (the current file of ctx is set to it). */
void ap_k8s__note(ap_import_ctx *ctx, const k8s_obj *o, k8s_pos at, const char *what);

#endif
