/* tests/property/test_findings_batches.c: the findings catalogue gives the same bytes whatever the
 * kernel's batch of partners (64 to 512 lanes), and from one run to the next. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/kernel/kernel.h"
#include "../../query/query_internal.h"
#include "authpath/findings.h"
#include "authpath/render.h"
#include "model.h"
#include "support.h"

#define AT_2026 1767225600      /* 2026-01-01 */
#define SEEDS 60

/* The findings of g as JSON, the kernel's batches `words` x 64 partners (0: its choice). */
static char *findings_json(const ap_graph *g, unsigned words, size_t *count)
{
    ap_findings *f = NULL;
    ap_error err;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    ap_kernel__words = words;
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    ap_kernel__words = 0;
    assert_int_equal(ap_findings_write_json(out, g, f, &err), AP_OK);
    *count = ap_findings_count(f);
    fclose(out);
    ap_findings_free(f);
    return text;
}

/* Batches of 64 and 512 lanes, and the kernel's choice twice: the same bytes. */
static size_t check_graph(const ap_graph *g, const char *what)
{
    size_t n1, n2, n3, n4;
    char *dflt = findings_json(g, 0, &n1);
    char *again = findings_json(g, 0, &n2);
    char *one = findings_json(g, 1, &n3);
    char *eight = findings_json(g, 8, &n4);
    if (strcmp(dflt, again) != 0)
        fail_msg("%s: findings differ from one run to the next (%zu, %zu)", what, n1, n2);
    if (strcmp(dflt, one) != 0 || strcmp(dflt, eight) != 0)
        fail_msg("%s: findings differ by lanes a batch (%zu; %zu and %zu findings)", what, n1,
                 n3, n4);
    free(dflt);
    free(again);
    free(one);
    free(eight);
    return n1;
}

static size_t check_file(const char *path, int64_t at)
{
    ap_store *st = NULL;
    ap_error err;
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    if (ap_test_import(st, path, &err) != AP_OK)
        fail_msg("%s: import failed: %s", path, err.msg);
    ap_graph *g = ap_test_graph(st, at);
    size_t n = check_graph(g, path);
    ap_graph_free(g);
    ap_store_close(st);
    return n;
}

/* Random inventories of the brute-force model: partners sharing credentials, reaching through
 * each other, escalating. */
static void test_findings_batches__model_inventories(void **state)
{
    size_t total = 0;
    (void)state;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        m_inventory inv;
        char name[64];
        m_generate(&inv, seed);
        char *json = m_to_json(&inv);
        snprintf(name, sizeof name, "batches_%llu.json", (unsigned long long)seed);
        const char *path = ap_test_write_temp(name, json);
        free(json);
        total += check_file(path, inv.at);
        remove(path);
    }
    assert_true(total > SEEDS);     /* the inventories raise findings to compare */
}

/* The fixtures of the rules about several partners, and the samples. */
static void test_findings_batches__fixtures(void **state)
{
    static const char *const files[] = {
        FIXTURE("findings/credential-shared/fires.json"),
        FIXTURE("findings/escalation-runs-as/fires.json"),
        FIXTURE("findings/fourth-party-sensitive/fires.json"),
        FIXTURE("findings/undeclared-rights/fires.json"),
        FIXTURE("findings/temporary-no-expiry/fires.json"),
        FIXTURE("findings/unattributable-write/fires.json"),
        FIXTURE("findings/credential-rotation-overdue/fires.json"),
        FIXTURE("findings/environment-crossing/fires.json"),
        FIXTURE("findings/partner-inherits-partner/fires.json"),
        FIXTURE("findings/root-cause/loop3.json"),
        AP_SAMPLES "/estate.json",
    };
    (void)state;
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        assert_true(check_file(files[i], AT_2026) > 0);
}

static uint64_t rnd(uint64_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 7;
    *x ^= *x << 17;
    return *x;
}

/* An estate of 200 partners (more than three batches of 64 lanes): own and shared keys,
 * subcontracting in rings, read-only tiers, ended contracts, hub roles, undeclared and temporary
 * grants, workflows that run as identities, minting: every family has partners in several
 * batches, and subjects that partners of different batches share. */
