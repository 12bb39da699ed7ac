/*
 * Model files: an uncompressed .npz that numpy.load reads, with members
 * W1 (k x n), b1 (k), W2 (n x k; absent when tied), b2 (n) in float32 or
 * float64 (the training precision), and the hyperparameters as 0-d arrays
 * (hidden, tied: int64; lambda, l1_weight, l1_activity, beta, rho, gamma,
 * kl_eps: float64; encoder, decoder, loss, kl_tanh, reduction: strings).
 * Loading also takes a bare numpy.savez(W1=..., b1=..., W2=..., b2=...):
 * then the hyperparameters keep the values the caller passed in.
 */
#ifndef SAE_CORE_IO_MODELFILE_H
#define SAE_CORE_IO_MODELFILE_H

#include "core/error.h"
#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writes atomically; f32 selects the float32 dtype for the weights;
 * test_fraction, the held-out share of the rows trained on, is stored
 * unless it is NaN. */
int sae_model_save(const char *path, const SaeConfig *c, const double *theta, int f32, double test_fraction,
                   SaeError *e);

/* The test_fraction stored in a model file: 0, or 1 when it has none, or
 * -1 with e set. */
int sae_model_test_fraction(const char *path, double *test_fraction, SaeError *e);

/* Reads path into *c (the shapes and whatever hyperparameters the file
 * has; the other fields keep their values, so c starts valid, e.g. from
 * sae_config_default) and a malloc'd theta. *f32 says whether the weights
 * were float32. Shapes that do not agree, a stored hyperparameter out of
 * its range and a non-finite weight fail, naming the member. */
int sae_model_load(const char *path, SaeConfig *c, double **theta, int *f32, SaeError *e);

/* Writes a gradient in the layout of theta as gW1, gb1, gW2, gb2 (f64). */
int sae_grads_save(const char *path, const SaeConfig *c, const double *grad, SaeError *e);

#ifdef __cplusplus
}
#endif

#endif
