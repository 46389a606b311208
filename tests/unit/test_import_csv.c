/* tests/unit/test_import_csv.c: the native inventory as CSV files, each known by its header.
 * Errors name their cell across quoted newlines and any line end, and leave the database as is. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define NODES FIXTURE("csv/good_nodes.csv")
#define EDGES FIXTURE("csv/good_edges.csv")
#define RIGHTS FIXTURE("csv/good_rights.csv")
#define TWO_NODES FIXTURE("csv/two_nodes.csv")
#define KIND_NAMES "partner, identity, credential, role, resource, workflow"

static const char *import_good(ap_store *st)
{
    const char *paths[] = { NODES, EDGES, RIGHTS };
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
    ap_error err;
    int64_t snap;
    if (ap_import_files(st, paths, 3, &opts, &snap, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    return ap_test_store_state(st);
}

/* Import the files over the good estate: exactly this error, in the last file, and the good
 * estate untouched. */
static void expect_error(ap_store *st, const char *const *paths, size_t n, unsigned line,
                         unsigned col, const char *msg)
{
    char before[160];
    snprintf(before, sizeof before, "%s", import_good(st));
    ap_test_expect_error(st, paths, n, NULL, paths[n - 1], line, col, msg);
    assert_string_equal(ap_test_store_state(st), before);
}

static void expect_file_error(ap_store *st, const char *path, unsigned line, unsigned col,
                              const char *msg)
{
    expect_error(st, &path, 1, line, col, msg);
}

/* The same for CSV text written to a temporary file. */
static void expect_text_error(ap_store *st, const char *text, unsigned line, unsigned col,
                              const char *msg)
{
    char path[512];
    snprintf(path, sizeof path, "%s", ap_test_write_temp("case.csv", text));
    expect_file_error(st, path, line, col, msg);
    unlink(path);
}

/* Three files, one snapshot: typed cells (booleans, lists), quoted commas and newlines. */
static void test_import_csv__good_inventory_imports(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    int64_t v;
    import_good(st);
    assert_string_equal(ap_test_store_state(st), "snapshot=1 node=5 edge=6 source=3 vocab=1");
    g = ap_test_graph(st, 1767225600);
    assert_int_equal(ap_graph_node_count(g), 5);
    assert_int_equal(ap_graph_edge_count(g), 6);
    assert_true((v = ap_graph_find(g, "acme")) >= 0);
    assert_string_equal(ap_graph_node_str(g, (uint32_t)v, "name"), "Acme Corp, Ltd");
    assert_string_equal(ap_graph_node(g, (uint32_t)v)->attrs,
                        "{\"contract_ends\":\"2026-12-31\",\"domain\":\"acme\","
                        "\"name\":\"Acme Corp, Ltd\",\"tier\":\"standard\"}");
    assert_true((v = ap_graph_find(g, "acme-key")) >= 0);
    assert_true(ap_graph_node_bool(g, (uint32_t)v, "static", false));
    assert_false(ap_graph_node_bool(g, (uint32_t)v, "multi_tenant", true));
    assert_true((v = ap_graph_find(g, "acme-sa")) >= 0);
    assert_true(ap_graph_node_bool(g, (uint32_t)v, "logged", false));
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++)
        if (ap_graph_edge(g, e)->kind == AP_EDGE_ACCESS) {
            assert_string_equal(ap_graph_edge_str(g, e, "purpose"), "sync contacts\nnightly");
            assert_true(ap_graph_edge(g, e)->rights
                        == ((1u << AP_R_READ) | (1u << AP_R_BUILTIN)));
        }
    ap_graph_free(g);
}

static void test_import_csv__unknown_kind_names_its_cell(void **state)
{
    expect_file_error(*state, FIXTURE("csv/bad_unknown_kind_nodes.csv"), 3, 8,
                      "unknown kind 'parnter' (expected one of " KIND_NAMES ")");
}

/* Without a rights file, 'exfil' is undeclared: the error names the item in its list cell. */
static void test_import_csv__unknown_right_names_its_item(void **state)
{
    const char *paths[] = { TWO_NODES, FIXTURE("csv/bad_unknown_right_edges.csv") };
    expect_error(*state, paths, 2, 2, 22,
                 "unknown right 'exfil' (declare it in the inventory's 'rights' list)");
}

/* The first 'acme' has a quoted name over two lines: the rows after it keep their lines. */
static void test_import_csv__duplicate_node_id_names_both_places(void **state)
{
    expect_file_error(*state, FIXTURE("csv/bad_duplicate_id_nodes.csv"), 5, 1,
                      "duplicate node id 'acme' (first declared at "
                      FIXTURE("csv/bad_duplicate_id_nodes.csv") ":2:1)");
}

