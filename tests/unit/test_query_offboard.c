/* tests/unit/test_query_offboard.c: offboarding the MSP of tests/fixtures/offboard/msp.json,
 * checked by hand: its subcontractor keeps crm through its own key, the shared key breaks the
 * payroll run, two edges cut it off, and the choke points and persistence risks are these. */
#include <stdlib.h>
#include <string.h>

#include "authpath/offboard.h"
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

static ap_offboard *offboard(const ap_graph *g, const char *partner, ap_sensitivity min)
{
    ap_offboard *o = NULL;
    ap_error err;
    ap_offboard_opts opts = { min, false, 0, false, false, 0 };
    if (ap_offboard_compute(&o, g, node(g, partner), &opts, &err) != AP_OK)
        fail_msg("offboard: %s", err.msg);
    return o;
}

/* The item of actor for node in a list, or NULL. */
static const ap_reach_item *find(const ap_graph *g, const ap_reach_item *it, uint32_t n,
                                 const char *actor, const char *id, bool dep)
{
    for (uint32_t i = 0; i < n; i++)
        if (it[i].actor == node(g, actor) && it[i].node == node(g, id) && it[i].dependency == dep)
            return &it[i];
    return NULL;
}

#define R(x) ((ap_rights)1 << AP_R_##x)

/* The residual counted alone (the report's): as many as the items, none kept. */
static void test_query_offboard__residual_counted(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_offboard *o = offboard(g, "msp", AP_SENS_CONFIDENTIAL), *c = NULL;
    ap_offboard_opts opts = { AP_SENS_CONFIDENTIAL, false, 0, false, true, 0 };
    ap_error err;
    assert_int_equal(ap_offboard_compute(&c, g, node(g, "msp"), &opts, &err), AP_OK);
    assert_true(o->nresidual > 0);
    assert_int_equal(c->nresidual, o->nresidual);
    assert_null(c->residual);
    assert_int_equal(c->ncut, o->ncut);
    ap_offboard_free(c);
    ap_offboard_free(o);
    ap_graph_free(g);
}

/* The plan: revoke both keys the MSP holds, remove its two holds edges, remove the
 * subcontractor's edge into it; nothing else. */
static void test_query_offboard__default_plan(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_offboard *o = offboard(g, "msp", AP_SENS_CONFIDENTIAL);
    assert_int_equal(o->nplan, 5);
    assert_int_equal(o->plan[0].kind, AP_STEP_REVOKE_CREDENTIAL);
    assert_int_equal(o->plan[0].target, node(g, "msp-key"));
    assert_int_equal(o->plan[1].target, node(g, "shared-key"));
    assert_string_equal(ap_graph_edge(g, o->plan[2].target)->id, "msp|holds|msp-key");
    assert_string_equal(ap_graph_edge(g, o->plan[3].target)->id, "msp|holds|shared-key");
    assert_string_equal(ap_graph_edge(g, o->plan[4].target)->id, "subco|subcontractor_of|msp");
    assert_int_equal(o->nactors, 2);
    assert_int_equal(o->actors[0], node(g, "msp"));
    assert_int_equal(o->actors[1], node(g, "subco"));
    ap_offboard_free(o);
    ap_graph_free(g);
}

/* (a) the subcontractor keeps crm (read only: its own access edge) through its own key; the
 * MSP itself keeps nothing; nothing reached through the MSP survives. */
static void test_query_offboard__subcontractor_keeps_own_access(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_offboard *o = offboard(g, "msp", AP_SENS_CONFIDENTIAL);
    const ap_reach_item *crm = find(g, o->residual, o->nresidual, "subco", "crm", false);
    assert_non_null(crm);
    assert_int_equal(crm->rights, R(READ));
    assert_int_equal(crm->npath, 3);
    assert_string_equal(ap_graph_edge(g, crm->path[0])->id, "subco|holds|subco-key");
    assert_int_equal(o->nresidual, 3);          /* subco-key, svc-sub, crm */
    for (uint32_t i = 0; i < o->nresidual; i++)
        assert_int_equal(o->residual[i].actor, node(g, "subco"));
    assert_null(find(g, o->residual, o->nresidual, "subco", "ledger", false));
    ap_offboard_free(o);
    ap_graph_free(g);
}

