/* tests/unit/test_findings_policy.c: the policy file: thresholds and severity overrides change
 * what the rules report, waivers hide a finding until they expire, bad files name the key. */
#include <stdlib.h>
#include <string.h>

#include "authpath/findings.h"
#include "support.h"

#define AT_2026 1767225600

/* Findings of one rule on a fixture under policy p (NULL: defaults). */
static ap_findings *run(ap_store *st, const char *fixture, const char *rule, const ap_policy *p,
                        ap_graph **gout)
{
    ap_error err;
    ap_findings *f = NULL;
    const char *only[1] = { rule };
    ap_findings_opts o = { p, rule != NULL ? only : NULL, rule != NULL, -1, AP_SEV_NONE };
    if (ap_test_import(st, fixture, &err) != AP_OK)
        fail_msg("%s: %s", fixture, err.msg);
    *gout = ap_test_graph(st, AT_2026);
    assert_int_equal(ap_findings_compute(&f, *gout, &o, &err), AP_OK);
    return f;
}

static void load(ap_policy *p, const char *text)
{
    ap_error err;
    ap_vocab v;
    ap_vocab_init(&v);
    if (ap_policy_load(p, ap_test_write_temp("policy.json", text), &v, &err) != AP_OK)
        fail_msg("policy: %s", err.msg);
}

static void test_policy__defaults_are_design_md(void **state)
{
    ap_policy p;
    (void)state;
    ap_policy_default(&p);
    assert_int_equal(p.credential_max_lifetime, 90 * 86400);
    assert_int_equal(p.dormant_after, 90 * 86400);
    assert_int_equal(p.review_every[AP_SENS_CRITICAL], 30 * 86400);
    assert_int_equal(p.review_every[AP_SENS_RESTRICTED], 90 * 86400);
    assert_int_equal(p.review_every[AP_SENS_CONFIDENTIAL], 180 * 86400);
    assert_int_equal(p.review_every[AP_SENS_INTERNAL], 365 * 86400);
    assert_int_equal(p.weights.sens_weight[AP_SENS_CRITICAL], 16);
    assert_int_equal(p.nwaivers, 0);
}

/* A longer dormant window silences the dormant fixture; the default raises it. */
static void test_policy__thresholds_change_the_rules(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_policy p;
    ap_policy_default(&p);
    load(&p, "{\"thresholds\": {\"dormant_days\": 365, \"credential_max_lifetime_days\": 400,"
             " \"review_days\": {\"critical\": 120}}}");
    assert_int_equal(p.dormant_after, 365 * 86400);
    assert_int_equal(p.review_every[AP_SENS_CRITICAL], 120 * 86400);
    assert_int_equal(p.review_every[AP_SENS_RESTRICTED], 90 * 86400);   /* left as it was */

    ap_findings *f = run(st, FIXTURE("findings/dormant-access/fires.json"), "dormant-access",
                         NULL, &g);
    assert_int_equal(ap_findings_count(f), 1);
    ap_findings_free(f);
    ap_graph_free(g);
    f = run(st, FIXTURE("findings/dormant-access/fires.json"), "dormant-access", &p, &g);
    assert_int_equal(ap_findings_count(f), 0);
    ap_findings_free(f);
    ap_graph_free(g);
    f = run(st, FIXTURE("findings/credential-long-lived/fires.json"), "credential-long-lived",
            &p, &g);
    assert_int_equal(ap_findings_count(f), 0);
    ap_findings_free(f);
    ap_graph_free(g);
    /* acme reviewed 2025-10-01, reaches critical: 92 days > 30 by default, < 120 here */
    f = run(st, FIXTURE("findings/review-overdue/fires.json"), "review-overdue", &p, &g);
    assert_int_equal(ap_findings_count(f), 1);
    assert_string_equal(ap_graph_node(g, ap_findings_get(f, 0)->partner)->id, "beta");
    ap_findings_free(f);
    ap_graph_free(g);
    ap_policy_clear(&p);
}

static void test_policy__severity_override(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_policy p;
    ap_policy_default(&p);
    load(&p, "{\"severity\": {\"static-secret\": \"critical\"}}");
    ap_findings *f = run(st, FIXTURE("findings/static-secret/fires.json"), "static-secret", &p,
                         &g);
    assert_int_equal(ap_findings_count(f), 1);
    assert_int_equal(ap_findings_get(f, 0)->severity, AP_SEV_CRITICAL);
    assert_int_equal(ap_findings_rule_severity(f, ap_rule_find("static-secret")),
                     AP_SEV_CRITICAL);
    assert_int_equal(ap_findings_rule_severity(f, ap_rule_find("dormant-access")),
                     AP_SEV_MEDIUM);
    ap_findings_free(f);
    ap_graph_free(g);
    ap_policy_clear(&p);
}

