/* The OpenMP driver (omp_tmpl.c) over the scalar kernels: portable C that
 * only calls them, built without -m flags.
 * Makes:
 *   sae_gemm_use_omp_scalar sae_gemm_nn_omp_scalar sae_gemm_nt_omp_scalar sae_gemm_tn_omp_scalar
 *   sae_gemm_bias_act_omp_scalar sae_exp_omp_scalar
 *   sae_bias_sigmoid_omp_scalar sae_bias_tanh_omp_scalar
 *   sae_bias_relu_omp_scalar sae_bias_linear_omp_scalar
 *   sae_dsigmoid_omp_scalar sae_dtanh_omp_scalar sae_drelu_omp_scalar
 *   sae_cae_dsq_sigmoid_omp_scalar sae_cae_dsq_tanh_omp_scalar
 *   sae_cae_dsq_relu_omp_scalar sae_cae_delta_sigmoid_omp_scalar
 *   sae_cae_delta_tanh_omp_scalar sae_out_delta_omp_scalar sae_hid_delta_omp_scalar sae_colsum_omp_scalar
 *   sae_row_sqnorm_omp_scalar sae_sqdiff_sum_omp_scalar sae_bce_sum_omp_scalar
 *   sae_abs_sum_omp_scalar sae_dot_omp_scalar sae_axpy_omp_scalar sae_sub_scale_omp_scalar sae_sign_axpy_omp_scalar
 *   sae_wpen_grad_omp_scalar sae_sgd_step_omp_scalar sae_adam_step_omp_scalar
 *   sae_topk_omp_scalar sae_sp_gemm_omp_scalar sae_sp_sddmm_omp_scalar sae_sp_scatter_omp_scalar
 */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA omp_scalar
#define SAE_TMPL_INNER scalar_f32
#include "kernels/template.h"
#include "kernels/tune_defaults.h"

#include "kernels/omp_tmpl.c"
