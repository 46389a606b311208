/* tests/unit/test_query_offboard_samples.c: offboarding on the sample estate, against the
 * hand-checked facts F5-F8 of samples/README.md (at 2026-11-01). */
#include <stdlib.h>
#include <string.h>

#include "authpath/offboard.h"
#include "support.h"

static ap_graph *graph;

static int setup(void **state)
{
    ap_error err;
    ap_store *st = NULL;
    int64_t at;
    (void)state;
    if (ap_test_store_setup((void **)&st) != 0)
        return -1;
    if (ap_test_import(st, SAMPLE("estate.json"), &err) != AP_OK
        || !ap_time_parse("2026-11-01", &at)
        || ap_graph_load(&graph, st, 0, at, &err) != AP_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    ap_store_close(st);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ap_graph_free(graph);
    return 0;
}

static uint32_t node(const char *id)
{
    int64_t v = ap_graph_find(graph, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return (uint32_t)v;
}

static ap_offboard *offboard(const char *partner)
{
    ap_offboard *o = NULL;
    ap_error err;
    if (ap_offboard_compute(&o, graph, node(partner), NULL, &err) != AP_OK)
        fail_msg("offboard %s: %s", partner, err.msg);
    return o;
}

static uint32_t count_actor(const ap_reach_item *it, uint32_t n, const char *actor)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++)
        k += it[i].actor == node(actor);
    return k;
}

static const ap_reach_item *find(const ap_reach_item *it, uint32_t n, const char *actor,
                                 const char *id)
{
    for (uint32_t i = 0; i < n; i++)
        if (it[i].actor == node(actor) && it[i].node == node(id))
            return &it[i];
    return NULL;
}

static uint32_t revoked(const ap_offboard *o)
{
    uint32_t k = 0;
    for (uint32_t i = 0; i < o->nplan; i++)
        k += o->plan[i].kind == AP_STEP_REVOKE_CREDENTIAL;
    return k;
}

/* F5 (a): offboarding contoso leaves fabrikam its own 7 nodes and tailspin 25; cut of 3. */
static void test_offboard_samples__msp_subcontractor_keeps_access(void **state)
{
    ap_offboard *o = offboard("contoso");
    (void)state;
    assert_int_equal(revoked(o), 1);
    assert_int_equal(o->plan[0].target, node("contoso-rmm-key"));
    assert_int_equal(o->nplan, 5);
    assert_int_equal(count_actor(o->residual, o->nresidual, "contoso"), 0);
    assert_int_equal(count_actor(o->residual, o->nresidual, "fabrikam"), 7);
    assert_int_equal(count_actor(o->residual, o->nresidual, "tailspin"), 25);
    const ap_reach_item *crm = find(o->residual, o->nresidual, "fabrikam", "crm");
    assert_non_null(crm);
    assert_int_equal(ap_graph_edge(graph, crm->path[0])->to, node("fabrikam-helpdesk-secret"));
    assert_null(find(o->residual, o->nresidual, "fabrikam", "payments-db"));
    assert_int_equal(o->ncollateral, 0);
    assert_int_equal(o->ncut, 3);
    assert_int_equal(o->npersistence, 2);
    assert_true(o->persistence[0].mint);
    assert_int_equal(o->persistence[0].node, node("svc-backup"));
    ap_offboard_free(o);
}

