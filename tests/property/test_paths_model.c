/* tests/property/test_paths_model.c: paths against brute force on 100 seeded random
 * inventories: every simple route over carrying edges that, replayed by the model, carries
 * something, enumerated by depth-first search from the model's fixpoint, compared with the
 * engine's bounded, shortest-first answer (the same routes, in the same order), its rights and
 * its flags. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authpath/paths.h"
#include "model.h"
#include "support.h"

#define SEEDS 100
#define DEPTH 3             /* --max-depth for the check: small, so the bound is hit */
#define KEEP 2              /* --max-paths for the check: small, so the bound is hit */
#define CAP 400             /* brute-force paths per pair; beyond it the pair is skipped */
#define BUDGET 200000       /* search steps for "a longer path exists" */

typedef struct {
    const m_inventory *inv;
    const uint64_t *fix;
    int s, t;
    int carry[M_MAX_EDGES];
    int path[M_MAX_NODES], len;
    int on[M_MAX_NODES];
    int lens[CAP], npaths;          /* lengths of the paths found (<= DEPTH) */
    char found[CAP][M_MAX_NODES];   /* model edge indices of each path */
    uint64_t rights[CAP];           /* what each delivers, by the model's replay */
    int order[CAP];                 /* the paths by length, then engine edge indices */
    const int *engine;              /* model edge index -> engine edge index */
    int overflow;
    long steps;
    int longer;                     /* a path of more than DEPTH edges exists */
} search;

/* Does model edge e carry s's authority at the fixpoint? The round rule, written out again. */
static int carries(const m_inventory *inv, const uint64_t *fix, int s, const m_edge *e)
{
    uint64_t have = fix[e->from];
    if (e->kind == 10 || have == 0 || !m_edge_live(inv, e, s))
        return 0;
    if (e->requires != 0 && (have & e->requires) == 0)
        return 0;
    return (e->escalates ? e->rights : (have & e->rights)) != 0;
}

/* A gate the route cannot open itself opens on its tail's fixpoint. */
static int gate_at_fixpoint(void *ctx, int step, uint64_t requires)
{
    const search *x = ctx;
    return (x->fix[x->inv->edges[x->path[step]].from] & requires) != 0;
}

static void dfs(search *x, int v, int limit)
{
    if (x->overflow || x->steps++ > BUDGET)
        return;
    if (v == x->t) {
        uint64_t got = m_replay(x->inv, x->s, x->path, x->len, gate_at_fixpoint, x);
        if (got == 0)
            return;                 /* a route that carries nothing is no path */
        if (x->len > DEPTH) {
            x->longer = 1;
            return;
        }
        if (x->npaths == CAP) {
            x->overflow = 1;
            return;
        }
        x->lens[x->npaths] = x->len;
        x->rights[x->npaths] = got;
        for (int i = 0; i < x->len; i++)
            x->found[x->npaths][i] = (char)x->path[i];
        x->npaths++;
        return;
    }
    if (x->len == limit)
        return;
    for (int i = 0; i < x->inv->m; i++) {
        const m_edge *e = &x->inv->edges[i];
        if (e->from != v || !x->carry[i] || x->on[e->to])
            continue;
        x->on[e->to] = 1;
        x->path[x->len++] = i;
        dfs(x, e->to, limit);
        x->len--;
        x->on[e->to] = 0;
    }
}

static int same_path(const search *x, int k, const ap_graph *g, const uint32_t *edges, int len)
{
    char id[64];
    if (x->lens[k] != len)
        return 0;
    for (int i = 0; i < len; i++) {
        m_edge_id(id, sizeof id, x->inv, x->found[k][i]);
        if (strcmp(id, ap_graph_edge(g, edges[i])->id) != 0)
            return 0;
    }
    return 1;
}

static const search *sorting;       /* qsort has no context argument in C11 */

/* Brute-force paths by length, then by the engine's edge indices: the engine's order. */
static int path_cmp(const void *a, const void *b)
{
    int i = *(const int *)a, j = *(const int *)b;
    if (sorting->lens[i] != sorting->lens[j])
        return sorting->lens[i] - sorting->lens[j];
    for (int k = 0; k < sorting->lens[i]; k++) {
        int ei = sorting->engine[(int)sorting->found[i][k]];
        int ej = sorting->engine[(int)sorting->found[j][k]];
        if (ei != ej)
            return ei - ej;
    }
    return 0;
}

