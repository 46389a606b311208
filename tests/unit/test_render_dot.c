/* tests/unit/test_render_dot.c: diagrams. Escaping, hostile names parsed back by Graphviz and
 * shown intact in SVG, marks, collapsing, and the same bytes for the same input. */
#include <stdlib.h>
#include <string.h>

#include <gvc.h>

#include "authpath/diagram.h"
#include "support.h"

#define AT 1767225600       /* 2026-01-01 */

typedef struct {
    ap_store *st;
    ap_graph *g;
} fixture;

static int setup_file(void **state, const char *path)
{
    fixture *f = calloc(1, sizeof *f);
    ap_error err;
    if (f == NULL || ap_test_store_setup((void **)&f->st) != 0)
        return -1;
    if (ap_test_import(f->st, path, &err) != AP_OK) {
        fprintf(stderr, "import %s: %s\n", path, err.msg);
        return -1;
    }
    f->g = ap_test_graph(f->st, AT);
    *state = f;
    return 0;
}

static int setup_estate(void **s) { return setup_file(s, FIXTURE("diagrams/estate.json")); }
static int setup_hostile(void **s) { return setup_file(s, FIXTURE("diagrams/hostile.json")); }

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

static char *render(const ap_graph *g, const ap_diagram *d, const char *format, size_t *len)
{
    char *out = NULL;
    size_t n = 0;
    ap_error err;
    if (ap_diagram_render(&out, &n, g, d, format, &err) != AP_OK)
        fail_msg("render %s: %s", format, err.msg);
    if (len != NULL)
        *len = n;
    return out;
}

static ap_diagram *authority_diagram(const ap_graph *g, const char *partner, bool blast)
{
    ap_authority *a = NULL;
    ap_diagram *d = NULL;
    ap_error err;
    assert_int_equal(ap_authority_compute(&a, g, node(g, partner), &err), AP_OK);
    if (blast)
        assert_int_equal(ap_diagram_blast(&d, g, a, &err), AP_OK);
    else
        assert_int_equal(ap_diagram_authority(&d, g, a, &err), AP_OK);
    ap_authority_free(a);
    return d;
}

/* Parse DOT back with cgraph and lay it out and render it to SVG with gvc: no error, no
 * warning. *svg (when not NULL) receives the SVG (free()). */
static Agraph_t *parse_back(const char *dot, char **svg)
{
    agseterr(AGMAX);
    Agraph_t *g = agmemread(dot);
    char *msg = aglasterr();
    if (g == NULL || msg != NULL)
        fail_msg("agmemread: %s", msg != NULL ? msg : "failed");
    static GVC_t *gvc;      /* one for the process: Graphviz's pango plugin outlives contexts */
    char *data = NULL;
    if (gvc == NULL)
        gvc = gvContext();
    unsigned int len = 0;
    assert_int_equal(gvLayout(gvc, g, "dot"), 0);
    assert_int_equal(gvRenderData(gvc, g, "svg", &data, &len), 0);
    if ((msg = aglasterr()) != NULL)
        fail_msg("graphviz: %s", msg);
    if (svg != NULL)
        *svg = strdup(data);
    gvFreeRenderData(data);
    gvFreeLayout(gvc, g);
    return g;
}

static int count_in(const char *s, const char *needle)
{
    int k = 0;
    size_t n = strlen(needle), len = strlen(s);
    for (size_t i = 0; i + n <= len; i++)
        k += memcmp(s + i, needle, n) == 0;
    return k;
}

/* The XML text Graphviz writes for s in SVG (it writes '-' as &#45; too). */
static char *xml(const char *s)
{
    char *out = malloc(strlen(s) * 6 + 1), *p = out;
    for (; *s != '\0'; s++) {
        const char *rep = *s == '&' ? "&amp;" : *s == '<' ? "&lt;" : *s == '>' ? "&gt;"
                        : *s == '"' ? "&quot;" : *s == '-' ? "&#45;" : NULL;
        if (rep != NULL) {
            strcpy(p, rep);
            p += strlen(rep);
        } else {
            *p++ = *s;
        }
    }
    *p = '\0';
    return out;
}

