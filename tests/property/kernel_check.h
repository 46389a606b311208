/* tests/property/kernel_check.h: what the kernel's property tests share: a visitor keeping the
 * rights ap_authority_all hands on, and a comparison of id lists that names where they differ. */
#ifndef AP_TEST_KERNEL_CHECK_H
#define AP_TEST_KERNEL_CHECK_H

#include <stdint.h>

#include "authpath/query.h"
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
