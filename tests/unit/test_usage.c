/* tests/unit/test_usage.c: observed use: streaming every CloudTrail, Kubernetes and native form,
 * errors with their place and nothing stored, unknowns counted, drift findings and narrowing. */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authpath/findings.h"
#include "authpath/usage.h"
#include "support.h"

#define AT 1796083200                       /* 2026-12-01 */
#define R(x) ((ap_rights)1 << AP_R_##x)
#define ROLE "arn:aws:iam::111122223333:role/acme-integration"
#define ORDERS "arn:aws:s3:::orders/*"
#define PAYMENTS "arn:aws:dynamodb:eu-west-1:111122223333:table/payments"

static int setup(void **state)
{
    return ap_test_store_with(state, FIXTURE("usage/estate.json"));
}

#define import_usage ap_test_usage

static long observations(ap_store *st)
{
    return ap_test_count(st, "SELECT count(*) FROM observation");
}

/* The first of the two events below, with its event id. */
#define EV1(id) "{\"eventVersion\":\"1.08\",\"eventTime\":\"2026-11-02T09:00:00Z\"," \
    "\"eventSource\":\"s3.amazonaws.com\",\"eventName\":\"GetObject\",\"eventID\":\"" id "\"," \
    "\"userIdentity\":{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:" \
    "assumed-role/acme-integration/s1\",\"accountId\":\"111122223333\"}," \
    "\"requestParameters\":{\"bucketName\":\"orders\",\"key\":\"a.json\"}}"

/* The same two events as JSON Lines, a Records file, a bare list and lookup-events output
 * (CRLF line ends, the record as a JSON string): each reads both, the same events (the forms
 * after the first find them stored already: duplicates); with new ids, each stores its line. */
static void test_usage__forms(void **state)
{
    static const char ev1[] = EV1("e1");
    static const char ev2[] = "{\"eventTime\":\"2026-11-03T09:00:00Z\",\"eventSource\":"
        "\"s3.amazonaws.com\",\"eventName\":\"PutObject\",\"eventID\":\"e2\",\"userIdentity\":"
        "{\"type\":\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/"
        "acme-integration/s1\"},\"requestParameters\":{\"bucketName\":\"orders\",\"key\":\"b\"}}";
    char text[4096];
    json_t *js = json_string(EV1("e3"));
    char *s1 = json_dumps(js, JSON_ENCODE_ANY);
    ap_usage_report rep;
    ap_error err;
    ap_store *st = *state;
    long before;
    snprintf(text, sizeof text, "%s\n\n%s\n", ev1, ev2);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("a.jsonl", text), &rep, &err), AP_OK);
    assert_int_equal(rep.events, 2);
    assert_int_equal(rep.unknown_actor_events, 0);
    assert_int_equal(ap_test_count(st, "SELECT line FROM observation WHERE event_id = 'e2'"), 3);
    snprintf(text, sizeof text, "{\"Records\": [\n%s,\n%s\n]}", ev1, ev2);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("b.json", text), &rep, &err), AP_OK);
    assert_int_equal(rep.events, 0);
    assert_int_equal(rep.duplicates, 2);
    snprintf(text, sizeof text, "[%s, %s]", ev1, ev2);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("c.json", text), &rep, &err), AP_OK);
    assert_int_equal(rep.duplicates, 2);
    assert_int_equal(observations(st), 2);
    snprintf(text, sizeof text, "{\r\n  \"Events\": [\r\n    {\"EventId\": \"e3\", "
             "\"CloudTrailEvent\": %s}\r\n  ],\r\n  \"NextToken\": \"x\"\r\n}\r\n", s1);
    free(s1);
    json_decref(js);
    before = observations(st);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("d.json", text), &rep, &err), AP_OK);
    assert_int_equal(rep.events, 1);
    assert_int_equal(observations(st), before + 1);
    assert_int_equal(ap_test_count(st, "SELECT line FROM observation ORDER BY rid DESC LIMIT 1"),
                     3);
    /* lookup-events output whose CloudTrailEvent was parsed already (jq's fromjson) */
    snprintf(text, sizeof text, "{\"Events\": [{\"EventId\": \"e4\", \"CloudTrailEvent\": "
             "%s}]}", EV1("e4"));
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("e.json", text), &rep, &err), AP_OK);
    assert_int_equal(rep.events, 1);
    /* the role behind the session is the actor; the object is the target */
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE actor = '" ROLE
                                       "' AND actor_known AND target = 'arn:aws:s3:::orders/a"
                                       ".json' AND target_known AND rights = 1"), 3);
    /* never as grants: no snapshot, node or edge was added */
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM snapshot"), 1);
}

