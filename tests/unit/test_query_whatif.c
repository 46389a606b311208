/* tests/unit/test_query_whatif.c: what-if on the MSP fixture and the sample estate: grant
 * parsing and its errors, gains and losses per partner, scores, the three readiness tests. */
#include <stdlib.h>
#include <string.h>

#include "authpath/offboard.h"
#include "support.h"

#define AT 1767225600                       /* 2026-01-01 */
#define R(x) ((ap_rights)1 << AP_R_##x)

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

static void test_query_whatif__parse_grant(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_edge_spec sp;
    ap_error err;
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "svc-sub -access[read, write]-> ledger",
                                           &err), AP_OK);
    assert_int_equal(sp.from, node(g, "svc-sub"));
    assert_int_equal(sp.to, node(g, "ledger"));
    assert_int_equal(sp.kind, AP_EDGE_ACCESS);
    assert_int_equal(sp.rights, R(READ) | R(WRITE));
    assert_true(sp.declared);
    /* no rights: the kind's defaults (triggers: all rights, gated on write) */
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "crm -triggers-> payroll-run", &err), AP_OK);
    assert_int_equal(sp.rights, AP_RIGHTS_ALL);
    assert_int_equal(sp.requires, R(WRITE));
    assert_false(sp.declared);
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "svc-sub -acess-> ledger", &err), AP_EINPUT);
    assert_string_equal(err.msg, "unknown edge kind 'acess' in grant 'svc-sub -acess-> ledger' "
                                 "(expected one of " AP_EDGE_KIND_NAMES ")");
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "svc-sub -access-> ledgr", &err),
                     AP_ENOTFOUND);
    assert_string_equal(err.msg, "no node 'ledgr' (in grant 'svc-sub -access-> ledgr')");
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "svc-sub -access[drop]-> ledger", &err),
                     AP_EINPUT);
    assert_string_equal(err.msg, "unknown right 'drop' in grant 'svc-sub -access[drop]-> ledger'");
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "svc-sub access ledger", &err), AP_EINPUT);
    assert_int_equal(ap_whatif_parse_grant(&sp, g, " -access-> ledger", &err), AP_EINPUT);
    ap_graph_free(g);
}

static const ap_whatif_change *change_of(const ap_graph *g, const ap_whatif *w, const char *p)
{
    for (uint32_t i = 0; i < w->nchanges; i++)
        if (w->changes[i].partner == node(g, p))
            return &w->changes[i];
    return NULL;
}

/* The vendor is granted subco's key: it gains crm read through svc-sub, which is not logged
 * (attributable fails at crm), the holds grant has every right and no expiry, and the key it
 * reaches is now shared. msp and subco do not change. */
