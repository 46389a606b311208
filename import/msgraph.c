/* import/msgraph.c: the Microsoft Graph / Entra ID reader's entry: a single object, a
 * {"value": [...]} page, a list, or several pages one after another, camelCase or PowerShell's
 * PascalCase; objects wait in the reader's state and are staged when the import ends. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "msgraph_internal.h"

/* ---- the state: nodes and edges waiting for the end of the import ---- */

static void locate_cur(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    const mg_state *s = vctx;
    (void)p;
    *line = s->line;
    *col = s->col;
}

static int state_init(ap_import_ctx *ctx)
{
    mg_state *s;
    if (ctx->mg != NULL)
        return AP_OK;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return AP_ENOMEM;
    ctx->mg = s;
    s->nodes.index = json_object();
    s->edges.index = json_object();
    s->home = json_object();
    if (s->nodes.index == NULL || s->edges.index == NULL || s->home == NULL)
        return AP_ENOMEM;
    return ap_mg__data_load(s);
}

static void items_free(mg_items *it)
{
    for (size_t i = 0; i < it->n; i++)
        json_decref(it->v[i].obj);
    free(it->v);
    json_decref(it->index);
}

void ap_import__msgraph_free(ap_import_ctx *ctx)
{
    mg_state *s = ctx->mg;
    if (s == NULL)
        return;
    items_free(&s->nodes);
    items_free(&s->edges);
    json_decref(s->home);
    json_decref(s->roles);
    json_decref(s->perms);
    json_decref(s->apps);
    json_decref(s->ms_tenants);
    free(s);
    ctx->mg = NULL;
}

/* A new item at the current place; NULL when memory runs out. */
static mg_item *new_item(ap_import_ctx *ctx, mg_items *it, const char *key, json_t *obj)
{
    mg_state *s = ctx->mg;
    if (obj == NULL)
        return NULL;
    if (it->n == it->cap) {
        size_t cap = it->cap ? it->cap * 2 : 64;
        mg_item *v = realloc(it->v, cap * sizeof *v);
        if (v == NULL) {
            json_decref(obj);
            return NULL;
        }
        it->v = v;
        it->cap = cap;
    }
    if (json_object_set_new(it->index, key, json_integer((json_int_t)it->n)) < 0) {
        json_decref(obj);
        return NULL;
    }
    it->v[it->n] = (mg_item){ obj, ctx->file, ctx->path, s->line, s->col, false };
    return &it->v[it->n++];
}

static mg_item *find_item(mg_items *it, const char *key)
{
    json_t *i = json_object_get(it->index, key);
    return i != NULL ? &it->v[json_integer_value(i)] : NULL;
}

json_t *ap_mg__node(ap_import_ctx *ctx, const char *id, ap_kind kind, const char *name,
                    const char *type, bool placeholder)
{
    mg_state *s = ctx->mg;
    mg_item *n = find_item(&s->nodes, id);
    if (n != NULL && !(n->placeholder && !placeholder)) {
        if (n->placeholder && name != NULL && json_object_get(n->obj, "name") == NULL)
            ap_mg__set(n->obj, "name", name);
        return n->obj;
    }
    if (n != NULL) {                /* the object itself, after a reference named it */
        json_t *obj = json_pack("{ssss}", "id", id, "kind", ap_kind_name(kind));
        if (obj == NULL)
            return NULL;
        json_decref(n->obj);
        *n = (mg_item){ obj, ctx->file, ctx->path, s->line, s->col, false };
    } else if ((n = new_item(ctx, &s->nodes, id, json_pack("{ssss}", "id", id, "kind",
                                                             ap_kind_name(kind)))) == NULL) {
        return NULL;
    }
    n->placeholder = placeholder;
    if (name != NULL && name[0] != '\0')
        ap_mg__set(n->obj, "name", name);
    if (type != NULL)
        ap_mg__set(n->obj, "type", type);
    return n->obj;
}

