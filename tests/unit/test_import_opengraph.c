/* tests/unit/test_import_opengraph.c: the OpenGraph reader on the real files (GitHound, DataHound,
 * BloodHound's fixture and docs example): foreign kinds mapped, originals kept, edges resolved. */
#include <stdio.h>
#include <string.h>

#include "authpath/query.h"
#include "support.h"

#define AT 1767225600

static ap_import_notes notes;

static ap_graph *load(ap_store *st, const char *const *paths, size_t n)
{
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .notes = &notes };
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

static const ap_node *node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return ap_graph_node(g, (uint32_t)v);
}

static const ap_edge *edge(const ap_graph *g, const char *from, const char *to)
{
    int64_t f = ap_graph_find(g, from), t = ap_graph_find(g, to);
    assert_true(f >= 0 && t >= 0);
    for (uint32_t e = ap_graph_out_begin(g, (uint32_t)f); e < ap_graph_out_end(g, (uint32_t)f);
         e++)
        if (ap_graph_edge(g, e)->to == (uint32_t)t)
            return ap_graph_edge(g, e);
    fail_msg("no edge %s -> %s", from, to);
    return NULL;
}

/* GitHound: 338 nodes, 2763 edges (2 to nodes in no file); kinds by the table in docs/design.md */
static void test_import_opengraph__githound(void **state)
{
    const char *p = REAL("githound/githound_O_kgDOCoV2OQ.json");
    ap_graph *g = load(*state, &p, 1);
    const ap_edge *e;
    assert_int_equal(ap_graph_node_count(g), 338);
    assert_int_equal(ap_graph_edge_count(g), 2761);
    assert_int_equal(noted("edge to a node in no input file"), 2);
    assert_int_equal(node(g, "A_kwHOABLL_s4ABJ8V")->kind, AP_KIND_IDENTITY);         /* GH_App */
    assert_int_equal(node(g, "Iv23liPiynxg6a0oCBGz")->kind, AP_KIND_IDENTITY);
    assert_int_equal(node(g, "GH_PAT_O_kgDOCoV2OQ_1250276")->kind, AP_KIND_CREDENTIAL);
    assert_int_equal(node(g, "GH_OrgSecret_O_kgDOCoV2OQ_ALL_REPO_SECRET")->kind,
                     AP_KIND_CREDENTIAL);
    assert_int_equal(node(g, "T_kwDOCoV2Oc4AokLZ")->kind, AP_KIND_ROLE);             /* GH_Team */
    assert_int_equal(node(g, "Ul9rZ0RPUmxmRUhnX1Rlc3Q=")->kind, AP_KIND_ROLE);   /* GH_RepoRole */
    assert_int_equal(node(g, "R_kgDORlfEHg")->kind, AP_KIND_RESOURCE);         /* GH_Repository */
    assert_int_equal(node(g, "SSA_O_kgDOCoV2OQ_R_kgDOQXtMxw_1")->kind, AP_KIND_RESOURCE);
    assert_string_equal(ap_graph_node_label(g, (uint32_t)ap_graph_find(g, "R_kgDORlfEHg")),
                        "secure-environment");
    assert_non_null(strstr(node(g, "Ul9rZ0RPUmxmRUhnX1Rlc3Q=")->attrs,
                           "\"og_kinds\":[\"GH_RepoRole\",\"GH_Role\"]"));
    assert_non_null(strstr(node(g, "O_kgDOCoV2OQ")->attrs, "\"og_source_kind\":\"GitHub\""));
    /* traversable: false is never traversed; true passes every right */
    e = edge(g, "O_kgDOCoV2OQ", "T19rZ0RPQ29WMk9RX0phcmVkVGVzdA==");
    assert_true(e->rights == 0 && e->declared);
    assert_string_equal(ap_graph_edge_str(g, (uint32_t)(e - ap_graph_edge(g, 0)), "og_kind"),
                        "GH_Contains");
    e = edge(g, "U_kgDOD64CFw", "T19rZ0RPQ29WMk9RX0N1c3RvbVJvbGVz");
    assert_true(e->rights == AP_RIGHTS_ALL);
    assert_int_equal(ap_test_reach(g, "O_kgDOCoV2OQ", "T19rZ0RPQ29WMk9RX0phcmVkVGVzdA==", NULL),
                     0);
    ap_graph_free(g);
}

/* The SAML companion names nodes of the main file: resolved across files, by id and by name
 * (the name matcher's Okta user is in neither file, so those two edges are noted). */
static void test_import_opengraph__edges_across_files(void **state)
{
    const char *p[] = { REAL("githound/githound_saml_O_kgDOCoV2OQ.json"),
                        REAL("githound/githound_O_kgDOCoV2OQ.json") };
    ap_graph *g = load(*state, p, 2);
    assert_int_equal(ap_graph_node_count(g), 340);
    assert_int_equal(ap_graph_edge_count(g), 2761 + 3);
    assert_int_equal(noted("edge to a node in no input file"), 4);
    edge(g, "O_kgDOCoV2OQ", "OIP_kwDOCoV2Oc2WFg");
    edge(g, "EI_lAHOCoV2Oc2WFs4CbGNd", "MDQ6VXNlcjEzMjc4MjEw");
    ap_graph_free(g);
}

