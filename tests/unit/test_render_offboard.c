/* tests/unit/test_render_offboard.c: the offboarding diagram. Cut edges and choke points marked
 * and drawn, the cut separating the partner from its targets in the drawing itself. */
#include <stdlib.h>
#include <string.h>

#include <gvc.h>

#include "authpath/diagram.h"
#include "support.h"

static ap_graph *graph;

static int setup(void **state)
{
    ap_error err;
    ap_store *st = NULL;
    int64_t at;
    (void)state;
    if (ap_test_store_setup((void **)&st) != 0)
        return -1;
    if (ap_test_import(st, SAMPLE("estate.json"), &err) != AP_OK
        || !ap_time_parse("2026-11-01", &at)
        || ap_graph_load(&graph, st, 0, at, &err) != AP_OK) {
        fprintf(stderr, "setup: %s\n", err.msg);
        return -1;
    }
    ap_store_close(st);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    ap_graph_free(graph);
    return 0;
}

static uint32_t node(const ap_graph *g, const char *id)
{
    int64_t v = ap_graph_find(g, id);
    if (v < 0)
        fail_msg("no node '%s'", id);
    return (uint32_t)v;
}

typedef struct {
    ap_authority *a;
    ap_offboard *o;
    ap_diagram *d;
} pictured;

static pictured picture(const ap_graph *g, uint32_t p, ap_sensitivity min)
{
    ap_offboard_opts opts = { min, false, 0, false, false, 0 };
    pictured x = { NULL, NULL, NULL };
    ap_error err;
    if (ap_authority_compute(&x.a, g, p, &err) != AP_OK
        || ap_offboard_compute(&x.o, g, p, &opts, &err) != AP_OK
        || ap_diagram_offboard(&x.d, g, x.a, x.o, &err) != AP_OK)
        fail_msg("offboard diagram of %s: %s", ap_graph_node(g, p)->id, err.msg);
    return x;
}

static void pictured_free(pictured *x)
{
    ap_diagram_free(x->d);
    ap_offboard_free(x->o);
    ap_authority_free(x->a);
}

static unsigned node_marks(const ap_diagram *d, uint32_t v, bool *shown)
{
    for (uint32_t i = 0; i < d->nnodes; i++)
        if (d->nodes[i].node == v) {
            *shown = true;
            return d->nodes[i].marks;
        }
    *shown = false;
    return 0;
}

static unsigned edge_marks(const ap_diagram *d, uint32_t e, bool *shown)
{
    for (uint32_t i = 0; i < d->nedges; i++)
        if (d->edges[i].edge == e) {
            *shown = true;
            return d->edges[i].marks;
        }
    *shown = false;
    return 0;
}

static size_t count(const char *s, const char *needle)
{
    size_t k = 0;
    for (const char *p = strstr(s, needle); p != NULL; p = strstr(p + 1, needle))
        k++;
    return k;
}

/* Every cut edge and choke point is drawn and marked, and nothing else carries those marks. */
static void check_marks(const ap_graph *g, const pictured *x)
{
    bool shown;
    uint32_t cuts = 0, chokes = 0;
    for (uint32_t i = 0; i < x->o->ncut; i++) {
        assert_true(edge_marks(x->d, x->o->cut[i], &shown) & AP_MARK_CUT);
        assert_true(shown);
    }
    for (uint32_t i = 0; i < x->o->nchokes; i++) {
        assert_true(node_marks(x->d, x->o->chokes[i].node, &shown) & AP_MARK_CHOKE);
        assert_true(shown);
    }
    for (uint32_t i = 0; i < x->d->nedges; i++)
        cuts += (x->d->edges[i].marks & AP_MARK_CUT) != 0;
    for (uint32_t i = 0; i < x->d->nnodes; i++)
        chokes += (x->d->nodes[i].marks & AP_MARK_CHOKE) != 0;
    assert_int_equal(cuts, x->o->ncut);
    assert_int_equal(chokes, x->o->nchokes);
    assert_true(node_marks(x->d, x->o->partner, &shown) & AP_MARK_SOURCE);
    (void)g;
}

