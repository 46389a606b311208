/* query/render/opengraph.c: the whole snapshot as BloodHound OpenGraph JSON, streamed node by
 * node. authpath kinds travel as AP_* kinds and come back exactly (docs/sources/opengraph.md). */
#include <ctype.h>
#include <string.h>

#include "authpath/render.h"
#include "export_internal.h"

static const char *const node_kinds[AP_KIND_COUNT] = {
    "AP_Partner", "AP_Identity", "AP_Credential", "AP_Role", "AP_Resource", "AP_Workflow",
};

/* "can_assume" -> "AP_CanAssume" */
static void edge_kind(char *buf, size_t size, ap_edge_kind k)
{
    const char *name = ap_edge_kind_name(k);
    size_t o = 0;
    int up = 1;
    o += (size_t)snprintf(buf, size, "AP_");
    for (const char *p = name; *p != '\0' && o + 1 < size; p++) {
        if (*p == '_') {
            up = 1;
            continue;
        }
        buf[o++] = up ? (char)toupper((unsigned char)*p) : *p;
        up = 0;
    }
    buf[o] = '\0';
}

/* OpenGraph allows primitives and lists of one primitive type. */
static int is_primitive(const json_t *v)
{
    return json_is_string(v) || json_is_number(v) || json_is_boolean(v);
}

static int homogeneous(const json_t *list)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *a = json_array_get(list, 0), *b = json_array_get(list, i);
        if (!is_primitive(b) || (json_is_string(a) != json_is_string(b))
            || (json_is_number(a) != json_is_number(b))
            || (json_is_boolean(a) != json_is_boolean(b)))
            return 0;
    }
    return 1;
}

/* Attributes as OpenGraph properties: anything else becomes JSON text named in ap_json_keys;
 * objectid, which OpenGraph reserves, travels as ap_objectid. */
static json_t *properties(json_t *attrs)
{
    json_t *out = json_object(), *encoded = json_array(), *v;
    const char *key;
    if (out == NULL || encoded == NULL) {
        json_decref(out);
        json_decref(encoded);
        return NULL;
    }
    json_object_foreach(attrs, key, v) {
        const char *name = strcmp(key, "objectid") == 0 ? "ap_objectid" : key;
        if (is_primitive(v) || (json_is_array(v) && homogeneous(v))) {
            json_object_set(out, name, v);
        } else {
            char *text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
            json_object_set_new(out, name, json_string(text != NULL ? text : "null"));
            json_array_append_new(encoded, json_string(name));
            free(text);
        }
    }
    if (json_array_size(encoded) > 0)
        json_object_set(out, "ap_json_keys", encoded);
    json_decref(encoded);
    return out;
}

static int emit(FILE *out, json_t *obj, int first, ap_error *err)
{
    int rc;
    if (obj == NULL)
        return ap_error_nomem(err);
    rc = (first ? 0 : fputs(",\n", out) < 0) || json_dumpf(obj, out, JSON_COMPACT
                                                                      | JSON_PRESERVE_ORDER) != 0;
    json_decref(obj);
    return rc ? ap_error_set(err, AP_EIO, "cannot write the export") : AP_OK;
}

int ap_render_opengraph(FILE *out, const ap_graph *g, ap_error *err)
{
    int rc;
    /* metadata (only source_kind) before graph: BloodHound validates it only if it comes first */
    if (fputs("{\"metadata\": {\"source_kind\": \"AuthPath\"},\n\"graph\": {\"nodes\": [\n",
              out) < 0)
        return ap_error_set(err, AP_EIO, "cannot write the export");
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *n = ap_graph_node(g, v);
        json_t *attrs = ap_render__node_attrs(g, v), *props = properties(attrs);
        json_decref(attrs);
        if (props == NULL)
            return ap_error_nomem(err);
        if ((rc = emit(out, json_pack("{s:s, s:[s], s:o}", "id", n->id, "kinds",
                                      node_kinds[n->kind], "properties", props), v == 0,
                       err)) < 0)
            return rc;
    }
    if (fputs("\n],\n\"edges\": [\n", out) < 0)
        return ap_error_set(err, AP_EIO, "cannot write the export");
    for (uint32_t i = 0; i < ap_graph_edge_count(g); i++) {
        const ap_edge *e = ap_graph_edge(g, i);
        json_t *fields = ap_render__edge_fields(g, i), *props;
        char kind[64];
        if (fields == NULL)
            return ap_error_nomem(err);
        /* the edge id travels as ap_id: OpenGraph edges have none of their own */
        json_object_set(fields, "ap_id", json_object_get(fields, "id"));
        json_object_del(fields, "id");
        props = properties(fields);
        json_decref(fields);
        if (props == NULL)
            return ap_error_nomem(err);
        edge_kind(kind, sizeof kind, e->kind);
        if ((rc = emit(out, json_pack("{s:{s:s, s:s}, s:{s:s, s:s}, s:s, s:o}",
                                      "start", "match_by", "id", "value",
                                      ap_graph_node(g, e->from)->id,
                                      "end", "match_by", "id", "value",
                                      ap_graph_node(g, e->to)->id,
                                      "kind", kind, "properties", props), i == 0, err)) < 0)
            return rc;
    }
    if (fputs("\n]}}\n", out) < 0)
        return ap_error_set(err, AP_EIO, "cannot write the export");
    return AP_OK;
}
