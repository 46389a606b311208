/* tests/unit/test_findings_subjects.c: findings per root cause: a credential several partners
 * hold is one finding per rule listing every holder (in one batch or one at a time); a
 * read-only partner writing to many targets is one finding counting them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/query_internal.h"
#include "authpath/findings.h"
#include "../../query/kernel/kernel.h"
#include "support.h"

#define AT_2026 1767225600      /* 2026-01-01 */
#define PARTNERS 30
#define KEYS 12

/* PARTNERS partners, each holding every one of KEYS api keys (static by nature, no expiry, no
 * owner) that authenticate as one identity reading one database: the hub of shared keys. */
static char *shared_keys(void)
{
    size_t cap = 1 << 20, n = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    n += (size_t)snprintf(s + n, cap - n, "{\"format\": \"authpath/1\", \"nodes\": ["
                          "{\"id\": \"svc\", \"kind\": \"identity\", \"owner\": \"it\"},"
                          "{\"id\": \"db\", \"kind\": \"resource\"}");
    for (int p = 0; p < PARTNERS; p++)
        n += (size_t)snprintf(s + n, cap - n, ",{\"id\": \"p%02d\", \"kind\": \"partner\", "
                              "\"owner\": \"it\"}", p);
    for (int k = 0; k < KEYS; k++)
        n += (size_t)snprintf(s + n, cap - n, ",{\"id\": \"k%02d\", \"kind\": \"credential\", "
                              "\"type\": \"api_key\"}", k);
    n += (size_t)snprintf(s + n, cap - n, "], \"edges\": [{\"from\": \"svc\", \"kind\": "
                          "\"access\", \"to\": \"db\", \"rights\": [\"read\"]}");
    for (int k = 0; k < KEYS; k++) {
        n += (size_t)snprintf(s + n, cap - n, ",{\"from\": \"k%02d\", \"kind\": "
                              "\"authenticates_as\", \"to\": \"svc\"}", k);
        for (int p = 0; p < PARTNERS; p++)
            n += (size_t)snprintf(s + n, cap - n, ",{\"from\": \"p%02d\", \"kind\": \"holds\", "
                                  "\"to\": \"k%02d\"}", p, k);
    }
    snprintf(s + n, cap - n, "]}");
    return s;
}

/* Every finding of a credential rule names one key and all the partners, the first as its
 * own, the rest in its message ("partners p00, p01, p02, p03, p04 and 25 more"). */
static void check(const ap_graph *g, const ap_findings *f)
{
    static const char *const rules[] = { "credential-no-expiry", "credential-shared",
                                         "static-secret", "owner-missing" };
    size_t count[4] = { 0 };
    uint32_t all[PARTNERS + 1];
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        size_t r = 0;
        while (r < 4 && strcmp(x->rule->id, rules[r]) != 0)
            r++;
        if (r == 4)
            continue;                           /* a rule about each partner itself */
        count[r]++;
        assert_string_equal(ap_graph_node(g, x->partner)->id, "p00");
        assert_int_equal(ap_graph_node(g, x->subject)->kind, AP_KIND_CREDENTIAL);
        assert_int_equal(x->npartners, PARTNERS);
        assert_int_equal(ap_findings_partners(f, i, all, PARTNERS + 1), PARTNERS);
        for (uint32_t p = 0; p < PARTNERS; p++) {
            char id[8];
            snprintf(id, sizeof id, "p%02u", p);
            assert_string_equal(ap_graph_node(g, all[p])->id, id);
        }
        if (strstr(x->message, "artners p00, p01, p02, p03, p04 and 25 more") == NULL)
            fail_msg("%s names not every holder: %s", x->rule->id, x->message);
        assert_true(x->npath >= 1);             /* the first partner's chain */
    }
    for (size_t r = 0; r < 4; r++)
        if (count[r] != KEYS)
            fail_msg("%s: %zu findings for %d keys", rules[r], count[r], KEYS);
}

static void test_findings_subjects__one_per_key_whoever_holds_it(void **state)
{
    ap_store *st = NULL;
    ap_error err;
    ap_findings *f = NULL;
    (void)state;
    ap_graph *g = ap_test_load_json(shared_keys(), AT_2026, "subjects", 0, &st);
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    check(g, f);
    ap_findings_free(f);
    /* 64 partners a batch: the later batches' holders join the first one's findings */
    ap_kernel__words = 1;
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    ap_kernel__words = 0;
    check(g, f);
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

/* A read-only partner with write on 40 resources (two of them critical): one finding about the
 * partner, counting them, its chain to the first critical one in reach order. */
static void test_findings_subjects__read_only_partner_once(void **state)
{
    size_t cap = 1 << 16, n = 0;
    char *s = malloc(cap);
    ap_store *st = NULL;
    ap_error err;
    ap_findings *f = NULL;
    (void)state;
    assert_non_null(s);
    n += (size_t)snprintf(s + n, cap - n, "{\"format\": \"authpath/1\", \"nodes\": ["
                          "{\"id\": \"ro\", \"kind\": \"partner\", \"tier\": \"read_only\"},"
                          "{\"id\": \"svc\", \"kind\": \"identity\"}");
    for (int k = 0; k < 40; k++)
        n += (size_t)snprintf(s + n, cap - n, ",{\"id\": \"r%02d\", \"kind\": \"resource\", "
                              "\"sensitivity\": \"%s\"}", k,
                              k == 7 || k == 30 ? "critical" : "internal");
    n += (size_t)snprintf(s + n, cap - n, "], \"edges\": [{\"from\": \"ro\", \"kind\": "
                          "\"can_assume\", \"to\": \"svc\"}");
    for (int k = 0; k < 40; k++)
        n += (size_t)snprintf(s + n, cap - n, ",{\"from\": \"svc\", \"kind\": \"access\", "
                              "\"to\": \"r%02d\", \"rights\": [\"read\", \"write\"]}", k);
    snprintf(s + n, cap - n, "]}");
    ap_graph *g = ap_test_load_json(s, AT_2026, "readonly", 0, &st);
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    size_t found = 0;
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        if (strcmp(x->rule->id, "read-only-tier-exceeded") != 0)
            continue;
        found++;
        assert_string_equal(ap_finding_subject_id(g, x), "ro");
        assert_non_null(strstr(x->message, "on 40 resources and workflows (critical 2, "
                                           "internal 38): it can write critical r07 through "
                                           "ro > svc > r07."));
    }
    assert_int_equal(found, 1);
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_subjects__one_per_key_whoever_holds_it),
        cmocka_unit_test(test_findings_subjects__read_only_partner_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
