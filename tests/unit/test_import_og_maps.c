/* tests/unit/test_import_og_maps.c: the kind maps shipped in docs/maps/ on real GitHound data
 * (hand-checked partners and names), their rules, and the "no partner" fact for foreign
 * OpenGraph imported without one. */
#include <stdio.h>
#include <string.h>

#include "support.h"

#define AT 1767225600
#define MAP(name) AP_SAMPLES "/../docs/maps/" name

static ap_import_notes notes;

static ap_graph *load(ap_store *st, const char *path, const char *map)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .notes = &notes, .og_map = map };
    ap_error err;
    memset(&notes, 0, sizeof notes);
    if (ap_test_import_opts(st, &path, 1, &opts, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    return ap_test_graph(st, AT);
}

static const ap_node *node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return ap_graph_node(g, (uint32_t)v);
}

/* The partners' ids, sorted, joined by spaces. */
static const char *partners(const ap_graph *g)
{
    static char buf[1024];
    const char *ids[64];
    size_t n = 0, len = 0;
    for (uint32_t v = 0; v < ap_graph_node_count(g); v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER && n < 64)
            ids[n++] = ap_graph_node(g, v)->id;
    for (size_t i = 1; i < n; i++)          /* few: insertion sort */
        for (size_t j = i; j > 0 && strcmp(ids[j - 1], ids[j]) > 0; j--) {
            const char *t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    buf[0] = '\0';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, sizeof buf - len, "%s%s", i ? " " : "", ids[i]);
    return buf;
}

/* GitHound as collected names no partner: the import says so, and which collector it was. */
static void test_import_og_maps__githound_without_map_has_no_partner(void **state)
{
    ap_graph *g = load(*state, REAL("githound/githound_O_kgDOCoV2OQ.json"), NULL);
    assert_string_equal(partners(g), "");
    assert_int_equal(notes.og_no_partner, 1);
    assert_string_equal(notes.og_source_kind, "GitHub");
    ap_graph_free(g);
}

/* DataHound (source kind Arrows) likewise. */
static void test_import_og_maps__datahound_has_no_partner(void **state)
{
    ap_graph *g = load(*state, REAL("datahound-opengraph/sample-arrows-output.json"), NULL);
    assert_int_equal(notes.og_no_partner, 1);
    assert_string_equal(notes.og_source_kind, "Arrows");
    ap_graph_free(g);
}

/* docs/maps/githound.yaml on the SpecterTst collection, checked by hand in the file: of 3
 * GH_App, CircleCI App is owned by the organisation 'circleci' and GitHound-Collector by the
 * user n0pe-sled, GitHound - SpecterOps by SpecterTst itself (owner_node_id O_kgDOCoV2OQ, the
 * collected organisation); of 5 installations, circleci-app and githound-collector are theirs
 * (client_id equal to the app's), the two spectertst-* apps are not in the file. All 13 users
 * hold an organisation role: no outside collaborator. */
static void test_import_og_maps__githound_map_partners_and_names(void **state)
{
    ap_graph *g = load(*state, REAL("githound/githound_O_kgDOCoV2OQ.json"), MAP("githound.yaml"));
    const ap_node *repo;
    uint32_t v;
    assert_string_equal(partners(g), "app:circleci-app app:githound-collector "
                                     "installation:circleci-app installation:githound-collector");
    assert_int_equal(notes.og_no_partner, 0);
    assert_int_equal(ap_graph_node_count(g), 338);
    assert_int_equal(ap_graph_edge_count(g), 2761);                 /* all resolve as before */
    assert_string_equal(ap_graph_node_label(g, (uint32_t)ap_graph_find(g, "app:circleci-app")),
                        "CircleCI App");
    assert_int_equal(node(g, "app:githound-specterops")->kind, AP_KIND_IDENTITY);
    assert_int_equal(node(g, "installation:spectertst-policy-bot")->kind, AP_KIND_IDENTITY);
    assert_int_equal(node(g, "user:n0pe-sled")->kind, AP_KIND_IDENTITY);
    /* the repository is known by its name; its GitHub node id is kept */
    repo = node(g, "repo:SpecterTst/secure-environment");
    assert_int_equal(repo->kind, AP_KIND_RESOURCE);
    v = (uint32_t)ap_graph_find(g, "repo:SpecterTst/secure-environment");
    assert_string_equal(ap_graph_node_label(g, v), "secure-environment");
    assert_string_equal(ap_graph_node_str(g, v, "og_id"), "R_kgDORlfEHg");
    assert_true(ap_graph_find(g, "R_kgDORlfEHg") < 0);
    assert_true(ap_graph_find(g, "team:SpecterTst/Admins") >= 0);
    assert_true(ap_graph_find(g, "reporole:SpecterTst/secure-environment/admin") >= 0);
    ap_graph_free(g);
}

