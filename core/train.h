/*
 * Training and evaluation of a model on a data matrix, in float or double.
 *
 * Parameters and data cross this interface in double; a float run converts
 * them once at the start and the result back at the end (float values are
 * exact in double, so a float model saved and reloaded is unchanged).
 * Every buffer is allocated once per call; nothing is allocated per batch.
 */
#ifndef SAE_CORE_TRAIN_H
#define SAE_CORE_TRAIN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SAE_OPT_SGD, SAE_OPT_ADAM, SAE_OPT_LBFGS } SaeOptimizer;
typedef enum { SAE_PREC_FLOAT, SAE_PREC_DOUBLE } SaePrecision;

typedef struct SaeTrainOpts {
    SaeOptimizer optimizer;
    SaePrecision precision;
    double lr;                               /* sgd 0.1, adam 1e-3 */
    double momentum;                         /* sgd, 0.9 */
    double adam_beta1, adam_beta2, adam_eps; /* 0.9, 0.999, 1e-8 */
    size_t batch;                            /* minibatch size (sgd, adam) */
    unsigned epochs;                         /* sgd, adam */
    unsigned iters;                          /* lbfgs iterations */
    unsigned lbfgs_memory;                   /* 100 */
    unsigned max_fevals;                     /* lbfgs, 1000 */
    uint32_t seed;                           /* init (seed) and shuffling (seed + 1) */
    size_t dead_window;                      /* samples a unit may go unfired (sgd, adam; 0: one epoch) */
    unsigned resample_every;                 /* steps between resamplings of the dead units (0: never) */
    /* After each epoch (sgd, adam; loss = the epoch's mean minibatch loss)
     * or iteration (lbfgs). May be NULL. */
    void (*progress)(void *ctx, unsigned done, unsigned total, double loss);
    void *progress_ctx;
    volatile sig_atomic_t *stop; /* polled between steps; may be NULL */
} SaeTrainOpts;

typedef struct SaeTrainResult {
    unsigned epochs, iters, fevals; /* completed epochs, steps, objective evaluations */
    double seconds;
    double samples; /* rows passed through forward+backward */
    double last_loss;
    /* relu (and TopK) with sgd or adam: the fraction of units that fired on
     * none of the last dead_window training samples; NaN otherwise, or when
     * fewer samples were seen (core/MODEL.md §8 train_dead_frac). */
    double dead_frac;
    /* BatchTopK: the threshold learned over the steps (core/MODEL.md
     * [batchtopk]), for the caller to store in the model's config. */
    double threshold;
    unsigned resampled; /* dead units given a new start (resample_every) */
    int diverged;       /* the objective became NaN or Inf */
    int interrupted;
    const char *stop_reason; /* e.g. "epochs", "max_iter", "optimality" */
} SaeTrainResult;

SaeTrainOpts sae_train_defaults(void);

/* NULL when c can be trained with o, else why not (one line): the
 * unit-norm constraint and BatchTopK need minibatch steps (sgd or adam). */
const char *sae_train_problem(const SaeConfig *c, const SaeTrainOpts *o);
const char *sae_optimizer_name(SaeOptimizer o);
int sae_optimizer_parse(const char *s, SaeOptimizer *o);
const char *sae_precision_name(SaePrecision p);
int sae_precision_parse(const char *s, SaePrecision *p);

enum { SAE_TRAIN_OK = 0, SAE_TRAIN_NO_MEMORY = -1, SAE_TRAIN_DIVERGED = -2 };

/* b2 at c->bdec_init's point of the first min(m, 4096) rows of s (nothing
 * for zero): the mean, or the geometric median (core/MODEL.md §7 [init]).
 * Returns 0, or -1 when out of memory. */
int sae_init_bdec(const SaeConfig *c, const SaeSamples *s, double *theta);

/* sae_train and sae_evaluate_full on samples of either type; unweighted
 * (may be NULL) gets the terms at every penalty weight 1 (the terms of
 * sae_config_unit_weights(c)) from the same forward pass when there is no
 * gradient. */
int sae_train_samples(const SaeConfig *c, const SaeTrainOpts *o, const SaeKernels *k, const SaeSamples *s,
                      double *theta, SaeTrainResult *r);
int sae_evaluate_samples(const SaeConfig *c, SaePrecision p, const SaeKernels *k, const double *theta,
                         const SaeSamples *s, SaeTerms *terms, SaeTerms *unweighted, double *grad, double *rhohat,
                         double *h, double *xh);

/* Trains from theta (the layout of sae_layout, overwritten by the result)
 * on the m x n rows of x. Returns SAE_TRAIN_OK, SAE_TRAIN_DIVERGED (theta
 * then holds the parameters at which the objective stopped being finite)
 * or SAE_TRAIN_NO_MEMORY. */
int sae_train(const SaeConfig *c, const SaeTrainOpts *o, const SaeKernels *k, const double *x, size_t m, double *theta,
              SaeTrainResult *r);

/* The objective on the whole m x n data set (one batch) at theta; grad
 * (may be NULL) gets the gradient and rhohat (k entries, may be NULL) the
 * mean activations. Returns 0 or SAE_TRAIN_NO_MEMORY. */
int sae_evaluate(const SaeConfig *c, SaePrecision p, const SaeKernels *k, const double *theta, const double *x,
                 size_t m, SaeTerms *terms, double *grad, double *rhohat);

/* sae_evaluate, and the hidden activations h (m x k) and reconstruction
 * xh (m x n) of every row, widened to double (either may be NULL). */
int sae_evaluate_full(const SaeConfig *c, SaePrecision p, const SaeKernels *k, const double *theta, const double *x,
                      size_t m, SaeTerms *terms, double *grad, double *rhohat, double *h, double *xh);

#ifdef __cplusplus
}
#endif

#endif