/* ---- escaping ---- */

static void test_dot__escape_makes_every_byte_data(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        { "plain", "plain" },
        { "&amp; &#x41; &", "&amp;amp; &amp;#x41; &amp;" },
        { "back\\slash", "back\\\\slash" },
        { "trail\\", "trail\\\\" },
        { "esc\\\"q", "esc\\\\\"q" },
        { "\\N\\G\\l", "\\\\N\\\\G\\\\l" },
        { "two\nlines", "two\\nlines" },
        { "crlf\r\nx", "crlf\\nx" },
        { "tab\tx", "tab\\\\x09x" },
        { "bad\xff", "bad\\\\xFF" },
        { "over\xc0\xaflong", "over\\\\xC0\\\\xAFlong" },
        { "\xe6\x97\xa5 \xf0\x9f\x94\x92", "\xe6\x97\xa5 \xf0\x9f\x94\x92" },
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *got = ap_diagram_escape(cases[i].in);
        assert_non_null(got);
        assert_string_equal(got, cases[i].out);
        free(got);
    }
}

/* ---- hostile names ---- */

static const char *const traps[] = {
    "q\"uote", "back\\slash", "trail\\", "esc\\\"q", "x\\N \\G \\E \\T \\H \\L \\l \\r",
    "C:\\new\\T", "<b>bold</b> & <i>", "}; digraph evil {", "cluster_fake", "node", "subgraph",
    "-- ->", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e \xc3\xbc \xe2\x98\x83 \xf0\x9f\x94\x92",
    "&amp; &lt; &#x41;", " <TABLE><TR><TD>x</TD></TR></TABLE>", "%s %n %x",
};

/* Every trap comes back from Graphviz as exactly itself: parsed DOT has only synthetic node
 * names (nothing injected), and its SVG and the in-process SVG show each text intact. */
static void test_dot__hostile_names_survive_dot_and_svg(void **state)
{
    fixture *f = *state;
    ap_diagram *d = authority_diagram(f->g, "p\"<evil>\\N", false);
    char *dot = render(f->g, d, "dot", NULL), *svg = render(f->g, d, "svg", NULL), *svg2 = NULL;
    Agraph_t *back = parse_back(dot, &svg2);
    int count = 0;
    for (Agnode_t *n = agfstnode(back); n != NULL; n = agnxtnode(back, n), count++) {
        const char *name = agnameof(n);
        if (strcmp(name, "legend") != 0 && strncmp(name, "collapsed", 9) != 0) {
            assert_true(name[0] == 'n');
            assert_true(strspn(name + 1, "0123456789") == strlen(name + 1));
        }
    }
    assert_int_equal(count, (int)d->nnodes + (int)d->ncollapsed + 1);
    assert_null(agnode(back, (char *)"evil", 0));
    assert_null(agsubg(back, (char *)"cluster_fake", 0));
    assert_int_equal(d->nnodes, 24);
    for (size_t i = 0; i < sizeof traps / sizeof traps[0]; i++) {
        char *want = xml(traps[i]);
        char tagged[4096];
        snprintf(tagged, sizeof tagged, ">%s<", want);
        if (strstr(svg, tagged) == NULL && strstr(svg, want) == NULL)
            fail_msg("in-process SVG lost '%s'", traps[i]);
        if (strstr(svg2, want) == NULL)
            fail_msg("SVG of the parsed DOT lost '%s'", traps[i]);
        free(want);
    }
    /* a newline breaks the line, a tab shows as \x09; a 1200-character name is cut to 200
     * in its label, broken into lines of 32, and the tooltip keeps the whole id */
    assert_non_null(strstr(svg, ">two<"));
    assert_non_null(strstr(svg, ">lines<"));
    assert_non_null(strstr(svg, ">tab\\x09here<"));
    char longest[1220];
    longest[0] = '>';
    memset(longest + 1, 'L', 32);
    strcpy(longest + 33, "<");
    assert_int_equal(count_in(svg, longest), 6);
    memset(longest + 1, 'L', 8);
    strcpy(longest + 9, "\xe2\x80\xa6<");
    assert_int_equal(count_in(svg, longest), 1);
    assert_int_equal(count_in(svg2, longest), 1);
    strcpy(longest, "xlink:title=\"");
    memset(longest + 13, 'L', 1200);
    strcpy(longest + 1213, "\"");
    assert_non_null(strstr(svg, longest));
    agclose(back);
    free(dot);
    free(svg);
    free(svg2);
    ap_diagram_free(d);
}