/* A malformed event is an error with its place, and nothing of the import is stored. */
static void test_usage__errors(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p = ap_test_write_temp("bad.jsonl",
        "{\"at\": \"2026-11-01\", \"actor\": \"acme\", \"target\": \"x\", \"right\": \"read\"}\n"
        "{\"at\": \"2026-11-01\", \"actor\": \"acme\", \"target\": \"x\", \"right\": \"read\",}\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_EINPUT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 70);
    assert_string_equal(err.msg, "expected a key in quotes");
    assert_int_equal(observations(st), 0);
    p = ap_test_write_temp("bad2.jsonl",
        "{\"at\": \"2026-11-01\", \"actor\": \"acme\", \"target\": \"x\", \"right\": \"read\"}\n"
        "{\"at\": \"yesterday\", \"actor\": \"acme\", \"target\": \"x\", \"right\": \"read\"}\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_EINPUT);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.msg, "at is not an RFC 3339 time or a date");
    p = ap_test_write_temp("bad3.csv", "at,actor,target,right\n2026-11-01,acme,x,fly\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_EINPUT);
    assert_int_equal(err.line, 2);
    assert_string_equal(err.msg, "unknown right 'fly' (the snapshot's rights vocabulary names "
                                 "it not)");
    p = ap_test_write_temp("cut.json", "{\"Records\": [{\"eventSource\": \"s3.amazonaws.com\"");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_EINPUT);
    assert_non_null(strstr(err.msg, "ends inside an event"));
    /* an empty name is no name: not an action ":GetObject" nor an actor "user:" */
    p = ap_test_write_temp("empty-source.jsonl", "{\"eventTime\": \"2026-11-01T00:00:00Z\", "
        "\"eventSource\": \"\", \"eventName\": \"GetObject\", \"userIdentity\": {\"arn\": "
        "\"arn:aws:iam::111122223333:user/u\"}}\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_EINPUT);
    assert_string_equal(err.msg, "a CloudTrail record without eventSource or eventName");
    p = ap_test_write_temp("empty-user.jsonl", "{\"kind\": \"Event\", \"apiVersion\": "
        "\"audit.k8s.io/v1\", \"auditID\": \"e\", \"stage\": \"ResponseComplete\", \"verb\": "
        "\"get\", \"user\": {\"username\": \"\"}, \"stageTimestamp\": \"2026-11-01T00:00:00Z\"}"
        "\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_EINPUT);
    assert_string_equal(err.msg, "a Kubernetes audit event without user.username");
    assert_int_equal(observations(st), 0);
}

/* A gzip-compressed trail forced onto the events reader is refused as such, nothing stored. */
static void test_usage__gzip_refused(void **state)
{
    static const unsigned char gz[] = { 0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02,
                                        0x03, 0xab, 0x56, 0x0a, 0x4a, 0x4d, 0xce, 0x2f, 0x4a };
    ap_store *st = *state;
    ap_import_opts o = { .format = AP_FORMAT_USAGE };
    ap_error err;
    char path[512];
    const char *paths[1] = { path };
    FILE *f;
    snprintf(path, sizeof path, "%s.gz", ap_test_write_temp("trail.json", ""));
    assert_non_null(f = fopen(path, "wb"));
    assert_int_equal(fwrite(gz, 1, sizeof gz, f), sizeof gz);
    fclose(f);
    assert_int_equal(ap_test_import_opts(st, paths, 1, &o, &err), AP_EINPUT);
    assert_non_null(strstr(err.msg, "gzip-compressed"));
    assert_int_equal(observations(st), 0);
    remove(path);
}

/* Unknown actors and targets are stored and counted, never dropped. */
static void test_usage__unknown(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p = ap_test_write_temp("u.csv", "at,actor,target,right,ok\n"
        "2026-11-01,ghost,arn:aws:s3:::orders/x,read,\n"
        "2026-11-02,ghost,arn:aws:s3:::orders/y,read,true\n"
        "2026-11-03,phantom,nowhere,write,false\n"
        "2026-11-04,acme,nowhere,write,\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 4);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(rep.unknown_actor_events, 3);
    assert_int_equal(rep.unknown_actors, 2);
    assert_string_equal(rep.actors[0], "ghost");
    assert_string_equal(rep.actors[1], "phantom");
    assert_int_equal(rep.unknown_target_events, 2);
    assert_int_equal(rep.unknown_targets, 1);
    assert_string_equal(rep.targets[0], "nowhere");
    assert_int_equal(observations(st), 4);
}

/* The userIdentity forms CloudTrail writes besides roles and users: an errorCode of null is a
 * success; a failed console sign-in (no errorCode, accessKeyId "", the user name hidden), an
 * IAM Identity Center user, an AWS service and an Unknown principal each name their actor. */
static long obs_where(ap_store *st, const char *id, const char *actor, int ok)
{
    char sql[512];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM observation WHERE event_id = '%s' AND "
             "actor = '%s' AND ok = %d", id, actor, ok);
    return ap_test_count(st, sql);
}

static void test_usage__cloudtrail_identities(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    assert_int_equal(ap_test_usage(st, FIXTURE("usage/ct-identities.json"), &rep, &err), AP_OK);
    assert_int_equal(rep.events, 5);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(obs_where(st, "ct-null-error", ROLE, 1), 1);
    assert_int_equal(obs_where(st, "ct-console-failure", "arn:aws:iam::111122223333:user/"
                               "HIDDEN_DUE_TO_SECURITY_REASONS", 0), 1);
    assert_int_equal(obs_where(st, "ct-identity-center", "arn:aws:identitystore:::user/"
                               "544894e8-80c1-707f-60e3-3ba6510dfac1", 1), 1);
    assert_int_equal(obs_where(st, "ct-aws-service", "aws:service:ec2.amazonaws.com", 1), 1);
    assert_int_equal(obs_where(st, "ct-unknown-type", "jane@example.com", 1), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE actor LIKE "
                                       "'aws:access-key:%'"), 0);
}

/* Kubernetes audit events: the service account as the k8s reader names it, verb as right;
 * requests at an earlier stage are counted apart, not as use. */
static void test_usage__k8s(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p = ap_test_write_temp("audit.jsonl",
        "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a1\","
        "\"stage\":\"ResponseStarted\",\"verb\":\"get\",\"user\":{\"username\":"
        "\"system:serviceaccount:shop:sync\"},\"stageTimestamp\":\"2026-11-01T00:00:00Z\"}\n"
        "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"a1\","
        "\"stage\":\"ResponseComplete\",\"verb\":\"delete\",\"user\":{\"username\":"
        "\"system:serviceaccount:shop:sync\"},\"objectRef\":{\"resource\":\"secrets\","
        "\"namespace\":\"shop\",\"name\":\"db\"},\"responseStatus\":{\"code\":403},"
        "\"stageTimestamp\":\"2026-11-01T00:00:01Z\"}\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 1);
    assert_int_equal(rep.skipped, 1);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE actor = "
                                       "'sa:shop/sync' AND target = 'k8s:shop/core/secrets/db'"
                                       " AND rights = 4 AND ok = 0"), 1);
}

/* A JSON list of audit events is observed use (before, the k8s reader took it as a list of
 * objects and refused it as an empty inventory); an event dated only by the old `timestamp`
 * is read; an impersonated request keeps the account impersonated as its via. */
static void test_usage__k8s_forms(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p = ap_test_write_temp("audit-list.json", "[\n"
        "  {\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1beta1\",\"auditID\":\"b1\","
        "\"stage\":\"ResponseComplete\",\"verb\":\"list\",\"user\":{\"username\":"
        "\"system:serviceaccount:shop:sync\"},\"objectRef\":{\"resource\":\"pods\","
        "\"namespace\":\"shop\"},\"responseStatus\":{\"code\":200},"
        "\"timestamp\":\"2026-11-01T08:00:00Z\"},\n"
        "  {\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"b2\","
        "\"stage\":\"ResponseComplete\",\"verb\":\"get\",\"user\":{\"username\":"
        "\"alice@acme.example\"},\"impersonatedUser\":{\"username\":"
        "\"system:serviceaccount:kube-system:admin\"},\"objectRef\":{\"resource\":"
        "\"secrets\",\"namespace\":\"shop\",\"name\":\"db\"},\"responseStatus\":"
        "{\"code\":200},\"stageTimestamp\":\"2026-11-01T09:00:00.123456Z\"},\n"
        "  {\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":\"b3\","
        "\"stage\":\"ResponseComplete\",\"verb\":\"create\",\"user\":{\"username\":"
        "\"system:serviceaccount:shop:sync\"},\"objectRef\":{\"resource\":\"pods\","
        "\"namespace\":\"shop\",\"name\":\"web-0\",\"subresource\":\"exec\"},"
        "\"responseStatus\":{\"code\":101},\"stageTimestamp\":\"2026-11-01T10:00:00Z\"}\n]\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    assert_int_equal(rep.events, 3);
    assert_int_equal(ap_test_count(st, "SELECT at FROM observation WHERE event_id = 'b1'"),
                     1793520000);
    /* a shell in a pod says so: the subresource is in the action as in the target */
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'b3'"
                                       " AND action = 'create pods/exec' AND target = "
                                       "'k8s:shop/core/pods/exec/web-0' AND ok"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'b2'"
                                       " AND actor = 'user:alice@acme.example' AND via = "
                                       "'sa:kube-system/admin'"), 1);
}

/* CloudWatch Logs output (`aws logs filter-log-events` over a trail's log group or EKS audit
 * logs): each event's message is a CloudTrail record or an audit event as a JSON string. It was
 * refused as an unknown JSON object. */
static void test_usage__cloudwatch_logs(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_error err;
    const char *p;
    assert_int_equal(ap_test_usage(st, FIXTURE("usage/cloudwatch-events.json"), &rep, &err),
                     AP_OK);
    assert_int_equal(rep.events, 2);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = "
                                       "'cw-k8s-1' AND actor = 'sa:shop/sync' AND target = "
                                       "'k8s:shop/core/secrets/db' AND line = 3"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = "
                                       "'cw-ct-1' AND actor = '" ROLE "' AND actor_known"), 1);
    p = ap_test_write_temp("cw-text.json", "{\"events\": [{\"timestamp\": 1, \"message\": "
                           "\"I1102 plain text\", \"ingestionTime\": 2}]}");
    assert_int_equal(ap_test_import_opts(st, &p, 1, &(ap_import_opts){ .format =
                                         AP_FORMAT_USAGE }, &err), AP_EINPUT);
    assert_non_null(strstr(err.msg, "a CloudWatch Logs message that is not a JSON event"));
}

