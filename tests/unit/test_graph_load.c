/* tests/unit/test_graph_load.c: the graph loader reads rows in table order (input order) and
 * still hands out nodes in id order and edges in (from, to, id) order, for every snapshot. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* Nodes in id order, edges in (from, to, id) order, out-rows and in-rows consistent. */
static void assert_ordered(const ap_graph *g)
{
    uint32_t n = ap_graph_node_count(g), m = ap_graph_edge_count(g), in = 0;
    for (uint32_t v = 1; v < n; v++)
        assert_true(strcmp(ap_graph_node(g, v - 1)->id, ap_graph_node(g, v)->id) < 0);
    for (uint32_t e = 1; e < m; e++) {
        const ap_edge *a = ap_graph_edge(g, e - 1), *b = ap_graph_edge(g, e);
        assert_true(a->from < b->from || (a->from == b->from && (a->to < b->to
                    || (a->to == b->to && strcmp(a->id, b->id) < 0))));
    }
    for (uint32_t v = 0; v < n; v++) {
        for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++)
            assert_int_equal(ap_graph_edge(g, e)->from, v);
        for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++)
            assert_int_equal(ap_graph_edge(g, ap_graph_in_edge(g, i))->to, v);
        in += ap_graph_in_end(g, v) - ap_graph_in_begin(g, v);
    }
    assert_int_equal(ap_graph_out_end(g, n ? n - 1 : 0), n ? m : 0);
    assert_int_equal(in, m);
}

/* An estate whose input order is the reverse of the graph's order. */
static const char *estate(int extra)
{
    static char text[8192];
    size_t used = 0;
    used += (size_t)snprintf(text + used, sizeof text - used, "{\"nodes\": [\n");
    for (int i = 9; i >= 0; i--)
        used += (size_t)snprintf(text + used, sizeof text - used, "{\"id\": \"n%d\", \"kind\": "
                                 "\"%s\", \"name\": \"N %d\"},\n", i, i ? "role" : "partner", i);
    if (extra)      /* ids that sort between and before the first snapshot's */
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"id\": \"a\", \"kind\": \"role\"}, {\"id\": \"n45\", "
                                 "\"kind\": \"role\"},\n");
    used += (size_t)snprintf(text + used, sizeof text - used,
                             "{\"id\": \"z\", \"kind\": \"resource\"}],\n\"edges\": [\n");
    for (int i = 9; i >= 1; i--)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"id\": \"e%d\", \"from\": \"n%d\", \"to\": \"n%d\", "
                                 "\"kind\": \"can_assume\"},\n"
                                 "{\"from\": \"n%d\", \"to\": \"z\", \"kind\": \"access\", "
                                 "\"rights\": [\"read\"]},\n", i, i - 1, i, i);
    if (extra)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"id\": \"d\", \"from\": \"a\", \"to\": \"n0\", \"kind\": "
                                 "\"can_assume\"}, {\"id\": \"a0\", \"from\": \"n0\", \"to\": "
                                 "\"n45\", \"kind\": \"can_assume\"}, {\"id\": \"a1\", \"from\": "
                                 "\"n0\", \"to\": \"n1\", \"kind\": \"can_assume\"},\n");
    snprintf(text + used, sizeof text - used,
             "{\"id\": \"e0\", \"from\": \"n0\", \"to\": \"z\", \"kind\": \"access\"}]}\n");
    return ap_test_write_temp("load.json", text);
}

/* A first snapshot given in the reverse of the graph's order loads in order: the bulk import
 * writes its edge rows in the loader's order, (source, target, id). */
static void test_graph_load__input_order_is_not_graph_order(void **state)
{
    ap_store *st = *state;
    ap_error err;
    assert_int_equal(ap_test_import(st, estate(0), &err), AP_OK);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM edge e JOIN edge f"
                                       " ON f.rid = e.rid + 1 WHERE e.src > f.src"
                                       " OR (e.src = f.src AND (e.dst > f.dst"
                                       " OR (e.dst = f.dst AND e.id > f.id)))"), 0);
    ap_graph *g = ap_test_graph(st, 0);
    assert_int_equal(ap_graph_node_count(g), 11);
    assert_int_equal(ap_graph_edge_count(g), 19);
    assert_ordered(g);
    assert_string_equal(ap_graph_node_str(g, 3, "name"), "N 3");
    ap_graph_free(g);
}

/* A second snapshot adds ids that sort before and between the first one's: its rows are out
 * of order in the tables, and the loader still hands out both snapshots in order. */
static void test_graph_load__later_snapshot_sorted(void **state)
{
    ap_store *st = *state;
    ap_error err;
    assert_int_equal(ap_test_import(st, estate(0), &err), AP_OK);
    assert_int_equal(ap_test_import(st, estate(1), &err), AP_OK);
    ap_graph *g = ap_test_graph(st, 0);
    assert_int_equal(ap_graph_node_count(g), 13);
    assert_int_equal(ap_graph_edge_count(g), 22);
    assert_ordered(g);
    assert_string_equal(ap_graph_node(g, 0)->id, "a");
    assert_string_equal(ap_graph_edge(g, ap_graph_out_begin(g, 0))->id, "d");
    ap_graph_free(g);
    assert_int_equal(ap_graph_load(&g, st, 1, 0, &err), AP_OK);
    assert_int_equal(ap_graph_node_count(g), 11);
    assert_int_equal(ap_graph_edge_count(g), 19);
    assert_ordered(g);
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_graph_load__input_order_is_not_graph_order,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__later_snapshot_sorted,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
