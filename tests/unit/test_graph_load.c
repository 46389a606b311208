/* tests/unit/test_graph_load.c: the graph loader reads rows in table order (input order) and
 * still hands out nodes in id order and edges in (from, to, id) order, for every snapshot;
 * attributes read without keeping them read as the kept ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "../../graph/graph_internal.h"

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

/* Attributes let go (ap_graph_forget_attrs, between a what-if's two findings runs) are parsed
 * again when next asked for; the graph frees what it parsed since, once. */
static void test_graph_load__attrs_forgotten_are_read_again(void **state)
{
    ap_store *st = *state;
    ap_error err;
    assert_int_equal(ap_test_import(st, estate(0), &err), AP_OK);
    ap_graph *g = ap_test_graph(st, 0);
    assert_string_equal(ap_graph_node_str(g, 3, "name"), "N 3");
    assert_string_equal(ap_graph_node_str(g, 4, "name"), "N 4");
    ap_graph_forget_attrs(g);
    ap_graph_forget_attrs(g);
    assert_string_equal(ap_graph_node_str(g, 4, "name"), "N 4");
    assert_string_equal(ap_graph_node_str(g, 3, "name"), "N 3");
    ap_graph_forget_attrs(g);
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

/* Every field of every node and edge, and the rows, are the same in a and b. */
static void assert_same(const ap_graph *a, const ap_graph *b)
{
    assert_int_equal(ap_graph_node_count(a), ap_graph_node_count(b));
    assert_int_equal(ap_graph_edge_count(a), ap_graph_edge_count(b));
    for (uint32_t v = 0; v < ap_graph_node_count(a); v++) {
        const ap_node *x = ap_graph_node(a, v), *y = ap_graph_node(b, v);
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->attrs, y->attrs);
        assert_true(x->kind == y->kind && x->state == y->state && x->live == y->live
                    && x->sensitivity == y->sensitivity && x->valid_from == y->valid_from
                    && x->expires == y->expires && x->file == y->file && x->line == y->line
                    && x->col == y->col);
        assert_int_equal(ap_graph_out_begin(a, v), ap_graph_out_begin(b, v));
        assert_int_equal(ap_graph_in_begin(a, v), ap_graph_in_begin(b, v));
    }
    for (uint32_t e = 0; e < ap_graph_edge_count(a); e++) {
        const ap_edge *x = ap_graph_edge(a, e), *y = ap_graph_edge(b, e);
        assert_string_equal(x->id, y->id);
        assert_string_equal(x->attrs, y->attrs);
        assert_true(x->from == y->from && x->to == y->to && x->kind == y->kind
                    && x->rights == y->rights && x->requires == y->requires
                    && x->escalates == y->escalates && x->declared == y->declared
                    && x->traversable == y->traversable && x->state == y->state
                    && x->valid_from == y->valid_from && x->expires == y->expires
                    && x->own_live == y->own_live && x->live == y->live && x->file == y->file
                    && x->line == y->line && x->col == y->col);
        assert_int_equal(ap_graph_in_edge(a, e), ap_graph_in_edge(b, e));
    }
}

/* A third snapshot drops the second one's extra nodes and edges and changes an edge: the
 * tables then hold rows of several snapshots, with holes in every snapshot's rid range. */
static const char *third_estate(void)
{
    const char *path = estate(0);
    FILE *f = fopen(path, "r+");
    char text[8192];
    size_t len;
    assert_non_null(f);
    len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    char *at = strstr(text, "\"kind\": \"access\", \"rights\": [\"read\"]");
    assert_non_null(at);
    memcpy(at + strlen("\"kind\": \"access\", \"rights\": [\""), "mint", 4);
    return ap_test_write_temp("load3.json", text);
}

static void import_three(ap_store *st)
{
    ap_error err;
    assert_int_equal(ap_test_import(st, estate(0), &err), AP_OK);
    assert_int_equal(ap_test_import(st, estate(1), &err), AP_OK);
    assert_int_equal(ap_test_import(st, third_estate(), &err), AP_OK);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM snapshot"), 3);
}

