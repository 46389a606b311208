/* import/usage_cloudtrail.c: one AWS CloudTrail record as observed use: who (user, role behind
 * a session, access key, foreign account), on what (resource ARN, else the service), which right. */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "aws_internal.h"
#include "usage_internal.h"

static const char *str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* buf = the pieces one after another, cut at size - 1: the per-event names without snprintf,
 * whose format parsing was a tenth of the import's time (bench/RESULTS.md, sixth session) */
static void join(char *buf, size_t size, const char *a, size_t alen, const char *b,
                 const char *c)
{
    size_t n = 0;
    const char *parts[3] = { a, b, c };
    size_t lens[3] = { alen, b != NULL ? strlen(b) : 0, c != NULL ? strlen(c) : 0 };
    for (size_t i = 0; i < 3; i++) {
        size_t k = lens[i] < size - 1 - n ? lens[i] : size - 1 - n;
        if (parts[i] != NULL)
            memcpy(buf + n, parts[i], k);
        n += parts[i] != NULL ? k : 0;
    }
    buf[n] = '\0';
}

/* arn:aws:sts::ACCT:assumed-role/ROLE/SESSION -> arn:aws:iam::ACCT:role/ROLE */
static void session_role(const char *arn, char *buf, size_t size)
{
    const char *ar = arn != NULL ? strstr(arn, ":assumed-role/") : NULL;
    const char *slash;
    buf[0] = '\0';
    if (ar == NULL || strncmp(arn, "arn:", 4) != 0)
        return;
    slash = strchr(ar + 14, '/');
    {
        const char *acct_end = ar, *acct = ar;
        size_t n;
        while (acct > arn && acct[-1] != ':')
            acct--;
        join(buf, size, "arn:aws:iam::", 13, NULL, NULL);
        n = strlen(buf);
        join(buf + n, size - n, acct, (size_t)(acct_end - acct), ":role/", NULL);
        n = strlen(buf);
        join(buf + n, size - n, ar + 14, slash != NULL ? (size_t)(slash - (ar + 14))
             : strlen(ar + 14), NULL, NULL);
    }
}

/* What the call acted on: a resource ARN, else one built from the usual request parameters,
 * else the service (aws:SVC:*). */
static void target_of(const json_t *ev, const char *svc, char *buf, size_t size)
{
    const json_t *res = json_object_get(ev, "resources");
    const json_t *rp = json_object_get(ev, "requestParameters");
    const char *region = str(ev, "awsRegion"), *acct = str(ev, "recipientAccountId");
    const char *bucket = str(rp, "bucketName"), *key = str(rp, "key");
    const char *table = str(rp, "tableName"), *role = str(rp, "roleArn");
    const char *best = NULL;
    /* the most specific resource: an object over its bucket */
    for (size_t i = 0; i < json_array_size(res); i++) {
        const char *arn = str(json_array_get(res, i), "ARN");
        if (arn != NULL && (best == NULL || strlen(arn) > strlen(best)))
            best = arn;
    }
    if (best != NULL)
        snprintf(buf, size, "%s", best);
    else if (bucket != NULL && key != NULL) {
        join(buf, size, "arn:aws:s3:::", 13, bucket, "/");
        join(buf + strlen(buf), size - strlen(buf), key, strlen(key), NULL, NULL);
    } else if (bucket != NULL)
        join(buf, size, "arn:aws:s3:::", 13, bucket, NULL);
    else if (table != NULL && strncmp(table, "arn:", 4) == 0)
        snprintf(buf, size, "%s", table);
    else if (table != NULL)
        snprintf(buf, size, "arn:aws:dynamodb:%s:%s:table/%s", region != NULL ? region : "",
                 acct != NULL ? acct : "", table);
    else if (role != NULL)
        snprintf(buf, size, "%s", role);
    else
        snprintf(buf, size, "aws:%s:*", svc);
}

/* The fields names and targets are built from, with the longest each may be: an ARN's 2,048
 * bytes (AWS's limit) for each, 128 for an access key id (AWS's limit). The buffers below hold
 * values of these lengths whole: cut short, two actors or targets alike in their first bytes
 * would be one. The first field longer than its limit, or NULL. */
