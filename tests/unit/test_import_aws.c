/* tests/unit/test_import_aws.c: the AWS IAM reader on every real get-account-authorization-
 * details file (partner counts, hand-checked authority facts) and on fixtures for its rules. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/query.h"
#include "support.h"

#define AT 1767225600       /* 2026-01-01 */
#define BIT(r) ((ap_rights)1 << AP_R_##r)
#define EVERY (BIT(READ) | BIT(WRITE) | BIT(DELETE) | BIT(EXECUTE) | BIT(ADMIN))

static ap_import_notes notes;

/* Import one file as AWS IAM (detected from content) with the bundled vendor list. */
static ap_graph *load(ap_store *st, const char *path)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .notes = &notes,
                            .aws_accounts = AP_DATA "/known-aws-accounts.yaml" };
    ap_error err;
    memset(&notes, 0, sizeof notes);
    if (ap_test_import_opts(st, &path, 1, &opts, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    return ap_test_graph(st, AT);
}

static size_t partners(const ap_graph *g)
{
    size_t n = 0;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        n += ap_graph_node(g, v)->kind == AP_KIND_PARTNER;
    return n;
}

/* How many times a note whose text begins with what was counted. */
static size_t noted(const char *what)
{
    for (size_t i = 0; i < notes.count; i++)
        if (strncmp(notes.items[i].what, what, strlen(what)) == 0)
            return notes.items[i].count;
    return 0;
}

static int64_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return v;
}

/* The edge from -kind-> to, or fail. */
static uint32_t edge(const ap_graph *g, const char *from, const char *kind, const char *to)
{
    uint32_t f = (uint32_t)node(g, from), t = (uint32_t)node(g, to);
    for (uint32_t e = ap_graph_out_begin(g, f); e < ap_graph_out_end(g, f); e++)
        if (ap_graph_edge(g, e)->to == t
            && strcmp(ap_edge_kind_name(ap_graph_edge(g, e)->kind), kind) == 0)
            return e;
    fail_msg("no edge %s -%s-> %s", from, kind, to);
    return 0;
}

/* The rights of the access edge from -> to (0 when there is none). */
static ap_rights find_edge_rights(const ap_graph *g, const char *from, const char *to)
{
    int64_t f = ap_graph_find(g, from), t = ap_graph_find(g, to);
    if (f < 0 || t < 0)
        return 0;
    for (uint32_t e = ap_graph_out_begin(g, (uint32_t)f); e < ap_graph_out_end(g, (uint32_t)f); e++)
        if (ap_graph_edge(g, e)->to == (uint32_t)t && ap_graph_edge(g, e)->kind == AP_EDGE_ACCESS)
            return ap_graph_edge(g, e)->rights;
    return 0;
}

static void assert_reach(const ap_graph *g, const char *s, const char *t, ap_rights want,
                         uint32_t want_hops)
{
    uint32_t hops;
    ap_rights r = ap_test_reach(g, s, t, &hops);
    if (r != want || hops != want_hops)
        fail_msg("%s -> %s: rights %llx hops %u, expected %llx hops %u", s, t,
                 (unsigned long long)r, hops, (unsigned long long)want, want_hops);
}

/* AWS CLI documentation example: service trust, instance profile, object-shaped
 * AttachedManagedPolicies, a Deny, unresolved AWS-managed policies, IsTruncated. */
static void test_import_aws__cli_example(void **state)
{
    ap_graph *g = load(*state, REAL("aws-cli-examples/get-account-authorization-details.json"));
    assert_int_equal(partners(g), 0);
    assert_reach(g, "aws:service:ec2.amazonaws.com", "arn:aws:iam::123456789012:role/EC2role",
                 AP_RIGHTS_ALL, 1);
    assert_reach(g, "arn:aws:iam::123456789012:instance-profile/EC2role",
                 "arn:aws:iam::aws:policy/AmazonS3FullAccess", AP_RIGHTS_ALL, 2);
    assert_reach(g, "arn:aws:iam::123456789012:group/Finance", "aws:aws-portal:*", EVERY, 1);
    assert_reach(g, "arn:aws:iam::123456789012:user/Charlie",
                 "arn:aws:iam::aws:policy/PowerUserAccess", AP_RIGHTS_ALL, 2);
    assert_true(ap_graph_node_bool(g, (uint32_t)node(g, "arn:aws:iam::aws:policy/PowerUserAccess"),
                                   "unresolved", false));
    assert_reach(g, "arn:aws:iam::123456789012:policy/S3-read-only-specific-bucket",
                 "arn:aws:s3:::amzn-s3-demo-bucket/*", BIT(READ), 1);
    assert_int_equal(ap_graph_node(g, (uint32_t)node(g, "arn:aws:iam::123456789012:group/Dev"))
                     ->kind, AP_KIND_ROLE);
    assert_int_equal(noted("the output is one page"), 1);
    assert_int_equal(noted("attached managed policy without a document"), 4);
    assert_int_equal(noted("approximated"), 0);
    ap_graph_free(g);
}