static void test_query_whatif__grant_gains_and_readiness(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_whatif *w = NULL;
    ap_edge_spec sp;
    ap_error err;
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "vendor -holds-> subco-key", &err), AP_OK);
    ap_whatif_opts opts = { &sp, 1, NULL, 0, NULL, 0, NULL, NULL };
    assert_int_equal(ap_whatif_compute(&w, g, node(g, "vendor"), &opts, &err), AP_OK);
    assert_int_equal(w->nchanges, 1);
    const ap_whatif_change *c = change_of(g, w, "vendor");
    assert_non_null(c);
    assert_int_equal(c->ngained, 3);                /* subco-key, svc-sub, crm */
    assert_int_equal(c->gained[2].node, node(g, "crm"));
    assert_int_equal(c->gained[2].rights, R(READ));
    assert_int_equal(c->nlost, 0);
    assert_int_equal(c->score_after - c->score_before, 4);     /* confidential 4 x read 1 */
    assert_int_equal(w->nnew, 3);
    assert_false(w->ready[AP_READY_ATTRIBUTABLE]);
    assert_false(w->ready[AP_READY_NARROWABLE]);
    assert_false(w->ready[AP_READY_REVOCABLE]);
    assert_int_equal(w->issues[0].test, AP_READY_ATTRIBUTABLE);
    assert_int_equal(w->issues[0].node, node(g, "crm"));
    assert_int_equal(w->issues[0].actor, node(g, "svc-sub"));
    bool shared = false, no_expiry = false;
    for (uint32_t i = 0; i < w->nissues; i++) {
        shared |= w->issues[i].node == node(g, "subco-key")
                  && strcmp(w->issues[i].reason, "shared by several holders") == 0;
        no_expiry |= w->issues[i].edge != UINT32_MAX
                     && strcmp(w->issues[i].reason, "the grant has no expiry") == 0;
    }
    assert_true(shared && no_expiry);
    ap_whatif_free(w);

    /* narrowed and expiring, to a logged resource through a logged identity: attributable and
     * narrowable pass; revocable fails only on the static key on the path */
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "svc-msp -access[delete]-> ledger", &err),
                     AP_OK);
    sp.expires = AT + 86400;
    assert_int_equal(ap_whatif_compute(&w, g, node(g, "msp"), &opts, &err), AP_OK);
    assert_int_equal(w->nnew, 1);
    assert_true(w->ready[AP_READY_ATTRIBUTABLE] && w->ready[AP_READY_NARROWABLE]);
    assert_false(w->ready[AP_READY_REVOCABLE]);    /* msp-key on the path: no expiry */
    assert_false(w->ready[AP_READY_WITHIN_PURPOSE]);   /* msp declares no scope */
    assert_int_equal(w->nissues, 2);
    assert_int_equal(w->issues[0].node, node(g, "msp-key"));
    assert_string_equal(w->issues[0].reason, "no expiry");
    assert_int_equal(w->issues[1].test, AP_READY_WITHIN_PURPOSE);
    assert_int_equal(w->issues[1].node, node(g, "msp"));
    ap_whatif_free(w);
    ap_graph_free(g);
}

/* Revoking the shared key: the vendor and msp (and subco through it) lose the ledger. */
static void test_query_whatif__revoke_loses(void **state)
{
    ap_graph *g = ap_test_graph(*state, AT);
    ap_whatif *w = NULL;
    ap_error err;
    uint32_t key = node(g, "shared-key");
    ap_whatif_opts opts = { NULL, 0, NULL, 0, &key, 1, NULL, NULL };
    assert_int_equal(ap_whatif_compute(&w, g, node(g, "vendor"), &opts, &err), AP_OK);
    assert_int_equal(w->nchanges, 3);
    assert_int_equal(w->changes[0].partner, node(g, "msp"));
    assert_int_equal(w->changes[1].partner, node(g, "subco"));
    const ap_whatif_change *c = change_of(g, w, "vendor");
    assert_int_equal(c->score_after, 0);
    assert_int_equal(c->nlost, 4);
    assert_int_equal(w->nnew, 0);
    /* the payroll workflow depends on the revoked key: it breaks, as offboarding says */
    assert_int_equal(w->nbreaks, 1);
    assert_int_equal(w->breaks[0].actor, node(g, "payroll-run"));
    assert_int_equal(w->breaks[0].node, key);
    assert_true(w->breaks[0].dependency);
    assert_string_equal(ap_graph_edge(g, w->breaks[0].path[0])->id,
                        "payroll-run|depends_on|shared-key");
    ap_whatif_free(w);
    ap_graph_free(g);
}

/* F6 of samples/README.md: revoking only payroll-sftp-key does not cut adatum off payroll
 * (it loses just the key and svc-payroll-sftp); margie loses eight nodes. */
