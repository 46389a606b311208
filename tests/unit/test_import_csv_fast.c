/* tests/unit/test_import_csv_fast.c: the rows of nodes and edges files staged straight from
 * their cells (import/csv_fast.c) against the generic path on the same rows: the same rows
 * stored, the same errors at the same places. One more column, empty in every row, makes a file
 * take the generic path (edges: a column csv_fast.c does not read; nodes: a scope, which it
 * leaves to jansson), and shifts no place before it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "support.h"
#include "../../graph/graph_internal.h"
#include "../../import/csv_internal.h"

#define HEADER "id,from,to,kind,rights,requires,escalates,state,valid_from,expires"
#define NODE_HEADER "id,kind,name,tier,state,sensitivity,valid_from,expires,contract_ends," \
                    "static,multi_tenant,owner,zone"

/* Nodes that import: every attribute kind, booleans in any case, quoted and guarded cells, a
 * name over two lines and one with quotes (both left to the generic path: not plain text). */
static const char *const good_nodes[] = {
    "p,partner,Partner P,privileged,,,,,2029-12-31,,,vendor-mgmt,",
    "i,identity,Ida,,approved,,2024-01-01,2027-06-30T12:00:00Z,,TRUE,false,,eu-1",
    "c,credential,,,,confidential,,,,,,,",
    "r,role,\"Role, admin\",,suspended,,,,,,,,",
    "x,resource,X,,,restricted,,2030-01-01,,,True,ops,",
    "-r,role,'-r,,,,,,,,,,",
    "y,resource,\"two\nlines\",,,,,,,,,,",
    "z,resource,\"a \"\"quoted\"\" name\",,,,,,,,,,",
    "w,workflow",
    "v,resource,back\\slash,,,,,,,,,,",
};

/* Nodes with something wrong. */
static const char *const bad_nodes[] = {
    "n1,parnter,Name,,,,,,,,,,",            /* unknown kind */
    "n2,identity,Name,platinum,,,,,,,,,",   /* unknown tier */
    "n3,identity,Name,,gone,,,,,,,,",       /* unknown state */
    "n4,resource,Name,,,secret,,,,,,,",     /* unknown sensitivity */
    "n5,identity,Name,,,,2024-02-30,,,,,,",  /* bad dates */
    "n6,identity,Name,,,,,,2029-13-01,,,,",
    "n7,identity,Name,,,,,,,maybe,,,",      /* not a boolean */
    "n8,identity,N\xff,,,,,,,,,,",           /* not UTF-8 */
    "i,identity,Again,,,,,,,,,,",           /* a repeated id */
    "n9,,Name,,,,,,,,,,",                   /* no kind */
    ",identity,Name,,,,,,,,,,",             /* no id */
};

/* Rows that import: defaults, ids left to the store (repeats numbered), rights lists with
 * spaces, "all" and "none", custom rights (their first use takes the generic path, which
 * remembers it), booleans in any case, times with offsets, quoted cells, a cell our
 * CSV writer guarded, short rows. */
static const char *const good_rows[] = {
    "e1,p,i,holds,,,,,,",
    ",p,i,holds,,,,,,",
    ",p,i,holds,,,,,,",
    "e2,i,c,authenticates_as,read|write,,,,,",
    "e3,i,r,can_assume, read | admin ,approve,TRUE,revoked,2024-01-01,2027-06-30T12:00:00Z",
    "e4,r,x,access,all,none,false,approved,,2026-01-01",
    "e5,r,x,access,none,,,,,",
    "e6,r,x,access,read|all,,,,,",
    "e7,r,x,access,sync,,,,,",
    "e8,r,x,access,sync|read,sync,,,,",
    "\"e9\",\"r\",\"x\",access,\"read|write\",,,,,",
    "e10,'-r,x,access,,,,,,",
    "e11,r,x,access",
    "e12,r,x,access,,read,,,2025-01-01T10:00:00+02:00,",
    "e13,p,x,subcontractor_of,,,,suspended,,",
    "e14,r,x,depends_on,,,,,,",
    "e15,r,\"x\",access,\"read\",,,,,",
};

/* Rows with something wrong, between good ones: each error must be the generic path's, at the
 * same line and column. */
