/* import/k8s.c: Kubernetes RBAC in: `kubectl get ... -o json` Lists (or a list of Lists) and
 * YAML manifests (many documents), as detect.c routes them. Checks each object and keeps it;
 * k8s_model.c turns them into nodes and edges when the import's last file is read. */
#include <fnmatch.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "k8s_internal.h"

#define PARTNER_MAP_MAX ((size_t)4 << 20)

/* ---- Kinds ---- */

static const char *const rbac_kinds[] = { "ServiceAccount", "Secret", "Role", "ClusterRole",
                                          "RoleBinding", "ClusterRoleBinding", NULL };

static bool known_kind(const char *s, size_t n)
{
    for (size_t i = 0; rbac_kinds[i] != NULL; i++)
        if (strlen(rbac_kinds[i]) == n && memcmp(rbac_kinds[i], s, n) == 0)
            return true;
    return false;
}

/* "List", "RoleList", "ClusterRoleBindingList"... */
static bool list_kind(const char *s, size_t n)
{
    return n >= 4 && memcmp(s + n - 4, "List", 4) == 0
           && (n == 4 || known_kind(s, n - 4));
}

/* ---- The state kept across files ---- */

static void locate_cur(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    const k8s_pos *pos = vctx;
    (void)p;
    *line = pos->line;
    *col = pos->col;
}

void ap_k8s__note(ap_import_ctx *ctx, const k8s_obj *o, k8s_pos at, const char *what)
{
    const char *path = ctx->path;
    if (o != NULL)
        ctx->path = o->path;
    ap_import__note(ctx, at.line, at.col, what);
    ctx->path = path;
}

void ap_import__k8s_free(ap_import_ctx *ctx)
{
    struct ap_k8s_state *s = ctx->k8s;
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->n; i++) {
        json_decref(s->objs[i].o);
        free(s->objs[i].parts);
    }
    free(s->objs);
    json_decref(s->partners);
    free(s->partner_pos);
    free(s->partner_path);
    free(s);
    ctx->k8s = NULL;
}

const char *ap_k8s__partner_of(const struct ap_k8s_state *s, const char *name)
{
    const char *key;
    json_t *v;
    if (s->partners == NULL)
        return NULL;
    if ((v = json_object_get(s->partners, name)) != NULL)
        return json_string_value(v);
    json_object_foreach(s->partners, key, v)
        if (strpbrk(key, "*?[") != NULL && fnmatch(key, name, 0) == 0)
            return json_string_value(v);
    return NULL;
}

/* --partner-map FILE: an object of name or glob -> partner id, JSON or YAML. */
static int load_partner_map(struct ap_k8s_state *s, const char *path, ap_error *err)
{
    ap_posdoc *doc = NULL;
    const json_t *root;
    const char *key;
    json_t *v;
    int rc;
    if ((rc = ap_posdoc_load(&doc, &root, path, PARTNER_MAP_MAX, "a partner map", err)) < 0)
        return rc;
    if (!json_is_object(root)) {
        unsigned line, col;
        ap_posdoc_where(doc, NULL, 0, &line, &col);
        rc = ap_error_at(err, AP_EINPUT, path, line, col, "a partner map is a mapping of user "
                         "or group names (or glob patterns) to partner ids");
        goto cleanup;
    }
    json_object_foreach((json_t *)root, key, v) {
        if (!json_is_string(v) || json_string_length(v) == 0 || key[0] == '\0') {
            ap_step step = { key, 0 };
            unsigned line, col;
            char shown[64];
            ap_posdoc_where(doc, &step, 1, &line, &col);
            ap_doc_quote(shown, sizeof shown, key);
            rc = ap_error_at(err, AP_EINPUT, path, line, col, "partner map entry '%s' must name "
                             "a partner id (a non-empty string)", shown);
            goto cleanup;
        }
    }
    if ((s->partners = json_deep_copy(root)) == NULL
        || (s->partner_path = strdup(path)) == NULL)
        rc = ap_error_nomem(err);
cleanup:
    ap_posdoc_free(doc);
    return rc;
}

