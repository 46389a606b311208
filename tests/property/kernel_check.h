/* tests/property/kernel_check.h: what the kernel's property tests share: a visitor keeping the
 * rights ap_authority_all hands on, and a comparison of id lists that names where they differ. */
#ifndef AP_TEST_KERNEL_CHECK_H
#define AP_TEST_KERNEL_CHECK_H

#include <stdint.h>

#include "authpath/query.h"
#include "model.h"
#include "support.h"

/* The kernel's rights per (source index, node), filled by the visitor. */
typedef struct {
    uint32_t n;
    ap_rights *rights;      /* nsources x n */
    unsigned *visits;
} got_rights;

static inline void visit(void *ctx, uint32_t i, uint32_t v, ap_rights r)
{
    got_rights *gr = ctx;
    gr->rights[(size_t)i * gr->n + v] = r;
    gr->visits[(size_t)i * gr->n + v]++;
}

/* The kernel's rights in gr for sources src[0..ns) on g (inv's estate) against the single-source
 * engine and the model, each (source, node) with rights visited once. */
static inline void same_rights(uint64_t seed, const m_inventory *inv, const ap_graph *g,
                               const uint32_t *src, uint32_t ns, const got_rights *gr)
{
    uint32_t n = gr->n;
    ap_error err;
    for (uint32_t i = 0; i < ns; i++) {
        ap_authority *a = NULL;
        uint64_t want[M_MAX_NODES];
        int hops[M_MAX_NODES];
        assert_int_equal(ap_authority_compute(&a, g, src[i], &err), AP_OK);
        m_authority(inv, (int)src[i], want, hops);
        for (uint32_t v = 0; v < n; v++) {
            ap_rights r = gr->rights[(size_t)i * n + v];
            if (r != a->rights[v] || r != want[v])
                fail_msg("seed %llu source n%02u: kernel gives n%02u %llx, engine %llx, "
                         "model %llx", (unsigned long long)seed, src[i], v,
                         (unsigned long long)r, (unsigned long long)a->rights[v],
                         (unsigned long long)want[v]);
            if (gr->visits[(size_t)i * n + v] != (r != 0))
                fail_msg("seed %llu: (%u, %u) visited %u times", (unsigned long long)seed, i,
                         v, gr->visits[(size_t)i * n + v]);
        }
        ap_authority_free(a);
    }
}

/* x and y hold the same ids in the same order (seed and what name the comparison). */
static inline void same_list(uint64_t seed, const char *what, const uint32_t *x, uint32_t nx,
                             const uint32_t *y, uint32_t ny)
{
    if (nx != ny)
        fail_msg("seed %llu: %s: %u against %u", (unsigned long long)seed, what, nx, ny);
    for (uint32_t i = 0; i < nx; i++)
        if (x[i] != y[i])
            fail_msg("seed %llu: %s differ at %u", (unsigned long long)seed, what, i);
}

#endif
