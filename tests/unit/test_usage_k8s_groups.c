/* tests/unit/test_usage_k8s_groups.c: Kubernetes audit events count the groups their user acted
 * with (user.groups): a use a group's binding grants is carried, and is the partner's use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "authpath/findings.h"
#include "authpath/usage.h"
#include "support.h"

#define AT 1796083200                       /* 2026-12-01 */

/* tests/fixtures/usage/k8s-groups-cluster.json with its partner map: partner vendor-a is the
 * group vendor-a:ops (reads secrets everywhere, impersonates user carol and group shop-team)
 * and the user bob@vendor-a.example (reads pods in shop); carol reads pods in shop; group
 * shop-team updates and patches configmaps in shop; system:authenticated reads configmaps. */
static int setup(void **state)
{
    const char *paths[1] = { FIXTURE("usage/k8s-groups-cluster.json") };
    ap_import_opts o = { .format = AP_FORMAT_AUTO,
                         .partner_map = FIXTURE("usage/k8s-groups-partners.json") };
    ap_error err;
    if (ap_test_store_setup(state) != 0)
        return -1;
    if (ap_test_import_opts(*state, paths, 1, &o, &err) != AP_OK) {
        fprintf(stderr, "import: %s\n", err.msg);
        return -1;
    }
    return 0;
}

/* One audit event at ResponseComplete: user (its groups a JSON list), verb on
 * NS/RESOURCE/NAME, the status code, and impersonated ("" or an impersonatedUser object). */
static const char *event(char *buf, size_t size, const char *id, const char *user,
                         const char *groups, const char *verb, const char *ns, const char *res,
                         const char *name, int code, const char *impersonated)
{
    snprintf(buf, size, "{\"kind\":\"Event\",\"apiVersion\":\"audit.k8s.io/v1\",\"auditID\":"
             "\"%s\",\"stage\":\"ResponseComplete\",\"verb\":\"%s\",\"user\":{\"username\":"
             "\"%s\",\"groups\":%s},%s%s%s\"objectRef\":{\"resource\":\"%s\",\"namespace\":"
             "\"%s\",\"name\":\"%s\"},\"responseStatus\":{\"code\":%d},\"stageTimestamp\":"
             "\"2026-11-02T10:00:00Z\"}\n", id, verb, user, groups,
             impersonated[0] != '\0' ? "\"impersonatedUser\":" : "", impersonated,
             impersonated[0] != '\0' ? "," : "", res, ns, name, code);
    return buf;
}

/* Import the events text, then the drift rules' findings over November (*g: the graph). */
static ap_findings *drift(ap_store *st, const char *events, ap_graph **g, ap_usage **u)
{
    static const char *const rules[] = { "usage-not-granted", "granted-never-used",
                                         "attempted-not-granted" };
    ap_findings_opts fo = { NULL, rules, 3, -1, AP_SEV_NONE };
    ap_findings *f = NULL;
    ap_error err;
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("audit.jsonl", events), NULL, &err),
                     AP_OK);
    *g = ap_test_graph(st, AT);
    assert_int_equal(ap_usage_load(u, st, 1, AT - 90 * 86400, AT, &err), AP_OK);
    assert_int_equal(ap_findings_compute_observed(&f, *g, &fo, *u, &err), AP_OK);
    return f;
}

/* The finding of rule whose subject is subject (NULL: any), read whole; NULL when none. */
static const ap_finding *find(const ap_findings *f, const ap_graph *g, const char *rule,
                              const char *subject)
{
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        const ap_finding *x = ap_findings_peek(f, i);
        if (strcmp(x->rule->id, rule) == 0
            && (subject == NULL || strcmp(ap_finding_subject_id(g, x), subject) == 0))
            return ap_findings_get(f, i);
    }
    return NULL;
}

/* Fact key of x is want (a missing fact fails, not crashes). */
static void assert_fact(const ap_finding *x, const char *key, const char *want)
{
    const char *got = ap_finding_fact(x, key);
    if (got == NULL)
        fail_msg("no fact '%s' (wanted '%s')", key, want);
    assert_string_equal(got, want);
}