/* ---- marks, collapse, determinism ---- */

static const ap_diagram_node *shown(const ap_graph *g, const ap_diagram *d, const char *id)
{
    for (uint32_t i = 0; i < d->nnodes; i++)
        if (strcmp(ap_graph_node(g, d->nodes[i].node)->id, id) == 0)
            return &d->nodes[i];
    return NULL;
}

static void test_dot__marks(void **state)
{
    fixture *f = *state;
    ap_diagram *d = authority_diagram(f->g, "acme", false);
    unsigned esc = 0;
    assert_true(shown(f->g, d, "acme")->marks & AP_MARK_SOURCE);
    assert_true(shown(f->g, d, "key-shared")->marks & AP_MARK_SHARED);
    assert_false(shown(f->g, d, "key-acme")->marks & AP_MARK_SHARED);
    assert_false(shown(f->g, d, "key-acme")->marks & AP_MARK_EXPIRED_LIVE);
    for (uint32_t i = 0; i < d->nedges; i++)
        if (d->edges[i].marks & AP_MARK_ESCALATION) {
            assert_int_equal(ap_graph_edge(f->g, d->edges[i].edge)->kind, AP_EDGE_RUNS_AS);
            esc++;
        }
    assert_int_equal(esc, 1);
    assert_int_equal(d->collapsed_nodes, 0);
    assert_null(d->note);
    ap_diagram_free(d);
    d = authority_diagram(f->g, "oldco", true);
    assert_true(shown(f->g, d, "key-old")->marks & AP_MARK_EXPIRED_LIVE);
    char *dot = render(f->g, d, "dot", NULL);
    assert_non_null(strstr(dot, "STILL LIVE: partner ended"));
    free(dot);
    ap_diagram_free(d);
}

/* Delegation loops of length 1, 2 and 5: eight edges marked as loop edges. */
static void test_dot__delegation_loops_marked(void **state)
{
    fixture *f = *state;
    ap_delegation *dl = NULL;
    ap_diagram *d = NULL;
    ap_error err;
    unsigned loops = 0;
    assert_int_equal(ap_delegation_compute(&dl, f->g, -1, &err), AP_OK);
    assert_int_equal(ap_diagram_delegation(&d, f->g, dl, -1, &err), AP_OK);
    for (uint32_t i = 0; i < d->nedges; i++)
        loops += (d->edges[i].marks & AP_MARK_LOOP) != 0;
    assert_int_equal(loops, 8);
    char *dot = render(f->g, d, "dot", NULL);
    agclose(parse_back(dot, NULL));
    free(dot);
    ap_diagram_free(d);
    ap_delegation_free(dl);
}

