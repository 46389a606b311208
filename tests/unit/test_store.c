/* tests/unit/test_store.c: the SQLite store: round trip of an import, snapshots and row
 * versioning, atomic imports, schema refusal, file mode, provenance. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "authpath/usage.h"

#include "support.h"

/* Everything imported comes back: ids, kinds, attrs (unknown ones kept as JSON), edge rights,
 * repeated edges with their #2 ids, provenance. */
static void test_store__round_trip_keeps_everything(void **state)
{
    ap_store *st = *state;
    ap_error err;
    assert_int_equal(ap_test_import(st, FIXTURE("store/small.json"), &err), AP_OK);
    ap_graph *g = ap_test_graph(st, 1767225600);
    assert_int_equal(ap_graph_node_count(g), 4);
    assert_int_equal(ap_graph_edge_count(g), 4);
    int64_t acme = ap_graph_find(g, "acme");
    assert_true(acme >= 0);
    assert_int_equal(ap_graph_node(g, (uint32_t)acme)->kind, AP_KIND_PARTNER);
    assert_string_equal(ap_graph_node(g, (uint32_t)acme)->attrs,
                        "{\"contract_ends\":\"2026-01-01\",\"name\":\"Acme\","
                        "\"x_vendor_ref\":{\"erp\":42}}");
    assert_string_equal(ap_graph_source_path(g, ap_graph_node(g, (uint32_t)acme)->file),
                        FIXTURE("store/small.json"));
    assert_int_equal(ap_graph_node(g, (uint32_t)acme)->line, 3);
    int64_t svc = ap_graph_find(g, "svc");
    uint32_t b = ap_graph_out_begin(g, (uint32_t)svc), e = ap_graph_out_end(g, (uint32_t)svc);
    assert_int_equal(e - b, 2);
    assert_string_equal(ap_graph_edge(g, b)->id, "svc|access|db");
    assert_string_equal(ap_graph_edge(g, b + 1)->id, "svc|access|db#2");
    assert_int_equal(ap_graph_edge(g, b)->rights, (1u << AP_R_READ) | (1u << 8));
    assert_true(ap_graph_edge(g, b)->declared);
    int64_t key = ap_graph_find(g, "key-1");
    assert_int_equal(ap_graph_node(g, (uint32_t)key)->expires, 1798761600);
    ap_graph_free(g);
}

/* A second import is a second snapshot; the first stays queryable as it was. */
static void test_store__snapshots_are_versions(void **state)
{
    ap_store *st = *state;
    ap_error err;
    ap_graph *g = NULL;
    assert_int_equal(ap_test_import(st, FIXTURE("store/small.json"), &err), AP_OK);
    assert_int_equal(ap_test_import(st, FIXTURE("store/small-v2.json"), &err), AP_OK);
    assert_int_equal(ap_graph_load(&g, st, 1, 0, &err), AP_OK);
    assert_int_equal(ap_graph_node_count(g), 4);
    assert_string_equal(ap_graph_node_str(g, (uint32_t)ap_graph_find(g, "key-1"), "owner"),
                        "bob");
    ap_graph_free(g);
    assert_int_equal(ap_graph_load(&g, st, 2, 0, &err), AP_OK);
    assert_int_equal(ap_graph_node_count(g), 3);
    assert_int_equal(ap_graph_edge_count(g), 1);
    assert_int_equal(ap_graph_find(g, "svc"), -1);
    assert_string_equal(ap_graph_node_str(g, (uint32_t)ap_graph_find(g, "key-1"), "owner"),
                        "carol");
    ap_graph_free(g);
    /* unchanged rows are shared: acme and db were written once */
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node"), 5);
    assert_int_equal(ap_graph_load(&g, st, 3, 0, &err), AP_ENOTFOUND);
    assert_null(g);
}

