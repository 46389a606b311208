/* import/opengraph.c: BloodHound OpenGraph JSON in. authpath's own AP_* kinds come back exactly;
 * foreign kinds map through the kind table, keeping the originals (docs/sources/opengraph.md). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import_internal.h"

/* A node as merged over every OpenGraph file of the import (BloodHound upserts by id). */
typedef struct {
    const char *id;             /* borrowed from the parsed documents */
    json_t *kinds;              /* owned: the union of kinds, first seen first */
    json_t *props;              /* owned: later values win */
    json_t *source_kind;        /* borrowed: metadata.source_kind of its first file, or NULL */
    int64_t file;
    const char *path;
    unsigned line, col;
} og_node;

typedef struct {
    const json_t *edge;         /* borrowed from the parsed documents */
    json_t *source_kind;
    int64_t file;
    const char *path;
    unsigned line, col;
} og_edge;

struct ap_og_state {
    og_node *nodes;
    size_t nn, ncap;
    og_edge *edges;
    size_t ne, ecap;
    json_t *index;              /* node id -> its index in nodes */
    json_t *docs;               /* the parsed documents, alive until the import ends */
    json_t *joins;              /* --map's node tests: "kind\x1fkey" -> value -> [indices] */
};

/* The position every place of the current element is reported at. */
typedef struct {
    unsigned line, col;
} og_pos;