/* Over the drawn edges: can the partner reach v, with or without the cut edges? */
static bool drawn_reach(const ap_graph *g, const ap_diagram *d, uint32_t src, uint32_t v,
                        bool use_cut)
{
    uint32_t n = ap_graph_node_count(g), *queue = malloc(n * sizeof *queue), head = 0, tail = 0;
    bool *seen = calloc(n, sizeof *seen), found;
    seen[src] = true;
    queue[tail++] = src;
    while (head < tail) {
        uint32_t u = queue[head++];
        for (uint32_t i = 0; i < d->nedges; i++) {
            const ap_edge *e = ap_graph_edge(g, d->edges[i].edge);
            if (e->from != u || seen[e->to] || (!use_cut && (d->edges[i].marks & AP_MARK_CUT)))
                continue;
            seen[e->to] = true;
            queue[tail++] = e->to;
        }
    }
    found = seen[v];
    free(seen);
    free(queue);
    return found;
}

/* The samples' Wingtip: the unique cut of 2 on role-reseller, which is the one choke point. */
static void test_offboard_dot__wingtip_marks_its_cut_and_choke_point(void **state)
{
    (void)state;
    pictured x = picture(graph, node(graph, "wingtip"), AP_SENS_CONFIDENTIAL);
    bool shown;
    assert_int_equal(x.o->ncut, 2);
    assert_string_equal(ap_graph_edge(graph, x.o->cut[0])->id, "role-reseller|access|crm");
    assert_string_equal(ap_graph_edge(graph, x.o->cut[1])->id,
                        "role-reseller|access|wholesale-pricing");
    assert_int_equal(x.o->nchokes, 1);
    assert_int_equal(x.o->chokes[0].node, node(graph, "role-reseller"));
    check_marks(graph, &x);
    assert_true(node_marks(x.d, node(graph, "crm"), &shown) & AP_MARK_TARGET);
    assert_true(node_marks(x.d, node(graph, "wholesale-pricing"), &shown) & AP_MARK_TARGET);
    assert_false(node_marks(x.d, node(graph, "order-api"), &shown) & AP_MARK_TARGET);
    assert_true(shown);                 /* the rest of the reach is drawn too: it fits */
    assert_int_equal(x.d->collapsed_nodes, 0);
    assert_non_null(strstr(x.d->note, "minimal revocation set: 2 edges cut it off 2 targets "
                                      "at or above confidential; 1 choke point"));

    char *dot = NULL;
    size_t len = 0;
    ap_error err;
    assert_int_equal(ap_diagram_render(&dot, &len, graph, x.d, "dot", &err), AP_OK);
    assert_int_equal(count(dot, "CUT: revoke"), 2);
    assert_int_equal(count(dot, "CHOKE POINT"), 1);
    assert_non_null(strstr(dot, "minimal revocation set: revoke<BR/>these to cut the partner "
                                "off"));
    assert_non_null(strstr(dot, "choke point: every path<BR/>to a target passes it"));
    agseterr(AGMAX);
    Agraph_t *back = agmemread(dot);
    assert_non_null(back);
    assert_null(aglasterr());
    agclose(back);
    free(dot);
    pictured_free(&x);
}

/* For every partner and every level: the drawing shows the cut doing its work. With the cut
 * edges the partner reaches each drawn target; without them, none. */
static void test_offboard_dot__the_drawn_cut_separates(void **state)
{
    (void)state;
    uint32_t partners = 0, with_cut = 0;
    for (uint32_t p = 0; p < ap_graph_node_count(graph); p++) {
        if (ap_graph_node(graph, p)->kind != AP_KIND_PARTNER)
            continue;
        partners++;
        for (int s = AP_SENS_INTERNAL; s < AP_SENS_COUNT; s++) {
            pictured x = picture(graph, p, (ap_sensitivity)s);
            check_marks(graph, &x);
            with_cut += x.o->ncut > 0;
            for (uint32_t i = 0; i < x.o->ntargets; i++) {
                bool shown;
                if (!(node_marks(x.d, x.o->targets[i], &shown) & AP_MARK_TARGET))
                    continue;
                assert_true(drawn_reach(graph, x.d, p, x.o->targets[i], true));
                assert_false(drawn_reach(graph, x.d, p, x.o->targets[i], false));
            }
            pictured_free(&x);
        }
    }
    assert_int_equal(partners, 13);
    assert_true(with_cut > 13);
}

