/* The bench's helpers in C: the thread count the OpenMP variants use and
 * the SLEEF peer. (The FMA peak is kernels/tuning.h's sae_fma_peak.) */
#ifndef SAE_BENCH_FMA_PEAK_H
#define SAE_BENCH_FMA_PEAK_H

#include <stddef.h>

int sae_bench_threads(void);

/* The SLEEF peer (when built): h = 1 / (1 + exp(-z)) with SLEEF's expf. */
void sae_bench_sigmoid_sleef(size_t n, const float *z, float *h);

#endif
