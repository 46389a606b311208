/* tests/unit/test_import_k8s.c: the Kubernetes RBAC reader on KubeHound's attack manifests and
 * collector Lists (hand-checked edges: which escalations work and which KubeHound marks "fail"),
 * on a fixture with each Kubernetes finding planted once, and on its errors. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authpath/findings.h"
#include "authpath/query.h"
#include "support.h"

#define AT 1767225600       /* 2026-01-01 */
#define BIT(r) ((ap_rights)1 << AP_R_##r)
#define KH(name) REAL("kubehound/" name)

static ap_import_notes notes;

static ap_graph *load(ap_store *st, const char *const *paths, size_t n, const char *map)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .notes = &notes, .partner_map = map };
    ap_error err;
    memset(&notes, 0, sizeof notes);
    if (ap_test_import_opts(st, paths, n, &opts, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    return ap_test_graph(st, AT);
}

static size_t noted(const char *what)
{
    size_t n = 0;
    for (size_t i = 0; i < notes.count; i++)
        if (strncmp(notes.items[i].what, what, strlen(what)) == 0)
            n += notes.items[i].count;
    return n;
}

static int64_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return v;
}

/* The edge from -kind-> to, or UINT32_MAX. */
static uint32_t find_edge(const ap_graph *g, const char *from, const char *kind, const char *to)
{
    uint32_t f = (uint32_t)node(g, from), t = (uint32_t)node(g, to);
    for (uint32_t e = ap_graph_out_begin(g, f); e < ap_graph_out_end(g, f); e++)
        if (ap_graph_edge(g, e)->to == t
            && strcmp(ap_edge_kind_name(ap_graph_edge(g, e)->kind), kind) == 0)
            return e;
    return UINT32_MAX;
}

static uint32_t edge(const ap_graph *g, const char *from, const char *kind, const char *to)
{
    uint32_t e = find_edge(g, from, kind, to);
    if (e == UINT32_MAX)
        fail_msg("no edge %s -%s-> %s", from, kind, to);
    return e;
}

/* Out-edges of a kind from a node. */
static size_t out_count(const ap_graph *g, const char *from, const char *kind)
{
    uint32_t f = (uint32_t)node(g, from);
    size_t n = 0;
    for (uint32_t e = ap_graph_out_begin(g, f); e < ap_graph_out_end(g, f); e++)
        n += strcmp(ap_edge_kind_name(ap_graph_edge(g, e)->kind), kind) == 0;
    return n;
}

static size_t kind_count(const ap_graph *g, ap_kind kind, const char *type)
{
    size_t n = 0;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        n += ap_graph_node(g, v)->kind == kind
             && (type == NULL || strcmp(ap_graph_node_str(g, v, "type"), type) == 0);
    return n;
}

/* Every finding of the k8s-* rules as "partner rule subject", sorted, joined by newlines. */
static char *k8s_findings(const ap_graph *g)
{
    ap_findings *f = NULL;
    ap_error err;
    char *out = calloc(1, 8192);
    assert_int_equal(ap_findings_compute(&f, g, NULL, &err), AP_OK);
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_get(f, i);
        if (strncmp(x->rule->id, "k8s-", 4) != 0)
            continue;
        snprintf(out + strlen(out), 8192 - strlen(out), "%s %s %s",
                 ap_graph_node(g, x->partner)->id, x->rule->id, ap_finding_subject_id(g, x));
        for (size_t k = 1; k < x->npartners && k < AP_FINDINGS_PARTNERS_SHOWN; k++)
            snprintf(out + strlen(out), 8192 - strlen(out), " + %s",   /* the others */
                     ap_graph_node(g, x->partners[k])->id);
        snprintf(out + strlen(out), 8192 - strlen(out), "\n");
    }
    ap_findings_free(f);
    return out;
}