/* The rights of r as a native list (built-in names), or "all". */
static json_t *rights_value(ap_rights r)
{
    static const char *const names[] = { "read", "write", "delete", "admin", "execute",
                                         "approve", "mint", "delegate" };
    json_t *list;
    if (r == AP_RIGHTS_ALL)
        return json_string("all");
    if ((list = json_array()) == NULL)
        return NULL;
    for (int b = 0; b < AP_R_BUILTIN; b++)
        if (r >> b & 1)
            json_array_append_new(list, json_string(names[b]));
    return list;
}

json_t *ap_mg__edge(ap_import_ctx *ctx, const char *from, const char *kind, const char *to,
                    ap_rights r)
{
    mg_state *s = ctx->mg;
    /* the whole key, however long the ids: cut short, two edges would be one */
    size_t len = strlen(from) + strlen(kind) + strlen(to) + 3;
    char *key = malloc(len);
    mg_item *e;
    if (key == NULL)
        return NULL;
    snprintf(key, len, "%s|%s|%s", from, kind, to);
    if ((e = find_item(&s->edges, key)) != NULL) {
        json_int_t had = json_integer_value(json_object_get(e->obj, "_rights"));
        ap_rights u = (ap_rights)had | r;
        free(key);
        json_object_set_new(e->obj, "_rights", json_integer((json_int_t)u));
        json_object_set_new(e->obj, "rights", rights_value(u));
        return e->obj;
    }
    e = new_item(ctx, &s->edges, key, json_pack("{sssssssIso}", "from", from, "kind", kind,
                                                "to", to, "_rights", (json_int_t)r, "rights",
                                                rights_value(r)));
    free(key);
    return e != NULL ? e->obj : NULL;
}

/* ---- Graph values ---- */

json_t *ap_mg__get(const json_t *obj, const char *key)
{
    const char *k;
    json_t *v;
    if (!json_is_object(obj))
        return NULL;
    if ((v = json_object_get(obj, key)) != NULL)
        return v;
    json_object_foreach((json_t *)obj, k, v)
        if (strcasecmp(k, key) == 0)
            return v;
    return NULL;
}

const char *ap_mg__str(const json_t *obj, const char *key)
{
    const char *v = json_string_value(ap_mg__get(obj, key));
    return v != NULL && v[0] != '\0' ? v : NULL;
}

