/* tests/unit/test_store_stage.c: the in-memory stage of an import: repeated node ids at once,
 * undeclared endpoints and repeated edge ids by place, automatic edge ids, and the bulk and
 * versioned writers loading the same graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static ap_node_rec node(const char *id, unsigned line)
{
    ap_node_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.id = id;
    rec.kind = AP_KIND_ROLE;
    rec.state = AP_STATE_ACTIVE;
    rec.valid_from = rec.expires = AP_TIME_NONE;
    rec.sensitivity = AP_SENS_NONE;
    rec.attrs = "{}";
    rec.line = line;
    rec.col = 1;
    return rec;
}

/* An edge on its own line: from at column 5, to at column 9. */
static ap_edge_rec edge(const char *id, const char *from, const char *to, unsigned line)
{
    ap_edge_rec rec;
    memset(&rec, 0, sizeof rec);
    rec.id = id;
    rec.from = from;
    rec.to = to;
    rec.kind = AP_EDGE_CAN_ASSUME;
    rec.rights = AP_RIGHTS_ALL;
    rec.state = AP_STATE_ACTIVE;
    rec.valid_from = rec.expires = AP_TIME_NONE;
    rec.attrs = "{}";
    rec.line = rec.from_line = rec.to_line = line;
    rec.col = 1;
    rec.from_col = 5;
    rec.to_col = 9;
    return rec;
}

/* A node id staged twice is refused at once, naming where it was first declared. */
static void test_store_stage__duplicate_node_names_first_place(void **state)
{
    ap_store *st = *state;
    ap_error err;
    int64_t f1, f2;
    ap_node_rec a = node("a", 3), again = node("a", 7);
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "one.csv", &f1, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "two.csv", &f2, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f1, &a, &err), AP_OK);
    again.col = 4;
    assert_int_equal(ap_store_stage_node(st, f2, &again, &err), AP_EINPUT);
    assert_string_equal(err.msg, "duplicate node id 'a' (first declared at one.csv:3:1)");
    assert_string_equal(err.file, "two.csv");
    assert_int_equal(err.line, 7);
    assert_int_equal(err.col, 4);
    ap_store_rollback(st);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM source"), 0);
}

/* Undeclared endpoints and repeated edge ids come out by file, line and column; errors at
 * one place keep input order (from, then to, then the repeated id). */
static void test_store_stage__check_reports_by_place(void **state)
{
    ap_store *st = *state;
    ap_error err;
    ap_error_list more;
    int64_t f1, f2;
    ap_node_rec a = node("a", 1), b = node("b", 2);
    ap_edge_rec e1 = edge("e1", "a", "x", 5), e2 = edge("e2", "y", "z", 4);
    ap_edge_rec e3 = edge("e1", "a", "b", 2), e4 = edge("e4", "w", "b", 9);
    memset(&more, 0, sizeof more);
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "edges.csv", &f1, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "nodes.csv", &f2, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f1, &e1, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f1, &e2, &err), AP_OK);
    e2.to_col = 5;      /* the same place as its from: from first */
    assert_int_equal(ap_store_stage_edge(st, f1, &e2, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f2, &a, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f2, &b, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f2, &e3, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f2, &e4, &err), AP_OK);
    assert_int_equal(ap_store_check(st, &more, &err), AP_EINPUT);
    {
        static const char *const want[][2] = {
            { "edges.csv:4:1", "duplicate edge id 'e2'" },
            { "edges.csv:4:5", "edge from undeclared node 'y'" },
            { "edges.csv:4:5", "edge from undeclared node 'y'" },
            { "edges.csv:4:5", "edge to undeclared node 'z'" },
            { "edges.csv:4:9", "edge to undeclared node 'z'" },
            { "edges.csv:5:9", "edge to undeclared node 'x'" },
            { "nodes.csv:2:1", "duplicate edge id 'e1'" },
            { "nodes.csv:9:5", "edge from undeclared node 'w'" },
        };
        char place[300];
        snprintf(place, sizeof place, "%s:%u:%u", err.file, err.line, err.col);
        assert_string_equal(place, want[0][0]);
        assert_string_equal(err.msg, want[0][1]);
        assert_int_equal(more.count, 7);
        assert_int_equal(more.total, 7);
        for (size_t i = 0; i < 7; i++) {
            snprintf(place, sizeof place, "%s:%u:%u", more.items[i].file, more.items[i].line,
                     more.items[i].col);
            assert_string_equal(place, want[i + 1][0]);
            assert_string_equal(more.items[i].msg, want[i + 1][1]);
        }
    }
    /* a commit after a failed check refuses too, and leaves nothing behind */
    assert_int_equal(ap_store_commit(st, "bad", 1767225600, &(int64_t){ 0 }, &err), AP_EINPUT);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM source"), 0);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node"), 0);
}

