/* tests/unit/test_model.c: the model's vocabulary: time parsing (every accepted form and the
 * near misses), rights vocabularies and formatting, kind names. */
#include <string.h>

#include "authpath/model.h"
#include "support.h"

static void test_model__time_forms(void **state)
{
    int64_t t;
    (void)state;
    assert_true(ap_time_parse("2026-01-01", &t));
    assert_int_equal(t, 1767225600);
    assert_true(ap_time_parse("2026-01-01T00:00:00Z", &t));
    assert_int_equal(t, 1767225600);
    assert_true(ap_time_parse("2026-01-01T01:30", &t));
    assert_int_equal(t, 1767225600 + 5400);
    assert_true(ap_time_parse("2026-01-01T02:00:00+02:00", &t));
    assert_int_equal(t, 1767225600);
    assert_true(ap_time_parse("2025-12-31T19:00:00.123-05:00", &t));
    assert_int_equal(t, 1767225600);
    assert_true(ap_time_parse("2024-02-29", &t));
    assert_true(ap_time_parse("1969-12-31T23:59:59Z", &t));
    assert_int_equal(t, -1);
    char buf[32];
    ap_time_format(buf, sizeof buf, -1);
    assert_string_equal(buf, "1969-12-31T23:59:59Z");
    ap_time_format(buf, sizeof buf, 1767225600);
    assert_string_equal(buf, "2026-01-01T00:00:00Z");
    ap_time_format(buf, sizeof buf, -86400);
    assert_string_equal(buf, "1969-12-31T00:00:00Z");
    ap_time_format(buf, sizeof buf, -86401);
    assert_string_equal(buf, "1969-12-30T23:59:59Z");
    /* the extremes format without overflow (UBSan in build-san would say) */
    char wide[64];
    ap_time_format(wide, sizeof wide, INT64_MIN);
    assert_int_equal(wide[0], '-');
    assert_string_equal(wide + strlen(wide) - 10, "T08:29:52Z");
    ap_time_format(wide, sizeof wide, INT64_MAX);
    assert_string_equal(wide + strlen(wide) - 10, "T15:30:07Z");
}

static void test_model__time_near_misses(void **state)
{
    static const char *const bad[] = { "", "2026", "2026-1-01", "2026-13-01", "2026-02-29",
        "2025-04-31", "2026-01-01T24:00", "2026-01-01T10", "2026-01-01Z", "2026-01-01T10:00:00X",
        "2026-01-01T10:00:00+0200", "2026-01-01 ", "01/02/2026", "2026-01-01T10:00:00.", NULL };
    int64_t t;
    (void)state;
    for (int i = 0; bad[i] != NULL; i++)
        if (ap_time_parse(bad[i], &t))
            fail_msg("'%s' was accepted", bad[i]);
    assert_false(ap_time_parse(NULL, &t));
}

static void test_model__vocab_and_rights(void **state)
{
    ap_vocab v;
    ap_error err;
    char buf[128];
    (void)state;
    ap_vocab_init(&v);
    assert_int_equal(ap_vocab_add(&v, "export", &err), AP_OK);
    assert_int_equal(ap_vocab_find(&v, "export"), 8);
    assert_int_equal(ap_vocab_add(&v, "read", &err), AP_OK);       /* built-in again: no-op */
    assert_int_equal(v.count, 9);
    assert_int_equal(ap_vocab_add(&v, "all", &err), AP_EINPUT);
    assert_int_equal(ap_vocab_add(&v, "a b", &err), AP_EINPUT);
    ap_rights_format(buf, sizeof buf, &v, (1u << AP_R_WRITE) | (1u << AP_R_READ) | (1u << 8),
                     ",", true);
    assert_string_equal(buf, "read,write,export");
    ap_rights_format(buf, sizeof buf, &v, AP_RIGHTS_ALL, ",", true);
    assert_string_equal(buf, "all");
    ap_rights_format(buf, sizeof buf, &v, 0, ",", true);
    assert_string_equal(buf, "none");
    for (int i = 0; i < 55; i++) {
        char name[16];
        snprintf(name, sizeof name, "r%d", i);
        assert_int_equal(ap_vocab_add(&v, strdup(name), &err), AP_OK);
    }
    assert_int_equal(v.count, 64);
    assert_int_equal(ap_vocab_add(&v, "one-too-many", &err), AP_EINPUT);
    assert_string_equal(err.msg, "too many rights: at most 64");
    for (unsigned i = 9; i < v.count; i++)
        free((char *)v.names[i]);
}

static void test_model__names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < AP_KIND_COUNT; k++)
        assert_int_equal(ap_kind_parse(ap_kind_name((ap_kind)k)), k);
    for (int k = 0; k < AP_EDGE_COUNT; k++)
        assert_int_equal(ap_edge_kind_parse(ap_edge_kind_name((ap_edge_kind)k)), k);
    assert_int_equal(ap_kind_parse("parnter"), AP_KIND_NONE);
    assert_true(ap_edge_kind_info_of(AP_EDGE_RUNS_AS)->escalates);
    assert_false(ap_edge_kind_info_of(AP_EDGE_DEPENDS_ON)->traversable);
    assert_int_equal(ap_edge_kind_info_of(AP_EDGE_TRIGGERS)->requires, 1u << AP_R_WRITE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_model__time_forms),
        cmocka_unit_test(test_model__time_near_misses),
        cmocka_unit_test(test_model__vocab_and_rights),
        cmocka_unit_test(test_model__names_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
