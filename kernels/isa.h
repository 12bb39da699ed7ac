/* The float kernels of each SIMD level, sae_<slot>_avx2 and
 * sae_<slot>_avx512 (every slot of kernels.h), and of the OpenMP driver
 * over each level, sae_<slot>_omp_<isa>. Only kernels_init.c uses these
 * names; everything else goes through the table. */
#ifndef SAE_KERNELS_ISA_H
#define SAE_KERNELS_ISA_H

#include "kernels/kernels.h"

#define SAE_DECL_AVX2(slot, kind) decl_##kind##_fn(float, sae_##slot##_avx2);
#define SAE_DECL_AVX512(slot, kind) decl_##kind##_fn(float, sae_##slot##_avx512);
#define SAE_DECL_OMP_SCALAR(slot, kind) decl_##kind##_fn(float, sae_##slot##_omp_scalar);
#define SAE_DECL_OMP_AVX2(slot, kind) decl_##kind##_fn(float, sae_##slot##_omp_avx2);
#define SAE_DECL_OMP_AVX512(slot, kind) decl_##kind##_fn(float, sae_##slot##_omp_avx512);
SAE_KERNEL_SLOTS(SAE_DECL_AVX2)
SAE_KERNEL_SLOTS(SAE_DECL_AVX512)
SAE_KERNEL_SLOTS(SAE_DECL_OMP_SCALAR)
SAE_KERNEL_SLOTS(SAE_DECL_OMP_AVX2)
SAE_KERNEL_SLOTS(SAE_DECL_OMP_AVX512)
/* The blocking each SIMD level's GEMM was built with. */
extern const SaeGemmBlocks sae_gemm_blocks_avx2, sae_gemm_blocks_avx512;

#endif