static void check_pair(search *x, const ap_graph *g, const ap_authority *a, uint64_t seed)
{
    ap_paths_opts o = { DEPTH, KEEP };
    ap_paths *p = NULL;
    ap_error err;
    uint32_t t = (uint32_t)x->t;
    x->npaths = 0;
    x->overflow = 0;
    x->steps = 0;
    x->longer = 0;
    memset(x->on, 0, sizeof x->on);
    x->on[x->s] = 1;
    x->len = 0;
    dfs(x, x->s, M_MAX_NODES);
    if (x->overflow || x->steps > BUDGET)
        return;                             /* too many to enumerate here: skip the pair */
    assert_int_equal(ap_paths_compute(&p, g, a, &t, 1, &o, &err), AP_OK);
    const ap_path_set *s = &p->sets[0];
    int want = x->npaths < KEEP ? x->npaths : KEEP;
    if ((int)s->npaths != want || s->more != (x->npaths > KEEP))
        fail_msg("seed %llu n%02d->n%02d: %u paths (more %d), brute force %d",
                 (unsigned long long)seed, x->s, x->t, s->npaths, s->more, x->npaths);
    if (s->truncated)
        fail_msg("seed %llu n%02d->n%02d: the work bound stopped a search this small",
                 (unsigned long long)seed, x->s, x->t);
    if (s->deeper != (x->longer && x->npaths <= KEEP) && !(x->npaths > KEEP))
        fail_msg("seed %llu n%02d->n%02d: deeper %d, brute force %d", (unsigned long long)seed,
                 x->s, x->t, s->deeper, x->longer);
    /* the paths returned are the first brute-force ones in the engine's order, with the
     * rights the model's replay gives them */
    for (int j = 0; j < x->npaths; j++)
        x->order[j] = j;
    sorting = x;
    qsort(x->order, (size_t)x->npaths, sizeof x->order[0], path_cmp);
    for (uint32_t k = 0; k < s->npaths; k++) {
        int len = (int)(s->off[k + 1] - s->off[k]), pick = x->order[k];
        if (!same_path(x, pick, g, s->edges + s->off[k], len))
            fail_msg("seed %llu n%02d->n%02d: path %u is not the %u-th carrying simple path",
                     (unsigned long long)seed, x->s, x->t, k, k + 1);
        if (s->rights[k] != x->rights[pick])
            fail_msg("seed %llu n%02d->n%02d: path %u claims %llx, the model's replay %llx",
                     (unsigned long long)seed, x->s, x->t, k, (unsigned long long)s->rights[k],
                     (unsigned long long)x->rights[pick]);
    }
    ap_paths_free(p);
}

static void check_one(uint64_t seed, search *x)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "paths", seed, &st);
    int engine[M_MAX_EDGES];
    for (int i = 0; i < inv.m; i++) {
        char id[64];
        m_edge_id(id, sizeof id, &inv, i);
        engine[i] = (int)ap_graph_find_edge(g, id);
        assert_true(engine[i] >= 0);
    }
    for (int s = 0; s < inv.n; s++) {
        uint64_t fix[M_MAX_NODES];
        int hops[M_MAX_NODES];
        ap_authority *a = NULL;
        if (inv.nodes[s].kind != 0)
            continue;                       /* partners only: paths start at a partner */
        m_authority(&inv, s, fix, hops);
        assert_int_equal(ap_authority_compute(&a, g, (uint32_t)s, &err), AP_OK);
        x->inv = &inv;
        x->fix = fix;
        x->s = s;
        x->engine = engine;
        for (int i = 0; i < inv.m; i++)
            x->carry[i] = inv.edges[i].from != inv.edges[i].to
                          && carries(&inv, fix, s, &inv.edges[i]);
        for (int t = 0; t < inv.n; t++) {
            if (t == s || fix[t] == 0)
                continue;
            x->t = t;
            check_pair(x, g, a, seed);
        }
        ap_authority_free(a);
    }
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_paths_model__brute_force_agrees(void **state)
{
    search *x = malloc(sizeof *x);
    (void)state;
    ap_igraph_init();
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_one(seed, x);
    free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_model__brute_force_agrees),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
