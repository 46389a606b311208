/* import/og_stage.c: the end of an OpenGraph import: map kinds (own, --map, built-in table),
 * resolve edge endpoints, and stage nodes and edges (docs/sources/opengraph.md). */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "og_internal.h"

/* ---- The end of the import: map kinds, ap_og__resolve endpoints, stage. ---- */

static const char *const ap_node_kinds[AP_KIND_COUNT] = {
    "AP_Partner", "AP_Identity", "AP_Credential", "AP_Role", "AP_Resource", "AP_Workflow",
};

/* "AP_CanAssume" -> "can_assume"; NULL unless it is one of authpath's edge kinds. */
static const char *ap_edge_kind_of(const char *og, char *buf, size_t size)
{
    size_t o = 0;
    if (strncmp(og, "AP_", 3) != 0)
        return NULL;
    for (const char *p = og + 3; *p != '\0'; p++) {
        if (o + 3 > size)
            return NULL;        /* longer than any kind's name: none, never cut into one */
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
        rules[i] = own_kind(&s->nodes[i]) ? NULL : ap_og__map_rule(s, ctx->og_nodes, &s->nodes[i]);
        tpl = json_is_object(rules[i]) ? json_object_get(rules[i], "id") : NULL;
        ids[i] = tpl != NULL ? ap_og__expand_id(json_string_value(tpl), s->nodes[i].props) : NULL;
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

/* Are a and b the same name, upper-cased (BloodHound upper-cases names)? Whole: compared cut,
 * a long name could name another node. */
static bool same_upper(const char *a, const char *b)
{
    if (a == NULL || b == NULL)
        return false;
    for (; *a != '\0' && *b != '\0'; a++, b++)
        if (toupper((unsigned char)*a) != toupper((unsigned char)*b))
            return false;
    return *a == *b;
}

static int has_kind(const og_node *n, const json_t *kind)
{
    return !json_is_string(kind) || ap_og__has_kind_name(n, json_string_value(kind));
}

/* The node an endpoint names, or -1 (none) or -2 (several). */
long ap_og__resolve(struct ap_og_state *s, const json_t *ep)
{
    const json_t *mb = json_object_get(ep, "match_by"), *kind = json_object_get(ep, "kind");
    const char *how = json_is_string(mb) ? json_string_value(mb) : "id";
    if (strcmp(how, "id") == 0) {
        json_t *at = json_object_get(s->index, json_string_value(json_object_get(ep, "value")));
        return at != NULL ? (long)json_integer_value(at) : -1;
    }
    long found = -1;
    if (strcmp(how, "name") == 0) {
        const char *want = json_string_value(json_object_get(ep, "value"));
        for (size_t i = 0; i < s->nn; i++) {
            const char *name = json_string_value(json_object_get(s->nodes[i].props, "name"));
            if (name == NULL || !has_kind(&s->nodes[i], kind))
                continue;
            if (same_upper(want, name)) {
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
        ap = ap_og__foreign_edge_kind(ctx->og_edges, kind);
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
    ctx->locate = ap_og__locate_pos;
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
        long from = ap_og__resolve(s, json_object_get(e->edge, "start"));
        long to = ap_og__resolve(s, json_object_get(e->edge, "end"));
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