static char *many_partners(uint64_t seed)
{
    char *text = NULL;
    size_t len = 0;
    FILE *o = open_memstream(&text, &len);
    const int P = 200;
    uint64_t x = seed * 0x9E3779B97F4A7C15ull + 1;
    static const char *const sens[] = { "public", "internal", "confidential", "restricted",
                                        "critical" };
    fprintf(o, "{\"format\": \"authpath/1\", \"nodes\": [\n");
    for (int i = 0; i < P; i++) {
        fprintf(o, "{\"id\": \"p%03d\", \"kind\": \"partner\", \"domain\": \"p%03d\"%s%s%s},\n",
                i, i, rnd(&x) % 5 == 0 ? ", \"tier\": \"read_only\"" : "",
                rnd(&x) % 7 == 0 ? ", \"contract_ends\": \"2025-06-30\"" : "",
                rnd(&x) % 3 == 0 ? ", \"owner\": \"o\", \"sponsor\": \"s\", \"purpose\": \"x\"" : "");
        fprintf(o, "{\"id\": \"k%03d\", \"kind\": \"credential\", \"type\": \"api_key\", "
                   "\"domain\": \"p%03d\"%s%s},\n", i, i,
                rnd(&x) % 2 ? ", \"expires\": \"2027-12-31\"" : "",
                rnd(&x) % 4 == 0 ? ", \"multi_tenant\": true" : "");
        fprintf(o, "{\"id\": \"i%03d\", \"kind\": \"identity\", \"domain\": \"p%03d\"%s},\n", i,
                i, rnd(&x) % 6 == 0 ? ", \"logged\": false" : "");
    }
    for (int k = 0; k < 6; k++)
        fprintf(o, "{\"id\": \"shared%d\", \"kind\": \"credential\", \"type\": \"password\"},\n",
                k);
    for (int r = 0; r < 5; r++)
        fprintf(o, "{\"id\": \"role%d\", \"kind\": \"role\"},\n", r);
    for (int w = 0; w < 4; w++)
        fprintf(o, "{\"id\": \"wf%d\", \"kind\": \"workflow\", \"sensitivity\": \"%s\"},\n", w,
                sens[2 + w % 3]);
    fprintf(o, "{\"id\": \"svc-run\", \"kind\": \"identity\"},\n");
    for (int d = 0; d < 30; d++)
        fprintf(o, "{\"id\": \"res%02d\", \"kind\": \"resource\", \"sensitivity\": \"%s\"}%s\n",
                d, sens[d % 5], d + 1 < 30 ? "," : "");
    fprintf(o, "], \"edges\": [\n");
    for (int i = 0; i < P; i++) {
        fprintf(o, "{\"from\": \"p%03d\", \"to\": \"k%03d\", \"kind\": \"holds\"},\n", i, i);
        fprintf(o, "{\"from\": \"k%03d\", \"to\": \"i%03d\", \"kind\": \"authenticates_as\"},\n",
                i, i);
        fprintf(o, "{\"from\": \"i%03d\", \"to\": \"role%d\", \"kind\": \"member_of\"},\n", i,
                (int)(rnd(&x) % 5));
        if (rnd(&x) % 9 == 0)
            fprintf(o, "{\"from\": \"p%03d\", \"to\": \"shared%d\", \"kind\": \"holds\"},\n", i,
                    (int)(rnd(&x) % 6));
        if (rnd(&x) % 4 == 0)
            fprintf(o, "{\"from\": \"p%03d\", \"to\": \"p%03d\", \"kind\": \"subcontractor_of\"},\n",
                    i, (int)((i * 7 + 3 + rnd(&x) % 3) % P));
        if (rnd(&x) % 11 == 0)
            fprintf(o, "{\"from\": \"i%03d\", \"to\": \"res%02d\", \"kind\": \"access\"},\n", i,
                    (int)(rnd(&x) % 30));
    }
    for (int k = 0; k < 6; k++)
        fprintf(o, "{\"from\": \"shared%d\", \"to\": \"i%03d\", \"kind\": \"authenticates_as\"},\n",
                k, k * 31);
    for (int r = 0; r < 5; r++)
        for (int d = r; d < 30; d += 5)
            fprintf(o, "{\"from\": \"role%d\", \"to\": \"res%02d\", \"kind\": \"access\", "
                       "\"rights\": [\"%s\"]%s},\n", r, d, d % 3 ? "read" : "write",
                    d == r ? ", \"temporary\": true" : "");
    fprintf(o, "{\"from\": \"role1\", \"to\": \"wf0\", \"kind\": \"access\", \"rights\": "
               "[\"execute\"]},\n");
    fprintf(o, "{\"from\": \"res03\", \"to\": \"wf1\", \"kind\": \"triggers\"},\n");
    fprintf(o, "{\"from\": \"wf1\", \"to\": \"svc-run\", \"kind\": \"runs_as\"},\n");
    fprintf(o, "{\"from\": \"svc-run\", \"to\": \"res04\", \"kind\": \"access\", \"rights\": "
               "[\"admin\"]},\n");
    fprintf(o, "{\"from\": \"role2\", \"to\": \"svc-run\", \"kind\": \"can_mint\"},\n");
    fprintf(o, "{\"from\": \"role3\", \"to\": \"wf2\", \"kind\": \"access\", \"rights\": "
               "[\"approve\"]}\n]}\n");
    fclose(o);
    return text;
}

/* 200 partners in batches of 64, 128 and 512 lanes: the same findings. */
static void test_findings_batches__lanes_words(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        char name[64], *json = many_partners(seed), *text[3];
        size_t n[3];
        snprintf(name, sizeof name, "lanes_%llu.json", (unsigned long long)seed);
        const char *path = ap_test_write_temp(name, json);
        free(json);
        ap_store *st = NULL;
        ap_error err;
        assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
        if (ap_test_import(st, path, &err) != AP_OK)
            fail_msg("%s: import failed: %s", path, err.msg);
        ap_graph *g = ap_test_graph(st, AT_2026);
        static const unsigned words[3] = { 1, 2, 8 };
        for (int k = 0; k < 3; k++)
            text[k] = findings_json(g, words[k], &n[k]);
        if (n[0] < 200)
            fail_msg("seed %llu: only %zu findings", (unsigned long long)seed, n[0]);
        if (strcmp(text[0], text[1]) != 0 || strcmp(text[0], text[2]) != 0)
            fail_msg("seed %llu: findings differ by lanes a batch (%zu, %zu, %zu)",
                     (unsigned long long)seed, n[0], n[1], n[2]);
        for (int k = 0; k < 3; k++)
            free(text[k]);
        ap_graph_free(g);
        ap_store_close(st);
        remove(path);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_batches__model_inventories),
        cmocka_unit_test(test_findings_batches__fixtures),
        cmocka_unit_test(test_findings_batches__lanes_words),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