#define CT_MAX AWS_ARN_MAX
static const char *too_long(const json_t *ev)
{
    static const struct { const char *obj, *sub, *key; size_t max; } fields[] = {
        { NULL, NULL, "eventSource", CT_MAX }, { NULL, NULL, "eventName", CT_MAX },
        { NULL, NULL, "recipientAccountId", CT_MAX }, { NULL, NULL, "awsRegion", CT_MAX },
        { "userIdentity", NULL, "arn", CT_MAX },
        { "userIdentity", NULL, "accessKeyId", AWS_KEY_ID_MAX },
        { "userIdentity", NULL, "accountId", CT_MAX },
        { "userIdentity", NULL, "invokedBy", CT_MAX },
        { "userIdentity", NULL, "userName", CT_MAX },
        { "userIdentity", "onBehalfOf", "userId", CT_MAX },
        { "userIdentity", "sessionContext", "sessionIssuer", CT_MAX },
        { "userIdentity", "sessionContext", "sourceIdentity", CT_MAX },
        { "requestParameters", NULL, "sourceIdentity", CT_MAX },
        { "requestParameters", NULL, "bucketName", CT_MAX },
        { "requestParameters", NULL, "key", CT_MAX },
        { "requestParameters", NULL, "tableName", CT_MAX },
        { "requestParameters", NULL, "roleArn", CT_MAX },
    };
    const json_t *res = json_object_get(ev, "resources");
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const json_t *o = fields[i].obj != NULL ? json_object_get(ev, fields[i].obj) : ev;
        const json_t *v;
        if (fields[i].sub != NULL)
            o = json_object_get(o, fields[i].sub);
        v = json_object_get(o, fields[i].key);
        if (strcmp(fields[i].key, "sessionIssuer") == 0)
            v = json_object_get(v, "arn");
        if (json_is_string(v) && json_string_length(v) > fields[i].max)
            return fields[i].key;
    }
    for (size_t i = 0; i < json_array_size(res); i++) {
        const json_t *v = json_object_get(json_array_get(res, i), "ARN");
        if (json_is_string(v) && json_string_length(v) > CT_MAX)
            return "resources[].ARN";
    }
    return NULL;
}

/* A failed call: errorCode (or errorMessage) given and not null, or a console sign-in event
 * whose response says Failure under its own name: CloudTrail writes no errorCode for a failed
 * ConsoleLogin, and the other sign-in events (SwitchRole, CheckMfa...) answer the same way. */
static bool failed(const json_t *ev)
{
    const char *code = str(ev, "errorCode"), *msg = str(ev, "errorMessage");
    const char *name = str(ev, "eventName");
    const char *said = name != NULL ? str(json_object_get(ev, "responseElements"), name) : NULL;
    return (code != NULL && code[0] != '\0') || (msg != NULL && msg[0] != '\0')
           || (said != NULL && strcmp(said, "Failure") == 0);
}

/* Who acted when the record gives no ARN: an IAM user by name (a failed console sign-in), an
 * IAM Identity Center user by its identity store id, else the name as given. */
static void named_actor(const json_t *who, const char *type, const char *acct, char *buf,
                        size_t size)
{
    const char *name = str(who, "userName");
    const char *center = str(json_object_get(who, "onBehalfOf"), "userId");
    buf[0] = '\0';
    if (type != NULL && strcmp(type, "IdentityCenterUser") == 0 && center != NULL
        && center[0] != '\0')
        join(buf, size, "arn:aws:identitystore:::user/", 29, center, NULL);
    else if (name == NULL || name[0] == '\0')
        return;
    else if (type != NULL && strcmp(type, "IAMUser") == 0 && acct != NULL && acct[0] != '\0') {
        join(buf, size, "arn:aws:iam::", 13, acct, ":user/");
        join(buf + strlen(buf), size - strlen(buf), name, strlen(name), NULL, NULL);
    } else
        snprintf(buf, size, "%s", name);
}

