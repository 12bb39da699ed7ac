/* The AVX512 float GEMM (gemm_tmpl.c) with a 12 x 32 register tile: 24 accumulators,
 * two rows fewer than 14 x 32 for a smaller packed A panel.
 * Makes sae_gemm_tile_avx512_12x32, the record of sae_gemm_nn_avx512_12x32 sae_gemm_nt_avx512_12x32
 * sae_gemm_tn_avx512_12x32 sae_gemm_bias_act_avx512_12x32. */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA avx512_12x32
#define MR 12
#define NV 2
#define GEMM_LEVEL (SAE_CPU_AVX2 | SAE_CPU_AVX512)
#include "kernels/template.h"
#include "kernels/cpu.h"
#include "kernels/x86/simd_avx512.h"
#include "kernels/tune_defaults.h"

#include "kernels/gemm_tmpl.c"