/* 70 critical targets behind one chain do not fit: the cut and the choke points still show. */
static void test_offboard_dot__large_keeps_the_cut(void **state)
{
    ap_store *st = NULL;
    ap_error err;
    size_t cap = 64 * 1024, used = 0;
    char *json = malloc(cap);
    (void)state;
    used += (size_t)snprintf(json + used, cap - used,
        "{\"nodes\": [{\"id\": \"big\", \"kind\": \"partner\"}, {\"id\": \"key\", \"kind\": "
        "\"credential\"}, {\"id\": \"svc\", \"kind\": \"identity\"}, {\"id\": \"ops\", "
        "\"kind\": \"role\"}");
    for (int i = 0; i < 70; i++)
        used += (size_t)snprintf(json + used, cap - used, ", {\"id\": \"c%03d\", \"kind\": "
                                 "\"resource\", \"sensitivity\": \"critical\"}", i);
    used += (size_t)snprintf(json + used, cap - used, "], \"edges\": ["
        "{\"from\": \"big\", \"to\": \"key\", \"kind\": \"holds\"}, "
        "{\"from\": \"key\", \"to\": \"svc\", \"kind\": \"authenticates_as\"}, "
        "{\"from\": \"svc\", \"to\": \"ops\", \"kind\": \"member_of\"}");
    for (int i = 0; i < 70; i++)
        used += (size_t)snprintf(json + used, cap - used, ", {\"from\": \"ops\", \"to\": "
                                 "\"c%03d\", \"kind\": \"access\", \"rights\": [\"read\"]}", i);
    snprintf(json + used, cap - used, "]}");
    const char *path = ap_test_write_temp("big-offboard.json", json);
    free(json);
    assert_int_equal(ap_test_store_setup((void **)&st), 0);
    assert_int_equal(ap_test_import(st, path, &err), AP_OK);
    remove(path);
    ap_graph *g = ap_test_graph(st, 1767225600);
    pictured x = picture(g, node(g, "big"), AP_SENS_CONFIDENTIAL);
    assert_int_equal(x.o->ncut, 1);
    assert_int_equal(x.o->nchokes, 3);      /* key, svc and ops: every path passes them */
    check_marks(g, &x);
    assert_int_equal(x.d->nnodes, AP_DIAGRAM_MAX_NODES);
    assert_int_equal(x.d->collapsed_nodes, 70 - (AP_DIAGRAM_MAX_NODES - 4));
    assert_non_null(strstr(x.d->note, "chains left out to keep the diagram under 60 nodes "
                                      "(the cut, the choke points and the targets first)"));
    pictured_free(&x);
    ap_graph_free(g);
    ap_store_close(st);
}

/* The authority must be the partner's own: anything else is a defect of the caller. */
static void test_offboard_dot__someone_elses_authority_is_refused(void **state)
{
    ap_authority *a = NULL;
    ap_offboard *o = NULL;
    ap_diagram *d = NULL;
    ap_error err;
    (void)state;
    assert_int_equal(ap_authority_compute(&a, graph, node(graph, "contoso"), &err), AP_OK);
    assert_int_equal(ap_offboard_compute(&o, graph, node(graph, "wingtip"), NULL, &err), AP_OK);
    assert_int_equal(ap_diagram_offboard(&d, graph, a, o, &err), AP_EBUG);
    assert_null(d);
    ap_offboard_free(o);
    ap_authority_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_offboard_dot__wingtip_marks_its_cut_and_choke_point),
        cmocka_unit_test(test_offboard_dot__the_drawn_cut_separates),
        cmocka_unit_test(test_offboard_dot__large_keeps_the_cut),
        cmocka_unit_test(test_offboard_dot__someone_elses_authority_is_refused),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