static void done(ap_findings *f, ap_graph *g, ap_usage *u)
{
    ap_findings_free(f);
    ap_usage_free(u);
    ap_graph_free(g);
}

/* (a) bob, whom the partner map makes vendor-a, reads a pod his own binding grants: the use is
 * vendor-a's (before, user:bob@vendor-a.example was no node: the event was nobody's, and
 * granted-never-used said vendor-a never read pods in shop). */
static void test_k8s_groups__bound_directly(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_usage *u = NULL;
    char ev[2048];
    ap_findings *f = drift(st, event(ev, sizeof ev, "a1", "bob@vendor-a.example",
                                     "[\"vendor-a:ops\",\"system:authenticated\"]", "get",
                                     "shop", "pods", "web-0", 200, ""), &g, &u);
    assert_null(find(f, g, "usage-not-granted", NULL));
    assert_null(find(f, g, "granted-never-used", "k8s:shop/core/pods"));
    /* what it did not use is still said */
    assert_non_null(find(f, g, "granted-never-used", "k8s:*/core/secrets"));
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE actor = "
                                       "'vendor-a' AND actor_known"), 1);
    done(f, g, u);
}

/* (b) Uses granted only through a group of user.groups. alice, in vendor-a:ops (the partner),
 * reads a secret: vendor-a's use (before: nobody's, and granted-never-used said vendor-a never
 * read secrets). carol, whom vendor-a can impersonate, updates a configmap as a member of
 * shop-team and is denied a patch there: neither is "not granted" (before: both were). */
static void test_k8s_groups__only_through_a_group(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_usage *u = NULL;
    ap_observed *o = NULL;
    ap_authority *a = NULL;
    ap_error err;
    size_t n;
    bool secrets = false;
    char ev[3][2048], all[6200];
    ap_findings *f;
    event(ev[0], sizeof ev[0], "b1", "alice@vendor-a.example",
          "[\"vendor-a:ops\",\"system:authenticated\"]", "get", "shop", "secrets", "db", 200, "");
    event(ev[1], sizeof ev[1], "b2", "carol", "[\"system:authenticated\",\"shop-team\"]",
          "update", "shop", "configmaps", "app", 200, "");
    event(ev[2], sizeof ev[2], "b3", "carol", "[\"shop-team\"]", "patch", "shop", "configmaps",
          "app", 403, "");
    snprintf(all, sizeof all, "%s%s%s", ev[0], ev[1], ev[2]);
    f = drift(st, all, &g, &u);
    assert_null(find(f, g, "usage-not-granted", NULL));
    assert_null(find(f, g, "attempted-not-granted", NULL));
    assert_null(find(f, g, "granted-never-used", "k8s:*/core/secrets"));
    /* the groups the snapshot has, the one everyone is in last */
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'b2'"
                                       " AND groups = '[\"group:shop-team\",\"group:system:"
                                       "authenticated\"]'"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'b1'"
                                       " AND groups = '[\"vendor-a\",\"group:system:"
                                       "authenticated\"]' AND actor = 'user:alice@vendor-a."
                                       "example' AND NOT actor_known"), 1);
    /* authority --observed: the secret read is vendor-a's */
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "vendor-a"), &err),
                     AP_OK);
    assert_int_equal(ap_usage_observed(&o, &n, g, a, u, &err), AP_OK);
    for (size_t i = 0; i < n; i++)
        if (strcmp(ap_graph_node(g, o[i].node)->id, "k8s:*/core/secrets") == 0) {
            assert_int_equal(o[i].used, (ap_rights)1 << AP_R_READ);
            assert_int_equal(o[i].events, 1);
            secrets = true;
        }
    assert_true(secrets);
    free(o);
    ap_authority_free(a);
    done(f, g, u);
}

/* (c) Uses no group carries. carol deletes a secret, as a member of shop-team, which grants no
 * such thing: usage-not-granted, saying the groups were looked at. carol reads a configmap only
 * system:authenticated's binding grants: reported, saying it is a grant to everyone (before,
 * both said only "no chain carries"). */
