/* tests/unit/test_import_yaml.c: the native inventory as YAML. Errors name their exact place,
 * alias bombs and deep nesting are refused at once, and a failure leaves the database as is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support.h"

#define GOOD FIXTURE("yaml/good.yaml")
#define KIND_NAMES "partner, identity, credential, role, resource, workflow"

static const char *import_good(ap_store *st)
{
    ap_error err;
    if (ap_test_import(st, GOOD, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    return ap_test_store_state(st);
}

/* Import path over the good estate: exactly this error, and the good estate untouched. */
static void expect_error(ap_store *st, const char *path, unsigned line, unsigned col,
                         const char *msg)
{
    char before[160];
    snprintf(before, sizeof before, "%s", import_good(st));
    ap_test_expect_error(st, &path, 1, NULL, path, line, col, msg);
    assert_string_equal(ap_test_store_state(st), before);
}

/* The same for YAML text written to a temporary file. */
static void expect_text_error(ap_store *st, const char *text, unsigned line, unsigned col,
                              const char *msg)
{
    char path[512];
    snprintf(path, sizeof path, "%s", ap_test_write_temp("case.yaml", text));
    expect_error(st, path, line, col, msg);
    unlink(path);
}

static void test_import_yaml__good_inventory_imports(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    int64_t v;
    import_good(st);
    assert_string_equal(ap_test_store_state(st), "snapshot=1 node=5 edge=6 source=1 vocab=1");
    g = ap_test_graph(st, 1767225600);
    assert_int_equal(ap_graph_node_count(g), 5);
    assert_int_equal(ap_graph_edge_count(g), 6);
    assert_true((v = ap_graph_find(g, "acme")) >= 0);
    assert_string_equal(ap_graph_node_str(g, (uint32_t)v, "name"), "Acme Corp, Ltd");
    assert_string_equal(ap_graph_node_str(g, (uint32_t)v, "contract_ends"), "2026-12-31");
    assert_true((v = ap_graph_find(g, "acme-key")) >= 0);
    assert_true(ap_graph_node_bool(g, (uint32_t)v, "static", false));
    assert_false(ap_graph_node_bool(g, (uint32_t)v, "multi_tenant", true));
    assert_true((v = ap_graph_find(g, "acme-sa")) >= 0);
    assert_string_equal(ap_graph_node_str(g, (uint32_t)v, "owner"), "alice");
    ap_graph_free(g);
}

static void test_import_yaml__unknown_kind_names_its_place(void **state)
{
    expect_error(*state, FIXTURE("yaml/bad_unknown_kind.yaml"), 5, 11,
                 "unknown kind 'parnter' (expected one of " KIND_NAMES ")");
}

static void test_import_yaml__unknown_right_names_its_use(void **state)
{
    expect_error(*state, FIXTURE("yaml/bad_unknown_right.yaml"), 9, 20,
                 "unknown right 'exfil' (declare it in the inventory's 'rights' list)");
}

static void test_import_yaml__duplicate_node_id_names_both_places(void **state)
{
    expect_error(*state, FIXTURE("yaml/bad_duplicate_id.yaml"), 6, 9,
                 "duplicate node id 'acme' (first declared at "
                 FIXTURE("yaml/bad_duplicate_id.yaml") ":2:5)");
}

static void test_import_yaml__edge_to_undeclared_node_names_the_end(void **state)
{
    expect_error(*state, FIXTURE("yaml/bad_undeclared_node.yaml"), 6, 9,
                 "edge to undeclared node 'ghost'");
}

static void test_import_yaml__bad_date_names_the_value(void **state)
{
    expect_error(*state, FIXTURE("yaml/bad_date.yaml"), 4, 20,
                 "bad date '2025-02-30' in 'contract_ends' (expected YYYY-MM-DD or "
                 "YYYY-MM-DDTHH:MM:SSZ)");
}

/* `logged: maybe` is text, not a boolean. */
static void test_import_yaml__wrong_type_names_the_value(void **state)
{
    expect_error(*state, FIXTURE("yaml/bad_type.yaml"), 4, 13,
                 "'logged' must be true or false, not a string");
}

/* libyaml finds the end of the file inside a flow list: at the end of the text. */
static void test_import_yaml__truncated_file_is_a_syntax_error(void **state)
{
    expect_error(*state, FIXTURE("yaml/bad_truncated.yaml"), 6, 1,
                 "invalid YAML: did not find expected ',' or ']'");
}

/* Without a final newline the error is on the last line, not past it. */
static void test_import_yaml__syntax_error_at_the_end_stays_in_the_text(void **state)
{
    expect_text_error(*state, "nodes:\n  - id: a\n    kin", 3, 8,
                      "invalid YAML: could not find expected ':'");
}

