/* tests/property/test_kernel_chunks.c: the kernel's words in chunks of four places (every batch
 * crosses chunk boundaries) against the engine and the model, and a chunk that cannot be had:
 * out of memory, said, never a hang nor a wrong answer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../query/kernel/kernel.h"
#include "authpath/query.h"
#include "kernel_check.h"
#include "model.h"

#define SEEDS (300 / AP_SEED_DIV)

/* Every node a source, twice over. */
static uint32_t make_sources(uint32_t n, uint32_t **out)
{
    uint32_t count = n * 2 + 5, *s = malloc(count * sizeof *s);
    for (uint32_t i = 0; i < count; i++)
        s[i] = (i * 5 + i / n) % n;
    *out = s;
    return count;
}

/* The seed's kernel rights against the engine and the model; AP_ENOMEM passed on. */
static int check_seed(uint64_t seed, unsigned nthreads)
{
    m_inventory inv;
    ap_store *st = NULL;
    ap_error err;
    m_generate(&inv, seed);
    ap_graph *g = ap_test_load_json(m_to_json(&inv), inv.at, "chunks", seed, &st);
    uint32_t n = ap_graph_node_count(g), *src, ns = make_sources(n, &src);
    got_rights gr = { n, calloc((size_t)ns * n, sizeof(ap_rights)),
                      calloc((size_t)ns * n, sizeof(unsigned)) };
    int rc = ap_authority_all(g, src, ns, nthreads, visit, &gr, &err);
    if (rc == AP_OK)
        same_rights(seed, &inv, g, src, ns, &gr);
    free(gr.rights);
    free(gr.visits);
    free(src);
    ap_graph_free(g);
    ap_store_close(st);
    return rc;
}

static void test_kernel_chunks__small_chunks_give_the_same_rights(void **state)
{
    (void)state;
    ap_kernel__chunk_shift = 2;
    for (uint64_t seed = 0; seed < SEEDS; seed++)
        for (unsigned t = 1; t <= 2; t++)
            assert_int_equal(check_seed(seed, t), AP_OK);
    ap_kernel__chunk_shift = 0;
}

static void test_kernel_chunks__a_chunk_refused_is_out_of_memory(void **state)
{
    unsigned refused = 0, ran = 0;
    (void)state;
    ap_kernel__chunk_shift = 2;
    ap_kernel__chunks_max = 1;
    for (uint64_t seed = 0; seed < SEEDS; seed++) {
        int rc = check_seed(seed, 2);
        if (rc != AP_OK && rc != AP_ENOMEM)
            fail_msg("seed %llu: %d, not out of memory", (unsigned long long)seed, rc);
        refused += rc == AP_ENOMEM;
        ran += rc == AP_OK;         /* within one chunk: right (checked above) */
    }
    ap_kernel__chunk_shift = 0;
    ap_kernel__chunks_max = 0;
    if (refused < SEEDS / 4 || ran == 0)        /* both ways taken */
        fail_msg("%u seeds refused, %u ran", refused, ran);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kernel_chunks__small_chunks_give_the_same_rights),
        cmocka_unit_test(test_kernel_chunks__a_chunk_refused_is_out_of_memory),
    };
    ap_igraph_init();
    return cmocka_run_group_tests(tests, NULL, NULL);
}
