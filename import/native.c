/* import/native.c: the native inventory (authpath/1), whatever its syntax. Validates each node
 * and edge by docs/design.md's model, names the place of every error, and stages what is valid. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"

typedef enum {
    ATTR_STRING, ATTR_TIME, ATTR_BOOL, ATTR_STATE, ATTR_SENS, ATTR_TIER, ATTR_SCOPE
} attr_type;
typedef struct {
    const char *name;
    attr_type type;
} attr_spec;

/* docs/design.md's common attributes; anything else is kept as given. */
static const attr_spec known_attrs[] = {
    { "name", ATTR_STRING }, { "type", ATTR_STRING }, { "domain", ATTR_STRING },
    { "owner", ATTR_STRING }, { "technical_owner", ATTR_STRING }, { "sponsor", ATTR_STRING },
    { "purpose", ATTR_STRING }, { "approved_by", ATTR_STRING }, { "environment", ATTR_STRING },
    { "valid_from", ATTR_TIME }, { "expires", ATTR_TIME }, { "last_used", ATTR_TIME },
    { "last_reviewed", ATTR_TIME }, { "contract_ends", ATTR_TIME },
    { "last_rotated", ATTR_TIME }, { "jurisdiction", ATTR_STRING }, { "scope", ATTR_SCOPE },
    { "logged", ATTR_BOOL }, { "static", ATTR_BOOL }, { "multi_tenant", ATTR_BOOL },
    { "temporary", ATTR_BOOL },
    { "state", ATTR_STATE }, { "sensitivity", ATTR_SENS }, { "tier", ATTR_TIER },
};