/* cloudmapper demo: a role anyone can assume becomes partner 'aws:*'. */
static void test_import_aws__cloudmapper_anyone(void **state)
{
    ap_graph *g = load(*state, REAL("cloudmapper/iam-get-account-authorization-details.json"));
    assert_int_equal(partners(g), 1);
    assert_string_equal(ap_graph_node_label(g, (uint32_t)node(g, "aws:*")), "Any AWS principal");
    assert_true(ap_graph_node_bool(g, (uint32_t)node(g, "arn:aws:iam::123456789012:role/bad_role"),
                                   "trust_anyone", false));
    assert_reach(g, "aws:*", "arn:aws:iam::123456789012:role/bad_role", AP_RIGHTS_ALL, 1);
    assert_reach(g, "aws:*", "aws:*:*", EVERY, 2);
    /* bad_role's "*" includes IAM writes on every principal: exfiller through the gate */
    assert_reach(g, "aws:*", "arn:aws:iam::123456789012:role/exfiller", AP_RIGHTS_ALL, 3);
    assert_true(ap_graph_edge(g, edge(g, "aws:iam:*", "admin_of",
                                      "arn:aws:iam::123456789012:role/exfiller"))->escalates);
    assert_reach(g, "arn:aws:iam::123456789012:role/level3", "aws:s3:*", BIT(READ), 1);
    ap_graph_free(g);
}

/* cloudsplaining's teaching set: an EC2 role with iam:CreateAccessKey on every resource. */
static void test_import_aws__cloudsplaining_authz(void **state)
{
    ap_graph *g = load(*state, REAL("cloudsplaining/example-authz-details.json"));
    assert_int_equal(partners(g), 0);
    assert_reach(g, "arn:aws:iam::012345678901:user/obama", "aws:*:*", EVERY, 2);
    assert_reach(g, "arn:aws:iam::012345678901:role/OverprivilegedEC2", "aws:secretsmanager:*",
                 BIT(READ), 1);
    assert_reach(g, "arn:aws:iam::012345678901:role/OverprivilegedEC2",
                 "arn:aws:iam::012345678901:user/obama", AP_RIGHTS_ALL, 2);
    assert_reach(g, "aws:service:ec2.amazonaws.com", "arn:aws:iam::012345678901:role/MyRole",
                 AP_RIGHTS_ALL, 3);
    assert_int_equal(noted("approximated"), 0);
    ap_graph_free(g);
}

/* The largest public dump: a management account trusted without sts:ExternalId, a SAML
 * provider, a three-hop AssumeRole chain through assumed-role principals. */
