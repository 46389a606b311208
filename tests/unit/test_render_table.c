/* tests/unit/test_render_table.c: tables for people and spreadsheets: alignment by characters,
 * control characters escaped for terminals, CSV quoting and the formula-injection guard. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/render.h"
#include "support.h"

static char *render(const ap_table *t, int csv)
{
    char *buf = NULL;
    size_t len = 0;
    ap_error err;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(csv ? ap_table_write_csv(t, f, &err) : ap_table_write_text(t, f, &err),
                     AP_OK);
    fclose(f);
    return buf;
}

static ap_table *sample_table(void)
{
    static const char *const head[] = { "ID", "NAME" };
    static const char *const r1[] = { "=cmd|' /C calc'!A0", "Zoë" };
    static const char *const r2[] = { "a\"b,c", "line1\nline2\x1b[31m" };
    static const char *const r3[] = { "-1", "@SUM(1)" };
    ap_table *t = NULL;
    ap_error err;
    assert_int_equal(ap_table_new(&t, 2, head, &err), AP_OK);
    assert_int_equal(ap_table_add(t, r1, &err), AP_OK);
    assert_int_equal(ap_table_add(t, r2, &err), AP_OK);
    assert_int_equal(ap_table_add(t, r3, &err), AP_OK);
    return t;
}

/* Cells that a spreadsheet would run as formulas start with a quote; every cell is quoted and
 * embedded quotes doubled (RFC 4180). */
static void test_render_table__csv_is_quoted_and_formula_safe(void **state)
{
    (void)state;
    ap_table *t = sample_table();
    char *csv = render(t, 1);
    assert_string_equal(csv,
        "\"ID\",\"NAME\"\r\n"
        "\"'=cmd|' /C calc'!A0\",\"Zoë\"\r\n"
        "\"a\"\"b,c\",\"line1\nline2\x1b[31m\"\r\n"
        "\"'-1\",\"'@SUM(1)\"\r\n");
    free(csv);
    ap_table_free(t);
}

/* A quote already before a formula gets one more, so that reading the cell back (one guard
 * quote off) gives it as it was; quotes before anything else stay as they are. */
static void test_render_table__guard_quotes_are_reversible(void **state)
{
    static const char *const head[] = { "A", "B", "C", "D" };
    static const char *const row[] = { "'=x", "''-1", "'plain", "'" };
    ap_table *t = NULL;
    ap_error err;
    char *csv;
    (void)state;
    assert_int_equal(ap_table_new(&t, 4, head, &err), AP_OK);
    assert_int_equal(ap_table_add(t, row, &err), AP_OK);
    csv = render(t, 1);
    assert_string_equal(csv, "\"A\",\"B\",\"C\",\"D\"\r\n"
                             "\"''=x\",\"'''-1\",\"'plain\",\"'\"\r\n");
    free(csv);
    ap_table_free(t);
}

/* Text columns align by characters, not bytes; newlines and escape sequences never reach the
 * terminal raw. */
static void test_render_table__text_aligns_and_escapes(void **state)
{
    (void)state;
    ap_table *t = sample_table();
    char *text = render(t, 0);
    assert_string_equal(text,
        "ID                  NAME\n"
        "=cmd|' /C calc'!A0  Zoë\n"
        "a\"b,c               line1\\nline2\\x1b[31m\n"
        "-1                  @SUM(1)\n");
    free(text);
    ap_table_free(t);
}

static void test_render_table__escape_handles_invalid_utf8(void **state)
{
    (void)state;
    char *s = ap_text_escape("ok\xff\xc3(\\end");
    assert_string_equal(s, "ok\\xff\\xc3(\\\\end");
    free(s);
    assert_int_equal(ap_text_width("Zoë"), 3);
}

/* A right-to-left override or isolate in a name cannot reorder what the terminal shows. */
static void test_render_table__escape_shows_bidi_controls(void **state)
{
    (void)state;
    /* RLO, LRI, RLM are escaped; an em dash and other printable text are not */
    char *s = ap_text_escape("a\xe2\x80\xae b\xe2\x81\xa6" "c\xe2\x80\x8f \xe2\x80\x94 \xc2\x9b");
    assert_string_equal(s, "a\\xe2\\x80\\xae b\\xe2\\x81\\xa6" "c\\xe2\\x80\\x8f "
                           "\xe2\x80\x94 \\xc2\\x9b");
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_table__csv_is_quoted_and_formula_safe),
        cmocka_unit_test(test_render_table__guard_quotes_are_reversible),
        cmocka_unit_test(test_render_table__text_aligns_and_escapes),
        cmocka_unit_test(test_render_table__escape_handles_invalid_utf8),
        cmocka_unit_test(test_render_table__escape_shows_bidi_controls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
