/* tests/unit/test_graph_image_holes.c: a whole load unmaps the graph image's records and keeps
 * its strings; freeing the graph unmaps what is left, never what the process mapped in a hole. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "support.h"
#include "../../graph/graph_internal.h"

#define NODES 400

static char dir[256], db_path[512];

static void write_estate(void)
{
    char path[600];
    FILE *f;
    snprintf(path, sizeof path, "%s/nodes.csv", dir);
    assert_non_null(f = fopen(path, "w"));
    fprintf(f, "id,kind\np,partner\n");
    for (int i = 0; i < NODES; i++)
        fprintf(f, "r%d,resource\n", i);
    fclose(f);
    snprintf(path, sizeof path, "%s/edges.csv", dir);
    assert_non_null(f = fopen(path, "w"));
    fprintf(f, "from,to,kind,rights\n");
    for (int i = 0; i < NODES; i++)
        fprintf(f, "p,r%d,access,read\n", i);
    fclose(f);
}

static void test_graph_image_holes__free_leaves_a_later_mapping(void **state)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    ap_store *st = NULL;
    ap_graph *g = NULL;
    ap_error err;
    char nodes[600], edges[600];
    const char *paths[] = { nodes, edges };
    long page = sysconf(_SC_PAGESIZE);
    (void)state;
    snprintf(dir, sizeof dir, "%s/ap_holes_XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    assert_non_null(mkdtemp(dir));
    write_estate();
    snprintf(nodes, sizeof nodes, "%s/nodes.csv", dir);
    snprintf(edges, sizeof edges, "%s/edges.csv", dir);
    snprintf(db_path, sizeof db_path, "%s/h.db", dir);
    assert_int_equal(ap_store_open(&st, db_path, &err), AP_OK);
    if (ap_test_import_opts(st, paths, 2, &opts, &err) != AP_OK)
        fail_msg("import: %s", err.msg);
    assert_int_equal(ap_graph_load(&g, st, 0, 1767225600, &err), AP_OK);
    if (strncmp(g->load_note, "the graph image", 15) != 0)
        fail_msg("not loaded from the image: %s", g->load_note);
    /* the records' pages went; the strings stay readable */
    if (g->holes.n < 2)
        fail_msg("%u holes in the image mapping", g->holes.n);
    assert_string_equal(ap_graph_node(g, ap_graph_node_count(g) - 1)->id, "r99");
    /* a page the process maps in a hole afterwards (or that something else mapped there) */
    char *hole = (char *)g->image + g->holes.lo[0];
    char *mine = mmap(hole, (size_t)page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    bool owned = mine == hole;
    if (owned)
        mine[0] = 42;
    ap_graph_free(g);
    if (msync(hole, (size_t)page, MS_ASYNC) != 0)
        fail_msg("freeing the graph unmapped a page mapped in its hole since");
    if (owned) {
        assert_int_equal(mine[0], 42);
        munmap(mine, (size_t)page);
    }
    ap_store_close(st);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_graph_image_holes__free_leaves_a_later_mapping),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
