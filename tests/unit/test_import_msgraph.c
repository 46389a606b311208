/* tests/unit/test_import_msgraph.c: the Microsoft Graph / Entra ID reader on every real Graph
 * file (hand-checked partners, roles and permissions by name, GDAP liveness) and on fixtures
 * for several pages, PascalCase, UTF-16, --as msgraph and what is refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/findings.h"
#include "authpath/query.h"
#include "support.h"

#define AT 1767225600       /* 2026-01-01 */
#define BIT(r) ((ap_rights)1 << AP_R_##r)
#define RWD (BIT(READ) | BIT(WRITE) | BIT(DELETE))
#define GA "62e90394-69f5-4237-9190-012177145e10"
#define MG(name) AP_REAL "/msgraph-docs/" name
#define SCUBA(name) AP_REAL "/scubagear/risky-permissions/" name

static ap_import_notes notes;

static ap_graph *load_as(ap_store *st, const char *const *paths, size_t n, ap_format format,
                         int64_t at)
{
    ap_import_opts opts = { .format = format, .notes = &notes };
    ap_error err;
    memset(&notes, 0, sizeof notes);
    if (ap_test_import_opts(st, paths, n, &opts, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    return ap_test_graph(st, at);
}

static ap_graph *load(ap_store *st, const char *path)
{
    return load_as(st, &path, 1, AP_FORMAT_AUTO, AT);
}

static uint32_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return (uint32_t)v;
}

static void assert_name(const ap_graph *g, const char *id, const char *name)
{
    assert_string_equal(ap_graph_node_label(g, node(g, id)), name);
}

static size_t count_kind(const ap_graph *g, ap_kind k)
{
    size_t n = 0;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        n += ap_graph_node(g, v)->kind == k;
    return n;
}

static ap_rights reach(const ap_graph *g, const char *s, const char *t)
{
    uint32_t hops;
    return ap_test_reach(g, s, t, &hops);
}

/* How many findings of rule on g. */
static size_t findings(const ap_graph *g, const char *rule)
{
    const char *only[1] = { rule };
    ap_findings_opts opts = { NULL, only, 1, -1, AP_SEV_NONE };
    ap_findings *f = NULL;
    ap_error err;
    size_t n;
    assert_int_equal(ap_findings_compute(&f, g, &opts, &err), AP_OK);
    n = ap_findings_count(f);
    ap_findings_free(f);
    return n;
}

static const char *const entra_rules[] = {
    "gdap-global-admin", "gdap-stale-privileged", "admin-consent-third-party",
    "app-global-admin", "federated-credential-wildcard", "unverified-multi-tenant-app",
};

/* The Entra rules that fire on g, as "rule=N rule=N". */
static const char *entra_findings(const ap_graph *g)
{
    static char buf[256];
    size_t used = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof entra_rules / sizeof entra_rules[0]; i++) {
        size_t n = findings(g, entra_rules[i]);
        if (n > 0)
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%s=%zu",
                                     used > 0 ? " " : "", entra_rules[i], n);
    }
    return buf;
}

/* GDAP list (docs): 'Contoso admin relationship' active and auto-extending (P180D) though its
 * endDateTime (2024-02-10) is past; 'Contoso subsidiary' terminated; 'Fabrikam' pending
 * approval. Only the first carries authority. */
static void test_import_msgraph__gdap_relationships(void **state)
{
    ap_graph *g = load(*state, MG("delegatedAdminRelationships.list.json"));
    const char *p = "entra:gdap-partner";
    const char *active = "entra:gdap:5d027261-d21f-4aa9-b7db-7fa1f56fb163-8777b240-c6f0-4469-"
                         "9e98-a3205431b836";
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 1);
    assert_name(g, active, "Contoso admin relationship");
    assert_true(ap_graph_node(g, node(g, active))->live);
    assert_string_equal(ap_graph_node_str(g, node(g, active), "customer_name"), "Contoso Inc");
    assert_int_not_equal(reach(g, p, "entra:tenant:52eaad04-13a2-4a2f-9ce8-93a294fadf36:role:"
                               "role dd4db9a0-cc4a-4213-9f9f-70242232d97e"), 0);
    /* terminated: Exchange and Intune Administrator of the subsidiary are not reached */
    assert_name(g, "entra:tenant:4b827261-d21f-4aa9-b7db-7fa1f56fb163:role:Exchange "
                "Administrator", "Exchange Administrator");
    assert_int_equal(reach(g, p, "entra:tenant:4b827261-d21f-4aa9-b7db-7fa1f56fb163:role:"
                           "Intune Administrator"), 0);
    assert_int_equal(reach(g, p, "entra:tenant:4b827261-d21f-4aa9-b7db-7fa1f56fb163:"
                           "directory"), 0);
    /* approval pending: Privileged Role Administrator (escalating) not reached, nor GA */
    assert_int_equal(reach(g, p, "entra:tenant:52eaad04-13a2-4a2f-9ce8-93a294fadf36:role:"
                           "Privileged Role Administrator"), 0);
    assert_int_equal(reach(g, p, "entra:tenant:52eaad04-13a2-4a2f-9ce8-93a294fadf36:role:"
                           "Global Administrator"), 0);
    assert_string_equal(entra_findings(g), "");
    ap_graph_free(g);
    /* read as of 2021, when the subsidiary's relationship ran: its status says terminated
     * and Graph keeps no history, so it stays without authority */
    g = ap_test_graph(*state, 1633046400);      /* 2021-10-01 */
    assert_int_equal(reach(g, p, "entra:tenant:4b827261-d21f-4aa9-b7db-7fa1f56fb163:"
                           "directory"), 0);
    ap_graph_free(g);
}

