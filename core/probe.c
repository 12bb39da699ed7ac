#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/lbfgs.h"
#include "core/probe.h"
#include "core/safe_alloc.h"

typedef struct Probe {
    const SaeKernelsF32 *k;
    const float *f; /* m x d */
    const int *y;
    size_t m, d;
    int classes;
    double lambda;
    float *w, *z, *g; /* C x d weights, m x C logits / gradient rows, C x d gradient */
    double *colsum;
} Probe;

/* theta = [W (C x d), b (C)]. */
static double probe_fg(void *ctx, const double *theta, double *grad)
{
    Probe *p = ctx;
    const size_t C = (size_t)p->classes, d = p->d, m = p->m;
    for (size_t i = 0; i < C * d; i++) p->w[i] = (float)theta[i];
    p->k->gemm_nt(m, C, d, 1, p->f, d, p->w, d, 0, p->z, C);
    double loss = 0, wsq = 0;
    for (size_t i = 0; i < m; i++) {
        float *zi = p->z + i * C;
        double mx = -INFINITY, s = 0;
        for (size_t c = 0; c < C; c++) mx = fmax(mx, zi[c] + theta[C * d + c]);
        for (size_t c = 0; c < C; c++) s += exp(zi[c] + theta[C * d + c] - mx);
        loss -= zi[p->y[i]] + theta[C * d + (size_t)p->y[i]] - mx - log(s);
        for (size_t c = 0; c < C; c++) /* (softmax - onehot) / m */
            zi[c] = (float)((exp(zi[c] + theta[C * d + c] - mx) / s - (c == (size_t)p->y[i])) / (double)m);
    }
    p->k->gemm_tn(C, d, m, 1, p->z, C, p->f, d, 0, p->g, d);
    p->k->colsum(m, C, p->z, p->colsum);
    for (size_t i = 0; i < C * d; i++) {
        grad[i] = p->g[i] + p->lambda * theta[i];
        wsq += theta[i] * theta[i];
    }
    for (size_t c = 0; c < C; c++) grad[C * d + c] = p->colsum[c];
    return loss / (double)m + 0.5 * p->lambda * wsq;
}

static double accuracy(const Probe *p, const double *theta, const float *f, const int *y, size_t m)
{
    const size_t C = (size_t)p->classes, d = p->d;
    size_t right = 0;
    for (size_t i = 0; i < m; i++) {
        size_t best = 0;
        double bv = -INFINITY;
        for (size_t c = 0; c < C; c++) {
            double v = theta[C * d + c];
            for (size_t j = 0; j < d; j++) v += theta[c * d + j] * f[i * d + j];
            if (v > bv) {
                bv = v;
                best = c;
            }
        }
        right += best == (size_t)y[i];
    }
    return m ? (double)right / (double)m : NAN;
}

static float *to_float(const double *src, size_t n)
{
    float *f = sae_alloc_array(n, sizeof(float));
    if (f)
        for (size_t i = 0; i < n; i++) f[i] = (float)src[i];
    return f;
}

/* Fits p (its rows p->f, p->y, p->m; weight decay p->lambda) from zero
 * into theta by L-BFGS. -1 when out of memory. */
static int fit(Probe *p, const SaeKernelsF64 *vec, unsigned iters, double *theta, size_t P, unsigned *done)
{
    memset(theta, 0, P * sizeof *theta);
    SaeLbfgsOpts o = sae_lbfgs_defaults();
    o.max_iter = iters;
    o.max_fevals = 2 * iters + 20;
    o.vec = vec;
    SaeLbfgsResult lr;
    sae_lbfgs(probe_fg, p, theta, P, &o, &lr);
    *done = lr.iters;
    return lr.status == SAE_LBFGS_NO_MEMORY ? -1 : 0;
}

int sae_probe_tuned(const SaeKernels *k, const double *ftrain, const int *ytrain, size_t mtr, const double *ftest,
                    const int *ytest, size_t mte, size_t d, int classes, const double *lambdas, size_t n_lambdas,
                    unsigned iters, SaeProbeResult *r)
{
    const size_t C = (size_t)classes, P = C * d + C;
    const size_t mval = n_lambdas > 1 ? mtr / 5 : 0, mfit = mtr - mval;
    Probe p = { .k = &k->f32, .d = d, .classes = classes };
    float *ftr = to_float(ftrain, mtr * d), *fte = to_float(ftest, mte * d);
    p.w = sae_alloc_array2(C, d, sizeof(float));
    p.z = sae_alloc_array2(mtr, C, sizeof(float));
    p.g = sae_alloc_array2(C, d, sizeof(float));
    p.colsum = sae_alloc_array(C, sizeof(double));
    double *theta = sae_alloc_array(P, sizeof(double));
    int rc = -1;
    if (!ftr || (!fte && mte) || !p.w || !p.z || !p.g || !p.colsum || !theta || !n_lambdas || (mval && !mfit))
        goto out;
    /* each lambda fit on the first mfit rows, scored on the last mval */
    size_t best = 0;
    r->val_acc = NAN;
    for (size_t l = 0; l < n_lambdas && mval; l++) {
        p.f = ftr;
        p.y = ytrain;
        p.m = mfit;
        p.lambda = lambdas[l];
        if (fit(&p, &k->f64, iters, theta, P, &r->iters))
            goto out;
        const double acc = accuracy(&p, theta, ftr + mfit * d, ytrain + mfit, mval);
        if (l == 0 || acc >= r->val_acc) { /* lambdas ascend: a tie goes to the stronger decay */
            r->val_acc = acc;
            best = l;
        }
    }
    /* the choice refit on every training row */
    p.f = ftr;
    p.y = ytrain;
    p.m = mtr;
    p.lambda = r->lambda = lambdas[best];
    if (fit(&p, &k->f64, iters, theta, P, &r->iters))
        goto out;
    r->train_acc = accuracy(&p, theta, ftr, ytrain, mtr);
    r->test_acc = accuracy(&p, theta, fte, ytest, mte);
    rc = 0;
out:
    free(ftr);
    free(fte);
    free(p.w);
    free(p.z);
    free(p.g);
    free(p.colsum);
    free(theta);
    return rc;
}

int sae_probe(const SaeKernels *k, const double *ftrain, const int *ytrain, size_t mtr, const double *ftest,
              const int *ytest, size_t mte, size_t d, int classes, double lambda, unsigned iters, SaeProbeResult *r)
{
    return sae_probe_tuned(k, ftrain, ytrain, mtr, ftest, ytest, mte, d, classes, &lambda, 1, iters, r);
}
