/* tests/property/test_diff_model.c: `diff` of two snapshots against every partner's authority
 * computed alone on each side, on seeded random inventories and a copy changed in a few places
 * (an edge dropped, added, re-pointed or re-stated, a node re-stated): the diff recomputes only
 * the partners with a route to what changed, and must miss nothing the full comparison finds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/diff.h"
#include "authpath/query.h"
#include "model.h"
#include "support.h"

#define SEEDS 400

static uint64_t next(uint64_t *s)          /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static int pick(uint64_t *s, int n) { return (int)(next(s) % (uint64_t)n); }

/* b: a with 1 to 5 changes drawn from seed; the unchanged rest keeps its edge ids. */
static void mutate(m_inventory *b, const m_inventory *a, uint64_t seed)
{
    uint64_t s = seed * 104729 + 5;
    *b = *a;
    for (int k = 1 + pick(&s, 5); k > 0; k--) {
        int what = pick(&s, 5);
        if (what == 0 && b->m > 0) {                        /* drop an edge */
            int i = pick(&s, b->m);
            memmove(&b->edges[i], &b->edges[i + 1], (size_t)(b->m - i - 1) * sizeof *b->edges);
            b->m--;
        } else if (what == 1 && b->m > 0 && b->m < M_MAX_EDGES) {   /* a new edge */
            b->edges[b->m] = b->edges[pick(&s, b->m)];
            b->edges[b->m].from = pick(&s, 2) ? pick(&s, 2) : pick(&s, b->n);  /* a partner */
            b->edges[b->m].to = pick(&s, b->n);
            b->m++;
        } else if (what == 2 && b->m > 0) {                 /* re-pointed */
            b->edges[pick(&s, b->m)].to = pick(&s, b->n);
        } else if (what == 3 && b->m > 0) {                 /* re-stated: revoked or active */
            b->edges[pick(&s, b->m)].state = pick(&s, 2) ? 5 : 2;
        } else {                                            /* a node revoked or active */
            int v = 2 + pick(&s, b->n - 2 > 0 ? b->n - 2 : 1);
            if (v < b->n)
                b->nodes[v].state = pick(&s, 2) ? 5 : 2;
        }
    }
}

static const char *write(const m_inventory *inv, const char *name)
{
    char *json = m_to_json(inv);
    const char *path = ap_test_write_temp(name, json);
    free(json);
    return path;
}

/* The rights partner p of g holds at target id t, named rights only; 0 when absent. */
static ap_rights held(const ap_graph *g, const ap_authority *au, const char *t)
{
    int64_t v = ap_graph_find(g, t);
    return au == NULL || v < 0 ? 0 : au->rights[v] & ap_vocab_all(ap_graph_vocab(g));
}

static ap_authority *authority_of(const ap_graph *g, const char *id)
{
    int64_t p = ap_graph_find(g, id);
    ap_authority *au = NULL;
    ap_error err;
    if (p < 0 || ap_graph_node(g, (uint32_t)p)->kind != AP_KIND_PARTNER)
        return NULL;
    assert_int_equal(ap_authority_compute(&au, g, (uint32_t)p, &err), AP_OK);
    return au;
}

/* Every (partner, target) whose rights differ, found by computing each partner alone on both
 * sides, must be in d with the same rights, and d must hold nothing else. */
static void check(const ap_graph *a, const ap_graph *b, const ap_snapdiff *d, uint64_t seed)
{
    uint32_t expected = 0;
    for (int side = 0; side < 2; side++) {
        const ap_graph *g = side ? b : a;
        for (uint32_t v = 0; v < ap_graph_node_count(g); v++) {
            const char *pid = ap_graph_node(g, v)->id;
            int64_t o = ap_graph_find(a, pid);
            if (ap_graph_node(g, v)->kind != AP_KIND_PARTNER)
                continue;
            if (side == 1 && o >= 0 && ap_graph_node(a, (uint32_t)o)->kind == AP_KIND_PARTNER)
                continue;                   /* compared from a */
            ap_authority *x = authority_of(a, pid), *y = authority_of(b, pid);
            for (int tside = 0; tside < 2; tside++) {
                const ap_graph *tg = tside ? b : a;
                for (uint32_t t = 0; t < ap_graph_node_count(tg); t++) {
                    const char *tid = ap_graph_node(tg, t)->id;
                    ap_rights before = held(a, x, tid), after = held(b, y, tid);
                    bool found = false;
                    if ((tside == 1 && ap_graph_find(a, tid) >= 0) || strcmp(tid, pid) == 0
                        || before == after)
                        continue;
                    expected++;
                    for (uint32_t i = 0; i < d->nreach && !found; i++)
                        found = strcmp(d->reach[i].partner, pid) == 0
                                && strcmp(d->reach[i].target, tid) == 0
                                && d->reach[i].before == before && d->reach[i].after == after;
                    if (!found)
                        fail_msg("seed %llu: %s over %s went %llx -> %llx, not in the diff",
                                 (unsigned long long)seed, pid, tid,
                                 (unsigned long long)before, (unsigned long long)after);
                }
            }
            ap_authority_free(x);
            ap_authority_free(y);
        }
    }
    if (d->nreach != expected)
        fail_msg("seed %llu: the diff lists %u changes of authority, the full comparison %u",
                 (unsigned long long)seed, d->nreach, expected);
}

static void test_property_diff__only_touched_partners_and_nothing_missed(void **state)
{
    uint32_t changes = 0, skipped_all = 0;
    (void)state;
    for (uint64_t seed = 1; seed <= SEEDS; seed++) {
        m_inventory a, b;
        ap_store *st = NULL;
        ap_graph *ga = NULL, *gb = NULL;
        ap_snapdiff *d = NULL;
        ap_error err;
        char name[64];
        m_generate(&a, seed);
        mutate(&b, &a, seed);
        assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
        for (int side = 0; side < 2; side++) {
            snprintf(name, sizeof name, "diff_%llu_%d.json", (unsigned long long)seed, side);
            const char *path = write(side ? &b : &a, name);
            if (ap_test_import(st, path, &err) != AP_OK)
                fail_msg("seed %llu: import failed: %s", (unsigned long long)seed, err.msg);
            remove(path);
        }
        assert_int_equal(ap_graph_load(&ga, st, 1, a.at, &err), AP_OK);
        assert_int_equal(ap_graph_load(&gb, st, 2, a.at, &err), AP_OK);
        assert_int_equal(ap_snapdiff_compute(&d, ga, gb, NULL, 2, &err), AP_OK);
        check(ga, gb, d, seed);
        changes += d->nreach;
        skipped_all += d->nreach == 0;
        ap_snapdiff_free(d);
        /* identical snapshots: nothing */
        assert_int_equal(ap_snapdiff_compute(&d, ga, ga, NULL, 2, &err), AP_OK);
        assert_int_equal(d->nreach + d->nnodes + d->nedges, 0);
        ap_snapdiff_free(d);
        ap_graph_free(ga);
        ap_graph_free(gb);
        ap_store_close(st);
    }
    /* the changes are not all idle: many seeds change some partner's authority */
    print_message("%u changes of authority; %u of %u seeds change none\n", changes,
                  skipped_all, SEEDS);
    assert_true(SEEDS - skipped_all >= SEEDS / 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_diff__only_touched_partners_and_nothing_missed),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