/* Access assignments (docs): two active security groups; the first holds Global
 * Administrator, the file names no relationship, so the customer is 'unknown-customer'. */
static void test_import_msgraph__gdap_assignments(void **state)
{
    ap_graph *g = load(*state, MG("delegatedAdminRelationship.accessAssignments.list.json"));
    const char *ga = "entra:tenant:unknown-customer:role:Global Administrator";
    assert_name(g, ga, "Global Administrator");
    assert_int_equal(reach(g, "entra:gdap-partner", ga), AP_RIGHTS_ALL);
    assert_int_equal(reach(g, "entra:gdap-partner", "entra:tenant:unknown-customer:directory"),
                     AP_RIGHTS_ALL);
    assert_name(g, "entra:tenant:unknown-customer:role:Helpdesk Administrator",
                "Helpdesk Administrator");
    assert_name(g, "entra:gdap-group:227a2f44-2682-4831-a021-f8d69a34bcba",
                "GDAP access group 227a2f44-2682-4831-a021-f8d69a34bcba");
    assert_string_equal(entra_findings(g), "gdap-global-admin=1");
    ap_graph_free(g);
}

/* oauth2PermissionGrants (docs): two AllPrincipals grants of one client; scopes by name. */
static void test_import_msgraph__grants(void **state)
{
    ap_graph *g = load(*state, MG("oauth2PermissionGrants.list.json"));
    const char *client = "entra:263a5b01-03e5-408e-8557-bab681df104c";
    const char *dir = "entra:scope:943603e4-e787-4fe9-93d1-e30f749aae39/Directory.ReadWrite.All";
    uint32_t c = node(g, client);
    assert_name(g, dir, "Directory.ReadWrite.All");
    assert_true(ap_graph_node_bool(g, node(g, dir), "privileged", false));
    assert_int_equal(ap_graph_out_end(g, c) - ap_graph_out_begin(g, c), 2 + 34);
    for (uint32_t e = ap_graph_out_begin(g, c); e < ap_graph_out_end(g, c); e++)
        assert_string_equal(ap_graph_edge_str(g, e, "consent_type"), "AllPrincipals");
    /* ReadWrite reads, writes and deletes on the API, PrivilegedOperations (no known verb)
     * executes; User.Read only reads */
    assert_int_equal(reach(g, client, "entra:api:943603e4-e787-4fe9-93d1-e30f749aae39"),
                     RWD | BIT(EXECUTE));
    assert_int_equal(reach(g, "entra:scope:1804a6f8-e623-4520-8f40-ba1b0c11c42d/User.Read",
                           "entra:api:1804a6f8-e623-4520-8f40-ba1b0c11c42d"), BIT(READ));
    /* the client is not known to be a third party's: no partner, no finding */
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 0);
    assert_string_equal(entra_findings(g), "");
    ap_graph_free(g);
}

/* Directory role assignments (docs): one principal holds Global Administrator and Global
 * Reader over the whole directory. */
