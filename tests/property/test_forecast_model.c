/* tests/property/test_forecast_model.c: the expiry forecast against the brute-force model. When
 * nothing becomes valid in the window, what survives the expiries is exactly the model's
 * authority at the later date, and what lapses is the difference. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/offboard.h"
#include "model.h"
#include "support.h"

#define SEEDS 400
#define MASK (((uint64_t)1 << M_NRIGHTS) - 1)
#define DAY 86400

/* Does anything (node or edge) become valid in (at, until]? */
static int starts_in(const m_inventory *inv, int64_t until)
{
    for (int v = 0; v < inv->n; v++)
        if (inv->nodes[v].valid_from > inv->at && inv->nodes[v].valid_from <= until)
            return 1;
    for (int i = 0; i < inv->m; i++)
        if (inv->edges[i].valid_from > inv->at && inv->edges[i].valid_from <= until)
            return 1;
    return 0;
}

static void test_property_forecast__survivors_are_the_model_later(void **state)
{
    int compared = 0, lapsed = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        m_inventory inv, later;
        ap_store *st = NULL;
        ap_forecast *f = NULL;
        ap_error err;
        int64_t until = 0;
        m_generate(&inv, seed + 7000);
        until = inv.at + (seed % 2 ? DAY : 40 * DAY);
        if (starts_in(&inv, until))
            continue;
        ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "forecast", seed, &st);
        assert_int_equal(ap_forecast_compute(&f, g, NULL, 0, until, &err), AP_OK);
        assert_true(f->npartners >= 2);                 /* n00, n01 and any other partner */
        later = inv;
        later.at = until;
        for (uint32_t i = 0; i < f->npartners; i++) {
            const ap_forecast_partner *fp = &f->partners[i];
            uint64_t now[M_MAX_NODES], then[M_MAX_NODES], got[M_MAX_NODES] = { 0 };
            uint64_t gone[M_MAX_NODES] = { 0 };
            int h[M_MAX_NODES];
            m_authority(&inv, (int)fp->partner, now, h);
            m_authority(&later, (int)fp->partner, then, h);
            uint32_t nsurv = 0, nlapse = 0;
            for (uint32_t k = 0; fp->listed && k < fp->nsurvives; k++)
                got[fp->survives[k].node] = fp->survives[k].rights;
            for (uint32_t k = 0; fp->listed && k < fp->nlapses; k++)
                gone[fp->lapses[k].node] = fp->lapses[k].rights;
            for (int v = 0; v < inv.n; v++) {       /* what the counts say, listed or not */
                ap_kind kind = ap_graph_node(g, (uint32_t)v)->kind;
                nsurv += v != (int)fp->partner && then[v] != 0
                         && (kind == AP_KIND_RESOURCE || kind == AP_KIND_WORKFLOW);
                nlapse += v != (int)fp->partner && (now[v] & ~then[v] & MASK) != 0;
            }
            assert_int_equal(fp->nsurvives, nsurv);
            assert_int_equal(fp->nlapses, nlapse);
            if (!fp->listed)
                continue;                           /* counted only: no lists to compare */
            for (int v = 0; v < inv.n; v++) {
                if (v == (int)fp->partner)
                    continue;
                /* survives lists resources and workflows (what to act on) */
                ap_kind kind = ap_graph_node(g, (uint32_t)v)->kind;
                uint64_t held = kind == AP_KIND_RESOURCE || kind == AP_KIND_WORKFLOW
                                ? then[v] & MASK : 0;
                if (got[v] != held || gone[v] != (now[v] & ~then[v] & MASK))
                    fail_msg("seed %llu partner n%02u node n%02d: survives %llx lapses %llx, "
                             "model %llx then %llx", (unsigned long long)seed, fp->partner, v,
                             (unsigned long long)got[v], (unsigned long long)gone[v],
                             (unsigned long long)now[v], (unsigned long long)then[v]);
                lapsed += gone[v] != 0;
            }
        }
        compared++;
        ap_forecast_free(f);
        ap_graph_free(g);
        ap_store_close(st);
    }
    assert_true(compared > SEEDS / 4);
    assert_true(lapsed > 10);                           /* some expiries cut something */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_forecast__survivors_are_the_model_later),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