static void test_import_aws__cloudsplaining_example(void **state)
{
    ap_graph *g = load(*state, REAL("cloudsplaining/example.json"));
    const char *p = "aws:072528804237";
    uint32_t e;
    assert_int_equal(partners(g), 1);
    assert_string_equal(ap_graph_node_label(g, (uint32_t)node(g, p)), "AWS account 072528804237");
    e = edge(g, p, "can_assume", "arn:aws:iam::200611803367:role/OrganizationAccountAccessRole");
    assert_false(ap_graph_edge_bool(g, e, "external_id", true));
    assert_true(ap_graph_edge_bool(g, e, "cross_account", false));
    edge(g, p, "can_assume",
         "arn:aws:iam::200611803367:role/stacksets-exec-b5520cb2730c2f54b523d6375a319abb");
    assert_reach(g, p, "arn:aws:iam::200611803367:role/OrganizationAccountAccessRole",
                 AP_RIGHTS_ALL, 1);
    assert_reach(g, p, "aws:*:*", EVERY, 3);
    /* assumed-role principals name the role without its path */
    assert_reach(g, "arn:aws:iam::200611803367:role/aws-reserved/sso.amazonaws.com/"
                 "AWSReservedSSO_AdministratorAccess_dc6414f7f2ab04fc",
                 "arn:aws:iam::200611803367:role/privesc-AssumeRole-ending-role",
                 AP_RIGHTS_ALL, 3);
    assert_reach(g, "arn:aws:iam::200611803367:saml-provider/AWSSSO_b937d2dff24f2774_DO_NOT_DELETE",
                 "arn:aws:iam::200611803367:role/aws-reserved/sso.amazonaws.com/"
                 "AWSReservedSSO_ViewOnlyAccess_0ace44bbc7092ea8", AP_RIGHTS_ALL, 1);
    /* the two NotAction statements, computed over the action table: PowerUserAccess (NotAction
     * iam:*, organizations:*, account:*) no longer writes IAM with admin, so it takes over no
     * principal; fn4 (NotAction iam:Update*, Create*, Attach*) still can (iam:PutUserPolicy) */
    e = edge(g, "arn:aws:iam::aws:policy/PowerUserAccess", "access", "aws:other:*");
    assert_int_equal(ap_graph_edge(g, e)->rights, EVERY);
    assert_int_equal(find_edge_rights(g, "arn:aws:iam::aws:policy/PowerUserAccess", "aws:iam:*"),
                     BIT(READ) | BIT(WRITE) | BIT(DELETE));
    assert_int_equal(find_edge_rights(g, "arn:aws:iam::aws:policy/PowerUserAccess", "aws:*:*"),
                     0);
    assert_int_equal(find_edge_rights(g, "arn:aws:iam::200611803367:policy/"
                                         "fn4-exploitableNotAction", "aws:iam:*"),
                     BIT(READ) | BIT(WRITE) | BIT(DELETE) | BIT(ADMIN));
    /* cloudsplaining's own false-positive cases: Allow and Deny of iam:* in one policy (fp1),
     * allow-all beside deny-all (fp2): the principals holding them reach nothing */
    {
        static const char *const fp[] = { "user/fp1-allow-and-deny-user",
                                          "role/fp1-allow-and-deny-role",
                                          "user/fp2-allow-and-deny-multiple-policies-user" };
        char arn[200];
        uint32_t hops;
        for (size_t i = 0; i < 3; i++) {
            snprintf(arn, sizeof arn, "arn:aws:iam::200611803367:%s", fp[i]);
            assert_true(ap_graph_node_bool(g, (uint32_t)node(g, arn), "deny_applied", false));
            assert_int_equal(ap_test_reach(g, arn, "aws:iam:*", &hops), 0);
            assert_int_equal(ap_test_reach(g, arn, "aws:*:*", &hops), 0);
        }
        assert_reach(g, "arn:aws:iam::200611803367:policy/fp2-allow-all", "aws:*:*", EVERY, 1);
    }
    assert_int_equal(noted("approximated"), 0);
    ap_graph_free(g);
}

static void test_import_aws__cloudsplaining_small(void **state)
{
    ap_graph *g = load(*state, REAL("cloudsplaining/example_authz_details_for_overrides_complete"
                                    ".json"));
    assert_int_equal(partners(g), 0);
    assert_reach(g, "arn:aws:iam::012345678901:user/BlakeBortles", "aws:*:*", EVERY, 3);
    assert_reach(g, "aws:service:ssm.amazonaws.com", "arn:aws:iam::012345678901:role/GOATRole",
                 AP_RIGHTS_ALL, 1);
    assert_reach(g, "arn:aws:iam::012345678901:role/MyOtherRole", "aws:s3:*",
                 BIT(READ) | BIT(WRITE), 1);
    ap_graph_free(g);
}

static void test_import_aws__cloudsplaining_v2(void **state)
{
    ap_graph *g = load(*state, REAL("cloudsplaining/example_authz_v2.json"));
    assert_int_equal(partners(g), 0);
    assert_reach(g, "arn:aws:iam::012345678901:user/BlakeBortles",
                 "arn:aws:iam::aws:policy/AdministratorAccess", AP_RIGHTS_ALL, 2);
    assert_reach(g, "aws:service:ssm.amazonaws.com", "arn:aws:iam::012345678901:role/GOAT",
                 AP_RIGHTS_ALL, 1);
    assert_reach(g, "arn:aws:iam::012345678901:role/GOAT", "aws:s3:*", BIT(READ) | BIT(WRITE), 1);
    assert_int_equal(noted("attached managed policy without a document"), 1);
    ap_graph_free(g);
}

