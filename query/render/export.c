/* query/render/export.c: the native fields of nodes and edges, shared by the whole-graph
 * exporters so that OpenGraph, GraphML and CSV carry exactly what the inventory said. */
#include "export_internal.h"

json_t *ap_render__rights(const ap_vocab *v, ap_rights r)
{
    json_t *list;
    if (r == AP_RIGHTS_ALL)
        return json_string("all");
    if (r == 0)
        return json_string("none");
    if ((list = json_array()) == NULL)
        return NULL;
    for (unsigned b = 0; b < v->count && b < AP_MAX_RIGHTS; b++)
        if (r & ((ap_rights)1 << b))
            json_array_append_new(list, json_string(v->names[b]));
    return list;
}

static json_t *parse_attrs(const char *text)
{
    json_t *obj = json_loads(text != NULL ? text : "{}", 0, NULL);
    if (obj != NULL && !json_is_object(obj)) {
        json_decref(obj);
        obj = NULL;
    }
    return obj != NULL ? obj : json_object();
}

json_t *ap_render__node_attrs(const ap_graph *g, uint32_t v)
{
    return parse_attrs(ap_graph_node(g, v)->attrs);
}

json_t *ap_render__edge_fields(const ap_graph *g, uint32_t i)
{
    const ap_edge *e = ap_graph_edge(g, i);
    const ap_edge_kind_info *info = ap_edge_kind_info_of(e->kind);
    const ap_vocab *v = ap_graph_vocab(g);
    json_t *out = json_object(), *attrs = parse_attrs(e->attrs);
    if (out == NULL || attrs == NULL) {
        json_decref(out);
        json_decref(attrs);
        return NULL;
    }
    json_object_set_new(out, "id", json_string(e->id));
    if (e->declared)
        json_object_set_new(out, "rights", ap_render__rights(v, e->rights));
    if (e->requires != info->requires)
        json_object_set_new(out, "requires", ap_render__rights(v, e->requires));
    if (e->escalates != info->escalates)
        json_object_set_new(out, "escalates", json_boolean(e->escalates));
    json_object_update(out, attrs);
    json_decref(attrs);
    return out;
}
