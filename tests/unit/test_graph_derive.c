/* tests/unit/test_graph_derive.c: hypothetical graphs derived from a loaded one: removed and
 * added edges, revoked nodes, origins, re-sorted rows, and the errors an edit can raise. */
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "support.h"

#define AT 1767225600                       /* 2026-01-01 */

static int setup(void **state)
{
    ap_error err;
    if (ap_test_store_setup(state) != 0)
        return -1;
    if (ap_test_import(*state, FIXTURE("offboard/msp.json"), &err) != AP_OK) {
        fprintf(stderr, "import: %s\n", err.msg);
        return -1;
    }
    return 0;
}

static uint32_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return (uint32_t)v;
}

static uint32_t edge(const ap_graph *g, const char *id)
{
    int64_t e = ap_graph_find_edge(g, id);
    if (e < 0)
        fail_msg("no edge '%s'", id);
    return (uint32_t)e;
}

static ap_rights rights_of(const ap_graph *g, const char *src, const char *dst)
{
    ap_authority *a = NULL;
    ap_error err;
    assert_int_equal(ap_authority_compute(&a, g, node(g, src), &err), AP_OK);
    ap_rights r = a->rights[node(g, dst)];
    ap_authority_free(a);
    return r;
}

/* Rows stay consistent: out-rows sorted by (from, to, id), in-rows list each edge once. */
static void check_rows(const ap_graph *g)
{
    uint32_t seen = 0;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
        for (uint32_t e = ap_graph_out_begin(g, v); e < ap_graph_out_end(g, v); e++) {
            assert_int_equal(ap_graph_edge(g, e)->from, v);
            if (e > ap_graph_out_begin(g, v)) {
                const ap_edge *p = ap_graph_edge(g, e - 1), *q = ap_graph_edge(g, e);
                assert_true(p->to < q->to || (p->to == q->to && strcmp(p->id, q->id) < 0));
            }
        }
        for (uint32_t i = ap_graph_in_begin(g, v); i < ap_graph_in_end(g, v); i++) {
            assert_int_equal(ap_graph_edge(g, ap_graph_in_edge(g, i))->to, v);
            seen++;
        }
    }
    assert_int_equal(seen, ap_graph_edge_count(g));
}

/* Removing the MSP's holds edge to its key cuts crm off the MSP; the parent keeps it. */
static void test_graph_derive__removed_edge_is_gone(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT), *d = NULL;
    ap_error err;
    uint32_t rm = edge(g, "msp|holds|msp-key");
    ap_graph_edit edit = { .remove = &rm, .nremove = 1 };
    assert_int_equal(ap_graph_derive(&d, g, &edit, &err), AP_OK);
    assert_int_equal(ap_graph_edge_count(d), ap_graph_edge_count(g) - 1);
    assert_int_equal(ap_graph_find_edge(d, "msp|holds|msp-key"), -1);
    assert_int_equal(rights_of(d, "msp", "crm"), 0);
    assert_int_not_equal(rights_of(g, "msp", "crm"), 0);
    /* every derived edge maps back to the parent edge with the same id */
    for (uint32_t e = 0; e < ap_graph_edge_count(d); e++)
        assert_string_equal(ap_graph_edge(g, ap_graph_edge_origin(d, e))->id,
                            ap_graph_edge(d, e)->id);
    assert_int_equal(ap_graph_edge_origin(g, 3), 3);
    check_rows(d);
    ap_graph_free(g);
    ap_graph_free(d);
}

/* An added edge is named from|kind|to (#2 when taken), live at the graph's time, sorted into
 * its row, and carries authority; it outlives the parent. */
