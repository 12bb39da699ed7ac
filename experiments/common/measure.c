#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/io/fileio.h"
#include "core/linalg.h"
#include "core/safe_alloc.h"
#include "experiments/report/png.h"
#include "experiments/report/svg.h"
#include "experiments/common/measure.h"

static const double probe_lambdas[] = { SAE_PROBE_LAMBDAS };
enum { PROBE_ITERS = 400 };

double sae_binomial_se(double p, size_t n) { return n ? sqrt(p * (1 - p) / (double)n) : NAN; }

/* The best constant output per input on the training rows under squared
 * error, the mean, clamped to the decoder's range; its recon_per_sample
 * on the evaluation rows. */
static double const_recon(const SaeConfig *c, const SaeData *tr, const SaeData *ev)
{
    const size_t n = c->n_in;
    double *mean = sae_alloc_array(n, sizeof(double));
    if (!mean)
        return NAN;
    for (size_t d = 0; d < n; d++) mean[d] = 0; /* sae_column_mean's order, in either type */
    for (size_t i = 0; i < tr->rows; i++)
        for (size_t d = 0; d < n; d++) mean[d] += sae_data_at(tr, i * n + d);
    for (size_t d = 0; d < n; d++) mean[d] /= (double)tr->rows;
    if (c->decoder == SAE_ACT_SIGMOID)
        for (size_t d = 0; d < n; d++) mean[d] = fmin(fmax(mean[d], 0), 1);
    double se = 0;
    for (size_t i = 0; i < ev->rows; i++)
        for (size_t d = 0; d < n; d++) {
            const double r = sae_data_at(ev, i * n + d) - mean[d];
            se += r * r;
        }
    free(mean);
    return 0.5 * se / (double)ev->rows;
}

int sae_measure_raw_probe(const SaeKernels *k, const SaeData *tr, const SaeData *ev, int classes, SaeProbeResult *r)
{
    double *own_tr, *own_ev; /* the probe's features are double: float rows widened for it */
    const double *xtr = sae_data_double(tr, &own_tr), *xev = sae_data_double(ev, &own_ev);
    const int rc = !xtr || !xev
                       ? -1
                       : sae_probe_tuned(k, xtr, tr->labels, tr->rows, xev, ev->labels, ev->rows, tr->cols, classes,
                                         probe_lambdas, sizeof probe_lambdas / sizeof *probe_lambdas, PROBE_ITERS, r);
    free(own_tr);
    free(own_ev);
    return rc;
}

void sae_measure_free(SaeMeasure *o)
{
    free(o->h);
    free(o->xh);
    free(o->rhohat);
    o->h = o->xh = o->rhohat = NULL;
}

int sae_measure(const SaeConfig *c, SaePrecision p, const SaeKernels *k, const double *theta, const SaeData *tr,
                const SaeData *ev, int classes, SaeMeasure *o)
{
    memset(o, 0, sizeof *o);
    const size_t n = c->n_in, kh = c->n_hidden;
    o->h = sae_alloc_array2(ev->rows, kh, sizeof(double));
    o->xh = sae_alloc_array2(ev->rows, n, sizeof(double));
    o->rhohat = sae_alloc_array(kh, sizeof(double));
    double *htr = classes ? sae_alloc_array2(tr->rows, kh, sizeof(double)) : NULL;
    int rc = SAE_MEASURE_NO_MEMORY;
    if (!o->h || !o->xh || !o->rhohat || (classes && !htr))
        goto out;
    const SaeSamples sev = sae_samples_of(ev, ev->rows), str = sae_samples_of(tr, tr->rows);
    /* the evaluation rows, then the training rows (one pass gives their
     * objective and, for the probe, their codes) */
    if (sae_evaluate_samples(c, p, k, theta, &sev, &o->eval, &o->unweighted, NULL, o->rhohat, o->h, o->xh) ||
        sae_evaluate_samples(c, p, k, theta, &str, &o->train, NULL, NULL, NULL, htr, NULL))
        goto out;
    rc = SAE_MEASURE_DIVERGED;
    if (!isfinite(o->eval.loss) || !isfinite(o->train.loss))
        goto out;
    sae_metrics(c, theta, &sev, o->h, o->xh, &o->m);
    /* R over the training rows as recon_per_sample, undoing the reduction's scale (squared error only) */
    o->train_recon_per_sample = c->loss == SAE_LOSS_MSE ? o->train.recon / sae_recon_scale(c) : NAN;
    o->const_recon = const_recon(c, tr, ev);
    if (classes) {
        if (sae_probe_tuned(k, htr, tr->labels, tr->rows, o->h, ev->labels, ev->rows, kh, classes, probe_lambdas,
                            sizeof probe_lambdas / sizeof *probe_lambdas, PROBE_ITERS, &o->probe))
            goto out;
        o->probed = 1;
        o->probe_se = sae_binomial_se(o->probe.test_acc, ev->rows);
    }
    rc = SAE_MEASURE_OK;
out:
    free(htr);
    if (rc != SAE_MEASURE_OK)
        sae_measure_free(o);
    return rc;
}

