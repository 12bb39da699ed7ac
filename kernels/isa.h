/* The float kernels of each SIMD level, sae_<slot>_avx2 and
 * sae_<slot>_avx512 (the element-wise slots of kernels.h), their GEMM
 * tiles, and the OpenMP driver over each level, sae_<slot>_omp_<isa>. Only kernels_init.c uses these
 * names; everything else goes through the table. */
#ifndef SAE_KERNELS_ISA_H
#define SAE_KERNELS_ISA_H

#include "kernels/kernels.h"
#include "kernels/tuning.h"

#define SAE_DECL_AVX2(slot, kind) decl_##kind##_fn(float, sae_##slot##_avx2);
#define SAE_DECL_AVX512(slot, kind) decl_##kind##_fn(float, sae_##slot##_avx512);
#define SAE_DECL_OMP_SCALAR(slot, kind) decl_##kind##_fn(float, sae_##slot##_omp_scalar);
#define SAE_DECL_OMP_AVX2(slot, kind) decl_##kind##_fn(float, sae_##slot##_omp_avx2);
#define SAE_DECL_OMP_AVX512(slot, kind) decl_##kind##_fn(float, sae_##slot##_omp_avx512);
SAE_ELEM_SLOTS(SAE_DECL_AVX2)
SAE_ELEM_SLOTS(SAE_DECL_AVX512)
SAE_KERNEL_SLOTS(SAE_DECL_OMP_SCALAR)
SAE_KERNEL_SLOTS(SAE_DECL_OMP_AVX2)
SAE_KERNEL_SLOTS(SAE_DECL_OMP_AVX512)

/* The double kernels of the SIMD levels (vec_f64_tmpl.c): the slots of
 * L-BFGS's vector algebra. */
decl_dot_fn(double, sae_dot_avx2_f64);
/* The double GEMM (gemm_avx2_f64.c), for both SIMD levels. */
decl_gemm_fn(double, sae_gemm_nn_avx2_f64);
decl_gemm_fn(double, sae_gemm_nt_avx2_f64);
decl_gemm_fn(double, sae_gemm_tn_avx2_f64);
decl_gemm_bias_act_fn(double, sae_gemm_bias_act_avx2_f64);
decl_axpy_fn(double, sae_axpy_avx2_f64);
decl_dot_fn(double, sae_dot_avx512_f64);
decl_axpy_fn(double, sae_axpy_avx512_f64);

/* The GEMM of each level, one record per register tile (gemm_tmpl.c), and
 * the scalar reference's as a tile of its own. */
extern const SaeGemmTile sae_gemm_tile_scalar;
extern const SaeGemmTile sae_gemm_tile_avx2_4x16, sae_gemm_tile_avx2_6x16;
extern const SaeGemmTile sae_gemm_tile_avx512_8x32, sae_gemm_tile_avx512_12x32, sae_gemm_tile_avx512_14x32;
/* The FMA peak of one core (fma_peak_tmpl.c), GFLOP/s over about `seconds`. */
double sae_fma_peak_avx2(double seconds);
double sae_fma_peak_avx512(double seconds);
/* The tile each OpenMP driver splits (the reference until set). */
void sae_gemm_use_omp_scalar(const SaeGemmTile *t);
void sae_gemm_use_omp_avx2(const SaeGemmTile *t);
void sae_gemm_use_omp_avx512(const SaeGemmTile *t);

#endif
