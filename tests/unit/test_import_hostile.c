/* tests/unit/test_import_hostile.c: inventories built to hurt. Each is imported faithfully or
 * refused with a clear error; none crashes, hangs or takes memory out of proportion. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "support.h"

/* Write len bytes to a temporary file named after name; returns the path (static buffer). */
static const char *write_bytes(const char *name, const char *buf, size_t len)
{
    static char path[512];
    const char *dir = getenv("TMPDIR");
    FILE *f;
    snprintf(path, sizeof path, "%s/ap_test_%ld_%s", dir != NULL ? dir : "/tmp",
             (long)getpid(), name);
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    fclose(f);
    return path;
}

/* Text made of head, n copies of unit, then n copies of close, then tail. */
static char *repeat(const char *head, const char *unit, const char *close, size_t n,
                    const char *tail)
{
    size_t hl = strlen(head), ul = strlen(unit), cl = strlen(close), tl = strlen(tail);
    char *s = malloc(hl + n * (ul + cl) + tl + 1), *w = s;
    assert_non_null(s);
    memcpy(w, head, hl);
    w += hl;
    for (size_t i = 0; i < n; i++, w += ul)
        memcpy(w, unit, ul);
    for (size_t i = 0; i < n; i++, w += cl)
        memcpy(w, close, cl);
    memcpy(w, tail, tl + 1);
    return s;
}

/* Import path; expect AP_EINPUT with a message containing want, and nothing written. */
static void refused(ap_store *st, const char *path, const char *want)
{
    ap_error err;
    assert_int_equal(ap_test_import(st, path, &err), AP_EINPUT);
    if (strstr(err.msg, want) == NULL)
        fail_msg("expected '%s' in '%s'", want, err.msg);
    assert_string_equal(ap_test_store_state(st), "snapshot=0 node=0 edge=0 source=0 vocab=0");
}

static void test_import_hostile__deep_json_is_refused(void **state)
{
    char *doc = repeat("{\"format\": \"authpath/1\", \"nodes\": ", "[", "]", 100000, "}");
    refused(*state, write_bytes("deep.json", doc, strlen(doc)), "maximum parsing depth");
    free(doc);
}

static void test_import_hostile__deep_yaml_is_refused(void **state)
{
    char *doc = repeat("format: authpath/1\nnodes: ", "[", "]", 100000, "\n");
    refused(*state, write_bytes("deep.yaml", doc, strlen(doc)), "nested deeper than");
    free(doc);
}

/* Nine levels of nine aliases: a billion values if expanded. */
static void test_import_hostile__yaml_alias_bomb_is_refused(void **state)
{
    char doc[2048];
    size_t o = (size_t)snprintf(doc, sizeof doc, "format: authpath/1\na: &a [x, x, x, x, x, x, "
                                "x, x, x]\n");
    for (char c = 'b'; c <= 'j'; c++)
        o += (size_t)snprintf(doc + o, sizeof doc - o, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, "
                              "*%c, *%c, *%c]\n", c, c, c - 1, c - 1, c - 1, c - 1, c - 1,
                              c - 1, c - 1, c - 1, c - 1);
    snprintf(doc + o, sizeof doc - o, "nodes:\n  - {id: p, kind: partner, bomb: *j}\n");
    refused(*state, write_bytes("bomb.yaml", doc, strlen(doc)), "aliases expand to more than");
}

static void test_import_hostile__nul_and_invalid_utf8_are_refused(void **state)
{
    static const char nul_csv[] = "id,kind\na\0b,partner\n";
    refused(*state, ap_test_write_temp("nul.json", "{\"format\": \"authpath/1\", \"nodes\": "
            "[{\"id\": \"a\\u0000b\", \"kind\": \"partner\"}]}"), "\\u0000");
    refused(*state, ap_test_write_temp("nul.yaml", "format: authpath/1\nnodes:\n  - id: \"a\\0b\"\n"
            "    kind: partner\n"), "must not contain a NUL character");
    refused(*state, write_bytes("nul-nodes.csv", nul_csv, sizeof nul_csv - 1), "NUL byte");
    refused(*state, ap_test_write_temp("utf8.json", "{\"nodes\": [{\"id\": \"a\xff\", \"kind\": "
            "\"partner\"}]}"), "unable to decode byte 0xff");
    refused(*state, ap_test_write_temp("utf8.yaml", "nodes:\n  - id: a\xff\n    kind: partner\n"),
            "invalid leading UTF-8 octet");
    refused(*state, ap_test_write_temp("utf8-nodes.csv", "id,kind\na\xff,partner\n"),
            "not valid UTF-8");
}

