/* tests/unit/test_findings_sarif.c: the SARIF 2.1.0 and JSON renderings of findings have the
 * structure their consumers need (GitHub code scanning; docs/json.md's keys, in order). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authpath/render.h"
#include "support.h"

#define AT_2026 1767225600

typedef struct {
    ap_graph *g;
    ap_findings *f;
    ap_policy p;
} run_state;

/* The escalation fixture (six findings), with a waiver in force for one of them. */
static int setup(void **state)
{
    run_state *rs = calloc(1, sizeof *rs);
    ap_store *st = NULL;
    ap_error err;
    ap_vocab v;
    ap_igraph_init();
    ap_vocab_init(&v);
    ap_policy_default(&rs->p);
    if (ap_store_open(&st, ":memory:", &err) < 0
        || ap_test_import(st, FIXTURE("findings/escalation-runs-as/fires.json"), &err) < 0
        || ap_policy_load(&rs->p, ap_test_write_temp("p.json", "{\"waivers\": [{\"rule\": "
               "\"owner-missing\", \"subject\": \"k1\", \"owner\": \"ops\", \"reason\": "
               "\"key retires in March\", \"expires\": \"2026-03-31\"}]}"), &v, &err) < 0)
        return -1;
    rs->g = ap_test_graph(st, AT_2026);
    ap_store_close(st);
    ap_findings_opts o = { &rs->p, NULL, 0, -1, AP_SEV_NONE };
    if (ap_findings_compute(&rs->f, rs->g, &o, &err) < 0)
        return -1;
    *state = rs;
    return 0;
}

static int teardown(void **state)
{
    run_state *rs = *state;
    ap_findings_free(rs->f);
    ap_graph_free(rs->g);
    ap_policy_clear(&rs->p);
    free(rs);
    return 0;
}

static json_t *render(run_state *rs, bool sarif)
{
    char *buf = NULL;
    size_t len = 0;
    ap_error err;
    json_error_t je;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    assert_int_equal(sarif ? ap_findings_write_sarif(mem, rs->g, rs->f, "0.1.0", &err)
                           : ap_findings_write_json(mem, rs->g, rs->f, &err), AP_OK);
    fclose(mem);
    json_t *doc = json_loads(buf, 0, &je);
    if (doc == NULL)
        fail_msg("not JSON: %s", je.text);
    free(buf);
    return doc;
}

static const char *str_at(const json_t *obj, const char *key)
{
    const char *s = json_string_value(json_object_get(obj, key));
    if (s == NULL || s[0] == '\0')
        fail_msg("missing or empty string '%s'", key);
    return s;
}

static const char *text_of(const json_t *obj, const char *key)
{
    return str_at(json_object_get(obj, key), "text");
}

static void test_sarif__has_what_code_scanning_needs(void **state)
{
    run_state *rs = *state;
    json_t *doc = render(rs, true);
    assert_string_equal(str_at(doc, "version"), "2.1.0");
    assert_non_null(strstr(str_at(doc, "$schema"), "sarif-2.1.0"));
    json_t *runs = json_object_get(doc, "runs");
    assert_int_equal(json_array_size(runs), 1);
    json_t *run = json_array_get(runs, 0);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    assert_string_equal(str_at(driver, "name"), "authpath");
    json_t *rules = json_object_get(driver, "rules");
    assert_int_equal(json_array_size(rules), ap_rule_count());
    for (size_t i = 0; i < json_array_size(rules); i++) {
        json_t *r = json_array_get(rules, i), *props = json_object_get(r, "properties");
        assert_string_equal(str_at(r, "id"), ap_rule_at(i)->id);
        text_of(r, "shortDescription");
        assert_true(strlen(text_of(r, "fullDescription")) <= 1024);
        text_of(r, "help");
        str_at(json_object_get(r, "help"), "markdown");
        /* security-severity: a string holding a number in (0, 10] */
        double score = atof(str_at(props, "security-severity"));
        assert_true(score > 0.0 && score <= 10.0);
        str_at(props, "nist-csf");
        assert_non_null(json_object_get(props, "owasp-nhi"));
        const char *level = str_at(json_object_get(r, "defaultConfiguration"), "level");
        const char *sev = str_at(props, "severity");
        assert_string_equal(level, strcmp(sev, "medium") == 0 ? "warning"
                                   : strcmp(sev, "low") == 0 ? "note" : "error");
    }
    json_t *results = json_object_get(run, "results");
    assert_int_equal(json_array_size(results), ap_findings_count(rs->f));
    size_t suppressed = 0;
    for (size_t i = 0; i < json_array_size(results); i++) {
        json_t *res = json_array_get(results, i);
        const ap_finding *x = ap_findings_get(rs->f, i);
        json_int_t idx = json_integer_value(json_object_get(res, "ruleIndex"));
        assert_string_equal(str_at(res, "ruleId"),
                            str_at(json_array_get(rules, (size_t)idx), "id"));
        const char *level = str_at(res, "level");
        assert_string_equal(level, x->severity >= AP_SEV_HIGH ? "error"
                                   : x->severity == AP_SEV_MEDIUM ? "warning" : "note");
        assert_string_equal(text_of(res, "message"), x->message);
        json_t *loc = json_array_get(json_object_get(res, "locations"), 0);
        json_t *phys = json_object_get(loc, "physicalLocation");
        assert_non_null(strstr(str_at(json_object_get(phys, "artifactLocation"), "uri"),
                               "escalation-runs-as/fires.json"));
        assert_int_equal(json_integer_value(json_object_get(json_object_get(phys, "region"),
                                                            "startLine")), x->line);
        json_t *logical = json_array_get(json_object_get(loc, "logicalLocations"), 0);
        assert_string_equal(str_at(logical, "name"), ap_finding_subject_id(rs->g, x));
        assert_int_equal(strlen(str_at(json_object_get(res, "partialFingerprints"),
                                       "authpathFinding/v1")), 16);
        if (json_object_get(res, "suppressions") != NULL) {
            json_t *sup = json_array_get(json_object_get(res, "suppressions"), 0);
            assert_string_equal(str_at(sup, "justification"), "key retires in March");
            assert_true(x->waived);
            suppressed++;
        }
        if (x->npath > 0)
            assert_int_equal(json_array_size(json_object_get(json_array_get(json_object_get(
                json_array_get(json_object_get(res, "codeFlows"), 0), "threadFlows"), 0),
                "locations")), x->npath);
    }
    assert_int_equal(suppressed, 1);
    json_decref(doc);
}

