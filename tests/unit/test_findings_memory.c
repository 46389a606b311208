/* tests/unit/test_findings_memory.c: what the catalogue leaves in memory does not follow the
 * estate's reach: attributes read per reached node are not kept parsed by the graph. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "authpath/findings.h"
#include "support.h"
#include "../../graph/graph_internal.h"
#include "../../query/findings/findings_internal.h"

#define AT_2026 1767225600       /* 2026-01-01 */
#define RESOURCES 2000

/* A partner's key reaching RESOURCES resources, each with an environment (production and not):
 * environment-crossing reads the environment of every node the key reaches. */
static char *estate(void)
{
    size_t cap = (size_t)RESOURCES * 200 + 4096, used = 0;
    char *s = malloc(cap);
    assert_non_null(s);
    used += (size_t)snprintf(s + used, cap - used,
                             "{\"format\": \"authpath/1\", \"nodes\": ["
                             "{\"id\": \"acme\", \"kind\": \"partner\", \"owner\": \"o\"},"
                             "{\"id\": \"k1\", \"kind\": \"credential\", \"type\": \"api_key\","
                             " \"expires\": \"2026-03-01\", \"owner\": \"o\"},"
                             "{\"id\": \"svc\", \"kind\": \"identity\", \"owner\": \"o\"}");
    for (int i = 0; i < RESOURCES; i++)
        used += (size_t)snprintf(s + used, cap - used,
                                 ",{\"id\": \"r%d\", \"kind\": \"resource\", "
                                 "\"environment\": \"%s\", \"region\": \"eu\"}",
                                 i, i % 2 ? "prod" : "dev");
    used += (size_t)snprintf(s + used, cap - used,
                             "], \"edges\": [{\"from\": \"acme\", \"kind\": \"holds\", "
                             "\"to\": \"k1\"}, {\"from\": \"k1\", \"kind\": "
                             "\"authenticates_as\", \"to\": \"svc\"}");
    for (int i = 0; i < RESOURCES; i++)
        used += (size_t)snprintf(s + used, cap - used,
                                 ",{\"from\": \"svc\", \"kind\": \"access\", \"to\": \"r%d\", "
                                 "\"rights\": [\"read\"]}", i);
    snprintf(s + used, cap - used, "]}");
    return s;
}

/* The rule fires, and the graph holds parsed attributes only of the few nodes the findings
 * name (it kept one per reached node before: ~400 bytes each, 400 MB at a million nodes). */