/* CloudTrail delivers its logs gzip-compressed: such a file (and a zip archive) is refused
 * saying what it is, not as binary text or a file of an unknown shape. */
static void test_import_hostile__compressed_is_refused_as_such(void **state)
{
    static const char gz[] = "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\x0a\x4a"
        "\x4d\xce\x2f\x4a\x29\x56\xb2\x52\x88\x8e\xad\xe5\x02\x00\x64\x0d\xde\xef\x10"
        "\x00\x00\x00";
    static const char zip[] = "PK\x03\x04\x14\x00\x00\x00\x08\x00";
    ap_error err;
    refused(*state, write_bytes("trail.json.gz", gz, sizeof gz - 1), "a gzip-compressed file");
    refused(*state, write_bytes("estate.zip", zip, sizeof zip - 1), "a zip archive");
    ap_test_import(*state, write_bytes("trail.json.gz", gz, sizeof gz - 1), &err);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 1);
}

/* The names read back byte for byte, whatever they hold. */
static void expect_ids(ap_store *st, const char *const *ids, size_t n)
{
    ap_graph *g = ap_test_graph(st, 1767225600);
    assert_int_equal(ap_graph_node_count(g), n);
    for (size_t i = 0; i < n; i++)
        if (ap_graph_find(g, ids[i]) < 0)
            fail_msg("id %zu did not survive the import", i);
    ap_graph_free(g);
}

static void test_import_hostile__awkward_names_import_faithfully(void **state)
{
    static const char *const ids[] = { "q\"uote", "back\\slash\\", "two\nlines", "<b>&amp;",
                                       "=cmd|' /C calc'!A0", "\x1b[31mred", "rtl\xe2\x80\xae" };
    ap_error err;
    assert_int_equal(ap_test_import(*state, ap_test_write_temp("names.json",
        "{\"nodes\": [{\"id\": \"q\\\"uote\", \"kind\": \"partner\"}, {\"id\": "
        "\"back\\\\slash\\\\\", \"kind\": \"identity\"}, {\"id\": \"two\\nlines\", \"kind\": "
        "\"role\"}, {\"id\": \"<b>&amp;\", \"kind\": \"resource\"}, {\"id\": \"=cmd|' /C "
        "calc'!A0\", \"kind\": \"credential\"}, {\"id\": \"\\u001b[31mred\", \"kind\": "
        "\"workflow\"}, {\"id\": \"rtl\\u202e\", \"kind\": \"role\"}]}"), &err), AP_OK);
    expect_ids(*state, ids, 7);
}

static void test_import_hostile__csv_newlines_and_formulas_import_faithfully(void **state)
{
    static const char *const ids[] = { "=HYPERLINK(\"http://x\")", "multi\nline", "@SUM(1)" };
    ap_store *st = *state;
    const char *paths[2];
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
    ap_error err;
    int64_t snap;
    char nodes[600];
    snprintf(nodes, sizeof nodes, "%s", ap_test_write_temp("f-nodes.csv",
             "id,kind\n\"=HYPERLINK(\"\"http://x\"\")\",partner\n\"multi\nline\",identity\n"
             "@SUM(1),role\n"));
    paths[0] = nodes;
    paths[1] = ap_test_write_temp("f-edges.csv", "from,to,kind\n\"=HYPERLINK(\"\"http://x\"\")\","
                                  "\"multi\nline\",holds\n");
    assert_int_equal(ap_import_files(st, paths, 2, &opts, &snap, &err), AP_OK);
    expect_ids(st, ids, 3);
}