/* BloodHound's data-quality fixture: users, groups, apps; MemberOf and Owns carry authority. */
static void test_import_opengraph__bloodhound_fixture(void **state)
{
    const char *p = REAL("bloodhound-ce/opengraph-dataquality-ingest.json");
    ap_graph *g = load(*state, &p, 1);
    uint32_t hops;
    assert_int_equal(ap_graph_node_count(g), 9);
    assert_int_equal(ap_graph_edge_count(g), 3);
    assert_int_equal(node(g, "dqt-user-alice")->kind, AP_KIND_IDENTITY);
    assert_int_equal(node(g, "dqt-group-engineering-admins")->kind, AP_KIND_ROLE);
    assert_int_equal(node(g, "dqt-app-build-system")->kind, AP_KIND_IDENTITY);
    assert_int_equal(node(g, "dqt-env-security")->kind, AP_KIND_RESOURCE);
    assert_int_equal(edge(g, "dqt-user-alice", "dqt-group-engineering-admins")->kind,
                     AP_EDGE_MEMBER_OF);
    assert_int_equal(edge(g, "dqt-group-engineering-admins", "dqt-app-build-system")->kind,
                     AP_EDGE_ADMIN_OF);
    assert_int_equal(ap_test_reach(g, "dqt-user-alice", "dqt-app-build-system", &hops),
                     AP_RIGHTS_ALL);
    assert_int_equal(hops, 2);
    ap_graph_free(g);
}

/* DataHound (repeated ids merged, as BloodHound does), the docs' minimal example, Arrows. */
static void test_import_opengraph__datahound_and_minimal(void **state)
{
    const char *p[] = { REAL("datahound-opengraph/sample-bhce-output.json"),
                        REAL("datahound-opengraph/sample-arrows-output.json"),
                        REAL("bloodhound-opengraph/opengraph-minimal.json") };
    ap_graph *g = load(*state, p, 3);
    assert_int_equal(ap_graph_node_count(g), 38 + 7 + 2);
    assert_int_equal(ap_graph_edge_count(g), 66 + 6 + 1);
    assert_int_equal(noted("repeated node id"), 3);
    assert_int_equal(node(g, "123")->kind, AP_KIND_IDENTITY);                   /* Person */
    assert_int_equal(edge(g, "123", "234")->kind, AP_EDGE_ACCESS);              /* Knows */
    assert_non_null(strstr(edge(g, "123", "234")->attrs, "\"og_kind\":\"Knows\""));
    ap_graph_free(g);
}

/* Endpoints matched by name compare whole names (names were upper-cased into 512 bytes: a name
 * longer than 511 matched every node whose name began alike, here two, and the edge was lost). */
static void test_import_opengraph__long_names_match_whole(void **state)
{
    char a[512], c[601], text[4096];
    const char *path;
    ap_graph *g;
    memset(a, 'n', sizeof a - 1);
    a[sizeof a - 1] = '\0';
    memcpy(c, a, sizeof a - 1);
    memset(c + sizeof a - 1, 'c', sizeof c - sizeof a);
    c[sizeof c - 1] = '\0';
    snprintf(text, sizeof text, "{\"graph\": {\"nodes\": ["
             "{\"id\": \"a\", \"kinds\": [\"User\"], \"properties\": {\"name\": \"%s\"}},"
             "{\"id\": \"c\", \"kinds\": [\"User\"], \"properties\": {\"name\": \"%s\"}},"
             "{\"id\": \"b\", \"kinds\": [\"Repository\"]}],"
             " \"edges\": [{\"kind\": \"CanRead\", \"start\": {\"value\": \"%s\", \"match_by\": "
             "\"name\"}, \"end\": {\"value\": \"b\"}}]}}\n", a, c, c);
    path = ap_test_write_temp("long-names.json", text);
    g = load(*state, &path, 1);
    assert_int_equal(ap_graph_edge_count(g), 1);
    edge(g, "c", "b");
    ap_graph_free(g);
    remove(path);
}

static void expect_error(ap_store *st, const char *text, const char *msg, unsigned line,
                         unsigned col)
{
    const char *path = ap_test_write_temp("bad_og.json", text);
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    ap_error err;
    assert_int_equal(ap_test_import_opts(st, &path, 1, &opts, &err), AP_EINPUT);
    assert_string_equal(err.msg, msg);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node"), 0);
    remove(path);
}