static const char *const attacks[] = {
    KH("attacks/IDENTITY_ASSUME.yaml"), KH("attacks/IDENTITY_IMPERSONATE.yaml"),
    KH("attacks/POD_CREATE.yaml"), KH("attacks/POD_EXEC.yaml"), KH("attacks/POD_PATCH.yaml"),
    KH("attacks/ROLE_BIND_ALL.yaml"), KH("attacks/ROLE_BIND_CRB_CR.yaml"),
    KH("attacks/ROLE_BIND_RB_CR-SA.yaml"), KH("attacks/ROLE_BIND_RB_R-SA.yaml"),
    KH("attacks/ROLE_BIND_RB_R-UG.yaml"), KH("attacks/TOKEN_BRUTEFORCE.yaml"),
    KH("attacks/TOKEN_LIST.yaml"),
};
#define NATTACKS (sizeof attacks / sizeof attacks[0])

/* KubeHound's attack manifests, imported together with no option: every object named, the
 * escalations KubeHound expects present and the ones it names "-fail" absent. */
static void test_import_k8s__kubehound_attacks(void **state)
{
    ap_graph *g = load(*state, attacks, NATTACKS, NULL);
    /* 16 ServiceAccounts; 11 Roles (admin twice: default and vault); 8 ClusterRoles */
    assert_int_equal(kind_count(g, AP_KIND_IDENTITY, "k8s_service_account"), 16);
    assert_int_equal(kind_count(g, AP_KIND_ROLE, "k8s_role"), 11);
    assert_int_equal(kind_count(g, AP_KIND_ROLE, "k8s_cluster_role"), 8);
    assert_int_equal(kind_count(g, AP_KIND_PARTNER, NULL), 0);
    assert_int_equal(noted("Kubernetes object of kind 'Pod' skipped"), 17);
    assert_string_equal(ap_graph_node_label(g, (uint32_t)node(g, "sa:default/pod-exec-sa")),
                        "pod-exec-sa");
    /* a binding: the subject is a member of the role, the binding and its scope kept */
    uint32_t e = edge(g, "sa:default/pod-create-sa", "member_of", "role:default/create-pods");
    assert_string_equal(ap_graph_edge_str(g, e, "binding"), "pod-create-pods");
    assert_string_equal(ap_graph_edge_str(g, e, "k8s_scope"), "namespace");
    assert_string_equal(ap_graph_edge_str(g, e, "namespace"), "default");
    /* a subject without a namespace is in its RoleBinding's */
    edge(g, "sa:default/impersonate-sa", "member_of", "role:default/impersonate");
    /* users and groups outside the cluster, without a partner map: identities */
    edge(g, "user:user-rb-r-rb-r", "member_of", "role:default/rolebind-rb-r-rb-r");
    edge(g, "group:system:nodes", "member_of", "clusterrole:node-api-access");
    /* rules: verbs to rights, per (scope, group, resource) */
    e = edge(g, "role:default/create-pods", "access", "k8s:default/*/pods");
    assert_int_equal(ap_graph_edge(g, e)->rights, BIT(READ) | BIT(WRITE));
    e = edge(g, "role:default/exec-pods", "access", "k8s:default/core/pods/exec");
    assert_int_equal(ap_graph_edge(g, e)->rights, BIT(WRITE));
    e = edge(g, "clusterrole:node-api-access", "access", "k8s:*/*/pods");
    assert_int_equal(ap_graph_edge(g, e)->rights, BIT(READ));
    /* POD_CREATE and POD_EXEC: the pod's namespace's service accounts; POD_PATCH: none */
    edge(g, "role:default/create-pods", "can_assume", "sa:default/tokenget-sa");
    edge(g, "role:default/exec-pods", "can_assume", "sa:default/tokenget-sa");
    assert_int_equal(out_count(g, "role:default/create-pods", "can_assume"), 16);
    assert_int_equal(out_count(g, "role:default/patch-pods", "can_assume"), 0);
    /* ROLE_BIND: create bindings + bind roles is admin_of the roles it can bind, through one
     * node for every role of the set (every Role of a namespace, every ClusterRole, every
     * ClusterRole bound in a namespace) */
    edge(g, "clusterrole:rolebind-crb-cr-crb-cr", "admin_of", "clusterroles:*");
    edge(g, "clusterroles:*", "admin_of", "clusterrole:node-api-access");
    edge(g, "clusterrole:rolebind-crb-cr-rb-r", "admin_of", "roles:vault/*");
    edge(g, "roles:vault/*", "admin_of", "role:vault/admin");
    edge(g, "role:default/rolebind-rb-r-rb-r", "admin_of", "roles:default/*");
    edge(g, "roles:default/*", "admin_of", "role:default/admin");
    assert_int_equal(find_edge(g, "role:default/rolebind-rb-r-rb-r", "admin_of",
                               "roles:vault/*"), UINT32_MAX);
    edge(g, "role:default/rolebind-rb-r-rb-crb", "admin_of", "clusterroles:*@default");
    edge(g, "clusterroles:*@default", "admin_of", "clusterrole:node-api-access@default");
    edge(g, "clusterrole:rolebind-rb-cr-rb-cr@default", "admin_of", "clusterroles:*@default");
    /* the node reads as what it stands for; the binder's edge cites its bind rule, the node's
     * edge to a member cites the member's definition */
    assert_string_equal(ap_graph_node_label(g, (uint32_t)node(g, "clusterroles:*@default")),
                        "every ClusterRole (in namespace default)");
    assert_int_equal(out_count(g, "clusterroles:*@default", "admin_of"), 8);
    assert_int_equal(out_count(g, "roles:default/*", "admin_of"), 10);
    /* the "-fail" cases of KubeHound's test cluster escalate nowhere */
    assert_int_equal(out_count(g, "clusterrole:rolebind-crb-cr-crb-r-fail", "admin_of"), 0);
    assert_int_equal(out_count(g, "role:default/rolebind-rb-r-crb-cr-fail", "admin_of"), 0);
    assert_int_equal(out_count(g, "clusterrole:rolebind-rb-cr-crb-cr-fail@default", "admin_of"),
                     0);
    /* the whole chain: a RoleBinding to the bind role reaches the vault namespace's admin
     * role (bind admin in default, run a pod as the cluster-wide binder, bind vault's admin;
     * each bind through its set's node) */
    uint32_t hops;
    assert_int_not_equal(ap_test_reach(g, "user:user-rb-r-rb-r", "k8s:vault/*/*", &hops), 0);
    assert_int_equal(hops, 8);
    ap_graph_free(g);
}