static void test_import_msgraph__role_assignments(void **state)
{
    ap_graph *g = load(*state, MG("roleManagement.directory.roleAssignments.list.json"));
    const char *who = "entra:f1847572-48aa-47aa-96a3-2ec61904f41f";
    assert_name(g, "entra:role:Global Administrator", "Global Administrator");
    assert_name(g, "entra:role:Global Reader", "Global Reader");
    assert_string_equal(ap_graph_node_str(g, node(g, "entra:role:Global Administrator"),
                                          "role_template"), GA);
    assert_int_equal(reach(g, who, "entra:directory"), AP_RIGHTS_ALL);
    assert_int_equal(reach(g, "entra:role:Global Reader", "entra:directory"), BIT(READ));
    ap_graph_free(g);
}

/* A service principal (docs) owned by another tenant with a verified publisher; an
 * appRoleAssignedTo (docs) giving a user default access. */
static void test_import_msgraph__service_principal(void **state)
{
    ap_graph *g = load(*state, MG("servicePrincipal.get.json"));
    const char *p = "entra:tenant:65415bb1-9267-4313-bbf5-ae259732ee12";
    const char *sp = "entra:00af5dfb-85da-4b41-a677-0c6b86dd34f8";
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 1);
    assert_name(g, p, "publisher_contoso (Entra tenant 65415bb1-9267-4313-bbf5-ae259732ee12)");
    assert_name(g, sp, "My app instance in tenant");
    assert_true(ap_graph_node_bool(g, node(g, sp), "third_party", false));
    assert_true(ap_graph_node_bool(g, node(g, sp), "multi_tenant_app", false));
    assert_int_equal(reach(g, p, sp), AP_RIGHTS_ALL);
    assert_string_equal(entra_findings(g), "");      /* verified, and holds nothing */
    ap_graph_free(g);
}

static void test_import_msgraph__app_role_assigned_to(void **state)
{
    ap_graph *g = load(*state, MG("servicePrincipal.appRoleAssignedTo.list.json"));
    const char *user = "entra:cdb555e3-b33e-4fd5-a427-17fadacbdfa7";
    assert_name(g, user, "MOD Administrator");
    assert_string_equal(ap_graph_node_str(g, node(g, user), "type"), "user");
    assert_name(g, "entra:api:8e881353-1735-45af-af21-ee1344582a4d",
                "dxprovisioning-graphapi-client");
    assert_int_equal(reach(g, user, "entra:api:8e881353-1735-45af-af21-ee1344582a4d"),
                     BIT(EXECUTE));
    ap_graph_free(g);
}

/* Federated credential (docs): issued by the tenant its own @odata.id names: ours, so no
 * partner. Cross-tenant partner (docs): B2B direct connect to Office365. */
static void test_import_msgraph__fic_and_cross_tenant(void **state)
{
    ap_graph *g = load(*state, MG("application.federatedIdentityCredentials.list.json"));
    const char *cred = "entra:bcd7c908-1c4d-4d48-93ee-ff38349a75c8/federated/bdad0963-4a7a-"
                       "43ae-b569-e67e1da3f2c0";
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 0);
    assert_string_equal(ap_graph_node_str(g, node(g, cred), "subject"),
                        "a7d388c3-5e3f-4959-ac7d-786b3383006a");
    assert_int_equal(reach(g, cred, "entra:bcd7c908-1c4d-4d48-93ee-ff38349a75c8"),
                     AP_RIGHTS_ALL);
    ap_graph_free(g);
    g = load(*state, MG("crossTenantAccessPolicy.partners.list.json"));
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 1);
    assert_int_equal(reach(g, "entra:tenant:123f4846-ba00-4fd7-ba43-dac1f8f63013",
                           "entra:application:Office365"), BIT(READ) | BIT(WRITE));
    assert_true(notes.count == 1 && notes.items[0].count == 1);    /* inbound collaboration */
    ap_graph_free(g);
}

/* Observed use and reference lists are refused, each with one clear message. */
static void test_import_msgraph__refused(void **state)
{
    const char *sign_in = MG("servicePrincipalSignInActivities.list.beta.json");
    const char *perms = SCUBA("MockServicePrincipalAppRoleAssignments.json");
    const char *export = AP_REAL "/scubagear/ProviderSettingsExport.json";
    ap_error_list more;
    ap_import_opts as_graph = { .format = AP_FORMAT_MSGRAPH, .more = &more };
    ap_error err;
    memset(&more, 0, sizeof more);
    /* by shape it is observed use (test_usage.c); forced onto the Graph reader, refused */
    assert_int_equal(ap_test_import_opts(*state, &sign_in, 1, &as_graph, &err), AP_EINPUT);
    assert_string_equal(err.msg, "Microsoft Graph servicePrincipalSignInActivities is observed "
                        "use (when apps signed in), not access: import it with --as usage");
    assert_int_equal(err.line, 4);
    assert_int_equal(err.col, 5);
    assert_int_equal(more.count, 0);
    ap_test_expect_error(*state, &perms, 1, &more, perms, 2, 5, "a list of permissions or apps "
                         "that names no holder (reference data, no principalId): nothing to "
                         "import; give the service principals' appRoleAssignments instead");
    ap_test_expect_error(*state, &export, 1, &more, export, 1, 1, "not an input authpath "
                         "reads: this looks like a ScubaGear provider settings export "
                         "(authpath import --help lists what it reads)");
    assert_int_equal(ap_test_count(*state, "SELECT count(*) FROM snapshot"), 0);
}

