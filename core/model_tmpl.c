/*
 * The objective and its gradient, written once for the element type T: a
 * template (kernels/template.h) compiled by model_f32.c and model_f64.c.
 * Section and equation names (§N, [name]) refer to core/MODEL.md.
 */
#include <math.h>
#include <stdlib.h>

#include "core/model.h"
#include "core/safe_alloc.h"

TNAME(SaeWork) *FN(sae_work_new)(const SaeConfig *c, size_t batch)
{
    const size_t n = c->n_in, k = c->n_hidden;
    size_t mk, mn;
    if (sae_mul_overflow(batch, k, &mk) || sae_mul_overflow(batch, n, &mn))
        return NULL;
    TNAME(SaeWork) *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->cap = batch;
    w->h = sae_alloc_array(mk, sizeof(T));
    w->gh = sae_alloc_array(mk, sizeof(T));
    w->z2 = sae_alloc_array(mn, sizeof(T));
    w->xh = sae_alloc_array(mn, sizeof(T));
    w->d2 = sae_alloc_array(mn, sizeof(T));
    w->vec_k = sae_alloc_array(k, sizeof(T));
    w->rhohat = sae_alloc_array(k, sizeof(double));
    w->dsq = sae_alloc_array(k, sizeof(double));
    w->hsum = sae_alloc_array(k, sizeof(double));
    w->rnorm = sae_alloc_array(k, sizeof(double));
    w->tmp = sae_alloc_array(n > k ? n : k, sizeof(double));
    if (!w->h || !w->gh || !w->z2 || !w->xh || !w->d2 || !w->vec_k || !w->rhohat || !w->dsq || !w->hsum || !w->rnorm ||
        !w->tmp) {
        FN(sae_work_free)(w);
        return NULL;
    }
    return w;
}

void FN(sae_work_free)(TNAME(SaeWork) *w)
{
    if (!w)
        return;
    free(w->h);
    free(w->gh);
    free(w->z2);
    free(w->xh);
    free(w->d2);
    free(w->vec_k);
    free(w->rhohat);
    free(w->dsq);
    free(w->hsum);
    free(w->rnorm);
    free(w->tmp);
    free(w);
}

static double FN(sum)(size_t cnt, const double *v)
{
    double t = 0;
    for (size_t i = 0; i < cnt; i++) t += v[i];
    return t;
}

/* [rhohat], [kl] and the KL row s of [grad-h]: rho-hat from the column means of H, the
 * penalty value, and (when want_row) s_j * (beta/m) * a' into row. */
static double FN(kl_term)(const SaeConfig *c, const double *colmean, double *rhohat, T *row, size_t m, int want_row)
{
    const size_t k = c->n_hidden;
    const int rescale = c->encoder == SAE_ACT_TANH && c->kl_tanh == SAE_KL_RESCALE;
    const double rho = c->rho, eps = c->kl_eps;
    const double scale = c->beta / (double)m * (rescale ? 0.5 : 1.0);
    double kl = 0;
    for (size_t j = 0; j < k; j++) {
        const double a = rescale ? (colmean[j] + 1) / 2 : colmean[j];
        rhohat[j] = a;
        const int inside = a >= eps && a <= 1 - eps; /* the clamp passes gradient */
        const double r = a < eps ? eps : a > 1 - eps ? 1 - eps : a;
        if (c->beta != 0) /* two logs per unit and step: only when the term counts */
            kl += rho * log(rho / r) + (1 - rho) * log((1 - rho) / (1 - r));
        if (want_row)
            row[j] = (T)(inside ? scale * (-rho / r + (1 - rho) / (1 - r)) : 0.0);
    }
    return c->beta * kl;
}

static void FN(to_T)(size_t cnt, const double *src, T *dst)
{
    for (size_t i = 0; i < cnt; i++) dst[i] = (T)src[i];
}

void FN(sae_sums_clear)(const SaeConfig *c, TNAME(SaeWork) *w)
{
    w->recon_sum = w->l1a_sum = 0;
    for (size_t j = 0; j < c->n_hidden; j++) w->hsum[j] = w->dsq[j] = 0;
}

/* The K-th largest of v[0..n) (K <= n): a min-heap of the K largest seen,
 * in heap[0..K). O(n log K). */
static T FN(kth_largest)(const T *v, size_t n, size_t K, T *heap)
{
    for (size_t i = 0; i < n; i++) {
        size_t at;
        if (i < K) { /* grow: sift the new value up */
            at = i;
            while (at > 0 && v[i] < heap[(at - 1) / 2]) {
                heap[at] = heap[(at - 1) / 2];
                at = (at - 1) / 2;
            }
        } else if (v[i] > heap[0]) { /* replace the smallest: sift down */
            at = 0;
            for (size_t child; (child = 2 * at + 1) < K; at = child) {
                if (child + 1 < K && heap[child + 1] < heap[child])
                    child++;
                if (!(heap[child] < v[i]))
                    break;
                heap[at] = heap[child];
            }
        } else {
            continue;
        }
        heap[at] = v[i];
    }
    return heap[0];
}

