/* The double instance of the scalar reference kernels (scalar_tmpl.c).
 * Makes:
 *   sae_gemm_nn_scalar_f64 sae_gemm_nt_scalar_f64 sae_gemm_tn_scalar_f64
 *   sae_gemm_bias_act_scalar_f64 sae_exp_scalar_f64
 *   sae_bias_sigmoid_scalar_f64 sae_bias_tanh_scalar_f64
 *   sae_bias_relu_scalar_f64 sae_bias_linear_scalar_f64
 *   sae_dsigmoid_scalar_f64 sae_dtanh_scalar_f64 sae_drelu_scalar_f64
 *   sae_cae_dsq_sigmoid_scalar_f64 sae_cae_dsq_tanh_scalar_f64
 *   sae_cae_dsq_relu_scalar_f64 sae_cae_delta_sigmoid_scalar_f64
 *   sae_cae_delta_tanh_scalar_f64 sae_out_delta_scalar_f64 sae_hid_delta_scalar_f64 sae_colsum_scalar_f64
 *   sae_row_sqnorm_scalar_f64 sae_sqdiff_sum_scalar_f64 sae_bce_sum_scalar_f64
 *   sae_abs_sum_scalar_f64 sae_dot_scalar_f64 sae_axpy_scalar_f64 sae_sub_scale_scalar_f64 sae_sign_axpy_scalar_f64
 *   sae_wpen_grad_scalar_f64 sae_sgd_step_scalar_f64 sae_adam_step_scalar_f64
 *   sae_topk_scalar_f64 sae_sp_gemm_scalar_f64 sae_sp_sddmm_scalar_f64 sae_sp_scatter_scalar_f64
 */
#define SAE_TMPL_F64 1
#define SAE_TMPL_ISA scalar_f64
#include "kernels/template.h"
#include "kernels/scalar_tmpl.c"
