/* tests/unit/test_findings_scope.c: purpose you can test. Declared scopes read from JSON, YAML,
 * CSV and the policy (errors placed); authority-beyond-scope on a delegated chain with its
 * witness; partners inside their scope quiet; rotation periods; what-if's within-purpose test. */
#include <stdlib.h>
#include <string.h>

#include "authpath/findings.h"
#include "authpath/offboard.h"
#include "authpath/scope.h"
#include "support.h"

#define AT_NOV 1793491200       /* 2026-11-01 */

static uint32_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return (uint32_t)v;
}

static ap_findings *run(ap_graph *g, const char *rule, const ap_policy *policy)
{
    const char *only[1] = { rule };
    ap_findings_opts opts = { policy, only, 1, -1, AP_SEV_NONE };
    ap_findings *f = NULL;
    ap_error err;
    if (ap_findings_compute(&f, g, &opts, &err) != AP_OK)
        fail_msg("findings: %s", err.msg);
    return f;
}

/* The issue's estate: acme declares staging, internal, read; it reaches the confidential
 * production orders-prod with write through its key, identity and role. Globex stays inside. */
static void test_scope__beyond_scope_names_target_and_chain(void **state)
{
    ap_error err;
    ap_graph *g;
    ap_findings *f;
    unsigned reasons = 0;
    assert_int_equal(ap_test_import(*state, FIXTURE("scope/estate.json"), &err), AP_OK);
    g = ap_test_graph(*state, AT_NOV);
    f = run(g, "authority-beyond-scope", NULL);
    assert_int_equal(ap_findings_count(f), 3);
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        const char *reason = ap_finding_fact(x, "reason");
        assert_string_equal(ap_graph_node(g, x->partner)->id, "acme");
        assert_int_equal(x->severity, AP_SEV_HIGH);      /* confidential: not raised */
        assert_non_null(strstr(x->message, "orders-prod"));
        assert_non_null(strstr(x->message, "acme > acme-key > svc-acme > role-etl > orders-prod"));
        assert_non_null(strstr(ap_finding_fact(x, "targets"), "orders-prod (confidential, read, write)"));
        /* the witness ends at the target and starts at the partner */
        assert_int_equal(x->npath, 4);
        assert_int_equal(ap_graph_edge(g, x->path[3])->to, node(g, "orders-prod"));
        if (strcmp(reason, "environment") == 0)
            reasons |= 1;
        else if (strcmp(reason, "sensitivity") == 0)
            reasons |= 2;
        else if (strcmp(reason, "rights") == 0)
            reasons |= 4;
        else
            fail_msg("unexpected reason %s", reason);
    }
    assert_int_equal(reasons, 7);
    ap_findings_free(f);
    /* reports-staging (read, internal, staging) is inside: globex, whose scope names it, and
     * acme's own read of it raise nothing; blast-radius's count agrees */
    int64_t n;
    assert_int_equal(ap_scope_count(&n, g, node(g, "acme"), NULL, &err), AP_OK);
    assert_int_equal(n, 1);
    assert_int_equal(ap_scope_count(&n, g, node(g, "globex"), NULL, &err), AP_OK);
    assert_int_equal(n, 0);
    assert_int_equal(ap_scope_count(&n, g, node(g, "initech"), NULL, &err), AP_OK);
    assert_int_equal(n, -1);
    ap_graph_free(g);
}

/* A policy's scopes apply to partners whose source carries none; the inventory's own wins. */
static void test_scope__policy_scopes(void **state)
{
    ap_error err;
    ap_policy p;
    ap_graph *g;
    ap_findings *f;
    const char *text = "{\"scopes\": {\"initech\": {\"max_sensitivity\": \"restricted\"},\n"
                       " \"globex\": {\"rights\": [\"write\"]}}}";
    assert_int_equal(ap_test_import(*state, FIXTURE("scope/estate.json"), &err), AP_OK);
    g = ap_test_graph(*state, AT_NOV);
    ap_policy_default(&p);
    assert_int_equal(ap_policy_load(&p, ap_test_write_temp("scopes.json", text),
                                    ap_graph_vocab(g), &err), AP_OK);
    f = run(g, "authority-beyond-scope", &p);
    size_t initech = 0, globex = 0;
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        if (strcmp(ap_graph_node(g, x->partner)->id, "initech") == 0) {
            initech++;
            /* ledger is critical: the finding is critical */
            assert_int_equal(x->severity, AP_SEV_CRITICAL);
            assert_string_equal(ap_finding_fact(x, "reason"), "sensitivity");
        }
        globex += strcmp(ap_graph_node(g, x->partner)->id, "globex") == 0;
    }
    assert_int_equal(initech, 1);
    assert_int_equal(globex, 0);            /* its own scope, not the policy's */
    ap_findings_free(f);
    f = run(g, "scope-undeclared", &p);
    for (size_t i = 0; i < ap_findings_count(f); i++)
        assert_string_not_equal(ap_graph_node(g, ap_findings_get(f, i)->partner)->id, "initech");
    ap_findings_free(f);
    ap_policy_clear(&p);
    /* a bad scope in the policy is placed at its field */
    ap_policy_default(&p);
    text = "{\"scopes\": {\"initech\": {\n  \"max_sensitivity\": \"secret\"}}}";
    assert_int_equal(ap_policy_load(&p, ap_test_write_temp("bad-scopes.json", text),
                                    ap_graph_vocab(g), &err), AP_EINPUT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 22);
    assert_non_null(strstr(err.msg, "scope of 'initech': 'max_sensitivity' must be one of"));
    ap_policy_clear(&p);
    ap_graph_free(g);
}

