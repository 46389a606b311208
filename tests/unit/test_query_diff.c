/* tests/unit/test_query_diff.c: two snapshots compared. The authority part is checked against a
 * model: every partner's authority computed one by one in each snapshot and compared by id. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diff.h"
#include "authpath/query.h"
#include "support.h"

#define AT 1793491200       /* 2026-11-01 */

typedef struct {
    ap_graph *a, *b;
} pair;

static int pair_setup(void **state)
{
    pair *p = calloc(1, sizeof *p);
    ap_store *st = NULL;
    ap_error err;
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    assert_int_equal(ap_test_import(st, SAMPLE("estate.json"), &err), AP_OK);
    assert_int_equal(ap_test_import(st, FIXTURE("diff/estate-q2.json"), &err), AP_OK);
    assert_int_equal(ap_graph_load(&p->a, st, 1, AT, &err), AP_OK);
    assert_int_equal(ap_graph_load(&p->b, st, 2, AT, &err), AP_OK);
    ap_store_close(st);
    *state = p;
    return 0;
}

static int pair_teardown(void **state)
{
    pair *p = *state;
    ap_graph_free(p->a);
    ap_graph_free(p->b);
    free(p);
    return 0;
}

/* The rights partner (by id) holds over target (by id) in g, named ones only; 0 when either is
 * not there. */
static ap_rights held(const ap_graph *g, const char *partner, const char *target)
{
    int64_t p = ap_graph_find(g, partner), t = ap_graph_find(g, target);
    ap_authority *au = NULL;
    ap_error err;
    ap_rights r;
    if (p < 0 || t < 0 || ap_graph_node(g, (uint32_t)p)->kind != AP_KIND_PARTNER)
        return 0;
    assert_int_equal(ap_authority_compute(&au, g, (uint32_t)p, &err), AP_OK);
    r = au->rights[t] & ap_vocab_all(ap_graph_vocab(g));
    ap_authority_free(au);
    return r;
}

/* The model: every (partner, target) of either snapshot whose rights differ, by id. */
static uint32_t model_changes(const ap_graph *a, const ap_graph *b, const char *only)
{
    uint32_t n = 0;
    for (int side = 0; side < 2; side++) {
        const ap_graph *g = side ? b : a, *other = side ? a : b;
        for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
            const char *pid = ap_graph_node(g, v)->id;
            int64_t o = ap_graph_find(other, pid);
            if (ap_graph_node(g, v)->kind != AP_KIND_PARTNER || (only && strcmp(only, pid)))
                continue;
            if (side == 1 && o >= 0 && ap_graph_node(other, (uint32_t)o)->kind == AP_KIND_PARTNER)
                continue;       /* counted from a */
            for (int tside = 0; tside < 2; tside++) {
                const ap_graph *tg = tside ? b : a;
                for (uint32_t t = 0; t < ap_graph_node_count(tg); t++) {
                    const char *tid = ap_graph_node(tg, t)->id;
                    if (tside == 1 && ap_graph_find(a, tid) >= 0)
                        continue;
                    if (strcmp(tid, pid) != 0 && held(a, pid, tid) != held(b, pid, tid))
                        n++;
                }
            }
        }
    }
    return n;
}

static void test_diff__quarter(void **state)
{
    pair *p = *state;
    ap_snapdiff *d = NULL;
    ap_error err;
    assert_int_equal(ap_snapdiff_compute(&d, p->a, p->b, NULL, 2, &err), AP_OK);
    assert_int_equal(d->nnodes, 2);
    assert_int_equal(d->nodes[0].op, AP_DIFF_CHANGED);
    assert_string_equal(ap_graph_node(p->b, d->nodes[0].index)->id, "payments-db");
    assert_string_equal(d->nodes[0].fields, "attrs");
    assert_int_equal(d->nodes[1].op, AP_DIFF_ADDED);
    assert_int_equal(d->nedges, 3);
    assert_int_equal(d->edges[0].op, AP_DIFF_REMOVED);
    assert_string_equal(ap_graph_edge(p->a, d->edges[0].index)->id,
                        "contoso|admin_of|role-helpdesk");
    /* authority, entry by entry, against the partners computed one by one */
    assert_int_equal(d->nreach, 7);
    assert_int_equal(d->nreach, model_changes(p->a, p->b, NULL));
    for (uint32_t i = 0; i < d->nreach; i++) {
        const ap_diff_reach *r = &d->reach[i];
        assert_true(r->before == held(p->a, r->partner, r->target));
        assert_true(r->after == held(p->b, r->partner, r->target));
        assert_true(r->before != r->after);
        if (i > 0) {
            int c = strcmp(d->reach[i - 1].partner, r->partner);
            assert_true(c < 0 || (c == 0 && strcmp(d->reach[i - 1].target, r->target) < 0));
        }
    }
    assert_string_equal(d->reach[5].partner, "trey");
    assert_string_equal(d->reach[5].target, "payments-db");
    assert_true(d->reach[5].before == 0 && d->reach[5].after == (ap_rights)1 << AP_R_READ);
    ap_snapdiff_free(d);
}

/* The reverse comparison mirrors it: added is removed, gained is lost. */
static void test_diff__reversed(void **state)
{
    pair *p = *state;
    ap_snapdiff *d = NULL;
    ap_error err;
    assert_int_equal(ap_snapdiff_compute(&d, p->b, p->a, NULL, 1, &err), AP_OK);
    assert_int_equal(d->nnodes, 2);
    assert_int_equal(d->nodes[1].op, AP_DIFF_REMOVED);
    assert_int_equal(d->nedges, 3);
    assert_int_equal(d->edges[0].op, AP_DIFF_ADDED);
    assert_int_equal(d->nreach, 7);
    assert_true(d->reach[5].before == (ap_rights)1 << AP_R_READ && d->reach[5].after == 0);
    ap_snapdiff_free(d);
}

static void test_diff__one_partner_and_no_change(void **state)
{
    pair *p = *state;
    ap_snapdiff *d = NULL;
    ap_error err;
    assert_int_equal(ap_snapdiff_compute(&d, p->a, p->b, "trey", 2, &err), AP_OK);
    assert_int_equal(d->nreach, 2);
    assert_int_equal(d->nreach, model_changes(p->a, p->b, "trey"));
    assert_string_equal(d->reach[1].target, "payments-replica");
    ap_snapdiff_free(d);
    assert_int_equal(ap_snapdiff_compute(&d, p->a, p->a, NULL, 2, &err), AP_OK);
    assert_int_equal(d->nnodes + d->nedges + d->nreach, 0);
    ap_snapdiff_free(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_diff__quarter, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_diff__reversed, pair_setup, pair_teardown),
        cmocka_unit_test_setup_teardown(test_diff__one_partner_and_no_change, pair_setup,
                                        pair_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
