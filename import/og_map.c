/* import/og_map.c: `import --map FILE`, the user's own table for foreign OpenGraph kinds (JSON
 * or YAML): the authpath kind a foreign node or edge kind becomes, ahead of the built-in table;
 * for nodes, optionally by rules on their properties, with readable ids (docs/maps/). */
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

/* A test on a property (docs/sources/opengraph.md): a value it must equal, {not: TEST}, or
 * {node: KIND | {kind, key, where}}. steps[0, n) lead to it. */
static int check_where(const map_loader *l, ap_step *steps, size_t n, const json_t *where);

static int check_test(const map_loader *l, ap_step *steps, size_t n, const json_t *test)
{
    const json_t *v;
    const char *key;
    json_t *x;
    if (n + 3 > 24)
        return map_fail(l, steps, n, "the kind map nests tests too deeply%s%s", "", "");
    if (!json_is_object(test) && !json_is_array(test))
        return AP_OK;                                   /* a value to equal */
    if (!json_is_object(test) || json_object_size(test) != 1)
        return map_fail(l, steps, n, "a test is a value, {not: TEST} or {node: KIND}%s%s", "",
                        "");
    steps[n] = (ap_step){ NULL, 0 };
    if ((v = json_object_get(test, "not")) != NULL) {
        steps[n].key = "not";
        return check_test(l, steps, n + 1, v);
    }
    if ((v = json_object_get(test, "node")) == NULL) {
        steps[n].key = json_object_iter_key(json_object_iter((json_t *)test));
        return map_fail(l, steps, n + 1, "unknown test '%s' (expected not or node)%s",
                        steps[n].key, "");
    }
    steps[n].key = "node";
    if (json_is_string(v))
        return AP_OK;
    if (!json_is_object(v) || !json_is_string(json_object_get(v, "kind")))
        return map_fail(l, steps, n + 1, "'node' is a kind, or a mapping with 'kind' and "
                        "optional 'key' and 'where'%s%s", "", "");
    json_object_foreach((json_t *)v, key, x) {
        steps[n + 1] = (ap_step){ key, 0 };
        if (strcmp(key, "kind") != 0 && strcmp(key, "key") != 0 && strcmp(key, "where") != 0)
            return map_fail(l, steps, n + 2, "unknown key '%s' in 'node' (expected kind, key, "
                            "where)%s", key, "");
        if (strcmp(key, "key") == 0 && !json_is_string(x))
            return map_fail(l, steps, n + 2, "'key' must be a property name%s%s", "", "");
        if (strcmp(key, "where") == 0 && check_where(l, steps, n + 2, x) < 0)
            return AP_EINPUT;
    }
    return AP_OK;
}

static int check_where(const map_loader *l, ap_step *steps, size_t n, const json_t *where)
{
    const char *key;
    json_t *test;
    if (!json_is_object(where))
        return map_fail(l, steps, n, "'where' must be a mapping of properties to tests%s%s", "",
                        "");
    json_object_foreach((json_t *)where, key, test) {
        steps[n] = (ap_step){ key, 0 };
        if (check_test(l, steps, n + 1, test) < 0)
            return AP_EINPUT;
    }
    return AP_OK;
}

/* A node rule: {kind, where?, id?}. */
static int check_rule(const map_loader *l, ap_step *steps, size_t n, const json_t *rule,
                      const char *key)
{
    const char *k;
    json_t *v;
    if (!json_is_object(rule) || !json_is_string(json_object_get(rule, "kind"))
        || ap_kind_parse(json_string_value(json_object_get(rule, "kind"))) == AP_KIND_NONE)
        return map_fail(l, steps, n, "the kind of '%s' must be one of %s (or a rule with "
                        "'kind')", key, AP_KIND_NAMES);
    json_object_foreach((json_t *)rule, k, v) {
        steps[n] = (ap_step){ k, 0 };
        if (strcmp(k, "kind") == 0)
            continue;
        if (strcmp(k, "id") == 0) {
            if (!json_is_string(v) || strchr(json_string_value(v), '{') == NULL)
                return map_fail(l, steps, n + 1, "'id' must be a template naming a property, "
                                "such as \"repo:{full_name}\"%s%s", "", "");
        } else if (strcmp(k, "where") == 0) {
            if (check_where(l, steps, n + 1, v) < 0)
                return AP_EINPUT;
        } else if (strcmp(k, "with_edge") == 0 || strcmp(k, "without_edge") == 0) {
            if (!json_is_object(v) || json_object_size(v) != 2
                || !json_is_string(json_object_get(v, "kind"))
                || !json_is_string(json_object_get(v, "to")))
                return map_fail(l, steps, n + 1, "'%s' must be a mapping with 'kind' (an edge "
                                "kind) and 'to' (a node kind)%s", k, "");
        } else {
            return map_fail(l, steps, n + 1, "unknown key '%s' in a rule (expected kind, "
                            "where, with_edge, without_edge, id)%s", k, "");
        }
    }
    return AP_OK;
}

/* Section "nodes" or "edges": foreign kind -> an authpath kind that parse() knows; a node kind
 * may instead take a rule or a list of rules. */
static int load_section(const map_loader *l, const json_t *sec, const char *name,
                        int (*known)(const char *), const char *names, json_t **out)
{
    const char *key;
    json_t *v;
    ap_step at[24] = { { name, 0 }, { NULL, 0 } };
    int nodes = strcmp(name, "nodes") == 0;
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
        if (nodes && json_is_object(v)) {
            if (check_rule(l, at, 2, v, key) < 0)
                return AP_EINPUT;
            continue;
        }
        if (nodes && json_is_array(v) && json_array_size(v) > 0) {
            for (size_t i = 0; i < json_array_size(v); i++) {
                at[2] = (ap_step){ NULL, i };
                if (check_rule(l, at, 3, json_array_get(v, i), key) < 0)
                    return AP_EINPUT;
            }
            continue;
        }
        if (!json_is_string(v) || !known(json_string_value(v)))
            return map_fail(l, at, 2, "the kind of '%s' must be one of %s", key, names);
    }
    if ((*out = json_deep_copy((json_t *)sec)) == NULL)
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