/* [topk]: keeps the K largest of h[0..k) and zeroes the rest; of values
 * equal to the K-th largest the first ones stay, so exactly K entries are
 * kept (relu zeros among them stay zero). scratch: K entries. */
static void FN(keep_largest)(size_t k, size_t K, T *h, T *scratch)
{
    const T thr = FN(kth_largest)(h, k, K, scratch);
    size_t above = 0;
    for (size_t j = 0; j < k; j++) above += h[j] > thr;
    size_t ties = K - above; /* how many values equal to thr stay */
    for (size_t j = 0; j < k; j++) {
        if (h[j] > thr)
            continue;
        if (h[j] == thr && ties) {
            ties--;
            continue;
        }
        h[j] = 0;
    }
}

void FN(sae_forward_sums)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta,
                          const T *x, size_t m)
{
    const size_t n = c->n_in, k = c->n_hidden;
    SaeLayout L;
    sae_layout(c, &L);
    const T *W1 = theta + L.w1, *b1 = theta + L.b1, *b2 = theta + L.b2;
    const T *W2 = c->tied ? NULL : theta + L.w2;
    T *H = w->h, *Z2 = w->z2, *Xh = w->xh;

    /* [forward]: H = f(X W1^T + b1), X^ = g(H W2^T + b2), each one fused GEMM; the
     * decoder's pre-activation Z2 is kept only where bce needs it. */
    kt->gemm_bias_act(m, k, n, x, n, W1, n, 1, b1, (int)c->encoder, NULL, H);
    if (c->topk && c->topk < k) /* [topk]; G_H's first row is free until the backward pass */
        for (size_t i = 0; i < m; i++) FN(keep_largest)(k, c->topk, H + i * k, w->gh);
    T *z2 = c->loss == SAE_LOSS_BCE ? Z2 : NULL;
    if (c->tied)
        kt->gemm_bias_act(m, n, k, H, k, W1, n, 0, b2, (int)c->decoder, z2, Xh);
    else
        kt->gemm_bias_act(m, n, k, H, k, W2, k, 1, b2, (int)c->decoder, z2, Xh);

    /* The sums of [recon-mse] or [recon-bce], [l1a], [rhohat] and [cae]. */
    if (c->loss == SAE_LOSS_BCE)
        w->recon_sum += kt->bce_sum(m * n, Z2, x);
    else
        w->recon_sum += 0.5 * kt->sqdiff_sum(m * n, Xh, x);
    if (c->l1_activity != 0)
        w->l1a_sum += kt->abs_sum(m * k, H);
    kt->colsum(m, k, H, w->tmp);
    for (size_t j = 0; j < k; j++) w->hsum[j] += w->tmp[j];
    if (c->gamma != 0) {
        switch (c->encoder) {
        case SAE_ACT_SIGMOID: kt->cae_dsq_sigmoid(m, k, H, w->tmp); break;
        case SAE_ACT_TANH: kt->cae_dsq_tanh(m, k, H, w->tmp); break;
        default: kt->cae_dsq_relu(m, k, H, w->tmp); break;
        }
        for (size_t j = 0; j < k; j++) w->dsq[j] += w->tmp[j];
    }
}

/* Every term of J (§3) from the sums over m rows. Leaves in w what the
 * backward pass reads: r_j (rnorm), rho-hat and, when want_grad, the KL
 * row (vec_k). */
static SaeTerms FN(terms)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta, size_t m,
                          int want_grad)
{
    const size_t n = c->n_in, k = c->n_hidden;
    SaeLayout L;
    sae_layout(c, &L);
    const T *W1 = theta + L.w1, *W2 = c->tied ? NULL : theta + L.w2;
    SaeTerms t = { 0 };
    t.recon = sae_recon_scale(c) * w->recon_sum / (double)m;

    /* [l2], [l1w], each only when its weight is on (a pass over every
     * weight per step otherwise); r_j = ||W1_j||^2 also feeds [cae]. */
    if (c->lambda != 0 || c->gamma != 0)
        kt->row_sqnorm(k, n, W1, w->rnorm);
    if (c->lambda != 0) {
        double sumsq = FN(sum)(k, w->rnorm);
        if (!c->tied) {
            kt->row_sqnorm(n, k, W2, w->tmp);
            sumsq += FN(sum)(n, w->tmp);
        }
        t.l2 = sae_l2_scale(c) * c->lambda * sumsq;
    }
    if (c->l1_weight != 0)
        t.l1w = c->l1_weight * (kt->abs_sum(k * n, W1) + (c->tied ? 0 : kt->abs_sum(n * k, W2)));

    /* [l1a], [kl] (rho-hat is reported whether or not beta is on), [cae]. */
    if (c->l1_activity != 0)
        t.l1a = c->l1_activity * w->l1a_sum / (double)m;
    for (size_t j = 0; j < k; j++) w->tmp[j] = w->hsum[j] / (double)m;
    t.kl = FN(kl_term)(c, w->tmp, w->rhohat, w->vec_k, m, want_grad && c->beta != 0);
    if (c->gamma != 0) {
        double cae = 0;
        for (size_t j = 0; j < k; j++) cae += w->dsq[j] * w->rnorm[j];
        t.cae = c->gamma * cae / (double)m;
    }
    t.loss = t.recon + t.l2 + t.l1w + t.l1a + t.kl + t.cae;
    return t;
}

