/* The double instance of the objective (model_tmpl.c). Makes sae_work_new_f64,
 * sae_work_free_f64, sae_objective_f64, sae_sums_clear_f64,
 * sae_forward_sums_f64 and sae_sums_terms_f64. */
#define SAE_TMPL_F64 1
#include "kernels/template.h"
#include "core/model_tmpl.c"
