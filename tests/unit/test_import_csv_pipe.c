/* tests/unit/test_import_csv_pipe.c: CSV files longer than the reader's pipe (rows split on a
 * second thread, checked on the first), and rows read into one reused object: every row, place
 * and error as if each row were read alone on one thread. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"

#define KIND_NAMES "partner, identity, credential, role, resource, workflow"
#define ROWS 20000          /* the pipe holds 8 batches of 1,024 rows: the parser must wait */

typedef struct {
    char *text, *p;
    unsigned line;          /* the line the next row starts on */
} doc;

static void doc_open(doc *d, const char *header)
{
    d->text = malloc((size_t)ROWS * 96 + 256);
    assert_non_null(d->text);
    d->p = d->text + sprintf(d->text, "%s\n", header);
    d->line = 2;
}

/* Append a row (it may hold quoted newlines); returns the line it starts on. */
static unsigned doc_row(doc *d, const char *fmt, ...) AP_PRINTF(2, 3);
static unsigned doc_row(doc *d, const char *fmt, ...)
{
    unsigned start = d->line;
    va_list ap;
    char *row = d->p;
    va_start(ap, fmt);
    d->p += vsprintf(d->p, fmt, ap);
    va_end(ap);
    for (; row < d->p; row++)
        d->line += *row == '\n';
    return start;
}

static const char *doc_write(doc *d, const char *name)
{
    const char *path = ap_test_write_temp(name, d->text);
    free(d->text);
    return path;
}

/* A quoted name over two lines every 997 rows, so records and lines part ways. */
static unsigned node_row(doc *d, int i, const char *kind)
{
    if (i % 997 == 0)
        return doc_row(d, "n%05d,%s,\"Multi\nline %d\",true\n", i, kind, i);
    return doc_row(d, "n%05d,%s,Name %d,false\n", i, kind, i);
}

static long node_line(ap_store *st, const char *id)
{
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT n.line FROM node n JOIN ident i ON i.key = n.key "
             "WHERE i.id = '%s'", id);
    return ap_test_count(st, sql);
}

/* 20,000 nodes and 20,000 edges: all staged, each with the line its record starts on. */
static void test_csv_pipe__long_files_import_with_their_places(void **state)
{
    ap_store *st = *state;
    doc nodes, edges;
    unsigned last_node = 0, multi = 0, last_edge = 0;
    char npath[512], epath[512];
    const char *paths[2] = { npath, epath };
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    ap_graph *g;
    ap_error err;
    int64_t v;
    doc_open(&nodes, "id,kind,name,logged");
    for (int i = 0; i < ROWS; i++) {
        unsigned at = node_row(&nodes, i, i % 2 ? "resource" : "identity");
        if (i == 19940)
            multi = at;
        last_node = at;
    }
    snprintf(npath, sizeof npath, "%s", doc_write(&nodes, "pipe_nodes.csv"));
    doc_open(&edges, "id,from,to,kind,rights,purpose");
    for (int i = 0; i < ROWS; i++)
        last_edge = doc_row(&edges, i % 1500 == 7 ? "e%05d,n%05d,n%05d,access,read,\"two\nlines\"\n"
                            : "e%05d,n%05d,n%05d,access,read,sync\n", i, 2 * (i / 2),
                            2 * ((i * 7) % (ROWS / 2)) + 1);
    snprintf(epath, sizeof epath, "%s", doc_write(&edges, "pipe_edges.csv"));

    assert_int_equal(ap_test_import_opts(st, paths, 2, &opts, &err), AP_OK);
    assert_string_equal(ap_test_store_state(st), "snapshot=1 node=20000 edge=20000 source=2 "
                                                 "vocab=0");
    assert_int_equal(node_line(st, "n19999"), last_node);
    assert_int_equal(node_line(st, "n19940"), multi);
    assert_int_equal(node_line(st, "n19941"), multi + 2);     /* after the two-line name */
    assert_int_equal(ap_test_count(st, "SELECT line FROM edge WHERE id = 'e19999'"), last_edge);
    g = ap_test_graph(st, 1767225600);
    assert_true((v = ap_graph_find(g, "n19940")) >= 0);
    assert_string_equal(ap_graph_node_str(g, (uint32_t)v, "name"), "Multi\nline 19940");
    assert_true(ap_graph_node_bool(g, (uint32_t)v, "logged", false));
    ap_graph_free(g);
    unlink(npath);
    unlink(epath);
}

/* Errors of every kind, far apart: found by the checking thread (a kind), by the row built
 * again there (a boolean, bad UTF-8, too many fields), and by the parser (a stray quote, which
 * ends the file: the bad kind after it is never read). In order, each at its cell. */