static void locate_pos(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
{
    const og_pos *pos = vctx;
    (void)p;
    *line = pos->line;
    *col = pos->col;
}

static int og_fail(ap_import_ctx *ctx, og_pos *cur, const ap_json_text *t, size_t at,
                   const char *msg)
{
    ap_place p = { NULL, AP_NO_ITEM, NULL, AP_NO_ITEM, NULL };
    ap_json__line_col(t, at, &cur->line, &cur->col);
    return ap_import__fail(ctx, &p, "%s", msg);
}

static int state_init(ap_import_ctx *ctx)
{
    struct ap_og_state *s;
    if (ctx->og != NULL)
        return AP_OK;
    if ((s = calloc(1, sizeof *s)) == NULL)
        return AP_ENOMEM;
    s->index = json_object();
    s->docs = json_array();
    if (s->index == NULL || s->docs == NULL) {
        json_decref(s->index);
        json_decref(s->docs);
        free(s);
        return AP_ENOMEM;
    }
    ctx->og = s;
    return AP_OK;
}

void ap_import__opengraph_free(ap_import_ctx *ctx)
{
    struct ap_og_state *s = ctx->og;
    if (s == NULL)
        return;
    for (size_t i = 0; i < s->nn; i++) {
        json_decref(s->nodes[i].kinds);
        json_decref(s->nodes[i].props);
    }
    free(s->nodes);
    free(s->edges);
    json_decref(s->index);
    json_decref(s->docs);
    json_decref(s->joins);
    free(s);
    ctx->og = NULL;
}

/* Merge one node into the state: a repeated id adds its kinds and properties. */
static int add_node(ap_import_ctx *ctx, const char *id, const json_t *kinds, const json_t *props,
                    json_t *source_kind, unsigned line, unsigned col)
{
    struct ap_og_state *s = ctx->og;
    json_t *at = json_object_get(s->index, id);
    og_node *n;
    if (at != NULL) {
        n = &s->nodes[json_integer_value(at)];
        for (size_t i = 0; i < json_array_size(kinds); i++) {
            json_t *k = json_array_get(kinds, i);
            size_t j = 0;
            while (j < json_array_size(n->kinds) && !json_equal(json_array_get(n->kinds, j), k))
                j++;
            if (j == json_array_size(n->kinds) && json_array_append(n->kinds, k) < 0)
                return AP_ENOMEM;
        }
        if (json_is_object(props) && json_object_update(n->props, (json_t *)props) < 0)
            return AP_ENOMEM;
        ap_import__note(ctx, line, col, "repeated node id: kinds and properties merged into "
                        "the first (as BloodHound does)");
        return AP_OK;
    }
    if (s->nn == s->ncap) {
        og_node *p = realloc(s->nodes, (s->ncap = s->ncap ? s->ncap * 2 : 256) * sizeof *p);
        if (p == NULL)
            return AP_ENOMEM;
        s->nodes = p;
    }
    n = &s->nodes[s->nn];
    memset(n, 0, sizeof *n);
    n->id = id;
    n->kinds = json_copy((json_t *)kinds);
    n->props = json_is_object(props) ? json_copy((json_t *)props) : json_object();
    n->source_kind = source_kind;
    n->file = ctx->file;
    n->path = ctx->path;
    n->line = line;
    n->col = col;
    if (n->kinds == NULL || n->props == NULL
        || json_object_set_new(s->index, id, json_integer((json_int_t)s->nn)) < 0) {
        json_decref(n->kinds);
        json_decref(n->props);
        return AP_ENOMEM;
    }
    s->nn++;
    return AP_OK;
}

static int add_edge(ap_import_ctx *ctx, const json_t *edge, json_t *source_kind, unsigned line,
                    unsigned col)
{
    struct ap_og_state *s = ctx->og;
    if (s->ne == s->ecap) {
        og_edge *p = realloc(s->edges, (s->ecap = s->ecap ? s->ecap * 2 : 256) * sizeof *p);
        if (p == NULL)
            return AP_ENOMEM;
        s->edges = p;
    }
    s->edges[s->ne++] = (og_edge){ edge, source_kind, ctx->file, ctx->path, line, col };
    return AP_OK;
}

/* Check one endpoint's shape; records an error and returns AP_EINPUT when it is wrong. */
static int check_endpoint(ap_import_ctx *ctx, og_pos *cur, const ap_json_text *t, size_t at,
                          const json_t *ep, const char *which)
{
    char msg[160];
    const json_t *mb = json_object_get(ep, "match_by");
    const char *how = json_is_string(mb) ? json_string_value(mb) : "id";
    if (!json_is_object(ep)) {
        snprintf(msg, sizeof msg, "edge '%s' must be an object with 'value'", which);
        return og_fail(ctx, cur, t, at, msg);
    }
    if (mb != NULL && !json_is_null(mb) && !json_is_string(mb)) {
        snprintf(msg, sizeof msg, "'%s.match_by' must be a string", which);
        return og_fail(ctx, cur, t, ap_json__find_key(t, at, "match_by"), msg);
    }
    if (strcmp(how, "property") == 0) {
        if (!json_is_array(json_object_get(ep, "property_matchers"))) {
            snprintf(msg, sizeof msg, "'%s' matches by property but has no "
                     "'property_matchers' list", which);
            return og_fail(ctx, cur, t, at, msg);
        }
        return AP_OK;
    }
    if (strcmp(how, "id") != 0 && strcmp(how, "name") != 0) {
        snprintf(msg, sizeof msg, "unknown '%s.match_by' (expected id, name or property)",
                 which);
        return og_fail(ctx, cur, t, ap_json__find_key(t, at, "match_by"), msg);
    }
    if (!json_is_string(json_object_get(ep, "value"))) {
        snprintf(msg, sizeof msg, "'%s' has no 'value' string", which);
        return og_fail(ctx, cur, t, at, msg);
    }
    return AP_OK;
}

static int read_nodes(ap_import_ctx *ctx, og_pos *cur, const ap_json_text *t, size_t list_at,
                      const json_t *list, json_t *source_kind)
{
    size_t *pos = NULL, npos = 0;
    int rc = AP_OK;
    if (ap_json__elements(t, list_at, &pos, &npos) < 0)
        return AP_ENOMEM;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *n = json_array_get(list, i), *id, *kinds, *props;
        size_t at = i < npos ? pos[i] : list_at;
        unsigned line, col;
        int bad = 0;
        if (!json_is_object(n)) {
            og_fail(ctx, cur, t, at, "a node must be an object with 'id' and 'kinds'");
            continue;
        }
        id = json_object_get(n, "id");
        kinds = json_object_get(n, "kinds");
        props = json_object_get(n, "properties");
        if (!json_is_string(id) || json_string_length(id) == 0
            || strlen(json_string_value(id)) != json_string_length(id))
            bad |= og_fail(ctx, cur, t, id ? ap_json__find_key(t, at, "id") : at,
                           "a node needs an 'id' that is a non-empty string") < 0;
        if (!json_is_array(kinds))
            bad |= og_fail(ctx, cur, t, kinds ? ap_json__find_key(t, at, "kinds") : at,
                           "a node needs 'kinds', a list of strings") < 0;
        for (size_t k = 0; json_is_array(kinds) && k < json_array_size(kinds); k++)
            if (!json_is_string(json_array_get(kinds, k)))
                bad |= og_fail(ctx, cur, t,
                               ap_json__find_index(t, ap_json__find_key(t, at, "kinds"), k),
                               "a kind must be a string") < 0;
        if (props != NULL && !json_is_null(props) && !json_is_object(props))
            bad |= og_fail(ctx, cur, t, ap_json__find_key(t, at, "properties"),
                           "'properties' must be an object") < 0;
        if (bad)
            continue;
        ap_json__line_col(t, at, &line, &col);
        if ((rc = add_node(ctx, json_string_value(id), kinds, props, source_kind, line,
                           col)) < 0)
            break;
    }
    free(pos);
    return rc;
}