static ap_graph *load_with(ap_store *st, int64_t snap, unsigned threads, uint32_t chunk,
                           bool second_reads_all)
{
    const ap_load_opts opts = {threads, chunk, second_reads_all};
    ap_graph *g = NULL;
    ap_error err;
    if (ap_graph__load(&g, st, snap, 1767225600, &opts, &err) != AP_OK)
        fail_msg("load snapshot %lld: %s", (long long)snap, err.msg);
    assert_ordered(g);
    return g;
}

static char db_path[512];

/* A fresh database file (the second reader needs one: an in-memory database has one
 * connection), removed with its -wal and -shm by the teardown. */
static int file_setup(void **state)
{
    const char *dir = getenv("TMPDIR");
    ap_store *st = NULL;
    ap_error err;
    snprintf(db_path, sizeof db_path, "%s/ap_test_%ld_load.db", dir != NULL ? dir : "/tmp",
             (long)getpid());
    unlink(db_path);
    if (ap_store_open(&st, db_path, &err) < 0)
        return -1;
    *state = st;
    return 0;
}

static int file_teardown(void **state)
{
    ap_store_close(*state);
    for (int i = 0; i < 3; i++) {
        char p[600];
        snprintf(p, sizeof p, "%s%s", db_path, i == 0 ? "" : i == 1 ? "-wal" : "-shm");
        unlink(p);
    }
    return 0;
}

/* Two readers on two connections, in work items of any size, load what one reader loads, for
 * every snapshot of a database file whose tables hold several. */
static void test_graph_load__two_readers_equal_one(void **state)
{
    ap_store *st = *state;
    import_three(st);
    for (int64_t snap = 1; snap <= 3; snap++) {
        ap_graph *one = load_with(st, snap, 1, 1u << 16, false);
        const uint32_t chunks[] = {1, 2, 3, 7, 1u << 16};
        for (size_t i = 0; i < 2 * sizeof chunks / sizeof *chunks; i++) {
            ap_graph *two = load_with(st, snap, 2, chunks[i / 2], i % 2 == 1);
            assert_same(one, two);
            ap_graph_free(two);
        }
        ap_graph_free(one);
    }
}

/* Rewrite the edge table with its rows in the given order (rids renumbered, snapshots kept). */
static void reorder_edges(ap_store *st, const char *order)
{
    char sql[1024];
    ap_error err;
    snprintf(sql, sizeof sql,
             "CREATE TEMP TABLE e2 AS SELECT e.* FROM edge e JOIN ident a ON a.key = e.src"
             " JOIN ident b ON b.key = e.dst ORDER BY %s;"
             "DELETE FROM edge;"
             "INSERT INTO edge(id, src, dst, kind, rights, requires, escalates, declared, state,"
             " valid_from, expires, attrs, snap_from, snap_to, file, line, col)"
             " SELECT id, src, dst, kind, rights, requires, escalates, declared, state,"
             " valid_from, expires, attrs, snap_from, snap_to, file, line, col FROM e2"
             " ORDER BY rowid;"
             "DROP TABLE e2;", order);
    assert_int_equal(ap_store__exec(st, sql, &err), AP_OK);
}

/* An edge table already in graph order (as a first import writes it) and one in any other
 * order load to the same graph, for every snapshot. */
static void test_graph_load__table_order_does_not_matter(void **state)
{
    ap_store *st = *state;
    ap_graph *before[3];
    import_three(st);
    for (int64_t snap = 1; snap <= 3; snap++)
        before[snap - 1] = load_with(st, snap, 1, 1u << 16, false);
    const char *orders[] = {"a.id, b.id, e.id", "a.id DESC, b.id, e.id DESC", "e.rid DESC"};
    for (size_t i = 0; i < sizeof orders / sizeof *orders; i++) {
        reorder_edges(st, orders[i]);
        for (int64_t snap = 1; snap <= 3; snap++) {
            ap_graph *g = load_with(st, snap, 1, 2, false);
            assert_same(before[snap - 1], g);
            ap_graph_free(g);
        }
    }
    for (int i = 0; i < 3; i++)
        ap_graph_free(before[i]);
}

