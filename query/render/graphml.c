/* query/render/graphml.c: the whole snapshot as GraphML for Gephi, networkx, yEd or igraph,
 * with every attribute as a typed data key. Written directly, not through igraph: see below. */
#include <stdlib.h>
#include <string.h>

#include "authpath/render.h"
#include "export_internal.h"

/* igraph_write_graph_graphml() writes attributes only through igraph's C attribute handler,
 * a process-wide table (igraph_set_attribute_table) that docs/ecosystem.md advises against and
 * that the library may not install (no global state). Without it igraph writes bare structure:
 * no ids, kinds or rights. GraphML is plain XML, so this file writes it with one escaper, and
 * the tests read the result back with igraph_read_graph_graphml() to prove it well-formed. */

static int xml_text(FILE *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        int rc;
        switch (*p) {
        case '&': rc = fputs("&amp;", out); break;
        case '<': rc = fputs("&lt;", out); break;
        case '>': rc = fputs("&gt;", out); break;
        case '"': rc = fputs("&quot;", out); break;
        case '\'': rc = fputs("&apos;", out); break;
        case '\t': case '\n': case '\r': rc = fprintf(out, "&#%d;", *p); break;
        default:
            /* XML 1.0 has no other control characters, not even as references */
            rc = *p < 0x20 || *p == 0x7f ? fputs("\xEF\xBF\xBD", out) : fputc(*p, out);
        }
        if (rc < 0)
            return -1;
    }
    return 0;
}

/* One data key: attribute name and the GraphML type every value of it fits. */
typedef struct {
    const char *name;
    const char *type;           /* "boolean", "double" or "string" */
} key_info;

static const char *value_type(const json_t *v)
{
    return json_is_boolean(v) ? "boolean" : json_is_number(v) ? "double" : "string";
}

/* The data of node or edge i as a JSON object (the caller frees it), NULL when out of memory. */
typedef json_t *(*make_obj)(const ap_graph *g, uint32_t i);

static json_t *node_obj(const ap_graph *g, uint32_t v) { return ap_render__node_attrs(g, v); }

static json_t *edge_obj(const ap_graph *g, uint32_t e)
{
    json_t *o = ap_render__edge_fields(g, e);
    json_object_del(o, "id");
    return o;
}

/* The union of keys over the n objects make builds (sorted), each typed by its values. The
 * objects are built one at a time and dropped: the export holds one, not millions. */
static int collect_keys(const ap_graph *g, uint32_t n, make_obj make, const char *const *fixed,
                        size_t nfixed, key_info **out, size_t *nkeys)
{
    json_t *seen = json_object();
    const char *key;
    json_t *v;
    size_t k = 0;
    if (seen == NULL)
        return -1;
    for (uint32_t i = 0; i < n; i++) {
        json_t *obj = make(g, i);
        if (obj == NULL) {
            json_decref(seen);
            return -1;
        }
        json_object_foreach(obj, key, v) {
            const char *t = value_type(v), *had = json_string_value(json_object_get(seen, key));
            if (had != NULL && strcmp(had, t) != 0)
                t = "string";
            json_object_set_new(seen, key, json_string(t));
        }
        json_decref(obj);
    }
    for (size_t f = 0; f < nfixed; f++)
        json_object_del(seen, fixed[f]);
    *out = calloc(json_object_size(seen) + nfixed + 1, sizeof **out);
    if (*out == NULL) {
        json_decref(seen);
        return -1;
    }
    for (size_t f = 0; f < nfixed; f++)
        (*out)[k++] = (key_info){ fixed[f], "string" };
    /* copy the names out: seen is freed below */
    void *it = json_object_iter(seen);
    size_t first = k;
    for (; it != NULL; it = json_object_iter_next(seen, it)) {
        (*out)[k].name = strdup(json_object_iter_key(it));
        (*out)[k].type = json_string_value(json_object_iter_value(it))[0] == 'b' ? "boolean"
                         : json_string_value(json_object_iter_value(it))[0] == 'd' ? "double"
                         : "string";
        if ((*out)[k++].name == NULL) {
            json_decref(seen);
            return -1;
        }
    }
    json_decref(seen);
    /* sorted, so the output does not depend on which object came first */
    for (size_t i = first + 1; i < k; i++)
        for (size_t j = i; j > first && strcmp((*out)[j - 1].name, (*out)[j].name) > 0; j--) {
            key_info t = (*out)[j];
            (*out)[j] = (*out)[j - 1];
            (*out)[j - 1] = t;
        }
    *nkeys = k;
    return 0;
}