/* Scope errors in the inventory are placed and refused; the database is left as it was. */
static void test_scope__inventory_errors(void **state)
{
    const char *path = ap_test_write_temp(
        "bad-scope.json",
        "{\"nodes\": [\n"
        "  {\"id\": \"a\", \"kind\": \"partner\", \"scope\": {\"until\": \"2026-01-01\",\n"
        "   \"from\": \"2026-02-01\"}},\n"
        "  {\"id\": \"b\", \"kind\": \"partner\", \"scope\": [\"x\"]}],\n"
        " \"edges\": []}\n");
    const char *paths[1] = { path };
    ap_error_list more;
    memset(&more, 0, sizeof more);
    ap_test_expect_error(*state, paths, 1, &more, path, 2, 43,
                         "scope: 'until' must come after 'from'");
    assert_int_equal(more.count, 1);
    assert_non_null(strstr(more.items[0].msg, "scope: must be an object"));
    assert_int_equal(more.items[0].line, 4);
    assert_string_equal(ap_test_store_state(*state), "snapshot=0 node=0 edge=0 source=0 vocab=0");
}

/* The CSV `scope` column holds JSON and gives the graph the JSON file gives. */
static void test_scope__csv_column(void **state)
{
    ap_error err;
    const char *nodes = ap_test_write_temp(
        "scope_nodes.csv",
        "id,kind,scope\n"
        "acme,partner,\"{\"\"environments\"\": [\"\"staging\"\"], \"\"rights\"\": [\"\"read\"\"]}\"\n"
        "db,resource,\n");
    char nodes_path[512];
    snprintf(nodes_path, sizeof nodes_path, "%s", nodes);
    const char *edges = ap_test_write_temp("scope_edges.csv", "from,to,kind,rights\n"
                                                               "acme,db,access,write\n");
    const char *paths[2] = { nodes_path, edges };
    ap_import_opts opts;
    memset(&opts, 0, sizeof opts);
    assert_int_equal(ap_test_import_opts(*state, paths, 2, &opts, &err), AP_OK);
    ap_graph *g = ap_test_graph(*state, AT_NOV);
    ap_scope *s = NULL;
    assert_int_equal(ap_scope_of(&s, g, node(g, "acme"), NULL, &err), AP_OK);
    assert_non_null(s);
    assert_true(s->has_environments && s->nenvironments == 1);
    assert_string_equal(s->environments[0], "staging");
    assert_true(s->has_rights);
    assert_int_equal(s->rights, (ap_rights)1 << AP_R_READ);
    assert_int_equal(ap_scope_outside(s, g, node(g, "db"), (ap_rights)1 << AP_R_WRITE, AT_NOV),
                     AP_SCOPE_RIGHTS);
    assert_int_equal(ap_scope_outside(s, g, node(g, "db"), (ap_rights)1 << AP_R_READ, AT_NOV), 0);
    ap_scope_free(s);
    ap_graph_free(g);
}