bool ap_mg__time(const json_t *v, int64_t *out)
{
    const char *s = json_string_value(v), *d;
    if (s == NULL)
        return false;
    if ((d = strstr(s, "Date(")) != NULL) {     /* PowerShell: \/Date(1733343742000)\/ */
        char *end;
        long long ms = strtoll(d + 5, &end, 10);
        if (end == d + 5 || (*end != ')' && *end != '+' && *end != '-'))
            return false;
        *out = (int64_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
        return true;
    }
    return ap_time_parse(s, out);
}

void ap_mg__set(json_t *obj, const char *key, const char *value)
{
    if (obj != NULL && value != NULL)
        json_object_set_new(obj, key, json_string(value));
}

void ap_mg__set_time(json_t *obj, const char *key, int64_t t)
{
    char buf[32];
    ap_time_format(buf, sizeof buf, t);
    ap_mg__set(obj, key, buf);
}

/* ---- reading a document ---- */

/* The tenant in an @odata.id link ("https://graph.microsoft.com/v2/TENANT/..."): ours. */
static void note_home(mg_state *s, const json_t *obj)
{
    const char *id = ap_mg__str(obj, "@odata.id"), *p;
    char tenant[64];
    size_t n = 0;
    if (id == NULL || (p = strstr(id, "graph.microsoft.com/v2/")) == NULL)
        return;
    for (p += 23; *p != '\0' && *p != '/' && n + 1 < sizeof tenant; p++)
        tenant[n++] = (char)tolower((unsigned char)*p);
    tenant[n] = '\0';
    if (n == 36)
        json_object_set_new(s->home, tenant, json_true());
}

/* The object a sub-collection belongs to, from a link: "...Application('ID')/federated..."
 * or "delegatedAdminRelationships('ID')/accessAssignments" (into buf of PARENT_SIZE; NULL
 * when none, and *too_long when it is an id longer than MG_ID_MAX: never cut short). */
#define PARENT_SIZE (MG_ID_MAX + 1)
static const char *parent_of(const char *link, char *buf, size_t size, bool *too_long)
{
    const char *open, *close;
    if (link == NULL || (open = strchr(link, '(')) == NULL
        || (close = strchr(open, ')')) == NULL || close - open < 3)
        return NULL;
    open++;
    if (*open == '\'')
        open++;
    if (close[-1] == '\'')
        close--;
    if (close <= open)
        return NULL;
    if ((size_t)(close - open) >= size) {
        *too_long = true;
        return NULL;
    }
    snprintf(buf, size, "%.*s", (int)(close - open), open);
    return buf;
}

typedef struct {
    ap_import_ctx *ctx;
    ap_json_text t;
} reader;

/* Read the objects of one list (at offset at of the text) of a page whose collection is
 * ctx_type. */
static int read_list(reader *r, const json_t *list, size_t at, mg_type ctx_type,
                     const char *parent)
{
    mg_state *s = r->ctx->mg;
    size_t *pos = NULL, n = 0;
    int rc = AP_OK;
    if (ap_json__elements(&r->t, at, &pos, &n) < 0)
        return AP_ENOMEM;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *obj = json_array_get(list, i);
        char buf[PARENT_SIZE];
        const char *p = parent;
        bool too_long = false;
        mg_type type;
        ap_json__line_col(&r->t, i < n ? pos[i] : at, &s->line, &s->col);
        if (!json_is_object(obj)) {
            ap_place pl = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, obj };
            ap_import__fail(r->ctx, &pl, "a Microsoft Graph list holds objects, not %s",
                            json_is_array(obj) ? "a list" : "a plain value");
            continue;
        }
        note_home(s, obj);
        type = ap_mg__type_of(obj, ctx_type);
        if (p == NULL
            && (p = parent_of(ap_mg__str(obj, "@odata.id"), buf, sizeof buf, &too_long)) == NULL
            && too_long) {
            ap_mg__fail(r->ctx, obj, "the id in '@odata.id' is longer than %s bytes, more than "
                        "authpath reads whole (Graph ids are GUIDs of 36)", "128");
            continue;
        }
        if ((rc = ap_mg__object(r->ctx, obj, type, p)) < 0 && rc != AP_EINPUT)
            break;
        rc = AP_OK;
        if (type == MG_SIGN_IN_ACTIVITY || type == MG_PERMISSION_LIST)
            break;                  /* the whole list is refused once */
        ap_import__tick(r->ctx);
    }
    free(pos);
    return rc;
}

/* One JSON document: a page, an object, a list of either, ROADtools or AzureHound output. */
static int read_doc(reader *r, const json_t *doc, size_t at)
{
    mg_state *s = r->ctx->mg;
    const char *context = ap_mg__str(doc, "@odata.context");
    json_t *value = ap_mg__get(doc, "value");
    char buf[PARENT_SIZE];
    bool too_long = false;
    const char *parent;
    ap_json__line_col(&r->t, at, &s->line, &s->col);
    if (json_is_array(doc)) {
        int rc = AP_OK;
        const json_t *e0 = json_array_get(doc, 0);
        if (json_is_object(e0) && json_is_array(ap_mg__get(e0, "value"))) {   /* pages */
            size_t *pos = NULL, n = 0;
            if (ap_json__elements(&r->t, at, &pos, &n) < 0)
                return AP_ENOMEM;
            for (size_t i = 0; i < json_array_size(doc) && rc >= 0; i++)
                rc = read_doc(r, json_array_get(doc, i), i < n ? pos[i] : at);
            free(pos);
            return rc;
        }
        return read_list(r, doc, at, MG_NONE, NULL);
    }
    if (json_object_get(doc, "apps") != NULL && json_object_get(doc, "resourceidentifiers"))
        return ap_mg__roadtools(r->ctx, doc);
    if (json_object_get(doc, "meta") != NULL && json_is_array(json_object_get(doc, "data")))
        return ap_mg__azurehound_fic(r->ctx, doc);
    if (json_is_array(value) && (context != NULL || json_object_size(doc) <= 3)) {
        mg_type t = context != NULL ? ap_mg__type_of_context(context) : MG_NONE;
        if ((parent = parent_of(context, buf, sizeof buf, &too_long)) == NULL && too_long)
            return ap_mg__fail(r->ctx, doc, "the id in '@odata.context' is longer than %s "
                               "bytes, more than authpath reads whole (Graph ids are GUIDs of "
                               "36)", "128");
        return read_list(r, value, ap_json__find_key(&r->t, at, "value"), t, parent);
    }
    {
        mg_type t = ap_mg__type_of(doc, context != NULL ? ap_mg__type_of_context(context)
                                                        : MG_NONE);
        note_home(s, doc);
        if ((parent = parent_of(ap_mg__str(doc, "@odata.id"), buf, sizeof buf, &too_long))
            == NULL && too_long)
            return ap_mg__fail(r->ctx, doc, "the id in '@odata.id' is longer than %s bytes, "
                               "more than authpath reads whole (Graph ids are GUIDs of 36)",
                               "128");
        return ap_mg__object(r->ctx, doc, t, parent);
    }
}