static const char *const bad_rows[] = {
    "e20,r,x,acces,,,,,,",                  /* unknown kind */
    "e21,r,x,access,read||write,,,,,",      /* an empty right */
    "e22,r,x,access,push,,,,,",             /* a right never declared: first use */
    "e23,r,x,access,push|read,,,,,",        /* and again */
    "e24,r,x,access,,,maybe,,,",            /* not a boolean */
    "e25,r,x,access,,,,gone,,",             /* unknown state */
    "e26,r,x,access,,,,,2024-13-01,",       /* a bad date */
    "e27,r,x,access,,,,,,2024-02-30",
    "e28,r,nowhere,access,,,,,,",           /* an undeclared end */
    "e29,elsewhere,x,access,,,,,,",
    "e30,r,x,access,\"read|\nwrite\",,,,,", /* a right over two lines */
    "e31,r,\xc3\xa4,access,,,,,,",          /* UTF-8: checked by the generic path */
    "e32,r,x\xff,access,,,,,,",             /* not UTF-8 */
    "e1,p,i,holds,,,,,,",                   /* a repeated id */
    ",r,x,,,,,,,",                          /* no kind */
    "e33,,x,access,,,,,,",                  /* no from */
    "e34,r,x,access,,,,approved,\"2024-01-01\",\"2024-02-30\"",
    "e35,r,x,access,,,\"true\",,,",
    "e36,r,x,access,READ,,,,,",             /* rights are case-sensitive */
    "e37,r,x,access,,,,,2024-01-01T25:00:00Z,",
    "e38,'=r,x,access,,,,,,",               /* a guarded cell: '=r is the node =r */
    "e39,r,x,access,,,,Approved,,",         /* states are lower case */
};

static char paths[3][512];

/* Rows after a header, one more empty column in each when slow. */
static char *csv(const char *header, const char *extra, const char *const *rows, size_t n,
                 int slow)
{
    size_t cap = 1 << 20, used = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    used += (size_t)snprintf(text, cap, "%s%s\n", header, slow ? extra : "");
    for (size_t i = 0; i < n; i++)
        used += (size_t)snprintf(text + used, cap - used, "%s%s\n", rows[i], slow ? "," : "");
    assert_true(used < cap);
    return text;
}

typedef struct {
    const char *const *nodes, *const *edges;
    size_t nnodes, nedges;
} estate;

/* The rights, nodes and edges files; each file has the same path either way, so messages
 * naming it are alike. */
static void write_files(const estate *es, int slow)
{
    char *nodes = csv(NODE_HEADER, ",scope", es->nodes, es->nnodes, slow);
    char *edges = csv(HEADER, ",note", es->edges, es->nedges, slow);
    snprintf(paths[0], sizeof paths[0], "%s", ap_test_write_temp("fast_rights.csv",
                                                                 "right\nsync\n"));
    snprintf(paths[1], sizeof paths[1], "%s", ap_test_write_temp("fast_nodes.csv", nodes));
    snprintf(paths[2], sizeof paths[2], "%s", ap_test_write_temp("fast_edges.csv", edges));
    free(nodes);
    free(edges);
}

/* Every stored node and edge (an edge's ends by id) and the vocabulary, as text. */
static char *stored(ap_store *st)
{
    sqlite3_stmt *stmt = NULL;
    size_t cap = 1 << 20, used = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    text[0] = '\0';
    assert_int_equal(sqlite3_prepare_v2(st->db,
        "SELECT e.id || ' ' || a.id || ' ' || b.id || ' ' || e.kind || ' ' || e.rights || ' '"
        " || e.requires || ' ' || e.escalates || ' ' || e.declared || ' ' || e.state || ' '"
        " || quote(e.valid_from) || ' ' || quote(e.expires) || ' ' || e.attrs || ' ' || e.line"
        " || ':' || e.col FROM edge e JOIN ident a ON a.key = e.src JOIN ident b"
        " ON b.key = e.dst UNION ALL SELECT 'right ' || bit || ' ' || name FROM vocab"
        " UNION ALL SELECT 'node ' || i.id || ' ' || n.kind || ' ' || n.state || ' '"
        " || quote(n.valid_from) || ' ' || quote(n.expires) || ' ' || quote(n.sensitivity)"
        " || ' ' || n.attrs || ' ' || n.line || ':' || n.col FROM node n JOIN ident i"
        " ON i.key = n.key"
        " ORDER BY 1", -1, &stmt, NULL), SQLITE_OK);
    while (sqlite3_step(stmt) == SQLITE_ROW)
        used += (size_t)snprintf(text + used, cap - used, "%s\n", sqlite3_column_text(stmt, 0));
    sqlite3_finalize(stmt);
    assert_true(used < cap);
    return text;
}

