/* tests/unit/test_render_fit.c: diagrams cut down to a page. What is drawn stays true: every
 * drawn edge carries what its label says, a fan's count is the edges it stands for, and what
 * is dropped is counted; tiers put the most sensitive targets first. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diagram.h"
#include "support.h"

/* A partner whose role reads 70 resources (10 critical, 60 internal), beside the cut edge. */
static ap_graph *fan_estate(ap_store **st)
{
    size_t cap = 64 * 1024, used = 0;
    char *json = malloc(cap);
    ap_error err;
    used += (size_t)snprintf(json + used, cap - used,
        "{\"nodes\": [{\"id\": \"big\", \"kind\": \"partner\"}, {\"id\": \"key\", \"kind\": "
        "\"credential\"}, {\"id\": \"svc\", \"kind\": \"identity\"}, {\"id\": \"ops\", "
        "\"kind\": \"role\"}");
    for (int i = 0; i < 70; i++)
        used += (size_t)snprintf(json + used, cap - used, ", {\"id\": \"r%03d\", \"kind\": "
                                 "\"resource\", \"sensitivity\": \"%s\"}", i,
                                 i % 7 == 0 ? "critical" : "internal");
    used += (size_t)snprintf(json + used, cap - used, "], \"edges\": ["
        "{\"from\": \"big\", \"to\": \"key\", \"kind\": \"holds\"}, "
        "{\"from\": \"key\", \"to\": \"svc\", \"kind\": \"authenticates_as\"}, "
        "{\"from\": \"svc\", \"to\": \"ops\", \"kind\": \"member_of\"}");
    for (int i = 0; i < 70; i++)
        used += (size_t)snprintf(json + used, cap - used, ", {\"from\": \"ops\", \"to\": "
                                 "\"r%03d\", \"kind\": \"access\", \"rights\": [\"read\"]}", i);
    snprintf(json + used, cap - used, "]}");
    const char *path = ap_test_write_temp("fan-estate.json", json);
    free(json);
    assert_int_equal(ap_test_store_setup((void **)st), 0);
    assert_int_equal(ap_test_import(*st, path, &err), AP_OK);
    remove(path);
    return ap_test_graph(*st, 1767225600);
}

static bool drawn(const ap_diagram *d, uint32_t v)
{
    for (uint32_t i = 0; i < d->nnodes; i++)
        if (d->nodes[i].node == v)
            return true;
    return false;
}

/* Every edge drawn, alone or in a fan, carries the partner's authority and at least the
 * rights its label shows; a fan's edges share its tail, kind and rights. */
static void check_true(const ap_graph *g, const ap_authority *a, const ap_diagram *d)
{
    for (uint32_t i = 0; i < d->nedges; i++) {
        const ap_edge *e = ap_graph_edge(g, d->edges[i].edge);
        assert_true(ap_authority_carries(g, a, e));
        assert_true(drawn(d, e->from) && drawn(d, e->to));
        assert_int_equal(d->edges[i].rights & ~ap_edge_transfer(e, a->rights[e->from]), 0);
    }
    for (uint32_t k = 0; k < d->nfans; k++) {
        const ap_diagram_fan *f = &d->fans[k];
        uint32_t heads = 0;
        assert_true(f->count >= AP_DIAGRAM_FAN_MIN);
        assert_true(drawn(d, f->tail));
        for (int kind = 0; kind < AP_KIND_COUNT; kind++)
            heads += f->by_kind[kind];
        assert_int_equal(heads, f->count);
        for (uint32_t i = 0; i < f->count; i++) {
            const ap_edge *e = ap_graph_edge(g, f->edges[i]);
            assert_int_equal(e->from, f->tail);
            assert_int_equal(e->kind, ap_graph_edge(g, f->edges[0])->kind);
            assert_true(ap_authority_carries(g, a, e));
            assert_int_equal(f->rights & ~ap_edge_transfer(e, a->rights[e->from]), 0);
            assert_false(drawn(d, e->to));         /* the head is in the fan's box only */
        }
    }
}

/* 56 parallel reads from one role do not fit a page: they become one fan whose count is the
 * edges it stands for; nothing else changes and the note says so. */