int ap_import__msgraph(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    reader r = { ctx, { 0 } };
    size_t off = 0;
    int rc;
    if ((rc = state_init(ctx)) < 0 || (rc = ap_json__text_init(&r.t, text, len)) < 0)
        return ap_error_nomem(err);
    ctx->locate = locate_cur;
    ctx->locate_ctx = ctx->mg;
    /* several pages may follow one another in one file (az rest --paginate, mgc) */
    while ((off = ap_json__skip_ws(&r.t, off)) < len) {
        json_error_t je;
        json_t *doc = json_loadb(text + off, len - off, JSON_DISABLE_EOF_CHECK
                                 | JSON_DECODE_ANY, &je);
        if (doc == NULL) {
            unsigned line, col;
            ap_json__line_col(&r.t, off + (size_t)(je.position > 0 ? je.position - 1 : 0),
                              &line, &col);
            rc = ap_error_at(err, AP_EINPUT, ctx->path, line, col, "invalid JSON: %s",
                             je.text);
            break;
        }
        rc = read_doc(&r, doc, off);
        json_decref(doc);
        if (rc < 0 && rc != AP_EINPUT) {
            if (rc == AP_ENOMEM)
                ap_error_nomem(err);
            break;
        }
        off += je.position;
        rc = AP_OK;
    }
    ctx->locate = NULL;
    ap_json__text_free(&r.t);
    return rc;
}

int ap_import__msgraph_finish(ap_import_ctx *ctx, ap_error *err)
{
    mg_state *s = ctx->mg;
    int rc = AP_OK;
    if (s == NULL)
        return AP_OK;
    if (ap_mg__link(ctx) < 0)
        return ap_error_nomem(err);
    ctx->locate = locate_cur;
    ctx->locate_ctx = s;
    for (size_t i = 0; i < s->nodes.n && rc >= 0; i++) {
        mg_item *n = &s->nodes.v[i];
        json_t *obj = json_deep_copy(n->obj);
        const char *k;
        void *tmp;
        json_t *v;
        if (obj == NULL)
            return ap_error_nomem(err);
        json_object_foreach_safe(obj, tmp, k, v)
            if (k[0] == '_')
                json_object_del(obj, k);
        ctx->file = n->file;
        ctx->path = n->path;
        s->line = n->line;
        s->col = n->col;
        rc = ap_import__native_node(ctx, i, obj, err);
        json_decref(obj);
        if (rc == AP_EINPUT)
            rc = AP_OK;
    }
    for (size_t i = 0; i < s->edges.n && rc >= 0; i++) {
        mg_item *e = &s->edges.v[i];
        json_object_del(e->obj, "_rights");
        ctx->file = e->file;
        ctx->path = e->path;
        s->line = e->line;
        s->col = e->col;
        rc = ap_import__native_edge(ctx, i, e->obj, err);
        if (rc == AP_EINPUT)
            rc = AP_OK;
    }
    ctx->locate = NULL;
    return rc;
}