static int read_edges(ap_import_ctx *ctx, og_pos *cur, const ap_json_text *t, size_t list_at,
                      const json_t *list, json_t *source_kind)
{
    size_t *pos = NULL, npos = 0;
    int rc = AP_OK;
    if (ap_json__elements(t, list_at, &pos, &npos) < 0)
        return AP_ENOMEM;
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i), *kind, *props;
        size_t at = i < npos ? pos[i] : list_at;
        unsigned line, col;
        int bad = 0;
        if (!json_is_object(e)) {
            og_fail(ctx, cur, t, at, "an edge must be an object with 'start', 'end' and 'kind'");
            continue;
        }
        kind = json_object_get(e, "kind");
        props = json_object_get(e, "properties");
        if (!json_is_string(kind) || json_string_length(kind) == 0)
            bad |= og_fail(ctx, cur, t, kind ? ap_json__find_key(t, at, "kind") : at,
                           "an edge needs a 'kind' that is a non-empty string") < 0;
        bad |= check_endpoint(ctx, cur, t, json_object_get(e, "start") ?
                              ap_json__find_key(t, at, "start") : at,
                              json_object_get(e, "start"), "start") < 0;
        bad |= check_endpoint(ctx, cur, t, json_object_get(e, "end") ?
                              ap_json__find_key(t, at, "end") : at,
                              json_object_get(e, "end"), "end") < 0;
        if (props != NULL && !json_is_null(props) && !json_is_object(props))
            bad |= og_fail(ctx, cur, t, ap_json__find_key(t, at, "properties"),
                           "'properties' must be an object") < 0;
        if (bad)
            continue;
        ap_json__line_col(t, at, &line, &col);
        if ((rc = add_edge(ctx, e, source_kind, line, col)) < 0)
            break;
    }
    free(pos);
    return rc;
}

int ap_import__opengraph(ap_import_ctx *ctx, const char *text, size_t len, ap_error *err)
{
    ap_json_text t;
    og_pos cur = { 1, 1 };
    json_error_t je;
    json_t *doc = NULL, *graph, *meta, *sk = NULL, *nodes, *edges;
    size_t top, graph_at;
    int rc;
    if ((doc = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je)) == NULL)
        return ap_error_at(err, AP_EINPUT, ctx->path, (unsigned)(je.line > 0 ? je.line : 1),
                           (unsigned)(je.column > 0 ? je.column : 1), "invalid JSON: %s",
                           je.text);
    if (state_init(ctx) < 0 || ap_json__text_init(&t, text, len) < 0) {
        json_decref(doc);
        return ap_error_nomem(err);
    }
    if (json_array_append_new(ctx->og->docs, doc) < 0) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    ctx->locate = locate_pos;
    ctx->locate_ctx = &cur;
    top = ap_json__skip_ws(&t, 0);
    graph = json_object_get(doc, "graph");
    if (!json_is_object(doc) || !json_is_object(graph)) {
        rc = og_fail(ctx, &cur, &t, graph ? ap_json__find_key(&t, top, "graph") : top,
                     "an OpenGraph document must be an object whose 'graph' is an object with "
                     "'nodes' and 'edges'");
        goto cleanup;
    }
    graph_at = ap_json__find_key(&t, top, "graph");
    meta = json_object_get(doc, "metadata");
    if (meta != NULL && !json_is_null(meta)) {
        sk = json_object_get(meta, "source_kind");
        if (!json_is_object(meta) || (sk != NULL && !json_is_null(sk) && !json_is_string(sk))) {
            rc = og_fail(ctx, &cur, &t, ap_json__find_key(&t, top, "metadata"),
                         "'metadata' must be an object whose 'source_kind' is a string");
            goto cleanup;
        }
        if (!json_is_string(sk))
            sk = NULL;
    }
    nodes = json_object_get(graph, "nodes");
    edges = json_object_get(graph, "edges");
    if ((nodes != NULL && !json_is_null(nodes) && !json_is_array(nodes))
        || (edges != NULL && !json_is_null(edges) && !json_is_array(edges))) {
        rc = og_fail(ctx, &cur, &t, graph_at, "'graph.nodes' and 'graph.edges' must be lists");
        goto cleanup;
    }
    rc = read_nodes(ctx, &cur, &t, ap_json__find_key(&t, graph_at, "nodes"), nodes, sk);
    if (rc == AP_OK)
        rc = read_edges(ctx, &cur, &t, ap_json__find_key(&t, graph_at, "edges"), edges, sk);
    if (rc == AP_ENOMEM)
        rc = ap_error_nomem(err);