/* A larger estate in a scrambled order: nnodes nodes (the in-place sort then buckets several
 * sources together) and nedges edges. */
static const char *big_estate(int nnodes, int nedges)
{
    size_t cap = (size_t)nnodes * 64 + (size_t)nedges * 96 + 64, used = 0;
    char *text = malloc(cap);
    uint32_t x = 12345;
    assert_non_null(text);
    used += (size_t)snprintf(text + used, cap - used, "{\"nodes\": [");
    for (int i = 0; i < nnodes; i++) {
        int v = (int)(((long)i * 379) % nnodes);
        used += (size_t)snprintf(text + used, cap - used, "%s{\"id\": \"v%05d\", \"kind\": "
                                 "\"%s\"}", i ? ", " : "", v, v == 0 ? "partner" : "role");
    }
    used += (size_t)snprintf(text + used, cap - used, "],\n\"edges\": [");
    for (int i = 0; i < nedges; i++) {
        x = x * 1103515245u + 12345u;
        int a = (int)((x >> 8) % (uint32_t)nnodes);
        x = x * 1103515245u + 12345u;
        int b = (int)((x >> 8) % (uint32_t)nnodes);
        used += (size_t)snprintf(text + used, cap - used, "%s{\"id\": \"x%d\", \"from\": "
                                 "\"v%05d\", \"to\": \"v%05d\", \"kind\": \"can_assume\"}",
                                 i ? ",\n" : "", (int)(((long)i * 7919) % nedges), a, b);
    }
    snprintf(text + used, cap - used, "]}\n");
    const char *path = ap_test_write_temp("load_big.json", text);
    free(text);
    return path;
}

/* Scrambled and ordered edge tables of a larger graph load to the same graph. */
static void expect_sorted_alike(ap_store *st, int nnodes, int nedges)
{
    ap_error err;
    assert_int_equal(ap_test_import(st, big_estate(nnodes, nedges), &err), AP_OK);
    reorder_edges(st, "e.id");          /* "x0", "x1", "x10", ...: ends in no order at all */
    ap_graph *scrambled = load_with(st, 1, 1, 1u << 16, false);
    assert_int_equal(ap_graph_node_count(scrambled), nnodes);
    assert_int_equal(ap_graph_edge_count(scrambled), nedges);
    reorder_edges(st, "a.id, b.id, e.id");
    ap_graph *ordered = load_with(st, 1, 1, 1u << 16, false);
    assert_same(scrambled, ordered);
    ap_graph_free(scrambled);
    ap_graph_free(ordered);
}

static void test_graph_load__larger_graph_sorts(void **state)
{
    expect_sorted_alike(*state, 1000, 4000);
}

/* From 65,536 edges on (graph/csr.c), half the sort's buckets go to a second thread. */
static void test_graph_load__two_thread_sort(void **state)
{
    expect_sorted_alike(*state, 5000, 70000);
}

/* An edge whose end is not in its snapshot (a node of another snapshot, or no node at all) is
 * reported, whichever reader finds it; the other snapshots still load. */
static void test_graph_load__edge_to_missing_node(void **state)
{
    ap_store *st = *state;
    const char *sql[] = {"UPDATE edge SET dst = (SELECT key FROM ident WHERE id = 'n45')"
                         " WHERE rid = (SELECT min(rid) FROM edge WHERE snap_from = 3)",
                         "UPDATE edge SET dst = 1000000"
                         " WHERE rid = (SELECT min(rid) FROM edge WHERE snap_from = 3)"};
    import_three(st);
    for (size_t i = 0; i < 2 * sizeof sql / sizeof *sql; i++) {
        const ap_load_opts opts = {2, 1, i % 2 == 1};
        ap_graph *g = NULL;
        ap_error err;
        assert_int_equal(ap_store__exec(st, sql[i / 2], &err), AP_OK);
        assert_int_equal(ap_graph__load(&g, st, 3, 0, &opts, &err), AP_EIO);
        assert_null(g);
        assert_string_equal(err.msg, "the database is inconsistent: an edge of snapshot 3 "
                                     "names a node that is not in it");
        assert_int_equal(ap_graph__load(&g, st, 2, 0, &opts, &err), AP_OK);
        ap_graph_free(g);
    }
}

