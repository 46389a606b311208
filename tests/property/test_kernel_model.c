/* tests/property/test_kernel_model.c: the all-partners kernel against the single-source engine
 * and the brute-force model on the model's seeds: every node a source, batches mixing them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/kernel/kernel.h"
#include "../../query/kernel/run.h"
#include "authpath/query.h"
#include "kernel_check.h"
#include "model.h"

#define SEEDS (600 / AP_SEED_DIV)

static ap_graph *load_seed(uint64_t seed, m_inventory *inv, ap_store **st)
{
    m_generate(inv, seed);
    return ap_test_load_json(m_to_json(inv), inv->at, "kernel", seed, st);
}

/* Sources: every node, repeated so that there are at least two batches, each mixing sources
 * from all over the graph, and the last batch is partial. */
static uint32_t make_sources(uint32_t n, uint32_t **out)
{
    uint32_t count = n * 3 + 67, *s = malloc(count * sizeof *s);
    for (uint32_t i = 0; i < count; i++)
        s[i] = (i * 7 + i / n) % n;
    *out = s;
    return count;
}

static void check_rights(uint64_t seed, unsigned nthreads)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    ap_graph *g = load_seed(seed, &inv, &st);
    uint32_t n = ap_graph_node_count(g), *src, ns = make_sources(n, &src);
    got_rights gr = { n, calloc((size_t)ns * n, sizeof(ap_rights)),
                      calloc((size_t)ns * n, sizeof(unsigned)) };
    assert_int_equal(ap_authority_all(g, src, ns, nthreads, visit, &gr, &err), AP_OK);
    same_rights(seed, &inv, g, src, ns, &gr);
    free(gr.rights);
    free(gr.visits);
    free(src);
    ap_graph_free(g);
    ap_store_close(st);
}


/* The kernel's blast radius equals ap_blast_compute's, lists and all, for every source. */
static void check_blast(uint64_t seed, unsigned flags)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    ap_weights w;
    ap_blast **all = NULL;
    ap_graph *g = load_seed(seed, &inv, &st);
    uint32_t n = ap_graph_node_count(g), *src, ns = make_sources(n, &src);
    ap_weights_default(&w);
    w.right_weight[9] = 7;              /* a custom right that outweighs admin */
    assert_int_equal(ap_blast_all(&all, g, src, ns, &w, flags, 2, &err), AP_OK);
    for (uint32_t i = 0; i < ns; i++) {
        ap_authority *a = NULL;
        ap_blast *b = NULL, *k = all[i];
        assert_int_equal(ap_authority_compute(&a, g, src[i], &err), AP_OK);
        assert_int_equal(ap_blast_compute(&b, g, a, &w, &err), AP_OK);
        assert_int_equal(k->partner, b->partner);
        if (k->score != b->score)
            fail_msg("seed %llu source %u: score %lld, engine %lld", (unsigned long long)seed,
                     src[i], (long long)k->score, (long long)b->score);
        assert_memory_equal(k->by_kind, b->by_kind, sizeof b->by_kind);
        assert_memory_equal(k->by_sens, b->by_sens, sizeof b->by_sens);
        assert_memory_equal(k->by_sens_right, b->by_sens_right, sizeof b->by_sens_right);
        assert_memory_equal(k->score_by_sens, b->score_by_sens, sizeof b->score_by_sens);
        assert_int_equal(k->nworkflows, b->nworkflows);
        assert_int_equal(k->nidentities, b->nidentities);
        assert_int_equal(k->npartners, b->npartners);
        assert_int_equal(k->nescalations, b->nescalations);
        assert_int_equal(k->nboundaries, b->nboundaries);
        if (flags & AP_BLAST_LISTS) {
            same_list(seed, "workflows", k->workflows, k->nworkflows, b->workflows,
                      b->nworkflows);
            same_list(seed, "identities", k->identities, k->nidentities, b->identities,
                      b->nidentities);
            same_list(seed, "partners", k->partners, k->npartners, b->partners, b->npartners);
            same_list(seed, "escalations", k->escalations, k->nescalations, b->escalations,
                      b->nescalations);
            same_list(seed, "boundaries", k->boundaries, k->nboundaries, b->boundaries,
                      b->nboundaries);
        } else {
            assert_null(k->workflows);
            assert_null(k->escalations);
        }
        ap_blast_free(b);
        ap_authority_free(a);
    }
    ap_blast_list_free(all, ns);
    free(src);
    ap_graph_free(g);
    ap_store_close(st);
}