/* The findings fire where planted: with KubeHound's outside users and groups given to
 * partners, exactly these k8s-* findings (no cluster-admin binding in that cluster), one per
 * Kubernetes rule, each about both vendors. */
static void test_import_k8s__kubehound_findings(void **state)
{
    ap_graph *g = load(*state, attacks, NATTACKS, FIXTURE("k8s/kubehound-partners.yaml"));
    char *got = k8s_findings(g);
    assert_int_equal(kind_count(g, AP_KIND_PARTNER, NULL), 3);
    assert_string_equal(got,
        "node-vendor k8s-partner-cluster-wide node-vendor|member_of|clusterrole:node-api-access\n"
        "vendor-a k8s-impersonation role:default/impersonate|access|k8s:default/*/groups"
        " + vendor-b\n"
        "vendor-a k8s-impersonation role:default/impersonate|access|k8s:default/*/users"
        " + vendor-b\n"
        "vendor-a k8s-secrets-wildcard role:default/admin|access|k8s:default/*/* + vendor-b\n"
        "vendor-a k8s-secrets-wildcard role:vault/admin|access|k8s:vault/*/* + vendor-b\n");
    /* a partner's subjects are kept on the partner and on its bindings */
    uint32_t e = edge(g, "vendor-b", "member_of", "role:default/rolebind-rb-r-rb-r");
    assert_string_equal(ap_graph_edge_str(g, e, "subject"), "Group group-rb-r-rb-r");
    free(got);
    ap_graph_free(g);
}

/* KubeHound's collector fixtures: kubectl Lists in JSON, the same Role in two files, and a
 * ClusterRoleBinding to a Role (which Kubernetes refuses). */
