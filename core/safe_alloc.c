/* madvise and MADV_HUGEPAGE are not POSIX.1-2008 */
#define _DEFAULT_SOURCE
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "core/safe_alloc.h"

/* From this size on, a block is 2 MiB-aligned and asks for transparent
 * huge pages: on a VM where a first-touched 4 KiB page costs ~20 us, a
 * 2 MiB page costs about what 30 small ones would (measured: the
 * Fashion-MNIST epoch's process time, bench/README.md). */
enum { HUGE_PAGE = 2u << 20, PAGE = 4096 }; /* PAGE: the smallest x86-64 page, all madvise needs */

void *sae_alloc_array(size_t count, size_t size)
{
    size_t bytes;
    if (sae_mul_overflow(count, size, &bytes))
        return NULL;
    if (bytes < HUGE_PAGE)
        return malloc(bytes ? bytes : 1);
    const size_t rounded = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    void *p;
    if (rounded < bytes || posix_memalign(&p, HUGE_PAGE, rounded))
        return NULL;
#ifdef MADV_HUGEPAGE
    madvise(p, rounded, MADV_HUGEPAGE); /* advice: without THP it fails, harmlessly */
#endif
    return p;
}

void sae_advise_willneed(const void *p, size_t len)
{
    const uintptr_t lo = (uintptr_t)p / PAGE * PAGE, hi = ((uintptr_t)p + len + PAGE - 1) / PAGE * PAGE;
    if (len)
        madvise((void *)lo, hi - lo, MADV_WILLNEED);
}

void sae_advise_done(const void *p, size_t len)
{
    const uintptr_t lo = ((uintptr_t)p + PAGE - 1) / PAGE * PAGE, hi = ((uintptr_t)p + len) / PAGE * PAGE;
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

void *sae_alloc_array2(size_t rows, size_t cols, size_t size)
{
    size_t count;
    return sae_mul_overflow(rows, cols, &count) ? NULL : sae_alloc_array(count, size);
}
