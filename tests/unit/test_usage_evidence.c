/* tests/unit/test_usage_evidence.c: observed use stores an event once per snapshot (the same
 * eventID, sharedEventID or auditID is one event) and as no more than its record says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/usage.h"
#include "support.h"

#define ROLE "arn:aws:iam::111122223333:role/acme-integration"

static int setup(void **state)
{
    return ap_test_store_with(state, FIXTURE("usage/estate.json"));
}

/* A CloudTrail record of GetObject on orders/KEY by the acme-integration role's session. */
#define CT(id, key) "{\"eventTime\":\"2026-11-02T09:00:00Z\",\"eventSource\":" \
    "\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventID\":\"" id "\",\"userIdentity\":" \
    "{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/" \
    "acme-integration/s1\"},\"requestParameters\":{\"bucketName\":\"orders\",\"key\":\"" key \
    "\"}}"

/* How many events ap_usage_load counts for the role on orders/a.json (the drift rules' input). */
static uint64_t counted(ap_store *st)
{
    ap_usage *u = NULL;
    ap_error err;
    uint64_t n = 0;
    assert_int_equal(ap_usage_load(&u, st, 1, 0, INT64_MAX, &err), AP_OK);
    for (size_t i = 0; i < ap_usage_count(u); i++) {
        const ap_use *use = ap_usage_get(u, i);
        if (strcmp(use->actor, ROLE) == 0 && strcmp(use->target, "arn:aws:s3:::orders/a.json")
            == 0)
            n += use->count;
    }
    ap_usage_free(u);
    return n;
}

/* Two overlapping exports of a trail (and one record twice in the first): each event is stored
 * once, in one import or the next, and the skipped ones are reported. They were stored twice,
 * so the role's use of orders/a.json counted 3 events where there was 1. */
static void test_usage__cloudtrail_duplicates_count_once(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_import_opts o = { .format = AP_FORMAT_AUTO, .usage = &rep };
    ap_error err;
    char first[512], second[512];
    const char *paths[2] = { first, second };
    snprintf(first, sizeof first, "%s", ap_test_write_temp("trail-1.json",
             "{\"Records\": [" CT("e1", "a.json") ", " CT("e2", "b.json") ", "
             CT("e1", "a.json") "]}"));
    snprintf(second, sizeof second, "%s", ap_test_write_temp("trail-2.jsonl",
             CT("e2", "b.json") "\n" CT("e1", "a.json") "\n" CT("e3", "c.json") "\n"));
    assert_int_equal(ap_test_import_opts(st, paths, 2, &o, &err), AP_OK);
    assert_int_equal(rep.events, 3);
    assert_int_equal(rep.duplicates, 3);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation"), 3);
    assert_int_equal(counted(st), 1);
    /* the second export again, on its own: nothing new, not refused as empty */
    assert_int_equal(ap_test_usage(st, second, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 0);
    assert_int_equal(rep.duplicates, 3);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation"), 3);
    assert_int_equal(counted(st), 1);
    remove(first);
    remove(second);
}

/* A Kubernetes request is one auditID: logged at ResponseStarted (not counted, as before), at
 * ResponseComplete, and the same line again in an overlapping export, it is one use. */
static void test_usage__k8s_audit_id_counts_once(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
#define K8S(stage) "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":" \
    "\"a1\",\"stage\":\"" stage "\",\"verb\":\"get\",\"user\":{\"username\":" \
    "\"system:serviceaccount:shop:sync\"},\"objectRef\":{\"resource\":\"secrets\"," \
    "\"namespace\":\"shop\",\"name\":\"db\"},\"responseStatus\":{\"code\":200}," \
    "\"stageTimestamp\":\"2026-11-01T00:00:01Z\"}\n"
    const char *p = ap_test_write_temp("audit.jsonl", K8S("ResponseStarted")
                                       K8S("ResponseComplete") K8S("ResponseComplete"));
#undef K8S
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 1);
    assert_int_equal(rep.skipped, 1);
    assert_int_equal(rep.duplicates, 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'a1'"),
                     1);
}

/* One cross-account call is logged in both accounts' trails, each copy with its own eventID
 * and both with one sharedEventID (an organization trail holds the two): one event, where it
 * was two. Another call with another sharedEventID stays apart. */
static void test_usage__cloudtrail_shared_event_counts_once(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
#define ASSUME(id, shared, recipient) "{\"eventTime\":\"2026-11-02T09:00:00Z\"," \
    "\"eventSource\":\"sts.amazonaws.com\",\"eventName\":\"AssumeRole\",\"eventID\":\"" \
    id "\",\"sharedEventID\":\"" shared "\",\"recipientAccountId\":\"" recipient "\"," \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:" \
    "assumed-role/acme-integration/s1\",\"accountId\":\"111122223333\"},\"resources\":" \
    "[{\"ARN\":\"arn:aws:iam::444455556666:role/reports\",\"accountId\":\"444455556666\"}]}\n"
    const char *p = ap_test_write_temp("org-trail.jsonl",
                                       ASSUME("c1", "s-1", "111122223333")
                                       ASSUME("c2", "s-1", "444455556666")
                                       ASSUME("c3", "s-2", "444455556666"));
#undef ASSUME
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 2);
    assert_int_equal(rep.duplicates, 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE shared_id = "
                                       "'s-1' AND event_id = 'c1'"), 1);
}

