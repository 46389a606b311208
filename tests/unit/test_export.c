/* tests/unit/test_export.c: the whole-graph exports. OpenGraph round-trips to the same graph and
 * validates against BloodHound's JSON Schemas; GraphML reads back in igraph; CSV is the pair. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <csv.h>
#include <igraph.h>
#include <jansson.h>

#include "authpath/render.h"
#include "support.h"

#define AT 1767225600

static ap_graph *import_graph(ap_store *st, const char *const *paths, size_t n, ap_format f)
{
    ap_import_opts opts = { .format = f };
    ap_error err;
    if (ap_test_import_opts(st, paths, n, &opts, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    return ap_test_graph(st, AT);
}

static const char *export_to(const ap_graph *g, const char *name,
                             int (*fn)(FILE *, const ap_graph *, ap_error *))
{
    static char path[512];
    ap_error err;
    FILE *f;
    snprintf(path, sizeof path, "%s", ap_test_write_temp(name, ""));
    f = fopen(path, "w");
    assert_non_null(f);
    if (fn(f, g, &err) != AP_OK)
        fail_msg("export: %s", err.msg);
    fclose(f);
    return path;
}

/* Same nodes, edges, kinds, rights, lifecycle and attributes. */
static void assert_same_graph(const ap_graph *a, const ap_graph *b)
{
    const ap_vocab *va = ap_graph_vocab(a), *vb = ap_graph_vocab(b);
    assert_int_equal(ap_graph_node_count(a), ap_graph_node_count(b));
    assert_int_equal(ap_graph_edge_count(a), ap_graph_edge_count(b));
    assert_int_equal(va->count, vb->count);
    for (unsigned i = 0; i < va->count; i++)
        assert_string_equal(va->names[i], vb->names[i]);
    for (uint32_t v = 0; v < ap_graph_node_count(a); v++) {
        const ap_node *x = ap_graph_node(a, v), *y = ap_graph_node(b, v);
        assert_string_equal(x->id, y->id);
        assert_int_equal(x->kind, y->kind);
        assert_int_equal(x->state, y->state);
        assert_true(x->valid_from == y->valid_from && x->expires == y->expires);
        assert_int_equal(x->sensitivity, y->sensitivity);
        assert_string_equal(x->attrs, y->attrs);
    }
    for (uint32_t e = 0; e < ap_graph_edge_count(a); e++) {
        const ap_edge *x = ap_graph_edge(a, e), *y = ap_graph_edge(b, e);
        assert_string_equal(x->id, y->id);
        assert_true(x->from == y->from && x->to == y->to && x->kind == y->kind);
        assert_true(x->rights == y->rights && x->requires == y->requires);
        assert_true(x->escalates == y->escalates && x->declared == y->declared);
        assert_true(x->state == y->state && x->valid_from == y->valid_from
                    && x->expires == y->expires && x->live == y->live);
        assert_string_equal(x->attrs, y->attrs);
    }
}

static void round_trip(const char *const *paths, size_t n)
{
    ap_store *a = NULL, *b = NULL;
    ap_error err;
    ap_graph *ga, *gb;
    const char *out;
    assert_int_equal(ap_store_open(&a, ":memory:", &err), AP_OK);
    assert_int_equal(ap_store_open(&b, ":memory:", &err), AP_OK);
    ga = import_graph(a, paths, n, AP_FORMAT_AUTO);
    out = export_to(ga, "export.json", ap_render_opengraph);
    gb = import_graph(b, &out, 1, AP_FORMAT_OPENGRAPH);
    assert_same_graph(ga, gb);
    remove(out);
    ap_graph_free(ga);
    ap_graph_free(gb);
    ap_store_close(a);
    ap_store_close(b);
}

/* Every kind, custom rights, lifecycle, nested and mixed attributes, objectid, repeated edges;
 * then the sample estate. */
static void test_export__opengraph_round_trip_native(void **state)
{
    const char *p = FIXTURE("opengraph/roundtrip.json"), *sample = SAMPLE("estate.json");
    (void)state;
    round_trip(&p, 1);
    round_trip(&sample, 1);
}

