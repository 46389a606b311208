/* tests/unit/test_render_isolated.c: rendering cannot take the process down. The 11-deep
 * subcontractor chain that aborts Graphviz 2.42 in gvFreeLayout renders, a failed rendering
 * is an error that does not reach the next one, and long labels still make readable DOT. */
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <gvc.h>

#include "authpath/diagram.h"
#include "support.h"

#define AT 1767225600       /* 2026-01-01 */

typedef struct {
    ap_store *st;
    ap_graph *g;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    ap_error err;
    if (f == NULL || ap_test_store_setup((void **)&f->st) != 0)
        return -1;
    if (ap_test_import(f->st, FIXTURE("diagrams/chain11.json"), &err) != AP_OK) {
        fprintf(stderr, "import: %s\n", err.msg);
        return -1;
    }
    f->g = ap_test_graph(f->st, AT);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    ap_graph_free(f->g);
    ap_store_close(f->st);
    free(f);
    return 0;
}

static uint32_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return (uint32_t)v;
}

static ap_diagram *authority_of(const ap_graph *g, const char *id)
{
    ap_authority *a = NULL;
    ap_diagram *d = NULL;
    ap_error err;
    assert_int_equal(ap_authority_compute(&a, g, node(g, id), &err), AP_OK);
    assert_int_equal(ap_diagram_authority(&d, g, a, &err), AP_OK);
    ap_authority_free(a);
    return d;
}

static ap_diagram *offboard_of(const ap_graph *g, const char *id)
{
    ap_offboard_opts opts = { AP_SENS_CONFIDENTIAL, false, 0, false, false, 0 };
    ap_authority *a = NULL;
    ap_offboard *o = NULL;
    ap_diagram *d = NULL;
    ap_error err;
    assert_int_equal(ap_authority_compute(&a, g, node(g, id), &err), AP_OK);
    assert_int_equal(ap_offboard_compute(&o, g, node(g, id), &opts, &err), AP_OK);
    assert_int_equal(ap_diagram_offboard(&d, g, a, o, &err), AP_OK);
    ap_offboard_free(o);
    ap_authority_free(a);
    return d;
}

/* Render, expecting success and output that starts as the format does. */
static char *render_ok(const ap_graph *g, const ap_diagram *d, const char *format, size_t *len)
{
    char *out = NULL;
    ap_error err;
    if (ap_diagram_render(&out, len, g, d, format, &err) != AP_OK)
        fail_msg("render %s: %s", format, err.msg);
    const char *magic = strcmp(format, "png") == 0 ? "\x89PNG" : strcmp(format, "pdf") == 0
                        ? "%PDF-" : "<?xml";
    assert_true(*len > strlen(magic));
    assert_memory_equal(out, magic, strlen(magic));
    return out;
}

/* Graphviz 2.42 frees a rank array twice after laying this chain out (flat_edges); in-process
 * this aborted authority p10 in svg, png and pdf, and offboard p10 in svg. */
static void test_render__chain11_renders_every_format(void **state)
{
    fixture *f = *state;
    static const char *const formats[] = { "svg", "png", "pdf" };
    ap_diagram *d = authority_of(f->g, "p10");
    for (size_t i = 0; i < 3; i++) {
        size_t len1 = 0, len2 = 0;
        char *one = render_ok(f->g, d, formats[i], &len1);
        char *two = render_ok(f->g, d, formats[i], &len2);
        assert_int_equal(len1, len2);           /* same diagram, same bytes */
        assert_memory_equal(one, two, len1);
        free(one);
        free(two);
    }
    ap_diagram_free(d);
    d = offboard_of(f->g, "p10");
    size_t len = 0;
    char *svg = render_ok(f->g, d, "svg", &len);
    assert_non_null(strstr(svg, "</svg>"));
    free(svg);
    ap_diagram_free(d);
}

/* With no room to load Graphviz's plugins the renderer fails: an error with a message, the
 * caller alive, and the next rendering (room given back) is whole. */
