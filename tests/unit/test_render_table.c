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

/* A cell longer than the writer's buffer, guarded and full of quotes, comes out whole: every
 * quote doubled, the guard after the opening quote, and an empty cell is "". */
static void test_render_table__long_cells_are_quoted_whole(void **state)
{
    enum { LEN = 9000 };
    char *cell = malloc(LEN + 1), *want = malloc(2 * LEN + 16), *buf = NULL;
    size_t k = 0, len = 0;
    ap_error err;
    (void)state;
    assert_non_null(cell);
    assert_non_null(want);
    for (size_t i = 0; i < LEN; i++)
        cell[i] = i == 0 ? '=' : i % 7 == 0 ? '"' : (char)('a' + i % 26);
    cell[LEN] = '\0';
    want[k++] = '"';
    want[k++] = '\'';
    for (size_t i = 0; i < LEN; i++) {
        if (cell[i] == '"')
            want[k++] = '"';
        want[k++] = cell[i];
    }
    memcpy(want + k, "\",\"\"\r\n", 7);
    const char *row[] = { cell, "" };
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(ap_csv_write_row(f, row, 2, &err), AP_OK);
    fclose(f);
    assert_string_equal(buf, want);
    free(buf);
    free(cell);
    free(want);
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
    assert_string_equal(s, "a\\u202e b\\u2066" "c\\u200f \xe2\x80\x94 \\u009b");
    free(s);
    /* the Arabic letter mark and every other bidi control, each shown by its code point */
    s = ap_text_escape("\xd8\x9c\xe2\x80\x8e\xe2\x80\xaa\xe2\x80\xab\xe2\x80\xac"
                       "\xe2\x80\xad\xe2\x81\xa7\xe2\x81\xa8\xe2\x81\xa9 \xd8\xa8");
    assert_string_equal(s, "\\u061c\\u200e\\u202a\\u202b\\u202c\\u202d\\u2067\\u2068"
                           "\\u2069 \xd8\xa8");
    free(s);
}

/* A whole text output: the layout's newlines and tabs stay, every other control is shown. */
static void test_render_table__layout_escape_keeps_lines(void **state)
{
    (void)state;
    static const char in[] = "a\tb\n\x1b[2J\r\x7f\\\0\xc2\x85\xe2\x80\xae\xe2\x80";
    char *s = ap_text_escape_n(in, sizeof in - 1, AP_TEXT_LAYOUT);
    assert_string_equal(s, "a\tb\n\\x1b[2J\\x0d\\x7f\\\\x00\\u0085\\u202e\\xe2\\x80");
    free(s);
}

/* Fitting a width: the widest column narrows and its long cells lose their middle. */
static void test_render_table__fit_shortens_in_the_middle(void **state)
{
    (void)state;
    static const char *const head[] = { "KIND", "ID", "RIGHTS" };
    const char *row1[] = { "role", "arn:aws:iam::123456789012:role/partner-deploy", "all" };
    const char *row2[] = { "resource", "crm", "read" };
    ap_table *t = NULL;
    ap_error err;
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(ap_table_new(&t, 3, head, &err), AP_OK);
    assert_int_equal(ap_table_add(t, row1, &err), AP_OK);
    assert_int_equal(ap_table_add(t, row2, &err), AP_OK);
    FILE *f = open_memstream(&text, &len);
    assert_int_equal(ap_table_write_text_fit(t, f, 40, &err), AP_OK);
    fclose(f);
    assert_string_equal(text,
        "KIND      ID                      RIGHTS\n"
        "role      arn:aws:iam\xe2\x80\xa6" "ner-deploy  all\n"
        "resource  crm                     read\n");
    free(text);
    text = NULL;
    f = open_memstream(&text, &len);
    assert_int_equal(ap_table_write_text_fit(t, f, 0, &err), AP_OK);     /* 0: whole */
    fclose(f);
    assert_non_null(strstr(text, "arn:aws:iam::123456789012:role/partner-deploy  all\n"));
    free(text);
    ap_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_table__csv_is_quoted_and_formula_safe),
        cmocka_unit_test(test_render_table__guard_quotes_are_reversible),
        cmocka_unit_test(test_render_table__long_cells_are_quoted_whole),
        cmocka_unit_test(test_render_table__text_aligns_and_escapes),
        cmocka_unit_test(test_render_table__escape_handles_invalid_utf8),
        cmocka_unit_test(test_render_table__escape_shows_bidi_controls),
        cmocka_unit_test(test_render_table__layout_escape_keeps_lines),
        cmocka_unit_test(test_render_table__fit_shortens_in_the_middle),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