/* The fixture: vendors named from the list, ExternalId kept, organisation and anyone trusts,
 * URL-encoded documents, the default policy version only, escalations. */
static void test_import_aws__partners_and_escalation(void **state)
{
    ap_graph *g = load(*state, FIXTURE("aws/partners.json"));
    const char *acct = "arn:aws:iam::111122223333:";
    char a[128], b[128];
    uint32_t e;
    assert_int_equal(partners(g), 4);
    assert_string_equal(ap_graph_node_label(g, (uint32_t)node(g, "aws:464622532012")), "Datadog");
    assert_string_equal(ap_graph_node_label(g, (uint32_t)node(g, "aws:444455556666")),
                        "AWS account 444455556666");
    snprintf(a, sizeof a, "%srole/VendorAudit", acct);
    e = edge(g, "aws:464622532012", "can_assume", a);       /* from a URL-encoded trust */
    assert_true(ap_graph_edge_bool(g, e, "external_id", false));
    snprintf(a, sizeof a, "%srole/LegacyCrossAccount", acct);
    assert_false(ap_graph_edge_bool(g, edge(g, "aws:444455556666", "can_assume", a),
                                    "external_id", true));
    snprintf(a, sizeof a, "%srole/OrgShared", acct);
    edge(g, "aws:org:o-abc123", "can_assume", a);
    assert_true(ap_graph_node_bool(g, (uint32_t)node(g, a), "trust_organization", false));
    assert_false(ap_graph_node_bool(g, (uint32_t)node(g, a), "trust_anyone", false));
    snprintf(a, sizeof a, "%srole/Public", acct);
    assert_true(ap_graph_node_bool(g, (uint32_t)node(g, a), "trust_anyone", false));
    assert_reach(g, "aws:464622532012", "arn:aws:s3:::reports/*", BIT(READ), 2);
    /* iam:CreateAccessKey on deployer: intern can mint deployer's keys */
    snprintf(a, sizeof a, "%suser/intern", acct);
    snprintf(b, sizeof b, "%suser/deployer", acct);
    edge(g, a, "can_mint", b);
    /* deployer's sts:AssumeRole on role/(any) reaches AdminRole (trusts the account), whose
     * default policy version (v2, URL-encoded) allows everything; v1's ec2:* is not used.
     * Public (trusts anyone, NotAction iam:*) reaches every other service a hop sooner. */
    snprintf(b, sizeof b, "%spolicy/Admin", acct);
    assert_reach(g, a, b, AP_RIGHTS_ALL, 3);
    assert_reach(g, a, "aws:*:*", EVERY, 4);
    assert_reach(g, a, "aws:other:*", EVERY, 3);
    assert_int_equal(ap_graph_find(g, "aws:ec2:*"), -1);
    /* iam:PassRole to a service role */
    snprintf(a, sizeof a, "%srole/LambdaRole", acct);
    snprintf(b, sizeof b, "%suser/deployer", acct);
    assert_true(ap_graph_edge_bool(g, edge(g, b, "can_assume", a), "escalation", false));
    assert_reach(g, "aws:access-key:AKIATESTKEY000000001", b, AP_RIGHTS_ALL, 1);
    assert_int_equal(noted("approximated"), 0);
    ap_graph_free(g);
}

/* An estate written by hand (tests/fixtures/aws/limits.json): three users in one group whose
 * policies allow everything but IAM, Organizations and Account (NotAction) and s3:* plus two
 * IAM takeover actions. admin keeps it all; ops denies itself iam:* and s3:* on the ledger
 * bucket; contractor's boundary allows s3:Get* and s3:List* on the ledger only. */
