/* tests/unit/test_authority.c: the engine on hand-written estates: a gate that opens only with
 * write, a confused-deputy escalation, hops, witness order, explanations, blast radius. */
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "support.h"

#define R(x) ((ap_rights)1 << AP_R_##x)

static ap_graph *load(void **state, const char *fixture)
{
    ap_error err;
    assert_int_equal(ap_test_import(*state, fixture, &err), AP_OK);
    return ap_test_graph(*state, 1767225600);
}

static uint32_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    assert_true(v >= 0);
    return (uint32_t)v;
}

/* repo is writable, so its trigger fires and deploy's runs_as hands over svc-deployer, which
 * administers prod-db; wiki is only readable, so its hook never fires. */
static void test_authority__gate_and_escalation(void **state)
{
    ap_graph *g = load(state, FIXTURE("engine/deputy.json"));
    ap_authority *a = NULL;
    ap_error err;
    assert_int_equal(ap_authority_compute(&a, g, node(g, "cicd"), &err), AP_OK);
    assert_int_equal(a->rights[node(g, "repo")], R(READ) | R(WRITE));
    assert_int_equal(a->rights[node(g, "deploy")], R(READ) | R(WRITE));  /* gate open: write */
    assert_int_equal(a->rights[node(g, "svc-deployer")], AP_RIGHTS_ALL);  /* escalation */
    assert_int_equal(a->rights[node(g, "prod-db")], R(READ) | R(WRITE) | R(ADMIN));
    assert_int_equal(a->hops[node(g, "prod-db")], 6);
    assert_int_equal(a->rights[node(g, "wiki")], R(READ));
    assert_int_equal(a->rights[node(g, "wiki-hook")], 0);         /* gate closed */
    assert_int_equal(a->rights[node(g, "svc-wiki")], 0);
    assert_int_equal(a->nreach, 7);
    assert_int_equal(a->reach[0], node(g, "cicd-token"));
    assert_int_equal(a->reach[a->nreach - 1], node(g, "prod-db"));
    ap_authority_free(a);
    ap_graph_free(g);
}

static void test_authority__explain_says_why_steps_apply(void **state)
{
    ap_graph *g = load(state, FIXTURE("engine/deputy.json"));
    ap_authority *a = NULL;
    ap_error err;
    char *s = NULL;
    assert_int_equal(ap_authority_compute(&a, g, node(g, "cicd"), &err), AP_OK);
    assert_int_equal(ap_explain_sentence(&s, g, a, node(g, "prod-db"), &err), AP_OK);
    assert_string_equal(s, "BuildCo holds oauth grant cicd-token, which authenticates as svc-ci, "
        "which can read and write repo, where a change to repo triggers deploy (it can write "
        "repo), which runs as svc-deployer (an escalation: whoever can set off deploy acts as "
        "svc-deployer), which can read, write and administer prod-db");
    free(s);
    assert_int_equal(ap_explain_sentence(&s, g, a, node(g, "svc-wiki"), &err), AP_ENOTFOUND);
    assert_string_equal(err.msg, "'cicd' cannot reach 'svc-wiki'");
    ap_authority_free(a);
    ap_graph_free(g);
}

/* score = sum of sensitivity weight x max right weight: repo confidential(4) x write(2),
 * deploy critical(16) x write(2), prod-db critical(16) x admin(5), wiki internal(2) x read(1) */
