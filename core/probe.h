/*
 * The linear probe: multinomial logistic (softmax) regression on fixed
 * features with L2 weight decay, trained by full-batch L-BFGS (UFLDL's
 * softmaxTrain: lambda 1e-4, 400 iterations), reported as accuracy on the
 * held-out rows. Cost: -(1/m) sum log p(y_i | f_i) + (lambda/2) ||W||^2
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
    unsigned iters;
} SaeProbeResult;

/* Features are row-major (rows x d); labels in [0, classes). Returns 0, or
 * -1 when out of memory. */
int sae_probe(const SaeKernels *k, const double *ftrain, const int *ytrain, size_t mtr, const double *ftest,
              const int *ytest, size_t mte, size_t d, int classes, double lambda, unsigned iters, SaeProbeResult *r);

#ifdef __cplusplus
}
#endif

#endif
