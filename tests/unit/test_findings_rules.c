/* tests/unit/test_findings_rules.c: every rule of the catalogue against its two fixtures in
 * tests/fixtures/findings/<rule>/: fires.json raises exactly fires.expect, quiet.json nothing. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include "authpath/findings.h"
#include "authpath/usage.h"
#include "../../query/findings/findings_internal.h"
#include "support.h"

#define AT_2026 1767225600      /* 2026-01-01: the fixtures are dated around it */

static int line_cmp(const void *a, const void *b) { return strcmp(a, b); }

/* "partner subject" lines of the findings of one rule on one fixture, sorted, joined by \n. */
static char *run_rule(const char *rule, const char *file, ap_findings **keep, ap_graph **gkeep)
{
    ap_store *st = NULL;
    ap_graph *g;
    ap_findings *f = NULL;
    ap_error err;
    char path[512], *out = calloc(1, 8192), lines[64][256];
    const char *only[1] = { rule };
    ap_findings_opts opts = { NULL, only, 1, -1, AP_SEV_NONE };
    size_t n = 0;
    snprintf(path, sizeof path, "%s/findings/%s/%s", AP_FIXTURES, rule, file);
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    if (ap_test_import(st, path, &err) != AP_OK)
        fail_msg("%s: %s", path, err.msg);
    g = ap_test_graph(st, AT_2026);
    {
        /* FILE.events.jsonl beside it: observed use, over the 90 days before AT_2026 */
        char events[600];
        ap_usage *u = NULL;
        snprintf(events, sizeof events, "%.*s.events.jsonl", (int)(strlen(path) - 5), path);
        if (access(events, R_OK) == 0) {
            if (ap_test_import(st, events, &err) != AP_OK)
                fail_msg("%s: %s", events, err.msg);
            assert_int_equal(ap_usage_load(&u, st, 1, AT_2026 - 90 * 86400, AT_2026, &err),
                             AP_OK);
        }
        assert_int_equal(ap_findings_compute_observed(&f, g, &opts, u, &err), AP_OK);
        ap_usage_free(u);
    }
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        assert_string_equal(x->rule->id, rule);
        /* every finding names its evidence: a message, the place of its subject */
        assert_non_null(x->message);
        assert_true(strlen(x->message) > 20);
        assert_true(x->line > 0);
        assert_non_null(strstr(ap_graph_source_path(g, x->file), file));
        assert_true(n < 64);
        /* a finding about several partners: the others after its own, "+ b c" */
        int used = snprintf(lines[n], 256, "%s %s", ap_graph_node(g, x->partner)->id,
                            ap_finding_subject_id(g, x));
        for (size_t k = 0; k < x->npartners && k < AP_FINDINGS_PARTNERS_SHOWN; k++)
            if (x->partners[k] != x->partner && used < 200)
                used += snprintf(lines[n] + used, 256 - (size_t)used, "%s%s",
                                 strstr(lines[n], " +") ? " " : " + ",
                                 ap_graph_node(g, x->partners[k])->id);
        n++;
    }
    qsort(lines, n, sizeof lines[0], line_cmp);
    for (size_t i = 0; i < n; i++) {
        strcat(out, lines[i]);
        strcat(out, "\n");
    }
    if (keep != NULL) {
        *keep = f;
        *gkeep = g;
    } else {
        ap_findings_free(f);
        ap_graph_free(g);
    }
    ap_store_close(st);     /* the graph owns copies of everything it needs */
    return out;
}

static char *slurp(const char *path)
{
    FILE *fp = fopen(path, "rb");
    char *buf = calloc(1, 8192);
    if (fp == NULL)
        fail_msg("missing %s: every rule needs fires.json, fires.expect and quiet.json", path);
    size_t n = fread(buf, 1, 8191, fp);
    buf[n] = '\0';
    fclose(fp);
    return buf;
}