static void test_import_k8s__collector_lists(void **state)
{
    const char *const files[] = {
        KH("collector-testdata/clusterrolebindings.rbac.authorization.k8s.io.json"),
        KH("collector-testdata/clusterroles.rbac.authorization.k8s.io.json"),
        KH("collector-testdata/namespace-1/rolebindings.rbac.authorization.k8s.io.json"),
        KH("collector-testdata/namespace-1/roles.rbac.authorization.k8s.io.json"),
    };
    ap_graph *g = load(*state, files, 4, NULL);
    edge(g, "sa:test-app/app-monitors", "member_of", "role:test-app/test-reader");
    assert_false(ap_graph_node_bool(g, (uint32_t)node(g, "sa:test-app/app-monitors"),
                                    "declared", true));
    edge(g, "role:test-app/test-reader", "access", "k8s:test-app/apps/statefulsets");
    edge(g, "role:test-app/test-reader", "access", "k8s:test-app/core/configmaps");
    node(g, "clusterrole:test-reader");
    assert_int_equal(noted("ClusterRoleBinding to a Role"), 1);
    assert_int_equal(out_count(g, "sa:test-app/app-monitors", "member_of"), 1);
    ap_graph_free(g);
}

/* Each finding planted once, and nothing for the in-house admin or the monitoring account;
 * tokens are credentials of their account, and reading secrets holds them. */
static void test_import_k8s__planted(void **state)
{
    const char *path = FIXTURE("k8s/planted.yaml");
    ap_graph *g = load(*state, &path, 1, FIXTURE("k8s/planted-partners.json"));
    char *got = k8s_findings(g);
    assert_string_equal(got,
        "globex k8s-cluster-admin clusterrole:cluster-admin\n"
        "globex k8s-partner-cluster-wide globex|member_of|clusterrole:cluster-admin\n"
        "acme k8s-impersonation clusterrole:deployer-impersonator@ci|access|"
        "k8s:ci/core/serviceaccounts/deployer\n"
        "acme k8s-secrets-wildcard role:payments/secret-admin|access|"
        "k8s:payments/core/secrets\n");
    edge(g, "secret:ci/deployer-token", "authenticates_as", "sa:ci/deployer");
    edge(g, "clusterrole:deployer-impersonator@ci", "can_assume", "sa:ci/deployer");
    uint32_t e = edge(g, "k8s:ci/core/secrets", "holds", "secret:ci/deployer-token");
    assert_true(ap_graph_edge(g, e)->escalates);
    assert_int_equal(ap_graph_edge(g, e)->requires, BIT(READ));
    /* acme: alice and the bot are one partner; it becomes the deployer by impersonation */
    uint32_t hops;
    assert_int_not_equal(ap_test_reach(g, "acme", "sa:ci/deployer", &hops), 0);
    assert_int_equal(hops, 2);
    assert_int_equal(ap_test_reach(g, "acme", "k8s:payments/core/configmaps", &hops),
                     BIT(READ));
    assert_int_equal(noted("binding to the built-in cluster-admin"), 1);
    assert_int_equal(ap_graph_find(g, "user:bob@example.com") >= 0, 1);
    free(got);
    ap_graph_free(g);
}

/* A List of Lists in JSON (as KubiScan saves it) is detected and read; --as k8s forces it. */
static void test_import_k8s__list_of_lists(void **state)
{
    const char *path = ap_test_write_temp("lists.json",
        "[{\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
        " {\"apiVersion\": \"v1\", \"kind\": \"ServiceAccount\",\n"
        "  \"metadata\": {\"name\": \"ci\", \"namespace\": \"build\"}}]},\n"
        " {\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [\n"
        " {\"apiVersion\": \"rbac.authorization.k8s.io/v1\", \"kind\": \"ClusterRoleBinding\",\n"
        "  \"metadata\": {\"name\": \"ci-admin\"},\n"
        "  \"roleRef\": {\"kind\": \"ClusterRole\", \"name\": \"cluster-admin\"},\n"
        "  \"subjects\": [{\"kind\": \"User\", \"name\": \"system:serviceaccount:build:ci\"}]}]}]\n");
    ap_graph *g = load(*state, &path, 1, NULL);
    edge(g, "sa:build/ci", "member_of", "clusterrole:cluster-admin");
    assert_true(ap_graph_node_bool(g, (uint32_t)node(g, "clusterrole:cluster-admin"),
                                   "cluster_admin", false));
    ap_graph_free(g);
}

