/*
 * The linear probe: multinomial logistic (softmax) regression on fixed
 * features with L2 weight decay, trained by full-batch L-BFGS (UFLDL's
 * softmaxTrain: 400 iterations), reported as accuracy on the held-out rows;
 * the weight decay is UFLDL's fixed 1e-4 (sae_probe) or chosen on
 * validation rows (sae_probe_tuned, what sweeps and train --metrics use). Cost: -(1/m) sum log p(y_i | f_i) + (lambda/2) ||W||^2
 * (the bias is not decayed). The products run through the float kernel
 * table; the softmax and the sums in double.
 */
#ifndef SAE_CORE_PROBE_H
#define SAE_CORE_PROBE_H

#include <stddef.h>

#include "kernels/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct SaeProbeResult {
    double train_acc, test_acc;
    double lambda, val_acc; /* the weight decay used; its validation accuracy (NaN: not chosen) */
    unsigned iters;
} SaeProbeResult;

/* The weight decays sae_probe_tuned chooses from by default: 1e-6 .. 1e-1. */
#define SAE_PROBE_LAMBDAS 1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1

/* Features are row-major (rows x d); labels in [0, classes). Returns 0, or
 * -1 when out of memory. */
int sae_probe(const SaeKernels *k, const double *ftrain, const int *ytrain, size_t mtr, const double *ftest,
              const int *ytest, size_t mte, size_t d, int classes, double lambda, unsigned iters, SaeProbeResult *r);

/* sae_probe with lambda chosen on validation rows, so that every feature
 * set gets the same tuning: each of the n_lambdas values (ascending) is fit on the
 * first 4/5 of the training rows and scored on the last 1/5 (a view: the
 * caller's training rows are in random or file order); the best (ties: the
 * larger lambda) is refit on all training rows and scored on the test rows.
 * With one lambda nothing is held out. */
int sae_probe_tuned(const SaeKernels *k, const double *ftrain, const int *ytrain, size_t mtr, const double *ftest,
                    const int *ytest, size_t mte, size_t d, int classes, const double *lambdas, size_t n_lambdas,
                    unsigned iters, SaeProbeResult *r);

#ifdef __cplusplus
}
#endif

#endif
