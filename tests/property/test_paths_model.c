/* tests/property/test_paths_model.c: paths against brute force on 100 seeded random
 * inventories: every simple path over carrying edges enumerated by depth-first search from the
 * model's fixpoint, compared with igraph's bounded, shortest-first answer and its flags. */
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

static const char *const ekinds[] = { "holds", "authenticates_as", "member_of", "can_assume",
                                      "subcontractor_of", "admin_of", "can_mint", "access",
                                      "triggers", "runs_as", "depends_on" };

typedef struct {
    const m_inventory *inv;
    const uint64_t *fix;
    int s, t;
    int carry[M_MAX_EDGES];
    int path[M_MAX_NODES], len;
    int on[M_MAX_NODES];
    int lens[CAP], npaths;          /* lengths of the paths found (<= DEPTH) */
    char found[CAP][M_MAX_NODES];   /* model edge indices of each path */
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

static void dfs(search *x, int v, int limit)
{
    if (x->overflow || x->steps++ > BUDGET)
        return;
    if (v == x->t) {
        if (x->len > DEPTH) {
            x->longer = 1;
            return;
        }
        if (x->npaths == CAP) {
            x->overflow = 1;
            return;
        }
        x->lens[x->npaths] = x->len;
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

/* The store's id of model edge i: from|kind|to, with #k for the k-th repeat in file order. */
static void edge_id(char *buf, size_t size, const m_inventory *inv, int i)
{
    const m_edge *e = &inv->edges[i];
    int k = 1;
    for (int j = 0; j < i; j++)
        k += inv->edges[j].from == e->from && inv->edges[j].to == e->to
             && inv->edges[j].kind == e->kind;
    if (k > 1)
        snprintf(buf, size, "%s|%s|%s#%d", inv->nodes[e->from].id, ekinds[e->kind],
                 inv->nodes[e->to].id, k);
    else
        snprintf(buf, size, "%s|%s|%s", inv->nodes[e->from].id, ekinds[e->kind],
                 inv->nodes[e->to].id);
}

static int same_path(const search *x, int k, const ap_graph *g, const uint32_t *edges, int len)
{
    char id[64];
    if (x->lens[k] != len)
        return 0;
    for (int i = 0; i < len; i++) {
        edge_id(id, sizeof id, x->inv, x->found[k][i]);
        if (strcmp(id, ap_graph_edge(g, edges[i])->id) != 0)
            return 0;
    }
    return 1;
}

static int int_cmp(const void *a, const void *b)
{
    return *(const int *)a - *(const int *)b;
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
    if (s->deeper != (x->longer && x->npaths <= KEEP) && !(x->npaths > KEEP))
        fail_msg("seed %llu n%02d->n%02d: deeper %d, brute force %d", (unsigned long long)seed,
                 x->s, x->t, s->deeper, x->longer);
    /* every path returned is one of the brute-force paths, and they are the shortest ones */
    int sorted[CAP];
    memcpy(sorted, x->lens, (size_t)x->npaths * sizeof sorted[0]);
    qsort(sorted, (size_t)x->npaths, sizeof sorted[0], int_cmp);
    for (uint32_t k = 0; k < s->npaths; k++) {
        int len = (int)(s->off[k + 1] - s->off[k]), hit = 0;
        for (int j = 0; j < x->npaths && !hit; j++)
            hit = same_path(x, j, g, s->edges + s->off[k], len);
        if (!hit)
            fail_msg("seed %llu n%02d->n%02d: path %u is not a carrying simple path",
                     (unsigned long long)seed, x->s, x->t, k);
        if (len != sorted[k])
            fail_msg("seed %llu n%02d->n%02d: path %u has length %d, the %u-th shortest %d",
                     (unsigned long long)seed, x->s, x->t, k, len, k + 1, sorted[k]);
        if (k > 0)
            assert_true(s->off[k] - s->off[k - 1] <= s->off[k + 1] - s->off[k]);
    }
    ap_paths_free(p);
}

static void check_one(uint64_t seed, search *x)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    char name[64];
    m_generate(&inv, seed);
    char *json = m_to_json(&inv);
    snprintf(name, sizeof name, "paths_%llu.json", (unsigned long long)seed);
    const char *path = ap_test_write_temp(name, json);
    free(json);
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    if (ap_test_import(st, path, &err) != AP_OK)
        fail_msg("seed %llu: import failed: %s", (unsigned long long)seed, err.msg);
    remove(path);
    ap_graph *g = ap_test_graph(st, inv.at);
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