/* An AWS account and a foreign OpenGraph collection come back the same too. */
static void test_export__opengraph_round_trip_sources(void **state)
{
    const char *aws = REAL("cloudmapper/iam-get-account-authorization-details.json");
    const char *gh[] = { REAL("githound/githound_O_kgDOCoV2OQ.json"),
                         REAL("githound/githound_saml_O_kgDOCoV2OQ.json") };
    (void)state;
    round_trip(&aws, 1);
    round_trip(gh, 2);
}

/* ---- A small JSON Schema checker: the keywords BloodHound's node and edge schemas use. ---- */

static json_t *schema_root;

static bool has_type(const json_t *v, const char *t)
{
    if (strcmp(t, "object") == 0) return json_is_object(v);
    if (strcmp(t, "array") == 0) return json_is_array(v);
    if (strcmp(t, "string") == 0) return json_is_string(v);
    if (strcmp(t, "number") == 0) return json_is_number(v);
    if (strcmp(t, "integer") == 0) return json_is_integer(v);
    if (strcmp(t, "boolean") == 0) return json_is_boolean(v);
    if (strcmp(t, "null") == 0) return json_is_null(v);
    return false;
}

static bool valid(const json_t *s, const json_t *v, char *why, size_t size);

static bool valid_ref(const char *ref, const json_t *v, char *why, size_t size)
{
    const char *name = strrchr(ref, '/');
    json_t *target = json_object_get(json_object_get(schema_root, "$defs"), name + 1);
    if (strncmp(ref, "#/$defs/", 8) != 0 || target == NULL)
        fail_msg("unsupported $ref '%s'", ref);
    return valid(target, v, why, size);
}

static bool valid(const json_t *s, const json_t *v, char *why, size_t size)
{
    const json_t *k, *sub;
    const char *key;
    if (json_is_true(s))
        return true;
    if ((k = json_object_get(s, "$ref")) != NULL && !valid_ref(json_string_value(k), v, why, size))
        return false;
    if ((k = json_object_get(s, "type")) != NULL) {
        bool ok = false;
        if (json_is_string(k))
            ok = has_type(v, json_string_value(k));
        for (size_t i = 0; json_is_array(k) && i < json_array_size(k); i++)
            ok |= has_type(v, json_string_value(json_array_get(k, i)));
        if (!ok) {
            snprintf(why, size, "wrong type");
            return false;
        }
    }
    if ((k = json_object_get(s, "const")) != NULL && !json_equal((json_t *)k, (json_t *)v)) {
        snprintf(why, size, "not the constant");
        return false;
    }
    if ((k = json_object_get(s, "enum")) != NULL) {
        size_t i = 0;
        while (i < json_array_size(k) && !json_equal(json_array_get(k, i), (json_t *)v))
            i++;
        if (i == json_array_size(k)) {
            snprintf(why, size, "not in enum");
            return false;
        }
    }
    if ((k = json_object_get(s, "pattern")) != NULL && json_is_string(v)) {
        regex_t re;
        assert_int_equal(regcomp(&re, json_string_value(k), REG_EXTENDED | REG_NOSUB), 0);
        int m = regexec(&re, json_string_value(v), 0, NULL, 0);
        regfree(&re);
        if (m != 0) {
            snprintf(why, size, "'%s' does not match %s", json_string_value(v),
                     json_string_value(k));
            return false;
        }
    }
    if (json_is_array(v)) {
        if ((k = json_object_get(s, "minItems")) != NULL
            && json_array_size(v) < (size_t)json_integer_value(k)) {
            snprintf(why, size, "too few items");
            return false;
        }
        if ((k = json_object_get(s, "maxItems")) != NULL
            && json_array_size(v) > (size_t)json_integer_value(k)) {
            snprintf(why, size, "too many items");
            return false;
        }
        if ((k = json_object_get(s, "items")) != NULL)
            for (size_t i = 0; i < json_array_size(v); i++)
                if (!valid(k, json_array_get(v, i), why, size))
                    return false;
    }
    if (json_is_object(v)) {
        json_t *val;
        if ((k = json_object_get(s, "required")) != NULL)
            for (size_t i = 0; i < json_array_size(k); i++)
                if (json_object_get(v, json_string_value(json_array_get(k, i))) == NULL) {
                    snprintf(why, size, "missing '%s'", json_string_value(json_array_get(k, i)));
                    return false;
                }
        json_object_foreach((json_t *)v, key, val) {
            sub = json_object_get(json_object_get(s, "properties"), key);
            if (sub == NULL)
                sub = json_object_get(s, "additionalProperties");
            if (sub != NULL && !valid(sub, val, why, size)) {
                size_t used = strlen(why);
                snprintf(why + used, size - used, " (in '%s')", key);
                return false;
            }
        }
    }
    if ((k = json_object_get(s, "anyOf")) != NULL) {
        size_t i = 0;
        while (i < json_array_size(k) && !valid(json_array_get(k, i), v, why, size))
            i++;
        if (i == json_array_size(k)) {
            snprintf(why, size, "matches none of anyOf");
            return false;
        }
    }
    if ((k = json_object_get(s, "allOf")) != NULL)
        for (size_t i = 0; i < json_array_size(k); i++)
            if (!valid(json_array_get(k, i), v, why, size))
                return false;
    if ((k = json_object_get(s, "not")) != NULL) {
        char ignored[200];
        if (valid(k, v, ignored, sizeof ignored)) {
            snprintf(why, size, "matches a 'not' schema");
            return false;
        }
    }
    if ((k = json_object_get(s, "if")) != NULL) {
        char ignored[200];
        const json_t *branch = json_object_get(s, valid(k, v, ignored, sizeof ignored)
                                                  ? "then" : "else");
        if (branch != NULL && !valid(branch, v, why, size))
            return false;
    }
    return true;
}

