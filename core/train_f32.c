/* The float instance of the training loops (train_tmpl.c). Makes
 * sae_train_minibatch_f32, sae_train_lbfgs_f32 and sae_evaluate_f32. */
#define SAE_TMPL_F64 0
#include "kernels/template.h"
#include "core/train_tmpl.c"
