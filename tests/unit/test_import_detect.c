/* tests/unit/test_import_detect.c: what no reader takes is refused, naming what it looks like,
 * with the database as it was; UTF-16 input is decoded; an import of no node is refused. */
#include <stdio.h>
#include <string.h>

#include "support.h"

#define AT 1767225600
#define READS "(authpath import --help lists what it reads)"

/* Each test starts from a database holding the sample estate, so "unchanged" means something. */
static int setup(void **state)
{
    ap_error err;
    if (ap_test_store_setup(state) != 0)
        return -1;
    if (ap_test_import(*state, SAMPLE("estate.json"), &err) != AP_OK) {
        fprintf(stderr, "%s:%u:%u: %s\n", err.file, err.line, err.col, err.msg);
        return -1;
    }
    return 0;
}

/* path is refused at line:col as "not an input authpath reads: this looks like LOOKS (authpath
 * import --help lists what it reads)", and the store is as it was. */
static void expect_refused(ap_store *st, const char *path, unsigned line, unsigned col,
                           const char *looks)
{
    char before[160], want[256];
    ap_error err;
    snprintf(before, sizeof before, "%s", ap_test_store_state(st));
    assert_int_equal(ap_test_import(st, path, &err), AP_EINPUT);
    snprintf(want, sizeof want, "not an input authpath reads: this looks like %s " READS, looks);
    if (strcmp(err.msg, want) != 0)
        fail_msg("got '%s', want '%s'", err.msg, want);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(ap_test_store_state(st), before);
}

/* path is detected and read: one more snapshot. */
static void expect_read(ap_store *st, const char *path)
{
    long before = ap_test_count(st, "SELECT count(*) FROM snapshot");
    ap_error err;
    if (ap_test_import(st, path, &err) != AP_OK)
        fail_msg("%s: %s", path, err.msg);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM snapshot"), before + 1);
}

static void test_import_detect__unknown_object(void **state)
{
    expect_refused(*state, ap_test_write_temp("foo.json", "{\"foo\": 1}\n"), 1, 1,
                   "a JSON object with keys 'foo'");
    expect_refused(*state, ap_test_write_temp("list.json", "\n  [{\"a\": 1, \"b\": 2}]\n"), 2,
                   3, "a JSON list of objects with keys 'a', 'b'");
    expect_refused(*state, ap_test_write_temp("foo.yaml", "# a comment\nfoo: 1\nbar: [2]\n"),
                   2, 1, "a YAML mapping with keys 'foo', 'bar'");
    expect_refused(*state, ap_test_write_temp("empty.yaml", "\n  \n"), 1, 1, "an empty file");
}

static void test_import_detect__azurehound(void **state)
{
    /* AzureHound's federated credentials go to the Microsoft Graph reader; its other kinds
     * are refused */
    expect_refused(*state, ap_test_write_temp("azusers.json", "{\"data\": [{\"kind\": "
                                              "\"AZUser\", \"data\": {}}], \"meta\": "
                                              "{\"type\": \"azure\"}}\n"), 1, 1,
                   "AzureHound output (AZUser)");
    expect_read(*state, REAL("bloodhound-ce/federated_identity_credentials.json"));
}

/* Runtime events are observed use (import/usage.c), never refused as an unknown shape: they
 * are stored beside the snapshot (or refused for what they hold) and make no snapshot. */
static void expect_usage(ap_store *st, const char *path)
{
    long snapshots = ap_test_count(st, "SELECT count(*) FROM snapshot");
    ap_error err;
    if (ap_test_import(st, path, &err) != AP_OK)
        assert_null(strstr(err.msg, "not an input authpath reads"));
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM snapshot"), snapshots);
}

static void test_import_detect__kubernetes(void **state)
{
    /* RBAC Lists and manifests go to the k8s reader (test_import_k8s); other Kubernetes
     * objects are refused with what they are */
    char path[512];
    snprintf(path, sizeof path, "%s", ap_test_write_temp("pods.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"v1\","
        " \"kind\": \"Pod\", \"metadata\": {\"name\": \"p\"}}]}\n"));
    expect_refused(*state, path, 1, 1, "a Kubernetes List of Pod");
    snprintf(path, sizeof path, "%s", ap_test_write_temp("empty-pods.json",
        "{\"apiVersion\": \"v1\", \"kind\": \"PodList\", \"items\": []}\n"));
    expect_refused(*state, path, 1, 1, "an empty Kubernetes List");
    /* an empty List (kubectl's answer for a kind with no object) joins the import of the
     * other kinds' files, adding nothing; alone, it is an import of nothing, refused */
    {
        const char *paths[2] = { REAL("kubehound/collector-testdata/"
                                      "clusterroles.rbac.authorization.k8s.io.json"), path };
        ap_import_opts o = { .format = AP_FORMAT_AUTO };
        char before[160];
        ap_error err;
        snprintf(path, sizeof path, "%s", ap_test_write_temp("empty.json",
            "{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [], \"metadata\": "
            "{\"resourceVersion\": \"\"}}\n"));
        snprintf(before, sizeof before, "%s", ap_test_store_state(*state));
        assert_int_equal(ap_test_import(*state, path, &err), AP_EINPUT);
        assert_string_equal(err.msg, "nothing to import: the file declares no node (an empty "
                                     "inventory makes no snapshot)");
        assert_string_equal(ap_test_store_state(*state), before);
        assert_int_equal(ap_test_import_opts(*state, paths, 2, &o, &err), AP_OK);
    }
    /* several YAML documents: named by the first, not refused as "more than one document" */
    snprintf(path, sizeof path, "%s", ap_test_write_temp("deploy.yaml",
        "# an app\n"
        "apiVersion: apps/v1\n"
        "kind: Deployment\n"
        "metadata: {name: web}\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: Service\n"
        "metadata: {name: web}\n"));
    expect_refused(*state, path, 2, 1, "a Kubernetes Deployment manifest");
    expect_usage(*state, REAL("falco-k8s-audit/exec_pod.json"));
}

