/* The AVX2 float GEMM (gemm_tmpl.c) with a 4 x 16 register tile: 8 accumulators, fewer
 * rows per B load but no register pressure (a candidate for saebench tune).
 * Makes sae_gemm_tile_avx2_4x16, the record of sae_gemm_nn_avx2_4x16 sae_gemm_nt_avx2_4x16
 * sae_gemm_tn_avx2_4x16 sae_gemm_bias_act_avx2_4x16. */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA avx2_4x16
#define MR 4
#define NV 2
#define GEMM_LEVEL SAE_CPU_AVX2
#include "kernels/template.h"
#include "kernels/cpu.h"
#include "kernels/x86/simd_avx2.h"
#include "kernels/tune_defaults.h"

#include "kernels/gemm_tmpl.c"
