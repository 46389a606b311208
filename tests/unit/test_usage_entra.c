/* tests/unit/test_usage_entra.c: observed use from Microsoft Entra: service principals'
 * sign-in activity pages (one event a client sub-activity), lists of pages, the PowerShell
 * export and sign-in logs, each against an Entra inventory. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authpath/findings.h"
#include "authpath/usage.h"
#include "support.h"

#define AT 1796083200                       /* 2026-12-01 */

static int setup(void **state)
{
    return ap_test_store_with(state, FIXTURE("usage/estate.json"));
}

#define SP "entra:1f0c3a52-7d4e-4b21-9a6f-0c1d2e3f4a5b"
#define GRAPH_API "entra:api:7e2d1c0b-aaaa-4bbb-8ccc-0d1e2f3a4b5c"
#define EXO_API "entra:api:0a1b2c3d-dddd-4eee-8fff-a0b1c2d3e4f5"

static int setup_entra(void **state)
{
    return ap_test_store_with(state, FIXTURE("usage/entra-estate.json"));
}

/* The real servicePrincipalSignInActivities page: one event per client sub-activity, its
 * "-8:00" times read as -08:00; the apps are not in this inventory, so named by appId. */
static void test_usage__entra_activity(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    assert_int_equal(ap_test_usage(st, AP_REAL "/msgraph-docs/servicePrincipalSignInActivities"
                                  ".list.beta.json", &rep, &err), AP_OK);
    assert_int_equal(rep.events, 4);
    assert_int_equal(rep.unknown_actors, 2);
    assert_string_equal(rep.actors[0], "entra:appid:83f45296-fb8f-4aaa-a399-ac51084e02b7");
    /* applicationAuthenticationClientSignInActivity 2021-03-01T00:00:00-8:00 */
    assert_int_equal(ap_test_count(st, "SELECT at FROM observation WHERE event_id = "
                                       "'4ea8ac36-d43d-431c-bb05-739348e18c66'"), 1614585600);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE target = "
                                       "'entra:sign-in' AND rights = 0 AND ok"), 4);
    assert_int_equal(rep.first, 1609488000);    /* delegatedClient 2021-01-01T00:00:00-8:00 */
}

/* Sign-in log records: the service principal by object id or appId, success a use and failure
 * an attempt, a user's sign-in under the user; drift as tests/fixtures/usage/FACTS.md says. */
/* Pages saved as one JSON list (a paging script's output, or jq -s over page files) are
 * read page by page: before, the Graph inventory reader took the list and refused it. */
static void test_usage__entra_list_of_pages(void **state)
{
#define PAGE "{\"@odata.context\": \"https://graph.microsoft.com/beta/$metadata#auditLogs/" \
             "signIns\", "
#define SIGN_IN(id, code) "{\"id\": \"" id "\", \"createdDateTime\": \"2026-11-02T09:00:00." \
    "1234567Z\", \"appId\": \"9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\", \"servicePrincipalId\": " \
    "\"1f0c3a52-7d4e-4b21-9a6f-0c1d2e3f4a5b\", \"resourceId\": \"00000003-0000-0000-c000-" \
    "000000000000\", \"resourceServicePrincipalId\": \"7e2d1c0b-aaaa-4bbb-8ccc-0d1e2f3a4b5c\"," \
    " \"signInEventTypes\": [\"servicePrincipal\"], \"status\": {\"errorCode\": " code "}}"
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p = ap_test_write_temp("pages.json", "[\n " PAGE "\"@odata.nextLink\": \"https"
        "://graph.microsoft.com/beta/auditLogs/signIns?$skiptoken=x\", \"value\": [\n  "
        SIGN_IN("p1", "0") ",\n  " SIGN_IN("p2", "7000215") "]},\n " PAGE "\"value\": [\n  "
        SIGN_IN("p3", "0") "]}\n]\n");
#undef PAGE
#undef SIGN_IN
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 3);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE actor = '" SP
                                       "' AND target = '" GRAPH_API "' AND ok"), 2);
}

/* Graph PowerShell: `Get-MgAuditLogSignIn | ConvertTo-Json | Out-File` writes UTF-16 with a
 * byte order mark, keys in PascalCase, and (Windows PowerShell) times as \/Date(ms)\/. Read as
 * Graph's own JSON is; before, the Graph inventory reader took it and refused every record. */