/* ap_graph_node_str_copy reads what ap_graph_node_str reads, for attributes of the importers'
 * form (read in place) and of any other (escapes, numbers, nesting: jansson's), and keeps no
 * parsed attributes: names with quotes, backslashes, accents, control characters, empty, a
 * "name" only inside a nested object, none at all, true and false beside it. */
static void test_graph_load__node_str_copy_reads_as_jansson(void **state)
{
    static const char *const nodes[] = {
        "\"name\": \"Plain name\", \"owner\": \"team-1\"",
        "\"name\": \"say \\\"hi\\\" \\\\ there\"",
        "\"name\": \"caf\u00e9 \\u00e9t\u00e9\", \"zone\": \"eu\"",
        "\"name\": \"tab\\there\"",
        "\"name\": \"\"",
        "\"tags\": {\"name\": \"inner\"}, \"zone\": \"eu\"",
        "\"aaa\": true, \"name\": \"after true\", \"zzz\": false",
        "\"name\": \"before a number\", \"port\": 443",
        "\"names\": \"not it\", \"nam\": \"nor this\"",
        "\"name\": \"=cmd|' /C calc'!A0\", \"list\": [\"name\", \"x\"]",
    };
    ap_store *st = *state;
    ap_error err;
    char text[4096], *buf = NULL;
    size_t used = 0, cap = 0;
    used += (size_t)snprintf(text, sizeof text, "{\"nodes\": [\n");
    for (size_t i = 0; i < sizeof nodes / sizeof *nodes; i++)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"id\": \"n%zu\", \"kind\": \"role\", %s},\n", i, nodes[i]);
    snprintf(text + used, sizeof text - used, "{\"id\": \"p\", \"kind\": \"partner\"}],\n"
             "\"edges\": []}\n");
    assert_int_equal(ap_test_import(st, ap_test_write_temp("attrs.json", text), &err), AP_OK);
    ap_graph *g = ap_test_graph(st, 0);
    uint32_t n = ap_graph_node_count(g);
    int found[16];
    char *copies[16];
    assert_int_equal(n, sizeof nodes / sizeof *nodes + 1);
    for (uint32_t v = 0; v < n; v++) {
        found[v] = ap_graph_node_str_copy(&buf, &cap, g, v, "name", &err);
        copies[v] = found[v] == 1 ? strdup(buf) : NULL;
        assert_true(found[v] == 0 || found[v] == 1);
    }
    assert_int_equal(g->nparsed, 0);            /* nothing kept */
    for (uint32_t v = 0; v < n; v++) {
        const char *want = ap_graph_node_str(g, v, "name");
        if (want == NULL)
            assert_int_equal(found[v], 0);
        else
            assert_string_equal(copies[v], want);
        free(copies[v]);
    }
    assert_int_equal(ap_graph_node_str_copy(&buf, &cap, g, 1, "owner", &err), 0);
    assert_int_equal(ap_graph_node_str_copy(&buf, &cap, g, 0, "owner", &err), 1);
    assert_string_equal(buf, "team-1");
    free(buf);
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_graph_load__input_order_is_not_graph_order,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__attrs_forgotten_are_read_again,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__later_snapshot_sorted,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__two_readers_equal_one, file_setup,
                                        file_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__table_order_does_not_matter,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__two_thread_sort,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__larger_graph_sorts,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__edge_to_missing_node, file_setup,
                                        file_teardown),
        cmocka_unit_test_setup_teardown(test_graph_load__node_str_copy_reads_as_jansson,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
