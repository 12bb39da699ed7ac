/* The FMA peak of one core per ISA, measured (GFLOP/s over `seconds`), so
 * GEMM speeds can be quoted as a share of what this CPU does right now;
 * and the thread count the OpenMP variants use. */
#ifndef SAE_BENCH_FMA_PEAK_H
#define SAE_BENCH_FMA_PEAK_H

#include <stddef.h>

double sae_fma_peak_avx2(double seconds);
double sae_fma_peak_avx512(double seconds);
int sae_bench_threads(void);

/* The SLEEF peer (when built): h = 1 / (1 + exp(-z)) with SLEEF's expf. */
void sae_bench_sigmoid_sleef(size_t n, const float *z, float *h);

#endif