static json_t *render_with(run_state *rs, const ap_sarif_opts *o)
{
    char *buf = NULL;
    size_t len = 0;
    ap_error err;
    json_error_t je;
    FILE *mem = open_memstream(&buf, &len);
    assert_non_null(mem);
    assert_int_equal(ap_findings_write_sarif_with(mem, rs->g, rs->f, o, &err), AP_OK);
    fclose(mem);
    json_t *doc = json_loads(buf, 0, &je);
    if (doc == NULL)
        fail_msg("not JSON: %s", je.text);
    free(buf);
    return doc;
}

/* Code scanning maps artifacts through a uriBaseId, files the run under a category, links each
 * rule to its help and shows a name apart from the id. */
static void test_sarif__uris_relative_to_the_source_root(void **state)
{
    run_state *rs = *state;
    ap_sarif_opts o = { "0.1.0", "https://example.org/authpath",
                        "https://example.org/authpath/docs/rules.md", AP_FIXTURES "/", 0 };
    json_t *doc = render_with(rs, &o);
    json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *driver = json_object_get(json_object_get(run, "tool"), "driver");
    assert_string_equal(str_at(driver, "informationUri"), "https://example.org/authpath");
    assert_string_equal(str_at(json_object_get(run, "automationDetails"), "id"),
                        "authpath/findings/snapshot-1");
    json_t *base = json_object_get(json_object_get(run, "originalUriBaseIds"), "%SRCROOT%");
    assert_string_equal(str_at(base, "uri"), "file://" AP_FIXTURES "/");
    json_t *rules = json_object_get(driver, "rules");
    for (size_t i = 0; i < json_array_size(rules); i++) {
        json_t *r = json_array_get(rules, i);
        const char *id = str_at(r, "id"), *name = str_at(r, "name");
        char want[256];
        assert_string_not_equal(name, id);
        assert_true(name[0] >= 'A' && name[0] <= 'Z' && strchr(name, '-') == NULL);
        snprintf(want, sizeof want, "https://example.org/authpath/docs/rules.md#%s", id);
        assert_string_equal(str_at(r, "helpUri"), want);
    }
    assert_string_equal(str_at(json_array_get(rules, 1), "name"), "CredentialNoExpiry");
    json_t *results = json_object_get(run, "results");
    assert_true(json_array_size(results) > 0);
    for (size_t i = 0; i < json_array_size(results); i++) {
        json_t *loc = json_array_get(json_object_get(json_array_get(results, i), "locations"), 0);
        json_t *art = json_object_get(json_object_get(loc, "physicalLocation"),
                                      "artifactLocation");
        assert_string_equal(str_at(art, "uri"), "findings/escalation-runs-as/fires.json");
        assert_string_equal(str_at(art, "uriBaseId"), "%SRCROOT%");
    }
    json_decref(doc);
    /* a file outside the root: an absolute file:// URI, no base, no originalUriBaseIds */
    ap_sarif_opts away = { "0.1.0", NULL, NULL, "/nonexistent/elsewhere", 0 };
    doc = render_with(rs, &away);
    run = json_array_get(json_object_get(doc, "runs"), 0);
    json_t *art = json_object_get(json_object_get(json_array_get(json_object_get(
        json_array_get(json_object_get(run, "results"), 0), "locations"), 0),
        "physicalLocation"), "artifactLocation");
    assert_string_equal(str_at(art, "uri"),
                        "file://" AP_FIXTURES "/findings/escalation-runs-as/fires.json");
    assert_null(json_object_get(art, "uriBaseId"));
    assert_null(json_object_get(json_array_get(json_object_get(json_object_get(
        json_object_get(run, "tool"), "driver"), "rules"), 0), "helpUri"));
    json_decref(doc);
}