static void test_findings_memory__reached_attributes_not_kept(void **state)
{
    static const char *const rules[] = { "environment-crossing", "credential-no-expiry",
                                         "owner-missing", "static-secret" };
    ap_store *st = NULL;
    ap_findings *f = NULL;
    ap_error err;
    ap_findings_opts fo = { NULL, rules, 4, -1, AP_SEV_NONE };
    (void)state;
    ap_graph *g = ap_test_load_json(estate(), AT_2026, "findings_memory", 1, &st);
    assert_int_equal(ap_findings_compute(&f, g, &fo, &err), AP_OK);
    size_t crossing = 0;
    for (size_t i = 0; i < ap_findings_count(f); i++)
        crossing += strcmp(ap_findings_peek(f, i)->rule->id, "environment-crossing") == 0;
    assert_int_equal(crossing, 1);
    assert_true(g->nparsed < 16);
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

/* What every rule asks of every identity, credential and partner edge (last use, domain, type,
 * rotation, a partner edge's Kubernetes scope, a GDAP relationship's roles) is read and let go:
 * the whole catalogue over 400 identities and 400 credentials with those attributes keeps the
 * attributes of a few nodes parsed, not of each (at S=100 they were a quarter of the findings'
 * peak: 457 MB). */
static void test_findings_memory__attributes_asked_of_all_not_kept(void **state)
{
    enum { N = 400 };
    size_t cap = (size_t)N * 600 + 4096, used = 0;
    char *s = malloc(cap);
    ap_store *st = NULL;
    ap_findings *f = NULL;
    ap_error err;
    (void)state;
    assert_non_null(s);
    used += (size_t)snprintf(s + used, cap - used, "{\"format\": \"authpath/1\", \"nodes\": ["
                             "{\"id\": \"acme\", \"kind\": \"partner\", \"owner\": \"o\"}");
    for (int i = 0; i < N; i++)
        used += (size_t)snprintf(s + used, cap - used,
                                 ",{\"id\": \"i%d\", \"kind\": \"identity\", \"owner\": \"o\", "
                                 "\"domain\": \"acme\", \"last_used\": \"2025-12-20\"}"
                                 ",{\"id\": \"k%d\", \"kind\": \"credential\", \"owner\": \"o\", "
                                 "\"domain\": \"acme\", \"type\": \"certificate\", "
                                 "\"expires\": \"2026-03-01\", \"last_rotated\": \"2025-12-01\"}",
                                 i, i);
    used += (size_t)snprintf(s + used, cap - used, "], \"edges\": [");
    for (int i = 0; i < N; i++)
        used += (size_t)snprintf(s + used, cap - used,
                                 "%s{\"from\": \"acme\", \"kind\": \"holds\", \"to\": \"k%d\", "
                                 "\"k8s_scope\": \"namespace\"}"
                                 ",{\"from\": \"k%d\", \"kind\": \"authenticates_as\", "
                                 "\"to\": \"i%d\"}", i ? "," : "", i, i, i);
    snprintf(s + used, cap - used, "]}");
    ap_graph *g = ap_test_load_json(s, AT_2026, "findings_attrs", 1, &st);
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    assert_true(g->nparsed < N / 10);
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

/* An undeclared access edge every one of 300 partners reaches: its one finding keeps a bit per
 * partner and lists the first 20 (npartners counts all 300; ap_findings_partners lists them;
 * --partner finds it by any of them). The partners come as words of 64 lanes: the first word
 * one by one until the list turns to bits, the later ones a word at once. */
static void test_findings_memory__many_partners_as_bits(void **state)
{
    enum { NP = 300 };
    static const char *const rules[] = { "undeclared-rights" };
    size_t cap = NP * 160 + 1024, used = 0;
    char *s = malloc(cap);
    ap_store *st = NULL;
    ap_findings *f = NULL;
    ap_error err;
    uint32_t list[NP + 8];
    (void)state;
    assert_non_null(s);
    used += (size_t)snprintf(s + used, cap - used, "{\"format\": \"authpath/1\", \"nodes\": ["
                             "{\"id\": \"hub\", \"kind\": \"identity\"},"
                             "{\"id\": \"db\", \"kind\": \"resource\"}");
    for (int i = 0; i < NP; i++)
        used += (size_t)snprintf(s + used, cap - used,
                                 ",{\"id\": \"p%03d\", \"kind\": \"partner\"}", i);
    used += (size_t)snprintf(s + used, cap - used, "], \"edges\": [{\"from\": \"hub\", "
                             "\"kind\": \"access\", \"to\": \"db\"}");
    for (int i = 0; i < NP; i++)
        used += (size_t)snprintf(s + used, cap - used, ",{\"from\": \"p%03d\", \"kind\": "
                                 "\"can_assume\", \"to\": \"hub\"}", i);
    snprintf(s + used, cap - used, "]}");
    ap_graph *g = ap_test_load_json(s, AT_2026, "findings_bits", 1, &st);
    ap_findings_opts fo = { NULL, rules, 1, -1, AP_SEV_NONE };
    assert_int_equal(ap_findings_compute(&f, g, &fo, &err), AP_OK);
    assert_int_equal(ap_findings_count(f), 1);
    const ap_finding *x = ap_findings_peek(f, 0);
    assert_int_equal(x->npartners, NP);
    assert_non_null(f->bits[0]);                /* bits, not a list of them all */
    for (size_t k = 0; k < AP_FINDINGS_PARTNERS_SHOWN; k++)
        assert_int_equal(x->partners[k], ap_graph_find(g, "p000") + k);
    assert_int_equal(ap_findings_partners(f, 0, list, NP + 8), NP);
    for (size_t k = 0; k < NP; k++) {
        char id[8];
        snprintf(id, sizeof id, "p%03zu", k);
        assert_int_equal(list[k], ap_graph_find(g, id));
    }
    ap_findings_free(f);
    fo.partner = ap_graph_find(g, "p277");
    assert_int_equal(ap_findings_compute(&f, g, &fo, &err), AP_OK);
    assert_int_equal(ap_findings_count(f), 1);
    ap_findings_free(f);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_memory__reached_attributes_not_kept),
        cmocka_unit_test(test_findings_memory__attributes_asked_of_all_not_kept),
        cmocka_unit_test(test_findings_memory__many_partners_as_bits),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
