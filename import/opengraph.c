/* import/opengraph.c: BloodHound OpenGraph JSON in. authpath's own AP_* kinds come back exactly;
 * foreign kinds map through the kind table, keeping the originals (docs/sources/opengraph.md). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og_internal.h"


void ap_og__locate_pos(void *vctx, const ap_place *p, unsigned *line, unsigned *col)
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
    ctx->locate = ap_og__locate_pos;
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