/* A failing import writes nothing: not the good first file, not a snapshot, not a right. */
static void test_store__failed_import_leaves_nothing(void **state)
{
    ap_store *st = *state;
    ap_error err;
    ap_import_opts opts = { .format = AP_FORMAT_AUTO };
    int64_t snap = 0;
    const char *bad = ap_test_write_temp("bad.json",
        "{\"rights\": [\"refund\"], \"nodes\": [{\"id\": \"x\", \"kind\": \"partner\"}],\n"
        " \"edges\": [{\"from\": \"x\", \"to\": \"y\", \"kind\": \"holds\"}]}\n");
    assert_int_equal(ap_test_import(st, FIXTURE("store/small.json"), &err), AP_OK);
    const char *paths[] = { FIXTURE("store/small-v2.json"), bad };
    assert_int_equal(ap_import_files(st, paths, 2, &opts, &snap, &err), AP_EINPUT);
    assert_string_equal(err.msg, "edge to undeclared node 'y'");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.col, 32);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM snapshot"), 1);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node"), 4);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node WHERE snap_to IS NOT NULL"),
                     0);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM source"), 1);
    assert_int_equal(ap_store_vocab(st)->count, AP_R_BUILTIN + 1);  /* export, not refund */
    /* and the store still works */
    assert_int_equal(ap_test_import(st, FIXTURE("store/small-v2.json"), &err), AP_OK);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM snapshot"), 2);
    remove(bad);
}

static const char *temp_db(void)
{
    static char path[256];
    snprintf(path, sizeof path, "/tmp/ap_test_store_%ld.db", (long)getpid());
    remove(path);
    return path;
}

/* A database written by a newer authpath is refused with a clear message; one from another
 * program is refused too. */
static void test_store__newer_schema_is_refused(void **state)
{
    const char *path = temp_db();
    ap_store *st = NULL;
    ap_error err;
    sqlite3 *db;
    (void)state;
    assert_int_equal(ap_store_open(&st, path, &err), AP_OK);
    ap_store_close(st);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    assert_int_equal(ap_store_open(&st, path, &err), AP_ESCHEMA);
    assert_null(st);
    assert_string_equal(err.msg, "the database has schema version 99, newer than this authpath "
                                 "(version 6): upgrade authpath to read it");
    remove(path);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    sqlite3_exec(db, "CREATE TABLE t(x)", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_int_equal(ap_store_open(&st, path, &err), AP_EINPUT);
    assert_string_equal(err.msg, "the file is an SQLite database of another program");
    remove(path);
}

/* A new database is private (0600) and in WAL mode. */
static void test_store__new_file_is_private_and_wal(void **state)
{
    const char *path = temp_db();
    ap_store *st = NULL;
    ap_error err;
    struct stat sb;
    sqlite3 *db;
    sqlite3_stmt *stmt;
    (void)state;
    mode_t old = umask(0);
    assert_int_equal(ap_store_open(&st, path, &err), AP_OK);
    umask(old);
    ap_store_close(st);
    assert_int_equal(stat(path, &sb), 0);
    assert_int_equal(sb.st_mode & 0777, 0600);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &stmt, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(stmt), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(stmt, 0), "wal");
    sqlite3_finalize(stmt);
    sqlite3_close(db);
    remove(path);
}

/* Liveness at a time: an expired credential stops carrying authority exactly at expires. */
static void test_store__liveness_follows_at(void **state)
{
    ap_store *st = *state;
    ap_error err;
    assert_int_equal(ap_test_import(st, FIXTURE("store/small.json"), &err), AP_OK);
    ap_graph *before = ap_test_graph(st, 1798761599), *at = ap_test_graph(st, 1798761600);
    uint32_t key = (uint32_t)ap_graph_find(before, "key-1");
    assert_true(ap_graph_node(before, key)->live);
    assert_false(ap_graph_node(at, key)->live);
    assert_false(ap_graph_edge(at, ap_graph_out_begin(at, key))->live);
    /* a partner whose contract has ended is still live (docs/design.md, liveness) */
    assert_true(ap_graph_node(at, (uint32_t)ap_graph_find(at, "acme"))->live);
    ap_graph_free(before);
    ap_graph_free(at);
}

/* `sha256sum FILE`'s digest, or "" when it cannot run. */
static void sha256sum(const char *path, char out[65])
{
    char cmd[512];
    FILE *p;
    out[0] = '\0';
    snprintf(cmd, sizeof cmd, "sha256sum '%s'", path);
    if ((p = popen(cmd, "r")) == NULL)
        return;
    if (fscanf(p, "%64s", out) != 1)
        out[0] = '\0';
    pclose(p);
}

