/* tests/unit/test_usage_bounds.c: observed use keeps long values whole or refuses them at their
 * record (Entra, CloudTrail, Kubernetes audit, native rights): never cut into one actor. */
#include <stdlib.h>
#include <string.h>

#include "authpath/usage.h"
#include "support.h"

static int setup(void **state)
{
    return ap_test_store_with(state, FIXTURE("usage/estate.json"));
}

static int setup_entra(void **state)
{
    return ap_test_store_with(state, FIXTURE("usage/entra-estate.json"));
}

#define import_usage ap_test_usage

static long observations(ap_store *st)
{
    return ap_test_count(st, "SELECT count(*) FROM observation");
}

/* Ids past 128 bytes (Graph's are GUIDs, and the Graph reader reads no longer) are refused at
 * their record: they were cut at 193 bytes into the actor's node id, so two service principals
 * alike in their first 193 bytes were one actor. Nothing is written. */
static void test_usage__entra_long_ids(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    char id_a[301], id_b[301], text[2048], state_before[256];
    long before = observations(st);
    memset(id_a, 'a', sizeof id_a - 1);
    id_a[sizeof id_a - 1] = '\0';
    memcpy(id_b, id_a, sizeof id_b);
    id_b[299] = 'b';
    snprintf(text, sizeof text,
             "{\"id\": \"l1\", \"createdDateTime\": \"2026-11-02T09:00:00Z\", \"appId\": "
             "\"9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\", \"servicePrincipalId\": \"%s\", "
             "\"status\": {\"errorCode\": 0}}\n"
             "{\"id\": \"l2\", \"createdDateTime\": \"2026-11-02T09:00:00Z\", \"appId\": "
             "\"9b8a7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d\", \"servicePrincipalId\": \"%s\", "
             "\"status\": {\"errorCode\": 0}}\n", id_a, id_b);
    snprintf(state_before, sizeof state_before, "%s", ap_test_store_state(st));
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("long-ids.jsonl", text), &rep, &err),
                     AP_EINPUT);
    assert_int_equal(err.line, 1);
    assert_int_equal(err.col, 1);
    assert_string_equal(err.msg, "a sign-in whose servicePrincipalId is longer than 128 bytes, "
                        "more than authpath reads whole (Graph ids are GUIDs of 36)");
    assert_int_equal(observations(st), before);
    assert_string_equal(ap_test_store_state(st), state_before);
}

/* CloudTrail: an object key up to S3's 1,024 bytes is read whole into the target (targets were
 * built in a buffer of 1,024 bytes: two objects alike in their first 1,008 bytes of key were one
 * target); a field longer than an ARN may be stops the import at its record, nothing written. */
static void test_usage__cloudtrail_long_fields(void **state)
{
#define CT_EV(id) "{\"eventTime\":\"2026-11-02T09:00:00Z\",\"eventSource\":" \
    "\"s3.amazonaws.com\",\"eventName\":\"%s\",\"eventID\":\"" id "\",\"userIdentity\":" \
    "{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/" \
    "acme-integration/s1\"},\"requestParameters\":{\"bucketName\":\"orders\",\"key\":\"%s\"}}\n"
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    char key_a[1025], key_b[1025], text[8192], before[256], *name;
    long had = observations(st);
    memset(key_a, 'k', sizeof key_a - 1);
    key_a[sizeof key_a - 1] = '\0';
    memcpy(key_b, key_a, sizeof key_b);
    key_b[1023] = 'b';
    snprintf(text, sizeof text, CT_EV("t1") CT_EV("t2"), "GetObject", key_a,
             "GetObject", key_b);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("long-keys.jsonl", text), &rep, &err),
                     AP_OK);
    assert_int_equal(observations(st), had + 2);
    assert_int_equal(ap_test_count(st, "SELECT count(DISTINCT target) FROM observation WHERE "
                                       "event_id IN ('t1', 't2')"), 2);
    assert_int_equal(ap_test_count(st, "SELECT max(length(target)) FROM observation WHERE "
                                       "event_id IN ('t1', 't2')"), 13 + 7 + 1024);

    name = malloc(2100);
    assert_non_null(name);
    memset(name, 'G', 2049);
    name[2049] = '\0';
    snprintf(text, sizeof text, CT_EV("t3") CT_EV("t4"), "GetObject", "a",
             name, "b");
    free(name);
    had = observations(st);
    snprintf(before, sizeof before, "%s", ap_test_store_state(st));
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("long-name.jsonl", text), &rep, &err),
                     AP_EINPUT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    assert_string_equal(err.msg, "a CloudTrail record whose eventName is longer than 2048 "
                        "bytes, more than authpath reads whole (AWS's limit)");
    assert_int_equal(observations(st), had);
    assert_string_equal(ap_test_store_state(st), before);
#undef CT_EV
}