int ap_import__fail(ap_import_ctx *ctx, const ap_place *p, const char *fmt, ...)
{
    ap_error e;
    unsigned line = 0, col = 0;
    va_list ap;
    if (ctx->locate != NULL && p != NULL)
        ctx->locate(ctx->locate_ctx, p, &line, &col);
    memset(&e, 0, sizeof e);
    e.code = AP_EINPUT;
    snprintf(e.file, sizeof e.file, "%s", ctx->path);
    e.line = line;
    e.col = col;
    va_start(ap, fmt);
    vsnprintf(e.msg, sizeof e.msg, fmt, ap);
    va_end(ap);
    if (ctx->nerr++ == 0)
        ctx->first = e;
    else
        ap_error_list_add(ctx->opts->more, &e);
    return AP_EINPUT;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "a list";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: case JSON_REAL: return "a number";
    case JSON_TRUE: case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

typedef struct {
    ap_import_ctx *ctx;
    ap_place *p;
} scope_place;

/* A problem in a scope, placed at the scope (the place's depth ends at the attribute). */
static int scope_bad(void *vctx, const char *field, size_t item, const char *msg)
{
    scope_place *sp = vctx;
    (void)item;
    if (field == NULL)
        ap_import__fail(sp->ctx, sp->p, "scope: %s", msg);
    else
        ap_import__fail(sp->ctx, sp->p, "scope: '%s' %s", field, msg);
    return 1;
}

static int check_attr(ap_import_ctx *ctx, ap_place *p, const attr_spec *spec, const json_t *v,
                      int64_t *time_out, int *enum_out)
{
    char shown[64];
    const char *s = json_string_value(v);
    p->value = v;
    switch (spec->type) {
    case ATTR_STRING:
        if (s == NULL)
            return ap_import__fail(ctx, p, "'%s' must be a string, not %s", spec->name,
                                   type_name(v));
        return AP_OK;
    case ATTR_BOOL:
        if (!json_is_boolean(v))
            return ap_import__fail(ctx, p, "'%s' must be true or false, not %s", spec->name,
                                   type_name(v));
        return AP_OK;
    case ATTR_TIME:
        if (s == NULL)
            return ap_import__fail(ctx, p, "'%s' must be a date (YYYY-MM-DD or ISO 8601 time), "
                                   "not %s", spec->name, type_name(v));
        if (!ap_time_parse(s, time_out)) {
            ap_doc_quote(shown, sizeof shown, s);
            return ap_import__fail(ctx, p, "bad date '%s' in '%s' (expected YYYY-MM-DD or "
                                   "YYYY-MM-DDTHH:MM:SSZ)", shown, spec->name);
        }
        return AP_OK;
    case ATTR_SCOPE: {
        scope_place sp = { ctx, p };
        return ap_doc_scope_check(v, scope_bad, &sp) > 0 ? AP_EINPUT : AP_OK;
    }
    case ATTR_STATE:
    case ATTR_SENS:
    case ATTR_TIER: {
        const char *names = spec->type == ATTR_STATE ? AP_STATE_NAMES
                          : spec->type == ATTR_SENS ? AP_SENS_NAMES : AP_TIER_NAMES;
        int e = s == NULL ? -1
              : spec->type == ATTR_STATE ? (int)ap_state_parse(s)
              : spec->type == ATTR_SENS ? (int)ap_sensitivity_parse(s) : (int)ap_tier_parse(s);
        if (s == NULL)
            return ap_import__fail(ctx, p, "'%s' must be a string, not %s", spec->name,
                                   type_name(v));
        if (e < 0) {
            ap_doc_quote(shown, sizeof shown, s);
            return ap_import__fail(ctx, p, "unknown %s '%s' (expected one of %s)", spec->name,
                                   shown, names);
        }
        *enum_out = e;
        return AP_OK;
    }
    }
    return AP_OK;
}

/* Check the known attributes of obj; fills state, times and sensitivity. */
typedef ap_lifecycle lifecycle;

static int check_attrs(ap_import_ctx *ctx, ap_place *p, const json_t *obj, lifecycle *lc)
{
    enum { NKNOWN = sizeof known_attrs / sizeof known_attrs[0] };
    const json_t *found[NKNOWN] = { NULL };
    int rc = AP_OK;
    void *it;
    lc->state = AP_STATE_ACTIVE;
    lc->valid_from = lc->expires = AP_TIME_NONE;
    lc->sensitivity = AP_SENS_NONE;
    /* one pass over the object's few keys, then the known ones in their order (so are the
     * errors): cheaper than a lookup of every known name in every row */
    for (it = json_object_iter((json_t *)obj); it != NULL;
         it = json_object_iter_next((json_t *)obj, it)) {
        const char *key = json_object_iter_key(it);
        for (size_t i = 0; i < NKNOWN; i++)
            if (known_attrs[i].name[0] == key[0] && strcmp(known_attrs[i].name, key) == 0
                && json_object_iter_key_len(it) == strlen(key)) {
                found[i] = json_object_iter_value(it);
                break;
            }
    }
    for (size_t i = 0; i < NKNOWN; i++) {
        const attr_spec *spec = &known_attrs[i];
        const json_t *v = found[i];
        int64_t t = AP_TIME_NONE;
        int e = -1;
        if (v == NULL || json_is_null(v))
            continue;
        p->key = spec->name;
        if (check_attr(ctx, p, spec, v, &t, &e) < 0) {
            rc = AP_EINPUT;
            continue;
        }
        if (strcmp(spec->name, "valid_from") == 0)
            lc->valid_from = t;
        else if (strcmp(spec->name, "expires") == 0)
            lc->expires = t;
        else if (spec->type == ATTR_STATE)
            lc->state = (ap_state)e;
        else if (spec->type == ATTR_SENS)
            lc->sensitivity = (ap_sensitivity)e;
    }
    p->key = NULL;
    return rc;
}

int ap_import__known_attr(const char *name)
{
    for (size_t i = 0; i < sizeof known_attrs / sizeof known_attrs[0]; i++)
        if (strcmp(known_attrs[i].name, name) == 0)
            return (int)i;
    return -1;
}

int ap_import__attr_text(int known, const char *s, ap_lifecycle *lc)
{
    const attr_spec *spec = &known_attrs[known];
    int64_t t;
    int e;
    switch (spec->type) {
    case ATTR_STRING:
        return 1;
    case ATTR_TIME:
        if (!ap_time_parse(s, &t))
            return 0;
        if (strcmp(spec->name, "valid_from") == 0)
            lc->valid_from = t;
        else if (strcmp(spec->name, "expires") == 0)
            lc->expires = t;
        return 1;
    case ATTR_STATE:
        if ((e = (int)ap_state_parse(s)) < 0)
            return 0;
        lc->state = (ap_state)e;
        return 1;
    case ATTR_SENS:
        if ((e = (int)ap_sensitivity_parse(s)) < 0)
            return 0;
        lc->sensitivity = (ap_sensitivity)e;
        return 1;
    case ATTR_TIER:
        return (int)ap_tier_parse(s) >= 0;
    case ATTR_BOOL:
    case ATTR_SCOPE:
        return 0;               /* not text */
    }
    return 0;
}

/* Bit of a right name used at place p, remembering its first use for the declaration check. */
static int use_right(ap_import_ctx *ctx, ap_place *p, const char *name, ap_rights *mask,
                     ap_error *err)
{
    ap_error e;
    int bit, rc;
    rc = ap_store_add_right(ctx->st, name, &bit, &e);
    if (rc == AP_EINPUT) {
        char shown[64];
        ap_doc_quote(shown, sizeof shown, name);
        return ap_import__fail(ctx, p, "bad right '%s': %s", shown, e.msg);
    }
    if (rc < 0) {
        *err = e;
        return rc;
    }
    if (bit >= AP_R_BUILTIN && ctx->use_line[bit] == 0 && ctx->use_file[bit] == 0) {
        unsigned line = 0, col = 0;
        if (ctx->locate != NULL)
            ctx->locate(ctx->locate_ctx, p, &line, &col);
        ctx->use_file[bit] = ctx->file;
        ctx->use_line[bit] = line ? line : 1;
        ctx->use_col[bit] = col;
    }
    *mask |= (ap_rights)1 << bit;
    return AP_OK;
}

/* A rights field: "all", "none", or a list of names. *given is 0 when the field is absent. */
static int parse_rights(ap_import_ctx *ctx, ap_place *p, const json_t *v, ap_rights *mask,
                        int *given, ap_error *err)
{
    int rc = AP_OK, r;
    *given = v != NULL && !json_is_null(v);
    if (!*given)
        return AP_OK;
    p->value = v;
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        if (strcmp(s, "all") == 0) {
            *mask = AP_RIGHTS_ALL;
            return AP_OK;
        }
        if (strcmp(s, "none") == 0 || s[0] == '\0') {
            *mask = 0;
            return AP_OK;
        }
        *mask = 0;
        return use_right(ctx, p, s, mask, err) == AP_EINPUT ? AP_EINPUT : AP_OK;
    }
    if (!json_is_array(v))
        return ap_import__fail(ctx, p, "'%s' must be a list of rights or \"all\", not %s",
                               p->key, type_name(v));
    *mask = 0;
    for (size_t i = 0; i < json_array_size(v); i++) {
        const json_t *item = json_array_get(v, i);
        p->item = i;
        p->value = item;
        if (!json_is_string(item)) {
            rc = ap_import__fail(ctx, p, "a right must be a string, not %s", type_name(item));
        } else if (strcmp(json_string_value(item), "all") == 0) {
            *mask = AP_RIGHTS_ALL;
        } else if ((r = use_right(ctx, p, json_string_value(item), mask, err)) < 0) {
            if (r != AP_EINPUT) {
                p->item = AP_NO_ITEM;
                return r;
            }
            rc = r;
        }
    }
    p->item = AP_NO_ITEM;
    return rc;
}

