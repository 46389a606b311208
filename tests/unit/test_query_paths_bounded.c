/* tests/unit/test_query_paths_bounded.c: paths whose work the bounds bound (issue 17: a cycle of
 * 2,000 identities within 10 s and 1 GiB), the work bound said when hit, and routes that carry
 * something on the five-node estate. The estates are generated here. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "authpath/paths.h"
#include "support.h"

#define AT 1767225600       /* 2026-01-01 */
#define N 2000

/* A growing text buffer for generated estates. */
typedef struct {
    char *s;
    size_t len, cap;
} text;

static void put(text *t, const char *fmt, ...) AP_PRINTF(2, 3);
static void put(text *t, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int n = vsnprintf(t->s + t->len, t->cap - t->len, fmt, ap);
        va_end(ap);
        assert_true(n >= 0);
        if (t->len + (size_t)n < t->cap) {
            t->len += (size_t)n;
            return;
        }
        t->cap = (t->cap + (size_t)n + 1) * 2;
        t->s = realloc(t->s, t->cap);
        assert_non_null(t->s);
    }
}

static ap_graph *load(ap_store **st, const char *name, text *t)
{
    ap_error err;
    assert_int_equal(ap_store_open(st, ":memory:", &err), AP_OK);
    const char *path = ap_test_write_temp(name, t->s);
    if (ap_test_import(*st, path, &err) != AP_OK)
        fail_msg("import: %s:%u:%u: %s", err.file, err.line, err.col, err.msg);
    remove(path);
    free(t->s);
    return ap_test_graph(*st, AT);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* p0 -can_assume-> i0, i_k -can_assume-> i_(k+1 mod N), i_k -access-> r_k (critical): every
 * target's only route is the arc of the cycle to it. */
static void cycle(text *t, int shared)
{
    memset(t, 0, sizeof *t);
    put(t, "{\"nodes\": [{\"id\": \"p0\", \"kind\": \"partner\"}");
    for (int k = 0; k < N; k++)
        put(t, ",\n{\"id\": \"i%d\", \"kind\": \"identity\"}", k);
    for (int k = 0; k < (shared ? 1 : N); k++)
        put(t, ",\n{\"id\": \"r%d\", \"kind\": \"resource\", \"sensitivity\": \"critical\"}", k);
    put(t, "],\n\"edges\": [{\"from\": \"p0\", \"to\": \"i0\", \"kind\": \"can_assume\"}");
    for (int k = 0; k < N; k++)
        put(t, ",\n{\"from\": \"i%d\", \"to\": \"i%d\", \"kind\": \"can_assume\"},"
               "\n{\"from\": \"i%d\", \"to\": \"r%d\", \"kind\": \"access\"}",
            k, (k + 1) % N, k, shared ? 0 : k);
    put(t, "]}\n");
}

/* `paths p0` on the cycle with --max-depth 3: every target within the budget, the two near
 * ones with their route, the others said to have longer ones, none cut short. */
static void test_paths_bounded__cycle_of_2000_within_budget(void **state)
{
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_paths *p = NULL;
    uint32_t *targets = NULL, nt = 0;
    ap_paths_opts o = { 3, 0 };
    ap_error err;
    text t;
    struct rusage ru;
    (void)state;
    cycle(&t, 0);
    ap_graph *g = load(&st, "cycle.json", &t);
    double start = now();
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "p0"), &err), AP_OK);
    assert_int_equal(ap_paths_targets(&targets, &nt, g, a, AP_SENS_CRITICAL, &err), AP_OK);
    assert_int_equal(nt, N);
    assert_int_equal(ap_paths_compute(&p, g, a, targets, nt, &o, &err), AP_OK);
    double took = now() - start;
    for (uint32_t i = 0; i < p->nsets; i++) {
        const ap_path_set *s = &p->sets[i];
        const char *id = ap_graph_node(g, s->target)->id;
        int k = atoi(id + 1);
        assert_false(s->truncated);
        assert_false(s->more);
        assert_int_equal(s->npaths, k < 2 ? 1 : 0);
        assert_int_equal(s->deeper, k >= 2);
        if (k < 2)
            assert_int_equal(s->off[1], (uint32_t)k + 2);
    }
    ap_paths_free(p);
    /* the default depth (12) is bounded the same way */
    assert_int_equal(ap_paths_compute(&p, g, a, targets, nt, NULL, &err), AP_OK);
    took += now() - start;
    assert_int_equal(p->sets[0].npaths + p->sets[1].npaths, 2);
    getrusage(RUSAGE_SELF, &ru);
    print_message("cycle of %d: paths in %.2f s, max rss %ld MiB\n", N, took, ru.ru_maxrss / 1024);
    assert_true(took < 10.0);
    assert_true(ru.ru_maxrss < 1024L * 1024);           /* KiB: under 1 GiB */
    ap_paths_free(p);
    free(targets);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