static void test_usage__covers(void **state)
{
    (void)state;
    assert_true(ap_usage_covers("arn:aws:s3:::orders/*", "arn:aws:s3:::orders/2026/o.json"));
    assert_false(ap_usage_covers("arn:aws:s3:::orders/*", "arn:aws:s3:::backups/o.json"));
    assert_true(ap_usage_covers("aws:s3:*", "arn:aws:s3:::backups/o.json"));
    assert_false(ap_usage_covers("aws:s3:*", "arn:aws:dynamodb:eu:1:table/t"));
    assert_true(ap_usage_covers("aws:*:*", "arn:aws:dynamodb:eu:1:table/t"));
    assert_true(ap_usage_covers("aws:iam:arn:aws:iam::1:role/*", "arn:aws:iam::1:role/x"));
    assert_true(ap_usage_covers("k8s:shop/core/secrets", "k8s:shop/core/secrets/db"));
    assert_true(ap_usage_covers("k8s:*/core/secrets", "k8s:shop/core/secrets/db"));
    assert_false(ap_usage_covers("k8s:web/core/secrets", "k8s:shop/core/secrets/db"));
    assert_true(ap_usage_covers("payments-db", "payments-db"));
    assert_false(ap_usage_covers("payments-db", "payments-db2"));
}

