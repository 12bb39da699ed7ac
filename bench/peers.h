/* The bench's helpers in C: the thread count the OpenMP variants use and
 * the SLEEF and BLIS peers. (The FMA peak is kernels/tuning.h's
 * sae_fma_peak.) */
#ifndef SAE_BENCH_PEERS_H
#define SAE_BENCH_PEERS_H

#include <stddef.h>

int sae_bench_threads(void);

/* The SLEEF peer (when built): h = 1 / (1 + exp(-z)) with SLEEF's expf. */
void sae_bench_sigmoid_sleef(size_t n, const float *z, float *h);

/* The BLIS peer (when built): C = op(A) op(B), row-major, kind 0 nn, 1 nt,
 * 2 tn (leading dimensions as the kernels take them), on `threads`
 * threads. */
/* The sub-configuration BLIS chose for this CPU at start-up ("zen3",
 * "skx", "generic", ...): its kernels, and so its speed. */
const char *sae_bench_blis_arch(void);
void sae_bench_sgemm_blis(int kind, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                          size_t ldb, float *c, size_t ldc, int threads);

#endif
