/* tests/unit/test_policy_yaml.c: policy files in YAML. The same policy as JSON and as YAML loads
 * the same and finds the same; YAML errors name file:line:col, and the key as JSON's do. */
#include <stdlib.h>
#include <string.h>

#include "authpath/findings.h"
#include "authpath/render.h"
#include "support.h"

static void load_ok(ap_policy *p, const char *path)
{
    ap_error err;
    ap_vocab v;
    ap_vocab_init(&v);
    ap_policy_default(p);
    if (ap_policy_load(p, path, &v, &err) != AP_OK)
        fail_msg("%s: %s", path, err.msg);
}

static void assert_same_policy(const ap_policy *a, const ap_policy *b)
{
    assert_memory_equal(&a->weights, &b->weights, sizeof a->weights);
    assert_int_equal(a->credential_max_lifetime, b->credential_max_lifetime);
    assert_int_equal(a->dormant_after, b->dormant_after);
    assert_memory_equal(a->review_every, b->review_every, sizeof a->review_every);
    assert_int_equal(a->noverrides, b->noverrides);
    for (size_t i = 0; i < a->noverrides; i++) {
        assert_string_equal(a->overrides[i].rule, b->overrides[i].rule);
        assert_int_equal(a->overrides[i].severity, b->overrides[i].severity);
    }
    assert_int_equal(a->nwaivers, b->nwaivers);
    for (size_t i = 0; i < a->nwaivers; i++) {
        assert_string_equal(a->waivers[i].rule, b->waivers[i].rule);
        assert_string_equal(a->waivers[i].subject, b->waivers[i].subject);
        assert_string_equal(a->waivers[i].owner, b->waivers[i].owner);
        assert_string_equal(a->waivers[i].reason, b->waivers[i].reason);
        assert_int_equal(a->waivers[i].expires, b->waivers[i].expires);
    }
}

/* Every section, block and flow style, quotes, an alias: field for field the JSON policy. */
static void test_policy_yaml__same_policy_as_json(void **state)
{
    ap_policy js, ys;
    (void)state;
    load_ok(&js, FIXTURE("policy/full.json"));
    load_ok(&ys, FIXTURE("policy/full.yaml"));
    assert_same_policy(&js, &ys);
    /* and it is not the defaults: each section was read */
    assert_int_equal(ys.weights.sens_weight[AP_SENS_CRITICAL], 20);
    assert_int_equal(ys.weights.sens_weight[AP_SENS_PUBLIC], 0);
    assert_int_equal(ys.weights.right_weight[AP_R_READ], 2);
    assert_int_equal(ys.review_every[AP_SENS_INTERNAL], 400 * 86400);
    assert_int_equal(ys.noverrides, 2);
    assert_int_equal(ys.nwaivers, 2);
    assert_string_equal(ys.waivers[0].reason, "Margie's gets its own SFTP key: \"soon\"");
    assert_string_equal(ys.waivers[1].owner, "risk-team");
    assert_int_equal(ys.waivers[1].expires, 1790856000);    /* 2026-10-01T12:00:00Z */
    ap_policy_clear(&js);
    ap_policy_clear(&ys);
}

/* The findings on the samples under policy-sample.json and its YAML twin: the same bytes. */
static void test_policy_yaml__same_findings_as_json(void **state)
{
    const char *paths[2] = { FIXTURE("findings/policy-sample.json"),
                             FIXTURE("findings/policy-sample.yaml") };
    char *out[2] = { NULL, NULL };
    size_t len[2] = { 0, 0 };
    ap_store *st = NULL;
    ap_error err;
    int64_t at;
    (void)state;
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    assert_int_equal(ap_test_import(st, SAMPLE("estate.json"), &err), AP_OK);
    assert_true(ap_time_parse("2026-11-01", &at));
    ap_graph *g = ap_test_graph(st, at);
    for (int k = 0; k < 2; k++) {
        ap_policy p;
        ap_findings *f = NULL;
        ap_policy_default(&p);
        assert_int_equal(ap_policy_load(&p, paths[k], ap_graph_vocab(g), &err), AP_OK);
        ap_findings_opts o = { &p, NULL, 0, -1, AP_SEV_NONE };
        assert_int_equal(ap_findings_compute(&f, g, &o, &err), AP_OK);
        assert_true(ap_findings_waived(f) > 0);     /* the waivers were read */
        FILE *mem = open_memstream(&out[k], &len[k]);
        assert_int_equal(ap_findings_write_json(mem, g, f, &err), AP_OK);
        fclose(mem);
        ap_findings_free(f);
        ap_policy_clear(&p);
    }
    assert_int_equal(len[0], len[1]);
    assert_string_equal(out[0], out[1]);
    free(out[0]);
    free(out[1]);
    ap_graph_free(g);
    ap_store_close(st);
}

