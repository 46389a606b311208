/* tests/unit/test_query_paths.c: authority-carrying paths: shortest first, the chain's own
 * rights, the target order, and both bounds (--max-paths, --max-depth) said, never silent. */
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"
#include "support.h"

#define AT 1767225600       /* 2026-01-01 */

typedef struct {
    ap_store *st;
    ap_graph *g;
} fixture;

static int setup_file(void **state, const char *path)
{
    fixture *f = calloc(1, sizeof *f);
    ap_error err;
    if (f == NULL || ap_test_store_setup((void **)&f->st) != 0)
        return -1;
    if (ap_test_import(f->st, path, &err) != AP_OK) {
        fprintf(stderr, "import %s: %s\n", path, err.msg);
        return -1;
    }
    f->g = ap_test_graph(f->st, AT);
    *state = f;
    return 0;
}

static int setup_estate(void **s) { return setup_file(s, FIXTURE("diagrams/estate.json")); }
static int setup_fanout(void **s) { return setup_file(s, FIXTURE("diagrams/fanout.json")); }

static int teardown(void **state)
{
    fixture *f = *state;
    ap_graph_free(f->g);
    ap_store_close(f->st);
    free(f);
    return 0;
}

static uint32_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return (uint32_t)v;
}

static ap_rights right(const ap_graph *g, const char *name)
{
    int bit = ap_vocab_find(ap_graph_vocab(g), name);
    assert_true(bit >= 0);
    return (ap_rights)1 << bit;
}

/* Paths from `from` to `to` with the given bounds. */
static ap_paths *paths(const ap_graph *g, const char *from, const char *to, uint32_t depth,
                       uint32_t max, ap_authority **a)
{
    ap_paths_opts o = { depth, max };
    ap_paths *p = NULL;
    ap_error err;
    uint32_t t = node(g, to);
    assert_int_equal(ap_authority_compute(a, g, node(g, from), &err), AP_OK);
    assert_int_equal(ap_paths_compute(&p, g, *a, &t, 1, &o, &err), AP_OK);
    assert_int_equal(p->nsets, 1);
    return p;
}

/* "acme>key-shared>svc-backup>payments-db": the nodes of path k. */
static void path_ids(char *buf, size_t size, const ap_graph *g, const ap_path_set *s, uint32_t k)
{
    uint32_t first = ap_graph_edge(g, s->edges[s->off[k]])->from;
    size_t used = (size_t)snprintf(buf, size, "%s", ap_graph_node(g, first)->id);
    for (uint32_t j = s->off[k]; j < s->off[k + 1] && used < size; j++)
        used += (size_t)snprintf(buf + used, size - used, ">%s",
                                 ap_graph_node(g, ap_graph_edge(g, s->edges[j])->to)->id);
}

/* Three chains reach the payments database; the shortest comes first, ties by the ids. */
static void test_paths__shortest_first_with_chain_rights(void **state)
{
    fixture *f = *state;
    ap_authority *a = NULL;
    ap_paths *p = paths(f->g, "acme", "payments-db", 0, 0, &a);
    const ap_path_set *s = &p->sets[0];
    char buf[256];
    assert_int_equal(p->max_depth, AP_PATHS_MAX_DEPTH);
    assert_int_equal(p->max_paths, AP_PATHS_MAX_PATHS);
    assert_int_equal(s->npaths, 3);
    assert_false(s->more);
    assert_false(s->deeper);
    path_ids(buf, sizeof buf, f->g, s, 0);
    assert_string_equal(buf, "acme>key-shared>svc-backup>payments-db");
    path_ids(buf, sizeof buf, f->g, s, 1);
    assert_string_equal(buf, "acme>key-acme>svc-acme>role-ops>payments-db");
    path_ids(buf, sizeof buf, f->g, s, 2);
    assert_string_equal(buf, "acme>key-acme>svc-acme>svc-backup>payments-db");
    /* each chain alone: read through svc-backup, read and write through role-ops */
    assert_true(s->rights[0] == right(f->g, "read"));
    assert_true(s->rights[1] == (right(f->g, "read") | right(f->g, "write")));
    assert_true(s->rights[2] == right(f->g, "read"));
    ap_paths_free(p);
    ap_authority_free(a);
}

/* The triggers gate is judged on what payments-db holds in all (write, through role-ops), so a
 * read-only chain still sets off the payment run, and runs_as escalates past it. */
static void test_paths__gate_on_fixpoint_and_escalation(void **state)
{
    fixture *f = *state;
    ap_authority *a = NULL;
    ap_paths *p = paths(f->g, "acme", "ledger", 0, 0, &a);
    const ap_path_set *s = &p->sets[0];
    char buf[256];
    assert_int_equal(s->npaths, 3);
    path_ids(buf, sizeof buf, f->g, s, 0);
    assert_string_equal(buf, "acme>key-shared>svc-backup>payments-db>payment-run>svc-payments>"
                             "ledger");
    assert_true(s->rights[0] == (right(f->g, "read") | right(f->g, "write")));
    assert_int_equal(ap_paths_chain_rights(f->g, a, s->edges, 4), right(f->g, "read"));
    ap_paths_free(p);
    ap_authority_free(a);
}