/* A required string field; NULL (and an error recorded) when missing or not a string. */
static const char *need_string(ap_import_ctx *ctx, ap_place *p, const json_t *obj,
                               const char *key, const char *what)
{
    const json_t *v = json_object_get(obj, key);
    p->key = key;
    p->value = v;
    if (v == NULL || json_is_null(v)) {
        p->key = NULL;
        p->value = obj;
        ap_import__fail(ctx, p, "%s has no '%s'", what, key);
        return NULL;
    }
    if (!json_is_string(v) || json_string_length(v) == 0) {
        ap_import__fail(ctx, p, "'%s' must be a non-empty string, not %s", key,
                        json_is_string(v) ? "an empty string" : type_name(v));
        return NULL;
    }
    if (strlen(json_string_value(v)) != json_string_length(v)) {
        ap_import__fail(ctx, p, "'%s' must not contain a NUL character", key);
        return NULL;
    }
    return json_string_value(v);
}

int ap_import__stage_node(ap_import_ctx *ctx, const ap_place *id_place, const ap_node_rec *rec,
                          ap_error *err)
{
    ap_error e;
    int rc = ap_store_stage_node(ctx->st, ctx->file, rec, &e);
    if (rc == AP_EINPUT)
        return ap_import__fail(ctx, id_place, "%s", e.msg);
    if (rc < 0) {
        *err = e;
        return rc;
    }
    ap_import__tick(ctx);
    return AP_OK;
}

