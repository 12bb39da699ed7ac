/* The AVX2 float GEMM (gemm_tmpl.c) with a 6 x 16 register tile: 12 accumulators of 8
 * floats, 15 of the 16 vector registers (BLIS's haswell sgemm tile).
 * Makes sae_gemm_tile_avx2_6x16, the record of sae_gemm_nn_avx2_6x16 sae_gemm_nt_avx2_6x16
 * sae_gemm_tn_avx2_6x16 sae_gemm_bias_act_avx2_6x16. */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA avx2_6x16
#define MR 6
#define NV 2
#define GEMM_LEVEL SAE_CPU_AVX2
#include "kernels/template.h"
#include "kernels/cpu.h"
#include "kernels/x86/simd_avx2.h"
#include "kernels/tune_defaults.h"

#include "kernels/gemm_tmpl.c"