/* F6 (b): the shared payroll key; revoking it breaks margie and the payroll run. */
static void test_offboard_samples__shared_key_breaks_payroll(void **state)
{
    static const char *const margie_loses[] = {
        "payroll-sftp-key", "svc-payroll-sftp", "payroll-export-share", "payroll-run",
        "svc-payroll-run", "payments-db", "bank-gateway", "treasury-bank-cert",
    };
    ap_offboard *o = offboard("adatum");
    (void)state;
    assert_int_equal(revoked(o), 3);
    assert_int_equal(o->nresidual, 0);
    assert_int_equal(count_actor(o->collateral, o->ncollateral, "margie"), 8);
    for (size_t i = 0; i < 8; i++)
        assert_non_null(find(o->collateral, o->ncollateral, "margie", margie_loses[i]));
    const ap_reach_item *dep = find(o->collateral, o->ncollateral, "payroll-run",
                                    "payroll-sftp-key");
    assert_non_null(dep);
    assert_true(dep->dependency);
    assert_int_equal(o->nshared, 1);
    assert_int_equal(o->shared[0].credential, node("payroll-sftp-key"));
    assert_int_equal(o->shared[0].nholders, 1);
    assert_int_equal(o->shared[0].holders[0], node("margie"));
    assert_int_equal(o->shared[0].nkeeps, 8);
    assert_int_equal(count_actor(o->shared[0].breaks, o->shared[0].nbreaks, "margie"), 8);
    assert_non_null(find(o->shared[0].breaks, o->shared[0].nbreaks, "payroll-run",
                         "payroll-sftp-key"));
    assert_int_equal(o->ncut, 3);
    assert_int_equal(o->npersistence, 3);      /* the 2027 token, legacy FTP, SFTP key */
    assert_int_equal(o->persistence[0].node, node("adatum-api-token-2027"));
    ap_offboard_free(o);
    o = offboard("margie");
    assert_int_equal(o->ncut, 2);
    ap_offboard_free(o);
}

/* F7 (c): wingtip's minimum cut is the two grants on role-reseller, its only choke point. */
static void test_offboard_samples__unique_cut_of_two(void **state)
{
    ap_offboard *o = offboard("wingtip");
    (void)state;
    assert_int_equal(o->ntargets, 2);
    assert_int_equal(o->ncut, 2);
    assert_string_equal(ap_graph_edge(graph, o->cut[0])->id, "role-reseller|access|crm");
    assert_string_equal(ap_graph_edge(graph, o->cut[1])->id,
                        "role-reseller|access|wholesale-pricing");
    assert_int_equal(o->nchokes, 1);
    assert_int_equal(o->chokes[0].node, node("role-reseller"));
    assert_int_equal(o->chokes[0].ntargets, 2);
    assert_int_equal(revoked(o), 3);
    assert_int_equal(o->nresidual + o->ncollateral, 0);
    ap_offboard_free(o);
}

/* F8: one credential and a cut of one each; depends_on collateral where the README says. */
static void test_offboard_samples__other_partners(void **state)
{
    static const struct {
        const char *partner, *credential, *breaks;
    } cases[] = {
        { "proseware", "proseware-oidc-trust", "deploy-pipeline" },
        { "coho", "coho-cms-key", "site-publish" },
        { "woodgrove", "woodgrove-wms-key", "order-sync" },
        { "litware", "litware-client-secret", NULL },
        { "trey", "trey-api-key", NULL },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        ap_offboard *o = offboard(cases[i].partner);
        assert_int_equal(revoked(o), 1);
        assert_int_equal(o->plan[0].target, node(cases[i].credential));
        assert_int_equal(o->ncut, 1);
        assert_int_equal(o->nshared, 0);
        if (cases[i].breaks != NULL) {
            assert_int_equal(o->ncollateral, 1);
            assert_true(o->collateral[0].dependency);
            assert_int_equal(o->collateral[0].actor, node(cases[i].breaks));
        } else {
            assert_int_equal(o->ncollateral, 0);
        }
        ap_offboard_free(o);
    }
    ap_offboard *o = offboard("woodgrove");
    assert_int_equal(count_actor(o->residual, o->nresidual, "lucerne"), 4);
    assert_non_null(find(o->residual, o->nresidual, "relecloud", "customer-pii"));
    ap_offboard_free(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offboard_samples__msp_subcontractor_keeps_access),
        cmocka_unit_test(test_offboard_samples__shared_key_breaks_payroll),
        cmocka_unit_test(test_offboard_samples__unique_cut_of_two),
        cmocka_unit_test(test_offboard_samples__other_partners),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
