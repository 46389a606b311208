/* tests/property/test_kernel_shapes.c: the all-partners kernel against the single-source engine
 * on written estates (overlapping, dense and cyclic, wide), at every batch width; its id sort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/kernel/kernel.h"
#include "../../query/kernel/run.h"
#include "authpath/query.h"
#include "kernel_check.h"

/* A written estate for the batching: 150 partners whose reach overlaps (subcontractor chains,
 * shared identities) through chains into a cycle, gates and a second cycle downstream, nodes
 * that are not live on the way; run with source lists of uneven length (one batch and a few,
 * the last partial, repeated sources) on 1 to 3 threads. */
static const char *overlap_estate(void)
{
    static char text[65536];
    size_t used = 0;
#define OUT(...) (used += (size_t)snprintf(text + used, sizeof text - used, __VA_ARGS__))
    OUT("{\"nodes\": [\n");
    for (int i = 0; i < 150; i++)
        OUT("{\"id\": \"p%03d\", \"kind\": \"partner\"%s},\n", i,
            i % 7 == 0 ? ", \"domain\": \"shared\"" : "");
    for (int i = 0; i < 40; i++)
        OUT("{\"id\": \"i%02d\", \"kind\": \"identity\"%s},\n", i,
            i == 5 || i == 33 ? ", \"state\": \"suspended\"" : "");
    for (int i = 0; i < 20; i++)
        OUT("{\"id\": \"x%02d\", \"kind\": \"resource\", \"sensitivity\": \"%s\"},\n", i,
            i % 3 == 0 ? "critical" : i % 3 == 1 ? "restricted" : "internal");
    for (int i = 0; i < 5; i++)
        OUT("{\"id\": \"w%d\", \"kind\": \"workflow\"},\n", i);
    OUT("{\"id\": \"z\", \"kind\": \"identity\"}],\n\"edges\": [\n");
    for (int i = 1; i < 150; i++)       /* chains of partners acting for earlier ones */
        if (i % 3 != 0)
            OUT("{\"from\": \"p%03d\", \"to\": \"p%03d\", \"kind\": \"subcontractor_of\"},\n",
                i, i / 2);
    for (int i = 0; i < 150; i++)       /* into the front chains, shared by many partners */
        OUT("{\"from\": \"p%03d\", \"to\": \"i%02d\", \"kind\": \"admin_of\"},\n", i, i % 10);
    for (int i = 0; i < 10; i++) {      /* front chains into the cycle i10 .. i19 */
        OUT("{\"from\": \"i%02d\", \"to\": \"i%02d\", \"kind\": \"can_assume\"},\n", i, 10 + i);
        OUT("{\"from\": \"i%02d\", \"to\": \"i%02d\", \"kind\": \"can_assume\"},\n", 10 + i,
            10 + (i + 1) % 10);
        OUT("{\"from\": \"i%02d\", \"to\": \"x%02d\", \"kind\": \"access\", \"rights\": "
            "[\"%s\"]},\n", 10 + i, 2 * i, i % 2 ? "read" : "write");
        OUT("{\"from\": \"i%02d\", \"to\": \"x%02d\", \"kind\": \"access\", \"rights\": "
            "[\"read\", \"delete\"]},\n", 10 + i, 2 * i + 1);
    }
    for (int i = 0; i < 20; i++)        /* gated on write: only some resources trigger */
        OUT("{\"from\": \"x%02d\", \"to\": \"w%d\", \"kind\": \"triggers\", \"requires\": "
            "[\"write\"]},\n", i, i % 5);
    for (int i = 0; i < 5; i++)         /* the workflows run as the back identities */
        OUT("{\"from\": \"w%d\", \"to\": \"i%02d\", \"kind\": \"runs_as\"},\n", i, 20 + 2 * i);
    for (int i = 20; i < 39; i++)       /* a chain with a small cycle, then out */
        OUT("{\"from\": \"i%02d\", \"to\": \"i%02d\", \"kind\": \"can_assume\"},\n", i, i + 1);
    OUT("{\"from\": \"i30\", \"to\": \"i26\", \"kind\": \"can_assume\"},\n");
    OUT("{\"from\": \"i39\", \"to\": \"z\", \"kind\": \"can_assume\"}]}\n");
#undef OUT
    return text;
}