/* The estate: the partner reads orders, writes payments and deletes in backups. */
static void test_usage__done_means(void **state)
{
    static const char *const rules[] = { "usage-not-granted", "granted-never-used",
                                         "attempted-not-granted" };
    ap_store *st = *state;
    ap_findings_opts fo = { NULL, rules, 3, -1, AP_SEV_NONE };
    ap_usage_report rep;
    ap_findings *f = NULL;
    ap_usage *u = NULL;
    ap_narrow *n = NULL;
    ap_graph *g;
    ap_error err;
    const ap_finding *x;
    size_t count, orders_seen = 0, payments_seen = 0;
    assert_int_equal(ap_test_usage(st, FIXTURE("usage/acme-trail.json"), &rep, &err), AP_OK);
    assert_int_equal(rep.events, 5);
    g = ap_test_graph(st, AT);
    assert_int_equal(ap_usage_load(&u, st, 1, AT - 90 * 86400, AT, &err), AP_OK);
    assert_int_equal(ap_findings_compute_observed(&f, g, &fo, u, &err), AP_OK);
    x = ap_test_only_finding(f, "usage-not-granted", &count);
    assert_int_equal(count, 1);
    assert_string_equal(ap_finding_fact(x, "target"), "arn:aws:s3:::backups/db/2026-11-01.dump");
    assert_string_equal(ap_finding_fact(x, "rights"), "delete");
    assert_int_equal(x->severity, AP_SEV_CRITICAL);
    assert_non_null(strstr(ap_finding_fact(x, "event"), "acme-trail.json:92 ev-0004"));
    x = ap_test_only_finding(f, "attempted-not-granted", &count);
    assert_int_equal(count, 1);
    assert_string_equal(ap_finding_fact(x, "target"), "arn:aws:s3:::finance/ledger.csv");
    ap_test_only_finding(f, "granted-never-used", &count);
    assert_int_equal(count, 2);
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        x = ap_findings_get(f, i);
        if (strcmp(x->rule->id, "granted-never-used") != 0)
            continue;
        if (strcmp(ap_finding_subject_id(g, x), ORDERS) == 0) {
            assert_string_equal(ap_finding_fact(x, "unused"), "write");
            orders_seen++;
        } else {
            assert_string_equal(ap_finding_subject_id(g, x), PAYMENTS);
            assert_string_equal(ap_finding_fact(x, "unused"), "read, delete");
            payments_seen++;
        }
    }
    assert_int_equal(orders_seen + payments_seen, 2);
    /* the narrowing keeps the read and the write and removes the rest */
    assert_int_equal(ap_narrow_compute(&n, g, (uint32_t)ap_graph_find(g, "acme"), u, NULL,
                                       &err), AP_OK);
    assert_int_equal(n->nchanges, 2);
    for (size_t i = 0; i < n->nchanges; i++) {
        const ap_edge *e = ap_graph_edge(g, n->changes[i].edge);
        if (strcmp(e->id, "acme-orders") == 0)
            assert_int_equal(n->changes[i].after, R(READ));
        else if (strcmp(e->id, "acme-payments") == 0)
            assert_int_equal(n->changes[i].after, R(WRITE));
        else
            fail_msg("unexpected change of '%s'", e->id);
    }
    assert_int_equal(n->nkept, 0);
    assert_int_equal(n->uses, 3);
    assert_int_equal(n->uses_still, 3);
    assert_int_equal(n->uses_uncarried, 1);
    assert_true(n->score_after < n->score_before);
    assert_int_equal(ap_test_reach(n->narrowed, "acme", ORDERS, NULL), R(READ));
    assert_int_equal(ap_test_reach(n->narrowed, "acme", PAYMENTS, NULL), R(WRITE));
    /* the database is unchanged */
    assert_int_equal(ap_test_count(st, "SELECT rights FROM edge WHERE id = 'acme-orders'"),
                     R(READ) | R(WRITE));
    ap_narrow_free(n);
    ap_findings_free(f);
    ap_usage_free(u);
    ap_graph_free(g);
}