/* ScubaGear's UTF-16 PowerShell mocks (PascalCase, /Date(ms)/): six third-party service
 * principals, three applications, two federated credentials without an owner in the file. */
static void test_import_msgraph__scubagear_mocks(void **state)
{
    const char *files[] = { SCUBA("MockServicePrincipals.json"), SCUBA("MockApplications.json"),
                            SCUBA("MockFederatedCredentials.json") };
    ap_graph *g = load_as(*state, files, 3, AP_FORMAT_AUTO, AT);
    const char *sp1 = "entra:00000000-0000-0000-0000-000000000010";
    const char *secret = "entra:00000000-0000-0000-0000-000000000010/password/"
                         "00000000-0000-0000-0000-000000000010";
    const ap_node *s;
    /* six app owners and the token issuer of the federated credentials */
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 7);
    assert_name(g, sp1, "Test SP 1");
    s = ap_graph_node(g, node(g, secret));
    assert_int_equal(s->valid_from, 1733343742);    /* \/Date(1733343742000)\/ */
    assert_int_equal(s->expires, 4102444800);       /* 2100-01-01 */
    assert_true(ap_graph_node_bool(g, node(g, secret), "static", false));
    assert_int_equal(reach(g, "entra:tenant:11100000-0000-0000-0000-000000000000", secret),
                     AP_RIGHTS_ALL);
    /* Test App 1 has the same AppId as Test SP 1: the registration administers it */
    assert_int_equal(reach(g, "entra:00000000-0000-0000-0000-000000000001", sp1),
                     AP_RIGHTS_ALL);
    assert_string_equal(ap_graph_node_str(g, node(g, "entra:owner-of:MockFederatedCredentials"
                                                  ".json/federated/00000000-0000-0000-0000-"
                                                  "000000000001"), "subject"),
                        "repo:testorg/123:refs/tags/1.0");
    assert_string_equal(entra_findings(g), "");
    assert_int_equal(findings(g, "credential-long-lived"), 8);
    ap_graph_free(g);
}

/* AzureHound's federated credentials: GitHub organisations and other tenants are partners;
 * two subjects end in '*'. */
static void test_import_msgraph__azurehound_fic(void **state)
{
    ap_graph *g = load(*state, AP_REAL "/bloodhound-ce/federated_identity_credentials.json");
    assert_name(g, "github:SpecterTst", "GitHub SpecterTst");
    assert_name(g, "github:wald0AzureResearch", "GitHub wald0AzureResearch");
    assert_int_not_equal(reach(g, "github:SpecterTst", "entra:appid:75414635-8836-4d31-82c5-"
                               "1f783e520873"), 0);
    assert_string_equal(entra_findings(g), "federated-credential-wildcard=2");
    ap_graph_free(g);
}

/* ROADtools: 504 Microsoft first-party apps, 4181 distinct scopes on 1593 APIs, 18703 app to
 * scope grants; no partner (Microsoft's own apps). */
static void test_import_msgraph__roadtools(void **state)
{
    ap_graph *g = load(*state, AP_REAL "/roadtools/firstpartyscopes.json");
    assert_int_equal(ap_graph_node_count(g), 504 + 4181 + 1593);
    assert_int_equal(ap_graph_edge_count(g), 18703 + 4181);
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 0);
    assert_name(g, "entra:api:00000003-0000-0000-c000-000000000000", "Microsoft Graph");
    assert_name(g, "entra:scope:00000003-0000-0000-c000-000000000000/Application.Read.All",
                "Application.Read.All");
    assert_string_equal(entra_findings(g), "");
    ap_graph_free(g);
}

/* Fixture: three pages in one file (servicePrincipals, appRoleAssignments, grants): a third
 * party's unverified multi-tenant app holds RoleManagement.ReadWrite.Directory (by id) and an
 * AllPrincipals consent of Directory.ReadWrite.All; Microsoft Graph itself is no partner. */