/* `kubectl get serviceaccounts,roles,rolebindings -o yaml` writes one List whose items' kinds
 * are indented under "- apiVersion:"; it is detected and read as the JSON List is (it was
 * refused as "a Kubernetes List"). */
static void test_import_k8s__yaml_list(void **state)
{
    const char *path = ap_test_write_temp("kubectl.yaml",
        "apiVersion: v1\n"
        "items:\n"
        "- apiVersion: v1\n"
        "  kind: ServiceAccount\n"
        "  metadata:\n"
        "    name: builder\n"
        "    namespace: ci\n"
        "- apiVersion: rbac.authorization.k8s.io/v1\n"
        "  kind: Role\n"
        "  metadata:\n"
        "    name: pod-reader\n"
        "    namespace: ci\n"
        "  rules:\n"
        "  - apiGroups:\n"
        "    - \"\"\n"
        "    resources:\n"
        "    - pods\n"
        "    verbs:\n"
        "    - get\n"
        "    - list\n"
        "- apiVersion: rbac.authorization.k8s.io/v1\n"
        "  kind: RoleBinding\n"
        "  metadata:\n"
        "    name: read-pods\n"
        "    namespace: ci\n"
        "  roleRef:\n"
        "    apiGroup: rbac.authorization.k8s.io\n"
        "    kind: Role\n"
        "    name: pod-reader\n"
        "  subjects:\n"
        "  - kind: ServiceAccount\n"
        "    name: builder\n"
        "    namespace: ci\n"
        "  - apiGroup: rbac.authorization.k8s.io\n"
        "    kind: User\n"
        "    name: alice@acme.example\n"
        "kind: List\n"
        "metadata:\n"
        "  resourceVersion: \"\"\n");
    ap_graph *g = load(*state, &path, 1, NULL);
    edge(g, "sa:ci/builder", "member_of", "role:ci/pod-reader");
    edge(g, "user:alice@acme.example", "member_of", "role:ci/pod-reader");
    edge(g, "role:ci/pod-reader", "access", "k8s:ci/core/pods");
    ap_graph_free(g);
}

/* A RoleBinding in namespace ci binding the User `user` to the Role `role`, as a List item. */
static size_t put_binding(char *doc, size_t size, const char *name, const char *role,
                          const char *user)
{
    return (size_t)snprintf(doc, size,
        "{\"apiVersion\": \"rbac.authorization.k8s.io/v1\", \"kind\": \"RoleBinding\","
        " \"metadata\": {\"name\": \"%s\", \"namespace\": \"ci\"},"
        " \"roleRef\": {\"apiGroup\": \"rbac.authorization.k8s.io\", \"kind\": \"Role\","
        " \"name\": \"%s\"}, \"subjects\": [{\"apiGroup\": \"rbac.authorization.k8s.io\","
        " \"kind\": \"User\", \"name\": \"%s\"}]}", name, role, user);
}

/* Names up to the limits are read whole (ids were built in buffers of 800 bytes: a longer user
 * name was cut, and two users alike in their first 795 bytes were one node); past them the
 * import is refused at the name's place instead of cutting it. */