static json_t *load_schema(const char *path)
{
    json_error_t je;
    json_t *s = json_load_file(path, 0, &je);
    if (s == NULL)
        fail_msg("%s: %s", path, je.text);
    return s;
}

/* Validate a whole OpenGraph document; returns false with why on the first violation. */
static bool valid_opengraph(const char *text, json_t *node_schema, json_t *edge_schema,
                            char *why, size_t size)
{
    json_t *doc = json_loads(text, 0, NULL), *graph, *v;
    const char *key;
    bool ok = true;
    assert_non_null(doc);
    json_object_foreach(doc, key, v)            /* metadata (only source_kind), then graph */
        if (strcmp(key, "metadata") != 0 && strcmp(key, "graph") != 0) {
            snprintf(why, size, "unexpected top-level key '%s'", key);
            ok = false;
        }
    v = json_object_get(doc, "metadata");
    if (ok && v != NULL && (json_object_size(v) != 1
                            || !json_is_string(json_object_get(v, "source_kind"))
                            || strstr(text, "\"metadata\"") > strstr(text, "\"graph\""))) {
        snprintf(why, size, "metadata must hold only source_kind and come before graph");
        ok = false;
    }
    graph = json_object_get(doc, "graph");
    for (size_t i = 0; ok && i < json_array_size(json_object_get(graph, "nodes")); i++) {
        json_t *n = json_array_get(json_object_get(graph, "nodes"), i);
        schema_root = node_schema;
        ok = valid(node_schema, n, why, size);
        for (size_t k = 0; ok && k < json_array_size(json_object_get(n, "kinds")); k++) {
            const char *kind = json_string_value(json_array_get(json_object_get(n, "kinds"), k));
            ok = kind != NULL && kind[0] != '\0'
                 && strspn(kind, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                 "0123456789_") == strlen(kind);
            if (!ok)
                snprintf(why, size, "node kind '%s' is not [A-Za-z0-9_]+", kind);
        }
    }
    for (size_t i = 0; ok && i < json_array_size(json_object_get(graph, "edges")); i++) {
        json_t *e = json_array_get(json_object_get(graph, "edges"), i);
        schema_root = edge_schema;
        ok = valid(edge_schema, e, why, size);
        const char *sm = json_string_value(json_object_get(json_object_get(e, "start"),
                                                           "match_by"));
        const char *em = json_string_value(json_object_get(json_object_get(e, "end"),
                                                           "match_by"));
        if (ok && (sm == NULL || em == NULL || strcmp(sm, "id") != 0 || strcmp(em, "id") != 0)) {
            snprintf(why, size, "edge endpoints must match_by id");
            ok = false;
        }
    }
    json_decref(doc);
    return ok;
}

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    long len;
    char *buf;
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    len = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)len + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
    buf[len] = '\0';
    fclose(f);
    return buf;
}

/* The export of the fixture, the sample estate and an AWS account validates (GitHound's
 * foreign properties are checked by the round trip); the checker rejects what
 * the schemas forbid, so it can fail. */