static void test_property_kernel__overlapping_batches_of_uneven_size(void **state)
{
    static const uint32_t counts[] = { 1, 63, 64, 65, 129, 150, 300, 451 };
    ap_store *st = NULL;
    ap_error err;
    ap_weights w;
    (void)state;
    const char *path = ap_test_write_temp("kernel_overlap.json", overlap_estate());
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    if (ap_test_import(st, path, &err) != AP_OK)
        fail_msg("import failed: %s", err.msg);
    remove(path);
    ap_graph *g = ap_test_graph(st, 0);
    uint32_t n = ap_graph_node_count(g), partners[150], np = 0;
    for (uint32_t v = 0; v < n; v++)
        if (ap_graph_node(g, v)->kind == AP_KIND_PARTNER)
            partners[np++] = v;
    assert_int_equal(np, 150);
    ap_weights_default(&w);
    for (size_t c = 0; c < sizeof counts / sizeof counts[0]; c++) {
        uint32_t ns = counts[c], *src = malloc(ns * sizeof *src);
        for (uint32_t i = 0; i < ns; i++)   /* scattered, and repeated past 150 */
            src[i] = partners[(i * 37 + i / 150) % 150];
        unsigned nthreads = 1 + (unsigned)(c % 3);
        got_rights gr = { n, calloc((size_t)ns * n, sizeof(ap_rights)),
                          calloc((size_t)ns * n, sizeof(unsigned)) };
        ap_blast **all = NULL;
        assert_int_equal(ap_authority_all(g, src, ns, nthreads, visit, &gr, &err), AP_OK);
        assert_int_equal(ap_blast_all(&all, g, src, ns, &w, AP_BLAST_LISTS, nthreads, &err),
                         AP_OK);
        uint32_t reached_cycle = 0;
        for (uint32_t i = 0; i < ns; i++) {
            ap_authority *a = NULL;
            ap_blast *b = NULL;
            assert_int_equal(ap_authority_compute(&a, g, src[i], &err), AP_OK);
            assert_int_equal(ap_blast_compute(&b, g, a, &w, &err), AP_OK);
            for (uint32_t v = 0; v < n; v++) {
                if (gr.rights[(size_t)i * n + v] != a->rights[v])
                    fail_msg("%u sources: source %u node %u: kernel %llx, engine %llx", ns, i,
                             v, (unsigned long long)gr.rights[(size_t)i * n + v],
                             (unsigned long long)a->rights[v]);
                assert_int_equal(gr.visits[(size_t)i * n + v], a->rights[v] != 0);
            }
            reached_cycle += a->rights[ap_graph_find(g, "i26")] != 0;
            assert_int_equal(all[i]->partner, src[i]);
            assert_int_equal(all[i]->score, b->score);
            assert_memory_equal(all[i]->by_kind, b->by_kind, sizeof b->by_kind);
            assert_memory_equal(all[i]->by_sens_right, b->by_sens_right,
                                sizeof b->by_sens_right);
            assert_memory_equal(all[i]->score_by_sens, b->score_by_sens,
                                sizeof b->score_by_sens);
            same_list(ns, "workflows", all[i]->workflows, all[i]->nworkflows, b->workflows,
                      b->nworkflows);
            same_list(ns, "identities", all[i]->identities, all[i]->nidentities,
                      b->identities, b->nidentities);
            same_list(ns, "partners", all[i]->partners, all[i]->npartners, b->partners,
                      b->npartners);
            same_list(ns, "escalations", all[i]->escalations, all[i]->nescalations,
                      b->escalations, b->nescalations);
            same_list(ns, "boundaries", all[i]->boundaries, all[i]->nboundaries,
                      b->boundaries, b->nboundaries);
            ap_blast_free(b);
            ap_authority_free(a);
        }
        if (ns >= 64)           /* the gate opens for some: the downstream cycle is reached */
            assert_true(reached_cycle > 0 && reached_cycle < ns);
        ap_blast_list_free(all, ns);
        free(gr.rights);
        free(gr.visits);
        free(src);
    }
    ap_graph_free(g);
    ap_store_close(st);
}

