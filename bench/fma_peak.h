/* The FMA peak of one core per ISA, measured (GFLOP/s over `seconds`), so
 * GEMM speeds can be quoted as a share of what this CPU does right now;
 * and the thread count the OpenMP variants use. */
#ifndef SAE_BENCH_FMA_PEAK_H
#define SAE_BENCH_FMA_PEAK_H

double sae_fma_peak_avx2(double seconds);
double sae_fma_peak_avx512(double seconds);
int sae_bench_threads(void);

#endif
