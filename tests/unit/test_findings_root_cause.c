/* tests/unit/test_findings_root_cause.c: findings once per root cause: the delegation loop in
 * order, escalation points, shared grants, static secrets, fourth parties, a loop of partners. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authpath/findings.h"
#include "authpath/render.h"
#include "support.h"

#define AT_2026 1767225600      /* 2026-01-01 */

typedef struct {
    ap_store *st;
    ap_graph *g;
    ap_findings *f;
} run;

static void compute(run *r, const char *path, const char *rule)
{
    ap_error err;
    const char *only[1] = { rule };
    ap_findings_opts opts = { NULL, only, 1, -1, AP_SEV_NONE };
    assert_int_equal(ap_store_open(&r->st, ":memory:", &err), AP_OK);
    if (ap_test_import(r->st, path, &err) != AP_OK)
        fail_msg("%s: %s", path, err.msg);
    r->g = ap_test_graph(r->st, AT_2026);
    assert_int_equal(ap_findings_compute(&r->f, r->g, rule != NULL ? &opts : NULL, &err),
                     AP_OK);
}

static void done(run *r)
{
    ap_findings_free(r->f);
    ap_graph_free(r->g);
    ap_store_close(r->st);
}

static const char *partners(const run *r, const ap_finding *x, char *buf, size_t size)
{
    buf[0] = '\0';
    for (size_t i = 0; i < x->npartners; i++) {
        size_t used = strlen(buf);
        snprintf(buf + used, size - used, "%s%s", i ? " " : "",
                 ap_graph_node(r->g, x->partners[i])->id);
    }
    return buf;
}

/* a > b > c > a, once, in the order of the subcontracting, with every partner on it. */
static void test_findings_root_cause__loop_named_in_order_once(void **state)
{
    run r = { 0 };
    char buf[256];
    (void)state;
    compute(&r, FIXTURE("findings/root-cause/loop3.json"), "delegation-loop");
    assert_int_equal(ap_findings_count(r.f), 1);
    const ap_finding *x = ap_findings_get(r.f, 0);
    assert_string_equal(ap_finding_fact(x, "loop"), "a > b > c > a");
    assert_string_equal(ap_finding_fact(x, "partners"), "3");
    assert_string_equal(partners(&r, x, buf, sizeof buf), "a b c");
    assert_int_equal(x->npath, 3);
    for (size_t i = 0; i < x->npath; i++)
        assert_int_equal(ap_graph_edge(r.g, x->path[i])->kind, AP_EDGE_SUBCONTRACTOR_OF);
    done(&r);
    /* the pairs inside the loop raise no partner-inherits-partner finding */
    compute(&r, FIXTURE("findings/root-cause/loop3.json"), "partner-inherits-partner");
    assert_int_equal(ap_findings_count(r.f), 0);
    done(&r);
}

/* One finding per escalation point: the workflow two partners set off lists both and says it
 * grants read (its runs_as edge passes read); the policy's admin_of steps are not "running as". */
static void test_findings_root_cause__escalation_once_per_point(void **state)
{
    run r = { 0 };
    char buf[256];
    int seen_job = 0, seen_policy = 0;
    (void)state;
    compute(&r, FIXTURE("findings/root-cause/escalation.json"), "escalation-runs-as");
    assert_int_equal(ap_findings_count(r.f), 2);
    for (size_t i = 0; i < ap_findings_count(r.f); i++) {
        const ap_finding *x = ap_findings_get(r.f, i);
        const char *subject = ap_finding_subject_id(r.g, x);
        if (strcmp(subject, "job") == 0) {
            seen_job = 1;
            assert_string_equal(partners(&r, x, buf, sizeof buf), "p1 p2");
            assert_string_equal(ap_finding_fact(x, "gains"), "read");
            assert_non_null(strstr(x->message, "job running as svc-job"));
            assert_non_null(strstr(x->message, "gain read"));
            assert_null(strstr(x->message, "full rights"));
        } else {
            seen_policy = 1;
            assert_string_equal(subject, "policy");
            assert_string_equal(ap_finding_fact(x, "steps"), "2");
            assert_non_null(strstr(x->message, "2 admin_of steps over user-a, user-b"));
            assert_null(strstr(x->message, "running as"));
        }
    }
    assert_true(seen_job && seen_policy);
    /* SARIF: one result per escalation point, its partners as related locations */
    char *text = NULL;
    size_t len = 0;
    ap_error err;
    FILE *mem = open_memstream(&text, &len);
    assert_int_equal(ap_findings_write_sarif(mem, r.g, r.f, "test", &err), AP_OK);
    fclose(mem);
    json_t *doc = json_loads(text, 0, NULL);
    json_t *results = json_object_get(json_array_get(json_object_get(doc, "runs"), 0),
                                      "results");
    assert_int_equal(json_array_size(results), 2);
    size_t related = 0;
    for (size_t i = 0; i < json_array_size(results); i++)
        related += json_array_size(json_object_get(json_array_get(results, i),
                                                   "relatedLocations"));
    assert_int_equal(related, 2);       /* p1 and p2 on the workflow's result */
    json_decref(doc);
    free(text);
    done(&r);
}