int ap_import__native_node(ap_import_ctx *ctx, size_t index, const json_t *obj, ap_error *err)
{
    static const char *const skip[] = { "id", "kind" };
    ap_place p = { "nodes", index, NULL, AP_NO_ITEM, obj };
    ap_node_rec rec;
    lifecycle lc;
    const char *id, *kind;
    char *attrs = NULL;
    int rc = AP_OK;
    if (!json_is_object(obj))
        return ap_import__fail(ctx, &p, "a node must be an object, not %s", type_name(obj));
    id = need_string(ctx, &p, obj, "id", "node");
    kind = need_string(ctx, &p, obj, "kind", "node");
    if (kind != NULL && ap_kind_parse(kind) == AP_KIND_NONE) {
        char shown[64];
        ap_doc_quote(shown, sizeof shown, kind);
        ap_import__fail(ctx, &p, "unknown kind '%s' (expected one of %s)", shown,
                        AP_KIND_NAMES);
        kind = NULL;
    }
    p.key = NULL;
    p.value = obj;
    if (check_attrs(ctx, &p, obj, &lc) < 0 || kind == NULL) {
        /* still declare a valid id, so edges to it do not add errors of their own */
        if (id != NULL) {
            ap_node_rec only_id = { id, AP_KIND_RESOURCE, AP_STATE_ACTIVE, AP_TIME_NONE,
                                 AP_TIME_NONE, AP_SENS_NONE, "{}", 0, 0 };
            ap_error e;
            ctx->locate(ctx->locate_ctx, &p, &only_id.line, &only_id.col);
            if ((rc = ap_store_stage_node(ctx->st, ctx->file, &only_id, &e)) < 0
                && rc != AP_EINPUT) {
                *err = e;
                return rc;
            }
        }
        return AP_EINPUT;
    }
    if (id == NULL)
        return AP_EINPUT;
    if ((attrs = ap_import__attrs(obj, skip, 2)) == NULL)
        return ap_error_nomem(err);
    rec.id = id;
    rec.kind = ap_kind_parse(kind);
    rec.state = lc.state;
    rec.valid_from = lc.valid_from;
    rec.expires = lc.expires;
    rec.sensitivity = lc.sensitivity;
    rec.attrs = attrs;
    ctx->locate(ctx->locate_ctx, &p, &rec.line, &rec.col);
    p.key = "id";
    p.value = json_object_get(obj, "id");
    rc = ap_import__stage_node(ctx, &p, &rec, err);
    free(attrs);
    return rc;
}

int ap_import__native_edge(ap_import_ctx *ctx, size_t index, const json_t *obj, ap_error *err)
{
    static const char *const skip[] = { "id", "from", "to", "kind", "rights", "requires",
                                        "escalates" };
    ap_place p = { "edges", index, NULL, AP_NO_ITEM, obj };
    ap_edge_rec rec;
    lifecycle lc;
    const ap_edge_kind_info *info;
    const json_t *v;
    const char *from, *to, *kind;
    char *attrs = NULL;
    int given, bad = 0, rc;
    if (!json_is_object(obj))
        return ap_import__fail(ctx, &p, "an edge must be an object, not %s", type_name(obj));
    memset(&rec, 0, sizeof rec);
    from = need_string(ctx, &p, obj, "from", "edge");
    if (from != NULL)
        ctx->locate(ctx->locate_ctx, &p, &rec.from_line, &rec.from_col);
    to = need_string(ctx, &p, obj, "to", "edge");
    if (to != NULL)
        ctx->locate(ctx->locate_ctx, &p, &rec.to_line, &rec.to_col);
    kind = need_string(ctx, &p, obj, "kind", "edge");
    if (kind != NULL && ap_edge_kind_parse(kind) == AP_EDGE_NONE) {
        char shown[64];
        ap_doc_quote(shown, sizeof shown, kind);
        ap_import__fail(ctx, &p, "unknown edge kind '%s' (expected one of %s)", shown,
                        AP_EDGE_KIND_NAMES);
        kind = NULL;
    }
    v = json_object_get(obj, "id");
    if (v != NULL && !json_is_null(v) && (!json_is_string(v) || json_string_length(v) == 0)) {
        p.key = "id";
        p.value = v;
        ap_import__fail(ctx, &p, "'id' must be a non-empty string, not %s", type_name(v));
        bad = 1;
    }
    bad |= from == NULL || to == NULL || kind == NULL;
    p.key = NULL;
    p.value = obj;
    bad |= check_attrs(ctx, &p, obj, &lc) < 0;
    if (kind == NULL)
        return AP_EINPUT;
    rec.kind = ap_edge_kind_parse(kind);
    info = ap_edge_kind_info_of(rec.kind);
    /* defaults from docs/design.md's edge table; depends_on passes nothing */
    rec.rights = info->traversable ? AP_RIGHTS_ALL : 0;
    rec.requires = info->requires;
    rec.escalates = info->escalates;
    p.key = "rights";
    rc = parse_rights(ctx, &p, json_object_get(obj, "rights"), &rec.rights, &given, err);
    if (rc < 0 && rc != AP_EINPUT)
        return rc;
    bad |= rc < 0;
    rec.rights_declared = given;
    p.key = "requires";
    rc = parse_rights(ctx, &p, json_object_get(obj, "requires"), &rec.requires, &given, err);
    if (rc < 0 && rc != AP_EINPUT)
        return rc;
    bad |= rc < 0;
    v = json_object_get(obj, "escalates");
    if (v != NULL && !json_is_null(v)) {
        p.key = "escalates";
        p.value = v;
        if (!json_is_boolean(v))
            bad |= ap_import__fail(ctx, &p, "'escalates' must be true or false, not %s",
                                   type_name(v)) < 0;
        else
            rec.escalates = json_is_true(v);
    }
    if (bad)
        return AP_EINPUT;
    if ((attrs = ap_import__attrs(obj, skip, sizeof skip / sizeof skip[0])) == NULL)
        return ap_error_nomem(err);
    v = json_object_get(obj, "id");
    rec.id = json_is_string(v) ? json_string_value(v) : NULL;
    rec.from = from;
    rec.to = to;
    rec.state = lc.state;
    rec.valid_from = lc.valid_from;
    rec.expires = lc.expires;
    rec.attrs = attrs;
    p.key = NULL;
    p.value = obj;
    ctx->locate(ctx->locate_ctx, &p, &rec.line, &rec.col);
    if ((rc = ap_store_stage_edge(ctx->st, ctx->file, &rec, err)) == AP_OK)
        ap_import__tick(ctx);
    free(attrs);
    return rc;
}

