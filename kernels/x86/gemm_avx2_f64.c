/* The double GEMM of the SIMD levels (gemm_tmpl.c over simd_avx2_f64.h)
 * with a 4 x 8 register tile: 8 accumulators of 4 doubles, enough to
 * cover the FMA latency on two pipes. AVX-512 cores run it too: the double
 * table has no AVX-512 GEMM yet.
 * Makes sae_gemm_nn_avx2_f64 sae_gemm_nt_avx2_f64 sae_gemm_tn_avx2_f64
 * sae_gemm_bias_act_avx2_f64. */
#define SAE_TMPL_F64 1
#define SAE_TMPL_ISA avx2_f64
#define MR 4
#define NV 2
#include "kernels/template.h"
#include "kernels/isa.h"
#include "kernels/x86/simd_avx2_f64.h"
#include "kernels/tune_defaults.h"

#include "kernels/gemm_tmpl.c"