static void test_import_csv__edge_to_undeclared_node_names_the_cell(void **state)
{
    const char *paths[] = { TWO_NODES, FIXTURE("csv/bad_undeclared_edges.csv") };
    expect_error(*state, paths, 2, 3, 6, "edge to undeclared node 'ghost'");
}

static void test_import_csv__bad_date_names_the_cell(void **state)
{
    expect_file_error(*state, FIXTURE("csv/bad_date_nodes.csv"), 2, 14,
                      "bad date '2025-02-30' in 'contract_ends' (expected YYYY-MM-DD or "
                      "YYYY-MM-DDTHH:MM:SSZ)");
}

static void test_import_csv__bad_boolean_names_the_cell(void **state)
{
    expect_file_error(*state, FIXTURE("csv/bad_type_nodes.csv"), 2, 18,
                      "'logged' must be true or false, not 'maybe'");
}

/* A quoted field left open: named at its opening quote. */
static void test_import_csv__truncated_file_is_a_syntax_error(void **state)
{
    expect_file_error(*state, FIXTURE("csv/bad_truncated_nodes.csv"), 3, 14,
                      "invalid CSV: quoted field not closed at the end of the file");
}

static void test_import_csv__stray_quotes_are_syntax_errors(void **state)
{
    expect_text_error(*state, "id,kind\na,par\"tner\n", 2, 6,
                      "invalid CSV: stray '\"' in a field (quote the whole field and double "
                      "the quotes in it)");
    /* the space is the text after the quote: spaces are part of a field (RFC 4180) */
    expect_text_error(*state, "id,kind\na,\"partner\" x\n", 2, 12,
                      "invalid CSV: text after the closing quote of a field");
}

/* Cells after a quoted newline are on the next line; items are found inside quoted cells. */
static void test_import_csv__cells_after_quoted_newlines_are_located(void **state)
{
    expect_text_error(*state, "id,kind,name,logged\nacme,partner,\"Acme\nCorp\",maybe\n", 3, 7,
                      "'logged' must be true or false, not 'maybe'");
    expect_text_error(*state, "from,to,kind,rights\nacme,crm,access,\"read| exfil\"\n", 2, 24,
                      "unknown right 'exfil' (declare it in the inventory's 'rights' list)");
}

/* Lines may end in CRLF, or in a lone CR as old Mac spreadsheets write them. */
static void test_import_csv__crlf_and_cr_lines_are_located(void **state)
{
    expect_text_error(*state, "id,kind\r\nacme,partner\r\nglobex,parnter\r\n", 3, 8,
                      "unknown kind 'parnter' (expected one of " KIND_NAMES ")");
    expect_text_error(*state, "id,kind\racme,partner\rglobex,parnter\r", 3, 8,
                      "unknown kind 'parnter' (expected one of " KIND_NAMES ")");
    expect_text_error(*state, "id,kind,name,logged\racme,partner,\"Acme\r\nCorp\r\",maybe\r",
                      4, 3, "'logged' must be true or false, not 'maybe'");
}

static void test_import_csv__row_with_too_many_fields(void **state)
{
    expect_text_error(*state, "id,kind\na,partner,x\n", 2, 11,
                      "row has 3 fields but the header only 2");
}

static void test_import_csv__header_problems_are_on_line_1(void **state)
{
    expect_text_error(*state, "id,kind,id\na,partner,b\n", 1, 9,
                      "duplicate column 'id' in the header");
    expect_text_error(*state, "from,to\na,b\n", 1, 1,
                      "the header has no 'kind' column (an edges file needs from, to and kind)");
    expect_text_error(*state, "kind,name\npartner,Acme\n", 1, 1,
                      "the header has no 'id' column (a nodes file needs id and kind)");
    expect_text_error(*state, "id,,kind\n", 1, 4, "empty column name in the header");
    expect_text_error(*state, "right,comment\nexport,x\n", 1, 7,
                      "a rights file has a single column, 'right'");
    expect_text_error(*state, "name,owner\nacme,alice\n", 1, 1,
                      "unknown CSV header (expected the columns id and kind of a nodes file, "
                      "from, to and kind of an edges file, or right)");
}

static void test_import_csv__bad_right_in_rights_file_names_its_row(void **state)
{
    expect_text_error(*state, "right\nexport\nbad right\n", 3, 1,
                      "right 'bad right' may hold only letters, digits and _-:.");
}