/* One CloudTrail record of the acme-integration role's session, with sourceIdentity who (""
 * none), deleting KEY in backups. */
static const char *ct_delete(char *buf, size_t size, const char *id, const char *who,
                             const char *key)
{
    char si[128] = "";
    if (who[0] != '\0')
        snprintf(si, sizeof si, ",\"sourceIdentity\":\"%s\"", who);
    snprintf(buf, size, "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":"
             "\"AssumedRole\",\"arn\":\"arn:aws:sts::111122223333:assumed-role/acme-integration/"
             "s\",\"accountId\":\"111122223333\",\"sessionContext\":{\"sessionIssuer\":{"
             "\"type\":\"Role\",\"arn\":\"arn:aws:iam::111122223333:role/acme-integration\"}%s}},"
             "\"eventTime\":\"2026-11-05T09:00:00Z\",\"eventSource\":\"s3.amazonaws.com\","
             "\"eventName\":\"DeleteObject\",\"requestParameters\":{\"bucketName\":\"backups\","
             "\"key\":\"%s\"},\"eventID\":\"%s\",\"recipientAccountId\":\"111122223333\"}\n",
             si, key, id);
    return buf;
}

/* CloudTrail's sourceIdentity (who a role session says acts: a role names the role, not the
 * person) is kept with the event and given as evidence where the actor is: the use no chain
 * carries names who was behind it, and how many others were (before: not kept, the finding
 * named only the role). An AssumeRole call keeps the identity it sets. */
