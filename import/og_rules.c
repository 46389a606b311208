/* import/og_rules.c: `import --map` rules on OpenGraph nodes: tests on a node's properties and
 * on the nodes its properties name, and the readable ids they give (docs/maps/). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "og_internal.h"

/* ---- --map rules: tests on a node's properties, and on the nodes its properties name ---- */

int ap_og__has_kind_name(const og_node *n, const char *kind)
{
    for (size_t i = 0; kind != NULL && i < json_array_size(n->kinds); i++)
        if (strcmp(json_string_value(json_array_get(n->kinds, i)), kind) == 0)
            return 1;
    return kind == NULL;
}

/* The nodes of kind whose property key equals v, as a list of indices (borrowed from the
 * cache, built on first use so a rule costs one pass over the nodes, not one per node). */
static const json_t *join(struct ap_og_state *s, const char *kind, const char *key,
                          const json_t *v)
{
    char *text;
    json_t *by, *list, *name;
    if (s->joins == NULL && (s->joins = json_object()) == NULL)
        return NULL;
    /* the cache's key whole, however long the names: cut, two joins would share one */
    if ((name = json_sprintf("%s\x1f%s", kind != NULL ? kind : "", key)) == NULL)
        return NULL;
    if ((by = json_object_get(s->joins, json_string_value(name))) == NULL) {
        if ((by = json_object()) == NULL
            || json_object_set_new(s->joins, json_string_value(name), by) < 0) {
            json_decref(name);
            return NULL;
        }
        for (size_t i = 0; i < s->nn; i++) {
            const json_t *pv = json_object_get(s->nodes[i].props, key);
            if (pv == NULL || !ap_og__has_kind_name(&s->nodes[i], kind)
                || (text = json_dumps(pv, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL)
                continue;
            if ((list = json_object_get(by, text)) == NULL) {
                list = json_array();
                json_object_set_new(by, text, list);
            }
            json_array_append_new(list, json_integer((json_int_t)i));
            free(text);
        }
    }
    json_decref(name);
    if ((text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL)
        return NULL;
    list = json_object_get(by, text);
    free(text);
    return list;
}

static int where_holds(struct ap_og_state *s, const json_t *props, const json_t *where,
                       int depth);

/* {kind: EDGE_KIND, to: NODE_KIND}: does node i start an edge of that kind to a node of that
 * kind? The starts of each such pair are found in one pass over the edges, on first use. */
static int has_edge(struct ap_og_state *s, size_t i, const json_t *spec)
{
    const char *ek = json_string_value(json_object_get(spec, "kind"));
    const char *to = json_string_value(json_object_get(spec, "to"));
    char idx[32];
    json_t *set, *name;
    if (s->joins == NULL && (s->joins = json_object()) == NULL)
        return 0;
    /* the cache's key whole, however long the kinds: cut, two specs would share one */
    if ((name = json_sprintf("\x1e%s\x1e%s", ek != NULL ? ek : "", to != NULL ? to : ""))
        == NULL)
        return 0;
    if ((set = json_object_get(s->joins, json_string_value(name))) == NULL) {
        if ((set = json_object()) == NULL
            || json_object_set_new(s->joins, json_string_value(name), set) < 0) {
            json_decref(name);
            return 0;
        }
        for (size_t e = 0; e < s->ne; e++) {
            const json_t *edge = s->edges[e].edge;
            long from, end;
            if (ek != NULL && strcmp(json_string_value(json_object_get(edge, "kind")), ek) != 0)
                continue;
            from = ap_og__resolve(s, json_object_get(edge, "start"));
            end = ap_og__resolve(s, json_object_get(edge, "end"));
            if (from < 0 || end < 0 || !ap_og__has_kind_name(&s->nodes[end], to))
                continue;
            snprintf(idx, sizeof idx, "%ld", from);
            json_object_set_new(set, idx, json_true());
        }
    }
    json_decref(name);
    snprintf(idx, sizeof idx, "%zu", i);
    return json_object_get(set, idx) != NULL;
}

/* {node: KIND} or {node: {kind, key, where}}: v names a node of the import (by its id, or by
 * its property key) of that kind, for which where holds. */
static int names_node(struct ap_og_state *s, const json_t *v, const json_t *node, int depth)
{
    const char *kind = json_is_string(node) ? json_string_value(node)
                                            : json_string_value(json_object_get(node, "kind"));
    const char *key = json_string_value(json_object_get(node, "key"));
    const json_t *where = json_object_get(node, "where"), *list;
    if (key == NULL || strcmp(key, "id") == 0) {
        const json_t *at = json_is_string(v) ? json_object_get(s->index, json_string_value(v))
                                             : NULL;
        const og_node *n = at != NULL ? &s->nodes[json_integer_value(at)] : NULL;
        return n != NULL && ap_og__has_kind_name(n, kind)
            && (where == NULL || where_holds(s, n->props, where, depth + 1));
    }
    list = join(s, kind, key, v);
    for (size_t i = 0; i < json_array_size(list); i++)
        if (where == NULL || where_holds(s, s->nodes[json_integer_value(json_array_get(list, i))]
                                            .props, where, depth + 1))
            return 1;
    return 0;
}

/* A test on one property's value (NULL: the node has no such property). */
static int test_holds(struct ap_og_state *s, const json_t *v, const json_t *test, int depth)
{
    if (depth > 8)              /* the map checker allows no deeper nesting */
        return 0;
    if (json_is_object(test) && json_object_get(test, "not") != NULL)
        return !test_holds(s, v, json_object_get(test, "not"), depth + 1);
    if (json_is_object(test))
        return v != NULL && names_node(s, v, json_object_get(test, "node"), depth);
    return v != NULL && json_equal((json_t *)v, (json_t *)test);
}

static int where_holds(struct ap_og_state *s, const json_t *props, const json_t *where,
                       int depth)
{
    const char *key;
    json_t *test;
    json_object_foreach((json_t *)where, key, test)
        if (!test_holds(s, json_object_get(props, key), test, depth))
            return 0;
    return 1;
}

/* The map's rule for node n: for the first of its kinds the map names, the first of its rules
 * whose 'where' holds (a bare kind always does); NULL when none decides. */
const json_t *ap_og__map_rule(struct ap_og_state *s, const json_t *map, const og_node *n)
{
    for (size_t i = 0; map != NULL && i < json_array_size(n->kinds); i++) {
        const json_t *e = json_object_get(map, json_string_value(json_array_get(n->kinds, i)));
        size_t count = json_is_array(e) ? json_array_size(e) : 1;
        for (size_t r = 0; e != NULL && r < count; r++) {
            const json_t *rule = json_is_array(e) ? json_array_get(e, r) : e;
            const json_t *where = json_is_object(rule) ? json_object_get(rule, "where") : NULL;
            const json_t *with = json_is_object(rule) ? json_object_get(rule, "with_edge")
                                                      : NULL;
            const json_t *without = json_is_object(rule) ? json_object_get(rule,
                                                                           "without_edge")
                                                         : NULL;
            if ((where == NULL || where_holds(s, n->props, where, 0))
                && (with == NULL || has_edge(s, (size_t)(n - s->nodes), with))
                && (without == NULL || !has_edge(s, (size_t)(n - s->nodes), without)))
                return rule;
        }
    }
    return NULL;
}

/* A rule's id template ("repo:{full_name}") over the node's properties; NULL when one of the
 * properties it names is missing, empty or not a string or number. *out owns: free(). */
char *ap_og__expand_id(const char *tpl, const json_t *props)
{
    size_t cap = strlen(tpl) + 64, n = 0;
    char *out = malloc(cap);
    for (const char *p = tpl; out != NULL && *p != '\0';) {
        char num[32];
        const char *piece = num;    /* the property's value whole: cut, two ids would be one */
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        size_t len;
        if (close != NULL) {
            /* the key whole too, however long */
            const json_t *v = json_object_getn(props, p + 1, (size_t)(close - p - 1));
            if (json_is_string(v) && json_string_length(v) > 0
                && strlen(json_string_value(v)) == json_string_length(v))
                piece = json_string_value(v);
            else if (json_is_integer(v))
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
            else {
                free(out);
                return NULL;
            }
            p = close + 1;
        } else {
            num[0] = *p++;
            num[1] = '\0';
        }
        len = strlen(piece);
        if (n + len + 1 > cap) {
            char *q = realloc(out, cap = (n + len + 1) * 2);
            if (q == NULL) {
                free(out);
                return NULL;
            }
            out = q;
        }
        memcpy(out + n, piece, len + 1);
        n += len;
    }
    return out;
}

/* Foreign edge kinds by the user's map (--map), else by what their name says; anything else
 * is access. */
const char *ap_og__foreign_edge_kind(const json_t *map, const char *kind)
{
    static const struct { const char *part; const char *kind; } table[] = {
        { "memberof", "member_of" }, { "assume", "can_assume" },
        { "impersonat", "can_assume" }, { "authenticatesas", "authenticates_as" },
        { "admin", "admin_of" }, { "owns", "admin_of" }, { "owner", "admin_of" },
        { "genericall", "admin_of" }, { "hassecret", "holds" }, { "hastoken", "holds" },
        { "hascredential", "holds" }, { "haskey", "holds" },
    };
    const char *mapped = json_string_value(json_object_get(map, kind));
    if (mapped != NULL)
        return mapped;
    /* the whole name, however long: a part past a cut would be missed */
    for (size_t j = 0; j < sizeof table / sizeof table[0]; j++)
        for (const char *p = kind; *p != '\0'; p++)
            if (strncasecmp(p, table[j].part, strlen(table[j].part)) == 0)
                return table[j].kind;
    return "access";
}

/* authpath's own properties back to attributes: ap_json_keys names the values exported as
 * JSON text; ap_objectid stands for objectid, which OpenGraph reserves. */