/* (b) revoking the shared key breaks the payroll run: it loses the ledger and its depends_on
 * target; the vendor loses the ledger too. Keeping it leaves the MSP the ledger. */
static void test_query_offboard__shared_key_breaks_payroll(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_offboard *o = offboard(g, "msp", AP_SENS_CONFIDENTIAL);
    const ap_reach_item *it;
    it = find(g, o->collateral, o->ncollateral, "payroll-run", "ledger", false);
    assert_non_null(it);
    assert_int_equal(it->rights, R(READ) | R(WRITE));
    assert_int_equal(it->cause, 1);             /* step 2: revoke shared-key */
    assert_non_null(find(g, o->collateral, o->ncollateral, "payroll-run", "shared-key", true));
    assert_non_null(find(g, o->collateral, o->ncollateral, "vendor", "ledger", false));
    assert_null(find(g, o->collateral, o->ncollateral, "vendor", "crm", false));
    assert_int_equal(o->nshared, 1);
    const ap_shared_credential *sc = &o->shared[0];
    assert_int_equal(sc->credential, node(g, "shared-key"));
    assert_int_equal(sc->nholders, 2);
    assert_int_equal(sc->holders[0], node(g, "payroll-run"));
    assert_int_equal(sc->holders[1], node(g, "vendor"));
    assert_non_null(find(g, sc->breaks, sc->nbreaks, "payroll-run", "ledger", false));
    assert_non_null(find(g, sc->breaks, sc->nbreaks, "payroll-run", "shared-key", true));
    it = find(g, sc->keeps, sc->nkeeps, "msp", "ledger", false);
    assert_non_null(it);
    assert_int_equal(it->rights, R(READ) | R(WRITE));
    assert_null(find(g, sc->keeps, sc->nkeeps, "msp", "crm", false));
    ap_offboard_free(o);
    ap_graph_free(g);
}

/* (c) two edges cut the MSP off crm, hr-db, ledger and payroll-run: its own two holds edges
 * (the minimum cut nearest the partner). At critical only hr-db and payroll-run count, and
 * still two edges are needed. */
static void test_query_offboard__cut_of_two(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_offboard *o = offboard(g, "msp", AP_SENS_CONFIDENTIAL);
    assert_int_equal(o->ntargets, 4);
    assert_int_equal(o->targets[0], node(g, "crm"));
    assert_int_equal(o->ncut, 2);
    assert_string_equal(ap_graph_edge(g, o->cut[0])->id, "msp|holds|msp-key");
    assert_string_equal(ap_graph_edge(g, o->cut[1])->id, "msp|holds|shared-key");
    ap_offboard_free(o);
    o = offboard(g, "msp", AP_SENS_CRITICAL);
    assert_int_equal(o->ntargets, 2);
    assert_int_equal(o->ncut, 2);
    ap_offboard_free(o);
    o = offboard(g, "vendor", AP_SENS_CONFIDENTIAL);     /* one key: one edge */
    assert_int_equal(o->ncut, 1);
    assert_string_equal(ap_graph_edge(g, o->cut[0])->id, "vendor|holds|shared-key");
    ap_offboard_free(o);
    ap_graph_free(g);
}

/* Choke points: msp-key, svc-msp and ops-role on every path to crm and payroll-run; crm on
 * every path to payroll-run; shared-key and svc-payroll to ledger; none to hr-db (two ways). */
static void test_query_offboard__choke_points(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_offboard *o = offboard(g, "msp", AP_SENS_CONFIDENTIAL);
    static const char *const want[][3] = {
        { "msp-key", "crm", "payroll-run" }, { "ops-role", "crm", "payroll-run" },
        { "svc-msp", "crm", "payroll-run" }, { "crm", "payroll-run", NULL },
        { "shared-key", "ledger", NULL }, { "svc-payroll", "ledger", NULL },
    };
    assert_int_equal(o->nchokes, 6);
    for (uint32_t i = 0; i < 6; i++) {
        assert_string_equal(ap_graph_node(g, o->chokes[i].node)->id, want[i][0]);
        assert_int_equal(o->chokes[i].ntargets, want[i][2] != NULL ? 2 : 1);
        assert_int_equal(o->chokes[i].targets[0], node(g, want[i][1]));
    }
    ap_offboard_free(o);
    ap_graph_free(g);
}