int ap_usage__cloudtrail(ap_usage_import *ui, const json_t *ev, unsigned line, ap_error *err)
{
    const json_t *who = json_object_get(ev, "userIdentity");
    const char *source = str(ev, "eventSource"), *name = str(ev, "eventName");
    const char *time = str(ev, "eventTime"), *type = str(who, "type");
    const char *arn = str(who, "arn"), *key = str(who, "accessKeyId");
    const char *acct = str(who, "accountId"), *home = str(ev, "recipientAccountId");
    const char *issuer = str(json_object_get(json_object_get(who, "sessionContext"),
                                             "sessionIssuer"), "arn");
    const char *service = str(who, "invokedBy");
    /* each holds what it is built from whole (too_long): the longest target is
     * arn:aws:dynamodb:REGION:ACCOUNT:table/TABLE */
    char svc[CT_MAX + 1], action[2 * CT_MAX + 2], target[3 * CT_MAX + 64];
    char role[CT_MAX + 32], keyid[AWS_KEY_ID_MAX + 32], account[CT_MAX + 8], own[CT_MAX + 8];
    char by_name[2 * CT_MAX + 64], by_service[CT_MAX + 16];
    const char *actors[8], *long_field = too_long(ev);
    ap_obs_rec r;
    const char *dot;
    memset(&r, 0, sizeof r);
    r.line = line;
    if (long_field != NULL)
        return ap_usage__fail(ui, line, 1, err, "a CloudTrail record whose %s is longer than "
                              "%d bytes, more than authpath reads whole (AWS's limit)",
                              long_field, strcmp(long_field, "accessKeyId") == 0
                              ? AWS_KEY_ID_MAX : CT_MAX);
    if (source == NULL || name == NULL || source[0] == '\0' || name[0] == '\0')
        return ap_usage__fail(ui, line, 1, err, "a CloudTrail record without eventSource or "
                              "eventName");
    if (time == NULL || !ap_time_parse(time, &r.at))
        return ap_usage__fail(ui, line, 1, err, "a CloudTrail record whose eventTime is %s",
                              time == NULL ? "missing" : "not an RFC 3339 time");
    if (!json_is_object(who))
        return ap_usage__fail(ui, line, 1, err, "a CloudTrail record without userIdentity");
    dot = strchr(source, '.');
    join(svc, sizeof svc, source, dot != NULL ? (size_t)(dot - source) : strlen(source), NULL,
         NULL);
    join(action, sizeof action, svc, strlen(svc), ":", name);
    target_of(ev, svc, target, sizeof target);
    session_role(arn, role, sizeof role);
    keyid[0] = account[0] = own[0] = by_service[0] = '\0';
    /* a failed console sign-in writes the key id as "" */
    if (key != NULL && key[0] != '\0')
        snprintf(keyid, sizeof keyid, "aws:access-key:%s", key);
    /* a principal of another account acts as that account's partner node */
    if (acct != NULL && (type != NULL && strcmp(type, "AWSAccount") == 0))
        snprintf(account, sizeof account, "aws:%s", acct);
    else if (acct != NULL && home != NULL && strcmp(acct, home) != 0)
        snprintf(account, sizeof account, "aws:%s", acct);
    else if (acct != NULL)
        snprintf(own, sizeof own, "aws:%s", acct);
    named_actor(who, type, acct, by_name, sizeof by_name);
    actors[0] = keyid;
    actors[1] = issuer;
    actors[2] = role;
    actors[3] = arn;
    actors[4] = account;
    actors[5] = str(who, "principalId");
    if (type != NULL && strcmp(type, "AWSService") == 0 && service != NULL) {
        /* the AWS reader's service principal: aws:service:ec2.amazonaws.com */
        join(by_service, sizeof by_service, "aws:service:", 12, service, NULL);
        actors[5] = by_service;
    }
    actors[6] = by_name;
    actors[7] = own;            /* the last resort: someone of this account */
    r.target = target;
    r.rights = ap_aws__action_rights(action);
    r.action = action;
    r.event_id = str(ev, "eventID");
    /* a call across accounts is logged in each account's trail, with its own eventID and one
     * sharedEventID: an organization trail holds both copies of the one call */
    r.shared_id = str(ev, "sharedEventID");
    r.ok = !failed(ev);
    /* the assumed role's session is how the role was used */
    r.via = role[0] != '\0' ? arn : NULL;
    /* who the session says acts in it, which no role name tells (sts:SourceIdentity, kept
     * through chained roles); for an AssumeRole call, the one it sets for the new session */
    r.source_identity = str(json_object_get(who, "sessionContext"), "sourceIdentity");
    if (r.source_identity == NULL && strncmp(name, "AssumeRole", 10) == 0)
        r.source_identity = str(json_object_get(ev, "requestParameters"), "sourceIdentity");
    if (r.source_identity != NULL && r.source_identity[0] == '\0')
        r.source_identity = NULL;
    /* an actor named by key id alone when nothing else is: the key is the principal */
    if (keyid[0] != '\0' && arn == NULL && issuer == NULL && account[0] == '\0')
        actors[5] = keyid;
    return ap_usage__event(ui, &r, actors, 8, err);
}