/* A waiver in force hides its finding; once expired the finding is back and names it. */
static void test_policy__waivers_hide_until_they_expire(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_policy p;
    ap_policy_default(&p);
    load(&p, "{\"waivers\": ["
             "{\"rule\": \"credential-shared\", \"subject\": \"k1\", \"owner\": \"alice\","
             " \"reason\": \"migrating to per-partner keys\", \"expires\": \"2026-03-01\"},"
             "{\"rule\": \"partner-ended-live\", \"subject\": \"acme\", \"owner\": \"bob\","
             " \"reason\": \"offboarding in progress\", \"expires\": \"2025-12-01\"}]}");
    assert_int_equal(p.nwaivers, 2);
    ap_findings *f = run(st, FIXTURE("findings/credential-shared/fires.json"),
                         "credential-shared", &p, &g);
    assert_int_equal(ap_findings_count(f), 1);       /* still listed, flagged as waived */
    assert_int_equal(ap_findings_waived(f), 1);      /* the one finding on k1, both holders */
    assert_int_equal(ap_findings_get(f, 0)->npartners, 2);
    assert_true(ap_findings_get(f, 0)->waived);
    assert_string_equal(ap_findings_get(f, 0)->waiver->owner, "alice");
    ap_findings_free(f);
    ap_graph_free(g);

    f = run(st, FIXTURE("findings/partner-ended-live/fires.json"), "partner-ended-live", &p,
            &g);
    assert_int_equal(ap_findings_waived(f), 0);
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        assert_false(x->waived);
        if (strcmp(ap_finding_subject_id(g, x), "acme") == 0)
            assert_string_equal(x->waiver->owner, "bob");     /* expired: shown, and says so */
        else
            assert_null(x->waiver);
    }
    ap_findings_free(f);
    ap_graph_free(g);
    ap_policy_clear(&p);
    assert_int_equal(p.nwaivers, 0);
}

static void expect_error(const char *text, const char *msg)
{
    ap_policy p;
    ap_error err;
    ap_vocab v;
    ap_vocab_init(&v);
    ap_policy_default(&p);
    assert_int_equal(ap_policy_load(&p, ap_test_write_temp("bad.json", text), &v, &err),
                     AP_EINPUT);
    assert_string_equal(err.msg, msg);
    assert_non_null(strstr(err.file, "bad.json"));
    assert_int_equal(p.nwaivers, 0);                   /* back to the defaults */
    assert_int_equal(p.dormant_after, 90 * 86400);
}

static void test_policy__bad_files_name_the_key(void **state)
{
    (void)state;
    expect_error("{\"waivers\": [{\"rule\": \"no-such\", \"subject\": \"x\", \"owner\": \"a\","
                 " \"reason\": \"r\", \"expires\": \"2026-01-01\"}]}",
                 "policy: unknown rule 'no-such' in 'waivers[0]' (see authpath rules)");
    expect_error("{\"waivers\": [{\"rule\": \"static-secret\", \"subject\": \"x\","
                 " \"owner\": \"a\", \"reason\": \"r\"}]}",
                 "policy: waivers[0]: 'expires' is required (a date, YYYY-MM-DD)");
    expect_error("{\"waivers\": [{\"rule\": \"static-secret\", \"subject\": \"x\","
                 " \"reason\": \"r\", \"expires\": \"2026-01-01\"}]}",
                 "policy: waivers[0]: 'owner' is required (a non-empty string)");
    expect_error("{\"thresholds\": {\"dormant_days\": 90}, \"dormant\": 1}",
                 "policy: unknown key 'dormant' in 'the policy'");
    expect_error("{\"thresholds\": {\"dormant_days\": -1}}",
                 "policy: 'dormant_days' must be a whole number from 0 to 36500");
    expect_error("{\"severity\": {\"static-secret\": \"urgent\"}}",
                 "policy: the severity of 'static-secret' must be one of low, medium, high, "
                 "critical");
    expect_error("{\"thresholds\": {\"review_days\": {\"secret\": 10}}}",
                 "policy: unknown sensitivity 'secret' in review_days (expected one of public, "
                 "internal, confidential, restricted, critical)");
}

/* The weights half still works alone, and accepts a file with the findings parts. */
static void test_policy__weights_loader_still_works(void **state)
{
    ap_weights w;
    ap_error err;
    ap_vocab v;
    (void)state;
    ap_vocab_init(&v);
    ap_weights_default(&w);
    const char *path = ap_test_write_temp("w.json", "{\"weights\": {\"sensitivity\": "
        "{\"critical\": 20}, \"rights\": {\"admin\": 7}}, \"thresholds\": {\"dormant_days\": 30},"
        " \"waivers\": [{\"rule\": \"static-secret\", \"subject\": \"k\", \"owner\": \"o\","
        " \"reason\": \"r\", \"expires\": \"2027-01-01\"}]}");
    assert_int_equal(ap_policy_load_weights(&w, path, &v, &err), AP_OK);
    assert_int_equal(w.sens_weight[AP_SENS_CRITICAL], 20);
    assert_int_equal(w.sens_weight[AP_SENS_RESTRICTED], 8);
    assert_int_equal(w.right_weight[AP_R_ADMIN], 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy__defaults_are_design_md),
        cmocka_unit_test_setup_teardown(test_policy__thresholds_change_the_rules,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_policy__severity_override,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_policy__waivers_hide_until_they_expire,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test(test_policy__bad_files_name_the_key),
        cmocka_unit_test(test_policy__weights_loader_still_works),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