SaeTerms FN(sae_sums_terms)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta,
                            size_t m)
{
    return FN(terms)(c, kt, w, theta, m, 0);
}

/* The forward pass and every term of J (§2, §3) on one batch, leaving in w
 * what the backward pass reads: H, X^, Z2 (bce), r_j, rho-hat, sum_i D^2
 * (dsq, when gamma != 0) and, when want_grad, the KL row. */
static SaeTerms FN(forward)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta,
                            const T *x, size_t m, int want_grad)
{
    FN(sae_sums_clear)(c, w);
    FN(sae_forward_sums)(c, kt, w, theta, x, m);
    return FN(terms)(c, kt, w, theta, m, want_grad);
}

/* The backward pass (§4): dJ/dtheta into grad, from what forward left in w. */
static void FN(backward)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta, const T *x,
                         size_t m, T *grad)
{
    const size_t n = c->n_in, k = c->n_hidden;
    SaeLayout L;
    sae_layout(c, &L);
    const T *W1 = theta + L.w1, *W2 = c->tied ? NULL : theta + L.w2;
    const T d2_scale = (T)(sae_recon_scale(c) / (double)m);
    const T *H = w->h, *Xh = w->xh;
    T *D2 = w->d2, *GH = w->gh;

    T *gW1 = grad + L.w1, *gb1 = grad + L.b1, *gb2 = grad + L.b2;
    T *gW2 = c->tied ? NULL : grad + L.w2;

    /* [delta-out]: D2 = s (X^ - X)/m (s: the reduction's scale of R), times g'(Z2) for MSE with a sigmoid
     * decoder, and its column sums (gb2), in one pass. */
    kt->out_delta(m, n, d2_scale, Xh, x, c->loss == SAE_LOSS_MSE && c->decoder == SAE_ACT_SIGMOID, D2, w->tmp);
    FN(to_T)(n, w->tmp, gb2);

    /* [grad-dec] (untied); [grad-h]: G_H = D2 W2 + the L1 and KL rows. */
    if (c->tied) {
        kt->gemm_nt(m, k, n, 1, D2, n, W1, n, 0, GH, k);
    } else {
        kt->gemm_tn(n, k, m, 1, D2, n, H, k, 0, gW2, k);
        kt->gemm_nn(m, k, n, 1, D2, n, W2, k, 0, GH, k);
    }
    /* ... the L1 and KL rows added, then [delta-hid]: D1 = G_H * f'(Z1), with
     * its column sums (gb1), in one pass; + (2 gamma/m) D D' r after it, and
     * the sums again (GH becomes D1). */
    const T l1 = c->l1_activity != 0 ? (T)(c->l1_activity / (double)m) : 0;
    kt->hid_delta(m, k, H, l1, c->beta != 0 ? w->vec_k : NULL, (int)c->encoder, GH, w->tmp);
    const double cae_scale = 2 * c->gamma / (double)m;
    if (c->gamma != 0 && c->encoder != SAE_ACT_RELU) { /* relu: f'' = 0 */
        for (size_t j = 0; j < k; j++) w->vec_k[j] = (T)(cae_scale * w->rnorm[j]);
        if (c->encoder == SAE_ACT_SIGMOID)
            kt->cae_delta_sigmoid(m, k, H, w->vec_k, GH);
        else
            kt->cae_delta_tanh(m, k, H, w->vec_k, GH);
        kt->colsum(m, k, GH, w->tmp);
    }
    FN(to_T)(k, w->tmp, gb1);

    /* [grad-enc], [grad-tied]: tied adds the decoder path H^T D2. */
    kt->gemm_tn(k, n, m, 1, GH, k, x, n, 0, gW1, n);
    if (c->tied)
        kt->gemm_tn(k, n, m, 1, H, k, D2, n, 1, gW1, n);

    /* Penalty gradients: lambda W (mean: 2 lambda W) + l1w sign(W) + (2 gamma/m) diag(sum_i D^2) W1. */
    const T *rowscale = NULL;
    if (c->gamma != 0) {
        for (size_t j = 0; j < k; j++) w->vec_k[j] = (T)(cae_scale * w->dsq[j]);
        rowscale = w->vec_k;
    }
    const int wpen = c->lambda != 0 || c->l1_weight != 0;
    const T lambda = (T)(2 * sae_l2_scale(c) * c->lambda);
    if (wpen || rowscale)
        kt->wpen_grad(k, n, W1, lambda, (T)c->l1_weight, rowscale, gW1);
    if (wpen && !c->tied)
        kt->wpen_grad(n, k, W2, lambda, (T)c->l1_weight, NULL, gW2);
}

double FN(sae_objective)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta, const T *x,
                         size_t m, T *grad, SaeTerms *terms)
{
    const SaeTerms t = FN(forward)(c, kt, w, theta, x, m, grad != NULL);
    if (terms)
        *terms = t;
    if (grad)
        FN(backward)(c, kt, w, theta, x, m, grad);
    return t.loss;
}