static void test_usage__entra_powershell(void **state)
{
    static const char text[] = "[\r\n    {\r\n        \"AppId\": \"9b8a7c6d-5e4f-4a3b-8c2d-"
        "1e0f9a8b7c6d\",\r\n        \"CreatedDateTime\": \"2026-11-02T09:00:00Z\",\r\n"
        "        \"Id\": \"ps-1\",\r\n        \"ResourceId\": \"00000003-0000-0000-c000-"
        "000000000000\",\r\n        \"ResourceServicePrincipalId\": \"7e2d1c0b-aaaa-4bbb-8ccc"
        "-0d1e2f3a4b5c\",\r\n        \"ServicePrincipalId\": \"1f0c3a52-7d4e-4b21-9a6f-"
        "0c1d2e3f4a5b\",\r\n        \"Status\": {\"ErrorCode\": 0, \"FailureReason\": null}"
        "\r\n    },\r\n    {\r\n        \"AppId\": \"9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\","
        "\r\n        \"CreatedDateTime\": \"\\/Date(1793610000000)\\/\",\r\n        \"Id\": "
        "\"ps-2\",\r\n        \"ResourceId\": \"00000003-0000-0000-c000-000000000000\",\r\n"
        "        \"Status\": {\"ErrorCode\": 50126, \"FailureReason\": \"Invalid\"}\r\n    }"
        "\r\n]\r\n";
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s.utf16", ap_test_write_temp("signins.json", ""));
    assert_non_null(f = fopen(path, "wb"));
    fputc(0xFF, f);
    fputc(0xFE, f);
    for (const char *c = text; *c != '\0'; c++) {
        fputc(*c, f);
        fputc(0, f);
    }
    fclose(f);
    assert_int_equal(ap_test_usage(st, path, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 2);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = "
                                       "'ps-1' AND actor = '" SP "' AND target = '" GRAPH_API
                                       "' AND ok AND line = 2"), 1);
    assert_int_equal(ap_test_count(st, "SELECT at FROM observation WHERE event_id = 'ps-2' "
                                       "AND NOT ok AND actor = '" SP "'"), 1793610000);
    /* UTF-16 that ends inside a character: refused at the place decoding stopped */
    assert_non_null(f = fopen(path, "wb"));
    fputc(0xFF, f);
    fputc(0xFE, f);
    fputc('[', f);
    fputc(0, f);
    fputc('{', f);
    fclose(f);
    assert_int_equal(ap_test_import_opts(st, (const char *const[]){ path }, 1,
                                         &(ap_import_opts){ .format = AP_FORMAT_USAGE }, &err),
                     AP_EINPUT);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 2);
    assert_non_null(strstr(err.msg, "ends inside a character"));
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation"), 2);
    remove(path);
}

static void test_usage__entra_sign_ins(void **state)
{
    static const char *const rules[] = { "usage-not-granted", "granted-never-used",
                                         "attempted-not-granted" };
    ap_store *st = *state;
    ap_findings_opts fo = { NULL, rules, 3, -1, AP_SEV_NONE };
    ap_usage_report rep;
    ap_findings *f = NULL;
    ap_usage *u = NULL;
    ap_graph *g;
    ap_error err;
    const ap_finding *x;
    size_t count;
    assert_int_equal(ap_test_usage(st, FIXTURE("usage/entra-signins.jsonl"), &rep, &err), AP_OK);
    assert_int_equal(rep.events, 4);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(rep.unknown_actors, 1);
    assert_string_equal(rep.actors[0], "entra:5d6e7f80-1111-4222-8333-944455566677");
    assert_int_equal(rep.unknown_targets, 0);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE actor = '" SP
                                       "' AND actor_known AND target = '" GRAPH_API
                                       "' AND target_known AND ok"), 2);
    assert_int_equal(ap_test_count(st, "SELECT at FROM observation WHERE event_id = "
                                       "'si-0002'"), 1793696400);   /* 2026-11-03T09:00Z */
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = "
                                       "'si-0003' AND NOT ok AND target = '" EXO_API "'"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = "
                                       "'si-0004' AND via = 'entra:appid:9b8a7c6d-5e4f-4a3b-"
                                       "8c2d-1e0f9a8b7c6d'"), 1);
    g = ap_test_graph(st, AT);
    assert_int_equal(ap_usage_load(&u, st, 1, AT - 90 * 86400, AT, &err), AP_OK);
    assert_int_equal(ap_findings_compute_observed(&f, g, &fo, u, &err), AP_OK);
    ap_test_only_finding(f, "usage-not-granted", &count);
    assert_int_equal(count, 0);
    x = ap_test_only_finding(f, "granted-never-used", &count);
    assert_int_equal(count, 1);
    assert_string_equal(ap_finding_subject_id(g, x), EXO_API);
    assert_string_equal(ap_finding_fact(x, "unused"), "read, write");
    ap_findings_free(f);
    ap_usage_free(u);
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usage__entra_activity, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__entra_list_of_pages, setup_entra,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__entra_powershell, setup_entra,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__entra_sign_ins, setup_entra,
                                        ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