/* snapshot's sources as ap_store_snapshots gives them (JSON array of {path, sha256}). */
static json_t *sources_of(ap_store *st, int64_t snap)
{
    ap_snapshot_info *list = NULL;
    size_t n = 0;
    json_t *out = NULL;
    ap_error err;
    assert_int_equal(ap_store_snapshots(&list, &n, st, &err), AP_OK);
    for (size_t i = 0; i < n; i++)
        if (list[i].id == snap)
            out = json_loads(list[i].sources, 0, NULL);
    ap_snapshot_list_free(list, n);
    assert_non_null(out);
    return out;
}

/* Every imported file's SHA-256, inventories and observed use (JSON stream and CSV), is the one
 * sha256sum computes. */
static void test_store__source_hashes_match_sha256sum(void **state)
{
    static const char *const files[] = { FIXTURE("usage/estate.json"),
                                         FIXTURE("usage/acme-trail.json"),
                                         FIXTURE("usage/sample-events.csv") };
    ap_store *st = *state;
    ap_error err;
    json_t *src;
    for (size_t i = 0; i < 3; i++) {
        ap_import_opts o = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
        int64_t snap = 0;
        assert_int_equal(ap_import_files(st, &files[i], 1, &o, &snap, &err), AP_OK);
    }
    src = sources_of(st, 1);
    assert_int_equal(json_array_size(src), 3);
    for (size_t i = 0; i < 3; i++) {
        const json_t *f = json_array_get(src, i);
        char want[65];
        sha256sum(files[i], want);
        assert_int_equal(strlen(want), 64);
        assert_string_equal(json_string_value(json_object_get(f, "path")), files[i]);
        assert_string_equal(json_string_value(json_object_get(f, "sha256")), want);
    }
    json_decref(src);
}

/* Makes the database path from an SQL text (a `.dump` of a database an older authpath wrote). */
static void load_sql(const char *path, const char *sql_file)
{
    FILE *f = fopen(sql_file, "rb");
    char *sql;
    long n;
    sqlite3 *db;
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    sql = calloc((size_t)n + 1, 1);
    assert_non_null(sql);
    assert_int_equal(fread(sql, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    free(sql);
}

/* A database of schema 2 (tests/fixtures/store/schema-v2.sql, the `.dump` of
 * tests/fixtures/usage/estate.json and acme-trail.json imported by authpath at schema 2) is migrated to 3 on open: what it held
 * reads as before, its files without a hash, and new imports get theirs. */
static void test_store__migrates_schema_2(void **state)
{
    const char *path = temp_db();
    const char *next = FIXTURE("store/small.json");
    char want[65];
    ap_store *st = NULL;
    ap_import_opts o = { .format = AP_FORMAT_AUTO, .created = 1767225600 };
    ap_usage *u = NULL;
    ap_error err;
    int64_t snap = 0;
    json_t *src;
    (void)state;
    load_sql(path, FIXTURE("store/schema-v2.sql"));
    assert_int_equal(ap_store_open(&st, path, &err), AP_OK);
    assert_int_equal(ap_test_count(st, "PRAGMA user_version"), 6);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node"), 7);
    assert_int_equal(ap_usage_load(&u, st, 1, 0, INT64_MAX, &err), AP_OK);
    assert_true(ap_usage_any(u));
    assert_int_equal(ap_usage_count(u), 5);
    ap_usage_free(u);
    src = sources_of(st, 1);
    assert_int_equal(json_array_size(src), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(src, 1), "path")),
                        "tests/fixtures/usage/acme-trail.json");
    assert_true(json_is_null(json_object_get(json_array_get(src, 0), "sha256")));
    json_decref(src);
    assert_int_equal(ap_import_files(st, &next, 1, &o, &snap, &err), AP_OK);
    assert_int_equal(snap, 2);
    src = sources_of(st, 2);
    sha256sum(next, want);
    assert_string_equal(json_string_value(json_object_get(json_array_get(src, 0), "sha256")),
                        want);
    json_decref(src);
    ap_store_close(st);
    /* opened again: nothing more to migrate */
    assert_int_equal(ap_store_open(&st, path, &err), AP_OK);
    assert_int_equal(ap_test_count(st, "PRAGMA user_version"), 6);
    ap_store_close(st);
    remove(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store__round_trip_keeps_everything,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store__snapshots_are_versions,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store__failed_import_leaves_nothing,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test(test_store__newer_schema_is_refused),
        cmocka_unit_test(test_store__new_file_is_private_and_wal),
        cmocka_unit_test_setup_teardown(test_store__liveness_follows_at,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store__source_hashes_match_sha256sum,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test(test_store__migrates_schema_2),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
