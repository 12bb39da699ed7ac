#include <math.h>
#include <stdlib.h>

#include "core/safe_alloc.h"
#include "core/metrics.h"

/* The activation on the (0, 1) scale the KL and the thresholds use. */
static double mapped(const SaeConfig *c, double h)
{
    return c->encoder == SAE_ACT_TANH && c->kl_tanh == SAE_KL_RESCALE ? (h + 1) / 2 : h;
}

static double fprime(SaeAct f, double h)
{
    switch (f) {
    case SAE_ACT_SIGMOID: return h * (1 - h);
    case SAE_ACT_TANH: return 1 - h * h;
    default: return h > 0 ? 1 : 0;
    }
}

static int saturated(SaeAct f, double h)
{
    switch (f) {
    case SAE_ACT_SIGMOID: return h < 0.05 || h > 0.95;
    case SAE_ACT_TANH: return fabs(h) > 0.9;
    default: return h == 0;
    }
}

/* Treves-Rolls sparsity of N values with sum s and sum of squares q > 0
 * (the caller leaves out the all-zero sets, where it is undefined). */
static double treves_rolls(double s, double q, size_t n)
{
    if (n < 2)
        return 0;
    const double mean = s / (double)n, mean_sq = q / (double)n;
    return (1 - mean * mean / mean_sq) / (1 - 1 / (double)n);
}

/* How well X^ reconstructs X: the squared error per sample and per entry,
 * FVU (centred), and the per-row nmse, cosine and norm ratio. */
static void recon_measures(const SaeSamples *s, const double *xh, size_t m, size_t n, SaeMetrics *o)
{
    double se = 0;
    for (size_t i = 0; i < m * n; i++) se += (xh[i] - sae_samples_at(s, i)) * (xh[i] - sae_samples_at(s, i));
    o->recon_per_sample = 0.5 * se / (double)m;
    o->mse_per_element = se / ((double)m * (double)n);
    double var = 0; /* sum ||x_i - mean x||^2, column by column */
    for (size_t j = 0; j < n; j++) {
        double mean = 0;
        for (size_t i = 0; i < m; i++) mean += sae_samples_at(s, i * n + j);
        mean /= (double)m;
        for (size_t i = 0; i < m; i++)
            var += (sae_samples_at(s, i * n + j) - mean) * (sae_samples_at(s, i * n + j) - mean);
    }
    o->fvu = var > 0 ? se / var : NAN;
    double cos_sum = 0, ratio_sum = 0, nmse_sum = 0;
    size_t cos_rows = 0, ratio_rows = 0;
    for (size_t i = 0; i < m; i++) {
        double dot = 0, xx = 0, hh = 0, ee = 0;
        for (size_t j = 0; j < n; j++) {
            const double xv = sae_samples_at(s, i * n + j), d = xh[i * n + j] - xv;
            dot += xv * xh[i * n + j];
            xx += xv * xv;
            hh += xh[i * n + j] * xh[i * n + j];
            ee += d * d;
        }
        if (xx > 0 && hh > 0) {
            cos_sum += dot / sqrt(xx * hh);
            cos_rows++;
        }
        if (xx > 0) {
            ratio_sum += sqrt(hh / xx);
            nmse_sum += ee / xx;
            ratio_rows++;
        }
    }
    o->nmse = ratio_rows ? nmse_sum / (double)ratio_rows : NAN;
    o->cosine = cos_rows ? cos_sum / (double)cos_rows : NAN;
    o->l2_ratio = ratio_rows ? ratio_sum / (double)ratio_rows : NAN;
}

/* The code's units: L0, and over the rows of each unit rho-hat, the dead
 * and silent units, lifetime sparsity, the near-zero and saturated
 * activations. */