int sae_write_run_images(const char *dir, const SaeConfig *c, const double *theta, const SaeData *d, const double *xh,
                         size_t count, SaeError *e)
{
    if (!d->img_w || d->img_w * d->img_h != c->n_in)
        return 0;
    mkdir(dir, 0755);
    char path[8192];
    unsigned char *img;
    size_t w, h;
    if (sae_mosaic_filters(theta, c->n_hidden, d->img_h, d->img_w, &img, &w, &h))
        return sae_fail(e, "out of memory for the filter mosaic");
    snprintf(path, sizeof path, "%s/filters.png", dir);
    int rc = sae_png_write_gray(path, w, h, img, e);
    free(img);
    SaeData first = *d; /* the rows shown, in double */
    first.rows = count;
    double *own;
    const double *x = sae_data_double(&first, &own);
    if (!x)
        rc = sae_fail(e, "out of memory for the reconstructions");
    if (!rc && !sae_mosaic_pairs(x, xh, count, d->img_h, d->img_w, &img, &w, &h)) {
        snprintf(path, sizeof path, "%s/reconstructions.png", dir);
        rc = sae_png_write_gray(path, w, h, img, e);
        free(img);
    }
    free(own);
    return rc;
}

/* The histogram of log10 density over the units that fire: 20 bins from
 * the rarest possible (one row in m) to always. */
static int density_plot(const char *path, const double *density, size_t k, size_t m, SaeError *e)
{
    SaePlot *p = calloc(1, sizeof *p);
    if (!p)
        return sae_fail(e, "out of memory");
    enum { BINS = 20 };
    const double lo = -log10((double)m);
    size_t dead = 0;
    SaeSeries *q = &p->series[0];
    p->n_series = 1;
    q->n = BINS;
    snprintf(q->name, sizeof q->name, "units per bin");
    for (size_t b = 0; b < BINS; b++) q->x[b] = lo + (0 - lo) * ((double)b + 0.5) / BINS;
    for (size_t j = 0; j < k; j++) {
        if (density[j] <= 0) {
            dead++;
            continue;
        }
        size_t b = (size_t)((log10(density[j]) - lo) / (0 - lo) * BINS);
        q->y[b < BINS ? b : BINS - 1] += 1;
    }
    snprintf(p->title, sizeof p->title, "firing density of the %zu units (%zu never fire on these %zu rows)", k, dead,
             m);
    snprintf(p->xlabel, sizeof p->xlabel, "log10 fraction of rows where the unit is not 0");
    snprintf(p->ylabel, sizeof p->ylabel, "units");
    const int rc = sae_svg_write(path, p, e);
    free(p);
    return rc;
}

int sae_write_latents(const char *dir, const SaeConfig *c, const double *theta, const double *h, size_t m, SaeError *e)
{
    SaeLayout l;
    sae_layout(c, &l);
    const size_t n = c->n_in, k = c->n_hidden;
    double *density = sae_alloc_array(k, sizeof(double));
    size_t cap = 128 + 128 * k, len = 0; /* a line is at most 8 + 5 x 17 characters */
    char *csv = sae_alloc_array(cap, 1);
    if (!density || !csv) {
        free(density);
        free(csv);
        return sae_fail(e, "out of memory for latents.csv");
    }
    len += (size_t)snprintf(csv, cap, "unit,density,mean,max,encoder_norm,decoder_norm\n");
    for (size_t j = 0; j < k; j++) {
        double on = 0, sum = 0, mx = -INFINITY, enc = 0, dec = 0;
        for (size_t i = 0; i < m; i++) {
            const double v = h[i * k + j];
            on += v != 0;
            sum += v;
            mx = fmax(mx, v);
        }
        for (size_t d = 0; d < n; d++) {
            const double w1 = theta[l.w1 + j * n + d], w2 = theta[l.dec + j * n + d];
            enc += w1 * w1;
            dec += w2 * w2;
        }
        density[j] = on / (double)m;
        len += (size_t)snprintf(csv + len, cap - len, "%zu,%.9g,%.9g,%.9g,%.9g,%.9g\n", j, density[j], sum / (double)m,
                                mx, sqrt(enc), sqrt(dec));
    }
    mkdir(dir, 0755);
    char path[8192];
    snprintf(path, sizeof path, "%s/latents.csv", dir);
    int rc = sae_atomic_write(path, csv, len, e);
    snprintf(path, sizeof path, "%s/density.svg", dir);
    if (!rc)
        rc = density_plot(path, density, k, m, e);
    free(density);
    free(csv);
    return rc;
}
