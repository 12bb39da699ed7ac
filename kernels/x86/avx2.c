/* The AVX2 + FMA float kernels: the element-wise families over 8-float
 * vectors (-mavx2 -mfma, this file's library only); the GEMM is compiled
 * per register tile by gemm_avx2_*.c.
 * Makes, by family (kernels/<family>_tmpl.c):
 *   act: sae_exp_avx2 sae_bias_sigmoid_avx2 sae_bias_tanh_avx2 sae_bias_relu_avx2
 *     sae_bias_linear_avx2 sae_dsigmoid_avx2 sae_dtanh_avx2 sae_drelu_avx2
 *   delta: sae_out_delta_avx2 sae_hid_delta_avx2 sae_cae_delta_sigmoid_avx2 sae_cae_delta_tanh_avx2
 *   reduce: sae_colsum_avx2 sae_row_sqnorm_avx2 sae_cae_dsq_sigmoid_avx2 sae_cae_dsq_tanh_avx2
 *     sae_cae_dsq_relu_avx2 sae_sqdiff_sum_avx2 sae_bce_sum_avx2 sae_abs_sum_avx2
 *   vec: sae_dot_avx2 sae_axpy_avx2 sae_sub_scale_avx2 sae_sign_axpy_avx2
 *   update: sae_wpen_grad_avx2 sae_sgd_step_avx2 sae_adam_step_avx2
 *   sparse: sae_topk_avx2 sae_sp_gemm_avx2 sae_sp_sddmm_avx2 sae_sp_scatter_avx2
 * and sae_fma_peak_avx2 (fma_peak_tmpl.c), sae_dot_avx2_f64 and
 * sae_axpy_avx2_f64 (vec_f64_tmpl.c).
 */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA avx2
#include "kernels/template.h"
#include "kernels/isa.h"
#include "kernels/x86/simd_avx2.h"

#include "kernels/act_tmpl.c"
#include "kernels/delta_tmpl.c"
#include "kernels/reduce_tmpl.c"
#include "kernels/vec_tmpl.c"
#include "kernels/update_tmpl.c"
#include "kernels/sparse_tmpl.c"

#define REG "ymm"
#define LANES 8
#include "kernels/x86/fma_peak_tmpl.c"

#include "kernels/vec_f64_tmpl.c"