/* Each reason on its own: resource globs (id or name), jurisdictions, the window. */
static void test_scope__reasons(void **state)
{
    ap_error err;
    const char *path = ap_test_write_temp(
        "reasons.yaml",
        "nodes:\n"
        "  - {id: p, kind: partner, scope: {resources: ['arn:aws:s3:::orders/*', 'crm*'],\n"
        "     jurisdictions: [eu], from: '2026-01-01', until: '2026-06-01'}}\n"
        "  - {id: 'arn:aws:s3:::orders/2026', kind: resource, jurisdiction: eu}\n"
        "  - {id: r2, name: crm-eu, kind: resource, jurisdiction: EU}\n"
        "  - {id: r3, kind: resource, jurisdiction: us}\n"
        "  - {id: k, kind: credential}\n"
        "edges: []\n");
    assert_int_equal(ap_test_import(*state, path, &err), AP_OK);
    ap_graph *g = ap_test_graph(*state, AT_NOV);
    ap_scope *s = NULL;
    ap_rights rd = (ap_rights)1 << AP_R_READ;
    int64_t in_window = 1767225600 + 86400;         /* 2026-01-02 */
    assert_int_equal(ap_scope_of(&s, g, node(g, "p"), NULL, &err), AP_OK);
    assert_int_equal(ap_scope_outside(s, g, node(g, "arn:aws:s3:::orders/2026"), rd, in_window),
                     0);
    assert_int_equal(ap_scope_outside(s, g, node(g, "r2"), rd, in_window), 0);
    assert_int_equal(ap_scope_outside(s, g, node(g, "r3"), rd, in_window),
                     AP_SCOPE_RESOURCE | AP_SCOPE_JURISDICTION);
    assert_int_equal(ap_scope_outside(s, g, node(g, "r2"), rd, AT_NOV), AP_SCOPE_WINDOW);
    assert_int_equal(ap_scope_outside(s, g, node(g, "k"), rd, AT_NOV), 0);  /* not a target */
    ap_scope_free(s);
    ap_graph_free(g);
}

/* Rotation: the policy's period by sensitivity, rotation_days overriding the defaults. */
static void test_scope__rotation_policy(void **state)
{
    ap_error err;
    ap_policy p;
    assert_int_equal(ap_test_import(*state, FIXTURE("findings/credential-rotation-overdue/"
                                                    "fires.json"), &err), AP_OK);
    ap_graph *g = ap_test_graph(*state, 1767225600);
    ap_findings *f = run(g, "credential-rotation-overdue", NULL);
    assert_int_equal(ap_findings_count(f), 2);
    ap_findings_free(f);
    ap_policy_default(&p);
    assert_int_equal(p.rotate_every[AP_SENS_CRITICAL], 90 * 86400);
    assert_int_equal(p.rotate_every[AP_SENS_INTERNAL], 180 * 86400);
    assert_int_equal(ap_policy_load(&p, ap_test_write_temp("rot.json",
                     "{\"thresholds\": {\"rotation_days\": {\"critical\": 365, \"internal\": 365}}}"),
                     ap_graph_vocab(g), &err), AP_OK);
    f = run(g, "credential-rotation-overdue", &p);
    assert_int_equal(ap_findings_count(f), 0);
    ap_findings_free(f);
    ap_policy_clear(&p);
    ap_graph_free(g);
}

/* what-if --grant: the fourth readiness test lists what the grant adds outside the scope. */
static void test_scope__whatif_within_purpose(void **state)
{
    ap_error err;
    ap_edge_spec sp;
    ap_whatif *w = NULL;
    assert_int_equal(ap_test_import(*state, FIXTURE("scope/estate.json"), &err), AP_OK);
    ap_graph *g = ap_test_graph(*state, AT_NOV);
    ap_whatif_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.grants = &sp;
    opts.ngrants = 1;
    /* inside: globex may read reports-*, staging, eu */
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "globex-key -authenticates_as-> svc-acme",
                                           &err), AP_OK);
    assert_int_equal(ap_whatif_compute(&w, g, node(g, "globex"), &opts, &err), AP_OK);
    assert_false(w->ready[AP_READY_WITHIN_PURPOSE]);
    bool orders = false;
    for (uint32_t i = 0; i < w->nissues; i++)
        if (w->issues[i].test == AP_READY_WITHIN_PURPOSE
            && w->issues[i].node == node(g, "orders-prod"))
            orders = true;
    assert_true(orders);
    ap_whatif_free(w);
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "svc-globex -access[read]-> reports-staging",
                                           &err), AP_OK);
    assert_int_equal(ap_whatif_compute(&w, g, node(g, "globex"), &opts, &err), AP_OK);
    assert_true(w->ready[AP_READY_WITHIN_PURPOSE]);
    ap_whatif_free(w);
    /* no scope: the test cannot pass */
    assert_int_equal(ap_whatif_parse_grant(&sp, g, "svc-initech -access[read]-> orders-prod",
                                           &err), AP_OK);
    assert_int_equal(ap_whatif_compute(&w, g, node(g, "initech"), &opts, &err), AP_OK);
    assert_false(w->ready[AP_READY_WITHIN_PURPOSE]);
    ap_whatif_free(w);
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_scope__beyond_scope_names_target_and_chain,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_scope__policy_scopes, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_scope__inventory_errors, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_scope__csv_column, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_scope__reasons, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_scope__rotation_policy, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_scope__whatif_within_purpose, ap_test_store_setup,
                                        ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