/* Every identity of the cycle reaches one shared critical resource: N routes into it, the
 * shortest found first, the rest said. */
static void test_paths_bounded__shared_target_of_2000(void **state)
{
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_paths *p = NULL;
    ap_paths_opts o = { 3, 0 };
    ap_error err;
    text t;
    (void)state;
    cycle(&t, 1);
    ap_graph *g = load(&st, "shared.json", &t);
    uint32_t r0 = (uint32_t)ap_graph_find(g, "r0");
    double start = now();
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "p0"), &err), AP_OK);
    assert_int_equal(ap_paths_compute(&p, g, a, &r0, 1, &o, &err), AP_OK);
    assert_int_equal(p->sets[0].npaths, 2);             /* p0 > i0 > r0, p0 > i0 > i1 > r0 */
    assert_true(p->sets[0].deeper);
    assert_false(p->sets[0].truncated);
    ap_paths_free(p);
    assert_int_equal(ap_paths_compute(&p, g, a, &r0, 1, NULL, &err), AP_OK);
    assert_int_equal(p->sets[0].npaths, 11);            /* one per arc of 0..10 identities */
    assert_true(now() - start < 10.0);
    ap_paths_free(p);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

/* A target with more in-edges than the work bound allows: the search stops there and says so
 * instead of running on. */
static void test_paths_bounded__work_bound_is_said(void **state)
{
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_paths *p = NULL;
    ap_paths_opts o = { 1, 1 };
    ap_error err;
    text t;
    (void)state;
    memset(&t, 0, sizeof t);
    put(&t, "{\"nodes\": [{\"id\": \"p\", \"kind\": \"partner\"}, {\"id\": \"t\", \"kind\": "
            "\"resource\"}");
    for (int k = 0; k < 600; k++)
        put(&t, ",\n{\"id\": \"i%03d\", \"kind\": \"identity\"}", k);
    put(&t, "],\n\"edges\": [{\"from\": \"p\", \"to\": \"t\", \"kind\": \"access\"}");
    for (int k = 0; k < 600; k++)
        put(&t, ",\n{\"from\": \"p\", \"to\": \"i%03d\", \"kind\": \"can_assume\"},"
                "\n{\"from\": \"i%03d\", \"to\": \"t\", \"kind\": \"access\"}", k, k);
    put(&t, "]}\n");
    ap_graph *g = load(&st, "wide.json", &t);
    uint32_t target = (uint32_t)ap_graph_find(g, "t");
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "p"), &err), AP_OK);
    assert_int_equal(ap_paths_compute(&p, g, a, &target, 1, &o, &err), AP_OK);
    assert_int_equal(p->work, AP_PATHS_WORK * 1 * 2);
    assert_true(p->sets[0].truncated);
    ap_paths_free(p);
    o.max_depth = 2;                                    /* a larger bound finds them all */
    o.max_paths = 1000;
    assert_int_equal(ap_paths_compute(&p, g, a, &target, 1, &o, &err), AP_OK);
    assert_false(p->sets[0].truncated);
    assert_int_equal(p->sets[0].npaths, 601);
    ap_paths_free(p);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

/* The estate: P > r carries read, r > x passes only write. The one route to x is
 * P > a > b > r > x with write; r has two, read and every right. */