static void test_import_k8s__long_names(void **state)
{
    char user[513], role_a[254], role_b[254], doc[8192], id[600], rid[300];
    size_t n;
    memset(user, 'u', sizeof user - 1);
    user[sizeof user - 1] = '\0';
    memset(role_a, 'r', sizeof role_a - 1);
    role_a[sizeof role_a - 1] = '\0';
    memcpy(role_b, role_a, sizeof role_b);
    role_a[252] = 'a';
    role_b[252] = 'b';
    n = (size_t)snprintf(doc, sizeof doc, "{\"apiVersion\": \"v1\", \"kind\": \"List\", "
                         "\"items\": [");
    n += put_binding(doc + n, sizeof doc - n, "read", role_a, user);
    n += (size_t)snprintf(doc + n, sizeof doc - n, ", ");
    n += put_binding(doc + n, sizeof doc - n, "read", role_b, user);
    snprintf(doc + n, sizeof doc - n, "]}\n");
    const char *path = ap_test_write_temp("long-names.json", doc);
    ap_graph *g = load(*state, &path, 1, NULL);
    snprintf(id, sizeof id, "user:%s", user);
    snprintf(rid, sizeof rid, "role:ci/%s", role_a);
    edge(g, id, "member_of", rid);
    snprintf(rid, sizeof rid, "role:ci/%s", role_b);
    edge(g, id, "member_of", rid);
    ap_graph_free(g);

    /* one byte more: refused where the subject is */
    char longer[514], file[512];
    memset(longer, 'u', sizeof longer - 1);
    longer[sizeof longer - 1] = '\0';
    n = (size_t)snprintf(doc, sizeof doc, "{\"apiVersion\": \"v1\", \"kind\": \"List\", "
                         "\"items\": [\n");
    n += put_binding(doc + n, sizeof doc - n, "read", "reader", longer);
    snprintf(doc + n, sizeof doc - n, "]}\n");
    path = ap_test_write_temp("longer-name.json", doc);
    snprintf(file, sizeof file, "%s", path);
    char before[256];
    snprintf(before, sizeof before, "%s", ap_test_store_state(*state));
    ap_test_expect_error(*state, &path, 1, NULL, file, 2, 221,
                         "a subject's name is 513 bytes long: authpath reads at most 512");
    assert_string_equal(ap_test_store_state(*state), before);
}

/* Errors name the file, line and column of the offending value; nothing is written. */
static void test_import_k8s__errors(void **state)
{
    const char *path = ap_test_write_temp("bad.yaml",
        "apiVersion: v1\n"
        "kind: ServiceAccount\n"
        "metadata:\n"
        "  name: ok\n"
        "  namespace: ci\n"
        "---\n"
        "apiVersion: rbac.authorization.k8s.io/v1\n"
        "kind: RoleBinding\n"
        "metadata: {name: broken, namespace: ci}\n"
        "roleRef:\n"
        "  kind: Group\n"
        "  name: x\n"
        "subjects:\n"
        "  - kind: Robot\n"
        "    name: r2\n");
    char file[512];
    snprintf(file, sizeof file, "%s", path);
    ap_test_expect_error(*state, &path, 1, NULL, file, 11, 3,
                         "a RoleBinding needs a 'roleRef' with 'kind' (Role or ClusterRole) and "
                         "'name'");
    assert_string_equal(ap_test_store_state(*state), "snapshot=0 node=0 edge=0 source=0 vocab=0");

    path = ap_test_write_temp("rules.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\n"
        "kind: Role\n"
        "metadata: {name: r, namespace: n}\n"
        "rules:\n"
        "  - apiGroups: [\"\"]\n"
        "    resources: pods\n"
        "    verbs: [get]\n");
    snprintf(file, sizeof file, "%s", path);
    ap_test_expect_error(*state, &path, 1, NULL, file, 6, 16,
                         "a rule's 'resources' must be a list of strings");

    /* a cluster-wide binding's ServiceAccount without a namespace: Kubernetes refuses it (it
     * was read as sa:default/NAME, granting an account the binding never named) */
    path = ap_test_write_temp("crb.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\n"
        "kind: ClusterRoleBinding\n"
        "metadata: {name: ci-view}\n"
        "roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view}\n"
        "subjects:\n"
        "  - kind: ServiceAccount\n"
        "    name: builder\n");
    snprintf(file, sizeof file, "%s", path);
    ap_test_expect_error(*state, &path, 1, NULL, file, 6, 5,
                         "a ServiceAccount subject of a ClusterRoleBinding needs a 'namespace' "
                         "(Kubernetes refuses the binding without one)");

    /* a partner map entry that names no partner */
    const char *map = ap_test_write_temp("map.yaml", "alice: acme\nbob: 3\n");
    char mapfile[512];
    ap_import_opts opts = { .format = AP_FORMAT_K8S, .partner_map = mapfile };
    ap_error err;
    snprintf(mapfile, sizeof mapfile, "%s", map);
    path = KH("attacks/IDENTITY_ASSUME.yaml");
    assert_int_equal(ap_test_import_opts(*state, &path, 1, &opts, &err), AP_EINPUT);
    assert_string_equal(err.file, mapfile);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 6);
    assert_string_equal(err.msg, "partner map entry 'bob' must name a partner id (a non-empty "
                                 "string)");
    /* --max-nodes holds for what the Kubernetes objects expand to */
    opts = (ap_import_opts){ .format = AP_FORMAT_AUTO, .max_nodes = 40 };
    assert_int_equal(ap_test_import_opts(*state, attacks, NATTACKS, &opts, &err), AP_EINPUT);
    assert_string_equal(err.msg, "the Kubernetes input expands to more than 40 nodes or edges "
                                 "(raise --max-nodes or --max-edges if that is expected)");
    assert_string_equal(ap_test_store_state(*state), "snapshot=0 node=0 edge=0 source=0 vocab=0");
    /* ... checked even when no file of the import is Kubernetes */
    opts = (ap_import_opts){ .format = AP_FORMAT_AUTO, .partner_map = mapfile };
    path = FIXTURE("aws/limits.json");
    assert_int_equal(ap_test_import_opts(*state, &path, 1, &opts, &err), AP_EINPUT);
    assert_string_equal(err.file, mapfile);
    assert_int_equal(err.line, 2);
    assert_string_equal(ap_test_store_state(*state), "snapshot=0 node=0 edge=0 source=0 vocab=0");
}