static int state_init(ap_import_ctx *ctx, ap_error *err)
{
    struct ap_k8s_state *s;
    if (ctx->k8s != NULL)
        return AP_OK;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return ap_error_nomem(err);
    ctx->k8s = s;
    if (ctx->opts->partner_map != NULL)
        return load_partner_map(s, ctx->opts->partner_map, err);
    return AP_OK;
}

/* ---- One file ---- */

/* The parsed file and how to find a place in it. */
typedef struct {
    ap_json_text t;             /* JSON */
    ap_yaml_doc *y;             /* YAML: the documents as one list */
} k8s_text;

#define MAX_STEPS 8

typedef struct {
    ap_import_ctx *ctx;
    struct ap_k8s_state *s;
    k8s_text *x;
    ap_step steps[MAX_STEPS];
    size_t nsteps;
} reader;

static k8s_pos where(const reader *r, const ap_step *extra, size_t nextra)
{
    ap_step steps[MAX_STEPS + 2];
    k8s_pos p = { 0, 0 };
    size_t n = r->nsteps, at, next;
    memcpy(steps, r->steps, n * sizeof *steps);
    for (size_t i = 0; i < nextra && n < MAX_STEPS + 2; i++)
        steps[n++] = extra[i];
    if (r->x->y != NULL) {
        ap_doc_yaml_where(r->x->y, steps, n, &p.line, &p.col);
        return p;
    }
    at = ap_json__skip_ws(&r->x->t, 0);
    for (size_t k = 0; k < n; k++) {
        next = steps[k].key != NULL ? ap_json__find_key(&r->x->t, at, steps[k].key)
                                    : ap_json__find_index(&r->x->t, at, steps[k].index);
        if (next == SIZE_MAX)
            break;
        at = next;
    }
    ap_json__line_col(&r->x->t, at, &p.line, &p.col);
    return p;
}

static int fail_at(reader *r, k8s_pos at, const char *fmt, ...) AP_PRINTF(3, 4);
static int fail_at(reader *r, k8s_pos at, const char *fmt, ...)
{
    ap_place p = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, NULL };
    char msg[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->s->cur = at;
    return ap_import__fail(r->ctx, &p, "%s", msg);
}