static void test_fit__fan_counts_the_edges_it_stands_for(void **state)
{
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_diagram *d = NULL, *page = NULL;
    ap_error err;
    double w, h;
    (void)state;
    ap_graph *g = fan_estate(&st);
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "big"), &err),
                     AP_OK);
    assert_int_equal(ap_diagram_authority(&d, g, a, &err), AP_OK);
    assert_int_equal(d->nnodes, AP_DIAGRAM_MAX_NODES);
    assert_int_equal(ap_diagram_fit(&page, g, d, &err), AP_OK);
    check_true(g, a, d);
    check_true(g, a, page);
    assert_int_equal(page->nfans, 1);
    assert_int_equal(page->fans[0].count + page->nnodes, d->nnodes);
    assert_int_equal(page->fans[0].count + page->nedges, d->nedges);
    assert_int_equal(page->fans[0].tail, (uint32_t)ap_graph_find(g, "ops"));
    assert_int_equal(page->collapsed_nodes, d->collapsed_nodes);
    assert_non_null(strstr(page->note, "1 fan of 56 edges drawn as one edge each"));
    /* the cut-down diagram fits A3 at 8 pt; the full one did not */
    assert_int_equal(ap_diagram_measure(&w, &h, g, page, &err), AP_OK);
    assert_true((w <= 1191 * 9.0 / 8 && h <= 842 * 9.0 / 8)
                || (w <= 842 * 9.0 / 8 && h <= 1191 * 9.0 / 8));
    char *dot = NULL;
    size_t len = 0;
    assert_int_equal(ap_diagram_render(&dot, &len, g, page, "dot", &err), AP_OK);
    assert_non_null(strstr(dot, "access, 56 edges"));
    assert_non_null(strstr(dot, "+56 more reached"));
    free(dot);
    ap_diagram_free(page);
    ap_diagram_free(d);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

/* Tiers: the partner and nothing else in tier 0 of an authority diagram; the critical
 * resources come in earlier tiers than every internal one; an edge's tier is never below
 * its ends'. Cutting to tier k keeps exactly tiers 0..k and counts the rest. */
static void test_fit__tiers_put_the_most_sensitive_first(void **state)
{
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_diagram *d = NULL;
    ap_error err;
    (void)state;
    ap_graph *g = fan_estate(&st);
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "big"), &err),
                     AP_OK);
    assert_int_equal(ap_diagram_authority(&d, g, a, &err), AP_OK);
    uint32_t last_critical = 0, first_internal = UINT32_MAX;
    for (uint32_t i = 0; i < d->nnodes; i++) {
        const ap_node *nd = ap_graph_node(g, d->nodes[i].node);
        uint32_t t = d->nodes[i].tier;
        assert_true(t < d->ntiers);
        if (t == 0)
            assert_int_equal(nd->kind, AP_KIND_PARTNER);
        if (nd->kind == AP_KIND_RESOURCE && nd->sensitivity == AP_SENS_CRITICAL)
            last_critical = t > last_critical ? t : last_critical;
        if (nd->kind == AP_KIND_RESOURCE && nd->sensitivity == AP_SENS_INTERNAL)
            first_internal = t < first_internal ? t : first_internal;
    }
    assert_true(last_critical < first_internal);
    for (uint32_t i = 0; i < d->nedges; i++) {
        const ap_edge *e = ap_graph_edge(g, d->edges[i].edge);
        for (uint32_t k = 0; k < d->nnodes; k++)
            if (d->nodes[k].node == e->from || d->nodes[k].node == e->to)
                assert_true(d->edges[i].tier >= d->nodes[k].tier);
    }
    ap_diagram_free(d);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

static int forks;

static void count_fork(void)
{
    forks++;
}

/* A fit lays the diagram out many times (as it is both ways up, fans collapsed, tiers): all of
 * it in one renderer child with one Graphviz context (one child per layout was 50 ms each),
 * and the page's SVG it hands back is the one a child of its own draws, byte for byte. */
static void test_fit__one_child_for_every_layout(void **state)
{
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_diagram *d = NULL, *page = NULL, *again = NULL;
    ap_error err;
    char *svg = NULL, *fresh = NULL;
    size_t len = 0, flen = 0;
    (void)state;
    ap_graph *g = fan_estate(&st);
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "big"), &err),
                     AP_OK);
    assert_int_equal(ap_diagram_authority(&d, g, a, &err), AP_OK);
    assert_int_equal(pthread_atfork(NULL, count_fork, NULL), 0);
    forks = 0;
    assert_int_equal(ap_diagram_fit_svg(&page, &svg, &len, g, d, &err), AP_OK);
    assert_int_equal(forks, 1);
    assert_int_equal(page->nfans, 1);          /* laid out more than once: cut down */
    assert_non_null(svg);
    assert_int_equal(ap_diagram_render(&fresh, &flen, g, page, "svg", &err), AP_OK);
    assert_int_equal(forks, 2);
    assert_int_equal(len, flen);
    assert_memory_equal(svg, fresh, len);
    /* without the SVG asked for, the same page */
    assert_int_equal(ap_diagram_fit(&again, g, d, &err), AP_OK);
    assert_int_equal(again->nnodes, page->nnodes);
    assert_int_equal(again->nedges, page->nedges);
    assert_string_equal(again->note, page->note);
    assert_string_equal(again->rankdir, page->rankdir);
    free(svg);
    free(fresh);
    ap_diagram_free(again);
    ap_diagram_free(page);
    ap_diagram_free(d);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fit__fan_counts_the_edges_it_stands_for),
        cmocka_unit_test(test_fit__tiers_put_the_most_sensitive_first),
        cmocka_unit_test(test_fit__one_child_for_every_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