static void test_export__opengraph_matches_schemas(void **state)
{
    json_t *ns = load_schema(REAL("bloodhound-opengraph/opengraph-node.json"));
    json_t *es = load_schema(REAL("bloodhound-opengraph/opengraph-edge.json"));
    const char *inputs[] = { FIXTURE("opengraph/roundtrip.json"), SAMPLE("estate.json"),
                             REAL("cloudsplaining/example.json") };
    char why[300];
    for (size_t i = 0; i < 3; i++) {
        ap_store *st = NULL;
        ap_error err;
        assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
        ap_graph *g = import_graph(st, &inputs[i], 1, AP_FORMAT_AUTO);
        char *text = read_all(export_to(g, "schema.json", ap_render_opengraph));
        if (!valid_opengraph(text, ns, es, why, sizeof why))
            fail_msg("%s: %s", inputs[i], why);
        free(text);
        ap_graph_free(g);
        ap_store_close(st);
    }
    assert_false(valid_opengraph("{\"graph\": {\"nodes\": [{\"id\": \"a\", \"kinds\": [\"X\"], "
                                 "\"properties\": {\"objectid\": \"a\"}}]}}", ns, es, why,
                                 sizeof why));
    assert_false(valid_opengraph("{\"graph\": {\"nodes\": [{\"id\": \"a\", \"kinds\": [\"X\"], "
                                 "\"properties\": {\"o\": {\"nested\": 1}}}]}}", ns, es, why,
                                 sizeof why));
    assert_false(valid_opengraph("{\"graph\": {\"edges\": [{\"kind\": \"Can-Do\", \"start\": "
                                 "{\"value\": \"a\"}, \"end\": {\"value\": \"b\"}}]}}", ns, es,
                                 why, sizeof why));
    assert_false(valid_opengraph("{\"graph\": {\"nodes\": []}, \"metadata\": {\"source_kind\": "
                                 "\"x\"}}", ns, es, why, sizeof why));
    (void)state;
    json_decref(ns);
    json_decref(es);
}

static int igraph_warnings;

static void count_warning(const char *reason, const char *file, int line)
{
    (void)file;
    (void)line;
    fprintf(stderr, "igraph warning: %s\n", reason);
    igraph_warnings++;
}

/* GraphML: igraph's own reader (libxml2) accepts it, with every node and edge, and no
 * warning. */
static void test_export__graphml_reads_back(void **state)
{
    const char *in = FIXTURE("opengraph/roundtrip.json");
    ap_graph *g = import_graph(*state, &in, 1, AP_FORMAT_AUTO);
    const char *path = export_to(g, "export.graphml", ap_render_graphml);
    igraph_t ig;
    FILE *f = fopen(path, "r");
    char *text;
    assert_non_null(f);
    igraph_set_warning_handler(count_warning);
    assert_int_equal(igraph_read_graph_graphml(&ig, f, 0), IGRAPH_SUCCESS);
    igraph_set_warning_handler(igraph_warning_handler_ignore);
    fclose(f);
    assert_int_equal(igraph_warnings, 0);     /* e.g. a second edge "id" beside the XML id */
    assert_int_equal(igraph_vcount(&ig), ap_graph_node_count(g));
    assert_int_equal(igraph_ecount(&ig), ap_graph_edge_count(g));
    assert_true(igraph_is_directed(&ig));
    igraph_destroy(&ig);
    text = read_all(path);
    assert_non_null(strstr(text, "<node id=\"sub-1\">"));
    assert_non_null(strstr(text, "Sub &amp; Sons &lt;ltd&gt;"));
    assert_non_null(strstr(text, "attr.name=\"static\" attr.type=\"boolean\""));
    free(text);
    remove(path);
    ap_graph_free(g);
}

typedef struct {
    size_t rows, col;
    char cells[64][128];        /* the current row */
    int found_formula, found_list, found_rights;
} csv_seen;

static void on_cell(void *s, size_t len, void *arg)
{
    csv_seen *c = arg;
    if (c->col < 64)
        snprintf(c->cells[c->col], sizeof c->cells[0], "%.*s", (int)len, (const char *)s);
    c->col++;
}

