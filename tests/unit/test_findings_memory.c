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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_findings_memory__reached_attributes_not_kept),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