static int rnd(uint64_t *r, int n)
{
    *r = *r * 6364136223846793005ull + 1442695040888963407ull;
    return (int)((*r >> 33) % (uint64_t)n);
}

/* A dense, cyclic estate in small (bench/gen.c's dense and cyclic shapes): partners sharing
 * credentials, team hubs inside grant hubs with masked grants, a cyclic can_assume structure
 * with masks and gates, gated triggers into workflows that run as identities in it, nodes that
 * are not live on the way, sinks that are sources. Varied by seed. */
static const char *dense_estate(uint64_t seed)
{
    static char text[1 << 17];
    static const char *const masks[] = { "[\"read\"]", "[\"read\", \"write\"]", "[\"admin\"]",
                                         "[\"read\", \"approve\"]", "[\"write\", \"delete\"]" };
    static const char *const sens[] = { "public", "internal", "confidential", "restricted",
                                        "critical" };
    uint64_t r = seed * 0x9E3779B97F4A7C15ull + 7;
    size_t used = 0;
#define RND(n) rnd(&r, n)
#define OUT(...) (used += (size_t)snprintf(text + used, sizeof text - used, __VA_ARGS__))
    OUT("{\"nodes\": [\n");
    for (int i = 0; i < 130; i++)
        OUT("{\"id\": \"p%03d\", \"kind\": \"partner\"%s},\n", i,
            i % 9 == 0 ? ", \"domain\": \"shared\"" : "");
    for (int i = 0; i < 40; i++)
        OUT("{\"id\": \"i%02d\", \"kind\": \"identity\"%s},\n", i,
            RND(12) == 0 ? ", \"state\": \"suspended\"" : "");
    for (int i = 0; i < 24; i++)
        OUT("{\"id\": \"c%02d\", \"kind\": \"credential\"%s},\n", i,
            RND(15) == 0 ? ", \"state\": \"revoked\"" : "");
    for (int i = 0; i < 8; i++)
        OUT("{\"id\": \"r%d\", \"kind\": \"role\"},\n", i);
    for (int i = 0; i < 30; i++)
        OUT("{\"id\": \"x%02d\", \"kind\": \"resource\", \"sensitivity\": \"%s\"%s},\n", i,
            sens[RND(5)], RND(10) == 0 ? ", \"state\": \"suspended\"" : "");
    for (int i = 0; i < 6; i++)
        OUT("{\"id\": \"w%d\", \"kind\": \"workflow\", \"sensitivity\": \"%s\"},\n", i,
            sens[RND(5)]);
    OUT("{\"id\": \"z\", \"kind\": \"identity\"}],\n\"edges\": [\n");
    for (int i = 0; i < 24; i++) {      /* credentials held by 1-3 partners */
        for (int k = (int)RND(3); k >= 0; k--)
            OUT("{\"from\": \"p%03d\", \"to\": \"c%02d\", \"kind\": \"holds\"},\n",
                (int)RND(130), i);
        OUT("{\"from\": \"c%02d\", \"to\": \"i%02d\", \"kind\": \"authenticates_as\"},\n", i,
            (int)RND(30));
    }
    for (int i = 1; i < 130; i++)       /* subcontractor chains with a loop or two */
        if (RND(3) == 0)
            OUT("{\"from\": \"p%03d\", \"to\": \"p%03d\", \"kind\": \"subcontractor_of\"},\n",
                i, RND(i));
    OUT("{\"from\": \"p000\", \"to\": \"p129\", \"kind\": \"subcontractor_of\"},\n");
    for (int i = 0; i < 130; i += 2) {  /* partners administer into the cyclic structure */
        int mask = RND(2);
        OUT("{\"from\": \"p%03d\", \"to\": \"i%02d\", \"kind\": \"admin_of\"%s%s},\n", i,
            30 + (int)RND(10), mask ? ", \"rights\": " : "", mask ? masks[RND(5)] : "");
    }
    for (int i = 30; i < 40; i++)       /* the cyclic structure: masked, some gated */
        for (int k = 0; k < 2; k++) {
            int m = RND(3), g = RND(4);
            OUT("{\"from\": \"i%02d\", \"to\": \"i%02d\", \"kind\": \"can_assume\"%s%s%s},\n",
                i, 30 + (int)RND(10), m ? ", \"rights\": " : "", m ? masks[RND(5)] : "",
                g == 0 ? ", \"requires\": [\"approve\"]" : g == 1 ? ", \"requires\": [\"write\"]"
                                                              : "");
        }
    for (int i = 0; i < 30; i++)        /* identities in team hubs r0-r3 */
        if (RND(3) == 0)
            OUT("{\"from\": \"i%02d\", \"to\": \"r%d\", \"kind\": \"member_of\"},\n", i,
                (int)RND(4));
    for (int t = 0; t < 4; t++)         /* team hubs in grant hubs r4, r5 */
        OUT("{\"from\": \"r%d\", \"to\": \"r%d\", \"kind\": \"member_of\"},\n", t,
            4 + (int)RND(2));
    for (int h = 4; h < 8; h++)         /* grants, mostly masked */
        for (int k = 0; k < 8; k++) {
            int m = RND(4);
            OUT("{\"from\": \"r%d\", \"to\": \"x%02d\", \"kind\": \"access\"%s%s},\n", h,
                (int)RND(30), m ? ", \"rights\": " : "", m ? masks[RND(5)] : "");
        }
    for (int i = 30; i < 40; i++)
        OUT("{\"from\": \"i%02d\", \"to\": \"x%02d\", \"kind\": \"access\", \"rights\": %s},\n",
            i, (int)RND(30), masks[RND(5)]);
    for (int i = 0; i < 12; i++)        /* gated triggers; workflows run as identities */
        OUT("{\"from\": \"x%02d\", \"to\": \"w%d\", \"kind\": \"triggers\"%s},\n",
            (int)RND(30), (int)RND(6), RND(3) == 0 ? ", \"requires\": [\"approve\"]" : "");
    for (int i = 0; i < 6; i++)
        OUT("{\"from\": \"w%d\", \"to\": \"i%02d\", \"kind\": \"runs_as\"},\n", i,
            (int)RND(40));
    OUT("{\"from\": \"i39\", \"to\": \"z\", \"kind\": \"can_assume\"}]}\n");
#undef OUT
#undef RND
    return text;
}