/* No authority, no path, and no claim that anything was cut short. */
static void test_paths__unreached_target_has_none(void **state)
{
    fixture *f = *state;
    ap_authority *a = NULL;
    ap_paths *p = paths(f->g, "acme", "wiki", 0, 0, &a);
    assert_int_equal(p->sets[0].npaths, 0);
    assert_false(p->sets[0].more);
    assert_false(p->sets[0].deeper);
    ap_paths_free(p);
    ap_authority_free(a);
}

/* Targets: reached resources and workflows at or above the threshold, most sensitive first. */
static void test_paths__targets_by_sensitivity_then_id(void **state)
{
    fixture *f = *state;
    ap_authority *a = NULL;
    uint32_t *t = NULL, n = 0;
    ap_error err;
    assert_int_equal(ap_authority_compute(&a, f->g, node(f->g, "acme"), &err), AP_OK);
    assert_int_equal(ap_paths_targets(&t, &n, f->g, a, AP_SENS_CONFIDENTIAL, &err), AP_OK);
    assert_int_equal(n, 4);
    assert_string_equal(ap_graph_node(f->g, t[0])->id, "payment-run");
    assert_string_equal(ap_graph_node(f->g, t[1])->id, "payments-db");
    assert_string_equal(ap_graph_node(f->g, t[2])->id, "ledger");
    assert_string_equal(ap_graph_node(f->g, t[3])->id, "crm");
    free(t);
    assert_int_equal(ap_paths_targets(&t, &n, f->g, a, AP_SENS_CRITICAL, &err), AP_OK);
    assert_int_equal(n, 2);
    free(t);
    ap_authority_free(a);
}

/* 3 x 3 x 3 = 27 paths to the vault: the default bound stops at 20 and says more exist. */
static void test_paths__max_paths_bound_is_said(void **state)
{
    fixture *f = *state;
    ap_authority *a = NULL;
    ap_paths *p = paths(f->g, "fan", "vault", 0, 0, &a);
    assert_int_equal(p->sets[0].npaths, 20);
    assert_true(p->sets[0].more);
    assert_false(p->sets[0].deeper);
    for (uint32_t k = 0; k < 20; k++)
        assert_int_equal(p->sets[0].off[k + 1] - p->sets[0].off[k], 4);
    ap_paths_free(p);
    ap_authority_free(a);
    p = paths(f->g, "fan", "vault", 0, 27, &a);
    assert_int_equal(p->sets[0].npaths, 27);
    assert_false(p->sets[0].more);
    ap_paths_free(p);
    ap_authority_free(a);
    p = paths(f->g, "fan", "vault", 0, 100, &a);
    assert_int_equal(p->sets[0].npaths, 27);
    assert_false(p->sets[0].more);
    /* every path distinct */
    for (uint32_t i = 0; i < 27; i++)
        for (uint32_t j = i + 1; j < 27; j++)
            assert_memory_not_equal(p->sets[0].edges + p->sets[0].off[i],
                                    p->sets[0].edges + p->sets[0].off[j], 4 * sizeof(uint32_t));
    ap_paths_free(p);
    ap_authority_free(a);
}

/* 'far' is five steps away: a depth of four leaves it out and says so. */
static void test_paths__max_depth_bound_is_said(void **state)
{
    fixture *f = *state;
    ap_authority *a = NULL;
    ap_paths *p = paths(f->g, "fan", "far", 4, 0, &a);
    assert_int_equal(p->sets[0].npaths, 0);
    assert_true(p->sets[0].deeper);
    assert_false(p->sets[0].more);
    ap_paths_free(p);
    ap_authority_free(a);
    p = paths(f->g, "fan", "far", 5, 0, &a);
    assert_int_equal(p->sets[0].npaths, 1);
    assert_false(p->sets[0].deeper);
    ap_paths_free(p);
    ap_authority_free(a);
}

int main(void)
{
    const struct CMUnitTest estate[] = {
        cmocka_unit_test(test_paths__shortest_first_with_chain_rights),
        cmocka_unit_test(test_paths__gate_on_fixpoint_and_escalation),
        cmocka_unit_test(test_paths__unreached_target_has_none),
        cmocka_unit_test(test_paths__targets_by_sensitivity_then_id),
    };
    const struct CMUnitTest fanout[] = {
        cmocka_unit_test(test_paths__max_paths_bound_is_said),
        cmocka_unit_test(test_paths__max_depth_bound_is_said),
    };
    return cmocka_run_group_tests_name("estate", estate, setup_estate, teardown)
           | cmocka_run_group_tests_name("fanout", fanout, setup_fanout, teardown);
}