/* A user with repository roles and no organisation role is an outside collaborator. */
static void test_import_og_maps__outside_collaborator_is_a_partner(void **state)
{
    ap_graph *g = load(*state, FIXTURE("opengraph/githound_outside.json"), MAP("githound.yaml"));
    assert_string_equal(partners(g), "user:bob-fabrikam");
    assert_int_equal(node(g, "user:alice")->kind, AP_KIND_IDENTITY);
    assert_true(ap_graph_find(g, "repo:acme/api") >= 0);
    ap_graph_free(g);
}

/* docs/maps/okta.yaml on OktaHound-shaped nodes built from the openhound-okta API fixtures: the
 * catalog API service integration and the PARTNER realm ("Car Co") are partners. */
static void test_import_og_maps__okta_map(void **state)
{
    ap_graph *g = load(*state, FIXTURE("opengraph/oktahound_sample.json"), NULL);
    assert_int_equal(notes.og_no_partner, 1);
    assert_string_equal(notes.og_source_kind, "Okta");
    ap_graph_free(g);
    ap_test_store_teardown(state);
    ap_test_store_setup(state);
    g = load(*state, FIXTURE("opengraph/oktahound_sample.json"), MAP("okta.yaml"));
    assert_string_equal(partners(g), "integration:My App Cloud Identity Engine realm:Car Co");
    assert_int_equal(node(g, "realm:Employees")->kind, AP_KIND_RESOURCE);
    assert_int_equal(node(g, "00Tabcdefg1234567890")->kind, AP_KIND_CREDENTIAL);
    assert_int_equal(node(g, "user:isaac.brock@example.com")->kind, AP_KIND_IDENTITY);
    ap_graph_free(g);
}

/* Two nodes whose template gives the same id keep their own ids (and the import says so). */
static void test_import_og_maps__clashing_ids_keep_their_own(void **state)
{
    const char *map = "nodes:\n  X_Thing: {kind: resource, id: \"thing:{name}\"}\n";
    char mpath[512];
    ap_graph *g;
    snprintf(mpath, sizeof mpath, "%s", ap_test_write_temp("clash.yaml", map));
    g = load(*state, ap_test_write_temp("clash.json", "{\"graph\": {\"nodes\": ["
        "{\"id\": \"a\", \"kinds\": [\"X_Thing\"], \"properties\": {\"name\": \"same\"}},"
        "{\"id\": \"b\", \"kinds\": [\"X_Thing\"], \"properties\": {\"name\": \"same\"}},"
        "{\"id\": \"c\", \"kinds\": [\"X_Thing\"], \"properties\": {\"name\": \"other\"}},"
        "{\"id\": \"d\", \"kinds\": [\"X_Thing\"]}], \"edges\": []}}"), mpath);
    assert_true(ap_graph_find(g, "a") >= 0 && ap_graph_find(g, "b") >= 0);
    assert_true(ap_graph_find(g, "thing:other") >= 0 && ap_graph_find(g, "d") >= 0);
    assert_int_equal(notes.count, 1);
    assert_int_equal(notes.items[0].count, 2);
    assert_non_null(strstr(notes.items[0].what, "is not its alone"));
    ap_graph_free(g);
}