typedef struct {
    const ap_blast *const *want;
    uint32_t next;
    uint32_t cut;           /* AP_BLAST_LISTS_CUT's, or 0 */
    uint32_t cut_short;     /* lists the cut left shorter than their count */
} each_check;

/* With a cut: the whole count, and the first min(n, cut) entries of the whole list. */
static void same_cut(each_check *c, uint32_t i, const char *what, const uint32_t *x,
                     uint32_t nx, const uint32_t *y, uint32_t ny)
{
    uint32_t shown = ny < c->cut ? ny : c->cut;
    if (nx != ny)
        fail_msg("source %u: %s cut to %u: %u against %u", i, what, c->cut, nx, ny);
    for (uint32_t k = 0; k < shown; k++)
        if (x[k] != y[k])
            fail_msg("source %u: %s cut to %u differ at %u", i, what, c->cut, k);
    c->cut_short += ny > c->cut;
}

static int check_each(void *ctx, uint32_t i, const ap_blast *b)
{
    each_check *c = ctx;
    const ap_blast *w = c->want[i];
    assert_int_equal(i, c->next++);
    assert_int_equal(b->partner, w->partner);
    assert_int_equal(b->score, w->score);
    assert_memory_equal(b->by_kind, w->by_kind, sizeof b->by_kind);
    assert_memory_equal(b->by_sens_right, w->by_sens_right, sizeof b->by_sens_right);
    assert_int_equal(b->cut, c->cut);
    if (c->cut != 0) {
        same_cut(c, i, "workflows", b->workflows, b->nworkflows, w->workflows, w->nworkflows);
        same_cut(c, i, "identities", b->identities, b->nidentities, w->identities,
                 w->nidentities);
        same_cut(c, i, "partners", b->partners, b->npartners, w->partners, w->npartners);
        same_cut(c, i, "escalations", b->escalations, b->nescalations, w->escalations,
                 w->nescalations);
        same_cut(c, i, "boundaries", b->boundaries, b->nboundaries, w->boundaries,
                 w->nboundaries);
        return 0;
    }
    same_list(i, "each identities", b->identities, b->nidentities, w->identities,
              w->nidentities);
    same_list(i, "each escalations", b->escalations, b->nescalations, w->escalations,
              w->nescalations);
    return 0;
}