static void test_graph_derive__added_edge_is_live_and_sorted(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT), *d = NULL;
    ap_error err;
    ap_edge_spec add[2] = {
        { NULL, node(g, "svc-sub"), node(g, "ledger"), AP_EDGE_ACCESS, 1u << AP_R_READ, 0, false,
          true, AP_TIME_NONE },
        { NULL, node(g, "svc-sub"), node(g, "ledger"), AP_EDGE_ACCESS, 1u << AP_R_WRITE, 0,
          false, true, AT - 1 },                /* already expired at the graph's time */
    };
    ap_graph_edit edit = { .add = add, .nadd = 2 };
    assert_int_equal(ap_graph_derive(&d, g, &edit, &err), AP_OK);
    ap_graph_free(g);
    assert_int_equal(rights_of(d, "svc-sub", "ledger"), 1u << AP_R_READ);
    uint32_t e1 = edge(d, "svc-sub|access|ledger"), e2 = edge(d, "svc-sub|access|ledger#2");
    assert_int_equal(ap_graph_edge_origin(d, e1), UINT32_MAX);
    assert_true(ap_graph_edge(d, e1)->live && ap_graph_edge(d, e1)->declared);
    assert_false(ap_graph_edge(d, e2)->live);
    assert_true(ap_graph_edge_bool(d, e1, "hypothetical", false));
    assert_string_equal(ap_graph_edge_str(d, e2, "expires"), "2025-12-31T23:59:59Z");
    check_rows(d);
    ap_graph_free(d);
}

/* A revoked credential is not live, so nothing crosses it: the vendor loses the ledger. */
static void test_graph_derive__revoked_node_stops_traversal(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT), *d = NULL;
    ap_error err;
    uint32_t key = node(g, "shared-key");
    ap_graph_edit edit = { .revoke = &key, .nrevoke = 1 };
    assert_int_equal(ap_graph_derive(&d, g, &edit, &err), AP_OK);
    assert_false(ap_graph_node(d, key)->live);
    assert_int_equal(ap_graph_node(d, key)->state, AP_STATE_REVOKED);
    assert_false(ap_graph_edge(d, edge(d, "vendor|holds|shared-key"))->live);
    assert_int_equal(rights_of(d, "vendor", "ledger"), 0);
    assert_int_not_equal(rights_of(g, "vendor", "ledger"), 0);
    assert_true(ap_graph_node(g, key)->live);
    ap_graph_free(g);
    ap_graph_free(d);
}

/* A derived graph shares the parent's records and strings (no copy of the estate): a kept
 * edge is the parent's own record unless the edit revoked one of its live ends, which gets
 * a record of its own, not live, while the parent's stays live. */
static void test_graph_derive__shares_the_parents_records(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT), *d = NULL;
    ap_error err;
    uint32_t key = node(g, "shared-key"), rm = edge(g, "msp|holds|msp-key"), own = 0;
    ap_graph_edit edit = { .remove = &rm, .nremove = 1, .revoke = &key, .nrevoke = 1 };
    assert_int_equal(ap_graph_derive(&d, g, &edit, &err), AP_OK);
    for (uint32_t e = 0; e < ap_graph_edge_count(d); e++) {
        const ap_edge *de = ap_graph_edge(d, e);
        const ap_edge *pe = ap_graph_edge(g, ap_graph_edge_origin(d, e));
        bool dies = pe->live && (pe->from == key || pe->to == key);
        assert_true(dies ? de != pe : de == pe);
        assert_ptr_equal(de->id, pe->id);
        if (dies) {
            assert_false(de->live);
            assert_true(pe->live);
            assert_memory_equal(&de->rights, &pe->rights, sizeof de->rights);
            own++;
        }
    }
    assert_int_not_equal(own, 0);
    for (uint32_t v = 0; v < ap_graph_node_count(d); v++)
        assert_ptr_equal(ap_graph_node(d, v)->id, ap_graph_node(g, v)->id);
    check_rows(d);
    ap_graph_free(d);
    assert_true(ap_graph_edge(g, edge(g, "vendor|holds|shared-key"))->live);
    ap_graph_free(g);
}

