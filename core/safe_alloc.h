/* Size arithmetic that refuses to overflow, and allocation built on it. */
#ifndef SAE_CORE_SAFE_ALLOC_H
#define SAE_CORE_SAFE_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* *out = a * b; returns 1 (and leaves *out unspecified) on overflow. */
static inline int sae_mul_overflow(size_t a, size_t b, size_t *out) { return __builtin_mul_overflow(a, b, out); }

static inline int sae_add_overflow(size_t a, size_t b, size_t *out) { return __builtin_add_overflow(a, b, out); }

/* count * size bytes, freed with free(), or NULL on overflow or out of
 * memory; a request for zero bytes still returns a unique pointer. Blocks
 * of 2 MiB and more are 2 MiB-aligned and advised to use transparent huge
 * pages (first touches cost far less on a VM). */
void *sae_alloc_array(size_t count, size_t size);

/* rows * cols elements of size bytes: sae_alloc_array, overflow-checked. */
void *sae_alloc_array2(size_t rows, size_t cols, size_t size);

/* Advice on bytes [p, p + len) of a file's map: needed soon (the pages
 * covering them are read ahead), or done with (the whole pages inside them
 * leave this process, not the page cache). For a read-only file map only:
 * on other memory, done drops the contents. */
void sae_advise_willneed(const void *p, size_t len);
void sae_advise_done(const void *p, size_t len);

#ifdef __cplusplus
}
#endif

#endif