/* More errors than the list holds are counted, not kept. */
static void test_store_stage__many_errors_counted(void **state)
{
    ap_store *st = *state;
    ap_error err;
    ap_error_list more;
    int64_t f;
    memset(&more, 0, sizeof more);
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "e.csv", &f, &err), AP_OK);
    for (unsigned i = 0; i < 1000; i++) {
        char id[16];
        snprintf(id, sizeof id, "n%u", i);
        ap_edge_rec e = edge(NULL, id, id, i + 2);
        assert_int_equal(ap_store_stage_edge(st, f, &e, &err), AP_OK);
    }
    assert_int_equal(ap_store_check(st, &more, &err), AP_EINPUT);
    assert_string_equal(err.msg, "edge from undeclared node 'n0'");
    assert_int_equal(more.count, AP_MAX_ERRORS - 1);
    assert_int_equal(more.total, 1999);
    assert_string_equal(more.items[0].msg, "edge to undeclared node 'n0'");
    assert_string_equal(more.items[1].msg, "edge from undeclared node 'n1'");
    ap_store_rollback(st);
}

/* Edges without an id are named from|kind|to, #2, #3 for repeats in input order; a given id
 * equal to such a name is a repeated id, reported at the later edge. */
static void test_store_stage__automatic_ids(void **state)
{
    ap_store *st = *state;
    ap_error err;
    int64_t f, snap;
    ap_node_rec a = node("a", 1), b = node("b", 2);
    ap_edge_rec e = edge(NULL, "a", "b", 3), back = edge(NULL, "b", "a", 4);
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "x.json", &f, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &b, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &a, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f, &e, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f, &back, &err), AP_OK);
    e.line = 5;
    assert_int_equal(ap_store_stage_edge(st, f, &e, &err), AP_OK);
    e.line = 6;
    e.rights = 0;
    assert_int_equal(ap_store_stage_edge(st, f, &e, &err), AP_OK);
    assert_int_equal(ap_store_check(st, NULL, &err), AP_OK);
    assert_int_equal(ap_store_commit(st, "auto", 1767225600, &snap, &err), AP_OK);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM edge WHERE"
                                       " (id = 'a|can_assume|b' AND line = 3)"
                                       " OR (id = 'b|can_assume|a' AND line = 4)"
                                       " OR (id = 'a|can_assume|b#2' AND line = 5)"
                                       " OR (id = 'a|can_assume|b#3' AND line = 6"
                                       " AND rights = 0)"), 4);

    /* the next import: a given id that is one of the automatic names */
    ap_edge_rec named = edge("a|can_assume|b#2", "a", "b", 1);
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "y.json", &f, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &a, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &b, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f, &named, &err), AP_OK);
    e.line = 2;
    assert_int_equal(ap_store_stage_edge(st, f, &e, &err), AP_OK);
    e.line = 3;
    assert_int_equal(ap_store_stage_edge(st, f, &e, &err), AP_OK);
    assert_int_equal(ap_store_check(st, NULL, &err), AP_EINPUT);
    assert_string_equal(err.msg, "duplicate edge id 'a|can_assume|b#2'");
    assert_int_equal(err.line, 3);      /* the automatic name comes later in the input */
    ap_store_rollback(st);
}

/* Everything a graph says about its nodes and edges, one line each. */
static char *describe(const ap_graph *g)
{
    size_t cap = 1 << 16, used = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    text[0] = '\0';
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *n = ap_graph_node(g, v);
        char line[1024];
        int len = snprintf(line, sizeof line, "N %s %d %d %lld %lld %d %s %u:%u\n", n->id,
                           n->kind, n->state, (long long)n->valid_from, (long long)n->expires,
                           n->sensitivity, n->attrs, n->line, n->col);
        if (used + (size_t)len + 1 > cap)
            assert_non_null(text = realloc(text, cap *= 2));
        memcpy(text + used, line, (size_t)len + 1);
        used += (size_t)len;
    }
    for (uint32_t i = 0; i < ap_graph_edge_count(g); i++) {
        const ap_edge *e = ap_graph_edge(g, i);
        char line[1024];
        int len = snprintf(line, sizeof line, "E %s %s %s %d %llx %llx %d %d %d %lld %lld %s"
                           " %u:%u\n", e->id, ap_graph_node(g, e->from)->id,
                           ap_graph_node(g, e->to)->id, e->kind,
                           (unsigned long long)e->rights, (unsigned long long)e->requires,
                           e->escalates, e->declared, e->state, (long long)e->valid_from,
                           (long long)e->expires, e->attrs, e->line, e->col);
        if (used + (size_t)len + 1 > cap)
            assert_non_null(text = realloc(text, cap *= 2));
        memcpy(text + used, line, (size_t)len + 1);
        used += (size_t)len;
    }
    return text;
}