int ap_import__native_rights(ap_import_ctx *ctx, const json_t *list, ap_error *err)
{
    ap_place p = { "rights", AP_NO_ITEM, NULL, AP_NO_ITEM, list };
    int rc = AP_OK;
    if (!json_is_array(list))
        return ap_import__fail(ctx, &p, "'rights' must be a list of names, not %s",
                               type_name(list));
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *v = json_array_get(list, i);
        ap_error e;
        int bit, r;
        p.index = i;
        p.value = v;
        if (!json_is_string(v)) {
            rc = ap_import__fail(ctx, &p, "a right must be a string, not %s", type_name(v));
            continue;
        }
        r = ap_store_add_right(ctx->st, json_string_value(v), &bit, &e);
        if (r == AP_EINPUT) {
            rc = ap_import__fail(ctx, &p, "%s", e.msg);
        } else if (r < 0) {
            *err = e;
            return r;
        } else {
            ctx->declared |= (uint64_t)1 << bit;
        }
    }
    return rc;
}

/* A section must be a list; each element goes to fn. */
static int each(ap_import_ctx *ctx, const json_t *doc, const char *section,
                int (*fn)(ap_import_ctx *, size_t, const json_t *, ap_error *), ap_error *err)
{
    const json_t *list = json_object_get(doc, section);
    ap_place p = { section, AP_NO_ITEM, NULL, AP_NO_ITEM, list };
    int rc;
    if (list == NULL || json_is_null(list))
        return AP_OK;
    if (!json_is_array(list))
        return ap_import__fail(ctx, &p, "'%s' must be a list, not %s", section,
                               type_name(list));
    for (size_t i = 0; i < json_array_size(list); i++)
        if ((rc = fn(ctx, i, json_array_get(list, i), err)) < 0 && rc != AP_EINPUT)
            return rc;
    return AP_OK;
}

int ap_import__native_doc(ap_import_ctx *ctx, const json_t *doc, ap_error *err)
{
    ap_place p = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, doc };
    const json_t *format, *rights;
    int rc;
    if (!json_is_object(doc))
        return ap_import__fail(ctx, &p, "an inventory must be an object with 'nodes' and "
                               "'edges', not %s", type_name(doc));
    format = json_object_get(doc, "format");
    if (format != NULL && !(json_is_string(format)
                            && strcmp(json_string_value(format), "authpath/1") == 0)) {
        p.key = "format";
        p.value = format;
        ap_import__fail(ctx, &p, "unsupported format (expected \"authpath/1\")");
    }
    rights = json_object_get(doc, "rights");
    if (rights != NULL && !json_is_null(rights)
        && (rc = ap_import__native_rights(ctx, rights, err)) < 0 && rc != AP_EINPUT)
        return rc;
    if ((rc = each(ctx, doc, "nodes", ap_import__native_node, err)) < 0 && rc != AP_EINPUT)
        return rc;
    return each(ctx, doc, "edges", ap_import__native_edge, err);
}