static void on_row(int ch, void *arg)
{
    csv_seen *c = arg;
    (void)ch;
    for (size_t i = 0; i < c->col && i < 64; i++) {
        c->found_formula |= strcmp(c->cells[i], "'=cmd|' /C calc'!A0") == 0;
        c->found_list |= strcmp(c->cells[i], "vendor|audit") == 0;
        c->found_rights |= strcmp(c->cells[i], "read|write|export") == 0;
    }
    c->rows++;
    c->col = 0;
}

static csv_seen parse_csv(const char *path)
{
    struct csv_parser p;
    csv_seen seen;
    char *text = read_all(path);
    memset(&seen, 0, sizeof seen);
    assert_int_equal(csv_init(&p, CSV_STRICT), 0);
    assert_int_equal(csv_parse(&p, text, strlen(text), on_cell, on_row, &seen), strlen(text));
    csv_fini(&p, on_cell, on_row, &seen);
    csv_free(&p);
    free(text);
    return seen;
}

/* CSV: the native files, lists joined by '|', formula injection guarded. */
static void test_export__csv_pair(void **state)
{
    const char *in = FIXTURE("opengraph/roundtrip.json");
    ap_graph *g = import_graph(*state, &in, 1, AP_FORMAT_AUTO);
    char npath[512], epath[512];
    ap_error err;
    FILE *nf, *ef;
    csv_seen n, e;
    snprintf(npath, sizeof npath, "%s", ap_test_write_temp("x-nodes.csv", ""));
    snprintf(epath, sizeof epath, "%s", ap_test_write_temp("x-edges.csv", ""));
    nf = fopen(npath, "w");
    ef = fopen(epath, "w");
    assert_int_equal(ap_render_csv_pair(nf, ef, NULL, g, &err), AP_OK);
    fclose(nf);
    fclose(ef);
    n = parse_csv(npath);
    e = parse_csv(epath);
    assert_int_equal(n.rows, 1 + ap_graph_node_count(g));
    assert_int_equal(e.rows, 1 + ap_graph_edge_count(g));
    assert_true(n.found_formula && n.found_list);
    assert_true(e.found_rights);
    remove(npath);
    remove(epath);
    ap_graph_free(g);
}

/* CSV: export then import gives the same graph, for an inventory whose attributes are text
 * and booleans (as the native CSV reader types them): the sample estate, custom rights too;
 * and names a spreadsheet would run as formulas, some already starting with quotes. */
static void csv_round_trip(ap_store *st, const char *in)
{
    ap_store *b = NULL;
    ap_graph *ga = import_graph(st, &in, 1, AP_FORMAT_AUTO), *gb;
    char paths[3][512];
    const char *files[3] = { paths[0], paths[1], paths[2] };
    FILE *f[3];
    ap_error err;
    snprintf(paths[0], sizeof paths[0], "%s", ap_test_write_temp("rt-nodes.csv", ""));
    snprintf(paths[1], sizeof paths[1], "%s", ap_test_write_temp("rt-edges.csv", ""));
    snprintf(paths[2], sizeof paths[2], "%s", ap_test_write_temp("rt-rights.csv", ""));
    for (int i = 0; i < 3; i++)
        assert_non_null(f[i] = fopen(paths[i], "w"));
    assert_int_equal(ap_render_csv_pair(f[0], f[1], f[2], ga, &err), AP_OK);
    for (int i = 0; i < 3; i++)
        fclose(f[i]);
    assert_int_equal(ap_store_open(&b, ":memory:", &err), AP_OK);
    gb = import_graph(b, files, 3, AP_FORMAT_AUTO);
    assert_same_graph(ga, gb);
    for (int i = 0; i < 3; i++)
        remove(paths[i]);
    ap_graph_free(ga);
    ap_graph_free(gb);
    ap_store_close(b);
}

static void test_export__csv_round_trip(void **state)
{
    csv_round_trip(*state, SAMPLE("estate.json"));
}

static void test_export__csv_round_trip_formula_names(void **state)
{
    csv_round_trip(*state, FIXTURE("json/formula_names.json"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_export__opengraph_round_trip_native),
        cmocka_unit_test(test_export__opengraph_round_trip_sources),
        cmocka_unit_test(test_export__opengraph_matches_schemas),
        cmocka_unit_test_setup_teardown(test_export__graphml_reads_back, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_export__csv_pair, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_export__csv_round_trip_formula_names,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_export__csv_round_trip, ap_test_store_setup,
                                        ap_test_store_teardown),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