static void test_property_kernel__rights_match_engine_and_model(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        check_rights(seed, 1 + (unsigned)(seed % 3));
}

static void test_property_kernel__blast_matches_engine(void **state)
{
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed += 3)
        check_blast(seed, seed % 2 == 0 ? AP_BLAST_LISTS : 0);
}

/* The comparison has teeth: some seeds have cycles, gates, escalations and dead nodes that a
 * source reaches across, so the component iteration and the liveness rule are exercised. */
static void test_property_kernel__seeds_exercise_cycles(void **state)
{
    int cyc = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS && !cyc; seed++) {
        m_inventory inv;
        m_generate(&inv, seed);
        for (int i = 0; i < inv.m && !cyc; i++)
            for (int j = 0; j < inv.m && !cyc; j++)
                cyc = i != j && inv.edges[i].from == inv.edges[j].to
                      && inv.edges[i].to == inv.edges[j].from
                      && m_edge_live(&inv, &inv.edges[i], -1)
                      && m_edge_live(&inv, &inv.edges[j], -1);
    }
    assert_true(cyc);
}

/* A member of a cyclic component whose escalating edge to itself adds to the delta it is
 * sending: the one case where the fixpoint copies the delta out before sending it (otherwise
 * read in place). Seeds of the model with such a member, at every width on 1 to 3 threads:
 * rights and blast radii exactly the engine's and the model's. */
static void test_property_kernel__escalating_self_loops_in_cycles(void **state)
{
    static const unsigned widths[] = { 1, 2, 8 };
    unsigned found = 0;
    (void)state;
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        m_inventory inv;
        ap_store *st = NULL;
        ap_kernel *k = NULL;
        ap_error err;
        ap_graph *g = load_seed(seed, &inv, &st);
        bool has = false;
        assert_int_equal(ap_kernel__prepare(&k, g, &err), AP_OK);
        for (uint32_t p = 0; p < k->nns && !has; p++)
            for (uint32_t e = k->at[p].off; e < k->at[p].ext && !has; e++)
                has = (k->at[p].info & AP_KPOS_CYCLIC) && k->slot[e].dst == p
                      && k->types[k->slot[e].meta & AP_KMETA_TYPE].esc;
        ap_kernel__free(k);
        ap_graph_free(g);
        ap_store_close(st);
        if (!has)
            continue;
        found++;
        for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
            ap_kernel__words = widths[wi];
            check_rights(seed, 1 + (unsigned)((seed + wi) % 3));
            check_blast(seed, wi % 2 == 0 ? AP_BLAST_LISTS : 0);
        }
        ap_kernel__words = 0;
    }
    assert_true(found > 0);
}

/* Domains as the engine reads them (jansson, top level, non-empty strings), whatever their
 * spelling in attrs: escapes, non-ASCII, nested objects, the word as a value, wrong types. */