/* Import the files into a fresh store: the status, then what it stored or every error. */
static char *import_result(int slow, const estate *es)
{
    ap_store *st = NULL;
    ap_error err;
    ap_error_list more;
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600, .more = &more };
    const char *const files[3] = { paths[0], paths[1], paths[2] };
    int64_t snap = 0;
    size_t cap = 1 << 20, used = 0;
    char *text = malloc(cap);
    int rc;
    assert_non_null(text);
    write_files(es, slow);
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    memset(&more, 0, sizeof more);
    memset(&err, 0, sizeof err);
    rc = ap_import_files(st, files, 3, &opts, &snap, &err);
    used += (size_t)snprintf(text, cap, "rc %d\n", rc);
    if (rc == AP_OK) {
        char *rows_text = stored(st);
        used += (size_t)snprintf(text + used, cap - used, "%s", rows_text);
        free(rows_text);
    } else {
        used += (size_t)snprintf(text + used, cap - used, "%s:%u:%u: %s\n", err.file, err.line,
                                 err.col, err.msg);
        for (size_t i = 0; i < more.count; i++)
            used += (size_t)snprintf(text + used, cap - used, "%s:%u:%u: %s\n",
                                     more.items[i].file, more.items[i].line, more.items[i].col,
                                     more.items[i].msg);
        used += (size_t)snprintf(text + used, cap - used, "%s\n", ap_test_store_state(st));
    }
    assert_true(used < cap);
    ap_store_close(st);
    for (int i = 0; i < 3; i++)
        unlink(paths[i]);
    return text;
}

/* The good rows store the same edges either way, and what the fast path gives them is what
 * docs/design.md says (spot checks: the generic path is tested on its own elsewhere). */
#define COUNT(a) (sizeof (a) / sizeof *(a))

static void same_both_ways(const estate *es, char **out)
{
    unsigned long before = ap_csv__fast_staged();
    char *fast = import_result(0, es);
    unsigned long after_fast = ap_csv__fast_staged();
    char *slow = import_result(1, es);
    assert_true(after_fast > before);                   /* the fast path staged rows */
    assert_true(ap_csv__fast_staged() == after_fast);   /* and the slow files took none */
    assert_string_equal(fast, slow);
    free(slow);
    *out = fast;
}

static void test_csv_fast__good_rows_store_what_the_generic_path_stores(void **state)
{
    estate es = { good_nodes, good_rows, COUNT(good_nodes), COUNT(good_rows) };
    char *fast;
    (void)state;
    same_both_ways(&es, &fast);
    assert_non_null(strstr(fast, "rc 0\n"));
    /* spot checks of what docs/design.md says (the generic path is tested on its own) */
    /* read|admin = bits 0 and 3; approve = bit 5; escalates; revoked = 5 */
    assert_non_null(strstr(fast, "\ne3 i r 3 9 32 1 1 5 1704067200 1814356800 "
                                 "{\"expires\":\"2027-06-30T12:00:00Z\",\"state\":\"revoked\","
                                 "\"valid_from\":\"2024-01-01\"} 6:1\n"));
    assert_non_null(strstr(fast, "\np|holds|i#2 p i 0 -1 0 0 0 2 NULL NULL {} 4:1\n"));
    assert_non_null(strstr(fast, "\ne8 r x 7 257 256 0 1 2 NULL NULL {} 11:1\n"));
    assert_non_null(strstr(fast, "\ne10 -r x 7 -1 0 0 0 2 NULL NULL {} 13:1\n"));
    assert_non_null(strstr(fast, "\nright 8 sync\n"));
    assert_non_null(strstr(fast, "\nnode i 1 1 1704067200 1814356800 NULL {\"expires\":"
                                 "\"2027-06-30T12:00:00Z\",\"multi_tenant\":false,\"name\":"
                                 "\"Ida\",\"state\":\"approved\",\"static\":true,"
                                 "\"valid_from\":\"2024-01-01\",\"zone\":\"eu-1\"} 3:1\n"));
    free(fast);
}

/* Good and bad rows mixed: the same errors, in the same order, at the same places, and the
 * database untouched either way. */