static void free_keys(key_info *keys, size_t n, size_t nfixed)
{
    for (size_t i = nfixed; keys != NULL && i < n; i++)
        free((char *)keys[i].name);
    free(keys);
}

static int write_data(FILE *out, const char *prefix, size_t k, const json_t *v)
{
    char *text = NULL;
    int rc;
    if (v == NULL)
        return 0;
    if (fprintf(out, "      <data key=\"%s%zu\">", prefix, k) < 0)
        return -1;
    if (json_is_string(v))
        rc = xml_text(out, json_string_value(v));
    else if (json_is_boolean(v))
        rc = fputs(json_is_true(v) ? "true" : "false", out) < 0 ? -1 : 0;
    else if ((text = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY)) == NULL)
        rc = -1;
    else
        rc = xml_text(out, text);
    free(text);
    return rc < 0 || fputs("</data>\n", out) < 0 ? -1 : 0;
}

static int write_keys(FILE *out, const char *what, const char *prefix, const key_info *keys,
                      size_t n)
{
    for (size_t k = 0; k < n; k++) {
        if (fprintf(out, "  <key id=\"%s%zu\" for=\"%s\" attr.name=\"", prefix, k, what) < 0
            || xml_text(out, keys[k].name) < 0
            || fprintf(out, "\" attr.type=\"%s\"/>\n", keys[k].type) < 0)
            return -1;
    }
    return 0;
}

int ap_render_graphml(FILE *out, const ap_graph *g, ap_error *err)
{
    static const char *const node_fixed[] = { "kind" };
    /* no "id" data key for edges: the XML id carries it, and igraph (which reads the XML id
     * into an attribute named id) warns at a second one */
    static const char *const edge_fixed[] = { "kind" };
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g);
    key_info *nkeys = NULL, *ekeys = NULL;
    size_t nn = 0, ne = 0;
    int rc = AP_OK, io = 0;
    /* two passes over the data: the keys (GraphML declares them first), then the elements,
     * each object built again as it is written */
    if (collect_keys(g, n, node_obj, node_fixed, 1, &nkeys, &nn) < 0
        || collect_keys(g, m, edge_obj, edge_fixed, 1, &ekeys, &ne) < 0) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    io |= fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                "<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">\n", out) < 0;
    io |= write_keys(out, "node", "n", nkeys, nn) < 0;
    io |= write_keys(out, "edge", "e", ekeys, ne) < 0;
    io |= fputs("  <graph id=\"authpath\" edgedefault=\"directed\">\n", out) < 0;
    for (uint32_t v = 0; !io && v < n; v++) {
        const ap_node *nd = ap_graph_node(g, v);
        json_t *kind = json_string(ap_kind_name(nd->kind)), *obj = node_obj(g, v);
        if (obj == NULL) {
            json_decref(kind);
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        io |= fputs("    <node id=\"", out) < 0 || xml_text(out, nd->id) < 0
              || fputs("\">\n", out) < 0 || write_data(out, "n", 0, kind) < 0;
        json_decref(kind);
        for (size_t k = 1; !io && k < nn; k++)
            io |= write_data(out, "n", k, json_object_get(obj, nkeys[k].name)) < 0;
        io |= fputs("    </node>\n", out) < 0;
        json_decref(obj);
    }
    for (uint32_t i = 0; !io && i < m; i++) {
        const ap_edge *e = ap_graph_edge(g, i);
        json_t *kind = json_string(ap_edge_kind_name(e->kind)), *obj = edge_obj(g, i);
        if (obj == NULL) {
            json_decref(kind);
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        io |= fputs("    <edge id=\"", out) < 0 || xml_text(out, e->id) < 0
              || fputs("\" source=\"", out) < 0 || xml_text(out, ap_graph_node(g, e->from)->id)
              || fputs("\" target=\"", out) < 0 || xml_text(out, ap_graph_node(g, e->to)->id)
              || fputs("\">\n", out) < 0 || write_data(out, "e", 0, kind) < 0;
        json_decref(kind);
        for (size_t k = 1; !io && k < ne; k++)
            io |= write_data(out, "e", k, json_object_get(obj, ekeys[k].name)) < 0;
        io |= fputs("    </edge>\n", out) < 0;
        json_decref(obj);
    }
    io |= fputs("  </graph>\n</graphml>\n", out) < 0;
    if (io)
        rc = ap_error_set(err, AP_EIO, "cannot write the export");
cleanup:
    free_keys(nkeys, nn, 1);
    free_keys(ekeys, ne, 1);
    return rc;
}