static void test_k8s_groups__no_group_carries(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_usage *u = NULL;
    const ap_finding *x;
    char ev[2][2048], all[4200];
    size_t found = 0;
    ap_findings *f;
    event(ev[0], sizeof ev[0], "c1", "carol", "[\"shop-team\"]", "delete", "shop", "secrets",
          "db", 200, "");
    event(ev[1], sizeof ev[1], "c2", "carol", "[\"system:authenticated\"]", "get", "shop",
          "configmaps", "app", 200, "");
    snprintf(all, sizeof all, "%s%s", ev[0], ev[1]);
    f = drift(st, all, &g, &u);
    for (size_t i = 0; i < ap_findings_count(f); i++) {
        if (strcmp(ap_findings_peek(f, i)->rule->id, "usage-not-granted") != 0)
            continue;
        x = ap_findings_get(f, i);
        found++;
        assert_string_equal(ap_finding_subject_id(g, x), "user:carol");
        if (strcmp(ap_finding_fact(x, "target"), "k8s:shop/core/secrets/db") == 0) {
            assert_fact(x, "groups", "group:shop-team");
            assert_null(ap_finding_fact(x, "granted_to_everyone"));
            assert_non_null(strstr(x->message, "to it or to any group it acted with."));
        } else {
            assert_fact(x, "target", "k8s:shop/core/configmaps/app");
            assert_fact(x, "granted_to_everyone", "group:system:authenticated");
            assert_non_null(strstr(x->message, "but the grant to group:system:authenticated, "
                                               "which every authenticated user is in: a grant "
                                               "to everyone, none to the partner."));
        }
    }
    assert_int_equal(found, 2);
    done(f, g, u);
}

/* (d) Impersonation. alice, through vendor-a:ops, patches a configmap as carol in shop-team:
 * the partner's chain (impersonate carol and shop-team, shop-team's binding) carries it, and it
 * is vendor-a's use. Impersonating dave in admins, which no grant allows, to delete a pod is
 * vendor-a's use that no chain carries (before: both were nobody's). */
static void test_k8s_groups__impersonation(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_usage *u = NULL;
    const ap_finding *x;
    char ev[2][2048], all[4200];
    ap_findings *f;
    event(ev[0], sizeof ev[0], "d1", "alice@vendor-a.example",
          "[\"vendor-a:ops\",\"system:authenticated\"]", "patch", "shop", "configmaps", "app",
          200, "{\"username\":\"carol\",\"groups\":[\"shop-team\"]}");
    event(ev[1], sizeof ev[1], "d2", "alice@vendor-a.example", "[\"vendor-a:ops\"]", "delete",
          "shop", "pods", "web-0", 200, "{\"username\":\"dave\",\"groups\":[\"admins\"]}");
    snprintf(all, sizeof all, "%s%s", ev[0], ev[1]);
    f = drift(st, all, &g, &u);
    assert_null(find(f, g, "granted-never-used", "k8s:shop/core/configmaps"));
    x = find(f, g, "usage-not-granted", NULL);
    assert_non_null(x);
    assert_fact(x, "target", "k8s:shop/core/pods/web-0");
    assert_string_equal(ap_finding_subject_id(g, x), "vendor-a");
    assert_fact(x, "through_group", "vendor-a");
    assert_fact(x, "actor", "user:alice@vendor-a.example");
    assert_non_null(strstr(x->message, "user:alice@vendor-a.example, acting for partner "
                                       "vendor-a as a member of a group that is the partner, used "
                                       "delete pods"));
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'd2'"
                                       " AND via = 'user:dave'"), 1);
    done(f, g, u);
}

/* (e) An impersonated request is also a use of the right to impersonate (the API server logs
 * impersonatedUser only once it has allowed it): alice, through vendor-a:ops, patches a
 * configmap as carol in shop-team, so vendor-a's impersonate on carol and on shop-team was
 * used (before: both were granted-never-used, though the events showed them used). The groups
 * the API server adds unasked (system:authenticated) are no use of a right; the report counts
 * the request once. A request denied after its impersonation was allowed still used it. */
