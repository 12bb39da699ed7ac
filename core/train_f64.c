/* The double instance of the training loops (train_tmpl.c). Makes
 * sae_train_minibatch_f64, sae_train_lbfgs_f64 and sae_evaluate_f64. */
#define SAE_TMPL_F64 1
#include "kernels/template.h"
#include "core/train_tmpl.c"
