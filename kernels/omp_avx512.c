/* The OpenMP driver (omp_tmpl.c) over the avx512 kernels: portable C that
 * only calls them, built without -m flags.
 * Makes:
 *   sae_gemm_use_omp_avx512 sae_gemm_nn_omp_avx512 sae_gemm_nt_omp_avx512 sae_gemm_tn_omp_avx512
 *   sae_gemm_bias_act_omp_avx512 sae_exp_omp_avx512
 *   sae_bias_sigmoid_omp_avx512 sae_bias_tanh_omp_avx512
 *   sae_bias_relu_omp_avx512 sae_bias_linear_omp_avx512
 *   sae_dsigmoid_omp_avx512 sae_dtanh_omp_avx512 sae_drelu_omp_avx512
 *   sae_cae_dsq_sigmoid_omp_avx512 sae_cae_dsq_tanh_omp_avx512
 *   sae_cae_dsq_relu_omp_avx512 sae_cae_delta_sigmoid_omp_avx512
 *   sae_cae_delta_tanh_omp_avx512 sae_out_delta_omp_avx512 sae_hid_delta_omp_avx512 sae_colsum_omp_avx512
 *   sae_row_sqnorm_omp_avx512 sae_sqdiff_sum_omp_avx512 sae_bce_sum_omp_avx512
 *   sae_abs_sum_omp_avx512 sae_dot_omp_avx512 sae_axpy_omp_avx512 sae_sub_scale_omp_avx512 sae_sign_axpy_omp_avx512
 *   sae_wpen_grad_omp_avx512 sae_sgd_step_omp_avx512 sae_adam_step_omp_avx512
 *   sae_topk_omp_avx512 sae_sp_gemm_omp_avx512 sae_sp_sddmm_omp_avx512 sae_sp_scatter_omp_avx512
 */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA omp_avx512
#define SAE_TMPL_INNER avx512
#include "kernels/template.h"
#include "kernels/tune_defaults.h"

#include "kernels/omp_tmpl.c"
