/* Per-thread working memory of the kernels (packing buffers, partial sums).
 * Blocks are 64-byte aligned, kept for the life of the process and linked
 * from a global list, so that a thread pool's buffers stay reachable (no
 * false leak reports) and no kernel allocates per call after warm-up. */
#ifndef SAE_KERNELS_SCRATCH_H
#define SAE_KERNELS_SCRATCH_H

#include <stddef.h>

/* A new block of at least `bytes`, or NULL when out of memory. Callers keep
 * the pointer in their own thread-local slot and ask again only to grow. */
void *sae_scratch_alloc(size_t bytes);

#endif
