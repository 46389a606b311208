/* tests/unit/test_findings_utf8.c: findings whose text JSON cannot carry (not valid UTF-8) are
 * an error that names the string, never a finding written without it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/findings.h"
#include "authpath/render.h"
#include "support.h"

/* A partner whose id is not UTF-8 ("vendor-\xff", as no reader would let in: staged through
 * the store's own API) and a valid one, neither with sponsor or purpose; loaded as a graph. */
static ap_graph *estate(ap_store *st)
{
    static const char *const ids[] = { "ok-partner", "vendor-\xff" };
    ap_error err;
    int64_t file, snap;
    assert_int_equal(ap_store_begin(st, &err), AP_OK);
    assert_int_equal(ap_store_add_source(st, "estate.json", &file, &err), AP_OK);
    for (size_t i = 0; i < 2; i++) {
        ap_node_rec rec;
        memset(&rec, 0, sizeof rec);
        rec.id = ids[i];
        rec.kind = AP_KIND_PARTNER;
        rec.state = AP_STATE_ACTIVE;
        rec.valid_from = rec.expires = AP_TIME_NONE;
        rec.sensitivity = AP_SENS_NONE;
        rec.attrs = "{}";
        rec.line = (unsigned)i + 1;
        rec.col = 1;
        assert_int_equal(ap_store_stage_node(st, file, &rec, &err), AP_OK);
    }
    assert_int_equal(ap_store_commit(st, "utf8", 1767225600, &snap, &err), AP_OK);
    return ap_test_graph(st, 1767225600);
}

static ap_findings *undocumented(const ap_graph *g)
{
    static const char *const rules[] = { "partner-undocumented" };
    ap_findings_opts fo = { NULL, rules, 1, -1, AP_SEV_NONE };
    ap_findings *f = NULL;
    ap_error err;
    assert_int_equal(ap_findings_compute(&f, g, &fo, &err), AP_OK);
    assert_int_equal(ap_findings_count(f), 2);
    return f;
}

/* The output written to a memory buffer: its bytes (owned) and the status. */
static char *written(int (*write)(FILE *, const ap_graph *, const ap_findings *, ap_error *),
                     const ap_graph *g, const ap_findings *f, ap_error *err, int *rc)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    *rc = write(out, g, f, err);
    fclose(out);
    return buf;
}

static int sarif(FILE *out, const ap_graph *g, const ap_findings *f, ap_error *err)
{
    return ap_findings_write_sarif(out, g, f, "test", err);
}

/* JSON: the finding on the partner whose id is not UTF-8 is an error naming the finding and
 * the string (before: written with its "subject" and "partner" keys left out, exit 0). */
static void test_findings_utf8__json_refuses_what_it_cannot_carry(void **state)
{
    ap_store *st = *state;
    ap_graph *g = estate(st);
    ap_findings *f = undocumented(g);
    ap_error err;
    int rc;
    char *out = written(ap_findings_write_json, g, f, &err, &rc);
    assert_int_equal(rc, AP_EINPUT);
    assert_string_equal(err.msg, "finding 2 (rule partner-undocumented): its subject is not "
                                 "valid UTF-8, which JSON cannot carry (no finding is written "
                                 "short of it)");
    /* nothing of it was written: no "subject"-less finding */
    assert_null(strstr(out, "\"rule\": \"partner-undocumented\",\n      \"severity\": \"low\",\n"
                            "      \"message\""));
    free(out);
    ap_findings_free(f);
    ap_graph_free(g);
}

/* SARIF carries the same evidence: the same error. */
static void test_findings_utf8__sarif_refuses_it_too(void **state)
{
    ap_store *st = *state;
    ap_graph *g = estate(st);
    ap_findings *f = undocumented(g);
    ap_error err;
    int rc;
    free(written(sarif, g, f, &err, &rc));
    assert_int_equal(rc, AP_EINPUT);
    assert_non_null(strstr(err.msg, "finding 2 (rule partner-undocumented): its subject is not "
                                    "valid UTF-8"));
    ap_findings_free(f);
    ap_graph_free(g);
}

/* The check can pass: the same estate without that partner writes whole. */
static void test_findings_utf8__valid_text_is_written(void **state)
{
    static const char *const rules[] = { "partner-undocumented" };
    ap_store *st = *state;
    ap_graph *g = estate(st);
    ap_findings_opts fo = { NULL, rules, 1, ap_graph_find(g, "ok-partner"), AP_SEV_NONE };
    ap_findings *f = NULL;
    ap_error err;
    int rc;
    char *out;
    assert_int_equal(ap_findings_compute(&f, g, &fo, &err), AP_OK);
    assert_int_equal(ap_findings_count(f), 1);
    out = written(ap_findings_write_json, g, f, &err, &rc);
    assert_int_equal(rc, AP_OK);
    assert_non_null(strstr(out, "\"subject\": \"ok-partner\""));
    free(out);
    ap_findings_free(f);
    ap_graph_free(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_findings_utf8__json_refuses_what_it_cannot_carry,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_findings_utf8__sarif_refuses_it_too,
                                        ap_test_store_setup, ap_test_store_teardown),
        cmocka_unit_test_setup_teardown(test_findings_utf8__valid_text_is_written,
                                        ap_test_store_setup, ap_test_store_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