/* Kubernetes audit: a request URI is read whole however long (targets were cut at 891 bytes:
 * two URLs alike in their first 883 bytes were one target); a user name longer than the
 * Kubernetes reader reads (512 bytes) stops the import at its event instead of being cut at
 * 594 into the actor (two users alike in their first 594 bytes were one). */
static void test_usage__k8s_long_names(void **state)
{
#define K8S_EV(id) "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"" id \
    "\",\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"user\":{\"username\":\"%s\"}," \
    "\"requestURI\":\"%s\",\"responseStatus\":{\"code\":200}," \
    "\"stageTimestamp\":\"2026-11-01T08:00:00Z\"}\n"
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    char uri_a[1001], uri_b[1001], user[601], text[8192], before[256];
    long had = observations(st);
    uri_a[0] = '/';
    memset(uri_a + 1, 'u', sizeof uri_a - 2);
    uri_a[sizeof uri_a - 1] = '\0';
    memcpy(uri_b, uri_a, sizeof uri_b);
    uri_b[999] = 'b';
    snprintf(text, sizeof text, K8S_EV("u1") K8S_EV("u2"), "alice", uri_a, "alice", uri_b);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("long-uris.jsonl", text), &rep, &err),
                     AP_OK);
    assert_int_equal(observations(st), had + 2);
    assert_int_equal(ap_test_count(st, "SELECT count(DISTINCT target) FROM observation WHERE "
                                       "event_id IN ('u1', 'u2')"), 2);
    assert_int_equal(ap_test_count(st, "SELECT max(length(target)) FROM observation WHERE "
                                       "event_id IN ('u1', 'u2')"), 8 + 1000);

    memset(user, 'a', sizeof user - 1);
    user[sizeof user - 1] = '\0';
    snprintf(text, sizeof text, K8S_EV("u3") K8S_EV("u4"), "bob", "/api", user, "/api");
    had = observations(st);
    snprintf(before, sizeof before, "%s", ap_test_store_state(st));
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("long-user.jsonl", text), &rep, &err),
                     AP_EINPUT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    assert_string_equal(err.msg, "a Kubernetes audit event whose user.username is longer than "
                        "512 bytes, more than authpath reads whole");
    assert_int_equal(observations(st), had);
    assert_string_equal(ap_test_store_state(st), before);
#undef K8S_EV
}

/* A snapshot node's app id is matched whole: app ids were cut at 127 bytes on both sides, so a
 * sign-in by an app of 128 bytes was put on a node whose 200-byte app id began alike. */
static void test_usage__entra_app_id_whole(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    char app[201], estate[1024], text[1024], sql[512];
    memset(app, 'a', sizeof app - 1);
    app[sizeof app - 1] = '\0';
    snprintf(estate, sizeof estate, "{\"format\": \"authpath/1\", \"nodes\": [{\"id\": "
             "\"long-app\", \"kind\": \"identity\", \"type\": \"service_principal\", "
             "\"app_id\": \"%s\"}], \"edges\": []}\n", app);
    assert_int_equal(ap_test_import(st, ap_test_write_temp("app-estate.json", estate), &err),
                     AP_OK);
    app[128] = '\0';
    snprintf(text, sizeof text, "{\"id\": \"w1\", \"createdDateTime\": \"2026-11-02T09:00:00Z\", "
             "\"appId\": \"%s\", \"signInEventTypes\": [\"servicePrincipal\"], \"status\": "
             "{\"errorCode\": 0}}\n", app);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("app-sign-in.jsonl", text), &rep, &err),
                     AP_OK);
    assert_int_equal(rep.unknown_actors, 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM observation WHERE event_id = 'w1' AND "
             "actor = 'entra:appid:%s' AND NOT actor_known", app);
    assert_int_equal(ap_test_count(st, sql), 1);
    /* the report's name for it is cut for display, and says so */
    assert_int_equal(strlen(rep.actors[0]), 127);
    assert_string_equal(rep.actors[0] + 124, "...");
}

/* A native event's list of rights is read whole however long (it was joined into 512 bytes:
 * the names past them were dropped, or one cut into another's name). */
static void test_usage__native_long_rights(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    char text[2048];
    size_t n = (size_t)snprintf(text, sizeof text, "{\"at\": \"2026-11-02T09:00:00Z\", "
                                "\"actor\": \"someone\", \"target\": \"something\", \"id\": "
                                "\"n1\", \"right\": [");
    for (int i = 0; i < 120; i++)
        n += (size_t)snprintf(text + n, sizeof text - n, "\"read\", ");
    snprintf(text + n, sizeof text - n, "\"write\"]}\n");
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("long-rights.jsonl", text), &rep, &err),
                     AP_OK);
    assert_int_equal(ap_test_count(st, "SELECT rights FROM observation WHERE event_id = 'n1'"),
                     (long)((1 << AP_R_READ) | (1 << AP_R_WRITE)));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usage__entra_long_ids, setup_entra,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__cloudtrail_long_fields, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__k8s_long_names, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__entra_app_id_whole, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__native_long_rights, setup,
                                        ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