static void test_usage__source_identity(void **state)
{
    static const char *const rules[] = { "usage-not-granted" };
    ap_store *st = *state;
    ap_findings_opts fo = { NULL, rules, 1, -1, AP_SEV_NONE };
    ap_findings *f = NULL;
    ap_usage *u = NULL;
    ap_graph *g;
    ap_error err;
    const ap_finding *x;
    size_t count;
    char ev[4][1024], all[4200];
    ct_delete(ev[0], sizeof ev[0], "si-1", "alice@acme.example", "db/1.dump");
    ct_delete(ev[1], sizeof ev[1], "si-2", "bob@acme.example", "db/1.dump");
    ct_delete(ev[2], sizeof ev[2], "si-3", "", "db/3.dump");
    snprintf(ev[3], sizeof ev[3], "{\"eventVersion\":\"1.08\",\"userIdentity\":{\"type\":"
             "\"IAMUser\",\"arn\":\"arn:aws:iam::111122223333:user/ops\",\"accountId\":"
             "\"111122223333\"},\"eventTime\":\"2026-11-05T08:00:00Z\",\"eventSource\":"
             "\"sts.amazonaws.com\",\"eventName\":\"AssumeRole\",\"requestParameters\":{"
             "\"roleArn\":\"arn:aws:iam::111122223333:role/acme-integration\",\"sourceIdentity\":"
             "\"carol@acme.example\"},\"eventID\":\"si-4\",\"recipientAccountId\":"
             "\"111122223333\"}\n");
    snprintf(all, sizeof all, "%s%s%s%s", ev[0], ev[1], ev[2], ev[3]);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("si.jsonl", all), NULL, &err), AP_OK);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = "
                                       "'si-1' AND source_identity = 'alice@acme.example'"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = "
                                       "'si-3' AND source_identity IS NULL"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = "
                                       "'si-4' AND source_identity = 'carol@acme.example'"), 1);
    g = ap_test_graph(st, AT);
    assert_int_equal(ap_usage_load(&u, st, 1, AT - 90 * 86400, AT, &err), AP_OK);
    assert_int_equal(ap_findings_compute_observed(&f, g, &fo, u, &err), AP_OK);
    x = ap_test_only_finding(f, "usage-not-granted", &count);
    assert_non_null(x);
    assert_int_equal(count, 2);             /* one per object deleted */
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const char *target, *who;
        x = ap_findings_get(f, i);
        target = ap_finding_fact(x, "target");
        who = ap_finding_fact(x, "source_identity");
        if (strstr(target, "db/1.dump") != NULL)    /* two people, each counted */
            assert_string_equal(who != NULL ? who : "(none)", "alice@acme.example and 1 other");
        else
            assert_null(who);
    }
    ap_findings_free(f);
    ap_usage_free(u);
    ap_graph_free(g);
}

