/* tests/unit/test_query_whatif_findings.c: the findings a what-if raises or clears, matched by
 * rule, subject id and partner id, and the policy (waivers, weights) applied to both sides. */
#include <stdlib.h>
#include <string.h>

#include "authpath/offboard.h"
#include "support.h"

#define AT 1767225600                       /* 2026-01-01 */

static uint32_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return (uint32_t)v;
}

/* "rule subject partner; ..." of the findings at idx, in their order. */
static const char *listed(const ap_graph *g, const ap_findings *f, const size_t *idx, size_t n)
{
    static char buf[4096];
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        const ap_finding *x = ap_findings_get(f, idx[i]);
        size_t used = strlen(buf);
        snprintf(buf + used, sizeof buf - used, "%s%s %s %s", i ? "; " : "", x->rule->id,
                 ap_finding_subject_id(g, x), ap_graph_node(g, x->partner)->id);
    }
    return buf;
}

static ap_whatif *run(const ap_graph *g, const char *partner, const char *grant,
                      const char *revoke, const ap_policy *policy)
{
    ap_whatif *w = NULL;
    ap_edge_spec sp;
    ap_error err;
    uint32_t v = 0;
    if (grant != NULL && ap_whatif_parse_grant(&sp, g, grant, &err) != AP_OK)
        fail_msg("grant '%s': %s", grant, err.msg);
    if (revoke != NULL)
        v = node(g, revoke);
    ap_whatif_opts opts = { &sp, grant != NULL, NULL, 0, &v, revoke != NULL, NULL, policy };
    if (ap_whatif_compute(&w, g, node(g, partner), &opts, &err) != AP_OK)
        fail_msg("what-if: %s", err.msg);
    return w;
}

static ap_graph *load(ap_store **st, const char *path, int64_t at)
{
    ap_error err;
    assert_int_equal(ap_store_open(st, ":memory:", &err), AP_OK);
    assert_int_equal(ap_test_import(*st, path, &err), AP_OK);
    return ap_test_graph(*st, at);
}

/* The vendor is given subco's key: the key is now shared (one finding about both holders),
 * and the vendor joins subco in authenticating with a static secret (an api_key, static by
 * nature): that finding appears for it; nothing clears. */
static void test_whatif_findings__a_grant_raises_them(void **state)
{
    ap_store *st = NULL;
    ap_graph *g = load(&st, FIXTURE("offboard/msp.json"), AT);
    (void)state;
    ap_whatif *w = run(g, "vendor", "vendor -holds-> subco-key", NULL, NULL);
    assert_string_equal(listed(w->changed, w->findings_after, w->appeared, w->nappeared),
                        "credential-shared subco-key subco; static-secret subco-key subco");
    assert_int_equal(w->nvanished, 0);
    assert_int_equal(ap_findings_count(w->findings_after),
                     ap_findings_count(w->findings_before) + 1);
    ap_whatif_free(w);
    ap_graph_free(g);
    ap_store_close(st);
}

/* Revoking the shared key clears what was wrong with it (one finding each, about both holders;
 * msp's contract has ended before the key expires); subco, acting for msp, no longer reaches the
 * restricted ledger, but its subcontract's one finding stays: it still reaches the critical
 * hr-db through msp (msp's minted admin key). Nothing new appears. */
static void test_whatif_findings__a_revocation_clears_them(void **state)
{
    ap_store *st = NULL;
    ap_graph *g = load(&st, FIXTURE("offboard/msp.json"), AT);
    (void)state;
    ap_whatif *w = run(g, "vendor", NULL, "shared-key", NULL);
    assert_int_equal(w->nappeared, 0);
    assert_string_equal(listed(g, w->findings_before, w->vanished, w->nvanished),
                        "credential-outlives-contract shared-key msp; "
                        "credential-shared shared-key msp; credential-long-lived shared-key msp; "
                        "static-secret shared-key msp; scope-undeclared vendor vendor");
    ap_whatif_free(w);
    ap_graph_free(g);
    ap_store_close(st);
}

/* A change that alters no finding: an added depends_on edge moves edge indices (adatum's
 * edges sort first), so findings about edges sit at other indices, yet all of them match. */
static void test_whatif_findings__matched_by_ids_not_indices(void **state)
{
    ap_store *st = NULL;
    int64_t at;
    (void)state;
    assert_true(ap_time_parse("2026-11-01", &at));
    ap_graph *g = load(&st, SAMPLE("estate.json"), at);
    ap_whatif *w = run(g, "adatum", "adatum -depends_on-> crm", NULL, NULL);
    assert_int_equal(w->nappeared, 0);
    assert_int_equal(w->nvanished, 0);
    assert_int_equal(ap_findings_count(w->findings_after), ap_findings_count(w->findings_before));
    size_t moved = 0;
    for (size_t i = 0; i < ap_findings_count(w->findings_before); i++) {
        const ap_finding *b = ap_findings_get(w->findings_before, i);
        const ap_finding *a = ap_findings_get(w->findings_after, i);
        assert_string_equal(ap_finding_subject_id(g, b), ap_finding_subject_id(w->changed, a));
        moved += b->subject_is_edge && a->subject != b->subject;
    }
    assert_true(moved > 0);     /* the test would mean nothing if no edge index moved */
    ap_whatif_free(w);
    ap_graph_free(g);
    ap_store_close(st);
}

/* The policy rules both sides: a waiver in force hides the shared payroll key on both, so its
 * sharing neither appears nor vanishes; its weights make the scores. */
static void test_whatif_findings__policy_on_both_sides(void **state)
{
    ap_store *st = NULL;
    ap_policy pol;
    ap_error err;
    int64_t at;
    (void)state;
    assert_true(ap_time_parse("2026-11-01", &at));
    ap_graph *g = load(&st, SAMPLE("estate.json"), at);
    ap_whatif *w = run(g, "adatum", NULL, "payroll-sftp-key", NULL);
    assert_non_null(strstr(listed(g, w->findings_before, w->vanished, w->nvanished),
                           "credential-shared payroll-sftp-key adatum"));
    int64_t plain_score = w->changes[0].score_before;
    ap_whatif_free(w);

    ap_policy_default(&pol);
    assert_int_equal(ap_policy_load(&pol, FIXTURE("findings/policy-sample.json"),
                                    ap_graph_vocab(g), &err), AP_OK);
    w = run(g, "adatum", NULL, "payroll-sftp-key", &pol);
    const char *gone = listed(g, w->findings_before, w->vanished, w->nvanished);
    assert_null(strstr(gone, "credential-shared payroll-sftp-key"));
    assert_non_null(strstr(gone, "static-secret payroll-sftp-key adatum"));
    assert_int_equal(w->changes[0].score_before, plain_score);     /* no weights in it */
    ap_whatif_free(w);
    ap_policy_clear(&pol);

    const char *path = ap_test_write_temp("weights.json",
                                          "{\"weights\": {\"sensitivity\": {\"critical\": 100}}}");
    assert_int_equal(ap_policy_load(&pol, path, ap_graph_vocab(g), &err), AP_OK);
    remove(path);
    w = run(g, "adatum", NULL, "payroll-sftp-key", &pol);
    assert_true(w->changes[0].score_before > plain_score);
    ap_whatif_free(w);
    ap_policy_clear(&pol);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whatif_findings__a_grant_raises_them),
        cmocka_unit_test(test_whatif_findings__a_revocation_clears_them),
        cmocka_unit_test(test_whatif_findings__matched_by_ids_not_indices),
        cmocka_unit_test(test_whatif_findings__policy_on_both_sides),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