static void test_import_aws__deny_boundary_notaction(void **state)
{
    const char *acct = "arn:aws:iam::222233334444:user/";
    char admin[80], ops[80], contractor[80];
    uint32_t hops;
    ap_graph *g = load(*state, FIXTURE("aws/limits.json"));
    snprintf(admin, sizeof admin, "%sadmin", acct);
    snprintf(ops, sizeof ops, "%sops", acct);
    snprintf(contractor, sizeof contractor, "%scontractor", acct);
    /* admin, unlimited: the ledger, every S3 and other resource, IAM write with admin */
    assert_reach(g, admin, "arn:aws:s3:::ledger", EVERY, 3);
    assert_reach(g, admin, "aws:s3:*", EVERY, 3);
    assert_reach(g, admin, "aws:other:*", EVERY, 3);
    assert_reach(g, admin, "aws:iam:*", BIT(WRITE) | BIT(ADMIN), 3);
    assert_int_equal(ap_graph_find(g, "aws:organizations:*"), -1);
    assert_int_equal(ap_graph_find(g, "aws:*:*"), -1);
    /* ops loses exactly what it denies: IAM (no access, no takeover) and the ledger */
    assert_int_equal(ap_test_reach(g, ops, "aws:iam:*", &hops), 0);
    assert_int_equal(ap_test_reach(g, ops, "arn:aws:s3:::ledger", &hops), 0);
    assert_int_equal(ap_test_reach(g, ops, admin, &hops), 0);
    assert_reach(g, ops, "aws:s3:*", EVERY, 1);
    assert_reach(g, ops, "aws:other:*", EVERY, 1);
    assert_reach(g, ops, "aws:sts:*", EVERY, 1);
    assert_true(ap_graph_node_bool(g, (uint32_t)node(g, ops), "deny_applied", false));
    /* the group no longer passes anything to a limited member */
    assert_int_equal(ap_graph_edge(g, edge(g, ops, "member_of",
                                           "arn:aws:iam::222233334444:group/admins"))->rights, 0);
    /* contractor: read on the ledger, nothing else */
    assert_reach(g, contractor, "arn:aws:s3:::ledger", BIT(READ), 1);
    assert_int_equal(ap_test_reach(g, contractor, "aws:s3:*", &hops), 0);
    assert_int_equal(ap_test_reach(g, contractor, "aws:other:*", &hops), 0);
    assert_int_equal(ap_test_reach(g, contractor, "aws:iam:*", &hops), 0);
    assert_true(ap_graph_node_bool(g, (uint32_t)node(g, contractor),
                                   "permissions_boundary_applied", false));
    /* ops's Deny on the ledger covers part of s3:* on "*": kept whole, and counted */
    assert_int_equal(noted("approximated: a Deny or boundary covers part"), 1);
    /* a trust policy's Deny: account 111100002222 can no longer assume VendorRead; the Deny
     * for 999988887777 has a Condition (MFA) and is not applied, but counted */
    uint32_t e = edge(g, "aws:111100002222", "can_assume",
                      "arn:aws:iam::222233334444:role/VendorRead");
    assert_int_equal(ap_graph_edge(g, e)->rights, 0);
    assert_int_equal(ap_test_reach(g, "aws:111100002222", "arn:aws:s3:::ledger", &hops), 0);
    assert_reach(g, "aws:999988887777", "arn:aws:s3:::ledger", BIT(READ), 3);
    assert_int_equal(noted("approximated: Deny in a trust policy"), 1);
    ap_graph_free(g);
}

static void expect_error(ap_store *st, const char *name, const char *text, ap_format format,
                         const char *msg, unsigned line, unsigned col)
{
    const char *path = ap_test_write_temp(name, text);
    ap_import_opts opts = { .format = format };
    ap_error err;
    assert_int_equal(ap_test_import_opts(st, &path, 1, &opts, &err), AP_EINPUT);
    if (strncmp(err.msg, msg, strlen(msg)) != 0)
        fail_msg("message '%s', expected '%s...'", err.msg, msg);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node"), 0);
    remove(path);
}

/* A malformed policy document, an unknown top-level shape, a truncated file and a statement
 * without an effect each name their place, and nothing is written. */
