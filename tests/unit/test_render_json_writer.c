/* tests/unit/test_render_json_writer.c: a JSON document written a piece at a time
 * (ap_json_writer) is byte for byte the document jansson dumps whole, arrays within arrays. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "authpath/render.h"
#include "support.h"

static char *whole(json_t *doc)
{
    char *text = json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    size_t n = strlen(text);
    char *with_nl = malloc(n + 2);
    memcpy(with_nl, text, n);
    strcpy(with_nl + n, "\n");
    free(text);
    return with_nl;
}

/* {"name", "groups": [{"id", "members": [...], "n"}, ...], "cut": {"ids": [...], "none": []},
 * "end"}: groups[i] holds i members, whose ids read like the keys streamed into. */
static json_t *group(size_t i, bool with_members)
{
    json_t *g = json_object(), *m = json_array();
    json_object_set_new(g, "id", json_sprintf("g%zu \"members\": []", i));
    for (size_t k = 0; with_members && k < i; k++)
        json_array_append_new(m, json_pack("{s:s, s:i}", "member", "\"ids\": []", "k", (int)k));
    json_object_set_new(g, "members", m);
    json_object_set_new(g, "n", json_integer((json_int_t)i));
    return g;
}

static json_t *document(bool full)
{
    json_t *doc = json_object(), *groups = json_array(), *cut = json_object();
    json_t *ids = json_array();
    json_object_set_new(doc, "name", json_string("caf\xc3\xa9 \"groups\": []\n"));
    for (size_t i = 0; full && i < 3; i++)
        json_array_append_new(groups, group(i, true));
    json_object_set_new(doc, "groups", groups);
    for (size_t i = 0; full && i < 2; i++)
        json_array_append_new(ids, json_sprintf("id%zu", i));
    json_object_set_new(cut, "ids", ids);
    json_object_set_new(cut, "none", json_array());
    json_object_set_new(doc, "cut", cut);
    json_object_set_new(doc, "end", json_true());
    return doc;
}

/* Nested lists, an empty list left as it is, ids that read like keys: the same bytes. */
static void test_render_json_writer__nested_is_the_whole_dump(void **state)
{
    char *buf = NULL, *want;
    size_t len = 0;
    ap_json_writer *w = NULL;
    ap_error err;
    json_t *full = document(true);
    FILE *f = open_memstream(&buf, &len);
    (void)state;
    want = whole(full);
    json_decref(full);
    assert_int_equal(ap_json_writer_new(&w, f, document(false), &err), AP_OK);
    assert_int_equal(ap_json_writer_array(w, "groups", &err), AP_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(ap_json_writer_item_open(w, group(i, false), &err), AP_OK);
        assert_int_equal(ap_json_writer_array(w, "members", &err), AP_OK);
        for (size_t k = 0; k < i; k++)
            assert_int_equal(ap_json_writer_item(w, json_pack("{s:s, s:i}", "member",
                                                              "\"ids\": []", "k", (int)k),
                                                 &err), AP_OK);
        assert_int_equal(ap_json_writer_close(w, &err), AP_OK);
        assert_int_equal(ap_json_writer_item_close(w, &err), AP_OK);
    }
    assert_int_equal(ap_json_writer_close(w, &err), AP_OK);
    assert_int_equal(ap_json_writer_array(w, "ids", &err), AP_OK);
    for (size_t i = 0; i < 2; i++)
        assert_int_equal(ap_json_writer_item(w, json_sprintf("id%zu", i), &err), AP_OK);
    assert_int_equal(ap_json_writer_close(w, &err), AP_OK);
    assert_int_equal(ap_json_writer_finish(w, &err), AP_OK);
    ap_json_writer_free(w);
    fclose(f);
    assert_string_equal(buf, want);
    free(buf);
    free(want);
}

/* Misuse is our bug, said as one: a key the skeleton does not hold (or holds only behind what
 * was written), an item outside an array, finishing with an array open. */
static void test_render_json_writer__misuse_is_a_bug(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    ap_json_writer *w = NULL;
    ap_error err;
    FILE *f = open_memstream(&buf, &len);
    (void)state;
    assert_int_equal(ap_json_writer_new(&w, f, document(false), &err), AP_OK);
    assert_int_equal(ap_json_writer_item(w, json_integer(1), &err), AP_EBUG);
    assert_int_equal(ap_json_writer_array(w, "ids", &err), AP_OK);
    assert_int_equal(ap_json_writer_close(w, &err), AP_OK);
    assert_int_equal(ap_json_writer_array(w, "groups", &err), AP_EBUG);   /* behind */
    assert_string_equal(err.msg, "no empty 'groups' array to stream into");
    assert_int_equal(ap_json_writer_array(w, "none", &err), AP_OK);
    assert_int_equal(ap_json_writer_finish(w, &err), AP_EBUG);
    assert_int_equal(ap_json_writer_item_close(w, &err), AP_EBUG);
    ap_json_writer_free(w);
    fclose(f);
    free(buf);
}

/* NULL (what jansson gives when out of memory) is refused as out of memory, the skeleton's
 * too, and nothing is leaked. */
static void test_render_json_writer__null_is_out_of_memory(void **state)
{
    char *buf = NULL;
    size_t len = 0;
    ap_json_writer *w = NULL;
    ap_error err;
    FILE *f = open_memstream(&buf, &len);
    (void)state;
    assert_int_equal(ap_json_writer_new(&w, f, NULL, &err), AP_ENOMEM);
    assert_null(w);
    assert_int_equal(ap_json_writer_new(&w, f, document(false), &err), AP_OK);
    assert_int_equal(ap_json_writer_array(w, "groups", &err), AP_OK);
    assert_int_equal(ap_json_writer_item(w, NULL, &err), AP_ENOMEM);
    assert_int_equal(ap_json_writer_item_open(w, NULL, &err), AP_ENOMEM);
    ap_json_writer_free(w);
    fclose(f);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render_json_writer__nested_is_the_whole_dump),
        cmocka_unit_test(test_render_json_writer__misuse_is_a_bug),
        cmocka_unit_test(test_render_json_writer__null_is_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