/* A syntax error after errors in rows is one more error, not a lost one. */
static void test_import_csv__syntax_error_after_row_errors_is_kept(void **state)
{
    ap_store *st = *state;
    ap_error_list more;
    const char *path = ap_test_write_temp("late.csv", "id,kind\na,bad\nb,\"role\n");
    memset(&more, 0, sizeof more);
    ap_test_expect_error(st, &path, 1, &more, path, 2, 3,
                         "unknown kind 'bad' (expected one of " KIND_NAMES ")");
    assert_int_equal(more.count, 1);
    assert_int_equal(more.total, 1);
    assert_int_equal(more.items[0].line, 3);
    assert_int_equal(more.items[0].col, 3);
    assert_string_equal(more.items[0].msg,
                        "invalid CSV: quoted field not closed at the end of the file");
    unlink(path);
}

static void test_import_csv__more_than_20_errors_are_counted(void **state)
{
    ap_store *st = *state;
    ap_error_list more;
    char text[4096], *p = text;
    const char *path;
    p += sprintf(p, "id,kind\n");
    for (int i = 0; i < 25; i++)
        p += sprintf(p, "n%d,k%d\n", i, i);
    path = ap_test_write_temp("many.csv", text);
    memset(&more, 0, sizeof more);
    ap_test_expect_error(st, &path, 1, &more, path, 2, 4,
                         "unknown kind 'k0' (expected one of " KIND_NAMES ")");
    assert_int_equal(more.count, 19);
    assert_int_equal(more.total, 24);
    assert_int_equal(more.items[18].line, 21);
    assert_int_equal(more.items[18].col, 5);
    assert_string_equal(more.items[18].msg, "unknown kind 'k19' (expected one of " KIND_NAMES
                        ")");
    assert_string_equal(ap_test_store_state(st), "snapshot=0 node=0 edge=0 source=0 vocab=0");
    unlink(path);
}

/* A node id or an edge's end that is not UTF-8 is one error, at its cell: the row goes no
 * further, so it is not reported again as missing ("node has no 'id'"). */
static void test_import_csv__key_cell_not_utf8_is_one_error(void **state)
{
    ap_store *st = *state;
    ap_error_list more;
    const char *paths[2];
    char nodes[512];
    const char *path = ap_test_write_temp("bad_id.csv", "id,kind,name\n"
                                          "ok,identity,a\n"
                                          "b\xff\xfe" "ad,resource,b\n");
    memset(&more, 0, sizeof more);
    ap_test_expect_error(st, &path, 1, &more, path, 3, 1, "'id' is not valid UTF-8 text");
    assert_int_equal(more.total, 0);
    unlink(path);

    snprintf(nodes, sizeof nodes, "%s", ap_test_write_temp("ends_nodes.csv", "id,kind\n"
                                                            "a,identity\nb,resource\n"));
    paths[0] = nodes;
    paths[1] = ap_test_write_temp("ends_edges.csv", "from,to,kind\n"
                                  "a,b\xff,access\n");
    memset(&more, 0, sizeof more);
    ap_test_expect_error(st, paths, 2, &more, paths[1], 2, 3, "'to' is not valid UTF-8 text");
    assert_int_equal(more.total, 0);
    assert_string_equal(ap_test_store_state(st), "snapshot=0 node=0 edge=0 source=0 vocab=0");
    unlink(paths[0]);
    unlink(paths[1]);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, ap_test_store_setup, \
                                                   ap_test_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_import_csv__good_inventory_imports),
        TEST(test_import_csv__unknown_kind_names_its_cell),
        TEST(test_import_csv__unknown_right_names_its_item),
        TEST(test_import_csv__duplicate_node_id_names_both_places),
        TEST(test_import_csv__edge_to_undeclared_node_names_the_cell),
        TEST(test_import_csv__bad_date_names_the_cell),
        TEST(test_import_csv__bad_boolean_names_the_cell),
        TEST(test_import_csv__truncated_file_is_a_syntax_error),
        TEST(test_import_csv__stray_quotes_are_syntax_errors),
        TEST(test_import_csv__cells_after_quoted_newlines_are_located),
        TEST(test_import_csv__crlf_and_cr_lines_are_located),
        TEST(test_import_csv__row_with_too_many_fields),
        TEST(test_import_csv__header_problems_are_on_line_1),
        TEST(test_import_csv__bad_right_in_rights_file_names_its_row),
        TEST(test_import_csv__syntax_error_after_row_errors_is_kept),
        TEST(test_import_csv__more_than_20_errors_are_counted),
        TEST(test_import_csv__key_cell_not_utf8_is_one_error),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