/* The kernel on dense and cyclic shapes, for every node as a source (sinks and nodes that are
 * not live included), at every batch width (64 to 512 sources) and 1 to 3 threads: rights,
 * blast radii and lists exactly the single-source engine's; ap_blast_each hands on the same
 * results in order. */
static void test_property_kernel__dense_cyclic_shapes_every_width(void **state)
{
    static const unsigned widths[] = { 1, 2, 3, 8 };
    (void)state;
    for (uint64_t seed = 0; seed < 6; seed++) {
        ap_store *st = NULL;
        ap_error err;
        ap_weights w;
        const char *path = ap_test_write_temp("kernel_dense.json", dense_estate(seed));
        assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
        if (ap_test_import(st, path, &err) != AP_OK)
            fail_msg("seed %llu: import failed: %s", (unsigned long long)seed, err.msg);
        remove(path);
        ap_graph *g = ap_test_graph(st, 0);
        uint32_t n = ap_graph_node_count(g), ns = 2 * n + 41, *src = malloc(ns * sizeof *src);
        for (uint32_t i = 0; i < ns; i++)       /* every node, scattered, some repeated */
            src[i] = (i * 37 + i / n) % n;
        ap_weights_default(&w);
        ap_authority **eng = calloc(ns, sizeof *eng);
        ap_blast **want = calloc(ns, sizeof *want);
        uint32_t cyc = 0, gated = 0;
        for (uint32_t i = 0; i < ns; i++) {
            assert_int_equal(ap_authority_compute(&eng[i], g, src[i], &err), AP_OK);
            assert_int_equal(ap_blast_compute(&want[i], g, eng[i], &w, &err), AP_OK);
            cyc += eng[i]->rights[ap_graph_find(g, "i35")] != 0;
            gated += want[i]->nworkflows > 0;
        }
        assert_true(cyc > 0 && gated > 0);     /* the cycle and the gates are exercised */
        for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
            unsigned nthreads = 1 + (unsigned)((seed + wi) % 3);
            got_rights gr = { n, calloc((size_t)ns * n, sizeof(ap_rights)),
                              calloc((size_t)ns * n, sizeof(unsigned)) };
            ap_blast **all = NULL;
            each_check ec = { (const ap_blast *const *)want, 0, 0, 0 };
            each_check cut = { (const ap_blast *const *)want, 0, 1 + (uint32_t)wi, 0 };
            ap_kernel__words = widths[wi];
            assert_int_equal(ap_authority_all(g, src, ns, nthreads, visit, &gr, &err), AP_OK);
            assert_int_equal(ap_blast_all(&all, g, src, ns, &w, AP_BLAST_LISTS, nthreads, &err),
                             AP_OK);
            assert_int_equal(ap_blast_each(g, src, ns, &w, AP_BLAST_LISTS, nthreads, check_each,
                                           &ec, &err), AP_OK);
            assert_int_equal(ec.next, ns);
            /* lists cut to their first 1 to 4: the same counts and first entries */
            assert_int_equal(ap_blast_each(g, src, ns, &w, AP_BLAST_LISTS_CUT(cut.cut), nthreads,
                                           check_each, &cut, &err), AP_OK);
            assert_int_equal(cut.next, ns);
            assert_true(cut.cut_short > 0);
            for (uint32_t i = 0; i < ns; i++) {
                const ap_blast *b = want[i], *k = all[i];
                for (uint32_t v = 0; v < n; v++) {
                    if (gr.rights[(size_t)i * n + v] != eng[i]->rights[v])
                        fail_msg("seed %llu width %u source %u node %u: kernel %llx, engine "
                                 "%llx", (unsigned long long)seed, widths[wi], src[i], v,
                                 (unsigned long long)gr.rights[(size_t)i * n + v],
                                 (unsigned long long)eng[i]->rights[v]);
                    assert_int_equal(gr.visits[(size_t)i * n + v], eng[i]->rights[v] != 0);
                }
                if (k->score != b->score)
                    fail_msg("seed %llu width %u source %u: score %lld, engine %lld",
                             (unsigned long long)seed, widths[wi], src[i], (long long)k->score,
                             (long long)b->score);
                assert_memory_equal(k->by_kind, b->by_kind, sizeof b->by_kind);
                assert_memory_equal(k->by_sens, b->by_sens, sizeof b->by_sens);
                assert_memory_equal(k->by_sens_right, b->by_sens_right,
                                    sizeof b->by_sens_right);
                same_list(seed, "workflows", k->workflows, k->nworkflows, b->workflows,
                          b->nworkflows);
                same_list(seed, "identities", k->identities, k->nidentities, b->identities,
                          b->nidentities);
                same_list(seed, "partners", k->partners, k->npartners, b->partners,
                          b->npartners);
                same_list(seed, "escalations", k->escalations, k->nescalations,
                          b->escalations, b->nescalations);
                same_list(seed, "boundaries", k->boundaries, k->nboundaries, b->boundaries,
                          b->nboundaries);
            }
            ap_blast_list_free(all, ns);
            free(gr.rights);
            free(gr.visits);
        }
        ap_kernel__words = 0;
        for (uint32_t i = 0; i < ns; i++) {
            ap_authority_free(eng[i]);
            ap_blast_free(want[i]);
        }
        free(eng);
        free(want);
        free(src);
        ap_graph_free(g);
        ap_store_close(st);
    }
}