static void test_import_msgraph__pages_and_findings(void **state)
{
    ap_graph *g = load(*state, FIXTURE("msgraph/apps.json"));
    const char *p = "entra:tenant:70000001-0000-0000-0000-000000000001";
    const char *perm = "entra:approle:5e000002-0000-0000-0000-000000000002/"
                       "RoleManagement.ReadWrite.Directory";
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 1);
    assert_name(g, p, "Fixture Vendor Ltd (Entra tenant 70000001-0000-0000-0000-000000000001)");
    assert_name(g, perm, "RoleManagement.ReadWrite.Directory");
    assert_true(ap_graph_node_bool(g, node(g, "entra:5e000002-0000-0000-0000-000000000002"),
                                   "microsoft_first_party", false));
    assert_int_equal(reach(g, p, "entra:role:Global Administrator"), AP_RIGHTS_ALL);
    assert_int_equal(reach(g, p, "entra:directory"), AP_RIGHTS_ALL);
    assert_string_equal(entra_findings(g), "admin-consent-third-party=1 app-global-admin=1 "
                        "unverified-multi-tenant-app=1");
    assert_int_equal(findings(g, "credential-no-expiry"), 1);
    assert_int_equal(findings(g, "credential-long-lived"), 1);
    ap_graph_free(g);
}

/* Fixture: GDAP at 2026-01-01: the auto-extending relationship with Global Administrator is
 * live; the one past its end date is not (its Privileged Role Administrator gives nothing),
 * the expired one neither; the readers-only one is live and quiet. */
static void test_import_msgraph__gdap_fixture(void **state)
{
    ap_graph *g = load(*state, FIXTURE("msgraph/gdap.json"));
    const char *p = "entra:gdap-partner";
    assert_int_equal(reach(g, p, "entra:tenant:c0000001-0000-0000-0000-000000000001:role:"
                           "Global Administrator"), AP_RIGHTS_ALL);
    assert_int_equal(reach(g, p, "entra:tenant:c0000002-0000-0000-0000-000000000002:role:"
                           "Privileged Role Administrator"), 0);
    assert_int_equal(reach(g, p, "entra:tenant:c0000002-0000-0000-0000-000000000002:role:"
                           "Global Administrator"), 0);
    assert_int_equal(reach(g, p, "entra:tenant:c0000003-0000-0000-0000-000000000003:"
                           "directory"), 0);
    assert_int_equal(reach(g, p, "entra:tenant:c0000004-0000-0000-0000-000000000004:"
                           "directory"), BIT(READ));
    assert_string_equal(entra_findings(g), "gdap-global-admin=1 gdap-stale-privileged=2");
    ap_graph_free(g);
}

/* --as msgraph forces the reader on a list it would also detect, and on an object whose shape
 * detection does not know; other readers' files are refused under it. */
static void test_import_msgraph__as_msgraph(void **state)
{
    const char *path = ap_test_write_temp("role.json", "{\"roleDefinitionId\": \"" GA "\", "
                                          "\"principalId\": \"ABC\", \"id\": \"x\"}");
    const char *native = SAMPLE("estate.json");
    ap_import_opts opts = { .format = AP_FORMAT_MSGRAPH };
    ap_error err;
    ap_graph *g = load_as(*state, &path, 1, AP_FORMAT_MSGRAPH, AT);
    assert_int_equal(reach(g, "entra:abc", "entra:directory"), AP_RIGHTS_ALL);
    ap_graph_free(g);
    assert_int_equal(ap_format_parse("msgraph"), AP_FORMAT_MSGRAPH);
    assert_int_equal(ap_test_import_opts(*state, &native, 1, &opts, &err), AP_EINPUT);
    assert_non_null(strstr(err.msg, "not a Microsoft Graph object authpath reads"));
}

/* A list of pages, and PascalCase keys in UTF-8: read as their camelCase twins. */
static void test_import_msgraph__list_of_pages_and_pascal_case(void **state)
{
    const char *path = ap_test_write_temp("pages.json",
        "[{\"@odata.context\": \"https://graph.microsoft.com/v1.0/$metadata#roleManagement/"
        "directory/roleAssignments\", \"value\": [{\"id\": \"a\", \"principalId\": \"P1\", "
        "\"roleDefinitionId\": \"9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3\"}]},\n"
        " {\"value\": [{\"Id\": \"b\", \"PrincipalId\": \"P2\", \"RoleDefinitionId\": "
        "\"F2EF992C-3AFB-46B9-B7CF-A126EE74C451\", \"DirectoryScopeId\": \"/\"}]}]\n");
    ap_graph *g = load(*state, path);
    /* Application Administrator escalates to Global Administrator; Global Reader reads */
    assert_int_equal(reach(g, "entra:p1", "entra:role:Global Administrator"), AP_RIGHTS_ALL);
    assert_int_equal(reach(g, "entra:p2", "entra:directory"), BIT(READ));
    assert_name(g, "entra:role:Global Reader", "Global Reader");
    ap_graph_free(g);
}