static void test_paths_bounded__five_node_routes_carry_something(void **state)
{
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_paths *p = NULL;
    ap_error err;
    (void)state;
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    assert_int_equal(ap_test_import(st, FIXTURE("evidence/five.json"), &err), AP_OK);
    ap_graph *g = ap_test_graph(st, AT);
    uint32_t t[2] = { (uint32_t)ap_graph_find(g, "x"), (uint32_t)ap_graph_find(g, "r") };
    ap_rights rd = 1, wr = 2;
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "P"), &err), AP_OK);
    assert_int_equal(ap_paths_compute(&p, g, a, t, 2, NULL, &err), AP_OK);
    assert_int_equal(p->sets[0].npaths, 1);
    assert_int_equal(p->sets[0].off[1], 4);
    assert_int_equal(p->sets[0].rights[0], wr);
    assert_int_equal(p->sets[1].npaths, 2);
    assert_int_equal(p->sets[1].rights[0], rd);
    assert_int_equal(p->sets[1].rights[1], AP_RIGHTS_ALL);
    ap_paths_free(p);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

/* "A longer route exists" found where the backward search meets a node's breadth-first route
 * from the source only when that route's rights get through the rest: x's tree route (h > x)
 * brings read, x > r passes write, and x's write comes round through r itself (r > w > x), so
 * no carrying simple route to r is longer than P > k > h > r. */
static void test_paths_bounded__tree_route_must_carry_the_rest(void **state)
{
    ap_store *st = NULL;
    ap_authority *a = NULL;
    ap_paths *p = NULL;
    ap_paths_opts o = { 3, 5 };
    ap_error err;
    text t;
    (void)state;
    memset(&t, 0, sizeof t);
    put(&t, "{\"nodes\": [{\"id\": \"P\", \"kind\": \"partner\"}, {\"id\": \"k\", "
            "\"kind\": \"credential\"}, {\"id\": \"h\", \"kind\": \"identity\"}, {\"id\": "
            "\"x\", \"kind\": \"identity\"}, {\"id\": \"r\", \"kind\": \"resource\"}, "
            "{\"id\": \"w\", \"kind\": \"workflow\"}],\n");
    put(&t, "\"edges\": [{\"from\": \"P\", \"to\": \"k\", \"kind\": \"holds\"}, "
            "{\"from\": \"k\", \"to\": \"h\", \"kind\": \"authenticates_as\"}, "
            "{\"from\": \"h\", \"to\": \"r\", \"kind\": \"access\", \"rights\": [\"read\", "
            "\"write\"]}, {\"from\": \"h\", \"to\": \"x\", \"kind\": \"can_assume\", "
            "\"rights\": [\"read\"]}, {\"from\": \"r\", \"to\": \"w\", \"kind\": "
            "\"triggers\"}, {\"from\": \"w\", \"to\": \"x\", \"kind\": \"runs_as\"}, "
            "{\"from\": \"x\", \"to\": \"r\", \"kind\": \"access\", \"rights\": "
            "[\"write\"]}]}\n");
    ap_graph *g = load(&st, "round.json", &t);
    uint32_t target = (uint32_t)ap_graph_find(g, "r");
    assert_int_equal(ap_authority_compute(&a, g, (uint32_t)ap_graph_find(g, "P"), &err), AP_OK);
    assert_true(a->rights[ap_graph_find(g, "x")] & 2);   /* x holds write, through r */
    assert_int_equal(ap_paths_compute(&p, g, a, &target, 1, &o, &err), AP_OK);
    assert_int_equal(p->sets[0].npaths, 1);
    assert_int_equal(p->sets[0].off[1], 3);
    assert_false(p->sets[0].truncated);
    assert_false(p->sets[0].deeper);
    ap_paths_free(p);
    ap_authority_free(a);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths_bounded__tree_route_must_carry_the_rest),
        cmocka_unit_test(test_paths_bounded__five_node_routes_carry_something),
        cmocka_unit_test(test_paths_bounded__work_bound_is_said),
        cmocka_unit_test(test_paths_bounded__shared_target_of_2000),
        cmocka_unit_test(test_paths_bounded__cycle_of_2000_within_budget),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