static void test_k8s_groups__impersonation_is_a_use(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_usage *u = NULL;
    ap_usage_report rep;
    ap_error err;
    char ev[2][2048], all[4200];
    ap_findings *f;
    event(ev[0], sizeof ev[0], "e1", "alice@vendor-a.example",
          "[\"vendor-a:ops\",\"system:authenticated\"]", "patch", "shop", "configmaps", "app",
          200, "{\"username\":\"carol\",\"groups\":[\"shop-team\",\"system:authenticated\"]}");
    event(ev[1], sizeof ev[1], "e2", "alice@vendor-a.example", "[\"vendor-a:ops\"]", "delete",
          "shop", "configmaps", "app", 403, "{\"username\":\"carol\"}");
    snprintf(all, sizeof all, "%s%s", ev[0], ev[1]);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("audit.jsonl", all), &rep, &err),
                     AP_OK);
    assert_int_equal(rep.events, 2);
    assert_int_equal(rep.denied, 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'e1'"
                                       " AND action = 'impersonate users' AND ok AND target = "
                                       "'k8s:*/core/users/carol' AND actor = 'user:alice@"
                                       "vendor-a.example'"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'e1'"
                                       " AND action = 'impersonate groups'"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE target LIKE "
                                       "'%system:authenticated%'"), 0);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'e2'"
                                       " AND action = 'impersonate users' AND ok"), 1);
    {
        static const char *const rules[] = { "usage-not-granted", "granted-never-used",
                                             "attempted-not-granted" };
        ap_findings_opts fo = { NULL, rules, 3, -1, AP_SEV_NONE };
        f = NULL;
        g = ap_test_graph(st, AT);
        assert_int_equal(ap_usage_load(&u, st, 1, AT - 90 * 86400, AT, &err), AP_OK);
        assert_int_equal(ap_findings_compute_observed(&f, g, &fo, u, &err), AP_OK);
    }
    assert_non_null(ap_graph_find(g, "k8s:*/core/users/carol") >= 0 ? f : NULL);
    assert_null(find(f, g, "granted-never-used", "k8s:*/core/users/carol"));
    assert_null(find(f, g, "granted-never-used", "k8s:*/core/groups/shop-team"));
    assert_null(find(f, g, "usage-not-granted", NULL));
    /* what it did not use is still said */
    assert_non_null(find(f, g, "granted-never-used", "k8s:*/core/secrets"));
    done(f, g, u);
}

/* (f) A database whose events an older authpath stored (schema 3: made here from a current
 * one by SQL, as that schema had it: no groups, no impersonation rows, no shared ids, and the
 * same event stored twice). Opened, it is migrated: the event stored twice is kept once, and
 * the events that lack what this schema keeps are counted, for the commands to say so (before:
 * read as if whole, a use counted twice, and the answers about the rest silently false). */
