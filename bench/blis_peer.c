/* The BLIS peer of the GEMM benchmarks: bli_sgemm, BLIS's typed API, on
 * the row-major operands the kernels take (BLIS reads any strides, so
 * nothing is transposed or copied). Built only when meson finds BLIS; in
 * a file of its own because BLIS's headers bring their own cblas.h, which
 * must not shadow OpenBLAS's in bench_kernels.cc. */
#include <blis.h>

#include "bench/peers.h"

const char *sae_bench_blis_arch(void) { return bli_arch_string(bli_arch_query_id()); }

void sae_bench_sgemm_blis(int kind, size_t m, size_t n, size_t k, const float *a, size_t lda, const float *b,
                          size_t ldb, float *c, size_t ldc, int threads)
{
    float one = 1, zero = 0;
    bli_thread_set_num_threads(threads);
    /* kind: 0 nn, 1 nt (B stored n x k), 2 tn (A stored k x m) */
    bli_sgemm(kind == 2 ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, kind == 1 ? BLIS_TRANSPOSE : BLIS_NO_TRANSPOSE, (dim_t)m,
              (dim_t)n, (dim_t)k, &one, (float *)a, (inc_t)lda, 1, (float *)b, (inc_t)ldb, 1, &zero, c, (inc_t)ldc, 1);
}