static void test_import_aws__errors_name_their_place(void **state)
{
    expect_error(*state, "bad_doc.json",
                 "{\"RoleDetailList\": [\n  {\"RoleName\": \"r\", \"Arn\": "
                 "\"arn:aws:iam::111122223333:role/r\",\n   \"AssumeRolePolicyDocument\": "
                 "\"%7B%22Statement%22%3A%5B\"}]}\n", AP_FORMAT_AUTO,
                 "malformed policy document", 3, 32);
    expect_error(*state, "shape.json", "{\"Users\": []}\n", AP_FORMAT_AWS_IAM,
                 "not the output of aws iam get-account-authorization-details", 1, 1);
    expect_error(*state, "truncated.json", "{\"UserDetailList\": [\n  {\"UserName\": \"a\",\n",
                 AP_FORMAT_AUTO, "invalid JSON", 3, 1);
    expect_error(*state, "effect.json",
                 "{\"UserDetailList\": [{\"UserName\": \"a\", \"Arn\": "
                 "\"arn:aws:iam::111122223333:user/a\",\n \"UserPolicyList\": [{\"PolicyName\": "
                 "\"p\", \"PolicyDocument\": {\"Statement\": [\n   {\"Action\": \"s3:*\", "
                 "\"Resource\": \"*\"}]}}]}]}\n", AP_FORMAT_AUTO,
                 "a statement's 'Effect' must be", 3, 4);
    /* a name the reader uses, replaced by something that is not text, is refused at its value */
    char deep[2100 + 200];
    int n = snprintf(deep, sizeof deep, "{\"RoleDetailList\": [\n  {\"Arn\": "
                     "\"arn:aws:iam::111122223333:role/r\",\n   \"RoleName\": ");
    for (int i = 0; i < 1000; i++)
        deep[n++] = '[';
    for (int i = 0; i < 1000; i++)
        deep[n++] = ']';
    snprintf(deep + n, sizeof deep - (size_t)n, "}]}\n");
    expect_error(*state, "deep_name.json", deep, AP_FORMAT_AUTO, "'RoleName' must be a string",
                 3, 16);
}

/* Resources, actions and principals up to an ARN's 2,048 bytes are read whole (resource ids
 * were built in a buffer of 800 bytes: two buckets alike in their first 791 bytes were one
 * node); a longer one is refused at its statement, nothing written. */
static void test_import_aws__long_resources(void **state)
{
    char r1[1100], r2[1100], text[8192], before[256], *longer;
    const char *path;
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    ap_error err;
    ap_graph *g;
    size_t n;
    memcpy(r1, "arn:aws:s3:::", 13);
    memset(r1 + 13, 'x', 1000);
    r1[1013] = '1';
    r1[1014] = '\0';
    memcpy(r2, r1, sizeof r2);
    r2[1013] = '2';
    snprintf(text, sizeof text, "{\"UserDetailList\": [{\"UserName\": \"a\", \"Arn\": "
             "\"arn:aws:iam::111122223333:user/a\", \"UserPolicyList\": [{\"PolicyName\": \"p\","
             " \"PolicyDocument\": {\"Statement\": [{\"Effect\": \"Allow\", \"Action\": "
             "\"s3:GetObject\", \"Resource\": [\"%s\", \"%s\"]}]}}]}]}\n", r1, r2);
    path = ap_test_write_temp("long-resources.json", text);
    g = load(*state, path);
    assert_reach(g, "arn:aws:iam::111122223333:user/a", r1, BIT(READ), 1);
    assert_reach(g, "arn:aws:iam::111122223333:user/a", r2, BIT(READ), 1);
    ap_graph_free(g);
    remove(path);

    longer = malloc(4200);
    assert_non_null(longer);
    memcpy(longer, "arn:aws:s3:::", 13);
    memset(longer + 13, 'x', 2036);         /* 2,049 bytes: one more than AWS allows */
    longer[2049] = '\0';
    n = (size_t)snprintf(text, sizeof text, "{\"UserDetailList\": [{\"UserName\": \"a\", "
                         "\"Arn\": \"arn:aws:iam::111122223333:user/a\",\n \"UserPolicyList\":"
                         " [{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Statement\": [\n   "
                         "{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": "
                         "\"%s\"}]}}]}]}\n", longer);
    assert_true(n < sizeof text);
    free(longer);
    path = ap_test_write_temp("longer-resource.json", text);
    snprintf(before, sizeof before, "%s", ap_test_store_state(*state));
    assert_int_equal(ap_test_import_opts(*state, &path, 1, &opts, &err), AP_EINPUT);
    assert_string_equal(err.msg, "a statement's 'Resource' holds a value longer than 2048 bytes "
                        "(AWS's limit for an ARN)");
    assert_int_equal(err.line, 3);
    assert_int_equal(err.col, 4);
    assert_string_equal(ap_test_store_state(*state), before);
    remove(path);
}