static void test_k8s_groups__old_schema_events_are_said(void **state)
{
    char path[600], ev[2][2048], all[4200];
    const char *paths[1] = { FIXTURE("usage/k8s-groups-cluster.json") };
    ap_import_opts o = { .format = AP_FORMAT_AUTO,
                         .partner_map = FIXTURE("usage/k8s-groups-partners.json") };
    ap_store *st = NULL;
    ap_usage *u = NULL;
    ap_error err;
    sqlite3 *db;
    const ap_usage_stale *stale;
    (void)state;
    snprintf(path, sizeof path, "%s", ap_test_write_temp("old.db", ""));
    remove(path);
    assert_int_equal(ap_store_open(&st, path, &err), AP_OK);
    assert_int_equal(ap_test_import_opts(st, paths, 1, &o, &err), AP_OK);
    event(ev[0], sizeof ev[0], "o1", "alice@vendor-a.example", "[\"vendor-a:ops\"]", "get",
          "shop", "secrets", "db", 200, "");
    event(ev[1], sizeof ev[1], "o2", "alice@vendor-a.example", "[\"vendor-a:ops\"]", "patch",
          "shop", "configmaps", "app", 200, "{\"username\":\"carol\",\"groups\":[\"shop-team\"]}");
    snprintf(all, sizeof all, "%s%s", ev[0], ev[1]);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("audit.jsonl", all), NULL, &err),
                     AP_OK);
    ap_store_close(st);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db,
        "DELETE FROM observation WHERE action LIKE 'impersonate %';"
        "INSERT INTO observation(snap, file, line, event_id, at, actor, actor_known, target,"
        "  target_known, rights, action, ok, via) SELECT snap, file, line, event_id, at, actor,"
        "  actor_known, target, target_known, rights, action, ok, via FROM observation"
        "  WHERE event_id = 'o1';"
        "DROP INDEX observation_event; DROP INDEX observation_shared;"
        "ALTER TABLE observation DROP COLUMN groups;"
        "ALTER TABLE observation DROP COLUMN shared_id;"
        "ALTER TABLE observation DROP COLUMN stored_under;"
        "ALTER TABLE observation DROP COLUMN source_identity;"
        "PRAGMA user_version = 3;", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);

    assert_int_equal(ap_store_open(&st, path, &err), AP_OK);
    assert_int_equal(ap_test_count(st, "PRAGMA user_version"), 6);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE event_id = 'o1'"),
                     1);
    assert_int_equal(ap_usage_load(&u, st, 1, AT - 90 * 86400, AT, &err), AP_OK);
    for (size_t i = 0; i < ap_usage_count(u); i++)
        assert_int_equal(ap_usage_get(u, i)->count, 1);
    stale = ap_usage_stale_events(u);
    assert_int_equal(stale->no_groups, 2);
    assert_int_equal(stale->no_impersonation, 1);
    assert_int_equal(stale->no_shared_id, 0);
    assert_int_equal(stale->oldest, 3);
    ap_usage_free(u);
    /* imported since, an event is no older authpath's */
    event(ev[0], sizeof ev[0], "o3", "alice@vendor-a.example", "[\"vendor-a:ops\"]", "get",
          "shop", "secrets", "db2", 200, "");
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("audit2.jsonl", ev[0]), NULL, &err),
                     AP_OK);
    assert_int_equal(ap_usage_load(&u, st, 1, AT - 90 * 86400, AT, &err), AP_OK);
    assert_int_equal(ap_usage_stale_events(u)->no_groups, 2);
    ap_usage_free(u);
    ap_store_close(st);
    /* a current database has nothing to say */
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    assert_int_equal(ap_usage_load(&u, st, 1, 0, AT, &err), AP_OK);
    assert_int_equal(ap_usage_stale_events(u)->oldest, 0);
    ap_usage_free(u);
    ap_store_close(st);
    remove(path);
}

/* what-if --narrow-to-observed keeps what a use through the partner's group needs: alice's
 * secret read, through vendor-a:ops, keeps read on secrets (before, the read was nobody's and
 * the narrowing took it away). */
static void test_k8s_groups__narrow_keeps_group_use(void **state)
{
    ap_store *st = *state;
    ap_graph *g;
    ap_usage *u = NULL;
    ap_narrow *n = NULL;
    ap_error err;
    char ev[2048];
    ap_findings *f = drift(st, event(ev, sizeof ev, "n1", "alice@vendor-a.example",
                                     "[\"vendor-a:ops\"]", "get", "shop", "secrets", "db", 200,
                                     ""), &g, &u);
    assert_int_equal(ap_narrow_compute(&n, g, (uint32_t)ap_graph_find(g, "vendor-a"), u, NULL,
                                       &err), AP_OK);
    assert_int_equal(n->uses, 1);
    assert_int_equal(n->uses_still, 1);
    assert_int_equal(n->uses_uncarried, 0);
    assert_int_equal(ap_test_reach(n->narrowed, "vendor-a", "k8s:*/core/secrets", NULL)
                     & ((ap_rights)1 << AP_R_READ), (ap_rights)1 << AP_R_READ);
    ap_narrow_free(n);
    done(f, g, u);
}