cleanup:
    ctx->locate = NULL;
    ap_json__text_free(&t);
    return rc;
}

/* ---- The end of the import: map kinds, resolve endpoints, stage. ---- */

static const char *const ap_node_kinds[AP_KIND_COUNT] = {
    "AP_Partner", "AP_Identity", "AP_Credential", "AP_Role", "AP_Resource", "AP_Workflow",
};

/* "AP_CanAssume" -> "can_assume"; NULL unless it is one of authpath's edge kinds. */
static const char *ap_edge_kind_of(const char *og, char *buf, size_t size)
{
    size_t o = 0;
    if (strncmp(og, "AP_", 3) != 0)
        return NULL;
    for (const char *p = og + 3; *p != '\0' && o + 2 < size; p++) {
        if (isupper((unsigned char)*p) && p != og + 3)
            buf[o++] = '_';
        buf[o++] = (char)tolower((unsigned char)*p);
    }
    buf[o] = '\0';
    return ap_edge_kind_parse(buf) != AP_EDGE_NONE ? buf : NULL;
}

/* The last word of a foreign kind: "GH_PersonalAccessToken" -> "token", "GH_PAT" -> "pat". */
static void last_word(const char *kind, char *buf, size_t size)
{
    const char *s = strrchr(kind, '_') != NULL ? strrchr(kind, '_') + 1 : kind;
    const char *end = s + strlen(s), *w = end;
    while (w > s && (islower((unsigned char)w[-1]) || isdigit((unsigned char)w[-1])))
        w--;
    if (w == end) {                             /* all capitals: the whole run */
        while (w > s && isupper((unsigned char)w[-1]))
            w--;
    } else if (w > s && isupper((unsigned char)w[-1])) {
        w--;
    }
    size_t i = 0;
    for (; w[i] != '\0' && i + 1 < size; i++)
        buf[i] = (char)tolower((unsigned char)w[i]);
    buf[i] = '\0';
    if (i > 3 && buf[i - 1] == 's')             /* "clients", "users" */
        buf[i - 1] = '\0';
}

/* The kind a map rule names; when the user's map (--map) decides nothing, the built-in table
 * (docs/sources/opengraph.md): the first of a node's kinds whose last word the table knows. */
static ap_kind foreign_kind(const json_t *rule, const json_t *kinds)
{
    static const struct { const char *word; ap_kind kind; } table[] = {
        { "user", AP_KIND_IDENTITY }, { "account", AP_KIND_IDENTITY },
        { "app", AP_KIND_IDENTITY }, { "application", AP_KIND_IDENTITY },
        { "principal", AP_KIND_IDENTITY }, { "installation", AP_KIND_IDENTITY },
        { "identity", AP_KIND_IDENTITY }, { "bot", AP_KIND_IDENTITY },
        { "person", AP_KIND_IDENTITY }, { "agent", AP_KIND_IDENTITY },
        { "client", AP_KIND_IDENTITY }, { "workload", AP_KIND_IDENTITY },
        { "group", AP_KIND_ROLE }, { "team", AP_KIND_ROLE }, { "role", AP_KIND_ROLE },
        { "token", AP_KIND_CREDENTIAL }, { "secret", AP_KIND_CREDENTIAL },
        { "key", AP_KIND_CREDENTIAL }, { "pat", AP_KIND_CREDENTIAL },
        { "credential", AP_KIND_CREDENTIAL }, { "certificate", AP_KIND_CREDENTIAL },
        { "password", AP_KIND_CREDENTIAL },
    };
    char word[64];
    if (rule != NULL)
        return ap_kind_parse(json_string_value(json_is_string(rule) ? rule
                                                : json_object_get(rule, "kind")));
    for (size_t i = 0; i < json_array_size(kinds); i++) {
        last_word(json_string_value(json_array_get(kinds, i)), word, sizeof word);
        for (size_t j = 0; j < sizeof table / sizeof table[0]; j++)
            if (strcmp(word, table[j].word) == 0)
                return table[j].kind;
    }
    return AP_KIND_RESOURCE;
}