static void test_import_detect__github_api(void **state)
{
    expect_refused(*state, REAL("openhound-github/api/appinstalls.json"), 1, 1,
                   "a GitHub API response (installations)");
    expect_refused(*state, REAL("openhound-github/api/repositories.json"), 1, 1,
                   "a GitHub API response");
    expect_refused(*state, REAL("openhound-github/api/org.json"), 1, 1,
                   "a GitHub API response");
}

static void test_import_detect__aws_other_than_authorization_details(void **state)
{
    expect_refused(*state, REAL("cloudmapper/iam-get-credential-report.json"), 1, 1,
                   "an IAM credential report");
    expect_refused(*state, ap_test_write_temp("report.csv", "user,arn,user_creation_time,"
                                              "password_enabled\n<root_account>,arn:aws:iam::1:"
                                              "root,2019-01-01,not_supported\n"), 1, 1,
                   "an IAM credential report");
    expect_refused(*state, REAL("cloudmapper/iam-get-account-summary.json"), 1, 1,
                   "an IAM account summary (get-account-summary)");
    expect_usage(*state, REAL("stratus-red-team-cloudtrail/aws.persistence.iam-backdoor-role"
                              ".json"));
    expect_usage(*state, REAL("aws-cli-examples/cloudtrail-lookup-events-ConsoleLogin.json"));
}

/* Microsoft Graph responses of every shape go to the Graph reader without --as. */
static void test_import_detect__microsoft_graph(void **state)
{
    expect_read(*state, REAL("msgraph-docs/servicePrincipal.get.json"));
    expect_read(*state, REAL("msgraph-docs/servicePrincipal.appRoleAssignedTo.list.json"));
    expect_read(*state, REAL("msgraph-docs/oauth2PermissionGrants.list.json"));
    expect_read(*state, REAL("msgraph-docs/application.federatedIdentityCredentials.list.json"));
    expect_read(*state, REAL("msgraph-docs/delegatedAdminRelationships.list.json"));
    expect_read(*state, REAL("msgraph-docs/crossTenantAccessPolicy.partners.list.json"));
    expect_read(*state, REAL("roadtools/firstpartyscopes.json"));
}

static void test_import_detect__okta_and_others(void **state)
{
    expect_refused(*state, REAL("openhound-okta/api/api_tokens.json"), 1, 1,
                   "an Okta API response");
    expect_refused(*state, REAL("openhound-github/api/scimusers.json"), 1, 1,
                   "a SCIM list response");
    expect_refused(*state, REAL("bloodhound-opengraph/opengraph-node.json"), 1, 1,
                   "a JSON Schema");
    expect_refused(*state, REAL("known-aws-accounts/accounts.yaml"), 9, 1,
                   "a list of known AWS accounts (give it to --aws-accounts)");
    expect_refused(*state, REAL("panther-analysis-yaml/okta_api_key_created.yml"), 1, 1,
                   "a Panther detection rule");
}

/* ScubaGear's exports are UTF-16LE with a byte order mark: decoded, then read as what they
 * are (Microsoft Graph PowerShell objects), not refused as binary. */
static void test_import_detect__scubagear_utf16(void **state)
{
    expect_read(*state, REAL("scubagear/risky-permissions/MockServicePrincipals.json"));
    expect_read(*state, REAL("scubagear/risky-permissions/MockFederatedCredentials.json"));
}

/* A syntax error is reported as the reader reports it, before any guess at the shape. */
static void test_import_detect__syntax_errors_first(void **state)
{
    const char *p = ap_test_write_temp("bad.json", "{\"foo\": 1,\n \"bar\": }\n");
    ap_test_expect_error(*state, &p, 1, NULL, p, 2, 9,
                         "invalid JSON: unexpected token near '}'");
    p = ap_test_write_temp("bad.yaml", "foo: [1, 2\n");
    ap_error err;
    assert_int_equal(ap_test_import(*state, p, &err), AP_EINPUT);
    assert_null(strstr(err.msg, "looks like"));
}