/* A namespaced object without metadata.namespace (a manifest for `kubectl apply`) is refused
 * at its metadata: kubectl would apply it to its context's namespace, which the file does not
 * say; it was read as `default`, claiming grants in a namespace it may not be in. */
static void test_import_k8s__no_namespace_is_refused(void **state)
{
    static const char *const kinds[] = { "Role", "RoleBinding", "ServiceAccount", "Secret" };
    char text[1024], file[512], msg[256];
    const char *path;
    for (size_t i = 0; i < 4; i++) {
        snprintf(text, sizeof text,
                 "apiVersion: rbac.authorization.k8s.io/v1\n"
                 "kind: ClusterRole\n"
                 "metadata: {name: reader}\n"
                 "---\n"
                 "apiVersion: v1\n"
                 "kind: %s\n"
                 "metadata:\n"
                 "  name: thing\n"
                 "%s", kinds[i], i == 1 ? "roleRef: {kind: Role, name: pods}\nsubjects:\n"
                 "  - {kind: ServiceAccount, name: builder}\n"
                 : i == 3 ? "type: kubernetes.io/service-account-token\n" : "");
        path = ap_test_write_temp("no_namespace.yaml", text);
        snprintf(file, sizeof file, "%s", path);
        snprintf(msg, sizeof msg, "a %s without metadata.namespace: kubectl would apply it to "
                 "the current context's namespace, which the file does not say (set "
                 "metadata.namespace)", kinds[i]);
        ap_test_expect_error(*state, &path, 1, NULL, file, 8, 3, msg);
        assert_string_equal(ap_test_store_state(*state),
                            "snapshot=0 node=0 edge=0 source=0 vocab=0");
        unlink(file);
    }
    /* a Secret that holds no token is not read: where it is does not matter */
    path = ap_test_write_temp("opaque.yaml",
        "apiVersion: rbac.authorization.k8s.io/v1\n"
        "kind: ClusterRole\n"
        "metadata: {name: reader}\n"
        "---\n"
        "apiVersion: v1\n"
        "kind: Secret\n"
        "metadata: {name: settings}\n"
        "type: Opaque\n");
    ap_error err;
    assert_int_equal(ap_test_import(*state, path, &err), AP_OK);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_k8s__kubehound_attacks,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_k8s__kubehound_findings,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_k8s__collector_lists,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_k8s__planted, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_k8s__list_of_lists, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_k8s__yaml_list, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_k8s__no_namespace_is_refused,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_k8s__long_names, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_k8s__errors, ap_test_store_setup,
                                        ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