static void test_import_aws__action_rights(void **state)
{
    ap_graph *g;
    const char *text =
        "{\"UserDetailList\": [{\"UserName\": \"a\", \"Arn\": \"arn:aws:iam::111122223333:user/a\","
        " \"UserPolicyList\": [{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Statement\": ["
        "{\"Effect\": \"Allow\", \"Action\": [\"s3:Get*\", \"s3:ListBucket\"], \"Resource\": "
        "\"arn:aws:s3:::r\"},"
        "{\"Effect\": \"Allow\", \"Action\": \"dynamodb:DeleteItem\", \"Resource\": \"*\"},"
        "{\"Effect\": \"Allow\", \"Action\": \"lambda:InvokeFunction\", \"Resource\": \"*\"},"
        "{\"Effect\": \"Allow\", \"Action\": \"ec2:De*\", \"Resource\": \"*\"},"
        "{\"Effect\": \"Allow\", \"Action\": [\"ec2:RunInstances\", \"s3:GetObject\"], "
        "\"Resource\": \"arn:aws:ec2:*:*:instance/*\"}]}}]}]}\n";
    const char *path = ap_test_write_temp("rights.json", text);
    g = load(*state, path);
    assert_reach(g, "arn:aws:iam::111122223333:user/a", "arn:aws:s3:::r", BIT(READ), 1);
    assert_reach(g, "arn:aws:iam::111122223333:user/a", "aws:dynamodb:*", BIT(DELETE), 1);
    assert_reach(g, "arn:aws:iam::111122223333:user/a", "aws:lambda:*", BIT(EXECUTE), 1);
    assert_reach(g, "arn:aws:iam::111122223333:user/a", "aws:ec2:*",
                 BIT(READ) | BIT(WRITE) | BIT(DELETE), 1);
    /* s3:GetObject does not apply to an EC2 ARN: only RunInstances reaches it */
    assert_reach(g, "arn:aws:iam::111122223333:user/a", "arn:aws:ec2:*:*:instance/*",
                 BIT(EXECUTE), 1);
    ap_graph_free(g);
    remove(path);
}

static uint64_t last_rows;
static size_t calls;

static void on_progress(void *arg, const ap_import_progress *p)
{
    (void)arg;
    assert_true(p->rows >= last_rows);
    assert_int_equal(p->files, 1);
    last_rows = p->rows;
    calls++;
}

/* The library reports progress to its caller (and prints nothing itself): 3000 users with a
 * bucket each make 9000 rows. */
static void test_import_aws__progress_callback(void **state)
{
    size_t cap = 3000 * 300 + 64, len = 0;
    char *text = malloc(cap);
    const char *path;
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .progress = on_progress };
    ap_error err;
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "{\"UserDetailList\": [");
    for (int i = 0; i < 3000; i++)
        len += (size_t)snprintf(text + len, cap - len, "%s{\"UserName\": \"u%d\", \"Arn\": "
                                "\"arn:aws:iam::111122223333:user/u%d\", \"UserPolicyList\": "
                                "[{\"PolicyName\": \"p\", \"PolicyDocument\": {\"Statement\": "
                                "{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", "
                                "\"Resource\": \"arn:aws:s3:::b%d/*\"}}}]}\n", i ? "," : "", i, i,
                                i);
    snprintf(text + len, cap - len, "]}\n");
    path = ap_test_write_temp("many.json", text);
    free(text);
    calls = 0;
    last_rows = 0;
    assert_int_equal(ap_test_import_opts(*state, &path, 1, &opts, &err), AP_OK);
    remove(path);
    /* one call as the file starts, then one per AP_IMPORT_PROGRESS_ROWS staged rows */
    long rows = ap_test_count(*state, "SELECT count(*) FROM node")
                + ap_test_count(*state, "SELECT count(*) FROM edge");
    assert_int_equal(calls, 1 + (size_t)rows / AP_IMPORT_PROGRESS_ROWS);
    assert_int_equal(rows, 9000);
    assert_int_equal(last_rows, 8192);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_aws__cli_example, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__cloudmapper_anyone, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__cloudsplaining_authz,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__cloudsplaining_example,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__deny_boundary_notaction,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__cloudsplaining_small,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__cloudsplaining_v2, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__partners_and_escalation,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__errors_name_their_place,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__long_resources, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__action_rights, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_aws__progress_callback, ap_test_store_setup,
                                        ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
