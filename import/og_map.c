/* import/og_map.c: `import --map FILE`, the user's own table for foreign OpenGraph kinds (JSON
 * or YAML): the authpath kind a foreign node or edge kind becomes, ahead of the built-in table. */
#include <stdio.h>
#include <string.h>

#include "import_internal.h"

/* A map is a few lines; anything beyond this is not one. */
#define MAP_MAX_BYTES ((size_t)16 << 20)

typedef struct {
    const char *path;
    const ap_posdoc *doc;
    ap_error *err;
} map_loader;

/* An error at the value steps lead to. */
static int map_fail(const map_loader *l, const ap_step *steps, size_t n, const char *fmt,
                    const char *a, const char *b)
{
    char msg[300];
    unsigned line, col;
    snprintf(msg, sizeof msg, fmt, a, b);
    ap_posdoc_where(l->doc, steps, n, &line, &col);
    return ap_error_at(l->err, AP_EINPUT, l->path, line, col, "%s", msg);
}

/* Section "nodes" or "edges": foreign kind -> an authpath kind that parse() knows. */
static int load_section(const map_loader *l, const json_t *sec, const char *name,
                        int (*known)(const char *), const char *names, json_t **out)
{
    const char *key;
    json_t *v;
    ap_step at[2] = { { name, 0 }, { NULL, 0 } };
    if (sec == NULL)
        return AP_OK;
    if (!json_is_object(sec))
        return map_fail(l, at, 1, "'%s' must be a mapping of foreign kinds to authpath kinds%s",
                        name, "");
    json_object_foreach((json_t *)sec, key, v) {
        at[1].key = key;
        if (strncmp(key, "AP_", 3) == 0)
            return map_fail(l, at, 2, "'%s' is authpath's own kind: it always maps to "
                            "itself%s", key, "");
        if (!json_is_string(v) || !known(json_string_value(v)))
            return map_fail(l, at, 2, "the kind of '%s' must be one of %s", key, names);
    }
    if ((*out = json_copy((json_t *)sec)) == NULL)
        return ap_error_nomem(l->err);
    return AP_OK;
}

static int known_node_kind(const char *s)
{
    return ap_kind_parse(s) != AP_KIND_NONE;
}

static int known_edge_kind(const char *s)
{
    return ap_edge_kind_parse(s) != AP_EDGE_NONE;
}

int ap_import__og_map_load(json_t **nodes, json_t **edges, const char *path, ap_error *err)
{
    map_loader l = { path, NULL, err };
    ap_posdoc *doc = NULL;
    const json_t *root;
    const char *key;
    json_t *v;
    int rc;
    *nodes = *edges = NULL;
    if ((rc = ap_posdoc_load(&doc, &root, path, MAP_MAX_BYTES, "a kind map", err)) < 0)
        return rc;
    l.doc = doc;
    if (!json_is_object(root)) {
        rc = map_fail(&l, NULL, 0, "a kind map is a mapping with 'nodes' and 'edges'%s%s", "",
                      "");
        goto cleanup;
    }
    json_object_foreach((json_t *)root, key, v) {
        ap_step at = { key, 0 };
        if (strcmp(key, "nodes") != 0 && strcmp(key, "edges") != 0) {
            rc = map_fail(&l, &at, 1, "unknown key '%s' (a kind map has 'nodes' and "
                          "'edges')%s", key, "");
            goto cleanup;
        }
    }
    if ((rc = load_section(&l, json_object_get(root, "nodes"), "nodes", known_node_kind,
                           AP_KIND_NAMES, nodes)) < 0
        || (rc = load_section(&l, json_object_get(root, "edges"), "edges", known_edge_kind,
                              AP_EDGE_KIND_NAMES, edges)) < 0) {
        json_decref(*nodes);
        json_decref(*edges);
        *nodes = *edges = NULL;
    }
cleanup:
    ap_posdoc_free(doc);
    return rc;
}