/* A console sign-in event answers under its own name: a failed SwitchRole writes
 * responseElements.SwitchRole "Failure" and no errorCode, as a failed ConsoleLogin does. It was
 * a successful use of the role; it is an attempt. */
static void test_usage__cloudtrail_failed_switch_role_is_an_attempt(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
#define SWITCH(id, answer) "{\"eventTime\":\"2026-11-02T09:00:00Z\",\"eventSource\":" \
    "\"signin.amazonaws.com\",\"eventName\":\"SwitchRole\",\"eventID\":\"" id "\"," \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:" \
    "assumed-role/acme-integration/s1\",\"accountId\":\"111122223333\"}," \
    "\"responseElements\":{\"SwitchRole\":\"" answer "\"},\"additionalEventData\":" \
    "{\"SwitchFrom\":\"arn:aws:iam::111122223333:user/ops\"}}\n"
    const char *p = ap_test_write_temp("switch.jsonl", SWITCH("sw1", "Failure")
                                       SWITCH("sw2", "Success"));
#undef SWITCH
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 2);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'sw1'"
                                       " AND ok = 0"), 1);
}

/* A request the API server panicked on (stage Panic, often without a responseStatus) was
 * stored as a successful use; it is an attempt. */
static void test_usage__k8s_panic_is_an_attempt(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p = ap_test_write_temp("panic.jsonl",
        "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"p1\","
        "\"stage\":\"Panic\",\"verb\":\"delete\",\"user\":{\"username\":"
        "\"system:serviceaccount:shop:sync\"},\"objectRef\":{\"resource\":\"secrets\","
        "\"namespace\":\"shop\",\"name\":\"db\"},"
        "\"stageTimestamp\":\"2026-11-01T00:00:01Z\"}\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 1);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'p1'"
                                       " AND ok = 0"), 1);
}

/* A sign-in record without status.errorCode (`$select` left status out) was a successful
 * sign-in, so the app counted as used; it says a sign-in was tried: an attempt. */
static void test_usage__entra_sign_in_without_status_is_an_attempt(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
#define SIGN_IN(id, status) "{\"id\": \"" id "\", \"createdDateTime\": " \
    "\"2026-11-02T09:00:00Z\", \"appId\": \"9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\", " \
    "\"servicePrincipalId\": \"1f0c3a52-7d4e-4b21-9a6f-0c1d2e3f4a5b\", \"resourceId\": " \
    "\"00000003-0000-0000-c000-000000000000\"" status "}\n"
    const char *p = ap_test_write_temp("selected-signins.jsonl",
                                       SIGN_IN("s1", "") SIGN_IN("s2", ", \"status\": {}")
                                       SIGN_IN("s3", ", \"status\": {\"errorCode\": null}")
                                       SIGN_IN("s4", ", \"status\": {\"errorCode\": 0}"));
#undef SIGN_IN
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 4);
    assert_int_equal(rep.denied, 3);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE ok"), 1);
}

/* A native CSV cell that is not UTF-8 is refused at its row: it was stored, and JSON output
 * then left out what named it (a usage-not-granted finding without its target or message). */
static void test_usage__native_csv_not_utf8_is_refused(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p = ap_test_write_temp("bytes.csv", "at,actor,target,right\n"
        "2026-11-01," "arn:aws:iam::111122223333:role/acme-integration,arn:aws:s3:::ok/x,read\n"
        "2026-11-01," "arn:aws:iam::111122223333:role/acme-integration,arn:aws:s3:::fin\xff"
        "ance/x,write\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_EINPUT);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 1);
    assert_string_equal(err.msg, "'target' is not valid UTF-8 text");
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation"), 0);
}

/* An id is the same event only with the same action, actor and target: native ids, which the
 * user gives, may repeat across sources for different events; those are both kept. Events
 * without an id are never merged. */
static void test_usage__same_id_other_event_is_kept(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p = ap_test_write_temp("native.csv",
        "at,actor,target,right,id\n"
        "2026-11-02T09:00:00Z,acme-integration,orders-db,read,1\n"
        "2026-11-02T09:00:00Z,acme-integration,orders-db,write,1\n"
        "2026-11-02T09:00:00Z,acme-integration,payments-db,read,1\n"
        "2026-11-02T09:00:00Z,acme-integration,orders-db,read,\n"
        "2026-11-02T09:00:00Z,acme-integration,orders-db,read,\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 5);
    assert_int_equal(rep.duplicates, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usage__cloudtrail_duplicates_count_once, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__k8s_audit_id_counts_once, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__cloudtrail_shared_event_counts_once, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__cloudtrail_failed_switch_role_is_an_attempt,
                                        setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__k8s_panic_is_an_attempt, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__entra_sign_in_without_status_is_an_attempt,
                                        setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__native_csv_not_utf8_is_refused, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__same_id_other_event_is_kept, setup,
                                        ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
