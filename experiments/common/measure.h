/*
 * What a trained model is measured by, the same for one sweep row and for
 * `train --metrics`: every term of J on the evaluation rows, weighted (as
 * in J) and unweighted (each penalty at weight 1: what its weight
 * multiplies); the training rows' terms; the metrics (core/metrics.h); the
 * trivial baseline of a code that carries no information (the best
 * constant output the decoder can give); and the linear probe with its
 * weight decay chosen on validation rows, with the binomial standard error
 * of its accuracy.
 */
#ifndef SAE_EXPERIMENTS_COMMON_MEASURE_H
#define SAE_EXPERIMENTS_COMMON_MEASURE_H

#include <stddef.h>

#include "core/error.h"
#include "core/io/data.h"
#include "core/metrics.h"
#include "core/model.h"
#include "core/probe.h"
#include "core/train.h"

/* The first `rows` rows of d (at most d->rows) as the samples a training
 * or an evaluation reads, in d's own type, streamed as d is. */
static inline SaeSamples sae_samples_of(const SaeData *d, size_t rows)
{
    return (SaeSamples){ .x = d->x, .xf = d->xf, .m = rows, .chunk = d->chunk, .window = d->window };
}

typedef struct SaeMeasure {
    SaeTerms eval, unweighted, train; /* unweighted: the eval terms with every penalty weight 1 */
    SaeMetrics m;
    double train_recon_per_sample; /* (1/m) sum 1/2 ||x^ - x||^2 on the training rows (NaN for bce) */
    double const_recon;            /* recon_per_sample of the best constant output */
    int probed;                    /* the probe ran (labels on both parts) */
    SaeProbeResult probe;
    double probe_se; /* sqrt(p (1 - p) / n_test) */
    double *h, *xh;  /* the evaluation rows' codes and reconstructions */
    double *rhohat;  /* k */
} SaeMeasure;

enum { SAE_MEASURE_OK = 0, SAE_MEASURE_DIVERGED = 1, SAE_MEASURE_NO_MEMORY = -1 };

/* Measures theta on ev (its held-out rows, or the training rows when there
 * are none) and tr; probes when classes > 0. Returns SAE_MEASURE_OK,
 * SAE_MEASURE_DIVERGED (an objective is not finite: nothing else is
 * measured) or SAE_MEASURE_NO_MEMORY; only after SAE_MEASURE_OK does out
 * hold arrays to free with sae_measure_free. */
int sae_measure(const SaeConfig *c, SaePrecision p, const SaeKernels *k, const double *theta, const SaeData *tr,
                const SaeData *ev, int classes, SaeMeasure *out);
void sae_measure_free(SaeMeasure *out);

/* The probe on the raw inputs (the baseline of the code's probe), tuned
 * the same way. Returns 0 or -1 when out of memory. */
int sae_measure_raw_probe(const SaeKernels *k, const SaeData *tr, const SaeData *ev, int classes, SaeProbeResult *r);

/* filters.png (the rows of W1) and reconstructions.png (the first count
 * rows of d, xh their reconstructions) in dir, created if need be; nothing
 * for data that is not images. */
int sae_write_run_images(const char *dir, const SaeConfig *c, const double *theta, const SaeData *d, const double *xh,
                         size_t count, SaeError *e);

/* latents.csv (per unit: how often it fires on the m x k codes h, its mean
 * and largest activation, its encoder and decoder norms) and density.svg
 * (a histogram of log10 firing density; the units that never fire are
 * counted in its title) in dir, created if need be. */
int sae_write_latents(const char *dir, const SaeConfig *c, const double *theta, const double *h, size_t m, SaeError *e);

/* Binomial standard error of an accuracy p on n rows. */
double sae_binomial_se(double p, size_t n);

#endif