static void test_import_yaml__more_than_20_errors_are_counted(void **state)
{
    ap_store *st = *state;
    ap_error_list more;
    char text[4096], *p = text;
    const char *path;
    p += sprintf(p, "nodes:\n");
    for (int i = 0; i < 25; i++)
        p += sprintf(p, "  - {id: n%d, kind: k%d}\n", i, i);
    path = ap_test_write_temp("many.yaml", text);
    memset(&more, 0, sizeof more);
    ap_test_expect_error(st, &path, 1, &more, path, 2, 20,
                         "unknown kind 'k0' (expected one of " KIND_NAMES ")");
    assert_int_equal(more.count, 19);
    assert_int_equal(more.total, 24);
    assert_int_equal(more.items[18].line, 21);
    assert_int_equal(more.items[18].col, 21);
    assert_string_equal(more.items[18].msg, "unknown kind 'k19' (expected one of " KIND_NAMES
                        ")");
    assert_string_equal(ap_test_store_state(st), "snapshot=0 node=0 edge=0 source=0 vocab=0");
    unlink(path);
}

/* Plain scalars: true/false/null in three spellings, YAML 1.2 core numbers; everything else,
 * and every quoted or !!str scalar, is text. */
static void test_import_yaml__scalars_resolve_as_the_core_schema(void **state)
{
    ap_store *st = *state;
    const char *path = ap_test_write_temp("scalars.yaml",
        "nodes:\n"
        "  - id: n\n"
        "    kind: resource\n"
        "    name: \"true\"\n"
        "    ticket: 0x1F\n"
        "    octal: 0o17\n"
        "    cost: 1.5e3\n"
        "    neg: -12\n"
        "    code: 007\n"
        "    quoted: '007'\n"
        "    note: yes\n"
        "    flag: !!str true\n"
        "    live: TRUE\n"
        "    empty:\n"
        "    tilde: ~\n"
        "    inf: .inf\n");
    ap_error err;
    ap_graph *g;
    assert_int_equal(ap_test_import(st, path, &err), AP_OK);
    g = ap_test_graph(st, 1767225600);
    assert_string_equal(ap_graph_node(g, 0)->attrs,
                        "{\"code\":7,\"cost\":1500.0,\"flag\":\"true\",\"inf\":\".inf\","
                        "\"live\":true,\"name\":\"true\",\"neg\":-12,\"note\":\"yes\","
                        "\"octal\":15,\"quoted\":\"007\",\"ticket\":31}");
    ap_graph_free(g);
    unlink(path);
}

/* Numbers are numbers whatever their size: 'owner: 12345' and a 170-digit owner are refused
 * alike as numbers, and a number no double holds (400 digits, 1e999) is refused at its place,
 * as the JSON reader refuses it, instead of slipping through as text. Quoted, each is text. */
static void test_import_yaml__big_numbers_are_numbers(void **state)
{
    ap_store *st = *state;
    char text[1024], digits[401];
    static const char head[] = "nodes:\n  - id: p\n    kind: partner\n    owner: ";
    ap_error err;
    const char *path;
    expect_text_error(st, "nodes:\n  - id: p\n    kind: partner\n    owner: 12345\n", 4, 12,
                      "'owner' must be a string, not a number");
    memset(digits, '9', 400);
    digits[170] = '\0';
    snprintf(text, sizeof text, "%s%s\n", head, digits);
    expect_text_error(st, text, 4, 12, "'owner' must be a string, not a number");
    digits[170] = '9';
    digits[400] = '\0';
    snprintf(text, sizeof text, "%s%s\n", head, digits);
    expect_text_error(st, text, 4, 12, "number out of range: "
                      "'9999999999999999999999999999999999999999...' (quote it if it is text)");
    expect_text_error(st, "nodes:\n  - id: p\n    kind: partner\n    owner: -1e999\n", 4, 12,
                      "number out of range: '-1e999' (quote it if it is text)");
    snprintf(text, sizeof text, "%s'%s'\n", head, digits);
    path = ap_test_write_temp("quoted.yaml", text);
    assert_int_equal(ap_test_import(st, path, &err), AP_OK);
    unlink(path);
}

/* An alias shares its anchor's value: both edges get the same rights. */
static void test_import_yaml__aliases_import(void **state)
{
    ap_store *st = *state;
    const char *path = ap_test_write_temp("alias.yaml",
        "rights: [export]\n"
        "nodes:\n"
        "  - {id: a, kind: identity}\n"
        "  - {id: r, kind: resource}\n"
        "edges:\n"
        "  - {from: a, to: r, kind: access, rights: &rw [read, export]}\n"
        "  - {from: a, to: r, kind: access, rights: *rw}\n");
    ap_error err;
    ap_graph *g;
    assert_int_equal(ap_test_import(st, path, &err), AP_OK);
    g = ap_test_graph(st, 1767225600);
    assert_int_equal(ap_graph_edge_count(g), 2);
    assert_true(ap_graph_edge(g, 0)->rights == ap_graph_edge(g, 1)->rights);
    assert_true(ap_graph_edge(g, 0)->rights == ((1u << AP_R_READ) | (1u << AP_R_BUILTIN)));
    ap_graph_free(g);
    unlink(path);
}

/* A billion laughs: nine levels of nine aliases each. Refused at the first alias past a
 * million values, before anything is expanded. */