/* user.groups that is not a list of names is refused at its event, nothing stored. */
static void test_k8s_groups__malformed(void **state)
{
    ap_store *st = *state;
    ap_error err;
    char ev[2][2048], all[4200];
    event(ev[0], sizeof ev[0], "e1", "carol", "[\"shop-team\"]", "get", "shop", "pods", "w",
          200, "");
    event(ev[1], sizeof ev[1], "e2", "carol", "[\"shop-team\", 7]", "get", "shop", "pods", "w",
          200, "");
    snprintf(all, sizeof all, "%s%s", ev[0], ev[1]);
    assert_int_equal(ap_test_usage(st, ap_test_write_temp("bad.jsonl", all), NULL, &err),
                     AP_EINPUT);
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 1);
    assert_string_equal(err.msg, "a Kubernetes audit event whose user.groups is not a list of "
                                 "group names");
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation"), 0);
}

/* A real event (falco's trace create_clusterrolebinding.json: minikube-user in system:masters
 * and system:authenticated creates a ClusterRoleBinding) against the standard binding of
 * system:masters to cluster-admin: carried through the group, no finding. */
static void test_k8s_groups__real_event(void **state)
{
    static const char *const rules[] = { "usage-not-granted" };
    ap_findings_opts fo = { NULL, rules, 1, -1, AP_SEV_NONE };
    ap_store *st = NULL;
    ap_findings *f = NULL;
    ap_usage *u = NULL;
    ap_graph *g;
    ap_error err;
    char cluster[512];
    const char *paths[1] = { cluster };
    ap_import_opts o = { .format = AP_FORMAT_AUTO };
    (void)state;
    assert_int_equal(ap_test_store_setup((void **)&st), 0);
    snprintf(cluster, sizeof cluster, "%s", ap_test_write_temp("cluster.json",
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
        "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\","
        "\"metadata\":{\"name\":\"cluster-admin\"},\"roleRef\":{\"apiGroup\":"
        "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},"
        "\"subjects\":[{\"kind\":\"Group\",\"name\":\"system:masters\"}]},"
        "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRole\","
        "\"metadata\":{\"name\":\"view-pods\"},\"rules\":[{\"apiGroups\":[\"\"],\"resources\":"
        "[\"pods\"],\"verbs\":[\"get\"]}]},"
        "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"ClusterRoleBinding\","
        "\"metadata\":{\"name\":\"mk-view\"},\"roleRef\":{\"apiGroup\":"
        "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"view-pods\"},"
        "\"subjects\":[{\"kind\":\"User\",\"name\":\"minikube-user\"}]}]}"));
    o.partner_map = ap_test_write_temp("map.json", "{\"minikube-user\": \"mk\"}");
    assert_int_equal(ap_test_import_opts(st, paths, 1, &o, &err), AP_OK);
    assert_int_equal(ap_test_usage(st, REAL("falco-k8s-audit/create_clusterrolebinding.json"),
                                   NULL, &err), AP_OK);
    g = ap_test_graph(st, 1540600000);      /* the trace is of 2018-10-26 */
    assert_int_equal(ap_usage_load(&u, st, 1, 1540000000, 1540600000, &err), AP_OK);
    assert_int_equal(ap_usage_count(u), 1);
    /* the partner map's user is the partner, and the group's binding carries what it did */
    assert_string_equal(ap_usage_get(u, 0)->actor, "mk");
    assert_true(ap_usage_carried(g, NULL, ap_usage_get(u, 0)));
    assert_int_equal(ap_findings_compute_observed(&f, g, &fo, u, &err), AP_OK);
    assert_int_equal(ap_findings_count(f), 0);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM observation WHERE actor = 'mk'"
                                       " AND actor_known AND groups = '[\"group:system:"
                                       "masters\"]' AND target = 'k8s:*/rbac.authorization."
                                       "k8s.io/clusterrolebindings/some-reader-binding'"), 1);
    ap_findings_free(f);
    ap_usage_free(u);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_k8s_groups__bound_directly, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_groups__only_through_a_group, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_groups__no_group_carries, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_groups__impersonation, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_groups__impersonation_is_a_use, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_groups__narrow_keeps_group_use, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_k8s_groups__malformed, setup,
                                        ap_test_store_teardown),
        cmocka_unit_test(test_k8s_groups__real_event),
        cmocka_unit_test(test_k8s_groups__old_schema_events_are_said),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