static void test_property_kernel__domains_as_the_engine_reads_them(void **state)
{
    static const char *const domains[] = {
        "\"domain\": \"p0\"", "\"domain\": \"a\\\"b\"", "\"domain\": \"a\\\"b\"",
        "\"domain\": \"\u00e9t\u00e9\"", "\"domain\": \"\\u00e9t\\u00e9\"",
        "\"domain\": \"\"", "\"domainx\": \"p0\"", "\"meta\": {\"domain\": \"p0\"}",
        "\"name\": \"domain\"", "\"name\": \"x\\\"domain\\\":\\\"p0\", \"domain\": \"home\"",
        "\"domain\": \"p1\", \"meta\": {\"domain\": \"p0\"}", "\"domain\": \"home\"",
    };
    const size_t nd = sizeof domains / sizeof domains[0];
    char text[8192];
    size_t used = 0;
    ap_store *st = NULL;
    ap_error err;
    ap_weights w;
    ap_blast **all = NULL;
    uint32_t src[2];
    (void)state;
    used += (size_t)snprintf(text + used, sizeof text - used, "{\"nodes\": [\n"
                             "{\"id\": \"p0\", \"kind\": \"partner\"},\n"
                             "{\"id\": \"home\", \"kind\": \"partner\"},\n");
    for (size_t i = 0; i < nd; i++)
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"id\": \"i%zu\", \"kind\": \"identity\", %s},\n", i,
                                 domains[i]);
    used += (size_t)snprintf(text + used, sizeof text - used,
                             "{\"id\": \"z\", \"kind\": \"identity\"}],\n\"edges\": [\n");
    for (size_t i = 0; i < nd; i++)         /* a chain through every domain, both partners */
        used += (size_t)snprintf(text + used, sizeof text - used,
                                 "{\"from\": \"%s%zu\", \"to\": \"i%zu\", \"kind\": "
                                 "\"can_assume\"},\n", i ? "i" : "p", i ? i - 1 : 0, i);
    snprintf(text + used, sizeof text - used,
             "{\"from\": \"i%zu\", \"to\": \"z\", \"kind\": \"can_assume\"},\n"
             "{\"from\": \"home\", \"to\": \"z\", \"kind\": \"can_assume\"},\n"
             "{\"from\": \"home\", \"to\": \"i0\", \"kind\": \"can_assume\"}]}\n", nd - 1);
    const char *path = ap_test_write_temp("kernel_domains.json", text);
    assert_int_equal(ap_store_open(&st, ":memory:", &err), AP_OK);
    if (ap_test_import(st, path, &err) != AP_OK)
        fail_msg("import failed: %s", err.msg);
    remove(path);
    ap_graph *g = ap_test_graph(st, 0);
    src[0] = (uint32_t)ap_graph_find(g, "p0");
    src[1] = (uint32_t)ap_graph_find(g, "home");
    ap_weights_default(&w);
    assert_int_equal(ap_blast_all(&all, g, src, 2, &w, AP_BLAST_LISTS, 1, &err), AP_OK);
    for (int i = 0; i < 2; i++) {
        ap_authority *a = NULL;
        ap_blast *b = NULL;
        assert_int_equal(ap_authority_compute(&a, g, src[i], &err), AP_OK);
        assert_int_equal(ap_blast_compute(&b, g, a, &w, &err), AP_OK);
        assert_true(b->nboundaries >= 5);
        same_list(0, "boundaries", all[i]->boundaries, all[i]->nboundaries, b->boundaries,
                  b->nboundaries);
        ap_blast_free(b);
        ap_authority_free(a);
    }
    ap_blast_list_free(all, 2);
    ap_graph_free(g);
    ap_store_close(st);
}

/* Sources beyond the graph are our caller's bug: refused, not read. */
static void test_property_kernel__refuses_out_of_range_source(void **state)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    ap_blast **all = NULL;
    ap_weights w;
    (void)state;
    ap_graph *g = load_seed(3, &inv, &st);
    uint32_t bad = ap_graph_node_count(g);
    ap_weights_default(&w);
    assert_int_equal(ap_blast_all(&all, g, &bad, 1, &w, 0, 2, &err), AP_EBUG);
    assert_null(all);
    assert_int_equal(ap_authority_all(g, &bad, 1, 2, visit, NULL, &err), AP_EBUG);
    ap_graph_free(g);
    ap_store_close(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_property_kernel__rights_match_engine_and_model),
        cmocka_unit_test(test_property_kernel__blast_matches_engine),
        cmocka_unit_test(test_property_kernel__seeds_exercise_cycles),
        cmocka_unit_test(test_property_kernel__escalating_self_loops_in_cycles),
        cmocka_unit_test(test_property_kernel__domains_as_the_engine_reads_them),
        cmocka_unit_test(test_property_kernel__refuses_out_of_range_source),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