/* A graph derived from a derived one outlives both: the added edge it inherits is its own
 * copy, the shared records stay while any graph uses them, and a removed edge's id is free. */
static void test_graph_derive__a_chain_outlives_its_parents(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT), *d1 = NULL, *d2 = NULL;
    ap_error err;
    ap_edge_spec add = { NULL, node(g, "svc-sub"), node(g, "ledger"), AP_EDGE_ACCESS,
                         1u << AP_R_READ, 0, false, true, AP_TIME_NONE };
    ap_graph_edit e1 = { .add = &add, .nadd = 1 };
    assert_int_equal(ap_graph_derive(&d1, g, &e1, &err), AP_OK);
    uint32_t rm = edge(d1, "msp|holds|msp-key"), key = node(d1, "shared-key");
    ap_edge_spec again = { "msp|holds|msp-key", node(g, "msp"), node(g, "msp-key"),
                           AP_EDGE_HOLDS, AP_RIGHTS_ALL, 0, false, false, AP_TIME_NONE };
    ap_graph_edit e2 = { .remove = &rm, .nremove = 1, .add = &again, .nadd = 1,
                         .revoke = &key, .nrevoke = 1 };
    assert_int_equal(ap_graph_derive(&d2, d1, &e2, &err), AP_OK);
    uint32_t m1 = ap_graph_edge_count(d1);
    ap_graph_free(g);
    ap_graph_free(d1);
    assert_int_equal(ap_graph_edge_count(d2), m1);
    uint32_t a = edge(d2, "svc-sub|access|ledger"), b = edge(d2, "msp|holds|msp-key");
    assert_int_not_equal(ap_graph_edge_origin(d2, a), UINT32_MAX);    /* d1's edge */
    assert_int_equal(ap_graph_edge_origin(d2, b), UINT32_MAX);        /* added to d2 */
    assert_true(ap_graph_edge_bool(d2, a, "hypothetical", false));
    assert_true(ap_graph_edge_bool(d2, b, "hypothetical", false));
    assert_false(ap_graph_edge(d2, edge(d2, "vendor|holds|shared-key"))->live);
    assert_int_equal(rights_of(d2, "svc-sub", "ledger"), 1u << AP_R_READ);
    assert_int_equal(rights_of(d2, "vendor", "ledger"), 0);
    check_rows(d2);
    ap_graph_free(d2);
}

static void test_graph_derive__bad_edits_are_refused(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT), *d = NULL;
    ap_error err;
    uint32_t partner = node(g, "msp"), big = 9999;
    ap_graph_edit e1 = { .revoke = &partner, .nrevoke = 1 };
    assert_int_equal(ap_graph_derive(&d, g, &e1, &err), AP_EINPUT);
    assert_string_equal(err.msg, "partner 'msp' cannot be revoked (a partner's state never stops "
                                 "traversal): remove its edges instead");
    ap_graph_edit e2 = { .remove = &big, .nremove = 1 };
    assert_int_equal(ap_graph_derive(&d, g, &e2, &err), AP_EINPUT);
    ap_edge_spec taken = { "msp|holds|msp-key", 0, 1, AP_EDGE_HOLDS, AP_RIGHTS_ALL, 0, false,
                           false, AP_TIME_NONE };
    ap_graph_edit e3 = { .add = &taken, .nadd = 1 };
    assert_int_equal(ap_graph_derive(&d, g, &e3, &err), AP_EINPUT);
    assert_string_equal(err.msg, "edge id 'msp|holds|msp-key' is already taken");
    assert_null(d);
    ap_graph_free(g);
}

/* Every source's rights and hops on a equal those on b, node by node. */
static void same_authority(const ap_graph *a, const ap_graph *b)
{
    ap_error err;
    for (uint32_t s = 0; s < ap_graph_node_count(a); s++) {
        ap_authority *x = NULL, *y = NULL;
        assert_int_equal(ap_authority_compute(&x, a, s, &err), AP_OK);
        assert_int_equal(ap_authority_compute(&y, b, s, &err), AP_OK);
        for (uint32_t v = 0; v < ap_graph_node_count(a); v++) {
            assert_int_equal(x->rights[v], y->rights[v]);
            assert_int_equal(x->hops[v], y->hops[v]);
        }
        ap_authority_free(x);
        ap_authority_free(y);
    }
}