/* For every rule in the table: fires raises exactly what fires.expect lists, quiet none. */
static void test_findings__every_rule_fires_and_keeps_quiet(void **state)
{
    (void)state;
    size_t wrong = 0;
    assert_true(ap_rule_count() >= 22);
    for (size_t i = 0; i < ap_rule_count(); i++) {
        const char *id = ap_rule_at(i)->id;
        char path[512];
        snprintf(path, sizeof path, "%s/findings/%s/fires.expect", AP_FIXTURES, id);
        char *want = slurp(path), *got = run_rule(id, "fires.json", NULL, NULL);
        if (strcmp(want, got) != 0) {       /* every rule that differs is said, then fail */
            print_error("rule %s on fires.json: expected\n%sgot\n%s", id, want, got);
            wrong++;
        }
        free(got);
        got = run_rule(id, "quiet.json", NULL, NULL);
        if (got[0] != '\0')
            fail_msg("rule %s must not fire on quiet.json, got\n%s", id, got);
        free(got);
        free(want);
    }
    assert_int_equal(wrong, 0);
}

/* The catalogue: unique ids, every field filled, severities in range, found by id. */
static void test_findings__catalogue_is_complete(void **state)
{
    (void)state;
    for (size_t i = 0; i < ap_rule_count(); i++) {
        const ap_rule *r = ap_rule_at(i);
        assert_ptr_equal(ap_rule_find(r->id), r);
        assert_true(r->severity > AP_SEV_NONE && r->severity < AP_SEV_COUNT);
        assert_non_null(r->owasp_nhi);
        assert_true(strlen(r->nist_csf) >= 8);
        assert_true(strlen(r->title) > 0 && strlen(r->description) > 0);
        assert_true(strlen(r->description) <= 1024);       /* GitHub's fullDescription limit */
        assert_true(strlen(r->remediation) > 0);
        assert_non_null(ap_findings__lanes_rule(r));
        for (size_t k = 0; k < i; k++)
            assert_string_not_equal(ap_rule_at(k)->id, r->id);
    }
    assert_null(ap_rule_find("no-such-rule"));
    assert_null(ap_rule_at(ap_rule_count()));
}

/* Evidence carries the dates, the witness path and the provenance of the subject. */
static void test_findings__evidence_names_dates_path_and_place(void **state)
{
    ap_findings *f;
    ap_graph *g;
    (void)state;
    free(run_rule("partner-ended-live", "fires.json", &f, &g));
    const ap_finding *x = ap_findings_get(f, 0);
    assert_string_equal(ap_graph_node(g, x->partner)->id, "acme");
    assert_string_equal(ap_finding_fact(x, "contract_ends"), "2025-06-30");
    assert_string_equal(ap_finding_fact(x, "target"), "db");
    assert_int_equal(x->npath, 3);
    assert_string_equal(ap_graph_edge(g, x->path[0])->id, "acme|holds|k1");
    assert_string_equal(ap_graph_edge(g, x->path[2])->id, "svc|access|db");
    assert_non_null(strstr(x->message, "2025-06-30"));
    assert_non_null(strstr(x->message, "acme > k1 > svc > db"));
    assert_int_equal(x->line, 4);       /* the partner's line in fires.json */
    assert_null(ap_finding_fact(x, "state"));
    x = ap_findings_get(f, 1);
    assert_string_equal(ap_finding_fact(x, "state"), "suspended");
    ap_findings_free(f);
    ap_graph_free(g);

    free(run_rule("credential-long-lived", "fires.json", &f, &g));
    x = ap_findings_get(f, 0);
    assert_string_equal(ap_finding_fact(x, "lifetime_days"), "365");
    assert_string_equal(ap_finding_fact(x, "max_days"), "90");
    ap_findings_free(f);
    ap_graph_free(g);

    free(run_rule("delegation-loop", "fires.json", &f, &g));
    x = ap_findings_get(f, 0);
    assert_string_equal(ap_finding_fact(x, "loop"), "a > b > a");
    assert_int_equal(x->npath, 2);      /* a's path to b, then b's back to a */
    ap_findings_free(f);
    ap_graph_free(g);
}

/* The partner-ended-live fixture's graph and every rule's findings on it (more than 4). */
static ap_graph *ended_live_findings(ap_store *st, ap_findings **f)
{
    ap_error err;
    assert_int_equal(ap_test_import(st, FIXTURE("findings/partner-ended-live/fires.json"), &err),
                     AP_OK);
    ap_graph *g = ap_test_graph(st, AT_2026);
    assert_int_equal(ap_findings_compute(f, g, NULL, &err), AP_OK);
    assert_true(ap_findings_count(*f) > 4);
    return g;
}

