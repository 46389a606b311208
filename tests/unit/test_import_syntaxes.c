/* tests/unit/test_import_syntaxes.c: one estate, three syntaxes. The fixtures json/good.json,
 * yaml/good.yaml and csv/good_{nodes,edges,rights}.csv, and the samples, load into one graph. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* Everything the graph knows of each node and edge, but where it came from. */
static char *dump_graph(const ap_graph *g)
{
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        const ap_node *n = ap_graph_node(g, v);
        fprintf(f, "node %s kind=%d state=%d valid_from=%lld expires=%lld sensitivity=%d "
                "live=%d attrs=%s\n", n->id, n->kind, n->state, (long long)n->valid_from,
                (long long)n->expires, n->sensitivity, n->live, n->attrs);
    }
    for (uint32_t e = 0; e < ap_graph_edge_count(g); e++) {
        const ap_edge *x = ap_graph_edge(g, e);
        fprintf(f, "edge %s %s->%s kind=%d rights=%llx requires=%llx escalates=%d declared=%d "
                "traversable=%d state=%d valid_from=%lld expires=%lld live=%d attrs=%s\n",
                x->id, ap_graph_node(g, x->from)->id, ap_graph_node(g, x->to)->id, x->kind,
                (unsigned long long)x->rights, (unsigned long long)x->requires, x->escalates,
                x->declared, x->traversable, x->state, (long long)x->valid_from,
                (long long)x->expires, x->live, x->attrs);
    }
    fclose(f);
    return text;
}

static char *import_and_dump(const char *const *paths, size_t n)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
    ap_store *st = NULL;
    ap_graph *g;
    ap_error err;
    int64_t snap;
    char *text;
    if (ap_store_open(&st, ":memory:", &err) != AP_OK)
        fail_msg("store: %s", err.msg);
    if (ap_import_files(st, paths, n, &opts, &snap, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    g = ap_test_graph(st, 1767225600);
    text = dump_graph(g);
    ap_graph_free(g);
    ap_store_close(st);
    return text;
}

static void test_import_syntaxes__json_yaml_csv_give_one_graph(void **state)
{
    const char *json[] = { FIXTURE("json/good.json") };
    const char *yaml[] = { FIXTURE("yaml/good.yaml") };
    const char *csv[] = { FIXTURE("csv/good_edges.csv"), FIXTURE("csv/good_rights.csv"),
                          FIXTURE("csv/good_nodes.csv") };
    char *a, *b, *c;
    (void)state;
    ap_igraph_init();
    a = import_and_dump(json, 1);
    b = import_and_dump(yaml, 1);
    c = import_and_dump(csv, 3);
    assert_non_null(strstr(a, "node acme kind=0 state=2 "));
    assert_non_null(strstr(a, "edge dep-1 acme-sa->crm kind=10 "));
    assert_non_null(strstr(a, "\"purpose\":\"sync contacts\\nnightly\""));
    assert_string_equal(b, a);
    assert_string_equal(c, a);
    free(a);
    free(b);
    free(c);
}

/* The sample estate is shipped in all three syntaxes: they must stay the same estate. */
static void test_import_syntaxes__samples_agree(void **state)
{
    const char *json[] = { SAMPLE("estate.json") };
    const char *yaml[] = { SAMPLE("estate.yaml") };
    const char *csv[] = { SAMPLE("estate-nodes.csv"), SAMPLE("estate-edges.csv"),
                          SAMPLE("estate-rights.csv") };
    char *a, *b, *c;
    (void)state;
    ap_igraph_init();
    a = import_and_dump(json, 1);
    b = import_and_dump(yaml, 1);
    c = import_and_dump(csv, 3);
    assert_true(strlen(a) > 10000);
    assert_string_equal(b, a);
    assert_string_equal(c, a);
    free(a);
    free(b);
    free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_syntaxes__json_yaml_csv_give_one_graph),
        cmocka_unit_test(test_import_syntaxes__samples_agree),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