/* Code scanning rejects a run of more than 25,000 results: with max_results the log keeps the
 * most severe findings, in the findings' order, and says in the run how many it left out. */
static void test_sarif__keeps_the_most_severe_and_says_what_it_leaves_out(void **state)
{
    run_state *rs = *state;
    size_t n = ap_findings_count(rs->f);
    ap_sarif_opts all = { "0.1.0", NULL, NULL, "/", 0 };
    json_t *full = render_with(rs, &all);
    json_t *every = json_object_get(json_array_get(json_object_get(full, "runs"), 0), "results");
    bool mixed = false;
    assert_int_equal(json_array_size(every), n);
    for (size_t i = 1; i < n; i++)
        mixed |= ap_findings_peek(rs->f, i)->severity != ap_findings_peek(rs->f, 0)->severity;
    assert_true(mixed);                 /* else the choice is not tested */
    for (size_t max = 1; max <= n; max++) {
        ap_sarif_opts o = { "0.1.0", NULL, NULL, "/", max };
        json_t *doc = render_with(rs, &o);
        json_t *run = json_array_get(json_object_get(doc, "runs"), 0);
        json_t *results = json_object_get(run, "results");
        assert_int_equal(json_array_size(results), max);
        /* the kept ones: in order, and none less severe than one left out */
        size_t k = 0;
        ap_severity least_kept = AP_SEV_CRITICAL, most_left = AP_SEV_NONE;
        for (size_t i = 0; i < n; i++) {
            const ap_finding *x = ap_findings_peek(rs->f, i);
            json_t *res = json_array_get(results, k);
            bool kept = res != NULL && json_equal(res, json_array_get(every, i));
            if (kept) {
                k++;
                least_kept = x->severity < least_kept ? x->severity : least_kept;
            } else if (x->severity > most_left) {
                most_left = x->severity;
            }
        }
        assert_int_equal(k, max);
        assert_true(most_left <= least_kept);
        json_t *inv = json_array_get(json_object_get(run, "invocations"), 0);
        json_t *props = json_object_get(run, "properties");
        if (max == n) {
            assert_null(inv);
            assert_null(props);
        } else {
            char want[128];
            assert_true(json_is_true(json_object_get(inv, "executionSuccessful")));
            json_t *note = json_array_get(json_object_get(inv, "toolExecutionNotifications"), 0);
            assert_string_equal(str_at(note, "level"), "warning");
            snprintf(want, sizeof want, "%zu of %zu findings are not in this log", n - max, n);
            assert_non_null(strstr(str_at(json_object_get(note, "message"), "text"), want));
            assert_int_equal(json_integer_value(json_object_get(props, "findingsOmitted")),
                             n - max);
            assert_int_equal(json_integer_value(json_object_get(props, "findings")), n);
        }
        json_decref(doc);
    }
    json_decref(full);
}

/* docs/json.md: {"findings": [{"rule", "severity", "subject", "message", "owasp_nhi", "nist_csf",
 * "evidence"}]}, keys in that order; waived findings left out and counted. */
static void test_json__design_keys_in_order(void **state)
{
    run_state *rs = *state;
    static const char *const keys[] = { "rule", "severity", "subject", "message", "owasp_nhi",
                                        "nist_csf", "evidence", "partner" };
    json_t *doc = render(rs, false);
    json_t *list = json_object_get(doc, "findings");
    assert_int_equal(json_array_size(list), ap_findings_count(rs->f) - 1);
    assert_int_equal(json_integer_value(json_object_get(doc, "waived")), 1);
    for (size_t i = 0; i < json_array_size(list); i++) {
        json_t *o = json_array_get(list, i);
        void *it = json_object_iter(o);
        for (size_t k = 0; k < sizeof keys / sizeof keys[0];
             k++, it = json_object_iter_next(o, it))
            assert_string_equal(json_object_iter_key(it), keys[k]);
        json_t *ev = json_object_get(o, "evidence");
        assert_non_null(json_object_get(ev, "path"));
        assert_non_null(json_object_get(json_object_get(ev, "source"), "line"));
        assert_false(strcmp(str_at(o, "subject"), "k1") == 0        /* the waived one */
                     && strcmp(str_at(o, "rule"), "owner-missing") == 0);
    }
    json_decref(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_sarif__has_what_code_scanning_needs, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_sarif__uris_relative_to_the_source_root, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(
            test_sarif__keeps_the_most_severe_and_says_what_it_leaves_out, setup, teardown),
        cmocka_unit_test_setup_teardown(test_json__design_keys_in_order, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