static void test_import_opengraph__errors_name_their_place(void **state)
{
    expect_error(*state, "{\"graph\": {\"nodes\": [\n  {\"id\": \"a\", \"kinds\": [\"X\"]},\n"
                 "  {\"id\": \"b\"}]}}\n", "a node needs 'kinds', a list of strings", 3, 3);
    expect_error(*state, "{\"graph\": {\"nodes\": [{\"id\": \"a\", \"kinds\": [\"X\"]}],\n"
                 " \"edges\": [{\"kind\": \"K\", \"start\": {\"value\": \"a\", \"match_by\": "
                 "\"guess\"},\n \"end\": {\"value\": \"a\"}}]}}\n",
                 "unknown 'start.match_by' (expected id, name or property)", 2, 62);
    expect_error(*state, "{\"graph\": [1, 2]}\n", "an OpenGraph document must be an object "
                 "whose 'graph' is an object with 'nodes' and 'edges'", 1, 11);
}

/* --map: the user's kinds win over the table, for the kinds it names and no others. */
static void test_import_opengraph__map_overrides_the_table(void **state)
{
    const char *p = REAL("githound/githound_O_kgDOCoV2OQ.json");
    ap_import_opts opts = { .format = AP_FORMAT_AUTO,
                            .og_map = FIXTURE("opengraph/vendor_map.yaml") };
    ap_error err;
    ap_graph *g;
    const ap_edge *e;
    if (ap_test_import_opts(*state, &p, 1, &opts, &err) != AP_OK)
        fail_msg("%s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    g = ap_test_graph(*state, AT);
    assert_int_equal(ap_graph_edge_count(g), 2761);
    assert_int_equal(node(g, "O_kgDOCoV2OQ")->kind, AP_KIND_PARTNER);         /* the map */
    assert_int_equal(node(g, "T_kwDOCoV2Oc4AokLZ")->kind, AP_KIND_IDENTITY);
    assert_int_equal(node(g, "Ul9rZ0RPUmxmRUhnX1Rlc3Q=")->kind, AP_KIND_ROLE); /* the table */
    assert_int_equal(node(g, "R_kgDORlfEHg")->kind, AP_KIND_RESOURCE);
    assert_non_null(strstr(node(g, "O_kgDOCoV2OQ")->attrs,
                           "\"og_kinds\":[\"GH_Organization\"]"));
    e = edge(g, "O_kgDOCoV2OQ", "T19rZ0RPQ29WMk9RX0phcmVkVGVzdA==");
    assert_int_equal(e->kind, AP_EDGE_DEPENDS_ON);
    assert_string_equal(ap_graph_edge_str(g, (uint32_t)(e - ap_graph_edge(g, 0)), "og_kind"),
                        "GH_Contains");
    assert_int_equal(edge(g, "U_kgDOD64CFw", "T19rZ0RPQ29WMk9RX0N1c3RvbVJvbGVz")->kind,
                     AP_EDGE_ACCESS);                                     /* not in the map */
    ap_graph_free(g);
}

/* A bad map stops the import before anything is read, at the map's line and column. */
static void expect_map_error(ap_store *st, const char *map, unsigned line, unsigned col,
                             const char *msg)
{
    const char *p = FIXTURE("opengraph/roundtrip.json");
    char path[512];
    ap_import_opts opts = { .format = AP_FORMAT_AUTO, .og_map = path };
    ap_error err;
    snprintf(path, sizeof path, "%s", ap_test_write_temp("map.yaml", map));
    assert_int_equal(ap_test_import_opts(st, &p, 1, &opts, &err), AP_EINPUT);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    assert_int_equal(err.col, col);
    assert_string_equal(err.msg, msg);
    assert_string_equal(ap_test_store_state(st), "snapshot=0 node=0 edge=0 source=0 vocab=0");
    remove(path);
}

static void test_import_opengraph__bad_maps_name_their_place(void **state)
{
    expect_map_error(*state, "nodes:\n  Okta_Org: vendor\n", 2, 13,
                     "the kind of 'Okta_Org' must be one of " AP_KIND_NAMES);
    expect_map_error(*state, "edges:\n  GH_CanPush: push\n", 2, 15,
                     "the kind of 'GH_CanPush' must be one of " AP_EDGE_KIND_NAMES);
    expect_map_error(*state, "nodes:\n  AP_Role: identity\n", 2, 12,
                     "'AP_Role' is authpath's own kind: it always maps to itself");
    expect_map_error(*state, "node:\n  GH_App: identity\n", 2, 3,
                     "unknown key 'node' (a kind map has 'nodes' and 'edges')");
    expect_map_error(*state, "nodes: [GH_App]\n", 1, 8,
                     "'nodes' must be a mapping of foreign kinds to authpath kinds");
    expect_map_error(*state, "{\"edges\": {\"X\": 3}}", 1, 17,
                     "the kind of 'X' must be one of " AP_EDGE_KIND_NAMES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_import_opengraph__githound, ap_test_store_setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_opengraph__edges_across_files,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_opengraph__bloodhound_fixture,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_opengraph__datahound_and_minimal,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_opengraph__long_names_match_whole,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_opengraph__errors_name_their_place,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_opengraph__map_overrides_the_table,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_import_opengraph__bad_maps_name_their_place,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