static void expect_error(const char *name, const char *text, unsigned line, unsigned col,
                         const char *msg)
{
    ap_policy p;
    ap_error err;
    ap_vocab v;
    ap_vocab_init(&v);
    ap_policy_default(&p);
    const char *path = ap_test_write_temp(name, text);
    assert_int_equal(ap_policy_load(&p, path, &v, &err), AP_EINPUT);
    assert_string_equal(err.file, path);
    assert_string_equal(err.msg, msg);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_int_equal(p.nwaivers, 0);        /* back to the defaults */
    remove(path);
}

/* YAML syntax errors name the place; the checks of the content are those of JSON. */
static void test_policy_yaml__errors(void **state)
{
    (void)state;
    expect_error("bad.yaml", "thresholds:\n  dormant_days: 30\nseverity: {static-secret: high\n",
                 4, 1, "invalid YAML: did not find expected ',' or '}'");
    expect_error("dup.yaml", "thresholds:\n  dormant_days: 30\n  dormant_days: 40\n", 3, 3,
                 "duplicate key 'dormant_days'");
    expect_error("tab.yaml", "thresholds:\n\tdormant_days: 30\n", 2, 1,
                 "invalid YAML: found character that cannot start any token");
    expect_error("two.yaml", "thresholds: {}\n---\nseverity: {}\n", 2, 1,
                 "more than one YAML document in the file (expected one)");
    expect_error("key.yaml", "thresholds:\n  dormant_days: 90\ndormant: 1\n", 3, 10,
                 "policy: unknown key 'dormant' in 'the policy'");
    expect_error("neg.yaml", "thresholds: {dormant_days: -1}\n", 1, 28,
                 "policy: 'dormant_days' must be a whole number from 0 to 36500");
    expect_error("list.yaml", "- weights\n", 1, 1,
                 "policy: 'the policy' must be an object");
    /* JSON syntax errors keep jansson's place */
    expect_error("bad.json", "{\"thresholds\": {\"dormant_days\": 30,}}\n", 1, 36,
                 "invalid JSON: string or '}' expected near '}'");
}

/* Errors in the content name the line and column of the value (or of the waiver that lacks a
 * field), however deep, in YAML and in JSON alike. */
static void test_policy_yaml__content_errors_are_located(void **state)
{
    static const char waiver[] =
        "# accepted risks\n"
        "waivers:\n"
        "  - rule: static-secret\n"
        "    subject: k\n"
        "    owner: o\n"
        "    reason: r\n"
        "    expires: 2027-01-01\n"
        "  - rule: static-secret\n"
        "    subject: k\n"
        "    reason: r\n"
        "    expires: 2027-01-01\n";
    (void)state;
    expect_error("owner.yaml", waiver, 8, 5,
                 "policy: waivers[1]: 'owner' is required (a non-empty string)");
    expect_error("expires.yaml", "waivers:\n  - {rule: static-secret, subject: k, owner: o,\n"
                 "     reason: r, expires: someday}\n", 3, 26,
                 "policy: waivers[0]: 'expires' is required (a date, YYYY-MM-DD)");
    expect_error("rule.yaml", "waivers:\n- rule: no-such\n  subject: k\n", 2, 9,
                 "policy: unknown rule 'no-such' in 'waivers[0]' (see authpath rules)");
    expect_error("sev.yaml", "severity:\n  static-secret: urgent\n", 2, 18,
                 "policy: the severity of 'static-secret' must be one of low, medium, high, "
                 "critical");
    expect_error("weights.yaml", "weights:\n  sensitivity:\n    critical: 20\n    secret: 3\n",
                 4, 13, "policy: unknown sensitivity 'secret' in weights (expected one of "
                 "public, internal, confidential, restricted, critical)");
    expect_error("review.yaml", "thresholds:\n  review_days: [30]\n", 2, 16,
                 "policy: 'review_days' must be an object");
    expect_error("deep.json", "{\n  \"thresholds\": {\n    \"review_days\": {\"critical\": "
                 "40000}\n  }\n}\n", 3, 33,
                 "policy: 'critical' must be a whole number from 0 to 36500");
    expect_error("waiver.json", "{\"waivers\": [\n  {\"rule\": \"static-secret\", "
                 "\"subject\": \"\", \"owner\": \"o\"}]}\n", 2, 40,
                 "policy: waivers[0]: 'subject' is required (a non-empty string)");
}

/* A file that cannot be read says so once, without repeating its name. */
static void test_policy_yaml__missing_file(void **state)
{
    ap_policy p;
    ap_error err;
    ap_vocab v;
    (void)state;
    ap_vocab_init(&v);
    ap_policy_default(&p);
    assert_int_equal(ap_policy_load(&p, FIXTURE("policy/no-such.yaml"), &v, &err), AP_EINPUT);
    assert_string_equal(err.file, FIXTURE("policy/no-such.yaml"));
    assert_string_equal(err.msg, "cannot read: No such file or directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_policy_yaml__same_policy_as_json),
        cmocka_unit_test(test_policy_yaml__same_findings_as_json),
        cmocka_unit_test(test_policy_yaml__errors),
        cmocka_unit_test(test_policy_yaml__content_errors_are_located),
        cmocka_unit_test(test_policy_yaml__missing_file),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
