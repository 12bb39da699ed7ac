/* The AVX-512 (F/BW/DQ/VL) float kernels: the element-wise families over
 * 16-float vectors (-mavx512*, this file's library only); the GEMM is
 * compiled per register tile by gemm_avx512_*.c.
 * Makes, by family (kernels/<family>_tmpl.c):
 *   act: sae_exp_avx512 sae_bias_sigmoid_avx512 sae_bias_tanh_avx512 sae_bias_relu_avx512
 *     sae_bias_linear_avx512 sae_dsigmoid_avx512 sae_dtanh_avx512 sae_drelu_avx512
 *   delta: sae_out_delta_avx512 sae_hid_delta_avx512 sae_cae_delta_sigmoid_avx512
 *     sae_cae_delta_tanh_avx512
 *   reduce: sae_colsum_avx512 sae_row_sqnorm_avx512 sae_cae_dsq_sigmoid_avx512 sae_cae_dsq_tanh_avx512
 *     sae_cae_dsq_relu_avx512 sae_sqdiff_sum_avx512 sae_bce_sum_avx512 sae_abs_sum_avx512
 *   vec: sae_dot_avx512 sae_axpy_avx512 sae_sub_scale_avx512 sae_sign_axpy_avx512
 *   update: sae_wpen_grad_avx512 sae_sgd_step_avx512 sae_adam_step_avx512
 *   sparse: sae_topk_avx512 sae_sp_gemm_avx512 sae_sp_sddmm_avx512 sae_sp_scatter_avx512
 * and sae_fma_peak_avx512 (fma_peak_tmpl.c), sae_dot_avx512_f64 and
 * sae_axpy_avx512_f64 (vec_f64_tmpl.c).
 */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA avx512
#include "kernels/template.h"
#include "kernels/isa.h"
#include "kernels/x86/simd_avx512.h"

#include "kernels/act_tmpl.c"
#include "kernels/delta_tmpl.c"
#include "kernels/reduce_tmpl.c"
#include "kernels/vec_tmpl.c"
#include "kernels/update_tmpl.c"
#include "kernels/sparse_tmpl.c"

/* An emulated build has no zmm registers to time: its "avx512" peak is the
 * 256-bit loop, and nothing may read it as the 512-bit rate
 * (sae_cpu_emulated). */
#if SAE_AVX512_EMULATED
#define REG "ymm"
#define LANES 8
#else
#define REG "zmm"
#define LANES 16
#endif
#include "kernels/x86/fma_peak_tmpl.c"

#include "kernels/vec_f64_tmpl.c"