/* 120 resources do not fit: the 12 critical ones are drawn, the rest counted and said. */
static void test_dot__large_reach_collapses(void **state)
{
    ap_store *st = NULL;
    ap_error err;
    size_t cap = 64 * 1024, used = 0;
    char *json = malloc(cap);
    (void)state;
    used += (size_t)snprintf(json + used, cap - used,
                             "{\"nodes\": [{\"id\": \"big\", \"kind\": \"partner\"}");
    for (int i = 0; i < 120; i++)
        used += (size_t)snprintf(json + used, cap - used, ", {\"id\": \"r%03d\", \"kind\": "
                                 "\"resource\", \"sensitivity\": \"%s\"}", i,
                                 i % 10 == 0 ? "critical" : "internal");
    used += (size_t)snprintf(json + used, cap - used, "], \"edges\": [");
    for (int i = 0; i < 120; i++)
        used += (size_t)snprintf(json + used, cap - used, "%s{\"from\": \"big\", \"to\": "
                                 "\"r%03d\", \"kind\": \"access\"}", i ? ", " : "", i);
    snprintf(json + used, cap - used, "]}");
    const char *path = ap_test_write_temp("big.json", json);
    free(json);
    assert_int_equal(ap_test_store_setup((void **)&st), 0);
    assert_int_equal(ap_test_import(st, path, &err), AP_OK);
    remove(path);
    ap_graph *g = ap_test_graph(st, AT);
    ap_diagram *d = authority_diagram(g, "big", false);
    assert_int_equal(d->nnodes, AP_DIAGRAM_MAX_NODES);
    assert_int_equal(d->collapsed_nodes, 120 - (AP_DIAGRAM_MAX_NODES - 1));
    assert_int_equal(d->collapsed_edges, d->collapsed_nodes);
    assert_int_equal(d->ncollapsed, 1);
    assert_string_equal(d->collapsed[0].domain, "home");
    for (int i = 0; i < 120; i += 10) {
        char id[16];
        snprintf(id, sizeof id, "r%03d", i);
        assert_non_null(shown(g, d, id));
    }
    assert_non_null(strstr(d->note, "collapsed: 61 reached nodes"));
    char *dot = render(g, d, "dot", NULL);
    assert_non_null(strstr(dot, "+61 more reached"));
    agclose(parse_back(dot, NULL));
    free(dot);
    ap_diagram_free(d);
    ap_graph_free(g);
    ap_store_close(st);
}

static bool contains(const char *data, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (memcmp(data + i, needle, n) == 0)
            return true;
    return false;
}

/* Same diagram, same bytes, in every format; PDF carries the diagram's time, not the clock. */
static void test_dot__same_input_same_bytes(void **state)
{
    static const char *const formats[] = { "dot", "svg", "png", "pdf" };
    fixture *f = *state;
    for (size_t i = 0; i < 4; i++) {
        ap_diagram *d1 = authority_diagram(f->g, "globex", false);
        ap_diagram *d2 = authority_diagram(f->g, "globex", false);
        size_t n1, n2;
        char *a = render(f->g, d1, formats[i], &n1), *b = render(f->g, d2, formats[i], &n2);
        assert_int_equal(n1, n2);
        assert_memory_equal(a, b, n1);
        if (strcmp(formats[i], "pdf") == 0)
            assert_true(contains(a, n1, "/CreationDate (D:20260101000000Z)"));
        if (strcmp(formats[i], "png") == 0)
            assert_memory_equal(a, "\x89PNG", 4);
        free(a);
        free(b);
        ap_diagram_free(d1);
        ap_diagram_free(d2);
    }
}

static void test_dot__unknown_format_is_refused(void **state)
{
    fixture *f = *state;
    ap_diagram *d = authority_diagram(f->g, "acme", false);
    char *out = NULL;
    size_t len = 0;
    ap_error err;
    assert_int_equal(ap_diagram_render(&out, &len, f->g, d, "gif", &err), AP_EBUG);
    assert_null(out);
    assert_string_equal(err.msg, "unknown diagram format 'gif'");
    ap_diagram_free(d);
}

int main(void)
{
    const struct CMUnitTest plain[] = {
        cmocka_unit_test(test_dot__escape_makes_every_byte_data),
        cmocka_unit_test(test_dot__large_reach_collapses),
    };
    const struct CMUnitTest hostile[] = {
        cmocka_unit_test(test_dot__hostile_names_survive_dot_and_svg),
    };
    const struct CMUnitTest estate[] = {
        cmocka_unit_test(test_dot__marks),
        cmocka_unit_test(test_dot__delegation_loops_marked),
        cmocka_unit_test(test_dot__same_input_same_bytes),
        cmocka_unit_test(test_dot__unknown_format_is_refused),
    };
    return cmocka_run_group_tests_name("plain", plain, NULL, NULL)
           | cmocka_run_group_tests_name("hostile", hostile, setup_hostile, teardown)
           | cmocka_run_group_tests_name("estate", estate, setup_estate, teardown);
}
