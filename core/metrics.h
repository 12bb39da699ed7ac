/*
 * The held-out metrics of a trained model (core/MODEL.md §8), computed in
 * double from the activations and reconstructions of the evaluation rows.
 * Thresholds (printed with every table):
 *   tau = 0.05        near zero: a < tau (a: the activation mapped to (0,1)
 *                     as for the KL; relu: h itself, so h = 0 counts)
 *   dead              max over rows of a <= 1e-3 (relu: max h == 0)
 *   saturated         sigmoid h < 0.05 or h > 0.95; tanh |h| > 0.9 (the
 *                     same on the (h+1)/2 scale); relu h == 0
 * Lifetime and population sparsity are Treves-Rolls measures
 * (1 - (mean a)^2 / mean a^2) / (1 - 1/N) over the rows of a unit and over
 * the units of a row, averaged: 0 dense, 1 one-hot. The measure is
 * undefined where every value is 0 (a silent unit, a sample with an
 * all-zero code: relu); those are left out of the averages and counted in
 * silent_unit_frac and silent_sample_frac, rather than scored as dense (0)
 * or as one-hot (1). When all are silent the average is NaN (an empty
 * field in a table).
 */
#ifndef SAE_CORE_METRICS_H
#define SAE_CORE_METRICS_H

#include <stddef.h>

#include "core/model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define SAE_METRIC_TAU 0.05
#define SAE_METRIC_TAU_DEAD 1e-3

/* The metrics, once: X(field), in the order of the result columns.
 *   recon_per_sample   (1/m) sum 1/2 ||x^ - x||^2, for every loss
 *   mse_per_element    (1/(m n)) sum (x^ - x)^2
 *   rho_*              rho-hat over units: mean, min, max; mean |rho-hat - rho|
 *   jac_norm           (1/m) sum ||J_f(x)||_F;  jac_norm_sq: of the squares
 *   silent_*_frac      the units, and the rows, whose activations are all 0
 *   l0                 (1/m) sum_i #{j : h_ij != 0}: active units per sample
 *                      (the sparse-dictionary papers' L0; k for sigmoid/tanh)
 *   fvu                sum ||x^ - x||^2 / sum ||x - mean x||^2, the mean over
 *                      the evaluated rows: the fraction of variance
 *                      unexplained, centred (NaN when the rows are constant)
 *   nmse               (1/m) sum_i ||x^_i - x_i||^2 / ||x_i||^2, over the rows
 *                      with x_i != 0: the normalised MSE of the TopK papers,
 *                      per sample, uncentred (NaN when every x_i is 0)
 *   cosine             (1/m) sum_i x_i . x^_i / (||x_i|| ||x^_i||), over the rows
 *                      where both are non-zero (NaN when none is)
 *   l2_ratio           (1/m) sum_i ||x^_i|| / ||x_i||, over the rows with x_i != 0:
 *                      below 1, the reconstruction shrinks the input */
/* clang-format off */
#define SAE_METRIC_FIELDS(X) \
    X(recon_per_sample) X(mse_per_element) X(rho_mean) X(rho_min) X(rho_max) X(rho_abs_dev) \
    X(frac_near_zero) X(dead_frac) X(lifetime_sparsity) X(population_sparsity) X(silent_unit_frac) \
    X(silent_sample_frac) X(jac_norm) \
    X(jac_norm_sq) X(sat_frac) X(l0) X(fvu) X(nmse) X(cosine) X(l2_ratio)
/* clang-format on */

#define SAE_METRIC_FIELD(name) double name;
typedef struct SaeMetrics {
    SAE_METRIC_FIELDS(SAE_METRIC_FIELD)
} SaeMetrics;

/* x, xh: m x n (m = x->m); h: m x k; theta: the model's parameters (for ||W1_j||^2). */
void sae_metrics(const SaeConfig *c, const double *theta, const SaeSamples *x, const double *h, const double *xh,
                 SaeMetrics *out);

#ifdef __cplusplus
}
#endif

#endif