/* Findings come grouped by partner, the partner with the most severe finding first. */
static void test_findings__order_groups_partners_most_severe_first(void **state)
{
    ap_error err;
    ap_findings *f = NULL;
    ap_graph *g = ended_live_findings(*state, &f);
    for (size_t i = 1; i < ap_findings_count(f); i++) {
        const ap_finding *a = ap_findings_get(f, i - 1), *b = ap_findings_get(f, i);
        if (a->partner == b->partner)
            assert_true(a->severity >= b->severity);
        else    /* a partner's findings are one run */
            for (size_t k = i; k < ap_findings_count(f); k++)
                assert_int_not_equal(ap_findings_get(f, k)->partner, a->partner);
    }
    assert_int_equal(ap_findings_get(f, 0)->severity, AP_SEV_CRITICAL);
    ap_findings_free(f);

    /* an unknown rule is refused; --partner and --min-severity filter */
    const char *bad[1] = { "nope" };
    ap_findings_opts o = { NULL, bad, 1, -1, AP_SEV_NONE };
    assert_int_equal(ap_findings_compute(&f, g, &o, &err), AP_ENOTFOUND);
    assert_null(f);
    ap_findings_opts only = { NULL, NULL, 0, ap_graph_find(g, "beta"), AP_SEV_HIGH };
    assert_int_equal(ap_findings_compute(&f, g, &only, &err), AP_OK);
    assert_true(ap_findings_count(f) >= 1);
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        assert_string_equal(ap_graph_node(g, ap_findings_get(f, i)->partner)->id, "beta");
        assert_true(ap_findings_get(f, i)->severity >= AP_SEV_HIGH);
    }
    ap_findings_free(f);
    ap_graph_free(g);
}

/* The list holds findings' headers; their evidence is in the run's store and read back one
 * finding at a time (memory does not follow the number of findings). */
static void test_findings__evidence_read_back_one_at_a_time(void **state)
{
    ap_findings *f = NULL;
    ap_graph *g = ended_live_findings(*state, &f);
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *head = ap_findings_peek(f, i);
        assert_null(head->message);             /* not held: in the store */
        assert_true(head->nnodes > 0);          /* the counts are */
        const ap_finding *x = ap_findings_get(f, i);
        assert_ptr_equal(x, head);
        assert_non_null(x->message);
        assert_true(strlen(x->message) > 20);
        assert_non_null(x->nodes);
        for (size_t k = 0; k < x->nfacts; k++)
            assert_non_null(x->facts[k].value);
        /* peeking at another leaves this one whole; reading another forgets it */
        if (i + 1 < ap_findings_count(f)) {
            char *was = strdup(x->message);
            assert_null(ap_findings_peek(f, i + 1)->message);
            assert_string_equal(x->message, was);
            assert_non_null(ap_findings_get(f, i + 1)->message);
            assert_null(ap_findings_peek(f, i)->message);
            assert_string_equal(ap_findings_get(f, i)->message, was);
            free(was);
        }
    }
    ap_findings_free(f);
    ap_graph_free(g);
}

/* A GDAP relationship whose status the input does not give claims nothing (gdap-1); the one
 * Graph calls active (gdap-2) is stale. */
static void test_findings__gdap_status_unknown_claims_nothing(void **state)
{
    (void)state;
    char *got = run_rule("gdap-stale-privileged", "unknown-status.json", NULL, NULL);
    assert_string_equal(got, "msp gdap-2\n");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings__every_rule_fires_and_keeps_quiet),
        cmocka_unit_test(test_findings__catalogue_is_complete),
        cmocka_unit_test(test_findings__gdap_status_unknown_claims_nothing),
        cmocka_unit_test(test_findings__evidence_names_dates_path_and_place),
        cmocka_unit_test_setup_teardown(test_findings__order_groups_partners_most_severe_first,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_findings__evidence_read_back_one_at_a_time,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