/* A right some observed use needs is kept, with that use as the reason. */
static void test_usage__narrow_keeps(void **state)
{
    ap_store *st = *state;
    ap_usage_report rep;
    ap_usage *u = NULL;
    ap_narrow *n = NULL;
    ap_graph *g;
    ap_error err;
    /* backup-job writes backups; acme has no use at all: everything of acme's goes */
    const char *p = ap_test_write_temp("n.csv", "at,actor,target,right\n"
        "2026-11-01,backup-job,arn:aws:s3:::backups/x,write\n");
    assert_int_equal(ap_test_usage(st, p, &rep, &err), AP_OK);
    g = ap_test_graph(st, AT);
    assert_int_equal(ap_usage_load(&u, st, 1, AT - 90 * 86400, AT, &err), AP_OK);
    assert_int_equal(ap_narrow_compute(&n, g, (uint32_t)ap_graph_find(g, "acme"), u, NULL,
                                       &err), AP_OK);
    assert_int_equal(n->nchanges, 2);
    for (size_t i = 0; i < n->nchanges; i++)
        assert_int_equal(n->changes[i].after, 0);
    ap_narrow_free(n);
    n = NULL;
    assert_int_equal(ap_narrow_compute(&n, g, (uint32_t)ap_graph_find(g, "backup-job"), u, NULL,
                                       &err), AP_OK);
    assert_int_equal(n->nchanges, 1);
    assert_int_equal(n->changes[0].after, R(WRITE));
    assert_int_equal(ap_test_reach(n->narrowed, "backup-job", "arn:aws:s3:::backups/*", NULL),
                     R(WRITE));
    ap_narrow_free(n);
    ap_usage_free(u);
    ap_graph_free(g);
}

/* Observed use needs an inventory; an inventory and events do not mix in one import. */
static void test_usage__needs_inventory(void **state)
{
    ap_store *fresh = NULL;
    ap_usage_report rep;
    ap_error err;
    const char *paths[2] = { FIXTURE("usage/estate.json"), FIXTURE("usage/acme-trail.json") };
    ap_import_opts o = { .format = AP_FORMAT_AUTO };
    assert_int_equal(ap_store_open(&fresh, ":memory:", &err), AP_OK);
    assert_int_equal(ap_test_usage(fresh, FIXTURE("usage/acme-trail.json"), &rep, &err),
                     AP_EINPUT);
    assert_non_null(strstr(err.msg, "import the estate first"));
    assert_int_equal(ap_test_import_opts(fresh, paths, 2, &o, &err), AP_EINPUT);
    assert_non_null(strstr(err.msg, "observed use: import it on its own"));
    ap_store_close(fresh);
    (void)state;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_usage__forms, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__source_identity, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__errors, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__gzip_refused, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__unknown, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__cloudtrail_identities, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__k8s, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__k8s_forms, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__cloudwatch_logs, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test(test_usage__covers),
        cmocka_unit_test_setup_teardown(test_usage__done_means, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__narrow_keeps, setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_usage__needs_inventory, setup,
                                        ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