/* Persistence: the MSP can mint admin-key; msp-key and admin-key never expire and shared-key
 * expires after the contract (2026-03-31). The vendor records no contract: only mint risks. */
static void test_query_offboard__persistence(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_offboard *o = offboard(g, "msp", AP_SENS_CONFIDENTIAL);
    int64_t ends;
    assert_true(ap_time_parse("2026-03-31", &ends));
    assert_int_equal(o->contract_ends, ends);
    assert_int_equal(o->npersistence, 4);
    assert_true(o->persistence[0].mint);
    assert_int_equal(o->persistence[0].node, node(g, "admin-key"));
    assert_string_equal(ap_graph_edge(g, o->persistence[0].edge)->id,
                        "svc-msp|can_mint|admin-key");
    assert_int_equal(o->persistence[0].npath, 3);
    assert_false(o->persistence[1].mint);
    assert_int_equal(o->persistence[1].node, node(g, "admin-key"));
    assert_int_equal(o->persistence[2].node, node(g, "msp-key"));
    assert_int_equal(o->persistence[2].expires, AP_TIME_NONE);
    assert_int_equal(o->persistence[3].node, node(g, "shared-key"));
    ap_offboard_free(o);
    o = offboard(g, "vendor", AP_SENS_CONFIDENTIAL);
    assert_int_equal(o->contract_ends, AP_TIME_NONE);
    assert_int_equal(o->npersistence, 0);
    ap_offboard_free(o);
    ap_graph_free(g);
}

/* Offboarding the subcontractor touches nobody else: its key is its own. */
static void test_query_offboard__own_key_no_collateral(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_offboard *o = offboard(g, "subco", AP_SENS_CONFIDENTIAL);
    assert_int_equal(o->ncollateral, 0);
    assert_int_equal(o->nshared, 0);
    assert_int_equal(o->nresidual, 0);
    assert_int_equal(o->nplan, 3);              /* revoke subco-key, two edges out */
    ap_offboard_free(o);
    ap_graph_free(g);
}

/* A credential held but not usable at --at (valid from next March, or suspended) is not revoked
 * by the plan: persistence lists it with the date it becomes usable and what it reaches then. */
static void test_query_offboard__dormant_credentials_persist(void **state)
{
    ap_error err;
    int64_t at, march;
    assert_int_equal(ap_test_import(*state, FIXTURE("offboard/dormant.json"), &err), AP_OK);
    assert_true(ap_time_parse("2026-11-01", &at));
    assert_true(ap_time_parse("2027-03-01", &march));
    ap_graph *g = ap_test_graph(*state, at);
    ap_offboard *o = offboard(g, "tailspin", AP_SENS_CONFIDENTIAL);
    assert_int_equal(o->nresidual, 0);
    assert_int_equal(o->npersistence, 3);
    const ap_persistence_item *cert = &o->persistence[0], *old = &o->persistence[1];
    assert_int_equal(cert->node, node(g, "tailspin-cert"));
    assert_true(cert->dormant && !cert->suspended && !cert->outlives);
    assert_int_equal(cert->usable_from, march);
    assert_int_equal(cert->nreaches, 1);
    assert_int_equal(cert->reaches[0], node(g, "payments-db"));
    assert_string_equal(ap_graph_edge(g, cert->edge)->id, "tailspin|holds|tailspin-cert");
    assert_int_equal(old->node, node(g, "tailspin-old-key"));
    assert_true(old->dormant && old->suspended);
    assert_int_equal(old->nreaches, 1);
    assert_int_equal(old->reaches[0], node(g, "crm"));
    assert_false(o->persistence[2].dormant);    /* the pat: live, revoked by the plan */
    ap_offboard_free(o);
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_query_offboard__residual_counted, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_offboard__default_plan, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_offboard__subcontractor_keeps_own_access,
                                        setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_offboard__shared_key_breaks_payroll, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_offboard__cut_of_two, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_offboard__choke_points, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_offboard__persistence, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_offboard__own_key_no_collateral, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_offboard__dormant_credentials_persist,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