static const char *str_of(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* Kubernetes' own limits on names (a DNS subdomain) and namespaces (a DNS label), which the
 * API server enforces: longer ones are refused here, as no cluster holds them, rather than cut
 * to fit the ids built from them (two long names sharing a prefix became one node). */
#define K8S_NAME_MAX 253
#define K8S_NAMESPACE_MAX 63
/* A user or group subject's name, which Kubernetes does not limit: room for
 * system:serviceaccount:NAMESPACE:NAME and for the long names identity providers give. */
#define K8S_SUBJECT_MAX 512

/* A list of strings, or absent (NULL or null). */
static bool string_list(const json_t *v)
{
    if (v == NULL || json_is_null(v))
        return true;
    if (!json_is_array(v))
        return false;
    for (size_t i = 0; i < json_array_size(v); i++)
        if (!json_is_string(json_array_get(v, i)))
            return false;
    return true;
}

/* The first string of a list longer than K8S_NAME_MAX bytes, or SIZE_MAX. */
static size_t long_entry(const json_t *v)
{
    for (size_t i = 0; i < json_array_size(v); i++)
        if (json_string_length(json_array_get(v, i)) > K8S_NAME_MAX)
            return i;
    return SIZE_MAX;
}

/* Refuse s (at `at`) when it is longer than max bytes. */
static int too_long(reader *r, k8s_pos at, const char *what, const char *s, size_t max)
{
    if (s == NULL || strlen(s) <= max)
        return AP_OK;
    return fail_at(r, at, "%s is %zu bytes long: %s at most %zu", what, strlen(s),
                   max == K8S_SUBJECT_MAX ? "authpath reads" : "Kubernetes allows", max);
}

static int check_rules(reader *r, const json_t *o, k8s_obj *k)
{
    const json_t *rules = json_object_get(o, "rules");
    ap_step step = { "rules", 0 };
    int bad = 0;
    if (rules == NULL || json_is_null(rules))
        return AP_OK;
    if (!json_is_array(rules))
        return fail_at(r, where(r, &step, 1), "a %s's 'rules' must be a list", k->kind);
    if (json_array_size(rules) > 0
        && (k->parts = calloc(json_array_size(rules), sizeof *k->parts)) == NULL)
        return AP_ENOMEM;
    k->nparts = json_array_size(rules);
    for (size_t i = 0; i < json_array_size(rules); i++) {
        static const char *const lists[] = { "verbs", "apiGroups", "resources",
                                             "resourceNames", "nonResourceURLs" };
        const json_t *rule = json_array_get(rules, i);
        ap_step at[2] = { { "rules", 0 }, { NULL, i } };
        k->parts[i] = where(r, at, 2);
        if (!json_is_object(rule)) {
            bad = fail_at(r, k->parts[i], "a rule must be a mapping");
            continue;
        }
        if (!json_is_array(json_object_get(rule, "verbs"))) {
            bad = fail_at(r, k->parts[i], "a rule needs 'verbs': a list of strings");
            continue;
        }
        for (size_t l = 0; l < sizeof lists / sizeof lists[0]; l++) {
            ap_step key[3] = { { "rules", 0 }, { NULL, i }, { lists[l], 0 } };
            const json_t *list = json_object_get(rule, lists[l]);
            size_t j;
            if (!string_list(list)) {
                bad = fail_at(r, where(r, key, 3), "a rule's '%s' must be a list of strings",
                              lists[l]);
            } else if ((j = long_entry(list)) != SIZE_MAX) {
                ap_step item[4] = { { "rules", 0 }, { NULL, i }, { lists[l], 0 }, { NULL, j } };
                bad = fail_at(r, where(r, item, 4), "a rule's '%s' entry is %zu bytes long: "
                              "Kubernetes allows at most %d", lists[l],
                              json_string_length(json_array_get(list, j)), K8S_NAME_MAX);
            }
        }
    }
    return bad;
}

static int check_binding(reader *r, const json_t *o, k8s_obj *k)
{
    const json_t *ref = json_object_get(o, "roleRef"), *subjects = json_object_get(o, "subjects");
    ap_step step = { "roleRef", 0 };
    const char *rk = str_of(ref, "kind");
    int bad = 0;
    k->ref = where(r, &step, 1);
    if (!json_is_object(ref) || rk == NULL || str_of(ref, "name") == NULL
        || (strcmp(rk, "Role") != 0 && strcmp(rk, "ClusterRole") != 0))
        bad = fail_at(r, k->ref, "a %s needs a 'roleRef' with 'kind' (Role or ClusterRole) and "
                      "'name'", k->kind);
    else if (too_long(r, k->ref, "a roleRef's name", str_of(ref, "name"), K8S_NAME_MAX) != AP_OK)
        bad = AP_EINPUT;
    if (subjects == NULL || json_is_null(subjects))
        return bad;
    step.key = "subjects";
    if (!json_is_array(subjects))
        return fail_at(r, where(r, &step, 1), "a %s's 'subjects' must be a list", k->kind);
    if (json_array_size(subjects) > 0
        && (k->parts = calloc(json_array_size(subjects), sizeof *k->parts)) == NULL)
        return AP_ENOMEM;
    k->nparts = json_array_size(subjects);
    for (size_t i = 0; i < json_array_size(subjects); i++) {
        const json_t *sub = json_array_get(subjects, i);
        const char *sk = str_of(sub, "kind");
        ap_step at[2] = { { "subjects", 0 }, { NULL, i } };
        k->parts[i] = where(r, at, 2);
        if (sk == NULL || str_of(sub, "name") == NULL || str_of(sub, "name")[0] == '\0'
            || (strcmp(sk, "User") != 0 && strcmp(sk, "Group") != 0
                && strcmp(sk, "ServiceAccount") != 0))
            bad = fail_at(r, k->parts[i], "a subject needs 'kind' (User, Group or "
                          "ServiceAccount) and 'name'");
        else if (too_long(r, k->parts[i], "a subject's name", str_of(sub, "name"),
                          strcmp(sk, "ServiceAccount") == 0 ? K8S_NAME_MAX : K8S_SUBJECT_MAX)
                 != AP_OK
                 || too_long(r, k->parts[i], "a subject's namespace", str_of(sub, "namespace"),
                             K8S_NAMESPACE_MAX) != AP_OK)
            bad = AP_EINPUT;
        else if (strcmp(sk, "ServiceAccount") == 0 && strcmp(k->kind, "RoleBinding") != 0
                 && (str_of(sub, "namespace") == NULL || str_of(sub, "namespace")[0] == '\0'))
            /* a RoleBinding's own namespace stands in; nothing does for a cluster-wide one */
            bad = fail_at(r, k->parts[i], "a ServiceAccount subject of a %s needs a "
                          "'namespace' (Kubernetes refuses the binding without one)", k->kind);
    }
    return bad;
}

/* One object: checked, then kept. */
static int read_object(reader *r, const json_t *o)
{
    struct ap_k8s_state *s = r->s;
    const char *kind = str_of(o, "kind");
    const json_t *meta = json_object_get(o, "metadata");
    k8s_pos at = where(r, NULL, 0);
    k8s_obj k;
    int rc;
    if (!json_is_object(o))
        return fail_at(r, at, "a Kubernetes object must be a mapping");
    if (kind == NULL)
        return fail_at(r, at, "a Kubernetes object needs a 'kind'");
    if (!known_kind(kind, strlen(kind))) {
        char what[200], shown[64];
        ap_doc_quote(shown, sizeof shown, kind);
        snprintf(what, sizeof what, "Kubernetes object of kind '%s' skipped (not RBAC)", shown);
        s->cur = at;
        ap_import__note(r->ctx, at.line, at.col, what);
        return AP_OK;
    }
    if (!json_is_object(meta) || str_of(meta, "name") == NULL || str_of(meta, "name")[0] == '\0')
        return fail_at(r, at, "a %s needs 'metadata' with a 'name'", kind);
    if (json_object_get(meta, "namespace") != NULL && !json_is_string(json_object_get(meta,
                                                                                "namespace"))) {
        ap_step step[2] = { { "metadata", 0 }, { "namespace", 0 } };
        return fail_at(r, where(r, step, 2), "metadata.namespace must be a string");
    }
    if ((strcmp(kind, "Role") == 0 || strcmp(kind, "RoleBinding") == 0
         || strcmp(kind, "ServiceAccount") == 0
         || (strcmp(kind, "Secret") == 0 && str_of(o, "type") != NULL
             && strcmp(str_of(o, "type"), "kubernetes.io/service-account-token") == 0))
        && (str_of(meta, "namespace") == NULL || str_of(meta, "namespace")[0] == '\0')) {
        /* kubectl would put it in its context's namespace, which the file does not say: read
         * as `default`, its grants would be claimed for a namespace they may not be in */
        ap_step step = { "metadata", 0 };
        return fail_at(r, where(r, &step, 1), "a %s without metadata.namespace: kubectl would "
                       "apply it to the current context's namespace, which the file does not "
                       "say (set metadata.namespace)", kind);
    }
    {
        ap_step name[2] = { { "metadata", 0 }, { "name", 0 } };
        ap_step ns[2] = { { "metadata", 0 }, { "namespace", 0 } };
        if ((rc = too_long(r, where(r, name, 2), "metadata.name", str_of(meta, "name"),
                           K8S_NAME_MAX)) != AP_OK
            || (rc = too_long(r, where(r, ns, 2), "metadata.namespace",
                              str_of(meta, "namespace"), K8S_NAMESPACE_MAX)) != AP_OK)
            return rc;
    }
    memset(&k, 0, sizeof k);
    k.file = r->ctx->file;
    k.path = r->ctx->path;
    k.at = at;
    k.kind = kind;
    if (strcmp(kind, "Role") == 0 || strcmp(kind, "ClusterRole") == 0)
        rc = check_rules(r, o, &k);
    else if (strcmp(kind, "RoleBinding") == 0 || strcmp(kind, "ClusterRoleBinding") == 0)
        rc = check_binding(r, o, &k);
    else
        rc = AP_OK;
    if (rc != AP_OK) {
        free(k.parts);
        return rc;
    }
    if (s->n == s->cap) {
        k8s_obj *p = realloc(s->objs, (s->cap = s->cap ? 2 * s->cap : 64) * sizeof *p);
        if (p == NULL) {
            free(k.parts);
            return AP_ENOMEM;
        }
        s->objs = p;
    }
    k.o = json_incref((json_t *)o);
    k.kind = str_of(k.o, "kind");
    s->objs[s->n++] = k;
    return AP_OK;
}

/* A value of the file: a list (of Lists or objects), a List (its items), or one object. */
static int read_value(reader *r, const json_t *v, int depth)
{
    const char *kind = str_of(v, "kind");
    int rc = AP_OK, bad = 0;
    if (json_is_null(v))            /* an empty YAML document */
        return AP_OK;
    if (depth < 2 && (json_is_array(v) || (kind != NULL && list_kind(kind, strlen(kind))))) {
        const json_t *items = json_is_array(v) ? v : json_object_get(v, "items");
        size_t base = r->nsteps;
        if (!json_is_array(items) && !json_is_null(items)) {
            ap_step step = { "items", 0 };
            return fail_at(r, where(r, &step, 1), "a List's 'items' must be a list");
        }
        if (base + 2 > MAX_STEPS)
            return AP_OK;
        if (!json_is_array(v))
            r->steps[r->nsteps++] = (ap_step){ "items", 0 };
        for (size_t i = 0; i < json_array_size(items) && rc != AP_ENOMEM; i++) {
            r->steps[r->nsteps] = (ap_step){ NULL, i };
            r->nsteps++;
            rc = read_value(r, json_array_get(items, i), depth + 1);
            r->nsteps--;
            if (rc == AP_EINPUT)
                bad = rc;
        }
        r->nsteps = base;
        return rc == AP_ENOMEM ? rc : bad;
    }
    return read_object(r, v);
}

int ap_import__k8s(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    k8s_text x;
    reader r;
    json_t *json = NULL;
    const json_t *root = NULL;
    size_t top;
    int rc;
    memset(&x, 0, sizeof x);
    if ((rc = state_init(ctx, err)) < 0)
        return rc;
    top = 0;
    while (top < len && (text[top] == ' ' || text[top] == '\t' || text[top] == '\r'
                         || text[top] == '\n'))
        top++;
    if (top < len && (text[top] == '{' || text[top] == '[')) {
        json_error_t je;
        if ((json = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
            return ap_error_at(err, AP_EINPUT, ctx->path, (unsigned)(je.line > 0 ? je.line : 1),
                               (unsigned)(je.column > 0 ? je.column : 1), "invalid JSON: %s",
                               je.text);
        if (ap_json__text_init(&x.t, text, len) < 0) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        root = json;
    } else if ((rc = ap_doc_yaml_parse_all(&x.y, &root, text, len, ctx->path, err)) < 0) {
        goto cleanup;
    }
    memset(&r, 0, sizeof r);
    r.ctx = ctx;
    r.s = ctx->k8s;
    r.x = &x;
    ctx->locate = locate_cur;
    ctx->locate_ctx = &r.s->cur;
    if (x.y != NULL) {      /* the documents */
        for (size_t i = 0; i < json_array_size(root) && rc != AP_ENOMEM; i++) {
            r.steps[0] = (ap_step){ NULL, i };
            r.nsteps = 1;
            rc = read_value(&r, json_array_get(root, i), 0);
        }
    } else {
        rc = read_value(&r, root, 0);
    }
    ctx->locate = NULL;
    if (rc == AP_ENOMEM)
        rc = ap_error_nomem(err);
    else
        rc = AP_OK;     /* input errors are recorded in ctx: the next files are still read */
cleanup:
    ap_json__text_free(&x.t);
    ap_doc_yaml_free(x.y);
    json_decref(json);
    return rc;
}

int ap_import__k8s_finish(ap_import_ctx *ctx, ap_error *err)
{
    struct ap_k8s_state *s = ctx->k8s;
    int rc;
    if (s == NULL && ctx->opts->partner_map != NULL) {
        /* no Kubernetes input, but the map is still checked: a typo must not pass unseen */
        if ((rc = state_init(ctx, err)) == AP_EINPUT) {
            if (ctx->nerr++ == 0)
                ctx->first = *err;
            else
                ap_error_list_add(ctx->opts->more, err);
        }
        return rc;
    }
    if (s == NULL || s->n == 0)
        return AP_OK;
    ctx->locate = locate_cur;
    ctx->locate_ctx = &s->cur;
    rc = ap_k8s__model(ctx, s, err);
    ctx->locate = NULL;
    return rc;
}