static void test_authority__blast_radius_score_and_lists(void **state)
{
    ap_graph *g = load(state, FIXTURE("engine/deputy.json"));
    ap_authority *a = NULL;
    ap_blast *b = NULL;
    ap_weights w;
    ap_error err;
    ap_weights_default(&w);
    assert_int_equal(ap_authority_compute(&a, g, node(g, "cicd"), &err), AP_OK);
    assert_int_equal(ap_blast_compute(&b, g, a, &w, &err), AP_OK);
    assert_int_equal(b->score, 4 * 2 + 16 * 2 + 16 * 5 + 2 * 1);
    assert_int_equal(b->by_sens[AP_SENS_CRITICAL], 2);
    assert_int_equal(b->by_sens_right[AP_SENS_CRITICAL][AP_R_ADMIN], 1);
    assert_int_equal(b->nworkflows, 1);
    assert_int_equal(b->nidentities, 2);
    assert_int_equal(b->nescalations, 1);
    assert_string_equal(ap_graph_edge(g, b->escalations[0])->id, "deploy|runs_as|svc-deployer");
    w.right_weight[AP_R_ADMIN] = 10;
    ap_blast_free(b);
    assert_int_equal(ap_blast_compute(&b, g, a, &w, &err), AP_OK);
    assert_int_equal(b->score, 4 * 2 + 16 * 2 + 16 * 10 + 2 * 1);
    ap_blast_free(b);
    ap_authority_free(a);
    ap_graph_free(g);
}

/* Wide rounds: hub-a's 1,500 resources (the later ids) arrive in round 2 before hub-b's
 * (the earlier ones), then each passes to its workflow in round 3; the reach list still comes
 * by hops, then id (long rounds are sorted by digits, short ones otherwise). */
static void test_authority__wide_rounds_come_by_hops_then_id(void **state)
{
    enum { N = 3000 };
    size_t size = 512 + (size_t)N * 200, used = 0;
    char *json = malloc(size);
    (void)state;
    assert_non_null(json);
    used += (size_t)snprintf(json + used, size - used, "{\"format\": \"authpath/1\", \"nodes\": ["
                             "{\"id\": \"p\", \"kind\": \"partner\"},"
                             "{\"id\": \"hub-a\", \"kind\": \"identity\"},"
                             "{\"id\": \"hub-b\", \"kind\": \"identity\"}");
    for (int k = 0; k < N; k++)
        used += (size_t)snprintf(json + used, size - used, ",{\"id\": \"r%04d\", \"kind\": "
                                 "\"resource\"},{\"id\": \"w%04d\", \"kind\": \"workflow\"}",
                                 k, k);
    used += (size_t)snprintf(json + used, size - used, "], \"edges\": ["
                             "{\"from\": \"p\", \"to\": \"hub-a\", \"kind\": \"admin_of\"},"
                             "{\"from\": \"p\", \"to\": \"hub-b\", \"kind\": \"admin_of\"}");
    for (int k = 0; k < N; k++)
        used += (size_t)snprintf(json + used, size - used, ",{\"from\": \"%s\", \"to\": "
                                 "\"r%04d\", \"kind\": \"access\", \"rights\": [\"write\"]},"
                                 "{\"from\": \"r%04d\", \"to\": \"w%04d\", \"kind\": "
                                 "\"triggers\"}", k < N / 2 ? "hub-b" : "hub-a", k, k, k);
    snprintf(json + used, size - used, "]}");
    ap_store *st = NULL;
    ap_graph *g = ap_test_load_json(json, 1767225600, "wide", 0, &st);
    ap_authority *a = NULL;
    ap_error err;
    assert_int_equal(ap_authority_compute(&a, g, node(g, "p"), &err), AP_OK);
    assert_int_equal(a->nreach, 2 + 2 * N);
    assert_int_equal(a->reach[0], node(g, "hub-a"));
    assert_int_equal(a->reach[2], node(g, "r0000"));
    for (uint32_t i = 1; i < a->nreach; i++) {
        uint32_t u = a->reach[i - 1], v = a->reach[i];
        assert_true(a->hops[u] < a->hops[v] || (a->hops[u] == a->hops[v] && u < v));
    }
    assert_int_equal(a->hops[a->reach[N + 1]], 2);
    assert_int_equal(a->hops[a->reach[N + 2]], 3);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_authority__wide_rounds_come_by_hops_then_id),
        cmocka_unit_test_setup_teardown(test_authority__gate_and_escalation,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_authority__explain_says_why_steps_apply,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_authority__blast_radius_score_and_lists,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