/* One identity reaching 700 resources of one sensitivity (some read only, some everything) and
 * 300 identities: every counter row passes 256, where the kernel's 8 bit planes carry into its
 * 32-bit counts. */
static const char *wide_estate(void)
{
    static char text[1 << 18];
    size_t used = 0;
#define OUT(...) (used += (size_t)snprintf(text + used, sizeof text - used, __VA_ARGS__))
    OUT("{\"nodes\": [\n{\"id\": \"p0\", \"kind\": \"partner\"},\n"
        "{\"id\": \"p1\", \"kind\": \"partner\"},\n{\"id\": \"i0\", \"kind\": \"identity\"},\n");
    for (int i = 0; i < 700; i++)
        OUT("{\"id\": \"x%03d\", \"kind\": \"resource\", \"sensitivity\": \"%s\"},\n", i,
            i % 10 == 0 ? "critical" : "restricted");
    for (int i = 0; i < 300; i++)
        OUT("{\"id\": \"j%03d\", \"kind\": \"identity\"},\n", i);
    OUT("{\"id\": \"z\", \"kind\": \"identity\"}],\n\"edges\": [\n"
        "{\"from\": \"p0\", \"to\": \"i0\", \"kind\": \"admin_of\"},\n"
        "{\"from\": \"p1\", \"to\": \"i0\", \"kind\": \"admin_of\", \"rights\": [\"read\"]},\n");
    for (int i = 0; i < 700; i++)
        OUT("{\"from\": \"i0\", \"to\": \"x%03d\", \"kind\": \"access\"%s},\n", i,
            i % 3 == 0 ? ", \"rights\": [\"read\"]" : "");
    for (int i = 0; i < 300; i++)
        OUT("{\"from\": \"i0\", \"to\": \"j%03d\", \"kind\": \"can_assume\"},\n", i);
    OUT("{\"from\": \"j000\", \"to\": \"z\", \"kind\": \"can_assume\"}]}\n");
#undef OUT
    return text;
}