/* Partners that share a grant share its finding: one per can_mint edge and per edge passing
 * the mint right (not one per partner and target), one per sensitive workflow listing every
 * partner and what they can do together. */
static void test_findings_root_cause__shared_grants_once(void **state)
{
    run r = { 0 };
    char buf[256];
    int seen_mint = 0, seen_right = 0;
    (void)state;
    compute(&r, FIXTURE("findings/root-cause/shared_grants.json"), "partner-can-mint");
    assert_int_equal(ap_findings_count(r.f), 2);
    for (size_t i = 0; i < ap_findings_count(r.f); i++) {
        const ap_finding *x = ap_findings_get(r.f, i);
        const char *subject = ap_finding_subject_id(r.g, x);
        assert_true(x->subject_is_edge);
        assert_string_equal(partners(&r, x, buf, sizeof buf), "p1 p2 p3");
        assert_non_null(strstr(x->message, "Partners p1, p2 and p3 "));
        assert_non_null(strstr(x->message, "(for example through p1 > k1 > hub"));
        if (strcmp(subject, "hub|can_mint|svc") == 0) {
            seen_mint = 1;
            assert_string_equal(ap_finding_fact(x, "mints_for"), "svc");
        } else {
            seen_right = 1;
            assert_string_equal(subject, "hub|access|vault");
            assert_string_equal(ap_finding_fact(x, "rights"), "read, mint");
        }
    }
    assert_true(seen_mint && seen_right);
    done(&r);
    compute(&r, FIXTURE("findings/root-cause/shared_grants.json"), "sensitive-workflow");
    assert_int_equal(ap_findings_count(r.f), 1);
    const ap_finding *x = ap_findings_get(r.f, 0);
    assert_string_equal(ap_finding_subject_id(r.g, x), "run");
    assert_string_equal(partners(&r, x, buf, sizeof buf), "p1 p2 p3");
    assert_string_equal(ap_finding_fact(x, "can"), "execute, approve");
    assert_non_null(strstr(x->message, "Partners p1, p2 and p3 can execute, approve critical "
                                       "workflow run (for example through p1 > k1 > hub > run)"));
    done(&r);
}

/* An api_key is static by nature unless the inventory says static: false; a certificate is not. */
static void test_findings_root_cause__static_by_nature(void **state)
{
    run r = { 0 };
    (void)state;
    compute(&r, FIXTURE("findings/root-cause/static.json"), "static-secret");
    assert_int_equal(ap_findings_count(r.f), 1);
    assert_string_equal(ap_finding_subject_id(r.g, ap_findings_get(r.f, 0)), "key-nature");
    done(&r);
}

/* p acts for q and for r, and holds its own key to e: one finding about p, counting by
 * sensitivity what it reaches only through other partners (a, b, b0, c through q, d through
 * r; not e, its own, nor wiki, not sensitive), its chain to the most sensitive (d) whole,
 * through r. */