/* What `az rest` and Graph PowerShell write without @odata.context or @odata.type is known by
 * its keys, as the reader knows it (docs/sources/msgraph.md): one GDAP relationship object, the
 * same as PascalCase in a list, a bare list of cross-tenant partners, one federated credential.
 * Detection refused them before ("not an input authpath reads"). */
#define T_CUST "52eaad04-13a2-4a2f-9ce8-93a294fadf36"
#define REL(id, customer, tenant, details, roles, status, ext, end) \
    "{\"" id "\": \"r-1\", \"DisplayName\": \"Fabrikam admin\", \"" customer "\": " \
    "{\"" tenant "\": \"" T_CUST "\", \"DisplayName\": \"Contoso\"}, \"" details "\": " \
    "{\"" roles "\": [{\"RoleDefinitionId\": \"" GA "\"}]}, \"" status "\": \"active\", " \
    "\"" ext "\": \"PT0S\", \"" end "\": \"2027-02-10T11:24:42Z\"}"

static void test_import_msgraph__objects_known_by_keys(void **state)
{
    static const char *const rel[] = {
        REL("id", "customer", "tenantId", "accessDetails", "unifiedRoles", "status",
            "autoExtendDuration", "endDateTime"),
        "[" REL("Id", "Customer", "TenantId", "AccessDetails", "UnifiedRoles", "Status",
                "AutoExtendDuration", "EndDateTime") "]",
    };
    ap_graph *g;
    for (size_t i = 0; i < 2; i++) {
        ap_store *st = NULL;
        ap_error err;
        assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
        g = load(st, ap_test_write_temp(i == 0 ? "rel.json" : "rel-ps.json", rel[i]));
        assert_int_not_equal(reach(g, "entra:gdap-partner", "entra:tenant:" T_CUST ":role:"
                                   "Global Administrator"), 0);
        ap_graph_free(g);
        ap_store_close(st);
    }
    g = load(*state, ap_test_write_temp("partners.json", "[{\"tenantId\": \"123F4846-ba00-"
        "4fd7-ba43-dac1f8f63013\", \"inboundTrust\": null, \"b2bCollaborationInbound\": null,"
        " \"b2bDirectConnectInbound\": {\"usersAndGroups\": {\"accessType\": \"allowed\", "
        "\"targets\": [{\"target\": \"AllUsers\", \"targetType\": \"user\"}]}, "
        "\"applications\": {\"accessType\": \"allowed\", \"targets\": [{\"target\": "
        "\"Office365\", \"targetType\": \"application\"}]}}}]"));
    assert_int_equal(reach(g, "entra:tenant:123f4846-ba00-4fd7-ba43-dac1f8f63013",
                           "entra:application:Office365"), BIT(READ) | BIT(WRITE));
    ap_graph_free(g);
    g = load(*state, ap_test_write_temp("fic.json", "{\"id\": \"f-1\", \"name\": \"deploy\", "
        "\"issuer\": \"https://token.actions.githubusercontent.com\", \"subject\": "
        "\"repo:fabrikam/app:environment:prod\", \"audiences\": [\"api://AzureADTokenExchange"
        "\"]}"));
    assert_int_not_equal(ap_graph_find(g, "github:fabrikam"), -1);
    ap_graph_free(g);
}

/* A relationship the partner created without naming the customer (Graph fills it in when the
 * customer approves) is read, pending and without authority, not refused whole. */
static void test_import_msgraph__gdap_without_customer(void **state)
{
    ap_graph *g = load(*state, ap_test_write_temp("created.json", "{\"@odata.context\": "
        "\"https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#"
        "delegatedAdminRelationships\", \"value\": [{\"id\": \"r-new\", \"displayName\": "
        "\"Fabrikam new\", \"duration\": \"P730D\", \"customer\": null, \"accessDetails\": "
        "{\"unifiedRoles\": [{\"roleDefinitionId\": \"" GA "\"}]}, \"status\": \"created\", "
        "\"activatedDateTime\": null, \"endDateTime\": null}]}"));
    uint32_t v = node(g, "entra:gdap:r-new");
    assert_false(ap_graph_node(g, v)->live);
    assert_string_equal(ap_graph_node_str(g, v, "customer_tenant"), "unknown-customer");
    assert_int_equal(reach(g, "entra:gdap-partner", "entra:tenant:unknown-customer:role:"
                           "Global Administrator"), 0);
    assert_int_equal(notes.count, 1);
    ap_graph_free(g);
}

