/*
 * Full-batch L-BFGS with a strong-Wolfe line search, after minFunc (the
 * optimiser of the UFLDL exercises, core/MODEL.md §7 [lbfgs]): two-loop recursion
 * over the last `memory` pairs, initial Hessian y's/y'y, unit initial step
 * (the first iteration min(1, 1/||g||_1)), bracketing with cubic
 * interpolation. Works in double on a flat vector through a callback.
 */
#ifndef SAE_CORE_LBFGS_H
#define SAE_CORE_LBFGS_H

#include <signal.h>
#include <stddef.h>

#include "kernels/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returns f(x) and writes the gradient into g. */
typedef double (*sae_fg_fn)(void *ctx, const double *x, double *g);

typedef struct SaeLbfgsOpts {
    unsigned memory;     /* 100 */
    unsigned max_iter;   /* 400 */
    unsigned max_fevals; /* 1000 */
    double tol_fun;      /* 1e-5: stop when max |g_i| <= tol_fun */
    double tol_x;        /* 1e-9: stop when a step or a change of f is smaller */
    double c1, c2;       /* 1e-4, 0.9: the strong-Wolfe constants */
    /* Called after every iteration (may be NULL). */
    void (*progress)(void *ctx, unsigned iter, unsigned max_iter, double f);
    void *progress_ctx;
    /* Polled once per iteration; a nonzero value stops the run (may be NULL). */
    volatile sig_atomic_t *stop;
    /* The vector algebra (dot, axpy) of the two-loop recursion and the line
     * search: a kernel table's double slots; NULL: the scalar reference. */
    const SaeKernelsF64 *vec;
} SaeLbfgsOpts;

typedef enum {
    SAE_LBFGS_MAX_ITER,
    SAE_LBFGS_MAX_FEVALS,
    SAE_LBFGS_OPTIMALITY,
    SAE_LBFGS_TOL_X,
    SAE_LBFGS_TOL_FUN_CHANGE,
    SAE_LBFGS_LINE_SEARCH,
    SAE_LBFGS_NONFINITE,
    SAE_LBFGS_INTERRUPTED,
    SAE_LBFGS_NO_MEMORY,
} SaeLbfgsStatus;

typedef struct SaeLbfgsResult {
    SaeLbfgsStatus status;
    unsigned iters, fevals;
    double f;
} SaeLbfgsResult;

SaeLbfgsOpts sae_lbfgs_defaults(void);

/* Minimises from x (n entries, overwritten by the best point found). */
void sae_lbfgs(sae_fg_fn fg, void *ctx, double *x, size_t n, const SaeLbfgsOpts *o, SaeLbfgsResult *r);

const char *sae_lbfgs_status_name(SaeLbfgsStatus s);

/* The line search's two tests of a step t along a descent direction d
 * (gtd0 = g(x)'d < 0, gtd = g(x + t d)'d): sufficient decrease (Armijo)
 * f <= f0 + c1 t gtd0, and the strong-Wolfe curvature condition
 * |gtd| <= c2 |gtd0|. A step is accepted when both hold. */
int sae_wolfe_armijo(double f0, double gtd0, double t, double f, double c1);
int sae_wolfe_curvature(double gtd0, double gtd, double c2);

#ifdef __cplusplus
}
#endif

#endif