static void test_findings_root_cause__fourth_party_per_partner(void **state)
{
    run r = { 0 };
    char buf[256];
    (void)state;
    compute(&r, FIXTURE("findings/root-cause/fourth_party.json"), "fourth-party-sensitive");
    assert_int_equal(ap_findings_count(r.f), 1);
    const ap_finding *x = ap_findings_get(r.f, 0);
    assert_string_equal(ap_graph_node(r.g, x->partner)->id, "p");
    assert_string_equal(partners(&r, x, buf, sizeof buf), "p");
    assert_string_equal(ap_finding_subject_id(r.g, x), "p");
    assert_string_equal(ap_finding_fact(x, "sensitivity"), "critical");
    assert_string_equal(ap_finding_fact(x, "sensitive_targets"), "5");
    assert_string_equal(ap_finding_fact(x, "by_sensitivity"),
                        "critical 1, restricted 2, confidential 2");
    assert_string_equal(ap_finding_fact(x, "rights"), "read");
    assert_string_equal(ap_finding_fact(x, "through_partner"), "r");
    snprintf(buf, sizeof buf, "%s", x->message);
    assert_non_null(strstr(buf, "p > r > kr > d"));
    assert_int_equal(x->npath, 3);
    done(&r);
}

/* A loop of N partners (q_i subcontractor_of q_{i+1}, q0 holding one key to a critical
 * database): one loop finding, and the pairs inside it are not reported one by one. */
static void test_findings_root_cause__partner_loop_stays_small(void **state)
{
    enum { N = 200 };
    size_t size = (size_t)N * 160 + 512, used = 0, loops = 0, fourth = 0;
    char *json = malloc(size), next[16];
    run r = { 0 };
    (void)state;
    used += (size_t)snprintf(json + used, size - used, "{\"format\": \"authpath/1\", \"nodes\": "
                             "[{\"id\": \"k\", \"kind\": \"credential\"}, {\"id\": \"db\", "
                             "\"kind\": \"resource\", \"sensitivity\": \"critical\"}");
    for (int i = 0; i < N; i++)
        used += (size_t)snprintf(json + used, size - used, ", {\"id\": \"q%d\", \"kind\": "
                                 "\"partner\"}", i);
    used += (size_t)snprintf(json + used, size - used, "], \"edges\": [{\"from\": \"q0\", "
                             "\"to\": \"k\", \"kind\": \"holds\"}, {\"from\": \"k\", \"to\": "
                             "\"db\", \"kind\": \"access\", \"rights\": [\"read\"]}");
    for (int i = 0; i < N; i++)
        used += (size_t)snprintf(json + used, size - used, ", {\"from\": \"q%d\", \"to\": "
                                 "\"q%d\", \"kind\": \"subcontractor_of\"}", i, (i + 1) % N);
    snprintf(json + used, size - used, "]}");
    compute(&r, ap_test_write_temp("loop200.json", json), NULL);
    free(json);
    for (size_t i = 0; i < ap_findings_count(r.f); i++) {
        const ap_finding *x = ap_findings_get(r.f, i);
        assert_string_not_equal(x->rule->id, "partner-inherits-partner");
        if (strcmp(x->rule->id, "delegation-loop") == 0) {
            loops++;
            assert_int_equal(x->npartners, N);
            assert_int_equal(x->npath, N);
        }
        if (strcmp(x->rule->id, "fourth-party-sensitive") == 0) {
            fourth++;       /* q_i reaches db only through q_{i+1}, first on its chain */
            assert_int_equal(x->npartners, 1);
            int m = atoi(ap_graph_node(r.g, x->partner)->id + 1);
            snprintf(next, sizeof next, "q%d", (m + 1) % N);
            assert_string_equal(ap_finding_fact(x, "through_partner"), next);
        }
    }
    assert_int_equal(loops, 1);
    assert_int_equal(fourth, N - 1);
    /* per partner: owner, sponsor, review, scope, fourth party; then the key's and the loop's:
     * linear in N (the pairs inside the loop would be N * (N - 1) more) */
    assert_true(ap_findings_count(r.f) <= 5 * (size_t)N + 10);
    done(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_root_cause__loop_named_in_order_once),
        cmocka_unit_test(test_findings_root_cause__escalation_once_per_point),
        cmocka_unit_test(test_findings_root_cause__shared_grants_once),
        cmocka_unit_test(test_findings_root_cause__static_by_nature),
        cmocka_unit_test(test_findings_root_cause__fourth_party_per_partner),
        cmocka_unit_test(test_findings_root_cause__partner_loop_stays_small),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