static void test_property_kernel__counts_past_the_bit_planes(void **state)
{
    ap_store *st = NULL;
    ap_error err;
    ap_weights w;
    (void)state;
    const char *path = ap_test_write_temp("kernel_wide.json", wide_estate());
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    if (ap_test_import(st, path, &err) != AP_OK)
        fail_msg("import failed: %s", err.msg);
    remove(path);
    ap_graph *g = ap_test_graph(st, 0);
    uint32_t src[130];
    for (uint32_t i = 0; i < 130; i++)      /* both partners, repeated across words */
        src[i] = ap_graph_find(g, i % 2 ? "p1" : "p0");
    ap_weights_default(&w);
    for (unsigned width = 1; width <= 2; width++) {
        ap_blast **all = NULL;
        ap_kernel__words = width;
        assert_int_equal(ap_blast_all(&all, g, src, 130, &w, 0, 1 + width % 2, &err), AP_OK);
        for (uint32_t i = 0; i < 2; i++) {
            ap_authority *a = NULL;
            ap_blast *b = NULL;
            assert_int_equal(ap_authority_compute(&a, g, src[i], &err), AP_OK);
            assert_int_equal(ap_blast_compute(&b, g, a, &w, &err), AP_OK);
            assert_true(b->by_kind[AP_KIND_RESOURCE] == 700 && b->by_kind[AP_KIND_IDENTITY] > 256);
            for (uint32_t x = i; x < 130; x += 2) {
                assert_int_equal(all[x]->score, b->score);
                assert_memory_equal(all[x]->by_kind, b->by_kind, sizeof b->by_kind);
                assert_memory_equal(all[x]->by_sens, b->by_sens, sizeof b->by_sens);
                assert_memory_equal(all[x]->by_sens_right, b->by_sens_right,
                                    sizeof b->by_sens_right);
            }
            ap_blast_free(b);
            ap_authority_free(a);
        }
        ap_blast_list_free(all, 130);
    }
    ap_kernel__words = 0;
    ap_graph_free(g);
    ap_store_close(st);
}

/* The lists' sort: short lists by qsort, long ones (a partner reaching tens of thousands of
 * identities) by a radix sort over 11-bit digits: both give ascending ids, duplicates kept,
 * for ids in every digit (past 2^22 too) and lengths on both sides of the switch. */
static int cmp_id(const void *x, const void *y)
{
    uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;
    return a < b ? -1 : a > b;
}

static void test_property_kernel__lists_sorted_at_every_length(void **state)
{
    static const uint32_t lengths[] = { 0, 1, 2, 255, 256, 257, 1000, 70000 };
    uint64_t r = 12345;
    (void)state;
    for (size_t li = 0; li < sizeof lengths / sizeof lengths[0]; li++) {
        uint32_t n = lengths[li];
        uint32_t *v = n ? malloc(n * sizeof *v) : NULL, *want = n ? malloc(n * sizeof *v) : NULL;
        for (uint32_t i = 0; i < n; i++) {
            r = r * 6364136223846793005ull + 1442695040888963407ull;
            uint32_t x = (uint32_t)(r >> 32);
            v[i] = li % 2 ? x : x % (n / 3 + 1);    /* every digit, or many duplicates */
            want[i] = v[i];
        }
        if (n > 1)
            qsort(want, n, sizeof *want, cmp_id);
        ap_kernel__sort_ids(v, n);
        for (uint32_t i = 0; i < n; i++)
            if (v[i] != want[i])
                fail_msg("length %u: at %u %u, want %u", n, i, v[i], want[i]);
        free(v);
        free(want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_kernel__overlapping_batches_of_uneven_size),
        cmocka_unit_test(test_property_kernel__dense_cyclic_shapes_every_width),
        cmocka_unit_test(test_property_kernel__counts_past_the_bit_planes),
        cmocka_unit_test(test_property_kernel__lists_sorted_at_every_length),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
