/* The AVX-512 (F/BW/DQ/VL) float kernels: the element-wise and GEMM
 * templates over 16-float vectors (-mavx512*, this file's library only).
 * Makes:
 *   sae_gemm_nn_avx512 sae_gemm_nt_avx512 sae_gemm_tn_avx512
 *   sae_gemm_bias_act_avx512 sae_exp_avx512 sae_bias_sigmoid_avx512
 *   sae_bias_tanh_avx512 sae_bias_relu_avx512 sae_bias_linear_avx512
 *   sae_dsigmoid_avx512 sae_dtanh_avx512 sae_drelu_avx512
 *   sae_cae_dsq_sigmoid_avx512 sae_cae_dsq_tanh_avx512 sae_cae_dsq_relu_avx512
 *   sae_cae_delta_sigmoid_avx512 sae_cae_delta_tanh_avx512 sae_colsum_avx512
 *   sae_row_sqnorm_avx512 sae_sqdiff_sum_avx512 sae_bce_sum_avx512
 *   sae_abs_sum_avx512 sae_sub_scale_avx512 sae_sign_axpy_avx512
 *   sae_wpen_grad_avx512 sae_sgd_step_avx512 sae_adam_step_avx512
 */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA avx512
#include "kernels/template.h"
#include "kernels/isa.h"
#include "kernels/x86/simd_avx512.h"
#include "kernels/x86/tune_avx512.h"

#include "kernels/elem_tmpl.c"
#include "kernels/gemm_tmpl.c"