static void unit_measures(const SaeConfig *c, const double *h, size_t m, size_t k, SaeMetrics *o)
{
    size_t active = 0;
    for (size_t i = 0; i < m * k; i++) active += h[i] != 0;
    o->l0 = (double)active / (double)m;

    const int relu = c->encoder == SAE_ACT_RELU || c->encoder == SAE_ACT_JUMPRELU;
    o->rho_mean = o->rho_abs_dev = o->dead_frac = o->lifetime_sparsity = 0;
    o->rho_min = INFINITY;
    o->rho_max = -INFINITY;
    size_t near = 0, sat = 0, silent_units = 0;
    for (size_t j = 0; j < k; j++) {
        double s = 0, q = 0, mx = -INFINITY;
        for (size_t i = 0; i < m; i++) {
            const double hv = h[i * k + j], a = mapped(c, hv);
            s += a;
            q += a * a;
            mx = fmax(mx, relu ? hv : a);
            near += a < SAE_METRIC_TAU;
            sat += saturated(c->encoder, hv);
        }
        const double rho = s / (double)m;
        o->rho_mean += rho;
        o->rho_min = fmin(o->rho_min, rho);
        o->rho_max = fmax(o->rho_max, rho);
        o->rho_abs_dev += fabs(rho - c->rho);
        o->dead_frac += relu ? mx <= 0 : mx <= SAE_METRIC_TAU_DEAD;
        if (q > 0)
            o->lifetime_sparsity += treves_rolls(s, q, m);
        else
            silent_units++;
    }
    o->rho_mean /= (double)k;
    o->rho_abs_dev /= (double)k;
    o->dead_frac /= (double)k;
    o->lifetime_sparsity = silent_units < k ? o->lifetime_sparsity / (double)(k - silent_units) : NAN;
    o->silent_unit_frac = (double)silent_units / (double)k;
    o->frac_near_zero = (double)near / ((double)m * (double)k);
    o->sat_frac = (double)sat / ((double)m * (double)k);
}

/* The code's samples: the encoder's Jacobian norm and population sparsity,
 * row by row. */
static void sample_measures(const SaeConfig *c, const double *theta, const double *h, size_t m, SaeMetrics *o)
{
    const size_t n = c->n_in, k = c->n_hidden;
    /* ||J_f(x_i)||_F^2 = sum_j f'(z_ij)^2 ||W1_j||^2 (core/MODEL.md §3 [cae]) */
    double *r = sae_alloc_array(k, sizeof(double));
    if (!r) {
        o->jac_norm = o->jac_norm_sq = o->population_sparsity = o->silent_sample_frac = NAN;
        return;
    }
    for (size_t j = 0; j < k; j++) {
        r[j] = 0;
        for (size_t p = 0; p < n; p++) r[j] += theta[j * n + p] * theta[j * n + p];
    }
    double jn = 0, jsq = 0, pop = 0;
    size_t silent_rows = 0;
    for (size_t i = 0; i < m; i++) {
        double sq = 0, s = 0, q = 0;
        for (size_t j = 0; j < k; j++) {
            const double hv = h[i * k + j], d = fprime(c->encoder, hv), a = mapped(c, hv);
            sq += d * d * r[j];
            s += a;
            q += a * a;
        }
        jn += sqrt(sq);
        jsq += sq;
        if (q > 0)
            pop += treves_rolls(s, q, k);
        else
            silent_rows++;
    }
    free(r);
    o->jac_norm = jn / (double)m;
    o->jac_norm_sq = jsq / (double)m;
    o->population_sparsity = silent_rows < m ? pop / (double)(m - silent_rows) : NAN;
    o->silent_sample_frac = (double)silent_rows / (double)m;
}

void sae_metrics(const SaeConfig *c, const double *theta, const SaeSamples *x, const double *h, const double *xh,
                 SaeMetrics *o)
{
    const size_t m = x->m;
    recon_measures(x, xh, m, c->n_in, o);
    unit_measures(c, h, m, c->n_hidden, o);
    sample_measures(c, theta, h, m, o);
}