/* An edge staged before its ends are declared is checked once every file is read: a node
 * declared later makes it good, one never declared is reported. An edge staged after both
 * its ends were declared is not looked at again, so the check finds only the bad one. */
static void test_store_stage__ends_declared_later(void **state)
{
    ap_store *st = *state;
    ap_error err;
    ap_error_list more;
    int64_t f, snap;
    ap_node_rec a = node("a", 1), b = node("b", 2), c = node("c", 3);
    ap_edge_rec early = edge("e1", "a", "b", 4), late = edge("e2", "b", "c", 5);
    ap_edge_rec bad = edge("e3", "c", "nowhere", 6);
    memset(&more, 0, sizeof more);
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "mixed.csv", &f, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f, &early, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &a, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &b, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &c, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f, &late, &err), AP_OK);
    assert_int_equal(ap_store_check(st, &more, &err), AP_OK);
    assert_int_equal(ap_store_commit(st, "later", 1767225600, &snap, &err), AP_OK);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM edge"), 2);

    /* every node first: only the edge naming an undeclared node is reported */
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "first.csv", &f, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &a, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &b, &err), AP_OK);
    assert_int_equal(ap_store_stage_node(st, f, &c, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f, &late, &err), AP_OK);
    assert_int_equal(ap_store_stage_edge(st, f, &bad, &err), AP_OK);
    assert_int_equal(ap_store_check(st, &more, &err), AP_EINPUT);
    assert_string_equal(err.msg, "edge to undeclared node 'nowhere'");
    assert_int_equal(err.line, 6);
    assert_int_equal(err.col, 9);
    assert_int_equal(more.count, 0);
    ap_store_rollback(st);
}

/* The bulk writer puts the edges in graph order (source, target, id, nodes ranked by id)
 * whatever order they were read in, each row with its own provenance, and the graph image
 * written from the same stage holds the same edges. */
static void test_store_stage__bulk_rows_in_graph_order(void **state)
{
    ap_store *st = *state;
    ap_error err;
    int64_t f, snap;
    const char *const ids[] = { "c", "a", "d", "b" };
    /* read: e5 d>a, e4 c>b, e3 b>d, e2 a>c, e1 a>b, e0 d>a (line = 10 + its digit) */
    const char *const edges[][3] = { { "e5", "d", "a" }, { "e4", "c", "b" }, { "e3", "b", "d" },
                                     { "e2", "a", "c" }, { "e1", "a", "b" }, { "e0", "d", "a" } };
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "order.csv", &f, &err), AP_OK);
    for (unsigned i = 0; i < 4; i++) {
        ap_node_rec n = node(ids[i], i + 1);
        assert_int_equal(ap_store_stage_node(st, f, &n, &err), AP_OK);
    }
    for (unsigned i = 0; i < 6; i++) {
        ap_edge_rec e = edge(edges[i][0], edges[i][1], edges[i][2],
                             10 + (unsigned)(edges[i][0][1] - '0'));
        assert_int_equal(ap_store_stage_edge(st, f, &e, &err), AP_OK);
    }
    assert_int_equal(ap_store_commit(st, "order", 1767225600, &snap, &err), AP_OK);
    /* every row's line is its own, and the rows go a>b, a>c, b>d, c>b, d>a (e0, e5) */
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM edge"
                                       " WHERE line = 10 + substr(id, 2)"), 6);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM edge e"
                                       " JOIN ident s ON s.key = e.src"
                                       " JOIN ident d ON d.key = e.dst WHERE (e.rid, e.id, s.id,"
                                       " d.id) IN (VALUES (1, 'e1', 'a', 'b'),"
                                       " (2, 'e2', 'a', 'c'),"
                                       " (3, 'e3', 'b', 'd'), (4, 'e4', 'c', 'b'),"
                                       " (5, 'e0', 'd', 'a'), (6, 'e5', 'd', 'a'))"), 6);
    /* the graph loaded from the store: each edge with its ends and its own line */
    ap_graph *g = ap_test_graph(st, 1767225600);
    char *d = describe(g);
    for (unsigned i = 0; i < 6; i++) {
        char head[32], tail[16];
        const char *at, *end;
        snprintf(head, sizeof head, "E %s %s %s ", edges[i][0], edges[i][1], edges[i][2]);
        snprintf(tail, sizeof tail, " %d:1\n", 10 + edges[i][0][1] - '0');
        assert_non_null(at = strstr(d, head));
        assert_non_null(end = strchr(at, '\n'));
        assert_true((size_t)(end + 1 - at) > strlen(tail));
        assert_memory_equal(end + 1 - strlen(tail), tail, strlen(tail));
    }
    ap_graph_free(g);
    free(d);
}