static void test_import_yaml__alias_bomb_is_refused_quickly(void **state)
{
    char text[1024], *p = text;
    struct timespec t0, t1;
    double secs;
    p += sprintf(p, "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (char c = 'b'; c <= 'i'; c++)
        p += sprintf(p, "%c: &%c [*%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c, *%c]\n", c, c,
                     c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1, c - 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    expect_text_error(*state, text, 7, 8, "YAML aliases expand to more than 1000000 values");
    clock_gettime(CLOCK_MONOTONIC, &t1);
    secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    assert_true(secs < 2.0);
}

/* A long text aliased many times is a bomb too, in bytes rather than values. */
static void test_import_yaml__alias_text_bomb_is_refused(void **state)
{
    size_t big = (size_t)1 << 20;
    char *text = malloc(big + 4096), *p = text;
    assert_non_null(text);
    p += sprintf(p, "s: &s ");
    memset(p, 'x', big);
    p += big;
    p += sprintf(p, "\nl: &l [*s, *s, *s, *s, *s, *s, *s, *s]\n"
                    "m: [*l, *l, *l, *l, *l, *l, *l, *l, *l, *l]\n");
    expect_text_error(*state, text, 3, 33, "YAML aliases expand to more than 64 MiB of text");
    free(text);
}

/* 999 nested lists inside the top mapping are fine; 1000 are refused at the thousandth, and
 * an alias cannot hide the depth of its anchor. */
static void test_import_yaml__deep_nesting_is_refused(void **state)
{
    ap_store *st = *state;
    ap_error err;
    char *text = malloc(12000);
    const char *path;
    assert_non_null(text);
    /* a node beside it: an import that adds no node is refused for that alone */
    const char *head = "nodes: [{id: a, kind: resource}]\nx: ";
    size_t h = strlen(head);
    strcpy(text, head);
    memset(text + h, '[', 999);
    memset(text + h + 999, ']', 999);
    strcpy(text + h + 2 * 999, "\n");
    path = ap_test_write_temp("deep.yaml", text);
    assert_int_equal(ap_test_import(st, path, &err), AP_OK);
    unlink(path);

    memset(text + h, '[', 5000);
    memset(text + h + 5000, ']', 5000);
    strcpy(text + h + 2 * 5000, "\n");
    expect_text_error(st, text, 2, 1003, "YAML nested deeper than 1000 levels");

    strcpy(text, "a: &a ");
    memset(text + 6, '[', 999);
    memset(text + 6 + 999, ']', 999);
    strcpy(text + 6 + 2 * 999, "\nb: *a\nc: [*a]\n");
    expect_text_error(st, text, 3, 5, "YAML nested deeper than 1000 levels");
    free(text);
}

static void test_import_yaml__second_document_is_refused(void **state)
{
    expect_text_error(*state, "nodes: []\n---\nnodes: []\n", 2, 1,
                      "more than one YAML document in the file (expected one)");
}

static void test_import_yaml__duplicate_key_names_the_second(void **state)
{
    expect_text_error(*state, "nodes:\n  - id: a\n    kind: partner\n    id: b\n", 4, 5,
                      "duplicate key 'id'");
}

static void test_import_yaml__non_string_keys_are_refused(void **state)
{
    expect_text_error(*state, "nodes:\n  - id: a\n    kind: partner\n    1: one\n", 4, 5,
                      "a mapping key must be a string, not a number");
    expect_text_error(*state, "? [a, b]\n: c\n", 1, 3,
                      "a mapping key must be a string, not a list");
}

static void test_import_yaml__unknown_alias_is_refused(void **state)
{
    expect_text_error(*state, "nodes: *list\n", 1, 8,
                      "unknown YAML alias '*list' (an anchor must be defined, and its value "
                      "complete, before the alias)");
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, ap_test_store_setup, \
                                                   ap_test_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_import_yaml__good_inventory_imports),
        TEST(test_import_yaml__unknown_kind_names_its_place),
        TEST(test_import_yaml__unknown_right_names_its_use),
        TEST(test_import_yaml__duplicate_node_id_names_both_places),
        TEST(test_import_yaml__edge_to_undeclared_node_names_the_end),
        TEST(test_import_yaml__bad_date_names_the_value),
        TEST(test_import_yaml__wrong_type_names_the_value),
        TEST(test_import_yaml__truncated_file_is_a_syntax_error),
        TEST(test_import_yaml__syntax_error_at_the_end_stays_in_the_text),
        TEST(test_import_yaml__more_than_20_errors_are_counted),
        TEST(test_import_yaml__scalars_resolve_as_the_core_schema),
        TEST(test_import_yaml__big_numbers_are_numbers),
        TEST(test_import_yaml__aliases_import),
        TEST(test_import_yaml__alias_bomb_is_refused_quickly),
        TEST(test_import_yaml__alias_text_bomb_is_refused),
        TEST(test_import_yaml__deep_nesting_is_refused),
        TEST(test_import_yaml__second_document_is_refused),
        TEST(test_import_yaml__duplicate_key_names_the_second),
        TEST(test_import_yaml__non_string_keys_are_refused),
        TEST(test_import_yaml__unknown_alias_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