static void test_csv_fast__errors_are_the_generic_paths(void **state)
{
    const char *nodes[COUNT(good_nodes) + COUNT(bad_nodes)];
    const char *edges[COUNT(good_rows) + COUNT(bad_rows)];
    estate es = { nodes, edges, 0, 0 };
    char *fast;
    (void)state;
    for (size_t i = 0; i < COUNT(good_nodes) || i < COUNT(bad_nodes); i++) {
        if (i < COUNT(good_nodes))
            nodes[es.nnodes++] = good_nodes[i];
        if (i < COUNT(bad_nodes))
            nodes[es.nnodes++] = bad_nodes[i];
    }
    for (size_t i = 0; i < COUNT(good_rows) || i < COUNT(bad_rows); i++) {
        if (i < COUNT(good_rows))
            edges[es.nedges++] = good_rows[i];
        if (i < COUNT(bad_rows))
            edges[es.nedges++] = bad_rows[i];
    }
    es.nodes = nodes;
    same_both_ways(&es, &fast);
    assert_non_null(strstr(fast, "rc -1\n"));
    assert_non_null(strstr(fast, "fast_edges.csv:3:9: unknown edge kind 'acces' (expected one"));
    assert_non_null(strstr(fast, "fast_nodes.csv:3:4: unknown kind 'parnter' (expected one"));
    assert_non_null(strstr(fast, "snapshot=0 node=0 edge=0 source=0 vocab=0\n"));
    free(fast);
}

/* Each bad row alone between good ones: a fast row before it leaves nothing behind in it, and
 * its error is the generic path's. */
static void test_csv_fast__each_bad_row_alone(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(bad_rows); i++) {
        const char *rows[3] = { good_rows[0], bad_rows[i], good_rows[4] };
        estate es = { good_nodes, rows, COUNT(good_nodes), 3 };
        char *fast;
        same_both_ways(&es, &fast);
        free(fast);
    }
    for (size_t i = 0; i < COUNT(bad_nodes); i++) {
        const char *nodes[COUNT(good_nodes) + 1];
        estate es = { nodes, good_rows, COUNT(good_nodes) + 1, COUNT(good_rows) };
        char *fast;
        memcpy(nodes, good_nodes, sizeof good_nodes);
        nodes[COUNT(good_nodes)] = bad_nodes[i];
        same_both_ways(&es, &fast);
        free(fast);
    }
}

/* Longer than the reader's batches of 1,024 rows (the ends of the next rows are looked up
 * ahead, csv_pipe.c): good rows and, far apart, bad ones, the same both ways. */
static void test_csv_fast__rows_across_batches(void **state)
{
    enum { N = 5000 };
    static char text[N][64];
    const char *rows[N];
    estate es = { good_nodes, rows, COUNT(good_nodes), N };
    char *fast;
    (void)state;
    for (int i = 0; i < N; i++) {
        static const char *const ends[] = { "p", "i", "c", "r", "x", "-r", "y", "z", "w", "v" };
        if (i % 1500 == 999)
            snprintf(text[i], sizeof text[i], "b%d,r,x,acces,,,,,,", i);
        else if (i % 1700 == 1001)
            snprintf(text[i], sizeof text[i], "b%d,r,gone%d,access,,,,,,", i, i);
        else
            snprintf(text[i], sizeof text[i], "e%d,%s,%s,access,read,,,,,%s", i, ends[i % 10],
                     ends[(i * 7 + 3) % 10], i % 3 ? "" : "2030-01-01");
        rows[i] = text[i];
    }
    same_both_ways(&es, &fast);
    assert_non_null(strstr(fast, "fast_edges.csv:1001:10: unknown edge kind 'acces'"));
    assert_non_null(strstr(fast, "fast_edges.csv:1003:9: edge to undeclared node 'gone1001'"));
    free(fast);
    for (int i = 0; i < N; i++)         /* and all good: the same rows stored */
        if (i % 1500 == 999 || i % 1700 == 1001)
            snprintf(text[i], sizeof text[i], "g%d,p,i,holds,,,,,,", i);
    same_both_ways(&es, &fast);
    assert_non_null(strstr(fast, "rc 0\n"));
    assert_non_null(strstr(fast, "\ne4999 v y 7 1 0 0 1 2 NULL NULL {} 5001:1\n"));
    free(fast);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_csv_fast__good_rows_store_what_the_generic_path_stores),
        cmocka_unit_test(test_csv_fast__errors_are_the_generic_paths),
        cmocka_unit_test(test_csv_fast__each_bad_row_alone),
        cmocka_unit_test(test_csv_fast__rows_across_batches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