/* A relationship without `status` (`$select=id,displayName,customer,accessDetails,...` leaves
 * it out) or with one this build does not know was read as active: Global Administrator in a
 * customer's tenant, a gdap-global-admin finding and a stale one, on no evidence. It is now
 * suspended, its status "unknown", noted, with no authority and no finding; an access
 * assignment without status likewise. `expiring` (documented, still live) stays active. */
static void test_import_msgraph__gdap_unknown_status(void **state)
{
    static const char *const statuses[] = { NULL, "unknownFutureValue", "expiring" };
    const char *ga = "entra:tenant:" T_CUST ":role:Global Administrator";
    char text[1024], st[64];
    ap_graph *g;
    for (size_t i = 0; i < 3; i++) {
        ap_store *db = NULL;
        ap_error err;
        uint32_t v;
        if (statuses[i] != NULL)
            snprintf(st, sizeof st, "\"status\": \"%s\", ", statuses[i]);
        else
            st[0] = '\0';
        snprintf(text, sizeof text, "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/"
                 "tenantRelationships/$metadata#delegatedAdminRelationships(id,displayName,"
                 "customer,accessDetails,autoExtendDuration,endDateTime)\", \"value\": [{\"id\":"
                 " \"r-sel\", \"displayName\": \"Fabrikam admin\", \"customer\": {\"tenantId\": "
                 "\"" T_CUST "\", \"displayName\": \"Contoso\"}, \"accessDetails\": "
                 "{\"unifiedRoles\": [{\"roleDefinitionId\": \"" GA "\"}]}, %s"
                 "\"autoExtendDuration\": \"P180D\", \"endDateTime\": \"2027-02-10T11:24:42Z\"}]}",
                 st);
        assert_int_equal(ap_store_open(&db, ":memory:", &err), AP_OK);
        g = load(db, ap_test_write_temp("selected.json", text));
        v = node(g, "entra:gdap:r-sel");
        if (i < 2) {
            assert_false(ap_graph_node(g, v)->live);
            assert_int_equal(ap_graph_node(g, v)->state, AP_STATE_SUSPENDED);
            assert_string_equal(ap_graph_node_str(g, v, "gdap_status"),
                                i == 0 ? "unknown" : "unknownFutureValue");
            assert_int_equal(reach(g, "entra:gdap-partner", ga), 0);
            assert_string_equal(entra_findings(g), "");
            assert_int_equal(notes.count, 1);
        } else {
            assert_true(ap_graph_node(g, v)->live);
            assert_int_equal(reach(g, "entra:gdap-partner", ga), AP_RIGHTS_ALL);
            assert_string_equal(entra_findings(g), "gdap-global-admin=1");
        }
        ap_graph_free(g);
        ap_store_close(db);
    }
    g = load(*state, ap_test_write_temp("assign.json", "{\"@odata.context\": "
        "\"https://graph.microsoft.com/v1.0/tenantRelationships/$metadata#accessAssignments\", "
        "\"value\": [{\"id\": \"a-1\", \"accessContainer\": {\"accessContainerId\": \"g-1\", "
        "\"accessContainerType\": \"securityGroup\"}, \"accessDetails\": {\"unifiedRoles\": "
        "[{\"roleDefinitionId\": \"" GA "\"}]}}]}"));
    assert_int_equal(reach(g, "entra:gdap-partner",
                           "entra:tenant:unknown-customer:role:Global Administrator"), 0);
    assert_string_equal(entra_findings(g), "");
    assert_int_equal(notes.count, 2);
    ap_graph_free(g);
}

/* Benign fixture: verified publisher, a read permission, a one-user consent: none of the
 * Entra rules fire. */
static void test_import_msgraph__benign(void **state)
{
    ap_graph *g = load(*state, FIXTURE("msgraph/app_benign.json"));
    assert_string_equal(entra_findings(g), "");
    assert_name(g, "entra:approle:5e000002-0000-0000-0000-000000000002/User.Read.All",
                "User.Read.All");
    ap_graph_free(g);
}

