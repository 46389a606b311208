/* tests/unit/test_import_json.c: the native inventory as JSON. A valid estate lands whole; each
 * kind of bad input names its exact place and leaves the database as it was. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define GOOD FIXTURE("json/good.json")

/* The good estate as snapshot 1: the state every failing import must leave behind. */
static const char *import_good(ap_store *st)
{
    ap_error err;
    if (ap_test_import(st, GOOD, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    return ap_test_store_state(st);
}

static void expect_error(ap_store *st, const char *path, unsigned line, unsigned col,
                         const char *msg)
{
    char before[160];
    snprintf(before, sizeof before, "%s", import_good(st));
    ap_test_expect_error(st, &path, 1, NULL, path, line, col, msg);
    assert_string_equal(ap_test_store_state(st), before);
}

/* Every node and edge lands, with its attributes, and nothing else. */
static void test_import_json__good_inventory_imports(void **state)
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
    assert_string_equal(ap_graph_node_str(g, (uint32_t)v, "tier"), "standard");
    assert_true((v = ap_graph_find(g, "acme-key")) >= 0);
    assert_true(ap_graph_node_bool(g, (uint32_t)v, "static", false));
    assert_false(ap_graph_node_bool(g, (uint32_t)v, "multi_tenant", true));
    assert_true((v = ap_graph_find(g, "payroll")) >= 0);
    assert_int_equal(ap_graph_node(g, (uint32_t)v)->state, AP_STATE_UNDER_REVIEW);
    assert_string_equal(ap_graph_node_str(g, (uint32_t)v, "ticket"), "CHG-42");
    ap_graph_free(g);
}

static void test_import_json__unknown_kind_names_its_place(void **state)
{
    expect_error(*state, FIXTURE("json/bad_unknown_kind.json"), 4, 30,
                 "unknown kind 'parnter' (expected one of partner, identity, credential, role, "
                 "resource, workflow)");
}

/* A custom right must be declared in 'rights': the error names its first use. */
static void test_import_json__unknown_right_names_its_use(void **state)
{
    expect_error(*state, FIXTURE("json/bad_unknown_right.json"), 8, 72,
                 "unknown right 'exfil' (declare it in the inventory's 'rights' list)");
}

static void test_import_json__duplicate_node_id_names_both_places(void **state)
{
    expect_error(*state, FIXTURE("json/bad_duplicate_id.json"), 5, 12,
                 "duplicate node id 'acme' (first declared at "
                 FIXTURE("json/bad_duplicate_id.json") ":3:5)");
}

static void test_import_json__edge_to_undeclared_node_names_the_end(void **state)
{
    expect_error(*state, FIXTURE("json/bad_undeclared_node.json"), 6, 28,
                 "edge to undeclared node 'ghost'");
}

static void test_import_json__bad_date_names_the_value(void **state)
{
    expect_error(*state, FIXTURE("json/bad_date.json"), 3, 56,
                 "bad date '2025-02-30' in 'contract_ends' (expected YYYY-MM-DD or "
                 "YYYY-MM-DDTHH:MM:SSZ)");
}

static void test_import_json__wrong_type_names_the_value(void **state)
{
    expect_error(*state, FIXTURE("json/bad_type.json"), 3, 47,
                 "'name' must be a string, not a list");
}

static void test_import_json__truncated_file_is_a_syntax_error(void **state)
{
    expect_error(*state, FIXTURE("json/bad_truncated.json"), 4, 31,
                 "invalid JSON: unexpected newline near '\"reso'");
}

/* Past AP_MAX_ERRORS the errors are counted, not kept: the first in err, 19 more in the list. */
static void test_import_json__more_than_20_errors_are_counted(void **state)
{
    ap_store *st = *state;
    ap_error_list more;
    char text[4096], *p = text;
    const char *path;
    p += sprintf(p, "{\"nodes\": [\n");
    for (int i = 0; i < 25; i++)
        p += sprintf(p, "  {\"id\": \"n%d\", \"kind\": \"k%d\"}%s\n", i, i, i < 24 ? "," : "");
    sprintf(p, "]}\n");
    path = ap_test_write_temp("many.json", text);
    memset(&more, 0, sizeof more);
    ap_test_expect_error(st, &path, 1, &more, path, 2, 24,
                         "unknown kind 'k0' (expected one of partner, identity, credential, "
                         "role, resource, workflow)");
    assert_int_equal(more.count, 19);
    assert_int_equal(more.total, 24);
    assert_int_equal(more.items[18].line, 21);
    assert_string_equal(more.items[18].msg, "unknown kind 'k19' (expected one of partner, "
                        "identity, credential, role, resource, workflow)");
    assert_string_equal(ap_test_store_state(st), "snapshot=0 node=0 edge=0 source=0 vocab=0");
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_json__good_inventory_imports,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_json__unknown_kind_names_its_place,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_json__unknown_right_names_its_use,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_json__duplicate_node_id_names_both_places,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_json__edge_to_undeclared_node_names_the_end,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_json__bad_date_names_the_value,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_json__wrong_type_names_the_value,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_json__truncated_file_is_a_syntax_error,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_json__more_than_20_errors_are_counted,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