/* The graph an offboarding choice asks about, in place: msp-key and shared-key revoked with
 * msp's holds on them kept; reinstating shared-key through msp is the graph that revokes only
 * msp-key and removes msp's hold on it, for every source, and undoing it is the first again. */
static void test_graph_derive__reinstate_is_the_edit_without_it(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT), *d = NULL, *keep = NULL, *plan = NULL;
    ap_error err;
    uint32_t msp = node(g, "msp"), sk = node(g, "shared-key");
    uint32_t both[2] = { node(g, "msp-key"), sk }, hold = edge(g, "msp|holds|msp-key");
    ap_graph_edit e1 = { .revoke = both, .nrevoke = 2 };
    ap_graph_edit e2 = { .remove = &hold, .nremove = 1, .revoke = both, .nrevoke = 1 };
    assert_int_equal(ap_graph_derive(&d, g, &e1, &err), AP_OK);
    assert_int_equal(ap_graph_derive(&plan, g, &e1, &err), AP_OK);
    assert_int_equal(ap_graph_derive(&keep, g, &e2, &err), AP_OK);
    assert_int_equal(ap_graph_reinstate(g, g, sk, msp, &err), AP_EBUG);  /* not derived */
    assert_int_equal(ap_graph_reinstate(d, g, sk, msp, &err), AP_OK);
    assert_int_equal(ap_graph_reinstate(d, g, sk, msp, &err), AP_EBUG);  /* one at a time */
    assert_true(ap_graph_node_live(d, sk));
    assert_int_equal(ap_graph_out_end(d, msp) - ap_graph_out_begin(d, msp), 1);
    assert_string_equal(ap_graph_edge(d, ap_graph_out_begin(d, msp))->id,
                        "msp|holds|shared-key");
    for (uint32_t i = ap_graph_in_begin(d, sk); i < ap_graph_in_end(d, sk); i++)
        assert_true(ap_graph_edge(d, ap_graph_in_edge(d, i))->live);
    same_authority(d, keep);
    assert_int_equal(rights_of(d, "vendor", "ledger"), rights_of(g, "vendor", "ledger"));
    ap_graph_reinstate_undo(d, g);
    assert_false(ap_graph_node_live(d, sk));
    assert_int_equal(ap_graph_out_end(d, msp) - ap_graph_out_begin(d, msp),
                     ap_graph_out_end(g, msp) - ap_graph_out_begin(g, msp));
    assert_int_equal(rights_of(d, "vendor", "ledger"), 0);
    same_authority(d, plan);
    ap_graph_reinstate_undo(d, g);                  /* nothing reinstated: nothing done */
    /* no node: msp's row only is narrowed, to nothing, and the graph is the same otherwise */
    assert_int_equal(ap_graph_reinstate(d, g, UINT32_MAX, msp, &err), AP_OK);
    assert_int_equal(ap_graph_out_end(d, msp), ap_graph_out_begin(d, msp));
    assert_false(ap_graph_node_live(d, sk));
    same_authority(d, plan);
    ap_graph_reinstate_undo(d, g);
    check_rows(d);
    ap_graph_free(keep);
    ap_graph_free(plan);
    ap_graph_free(d);
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_graph_derive__removed_edge_is_gone, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_derive__added_edge_is_live_and_sorted, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_derive__revoked_node_stops_traversal, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_derive__shares_the_parents_records, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_derive__a_chain_outlives_its_parents, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_derive__bad_edits_are_refused, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_graph_derive__reinstate_is_the_edit_without_it,
                                        setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