/* Ids are read whole up to their bound (they were built in fixed buffers: an object id was cut
 * at 127 bytes and an issuer at 504, so two service principals, or two issuers, alike in their
 * first bytes were one node); past it the import is refused at the object's place. */
static void test_import_msgraph__long_ids(void **state)
{
    char id_a[129], id_b[129], iss_a[601], iss_b[601], doc[4096], file[512], before[256];
    char want[700];
    const char *path;
    ap_graph *g;
    memset(id_a, 'a', sizeof id_a - 1);
    id_a[sizeof id_a - 1] = '\0';
    memcpy(id_b, id_a, sizeof id_b);
    id_b[127] = 'b';
    memcpy(iss_a, "https://issuer.example/", 23);
    memset(iss_a + 23, 'i', sizeof iss_a - 24);
    iss_a[sizeof iss_a - 1] = '\0';
    memcpy(iss_b, iss_a, sizeof iss_b);
    iss_b[599] = 'b';
    snprintf(doc, sizeof doc, "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/"
             "$metadata#servicePrincipals\", \"value\": [\n"
             "{\"id\": \"%s\", \"displayName\": \"A\"},\n"
             "{\"id\": \"%s\", \"displayName\": \"B\", \"federatedIdentityCredentials\": ["
             "{\"id\": \"f1\", \"issuer\": \"%s\", \"subject\": \"s\"},"
             "{\"id\": \"f2\", \"issuer\": \"%s\", \"subject\": \"s\"}]}]}\n",
             id_a, id_b, iss_a, iss_b);
    path = ap_test_write_temp("long-ids.json", doc);
    g = load(*state, path);
    snprintf(want, sizeof want, "entra:%s", id_a);
    assert_name(g, want, "A");
    snprintf(want, sizeof want, "entra:%s", id_b);
    assert_name(g, want, "B");
    snprintf(want, sizeof want, "issuer:%s", iss_a);
    node(g, want);
    snprintf(want, sizeof want, "issuer:%s", iss_b);
    node(g, want);
    assert_int_equal(count_kind(g, AP_KIND_PARTNER), 2);
    ap_graph_free(g);

    /* one byte more: refused where the object is, nothing written */
    snprintf(doc, sizeof doc, "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/"
             "$metadata#servicePrincipals\", \"value\": [\n"
             "{\"id\": \"%sx\", \"displayName\": \"A\"}]}\n", id_a);
    path = ap_test_write_temp("longer-id.json", doc);
    snprintf(file, sizeof file, "%s", path);
    snprintf(before, sizeof before, "%s", ap_test_store_state(*state));
    ap_test_expect_error(*state, &path, 1, NULL, file, 2, 1, "'id' is longer than 128 bytes, "
                         "more than authpath reads whole (Graph ids are GUIDs of 36)");
    assert_string_equal(ap_test_store_state(*state), before);
}

/* A label cut to fit says so: a credential's display name of 200 bytes in its 128. */
static void test_import_msgraph__long_labels_say_so(void **state)
{
    char shown[201], doc[1024];
    const char *path, *label;
    ap_graph *g;
    memset(shown, 'd', sizeof shown - 1);
    shown[sizeof shown - 1] = '\0';
    snprintf(doc, sizeof doc, "{\"@odata.context\": \"https://graph.microsoft.com/v1.0/"
             "$metadata#servicePrincipals\", \"value\": [{\"id\": \"sp1\", \"displayName\": "
             "\"A\", \"passwordCredentials\": [{\"keyId\": \"k1\", \"displayName\": \"%s\"}]}]}\n",
             shown);
    path = ap_test_write_temp("long-label.json", doc);
    g = load(*state, path);
    label = ap_graph_node_label(g, node(g, "entra:sp1/password/k1"));
    assert_int_equal(strlen(label), 127);
    assert_string_equal(label + 124, "...");
    assert_int_equal(strncmp(label, "client secret ddd", 17), 0);
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_msgraph__gdap_relationships,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__gdap_assignments,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__grants,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__role_assignments,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__service_principal,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__app_role_assigned_to,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__fic_and_cross_tenant,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__refused,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__scubagear_mocks,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__azurehound_fic,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__roadtools,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__pages_and_findings,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__gdap_fixture,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__as_msgraph,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__list_of_pages_and_pascal_case,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__objects_known_by_keys,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__gdap_unknown_status,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__gdap_without_customer,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__long_ids,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__long_labels_say_so,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_msgraph__benign,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