static void test_query_whatif__samples_shared_payroll_key(void **state)
{
    ap_store *st = NULL;
    ap_graph *g = NULL;
    ap_whatif *w = NULL;
    ap_error err;
    int64_t at;
    (void)state;
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    assert_int_equal(ap_test_import(st, SAMPLE("estate.json"), &err), AP_OK);
    assert_true(ap_time_parse("2026-11-01", &at));
    g = ap_test_graph(st, at);
    uint32_t key = node(g, "payroll-sftp-key");
    ap_whatif_opts opts = { NULL, 0, NULL, 0, &key, 1, NULL, NULL };
    assert_int_equal(ap_whatif_compute(&w, g, node(g, "adatum"), &opts, &err), AP_OK);
    assert_int_equal(w->nchanges, 2);
    assert_int_equal(change_of(g, w, "adatum")->nlost, 2);
    assert_int_equal(change_of(g, w, "adatum")->score_after, 160);
    assert_int_equal(change_of(g, w, "margie")->nlost, 8);
    assert_int_equal(change_of(g, w, "margie")->score_after, 8);
    ap_whatif_free(w);
    ap_graph_free(g);
    ap_store_close(st);
}

static const ap_reach_item *item(const ap_graph *g, const ap_reach_item *it, uint32_t n,
                                 const char *id)
{
    for (uint32_t i = 0; i < n; i++)
        if (it[i].node == node(g, id))
            return &it[i];
    return NULL;
}

/* F10 of samples/README.md as a forecast from 2026-11-01: by 2026-11-15 the can_assume edge
 * has expired (proseware loses payments-db and bank-gateway; tailspin keeps payments-db read
 * and loses bank-gateway); by 2026-11-20 litware's crm grant has. */
static void test_query_whatif__samples_forecast(void **state)
{
    ap_store *st = NULL;
    ap_forecast *f = NULL;
    ap_error err;
    int64_t at = 0, until = 0;
    (void)state;
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    assert_int_equal(ap_test_import(st, SAMPLE("estate.json"), &err), AP_OK);
    assert_true(ap_time_parse("2026-11-01", &at) && ap_time_parse("2026-11-15", &until));
    ap_graph *g = ap_test_graph(st, at);
    uint32_t who[3] = { node(g, "proseware"), node(g, "tailspin"), node(g, "litware") };
    assert_int_equal(ap_forecast_compute(&f, g, who, 3, until, &err), AP_OK);
    assert_int_equal(f->nnodes, 0);
    assert_int_equal(f->nedges, 1);
    assert_string_equal(ap_graph_edge(g, f->edges[0])->id,
                        "svc-deploy-prod|can_assume|role-payments-ops");
    const ap_forecast_partner *pro = &f->partners[0], *tail = &f->partners[1];
    assert_non_null(item(g, pro->lapses, pro->nlapses, "payments-db"));
    assert_non_null(item(g, pro->lapses, pro->nlapses, "bank-gateway"));
    assert_int_equal(item(g, pro->lapses, pro->nlapses, "bank-gateway")->cause, f->edges[0]);
    assert_null(item(g, pro->survives, pro->nsurvives, "payments-db"));
    assert_non_null(item(g, tail->lapses, tail->nlapses, "bank-gateway"));
    assert_int_equal(item(g, tail->survives, tail->nsurvives, "payments-db")->rights,
                     R(READ));
    assert_int_equal(item(g, tail->lapses, tail->nlapses, "payments-db")->rights, R(WRITE));
    assert_non_null(item(g, f->partners[2].survives, f->partners[2].nsurvives, "crm"));
    ap_forecast_free(f);
    assert_true(ap_time_parse("2026-11-20", &until));
    assert_int_equal(ap_forecast_compute(&f, g, &who[2], 1, until, &err), AP_OK);
    assert_non_null(item(g, f->partners[0].lapses, f->partners[0].nlapses, "crm"));
    assert_null(item(g, f->partners[0].survives, f->partners[0].nsurvives, "crm"));
    ap_forecast_free(f);
    assert_int_equal(ap_forecast_compute(&f, g, NULL, 0, at, &err), AP_EINPUT);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_query_whatif__parse_grant, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_whatif__grant_gains_and_readiness, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_query_whatif__revoke_loses, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test(test_query_whatif__samples_shared_payroll_key),
        cmocka_unit_test(test_query_whatif__samples_forecast),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
