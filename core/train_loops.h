/*
 * The training loops and the evaluation at one precision (core/train_tmpl.c,
 * instanced by train_f32.c and train_f64.c). Private to core/: train.c
 * dispatches sae_train_samples and sae_evaluate_samples to them. Parameters
 * are double at this boundary, the rows in their own type (SaeSamples);
 * each loop converts what is not its own type once.
 */
#ifndef SAE_CORE_TRAIN_LOOPS_H
#define SAE_CORE_TRAIN_LOOPS_H

#include <stddef.h>

#include "core/model.h"
#include "core/train.h"
#include "kernels/kernels.h"

/* SGD or Adam over minibatches of the rows of s (o->optimizer). */
int sae_train_minibatch_f32(const SaeConfig *c, const SaeTrainOpts *o, const SaeKernelsF32 *kt, const SaeSamples *s,
                            double *theta_io, SaeTrainResult *r);
int sae_train_minibatch_f64(const SaeConfig *c, const SaeTrainOpts *o, const SaeKernelsF64 *kt, const SaeSamples *s,
                            double *theta_io, SaeTrainResult *r);

/* Full-batch L-BFGS; its vector algebra runs in double (vec). */
int sae_train_lbfgs_f32(const SaeConfig *c, const SaeTrainOpts *o, const SaeKernelsF32 *kt, const SaeKernelsF64 *vec,
                        const SaeSamples *s, double *theta_io, SaeTrainResult *r);
int sae_train_lbfgs_f64(const SaeConfig *c, const SaeTrainOpts *o, const SaeKernelsF64 *kt, const SaeKernelsF64 *vec,
                        const SaeSamples *s, double *theta_io, SaeTrainResult *r);

/* sae_evaluate_samples at this precision. */
int sae_evaluate_f32(const SaeConfig *c, const SaeKernelsF32 *kt, const double *theta_d, const SaeSamples *s,
                     SaeTerms *terms, SaeTerms *unweighted, double *grad_d, double *rhohat, double *h, double *xh);
int sae_evaluate_f64(const SaeConfig *c, const SaeKernelsF64 *kt, const double *theta_d, const SaeSamples *s,
                     SaeTerms *terms, SaeTerms *unweighted, double *grad_d, double *rhohat, double *h, double *xh);

#endif