/* --as native does not read another format's document as an empty inventory. */
static void test_import_detect__as_native_refuses_other_formats(void **state)
{
    ap_import_opts opts = { .format = AP_FORMAT_NATIVE };
    const char *p = REAL("githound/githound_saml_O_kgDOCoV2OQ.json");
    char before[160];
    ap_error err;
    snprintf(before, sizeof before, "%s", ap_test_store_state(*state));
    assert_int_equal(ap_test_import_opts(*state, &p, 1, &opts, &err), AP_EINPUT);
    assert_string_equal(err.msg, "not an authpath/1 inventory (--as native): this looks like "
                                 "BloodHound OpenGraph");
    assert_string_equal(ap_test_store_state(*state), before);
}

/* An import that adds no node is refused as an unreadable one is. */
static void test_import_detect__no_node_is_refused(void **state)
{
    const char *cases[] = {
        ap_test_write_temp("empty.json", "{\"format\": \"authpath/1\", \"nodes\": []}\n"),
    };
    char before[160];
    ap_error err;
    snprintf(before, sizeof before, "%s", ap_test_store_state(*state));
    ap_test_expect_error(*state, cases, 1, NULL, cases[0], 1, 1, "nothing to import: the file "
                         "declares no node (an empty inventory makes no snapshot)");
    cases[0] = ap_test_write_temp("empty.yaml", "format: authpath/1\nrights: [export]\n");
    ap_test_expect_error(*state, cases, 1, NULL, cases[0], 1, 1, "nothing to import: the file "
                         "declares no node (an empty inventory makes no snapshot)");
    cases[0] = ap_test_write_temp("empty-og.json", "{\"graph\": {\"nodes\": [], \"edges\": []}}");
    ap_test_expect_error(*state, cases, 1, NULL, cases[0], 1, 1, "nothing to import: the file "
                         "declares no node (an empty inventory makes no snapshot)");
    assert_int_equal(ap_test_import(*state, ap_test_write_temp("nodes.csv", "id,kind\n"), &err),
                     AP_EINPUT);
    assert_string_equal(ap_test_store_state(*state), before);
}

/* ---- UTF-16 ---- */

static size_t nodes_of(ap_store *st, const char *path)
{
    ap_error err;
    ap_graph *g;
    size_t n;
    if (ap_test_import(st, path, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    g = ap_test_graph(st, AT);
    n = ap_graph_node_count(g);
    assert_string_equal(ap_graph_node_label(g, (uint32_t)ap_graph_find(g, "contoso")),
                        "Contoso Ltd \xE2\x80\x94 Z\xC3\xBCrich");
    ap_graph_free(g);
    return n;
}

/* The same inventory in UTF-8, UTF-8 with a byte order mark, UTF-16LE (CRLF) and UTF-16BE. */
static void test_import_detect__utf16_is_decoded(void **state)
{
    ap_store *st = *state;
    assert_int_equal(nodes_of(st, FIXTURE("encoding/inventory.json")), 4);
    assert_int_equal(nodes_of(st, FIXTURE("encoding/inventory-utf8bom.json")), 4);
    assert_int_equal(nodes_of(st, FIXTURE("encoding/inventory-utf16le.json")), 4);
    assert_int_equal(nodes_of(st, FIXTURE("encoding/inventory-utf16be.json")), 4);
}

/* Errors in UTF-16 input point at lines and columns of the text (columns in bytes of its UTF-8
 * form, as for any UTF-8 input: 'ü' counts two); invalid UTF-16 is refused at its place. */
static void test_import_detect__utf16_errors_have_places(void **state)
{
    const char *p = FIXTURE("encoding/bad_kind-utf16le.json");
    ap_test_expect_error(*state, &p, 1, NULL, p, 3, 35, "unknown kind 'parnter' (expected one "
                         "of partner, identity, credential, role, resource, workflow)");
    p = FIXTURE("encoding/lone_surrogate-utf16le.json");
    ap_test_expect_error(*state, &p, 1, NULL, p, 2, 15, "UTF-16LE text (byte order mark FF FE) "
                         "holds a sequence that is not UTF-16 (a lone surrogate)");
    p = FIXTURE("encoding/cut-utf16be.json");
    ap_test_expect_error(*state, &p, 1, NULL, p, 2, 5, "UTF-16BE text (byte order mark FE FF) "
                         "ends inside a character");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(test_import_detect__##name, setup, \
                                                ap_test_store_teardown)
        T(unknown_object),
        T(azurehound),
        T(kubernetes),
        T(github_api),
        T(aws_other_than_authorization_details),
        T(microsoft_graph),
        T(okta_and_others),
        T(scubagear_utf16),
        T(syntax_errors_first),
        T(as_native_refuses_other_formats),
        T(no_node_is_refused),
        T(utf16_is_decoded),
        T(utf16_errors_have_places),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