static void test_render__failure_is_an_error_and_does_not_leak(void **state)
{
    fixture *f = *state;
    ap_diagram *d = authority_of(f->g, "p3");
    struct rlimit old, tight;
    char *out = NULL;
    size_t len = 0;
    ap_error err = { 0 };
    FILE *statm = fopen("/proc/self/statm", "r");
    unsigned long long pages = 0;
    assert_non_null(statm);
    assert_int_equal(fscanf(statm, "%llu", &pages), 1);
    fclose(statm);
    assert_int_equal(getrlimit(RLIMIT_CPU, &old), 0);
    /* one CPU second cannot be reached in this test: the address space is what fails */
    assert_int_equal(getrlimit(RLIMIT_AS, &old), 0);
    tight = old;
    tight.rlim_cur = (rlim_t)(pages * 4096 + (4u << 20));
    assert_int_equal(setrlimit(RLIMIT_AS, &tight), 0);
    int rc = ap_diagram_render(&out, &len, f->g, d, "png", &err);
    assert_int_equal(setrlimit(RLIMIT_AS, &old), 0);
    assert_true(rc < 0);
    assert_null(out);
    assert_int_equal(strncmp(err.msg, "graphviz: ", 10), 0);
    out = render_ok(f->g, d, "png", &len);
    free(out);
    ap_diagram_free(d);
}

/* A label longer than Graphviz's 16,384-byte token limit: the diagram's DOT still reads back
 * through cgraph, and the name is cut with the full id kept in the node's tooltip. */
static void test_render__long_names_make_readable_dot(void **state)
{
    (void)state;
    size_t big = 40000;         /* escaped for DOT, '&' and '\\' grow it further */
    char *esc = malloc(2 * big + 1), *doc = malloc(4 * big + 1024);
    ap_store *st = NULL;
    ap_error err;
    size_t k = 0;
    for (size_t i = 0; i < big; i++) {      /* "&\\xy" repeated, JSON-escaped */
        char c = "&\\xy"[i % 4];
        if (c == '\\')
            esc[k++] = '\\';
        esc[k++] = c;
    }
    esc[k] = '\0';
    sprintf(doc, "{\"format\":\"authpath/1\",\"nodes\":["
                 "{\"id\":\"p\",\"kind\":\"partner\",\"name\":\"%s\"},"
                 "{\"id\":\"db-with-a-plain-id\",\"kind\":\"resource\",\"name\":\"%s\","
                 "\"sensitivity\":\"critical\"}],"
                 "\"edges\":[{\"from\":\"p\",\"to\":\"db-with-a-plain-id\",\"kind\":\"access\"}]}",
            esc, esc);
    assert_int_equal(ap_test_store_setup((void **)&st), 0);
    assert_int_equal(ap_test_import(st, ap_test_write_temp("long.json", doc), &err), AP_OK);
    ap_graph *g = ap_test_graph(st, AT);
    ap_diagram *d = authority_of(g, "p");
    char *dot = NULL;
    size_t len = 0;
    assert_int_equal(ap_diagram_render(&dot, &len, g, d, "dot", &err), AP_OK);
    agseterr(AGMAX);
    Agraph_t *back = agmemread(dot);
    char *msg = aglasterr();
    if (back == NULL || msg != NULL)
        fail_msg("agmemread: %s", msg != NULL ? msg : "failed");
    assert_int_equal(agnnodes(back), 3);            /* p, the resource, the legend */
    Agnode_t *n = agfstnode(back);
    for (; n != NULL; n = agnxtnode(back, n)) {
        char *label = agget(n, (char *)"label");
        assert_true(strlen(label) < 16384);
        if (strcmp(agnameof(n), "legend") == 0)
            continue;
        assert_non_null(strstr(label, "…"));
        char *tip = agget(n, (char *)"tooltip");
        assert_true(strcmp(tip, "p") == 0 || strcmp(tip, "db-with-a-plain-id") == 0);
    }
    agclose(back);
    free(dot);
    /* and it lays out and renders */
    char *svg = render_ok(g, d, "svg", &len);
    assert_non_null(strstr(svg, "db&#45;with&#45;a&#45;plain&#45;id"));
    free(svg);
    ap_diagram_free(d);
    ap_graph_free(g);
    ap_store_close(st);
    free(esc);
    free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_render__chain11_renders_every_format),
        cmocka_unit_test(test_render__failure_is_an_error_and_does_not_leak),
        cmocka_unit_test(test_render__long_names_make_readable_dot),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