/* A megabyte id and name, and an attribute holding a million-element list. */
static void test_import_hostile__huge_values_import_faithfully(void **state)
{
    size_t mb = 1 << 20;
    char *big = malloc(mb + 1), *doc;
    ap_graph *g;
    json_t *attrs;
    ap_error err;
    assert_non_null(big);
    memset(big, 'x', mb);
    big[mb] = '\0';
    doc = malloc(2 * mb + 200);
    assert_non_null(doc);
    snprintf(doc, 2 * mb + 200, "{\"nodes\": [{\"id\": \"%s\", \"kind\": \"partner\", \"name\": "
             "\"%s\"}]}", big, big);
    assert_int_equal(ap_test_import(*state, write_bytes("big.json", doc, strlen(doc)), &err),
                     AP_OK);
    free(doc);
    doc = repeat("{\"nodes\": [{\"id\": \"p\", \"kind\": \"partner\", \"tags\": [0", ",0", "",
                 999999, "]}]}");
    assert_int_equal(ap_test_import(*state, write_bytes("million.json", doc, strlen(doc)), &err),
                     AP_OK);
    free(doc);
    g = ap_test_graph(*state, 1767225600);
    assert_int_equal(ap_graph_node_count(g), 1);
    assert_string_equal(ap_graph_node(g, 0)->id, "p");
    attrs = json_loads(ap_graph_node(g, 0)->attrs, 0, NULL);
    assert_non_null(attrs);
    assert_int_equal(json_array_size(json_object_get(attrs, "tags")), 1000000);
    json_decref(attrs);
    ap_graph_free(g);
    /* the megabyte names are in snapshot 1 */
    assert_int_equal(ap_test_count(*state, "SELECT max(length(id)) FROM ident"), (long)mb);
    free(big);
}

/* A key given twice is refused by every JSON reader (the AWS reader took it for running out
 * of memory: its positions and jansson's values disagreed). */
static void test_import_hostile__duplicate_keys_are_refused(void **state)
{
    ap_store *st = *state;
    ap_import_opts opts = { .format = AP_FORMAT_AWS_IAM, .created = 1767225600 };
    ap_error err;
    int64_t snap;
    const char *path = ap_test_write_temp("dup-aws.json", "{\"RoleDetailList\": [],\n"
                                          "\"RoleDetailList\": [{}, {}]}");
    assert_int_equal(ap_import_files(st, &path, 1, &opts, &snap, &err), AP_EINPUT);
    assert_string_equal(err.msg, "invalid JSON: duplicate object key near '\"RoleDetailList\"'");
    assert_int_equal(err.line, 2);
    opts.format = AP_FORMAT_OPENGRAPH;
    path = ap_test_write_temp("dup-og.json", "{\"graph\": {\"nodes\": [{\"id\": \"a\", "
                              "\"kinds\": [\"User\"]}], \"nodes\": [], \"edges\": []}}");
    assert_int_equal(ap_import_files(st, &path, 1, &opts, &snap, &err), AP_EINPUT);
    assert_string_equal(err.msg, "invalid JSON: duplicate object key near '\"nodes\"'");
    refused(st, ap_test_write_temp("dup.json", "{\"nodes\": [], \"nodes\": []}"),
            "duplicate object key");
}

/* --max-nodes and --max-edges: a larger import is refused, whole, with a clear error. */
static void test_import_hostile__size_guard_refuses_larger_imports(void **state)
{
    ap_store *st = *state;
    const char *path = SAMPLE("estate.json");
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600, .max_nodes = 100 };
    ap_error err;
    int64_t snap = 0;
    assert_int_equal(ap_import_files(st, &path, 1, &opts, &snap, &err), AP_EINPUT);
    assert_string_equal(err.msg, "the import holds more than 100 nodes (134 so far; raise "
                                 "--max-nodes if that is expected)");
    assert_string_equal(ap_test_store_state(st), "snapshot=0 node=0 edge=0 source=0 vocab=0");
    opts.max_nodes = 0;
    opts.max_edges = 178;
    assert_int_equal(ap_import_files(st, &path, 1, &opts, &snap, &err), AP_EINPUT);
    assert_string_equal(err.msg, "the import holds more than 178 edges (179 so far; raise "
                                 "--max-edges if that is expected)");
    opts.max_nodes = 134;
    opts.max_edges = 179;
    assert_int_equal(ap_import_files(st, &path, 1, &opts, &snap, &err), AP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_hostile__deep_json_is_refused,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_hostile__deep_yaml_is_refused,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_hostile__yaml_alias_bomb_is_refused,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_hostile__compressed_is_refused_as_such,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_hostile__nul_and_invalid_utf8_are_refused,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_hostile__awkward_names_import_faithfully,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(
            test_import_hostile__csv_newlines_and_formulas_import_faithfully,
            ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_hostile__huge_values_import_faithfully,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_hostile__duplicate_keys_are_refused,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_hostile__size_guard_refuses_larger_imports,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
