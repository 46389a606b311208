/* tests/unit/test_store_bulk.c: the bulk import path: a first snapshot loads into empty tables
 * with its indexes built afterwards, duplicate ids are still found through the staged index. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

static const char *const index_count =
    "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN"
    " ('node_open', 'node_snap', 'edge_open', 'edge_snap')";

/* The first import goes through the bulk path and leaves every index of the schema behind;
 * the second goes through the versioning path and still finds unchanged rows open. */
static void test_store_bulk__first_load_rebuilds_indexes(void **state)
{
    ap_store *st = *state;
    ap_error err;
    assert_int_equal(ap_test_import(st, FIXTURE("store/small.json"), &err), AP_OK);
    assert_int_equal(ap_test_count(st, index_count), 4);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM edge WHERE snap_to IS NULL"), 4);
    assert_int_equal(ap_test_import(st, FIXTURE("store/small.json"), &err), AP_OK);
    /* nothing changed: the rows of snapshot 1 stay open, no new rows */
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM edge"), 4);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node WHERE snap_from = 1"
                                       " AND snap_to IS NULL"), 4);
    assert_int_equal(ap_test_count(st, index_count), 4);
}

/* A failed first import leaves the empty database with its schema whole. */
static void test_store_bulk__failed_first_load_keeps_schema(void **state)
{
    ap_store *st = *state;
    ap_error err;
    const char *bad = ap_test_write_temp("bulk_bad.json",
        "{\"nodes\": [{\"id\": \"x\", \"kind\": \"partner\"}],\n"
        " \"edges\": [{\"from\": \"x\", \"to\": \"y\", \"kind\": \"holds\"}]}\n");
    assert_int_equal(ap_test_import(st, bad, &err), AP_EINPUT);
    remove(bad);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM node"), 0);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM ident"), 0);
    assert_int_equal(ap_test_count(st, index_count), 4);
    assert_int_equal(ap_test_import(st, FIXTURE("store/small.json"), &err), AP_OK);
}

/* Repeated explicit edge ids are reported at the repeat, among many edges. */
static void test_store_bulk__duplicate_edge_id_found(void **state)
{
    ap_store *st = *state;
    ap_error err;
    size_t cap = 1 << 16, used = 0;
    char *text = malloc(cap);
    used += (size_t)snprintf(text + used, cap - used, "{\"nodes\": [{\"id\": \"a\", \"kind\": "
                             "\"partner\"}, {\"id\": \"b\", \"kind\": \"identity\"}],\n"
                             "\"edges\": [\n");
    for (int i = 0; i < 500; i++)
        used += (size_t)snprintf(text + used, cap - used, "%s{\"id\": \"e%d\", \"from\": \"a\", "
                                 "\"to\": \"b\", \"kind\": \"admin_of\"}\n", i ? "," : "",
                                 i == 400 ? 17 : i);
    snprintf(text + used, cap - used, "]}\n");
    const char *path = ap_test_write_temp("bulk_dup.json", text);
    free(text);
    assert_int_equal(ap_test_import(st, path, &err), AP_EINPUT);
    remove(path);
    assert_string_equal(err.msg, "duplicate edge id 'e17'");
    assert_int_equal(err.line, 403);
    assert_int_equal(ap_test_count(st, "SELECT count(*) FROM edge"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_store_bulk__first_load_rebuilds_indexes,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store_bulk__failed_first_load_keeps_schema,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_store_bulk__duplicate_edge_id_found,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