/* ---- --map rules: tests on a node's properties, and on the nodes its properties name ---- */

static int has_kind_name(const og_node *n, const char *kind)
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
    char name[256], *text;
    json_t *by, *list;
    snprintf(name, sizeof name, "%s\x1f%s", kind != NULL ? kind : "", key);
    if (s->joins == NULL && (s->joins = json_object()) == NULL)
        return NULL;
    if ((by = json_object_get(s->joins, name)) == NULL) {
        if ((by = json_object()) == NULL || json_object_set_new(s->joins, name, by) < 0)
            return NULL;
        for (size_t i = 0; i < s->nn; i++) {
            const json_t *pv = json_object_get(s->nodes[i].props, key);
            if (pv == NULL || !has_kind_name(&s->nodes[i], kind)
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
    if ((text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT)) == NULL)
        return NULL;
    list = json_object_get(by, text);
    free(text);
    return list;
}

static int where_holds(struct ap_og_state *s, const json_t *props, const json_t *where,
                       int depth);
static long resolve(struct ap_og_state *s, const json_t *ep);

/* {kind: EDGE_KIND, to: NODE_KIND}: does node i start an edge of that kind to a node of that
 * kind? The starts of each such pair are found in one pass over the edges, on first use. */
static int has_edge(struct ap_og_state *s, size_t i, const json_t *spec)
{
    const char *ek = json_string_value(json_object_get(spec, "kind"));
    const char *to = json_string_value(json_object_get(spec, "to"));
    char name[256], idx[32];
    json_t *set;
    snprintf(name, sizeof name, "\x1e%s\x1e%s", ek != NULL ? ek : "", to != NULL ? to : "");
    if (s->joins == NULL && (s->joins = json_object()) == NULL)
        return 0;
    if ((set = json_object_get(s->joins, name)) == NULL) {
        if ((set = json_object()) == NULL || json_object_set_new(s->joins, name, set) < 0)
            return 0;
        for (size_t e = 0; e < s->ne; e++) {
            const json_t *edge = s->edges[e].edge;
            long from, end;
            if (ek != NULL && strcmp(json_string_value(json_object_get(edge, "kind")), ek) != 0)
                continue;
            from = resolve(s, json_object_get(edge, "start"));
            end = resolve(s, json_object_get(edge, "end"));
            if (from < 0 || end < 0 || !has_kind_name(&s->nodes[end], to))
                continue;
            snprintf(idx, sizeof idx, "%ld", from);
            json_object_set_new(set, idx, json_true());
        }
    }
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
        return n != NULL && has_kind_name(n, kind)
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
static const json_t *map_rule(struct ap_og_state *s, const json_t *map, const og_node *n)
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
static char *expand_id(const char *tpl, const json_t *props)
{
    size_t cap = strlen(tpl) + 64, n = 0;
    char *out = malloc(cap);
    for (const char *p = tpl; out != NULL && *p != '\0';) {
        char piece[512];
        const char *close = *p == '{' ? strchr(p, '}') : NULL;
        size_t len;
        if (close != NULL) {
            char key[128];
            const json_t *v;
            snprintf(key, sizeof key, "%.*s", (int)(close - p - 1), p + 1);
            v = json_object_get(props, key);
            if (json_is_string(v) && json_string_length(v) > 0
                && strlen(json_string_value(v)) == json_string_length(v))
                snprintf(piece, sizeof piece, "%s", json_string_value(v));
            else if (json_is_integer(v))
                snprintf(piece, sizeof piece, "%lld", (long long)json_integer_value(v));
            else {
                free(out);
                return NULL;
            }
            p = close + 1;
        } else {
            piece[0] = *p++;
            piece[1] = '\0';
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
static const char *foreign_edge_kind(const json_t *map, const char *kind)
{
    static const struct { const char *part; const char *kind; } table[] = {
        { "memberof", "member_of" }, { "assume", "can_assume" },
        { "impersonat", "can_assume" }, { "authenticatesas", "authenticates_as" },
        { "admin", "admin_of" }, { "owns", "admin_of" }, { "owner", "admin_of" },
        { "genericall", "admin_of" }, { "hassecret", "holds" }, { "hastoken", "holds" },
        { "hascredential", "holds" }, { "haskey", "holds" },
    };
    const char *mapped = json_string_value(json_object_get(map, kind));
    char low[128];
    size_t i = 0;
    if (mapped != NULL)
        return mapped;
    for (; kind[i] != '\0' && i + 1 < sizeof low; i++)
        low[i] = (char)tolower((unsigned char)kind[i]);
    low[i] = '\0';
    for (size_t j = 0; j < sizeof table / sizeof table[0]; j++)
        if (strstr(low, table[j].part) != NULL)
            return table[j].kind;
    return "access";
}

/* authpath's own properties back to attributes: ap_json_keys names the values exported as
 * JSON text; ap_objectid stands for objectid, which OpenGraph reserves. */
static json_t *ap_attrs(const json_t *props)
{
    json_t *out = json_copy((json_t *)props), *keys = json_object_get(props, "ap_json_keys");
    if (out == NULL)
        return NULL;
    json_object_del(out, "ap_json_keys");
    for (size_t i = 0; json_is_array(keys) && i < json_array_size(keys); i++) {
        const char *k = json_string_value(json_array_get(keys, i));
        json_t *v = k != NULL ? json_object_get(out, k) : NULL;
        json_t *parsed = json_is_string(v) ? json_loads(json_string_value(v), JSON_DECODE_ANY,
                                                        NULL) : NULL;
        if (parsed != NULL)
            json_object_set_new(out, k, parsed);
    }
    if (json_object_get(out, "ap_objectid") != NULL) {
        json_object_set(out, "objectid", json_object_get(out, "ap_objectid"));
        json_object_del(out, "ap_objectid");
    }
    return out;
}

static json_t *node_object(const og_node *n, const json_t *rule, const char *id)
{
    const char *first = json_string_value(json_array_get(n->kinds, 0));
    json_t *obj;
    for (int k = 0; first != NULL && k < AP_KIND_COUNT; k++)
        if (strcmp(first, ap_node_kinds[k]) == 0) {
            if ((obj = ap_attrs(n->props)) == NULL)
                return NULL;
            json_object_set_new(obj, "id", json_string(n->id));
            json_object_set_new(obj, "kind", json_string(ap_kind_name((ap_kind)k)));
            return obj;
        }
    if ((obj = json_object()) == NULL)
        return NULL;
    json_object_set_new(obj, "id", json_string(id));
    json_object_set_new(obj, "kind", json_string(ap_kind_name(foreign_kind(rule, n->kinds))));
    if (json_is_string(json_object_get(n->props, "name")))
        json_object_set(obj, "name", json_object_get(n->props, "name"));
    if (strcmp(id, n->id) != 0)
        json_object_set_new(obj, "og_id", json_string(n->id));
    json_object_set(obj, "og_kinds", n->kinds);
    if (n->source_kind != NULL)
        json_object_set(obj, "og_source_kind", n->source_kind);
    if (json_object_size(n->props) > 0)
        json_object_set(obj, "og_properties", n->props);
    return obj;
}

/* Is n one of authpath's own kinds (AP_*), which the map never changes? */
static int own_kind(const og_node *n)
{
    const char *first = json_string_value(json_array_get(n->kinds, 0));
    return first != NULL && strncmp(first, "AP_", 3) == 0;
}

/* Each node's rule and id. A rule's id template gives a node a readable id only when the id it
 * makes is its alone (no other node gets it, from the template or as its own id); else the
 * node keeps its own id and the import notes it. */
static int decide_nodes(ap_import_ctx *ctx, const json_t **rules, char **ids)
{
    struct ap_og_state *s = ctx->og;
    json_t *count = json_object();
    int rc = AP_OK;
    if (count == NULL)
        return AP_ENOMEM;
    for (size_t i = 0; i < s->nn; i++) {
        const json_t *tpl;
        rules[i] = own_kind(&s->nodes[i]) ? NULL : map_rule(s, ctx->og_nodes, &s->nodes[i]);
        tpl = json_is_object(rules[i]) ? json_object_get(rules[i], "id") : NULL;
        ids[i] = tpl != NULL ? expand_id(json_string_value(tpl), s->nodes[i].props) : NULL;
        if (ids[i] != NULL) {
            json_t *c = json_object_get(count, ids[i]);
            json_object_set_new(count, ids[i], json_integer(c ? json_integer_value(c) + 1 : 1));
        }
    }
    for (size_t i = 0; i < s->nn; i++) {
        const json_t *other;
        og_node *n = &s->nodes[i];
        if (ids[i] == NULL)
            continue;
        other = json_object_get(s->index, ids[i]);
        if (json_integer_value(json_object_get(count, ids[i])) > 1
            || (other != NULL && (size_t)json_integer_value(other) != i)) {
            ctx->file = n->file;
            ctx->path = n->path;
            ap_import__note(ctx, n->line, n->col, "node whose id from the kind map's template "
                            "is not its alone (its own id kept)");
            free(ids[i]);
            ids[i] = NULL;
        }
    }
    json_decref(count);
    return rc;
}

static void upper_copy(char *buf, size_t size, const char *s)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < size; i++)
        buf[i] = (char)toupper((unsigned char)s[i]);
    buf[i] = '\0';
}

static int has_kind(const og_node *n, const json_t *kind)
{
    return !json_is_string(kind) || has_kind_name(n, json_string_value(kind));
}

/* The node an endpoint names, or -1 (none) or -2 (several). */
static long resolve(struct ap_og_state *s, const json_t *ep)
{
    const json_t *mb = json_object_get(ep, "match_by"), *kind = json_object_get(ep, "kind");
    const char *how = json_is_string(mb) ? json_string_value(mb) : "id";
    if (strcmp(how, "id") == 0) {
        json_t *at = json_object_get(s->index, json_string_value(json_object_get(ep, "value")));
        return at != NULL ? (long)json_integer_value(at) : -1;
    }
    long found = -1;
    if (strcmp(how, "name") == 0) {
        char want[512], have[512];
        upper_copy(want, sizeof want, json_string_value(json_object_get(ep, "value")));
        for (size_t i = 0; i < s->nn; i++) {
            const char *name = json_string_value(json_object_get(s->nodes[i].props, "name"));
            if (name == NULL || !has_kind(&s->nodes[i], kind))
                continue;
            upper_copy(have, sizeof have, name);    /* BloodHound upper-cases names */
            if (strcmp(want, have) == 0) {
                if (found >= 0)
                    return -2;
                found = (long)i;
            }
        }
        return found;
    }
    const json_t *pm = json_object_get(ep, "property_matchers");
    for (size_t i = 0; i < s->nn; i++) {
        size_t k = 0;
        if (!has_kind(&s->nodes[i], kind))
            continue;
        for (; k < json_array_size(pm); k++) {
            const json_t *m = json_array_get(pm, k);
            const json_t *key = json_object_get(m, "key");
            if (!json_is_string(key)
                || !json_equal(json_object_get(s->nodes[i].props, json_string_value(key)),
                               json_object_get(m, "value")))
                break;
        }
        if (k == json_array_size(pm) && k > 0) {
            if (found >= 0)
                return -2;
            found = (long)i;
        }
    }
    return found;
}

/* Custom rights named by authpath edges are declared by the export that carries them. */
static int declare_rights(ap_import_ctx *ctx, const json_t *v, ap_error *err)
{
    for (size_t i = 0; json_is_array(v) && i < json_array_size(v); i++) {
        const char *name = json_string_value(json_array_get(v, i));
        int bit, rc;
        ap_error e;
        if (name == NULL || strcmp(name, "all") == 0)
            continue;
        if ((rc = ap_store_add_right(ctx->st, name, &bit, &e)) == AP_EINPUT)
            continue;           /* the native check names the bad right at its place */
        if (rc < 0) {
            *err = e;
            return rc;
        }
        ctx->declared |= (uint64_t)1 << bit;
    }
    return AP_OK;
}

static json_t *edge_object(ap_import_ctx *ctx, const og_edge *e, const char *from,
                           const char *to, ap_error *err, int *rc)
{
    const char *kind = json_string_value(json_object_get(e->edge, "kind"));
    const json_t *props = json_object_get(e->edge, "properties");
    char buf[64];
    const char *ap = ap_edge_kind_of(kind, buf, sizeof buf);
    json_t *obj;
    *rc = AP_OK;
    if (ap != NULL) {
        obj = json_is_object(props) ? ap_attrs(props) : json_object();
        if (obj == NULL)
            return NULL;
        if (json_object_get(obj, "ap_id") != NULL) {
            json_object_set(obj, "id", json_object_get(obj, "ap_id"));
            json_object_del(obj, "ap_id");
        }
        if ((*rc = declare_rights(ctx, json_object_get(obj, "rights"), err)) < 0
            || (*rc = declare_rights(ctx, json_object_get(obj, "requires"), err)) < 0) {
            json_decref(obj);
            return NULL;
        }
    } else {
        const json_t *trav = json_is_object(props) ? json_object_get(props, "traversable")
                                                   : NULL;
        if ((obj = json_object()) == NULL)
            return NULL;
        ap = foreign_edge_kind(ctx->og_edges, kind);
        json_object_set_new(obj, "rights", json_string(json_is_false(trav) ? "none" : "all"));
        json_object_set_new(obj, "og_kind", json_string(kind));
        if (e->source_kind != NULL)
            json_object_set(obj, "og_source_kind", e->source_kind);
        if (json_is_object(props) && json_object_size(props) > 0)
            json_object_set(obj, "og_properties", (json_t *)props);
    }
    json_object_set_new(obj, "from", json_string(from));
    json_object_set_new(obj, "to", json_string(to));
    json_object_set_new(obj, "kind", json_string(ap));
    return obj;
}

/* No OpenGraph node became a partner: the import says so (the CLI prints a note with the
 * fix), since every partner query would find nothing to start from. */
static void note_no_partner(ap_import_ctx *ctx, size_t partners)
{
    ap_import_notes *notes = ctx->opts->notes;
    struct ap_og_state *s = ctx->og;
    if (notes == NULL || partners > 0 || s->nn == 0)
        return;
    notes->og_no_partner = 1;
    for (size_t i = 0; i < s->nn; i++)
        if (s->nodes[i].source_kind != NULL) {
            snprintf(notes->og_source_kind, sizeof notes->og_source_kind, "%s",
                     json_string_value(s->nodes[i].source_kind));
            break;
        }
}

int ap_import__opengraph_finish(ap_import_ctx *ctx, ap_error *err)
{
    struct ap_og_state *s = ctx->og;
    og_pos cur = { 0, 0 };
    const json_t **rules = NULL;
    char **ids = NULL;
    size_t partners = 0;
    int rc = AP_OK;
    if (s == NULL)
        return AP_OK;
    ctx->locate = locate_pos;
    ctx->locate_ctx = &cur;
    rules = calloc(s->nn + 1, sizeof *rules);
    ids = calloc(s->nn + 1, sizeof *ids);
    if (rules == NULL || ids == NULL || decide_nodes(ctx, rules, ids) < 0) {
        rc = ap_error_nomem(err);
        goto cleanup;
    }
    for (size_t i = 0; i < s->nn; i++) {
        og_node *n = &s->nodes[i];
        json_t *obj;
        if (ids[i] == NULL && (ids[i] = strdup(n->id)) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        if ((obj = node_object(n, rules[i], ids[i])) == NULL) {
            rc = ap_error_nomem(err);
            goto cleanup;
        }
        if (strcmp(json_string_value(json_object_get(obj, "kind")), "partner") == 0)
            partners++;
        ctx->file = n->file;
        ctx->path = n->path;
        cur = (og_pos){ n->line, n->col };
        rc = ap_import__native_node(ctx, i, obj, err);
        json_decref(obj);
        if (rc < 0 && rc != AP_EINPUT)
            goto cleanup;
    }
    note_no_partner(ctx, partners);
    for (size_t i = 0; i < s->ne; i++) {
        og_edge *e = &s->edges[i];
        long from = resolve(s, json_object_get(e->edge, "start"));
        long to = resolve(s, json_object_get(e->edge, "end"));
        json_t *obj;
        ctx->file = e->file;
        ctx->path = e->path;
        cur = (og_pos){ e->line, e->col };
        if (from == -2 || to == -2) {
            ap_import__note(ctx, e->line, e->col, "edge whose endpoint matches several nodes "
                            "(skipped)");
            continue;
        }
        if (from < 0 || to < 0) {
            ap_import__note(ctx, e->line, e->col, "edge to a node in no input file (skipped, "
                            "as BloodHound skips it)");
            continue;
        }
        obj = edge_object(ctx, e, ids[from], ids[to], err, &rc);
        if (obj == NULL) {
            if (rc == AP_OK)
                rc = ap_error_nomem(err);
            goto cleanup;
        }
        rc = ap_import__native_edge(ctx, i, obj, err);
        json_decref(obj);
        if (rc < 0 && rc != AP_EINPUT)
            goto cleanup;
    }
    rc = AP_OK;
cleanup:
    for (size_t i = 0; ids != NULL && i < s->nn; i++)
        free(ids[i]);
    free(ids);
    free(rules);
    ctx->locate = NULL;
    return rc;
}