/* A template's property is put in whole (it was cut at 511 bytes: two names alike in their
 * first 511 gave one id, and both nodes lost their templated ids). */
static void test_import_og_maps__long_values_whole(void **state)
{
    const char *map = "nodes:\n  X_Thing: {kind: resource, id: \"thing:{name}\"}\n";
    char mpath[512], name_a[601], name_b[601], text[2048], id[700];
    ap_graph *g;
    memset(name_a, 'n', sizeof name_a - 1);
    name_a[sizeof name_a - 1] = '\0';
    memcpy(name_b, name_a, sizeof name_b);
    name_a[599] = 'a';
    name_b[599] = 'b';
    snprintf(mpath, sizeof mpath, "%s", ap_test_write_temp("long.yaml", map));
    snprintf(text, sizeof text, "{\"graph\": {\"nodes\": ["
             "{\"id\": \"a\", \"kinds\": [\"X_Thing\"], \"properties\": {\"name\": \"%s\"}},"
             "{\"id\": \"b\", \"kinds\": [\"X_Thing\"], \"properties\": {\"name\": \"%s\"}}],"
             " \"edges\": []}}", name_a, name_b);
    g = load(*state, ap_test_write_temp("long.json", text), mpath);
    snprintf(id, sizeof id, "thing:%s", name_a);
    node(g, id);
    snprintf(id, sizeof id, "thing:%s", name_b);
    node(g, id);
    assert_int_equal(notes.count, 0);
    ap_graph_free(g);
}

static void expect_map_error(ap_store *st, const char *map, unsigned line, unsigned col,
                             const char *msg)
{
    const char *in = REAL("githound/githound_saml_O_kgDOCoV2OQ.json");
    char path[512];
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    ap_error err;
    snprintf(path, sizeof path, "%s", ap_test_write_temp("map.yaml", map));
    opts.og_map = path;
    assert_int_equal(ap_test_import_opts(st, &in, 1, &opts, &err), AP_EINPUT);
    assert_string_equal(err.msg, msg);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM snapshot"), 0);
}

static void test_import_og_maps__bad_rules_name_their_place(void **state)
{
    expect_map_error(*state, "nodes:\n  GH_App:\n    - kind: vendor\n", 3, 7,
                     "the kind of 'GH_App' must be one of partner, identity, credential, role, "
                     "resource, workflow (or a rule with 'kind')");
    expect_map_error(*state, "nodes:\n  GH_App: {kind: partner, when: {a: 1}}\n", 2, 33,
                     "unknown key 'when' in a rule (expected kind, where, with_edge, "
                     "without_edge, id)");
    expect_map_error(*state, "nodes:\n  GH_App:\n    kind: partner\n    where:\n      owner:"
                     " {unlike: 1}\n", 5, 23, "unknown test 'unlike' (expected not or node)");
    expect_map_error(*state, "nodes:\n  GH_App: {kind: partner, id: fixed}\n", 2, 31,
                     "'id' must be a template naming a property, such as \"repo:{full_name}\"");
    expect_map_error(*state, "nodes:\n  GH_User: {kind: partner, without_edge: {kind: X}}\n", 2,
                     42, "'without_edge' must be a mapping with 'kind' (an edge kind) and 'to' "
                     "(a node kind)");
}

/* The shipped maps are valid maps (the import reads them before any input). */
static void test_import_og_maps__shipped_maps_load(void **state)
{
    ap_graph *g = load(*state, REAL("githound/githound_saml_O_kgDOCoV2OQ.json"),
                       MAP("okta.yaml"));
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
#define T(name) cmocka_unit_test_setup_teardown(test_import_og_maps__##name, \
                                                ap_test_store_setup, ap_test_store_teardown)
        T(githound_without_map_has_no_partner),
        T(datahound_has_no_partner),
        T(githound_map_partners_and_names),
        T(outside_collaborator_is_a_partner),
        T(okta_map),
        T(clashing_ids_keep_their_own),
        T(long_values_whole),
        T(bad_rules_name_their_place),
        T(shipped_maps_load),
#undef T
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
