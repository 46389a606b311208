/* tests/property/test_findings_batches.c: the findings catalogue gives the same bytes whether it
 * holds many partners' authorities at once or one at a time, on one thread or several. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/query_internal.h"
#include "authpath/findings.h"
#include "authpath/render.h"
#include "model.h"
#include "support.h"

#define AT_2026 1767225600      /* 2026-01-01 */
#define SEEDS 60

/* The findings of g as JSON, computed in batches of about `batch` bytes (SIZE_MAX: one), their
 * authorities `threads` at a time. */
static char *findings_json(const ap_graph *g, size_t batch, unsigned threads, size_t *count)
{
    ap_findings *f = NULL;
    ap_error err;
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_non_null(out);
    if (batch == SIZE_MAX)
        assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    else
        assert_int_equal(ap_findings__compute_batched(&f, g, NULL, batch, threads, &err), AP_OK);
    assert_int_equal(ap_findings_write_json(out, g, f, &err), AP_OK);
    *count = ap_findings_count(f);
    fclose(out);
    ap_findings_free(f);
    return text;
}

/* One partner per batch (its authority freed before the next), a few, and all at once; one
 * group of 2 and 3 threads per batch, and a few batches on 2 threads. */
static size_t check_graph(const ap_graph *g, const char *what)
{
    size_t n1, n2, n3, n4, n5, n6;
    size_t few_bytes = (size_t)ap_graph_node_count(g) * 40;
    char *all = findings_json(g, SIZE_MAX, 1, &n1);
    char *one = findings_json(g, 0, 1, &n2);
    char *few = findings_json(g, few_bytes, 1, &n3);
    char *two = findings_json(g, 0, 2, &n4);
    char *three = findings_json(g, 0, 3, &n5);
    char *few2 = findings_json(g, few_bytes, 2, &n6);
    if (strcmp(all, one) != 0 || strcmp(all, few) != 0)
        fail_msg("%s: findings differ by batch (%zu, %zu and %zu findings)", what, n1, n2, n3);
    if (strcmp(all, two) != 0 || strcmp(all, three) != 0 || strcmp(all, few2) != 0)
        fail_msg("%s: findings differ by threads (%zu; %zu, %zu and %zu findings)", what, n1, n4,
                 n5, n6);
    free(all);
    free(one);
    free(few);
    free(two);
    free(three);
    free(few2);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_batches__model_inventories),
        cmocka_unit_test(test_findings_batches__fixtures),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