static void test_csv_pipe__errors_far_apart_keep_order_and_places(void **state)
{
    ap_store *st = *state;
    doc d;
    unsigned kind_at = 0, bool_at = 0, utf8_at = 0, extra_at = 0, quote_at = 0;
    ap_error_list more;
    const char *path;
    doc_open(&d, "id,kind,name,logged");
    for (int i = 0; i < ROWS; i++) {
        if (i == 1500)
            kind_at = doc_row(&d, "n%05d,parnter,Name,true\n", i);
        else if (i == 5000)
            bool_at = doc_row(&d, "n%05d,identity,Name,maybe\n", i);
        else if (i == 9000)
            utf8_at = doc_row(&d, "n%05d,identity,N\xff,true\n", i);
        else if (i == 12000)
            extra_at = doc_row(&d, "n%05d,identity,Name,true,x\n", i);
        else if (i == 19000)
            quote_at = doc_row(&d, "n%05d,identity,Na\"me,true\n", i);
        else if (i == 19500)
            doc_row(&d, "n%05d,parnter,Name,true\n", i);
        else
            node_row(&d, i, "identity");
    }
    path = doc_write(&d, "pipe_bad.csv");
    memset(&more, 0, sizeof more);
    ap_test_expect_error(st, &path, 1, &more, path, kind_at, 8,
                         "unknown kind 'parnter' (expected one of " KIND_NAMES ")");
    assert_int_equal(more.total, 4);
    assert_int_equal(more.items[0].line, bool_at);
    assert_int_equal(more.items[0].col, 22);
    assert_string_equal(more.items[0].msg, "'logged' must be true or false, not 'maybe'");
    assert_int_equal(more.items[1].line, utf8_at);
    assert_int_equal(more.items[1].col, 17);
    assert_string_equal(more.items[1].msg, "'name' is not valid UTF-8 text");
    assert_int_equal(more.items[2].line, extra_at);
    assert_int_equal(more.items[2].col, 27);
    assert_string_equal(more.items[2].msg, "row has 5 fields but the header only 4");
    assert_int_equal(more.items[3].line, quote_at);
    assert_int_equal(more.items[3].col, 19);
    assert_string_equal(more.items[3].msg, "invalid CSV: stray '\"' in a field (quote the whole "
                        "field and double the quotes in it)");
    assert_string_equal(ap_test_store_state(st), "snapshot=0 node=0 edge=0 source=0 vocab=0");
    unlink(path);
}

/* A quoted field left open at the end of a long file: found by the parser at its end. */
static void test_csv_pipe__open_quote_at_the_end_of_a_long_file(void **state)
{
    ap_store *st = *state;
    doc d;
    unsigned at;
    const char *path;
    doc_open(&d, "id,kind,name,logged");
    for (int i = 0; i < ROWS; i++)
        node_row(&d, i, "identity");
    at = doc_row(&d, "last,identity,\"open\nto the end");
    path = doc_write(&d, "pipe_open.csv");
    ap_test_expect_error(st, &path, 1, NULL, path, at, 15,
                         "invalid CSV: quoted field not closed at the end of the file");
    unlink(path);
}

/* The last row has no line end: parsed when the text ends, still checked. */
static void test_csv_pipe__last_row_without_a_line_end_is_checked(void **state)
{
    ap_store *st = *state;
    doc d;
    unsigned at;
    const char *path;
    doc_open(&d, "id,kind,name,logged");
    for (int i = 0; i < 3 * 1024; i++)          /* whole batches: the last row starts one */
        node_row(&d, i, "identity");
    at = doc_row(&d, "last,parnter");
    path = doc_write(&d, "pipe_last.csv");
    ap_test_expect_error(st, &path, 1, NULL, path, at, 6,
                         "unknown kind 'parnter' (expected one of " KIND_NAMES ")");
    unlink(path);
}

/* Each row is read into the same object: a cell left empty, missing or bad in one row has
 * nothing of the row before it. */
static void test_csv_pipe__rows_keep_nothing_of_the_row_before(void **state)
{
    ap_store *st = *state;
    const char *path = ap_test_write_temp("alike.csv",
        "id,kind,name,logged,owner\n"
        "a,identity,Alpha,true,alice\n"
        "b,identity,,,\n"
        "c,identity,Gamma,false\n"
        "d,identity,Delta,TRUE,dave\n"
        "e,resource\n");
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    ap_error err;
    ap_graph *g;
    static const char *const want[][2] = {
        { "a", "{\"logged\":true,\"name\":\"Alpha\",\"owner\":\"alice\"}" },
        { "b", "{}" },
        { "c", "{\"logged\":false,\"name\":\"Gamma\"}" },
        { "d", "{\"logged\":true,\"name\":\"Delta\",\"owner\":\"dave\"}" },
        { "e", "{}" },
    };
    assert_int_equal(ap_test_import_opts(st, &path, 1, &opts, &err), AP_OK);
    g = ap_test_graph(st, 1767225600);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        int64_t v = ap_graph_find(g, want[i][0]);
        assert_true(v >= 0);
        assert_string_equal(ap_graph_node(g, (uint32_t)v)->attrs, want[i][1]);
    }
    ap_graph_free(g);
    unlink(path);
}

/* A bad cell in a column the row before filled is still found (text, then a boolean). */
static void test_csv_pipe__bad_cells_in_filled_columns_are_found(void **state)
{
    ap_store *st = *state;
    ap_error_list more;
    const char *path = ap_test_write_temp("alike_bad.csv",
        "id,kind,name,logged\n"
        "a,identity,Alpha,true\n"
        "b,identity,B\xff,maybe\n");
    memset(&more, 0, sizeof more);
    ap_test_expect_error(st, &path, 1, &more, path, 3, 12, "'name' is not valid UTF-8 text");
    assert_int_equal(more.total, 1);
    assert_string_equal(more.items[0].msg, "'logged' must be true or false, not 'maybe'");
    unlink(path);
}

#define TEST(name) cmocka_unit_test_setup_teardown(name, ap_test_store_setup, \
                                                   ap_test_store_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        TEST(test_csv_pipe__long_files_import_with_their_places),
        TEST(test_csv_pipe__errors_far_apart_keep_order_and_places),
        TEST(test_csv_pipe__open_quote_at_the_end_of_a_long_file),
        TEST(test_csv_pipe__last_row_without_a_line_end_is_checked),
        TEST(test_csv_pipe__rows_keep_nothing_of_the_row_before),
        TEST(test_csv_pipe__bad_cells_in_filled_columns_are_found),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
