/* The float instance of the objective (model_tmpl.c). Makes sae_work_new_f32,
 * sae_work_free_f32, sae_objective_f32, sae_sums_clear_f32,
 * sae_forward_sums_f32 and sae_sums_terms_f32. */
#define SAE_TMPL_F64 0
#include "kernels/template.h"
#include "core/model_tmpl.c"
