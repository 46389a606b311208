/* tests/unit/test_import_attrs.c: the kept attributes of a node or edge are byte for byte what
 * json_dumps() writes for them (compact, sorted keys, ASCII), on the fast path and off it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "support.h"

/* import/import_internal.h is not visible to tests: the functions under test. */
char *ap_import__attrs(const json_t *obj, const char *const *skip, size_t nskip);
int ap_import__attr_put(char **p, const char *end, const char *key, size_t klen, const char *s,
                        size_t len, int quoted);

/* What the attributes were before the fast path: a copy without the skipped keys, dumped. */
static char *reference(const json_t *obj, const char *const *skip, size_t nskip)
{
    json_t *copy = json_object();
    const char *key;
    json_t *v;
    char *text;
    json_object_foreach((json_t *)obj, key, v) {
        size_t i = 0;
        while (i < nskip && strcmp(skip[i], key) != 0)
            i++;
        if (i == nskip && !json_is_null(v))
            json_object_set(copy, key, v);
    }
    text = json_dumps(copy, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENSURE_ASCII);
    json_decref(copy);
    return text;
}

static void check(const char *doc)
{
    static const char *const skip[] = { "id", "kind", "from" };
    json_error_t jerr;
    json_t *obj = json_loads(doc, JSON_ALLOW_NUL, &jerr);
    char *want, *got;
    if (obj == NULL)
        fail_msg("bad test JSON %s: %s", doc, jerr.text);
    want = reference(obj, skip, 3);
    got = ap_import__attrs(obj, skip, 3);
    assert_non_null(got);
    assert_string_equal(got, want);
    free(want);
    free(got);
    json_decref(obj);
}

static void test_import_attrs__same_as_json_dumps(void **state)
{
    static const char *const docs[] = {
        "{}",
        "{\"id\": \"x\", \"kind\": \"role\"}",
        "{\"id\": \"x\", \"name\": \"A b\", \"owner\": null, \"type\": \"vendor\"}",
        "{\"zeta\": \"1\", \"Alpha\": \"2\", \"alpha\": \"3\", \"_u\": \"4\", \"a_b\": \"5\"}",
        "{\"static\": true, \"logged\": false, \"name\": \"\"}",
        "{\"name\": \"caf\\u00e9\", \"owner\": \"ok\"}",
        "{\"name\": \"say \\\"hi\\\"\", \"path\": \"C:\\\\x\", \"url\": \"a/b\"}",
        "{\"name\": \"tab\\there\", \"del\": \"\\u007f\", \"nul\": \"a\\u0000b\"}",
        "{\"n\": 42, \"r\": 1.5, \"big\": -9007199254740993}",
        "{\"list\": [\"a\", 1, null], \"obj\": {\"b\": 1, \"a\": [true]}}",
        "{\"k\\u00e9y\": \"v\", \"plain\": \"w\"}",
        "{\"a\\\"q\": \"v\"}",
        "{\"emoji\": \"\\ud83d\\ude00\"}",
    };
    (void)state;
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++)
        check(docs[i]);
}

/* More attributes than the fast path holds go to jansson, in the same order. */
static void test_import_attrs__many_keys(void **state)
{
    char doc[4096];
    size_t used = 0;
    (void)state;
    used += (size_t)snprintf(doc + used, sizeof doc - used, "{");
    for (int i = 40; i > 0; i--)
        used += (size_t)snprintf(doc + used, sizeof doc - used, "%s\"k%d\": \"v%d\"",
                                 i < 40 ? ", " : "", i, i);
    snprintf(doc + used, sizeof doc - used, "}");
    check(doc);
}

/* The writer the CSV fast path shares: a comma between pairs, strings quoted, booleans bare, and
 * a pair that would leave no room for "}" and its NUL refused, the text as it was. */
static void test_import_attrs__put_pairs_and_room(void **state)
{
    char buf[24], *p = buf;
    (void)state;
    memset(buf, 'x', sizeof buf);
    *p++ = '{';
    assert_true(ap_import__attr_put(&p, buf + sizeof buf, "a", 1, "b", 1, 1));
    assert_true(ap_import__attr_put(&p, buf + sizeof buf, "c", 1, "true", 4, 0));
    assert_int_equal(p - buf, 17);                  /* {"a":"b","c":true */
    assert_false(ap_import__attr_put(&p, buf + sizeof buf, "d", 1, "e", 1, 1));
    assert_int_equal(p - buf, 17);
    *p++ = '}';
    *p = '\0';
    assert_string_equal(buf, "{\"a\":\"b\",\"c\":true}");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_import_attrs__same_as_json_dumps),
        cmocka_unit_test(test_import_attrs__many_keys),
        cmocka_unit_test(test_import_attrs__put_pairs_and_room),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
