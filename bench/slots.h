/*
 * Any slot of the kernel table, called by its index (kernels.h's order)
 * on buffers sized for it: what checkkernels --bench and bench_kernels
 * time, one row per slot. One caller per kind of signature (kernels.h's
 * decl_<kind>_fn): a slot added to kernels.h with a kind that has none
 * does not compile here.
 */
#ifndef SAE_BENCH_SLOTS_H
#define SAE_BENCH_SLOTS_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* An m x n problem (the GEMMs are m x n x n, the sparse slots keep K of n
 * units a row): inputs in the ranges the model feeds them (a: uniform
 * (-1, 1), b: a sigmoid's outputs in (0.01, 0.99)), outputs to write. */
typedef struct SaeSlotArgs {
    size_t m, n, K;
    float *a, *b;      /* m x n inputs (b also n x n: B of the products) */
    float *c, *d, *e;  /* outputs and state, max(m, n) x n each */
    float *row, *zero; /* n: a bias-like row, and zeros */
    double *sums;      /* max(m, n) */
    uint32_t *idx;     /* m x K, increasing in each row */
    float *val;        /* m x K */
} SaeSlotArgs;

/* cnt floats uniform in [lo, hi) from a small LCG seeded with seed: the
 * benchmarks' inputs, the same on every machine. */
void sae_bench_fill(float *p, size_t cnt, float lo, float hi, uint32_t seed);

/* Allocates and fills s for the shape (K <= n); -1 when out of memory. */
int sae_slot_args_init(SaeSlotArgs *s, size_t m, size_t n, size_t K);
void sae_slot_args_free(SaeSlotArgs *s);

/* One call of slot i of k on s. topk zeroes what it does not keep, so its
 * call first copies its input (m x n floats) into place: that copy is part
 * of what is timed. In-place slots (the derivatives, the updates) are
 * called again on their own output, which may drift towards denormals:
 * call sae_slot_flush_denormals() once on the thread that times them. */
void sae_slot_call(const SaeKernelsF32 *k, size_t i, const SaeSlotArgs *s);

/* The work of one call: floating-point operations for the products (the
 * gemm and sparse families but topk), entries of the m x n problem for
 * the others; and whether it is flops. */
double sae_slot_work(size_t i, const SaeSlotArgs *s);
int sae_slot_counts_flops(size_t i);

/* The family of slot i (kernels.h: "gemm", "act", "delta", "reduce",
 * "vec", "update", "sparse"). */
const char *sae_slot_family(size_t i);

/* Flushes denormal results and inputs to zero on this thread (x86 MXCSR
 * FTZ and DAZ; nothing elsewhere), for timings only, and returns what to
 * give sae_slot_restore_fp afterwards: the checks and the other timings
 * must see denormals. */
unsigned sae_slot_flush_denormals(void);
void sae_slot_restore_fp(unsigned saved);

#ifdef __cplusplus
}
#endif

#endif