/* The sample estate loads into the same graph through the bulk path (empty tables) and
 * through the versioned path (after another snapshot). */
static void test_store_stage__bulk_and_versioned_load_alike(void **state)
{
    ap_store *bulk = *state, *versioned = NULL;
    ap_error err;
    const char *const paths[] = { SAMPLE("estate-rights.csv"), SAMPLE("estate-nodes.csv"),
                                  SAMPLE("estate-edges.csv") };
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    ap_graph *g1, *g2;
    char *d1, *d2;
    assert_int_equal(ap_test_store_setup((void **)&versioned), 0);
    assert_int_equal(ap_test_import_opts(bulk, paths, 3, &opts, &err), AP_OK);
    assert_int_equal(ap_test_import(versioned, FIXTURE("store/small.json"), &err), AP_OK);
    assert_int_equal(ap_test_import_opts(versioned, paths, 3, &opts, &err), AP_OK);
    g1 = ap_test_graph(bulk, 1767225600);
    g2 = ap_test_graph(versioned, 1767225600);
    assert_true(ap_graph_edge_count(g1) > 10);
    d1 = describe(g1);
    d2 = describe(g2);
    assert_string_equal(d1, d2);
    free(d1);
    free(d2);
    ap_graph_free(g1);
    ap_graph_free(g2);
    ap_test_store_teardown((void **)&versioned);
}

static long wal(ap_store *st)
{
    return ap_test_count(st, "SELECT count(*) FROM pragma_journal_mode"
                             " WHERE journal_mode = 'wal'");
}

/* A first import may run with a rollback journal (pages written once); the database is in WAL
 * again after it, whether it committed or failed, and also when another connection kept the
 * switch from happening. */
static void test_store_stage__first_import_leaves_wal(void **state)
{
    char db[512];
    const char *bad;
    ap_store *st = NULL, *other = NULL;
    ap_error err;
    (void)state;
    snprintf(db, sizeof db, "%s", ap_test_write_temp("journal.db", ""));
    remove(db);
    assert_int_equal(ap_store_open(&st, db, &err), AP_OK);
    assert_int_equal(wal(st), 1);
    bad = ap_test_write_temp("journal_bad.json", "{\"nodes\": [{\"id\": \"x\", \"kind\": "
                             "\"partner\"}], \"edges\": [{\"from\": \"x\", \"to\": \"y\","
                             " \"kind\": \"holds\"}]}\n");
    assert_int_equal(ap_test_import(st, bad, &err), AP_EINPUT);
    remove(bad);
    assert_int_equal(wal(st), 1);
    assert_int_equal(ap_store_open(&other, db, &err), AP_OK);
    assert_int_equal(ap_test_import(st, FIXTURE("store/small.json"), &err), AP_OK);
    assert_int_equal(wal(st), 1);
    assert_int_equal(ap_test_count(other, "SELECT count(*) FROM snapshot"), 1);
    ap_store_close(other);
    ap_store_close(st);
    assert_int_equal(ap_store_open(&st, db, &err), AP_OK);
    assert_int_equal(wal(st), 1);
    ap_store_close(st);
    remove(db);
    snprintf(db + strlen(db), sizeof db - strlen(db), "-wal");
    remove(db);
    db[strlen(db) - 4] = '\0';
    snprintf(db + strlen(db), sizeof db - strlen(db), "-shm");
    remove(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_stage__duplicate_node_names_first_place,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store_stage__check_reports_by_place,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store_stage__many_errors_counted,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store_stage__automatic_ids,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store_stage__ends_declared_later,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store_stage__bulk_rows_in_graph_order,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store_stage__bulk_and_versioned_load_alike,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test(test_store_stage__first_import_leaves_wal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
