/* query/bigmem.c: large arrays (a node or edge per entry) on transparent huge pages where the
 * system offers them (the first touch faults once per 2 MiB), and memory freed given back. */
#define _DEFAULT_SOURCE         /* madvise */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

#include "query_internal.h"

#define HUGE_PAGE ((size_t)2 << 20)

void *ap_query__big_alloc(size_t size)
{
    if (size < HUGE_PAGE)
        return malloc(size ? size : 1);
    if (size > SIZE_MAX - HUGE_PAGE)
        return NULL;
    size_t whole = (size + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
    void *p = aligned_alloc(HUGE_PAGE, whole);
#ifdef MADV_HUGEPAGE
    if (p != NULL)
        (void)madvise(p, whole, MADV_HUGEPAGE);       /* a hint: refused, the pages stay small */
#endif
    return p;
}

void *ap_query__big_calloc(size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    void *p = ap_query__big_alloc(n * size);
    if (p != NULL)
        memset(p, 0, n * size);
    return p;
}

void ap_query__release_memory(void)
{
#ifdef __GLIBC__
    (void)malloc_trim(0);
#endif
}
