/*
 * The objective and its gradient, written once for the element type T: a
 * template (kernels/template.h) compiled by model_f32.c and model_f64.c.
 * Section and equation names (§N, [name]) refer to core/MODEL.md.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

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
    w->dnorm = sae_alloc_array(k, sizeof(double));
    if (c->aux_k) {
        size_t mA;
        w->dead = calloc(k, 1);
        w->dead_list = sae_alloc_array(k, sizeof(uint32_t));
        w->hpre = sae_alloc_array(mk, sizeof(T));
        w->acomp = sae_alloc_array(mk, sizeof(T));
        w->ehat = sae_alloc_array(mn, sizeof(T));
        if (sae_mul_overflow(batch, c->aux_k, &mA) || !w->dead || !w->dead_list || !w->hpre || !w->acomp || !w->ehat ||
            !(w->aval = sae_alloc_array(mA, sizeof(T))) || !(w->asel = sae_alloc_array(mA, sizeof(T))) ||
            !(w->aidx = sae_alloc_array(mA, sizeof(uint32_t)))) {
            FN(sae_work_free)(w);
            return NULL;
        }
    }
    if (c->pre_bias && !(w->xc = sae_alloc_array(mn, sizeof(T)))) {
        FN(sae_work_free)(w);
        return NULL;
    }
    if (c->encoder == SAE_ACT_JUMPRELU &&
        (!(w->z1 = sae_alloc_array(mk, sizeof(T))) || !(w->thr = sae_alloc_array(k, sizeof(T))))) {
        FN(sae_work_free)(w);
        return NULL;
    }
    const int topk = c->topk && c->topk < k;
    if (topk || c->encoder == SAE_ACT_JUMPRELU) {
        size_t mK = mk; /* the row lists of BatchTopK and JumpReLU, up to every unit (kept_max) */
        if ((!c->batch_topk && topk && sae_mul_overflow(batch, c->topk, &mK)) ||
            (c->batch_topk && mk > UINT32_MAX)) { /* flat indices */
            FN(sae_work_free)(w);
            return NULL;
        }
        w->sparse = sae_sparse_path(c);
        w->kept_max = sae_sparse_kept_max(c);
        if (c->batch_topk) { /* the flat selection */
            w->bidx = sae_alloc_array2(batch, c->topk, sizeof(uint32_t));
            w->bval = sae_alloc_array2(batch, c->topk, sizeof(T));
        }
        w->idx = sae_alloc_array(mK, sizeof(uint32_t));
        w->val = sae_alloc_array(mK, sizeof(T));
        w->dsel = sae_alloc_array(mK, sizeof(T));
        if (!w->idx || !w->val || !w->dsel || (c->batch_topk && (!w->bidx || !w->bval))) {
            FN(sae_work_free)(w);
            return NULL;
        }
    }
    if (!w->h || !w->gh || !w->z2 || !w->xh || !w->d2 || !w->vec_k || !w->rhohat || !w->dsq || !w->hsum || !w->rnorm ||
        !w->tmp || !w->dnorm) {
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
    free(w->dnorm);
    free(w->idx);
    free(w->val);
    free(w->dsel);
    free(w->bidx);
    free(w->xc);
    free(w->bval);
    free(w->z1);
    free(w->thr);
    free(w->dead);
    free(w->hpre);
    free(w->acomp);
    free(w->asel);
    free(w->ehat);
    free(w->aval);
    free(w->aidx);
    free(w->dead_list);
    free(w);
}

static double sum(size_t cnt, const double *v)
{
    double t = 0;
    for (size_t i = 0; i < cnt; i++) t += v[i];
    return t;
}

/* [rhohat], [kl] and the KL row s of [grad-h]: rho-hat from the column means of H, the
 * penalty value, and (when want_row) s_j * (beta/m) * a' into row. */
static double kl_term(const SaeConfig *c, const double *colmean, double *rhohat, T *row, size_t m, int want_row)
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

static void to_T(size_t cnt, const double *src, T *dst)
{
    for (size_t i = 0; i < cnt; i++) dst[i] = (T)src[i];
}

void FN(sae_atoms_project)(const SaeConfig *c, const TNAME(SaeKernels) *kt, const T *theta, T *grad)
{
    SaeLayout L;
    sae_layout(c, &L);
    const size_t n = c->n_in;
    for (size_t j = 0; j < c->n_hidden; j++) { /* g_j -= (g_j . w_j) w_j */
        T *g = grad + L.dec + j * n;
        const T *a = theta + L.dec + j * n;
        kt->axpy(n, (T)-kt->dot(n, g, a), a, g);
    }
}

void FN(sae_atoms_normalise)(const SaeConfig *c, const TNAME(SaeKernels) *kt, T *theta)
{
    SaeLayout L;
    sae_layout(c, &L);
    const size_t n = c->n_in;
    for (size_t j = 0; j < c->n_hidden; j++) {
        /* a += (s - 1) a: near convergence s - 1 is small and keeps more of
         * s's digits in T than s itself would */
        T *a = theta + L.dec + j * n;
        const double sq = kt->dot(n, a, a);
        if (sq > 0)
            kt->axpy(n, (T)(1 / sqrt(sq) - 1), a, a);
    }
}

void FN(sae_sums_clear)(const SaeConfig *c, TNAME(SaeWork) *w)
{
    w->recon_sum = w->l1a_sum = w->l0_sum = w->aux_sum = 0;
    for (size_t j = 0; j < c->n_hidden; j++) w->hsum[j] = w->dsq[j] = 0;
}

/* [jumprelu]: h = z where z exceeds its unit's threshold exp(t_j), else 0;
 * thr (k entries) gets the thresholds, which the backward pass reads. */
static void jump(size_t m, size_t k, const T *z, const T *t, T *thr, T *h)
{
    for (size_t j = 0; j < k; j++) thr[j] = EXP(t[j]);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++) h[i * k + j] = z[i * k + j] > thr[j] ? z[i * k + j] : 0;
}

/* [l0]: the activations that are not 0. */
static double count_nonzero(size_t cnt, const T *h)
{
    size_t on = 0;
    for (size_t i = 0; i < cnt; i++) on += h[i] != 0;
    return (double)on;
}

/* What the encoder sees: X, or with [pre-bias] X - 1 b2^T (in w->xc, which
 * the forward pass fills and the backward pass reads). */
static const T *enc_input(const SaeConfig *c, const TNAME(SaeWork) *w, const T *x) { return c->pre_bias ? w->xc : x; }

/* [sparse]: a row listing `listed` units (increasing) in idx, padded to
 * `most` with the lowest units it does not list, at value 0 (which adds
 * nothing to any product, and f' = 0 there: the same objective and
 * gradient as without them). */
static void pad_row(uint32_t *idx, T *val, size_t listed, size_t most)
{
    for (size_t q = listed, p = 0, j = 0; q < most; j++) {
        while (p < listed && idx[p] < j) p++;
        if (p == listed || idx[p] != j) {
            idx[q] = (uint32_t)j;
            val[q++] = 0;
        }
    }
}

/* [sparse] for [batchtopk]: the batch's selection (bidx, bval) as row
 * lists (idx, val) of the most units any row kept, the shorter rows
 * padded. 0, the lists untouched, when a row kept more than kept_max. */
static size_t batch_rows(const SaeConfig *c, TNAME(SaeWork) *w, size_t m)
{
    const size_t k = c->n_hidden, cnt = m * c->topk;
    size_t most = 0;
    for (size_t e = 0, i = 0; i < m; i++) {
        const size_t from = e;
        while (e < cnt && w->bidx[e] / k == i) e++;
        most = e - from > most ? e - from : most;
    }
    if (most > w->kept_max)
        return 0;
    for (size_t e = 0, i = 0; i < m; i++) {
        uint32_t *idx = w->idx + i * most;
        T *val = w->val + i * most;
        size_t q = 0;
        for (; e < cnt && w->bidx[e] / k == i; e++, q++) {
            idx[q] = (uint32_t)(w->bidx[e] % k);
            val[q] = w->bval[e];
        }
        pad_row(idx, val, q, most);
    }
    return most;
}

/* [jumprelu]'s straight-through window: z within bandwidth/2 of th. */
static int in_window(const SaeConfig *c, T z, double th)
{
    const double u = ((double)z - th) / c->bandwidth;
    return u > -0.5 && u < 0.5;
}

/* [sparse] for [jumprelu]: whether row i lists unit j: it fired, or its z
 * lies in the window of its threshold (the thresholds' gradient reads G_H
 * there). */
static int jump_listed(const SaeConfig *c, const TNAME(SaeWork) *w, size_t i, size_t j)
{
    const size_t at = i * c->n_hidden + j;
    return w->h[at] != 0 || in_window(c, w->z1[at], (double)w->thr[j]);
}

/* [sparse] for [jumprelu]: each row's listed units (value 0 for those that
 * did not fire), the shorter rows padded. 0 when a row lists more than
 * kept_max (or none lists any). */
static size_t jump_rows(const SaeConfig *c, TNAME(SaeWork) *w, size_t m)
{
    const size_t k = c->n_hidden;
    size_t most = 0;
    for (size_t i = 0; i < m; i++) {
        size_t listed = 0;
        for (size_t j = 0; j < k; j++) listed += jump_listed(c, w, i, j);
        most = listed > most ? listed : most;
    }
    if (most > w->kept_max)
        return 0;
    for (size_t i = 0; i < m; i++) {
        uint32_t *idx = w->idx + i * most;
        T *val = w->val + i * most;
        size_t q = 0;
        for (size_t j = 0; j < k; j++)
            if (jump_listed(c, w, i, j)) {
                idx[q] = (uint32_t)j;
                val[q++] = w->h[i * k + j];
            }
        pad_row(idx, val, q, most);
    }
    return most;
}

/* [batchtopk] outside training: h = relu(z) where it exceeds thr, else 0. */
static void keep_above(size_t cnt, T thr, T *h)
{
    for (size_t i = 0; i < cnt; i++)
        if (!(h[i] > thr))
            h[i] = 0;
}

/* [auxk]: Z_aux, each row's aux_k largest activations among the dead units
 * (the kernel's topk over the dead columns, gathered into acomp), listed as
 * the sparse path lists units (aidx, aval: m x akept), E^ = Z_aux W2^T
 * (sp_gemm), and the sum over the rows of |E^_i - e_i|^2 / |e_i|^2 with e
 * = X - X^ (rows with e_i = 0 add nothing). 0 (akept 0) when no unit is
 * dead. */
static double auxk_forward(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *Wd, const T *x,
                           size_t m)
{
    const size_t n = c->n_in, k = c->n_hidden;
    size_t nd = 0;
    for (size_t j = 0; j < k; j++) nd += w->dead[j] != 0;
    w->akept = 0;
    if (!nd)
        return 0;
    T *compact = w->acomp; /* m x nd */
    for (size_t j = 0, q = 0; j < k; j++)
        if (w->dead[j])
            w->dead_list[q++] = (uint32_t)j;
    for (size_t i = 0; i < m; i++)
        for (size_t q = 0; q < nd; q++) compact[i * nd + q] = w->hpre[i * k + w->dead_list[q]];
    const size_t ka = c->aux_k < nd ? c->aux_k : nd;
    kt->topk(m, nd, ka, compact, w->aidx, w->aval);
    for (size_t e = 0; e < m * ka; e++) w->aidx[e] = w->dead_list[w->aidx[e]]; /* still increasing in each row */
    w->akept = ka;
    kt->sp_gemm(m, n, ka, w->aidx, w->aval, Wd, n, w->ehat, n);
    double sum = 0;
    for (size_t i = 0; i < m; i++) {
        double se = 0, ee = 0;
        for (size_t d = 0; d < n; d++) {
            const double e = (double)x[i * n + d] - (double)w->xh[i * n + d];
            const double r = (double)w->ehat[i * n + d] - e;
            se += r * r;
            ee += e * e;
        }
        if (ee > 0)
            sum += se / ee;
    }
    return sum;
}

/* [recon-nmse]: sum_i |x^_i - x_i|^2 / |x_i|^2 over the rows with x_i != 0. */
static double nmse_sum(size_t m, size_t n, const TNAME(SaeKernels) *kt, const T *xh, const T *x)
{
    double sum = 0;
    for (size_t i = 0; i < m; i++) {
        const double xx = kt->dot(n, x + i * n, x + i * n);
        if (xx > 0)
            sum += kt->sqdiff_sum(n, xh + i * n, x + i * n) / xx;
    }
    return sum;
}

/* [l1a-dec]: sum_ij |h_ij| |W2_j|, with the atoms' norms into dnorm. */
static double dec_norm_l1(const SaeConfig *c, const TNAME(SaeKernels) *kt, const T *Wd, const T *H, size_t m,
                          double *dnorm)
{
    const size_t n = c->n_in, k = c->n_hidden;
    kt->row_sqnorm(k, n, Wd, dnorm);
    double sum = 0;
    for (size_t j = 0; j < k; j++) dnorm[j] = sqrt(dnorm[j]);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++) sum += FABS(H[i * k + j]) * dnorm[j];
    return sum;
}

/* [forward], the encoder: H = f(X W1^T + b1) in one fused GEMM, on X - 1
 * b2^T with [pre-bias]; [jumprelu] keeps its pre-activation Z1 for the
 * thresholds' gradient, [auxk] the activations TopK is about to drop. */
static void encode(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta,
                   const SaeLayout *L, const T *x, size_t m)
{
    const size_t n = c->n_in, k = c->n_hidden;
    const T *W1 = theta + L->w1, *b1 = theta + L->b1, *b2 = theta + L->b2;
    if (c->pre_bias)
        for (size_t i = 0; i < m; i++) kt->sub_scale(n, 1, x + i * n, b2, w->xc + i * n);
    const T *xe = enc_input(c, w, x);
    if (c->encoder == SAE_ACT_JUMPRELU) {
        kt->gemm_bias_act(m, k, n, xe, n, W1, n, 1, b1, SAE_K_LINEAR, NULL, w->z1);
        jump(m, k, w->z1, theta + L->jt, w->thr, w->h);
    } else {
        kt->gemm_bias_act(m, k, n, xe, n, W1, n, 1, b1, (int)c->encoder, NULL, w->h);
    }
    if (c->aux_k)
        memcpy(w->hpre, w->h, m * k * sizeof(T));
}

/* The units H keeps: [topk] per row, [batchtopk] over the batch (a
 * threshold outside training); and, when the step may take the [sparse]
 * path, the units each row lists (w->kept; 0: the dense path). */
static void select_units(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, size_t m)
{
    const size_t k = c->n_hidden;
    T *H = w->h;
    w->kept = 0;
    if (c->topk && c->topk < k) {
        if (!c->batch_topk) {
            kt->topk(m, k, c->topk, H, w->idx, w->val);
            w->kept = w->sparse ? c->topk : 0;
        } else if (w->training) { /* the batch as one row, flat indices */
            kt->topk(1, m * k, m * c->topk, H, w->bidx, w->bval);
            w->kept = w->sparse ? batch_rows(c, w, m) : 0;
        } else {
            keep_above(m * k, (T)c->threshold, H);
        }
    }
    if (c->encoder == SAE_ACT_JUMPRELU && w->sparse)
        w->kept = jump_rows(c, w, m);
}

/* [forward], the decoder: X^ = g(H W2^T + b2), from the kept atoms of each
 * row on the [sparse] path, else one fused GEMM; the pre-activation Z2 is
 * kept only where bce needs it. */
static void decode(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *Wd, const T *b2,
                   size_t m)
{
    const size_t n = c->n_in, k = c->n_hidden;
    T *z2 = c->loss == SAE_LOSS_BCE ? w->z2 : NULL;
    if (w->kept) {
        T *out = z2 ? z2 : w->xh;
        kt->sp_gemm(m, n, w->kept, w->idx, w->val, Wd, n, out, n);
        if (c->decoder == SAE_ACT_SIGMOID)
            kt->bias_sigmoid(m, n, b2, out, w->xh);
        else
            kt->bias_linear(m, n, b2, out, w->xh);
    } else {
        kt->gemm_bias_act(m, n, k, w->h, k, Wd, n, 0, b2, (int)c->decoder, z2, w->xh);
    }
}

/* The batch's share of the sums of [recon-mse] or [recon-bce], [l1a],
 * [l0], [rhohat] and [cae]. */
static void add_sums(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *Wd, const T *x,
                     size_t m)
{
    const size_t n = c->n_in, k = c->n_hidden;
    const T *H = w->h;
    if (c->loss == SAE_LOSS_BCE)
        w->recon_sum += kt->bce_sum(m * n, w->z2, x);
    else if (c->loss == SAE_LOSS_NMSE)
        w->recon_sum += nmse_sum(m, n, kt, w->xh, x);
    else
        w->recon_sum += 0.5 * kt->sqdiff_sum(m * n, w->xh, x);
    if (c->l1_activity != 0 && c->l1_dec_norm)
        w->l1a_sum += dec_norm_l1(c, kt, Wd, H, m, w->dnorm);
    else if (c->l1_activity != 0)
        w->l1a_sum += kt->abs_sum(m * k, H);
    if (c->l0_penalty != 0)
        w->l0_sum += count_nonzero(m * k, H);
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

void FN(sae_forward_sums)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta,
                          const T *x, size_t m)
{
    SaeLayout L;
    sae_layout(c, &L);
    const T *Wd = theta + L.dec;
    encode(c, kt, w, theta, &L, x, m);
    select_units(c, kt, w, m);
    decode(c, kt, w, Wd, theta + L.b2, m);
    if (c->aux_k) /* [auxk] models the residual with the dead units */
        w->aux_sum += auxk_forward(c, kt, w, Wd, x, m);
    add_sums(c, kt, w, Wd, x, m);
}

/* Every term of J (§3) from the sums over m rows. Leaves in w what the
 * backward pass reads: r_j (rnorm), rho-hat and, when want_grad, the KL
 * row (vec_k). */
static SaeTerms terms(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta, size_t m,
                      int want_grad)
{
    const size_t n = c->n_in, k = c->n_hidden;
    SaeLayout L;
    sae_layout(c, &L);
    const T *W1 = theta + L.w1, *W2t = c->tied ? NULL : theta + L.w2t;
    SaeTerms t = { 0 };
    t.recon = sae_recon_scale(c) * w->recon_sum / (double)m;

    /* [l2], [l1w], each only when its weight is on (a pass over every
     * weight per step otherwise); r_j = ||W1_j||^2 also feeds [cae]. */
    if (c->lambda != 0 || c->gamma != 0)
        kt->row_sqnorm(k, n, W1, w->rnorm);
    if (c->lambda != 0) {
        double sumsq = sum(k, w->rnorm);
        if (!c->tied) {
            kt->row_sqnorm(k, n, W2t, w->tmp);
            sumsq += sum(k, w->tmp);
        }
        t.l2 = sae_l2_scale(c) * c->lambda * sumsq;
    }
    if (c->l1_weight != 0)
        t.l1w = c->l1_weight * (kt->abs_sum(k * n, W1) + (c->tied ? 0 : kt->abs_sum(k * n, W2t)));

    /* [l1a], [kl] (rho-hat is reported whether or not beta is on), [cae]. */
    if (c->l1_activity != 0)
        t.l1a = c->l1_activity * w->l1a_sum / (double)m;
    for (size_t j = 0; j < k; j++) w->tmp[j] = w->hsum[j] / (double)m;
    t.kl = kl_term(c, w->tmp, w->rhohat, w->vec_k, m, want_grad && c->beta != 0);
    if (c->gamma != 0) {
        double cae = 0;
        for (size_t j = 0; j < k; j++) cae += w->dsq[j] * w->rnorm[j];
        t.cae = c->gamma * cae / (double)m;
    }
    t.l0 = c->l0_penalty * w->l0_sum / (double)m;
    t.aux = c->aux_weight * w->aux_sum / (double)m;
    t.loss = t.recon + t.l2 + t.l1w + t.l1a + t.kl + t.cae + t.l0 + t.aux;
    return t;
}

SaeTerms FN(sae_sums_terms)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta,
                            size_t m)
{
    return terms(c, kt, w, theta, m, 0);
}

/* The forward pass and every term of J (§2, §3) on one batch, leaving in w
 * what the backward pass reads: H, X^, Z2 (bce), r_j, rho-hat, sum_i D^2
 * (dsq, when gamma != 0) and, when want_grad, the KL row. */
static SaeTerms forward(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta, const T *x,
                        size_t m, int want_grad)
{
    FN(sae_sums_clear)(c, w);
    FN(sae_forward_sums)(c, kt, w, theta, x, m);
    return terms(c, kt, w, theta, m, want_grad);
}

/* The parameter blocks of theta and grad a backward pass writes; Wd and
 * gWd are the decoder's atoms as rows (W2^T; W1 and gW1 when tied). */
typedef struct {
    const T *W1, *Wd;
    T *gW1, *gWd, *gb1, *gjt;
} Blocks;

static Blocks blocks(const SaeConfig *c, const T *theta, T *grad)
{
    SaeLayout L;
    sae_layout(c, &L);
    return (Blocks){ .W1 = theta + L.w1,
                     .Wd = theta + L.dec,
                     .gW1 = grad + L.w1,
                     .gWd = grad + L.dec,
                     .gb1 = grad + L.b1,
                     .gjt = c->encoder == SAE_ACT_JUMPRELU ? grad + L.jt : NULL };
}

/* What [grad-h] adds to dJ/dH before f': the L1 weight l1 (times sign h)
 * and a per-unit row (NULL for none): the KL row, and with [l1a-dec] the
 * L1 weight per unit, l1a/m |W2_j| (sign h is 1 wherever f' is not 0, as
 * the encoder's h >= 0), in vec_k. */
static const T *hidden_rows(const SaeConfig *c, TNAME(SaeWork) *w, size_t m, T *l1)
{
    const double l1a = c->l1_activity / (double)m;
    *l1 = c->l1_dec_norm ? 0 : (T)l1a;
    if (!(c->l1_dec_norm && c->l1_activity != 0))
        return c->beta != 0 ? w->vec_k : NULL;
    for (size_t j = 0; j < c->n_hidden; j++)
        w->vec_k[j] = (T)((c->beta != 0 ? (double)w->vec_k[j] : 0) + l1a * w->dnorm[j]);
    return w->vec_k;
}

/* [jumprelu]'s straight-through estimate of dJ/dt_j, t_j = log of unit j's
 * threshold th_j, from dJ/dH (G_H with the L1 and KL rows: what autograd
 * passes back into h): with K the rectangle of width eps around th_j,
 *   dh_ij/dth_j := -(th_j/eps) K(z_ij - th_j),  d[z_ij > th_j]/dth_j := -(1/eps) K(z_ij - th_j)
 * (the second for the l0 penalty), times th_j for the log. G_H is gh
 * (dense; idx NULL) or, on the sparse path, gsel at the units each row
 * lists (idx, m x K), which include every unit in its window. */
static void jump_grad(const SaeConfig *c, TNAME(SaeWork) *w, T *gjt, T l1, const T *row, size_t m, const uint32_t *idx,
                      const T *gsel, size_t K)
{
    const size_t k = c->n_hidden, per_row = idx ? K : k;
    const double eps = c->bandwidth, l0 = c->l0_penalty / (double)m;
    for (size_t j = 0; j < k; j++) w->tmp[j] = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t q = 0; q < per_row; q++) {
            const size_t j = idx ? idx[i * K + q] : q;
            const double th = w->thr[j];
            if (!in_window(c, w->z1[i * k + j], th))
                continue;
            const T h = w->h[i * k + j];
            const double gh = idx ? (double)gsel[i * K + q] : (double)w->gh[i * k + j];
            const double dh = gh + (h > 0 ? l1 : 0) + (row ? row[j] : 0);
            w->tmp[j] -= (th * dh + l0) / eps;
        }
    for (size_t j = 0; j < k; j++) gjt[j] = (T)((double)w->thr[j] * w->tmp[j]);
}

/* [auxk]'s gradient, the residual e held fixed: D_aux_i = alpha (2/m)
 * (E^_i - e_i) / |e_i|^2 (into ehat, whose product with Z_aux the caller
 * adds to the atoms' gradient), back through Z_aux = relu(Z1) at the
 * listed dead units: D1's entries there into asel (m x akept), added to
 * gh (dense D1, unless NULL) and to the column sums (w->tmp). 0 when no
 * unit is dead (nothing to add). */
static int auxk_backward(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *Wd, const T *x,
                         size_t m, T *gh)
{
    const size_t n = c->n_in, k = c->n_hidden, ka = w->akept;
    if (!ka)
        return 0;
    const double s = 2 * c->aux_weight / (double)m;
    for (size_t i = 0; i < m; i++) {
        double ee = 0;
        for (size_t d = 0; d < n; d++) {
            const double e = (double)x[i * n + d] - (double)w->xh[i * n + d];
            ee += e * e;
        }
        for (size_t d = 0; d < n; d++) {
            const double e = (double)x[i * n + d] - (double)w->xh[i * n + d];
            w->ehat[i * n + d] = (T)(ee > 0 ? s * ((double)w->ehat[i * n + d] - e) / ee : 0);
        }
    }
    kt->sp_sddmm(m, n, ka, w->aidx, w->ehat, n, Wd, n, w->asel);
    for (size_t e = 0; e < m * ka; e++) {
        const size_t i = e / ka, j = w->aidx[e];
        const T d = w->aval[e] > 0 ? w->asel[e] : 0;
        w->asel[e] = d;
        if (gh)
            gh[i * k + j] += d;
        w->tmp[j] += (double)d;
    }
    return 1;
}

/* From D2 to the weight and encoder-bias gradients through every hidden
 * unit (§5): three GEMMs of m k n multiply-adds. */
static void backward_dense(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const Blocks *p,
                           const T *x, size_t m)
{
    const size_t n = c->n_in, k = c->n_hidden;
    const T *H = w->h, *D2 = w->d2;
    T *GH = w->gh, *gb1 = p->gb1;
    /* [grad-h]: G_H = D2 W2 + the L1 and KL rows. */
    kt->gemm_nt(m, k, n, 1, D2, n, p->Wd, n, 0, GH, k);
    /* ... the L1 and KL rows added, then [delta-hid]: D1 = G_H * f'(Z1), with
     * its column sums (gb1), in one pass; + (2 gamma/m) D D' r after it, and
     * the sums again (GH becomes D1). */
    T l1;
    const T *row = hidden_rows(c, w, m, &l1);
    if (c->encoder == SAE_ACT_JUMPRELU) /* [jumprelu]: the thresholds' gradient, before f' masks G_H */
        jump_grad(c, w, p->gjt, l1, row, m, NULL, NULL, 0);
    /* f' written through h: jumprelu's h > 0 exactly where z passes its (positive) threshold, as relu's */
    const int act = c->encoder == SAE_ACT_JUMPRELU ? SAE_K_RELU : (int)c->encoder;
    kt->hid_delta(m, k, H, l1, row, act, GH, w->tmp);
    if (c->gamma != 0 && (c->encoder == SAE_ACT_SIGMOID || c->encoder == SAE_ACT_TANH)) { /* relu, jumprelu: f'' = 0 */
        const double cae_scale = 2 * c->gamma / (double)m;
        for (size_t j = 0; j < k; j++) w->vec_k[j] = (T)(cae_scale * w->rnorm[j]);
        if (c->encoder == SAE_ACT_SIGMOID)
            kt->cae_delta_sigmoid(m, k, H, w->vec_k, GH);
        else
            kt->cae_delta_tanh(m, k, H, w->vec_k, GH);
        kt->colsum(m, k, GH, w->tmp);
    }
    const int aux = c->aux_k && auxk_backward(c, kt, w, p->Wd, x, m, GH);
    to_T(k, w->tmp, gb1);

    /* [grad-enc]; [grad-dec] on W2^T, H^T D2 (and [auxk]'s Z_aux^T D_aux), which
     * [grad-tied] adds to the encoder's. */
    kt->gemm_tn(k, n, m, 1, GH, k, enc_input(c, w, x), n, 0, p->gW1, n);
    kt->gemm_tn(k, n, m, 1, H, k, D2, n, c->tied ? 1 : 0, p->gWd, n);
    if (aux)
        kt->sp_scatter(m, n, w->akept, w->aidx, w->aval, w->ehat, n, p->gWd, n);
}

/* The same through the K kept units of each row only (§6 [sparse]): the
 * rest have f' = 0 (relu's zeros and TopK's dropped units alike), so their
 * deltas vanish and so do their terms in every product. O(m K n) work
 * besides clearing gW1 and gW2^T. */
static void backward_sparse(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const Blocks *p,
                            const T *x, size_t m)
{
    const size_t n = c->n_in, k = c->n_hidden, K = w->kept;
    const uint32_t *idx = w->idx;
    const T *val = w->val, *D2 = w->d2;
    T *dsel = w->dsel;

    /* [grad-h] at the kept units: G_H's entries (i, idx[i,q]) = D2_i . atom idx[i,q]. */
    kt->sp_sddmm(m, n, K, idx, D2, n, p->Wd, n, dsel);
    /* [delta-hid] at the kept units: the L1 and KL rows, times relu's f'
     * (read through h; jumprelu's too), and the column sums into gb1. */
    T l1;
    const T *row = hidden_rows(c, w, m, &l1);
    if (c->encoder == SAE_ACT_JUMPRELU) /* [jumprelu]: the thresholds' gradient, before f' masks G_H */
        jump_grad(c, w, p->gjt, l1, row, m, idx, dsel, K);
    for (size_t j = 0; j < k; j++) w->tmp[j] = 0;
    for (size_t e = 0; e < m * K; e++) {
        const size_t j = idx[e];
        T d = dsel[e] + (val[e] > 0 ? l1 : 0) + (row ? row[j] : 0);
        d = val[e] > 0 ? d : 0;
        dsel[e] = d;
        w->tmp[j] += d;
    }
    const int aux = c->aux_k && auxk_backward(c, kt, w, p->Wd, x, m, NULL); /* its own list of units */
    to_T(k, w->tmp, p->gb1);

    /* [grad-enc]: D1^T X; [grad-dec] on W2^T, H^T D2 ([grad-tied]: added to it); [auxk]'s share of each. */
    const T *xe = enc_input(c, w, x);
    memset(p->gW1, 0, k * n * sizeof(T));
    kt->sp_scatter(m, n, K, idx, dsel, xe, n, p->gW1, n);
    if (aux)
        kt->sp_scatter(m, n, w->akept, w->aidx, w->asel, xe, n, p->gW1, n);
    if (!c->tied)
        memset(p->gWd, 0, k * n * sizeof(T));
    kt->sp_scatter(m, n, K, idx, val, D2, n, p->gWd, n);
    if (aux)
        kt->sp_scatter(m, n, w->akept, w->aidx, w->aval, w->ehat, n, p->gWd, n);
}

/* The backward pass (§4): dJ/dtheta into grad, from what forward left in w. */
static void backward(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta, const T *x,
                     size_t m, T *grad)
{
    const size_t n = c->n_in, k = c->n_hidden;
    SaeLayout L;
    sae_layout(c, &L);
    const Blocks p = blocks(c, theta, grad);

    /* [delta-out]: D2 = s (X^ - X)/m (s: the reduction's scale of R), times g'(Z2) for MSE with a sigmoid
     * decoder, and its column sums (gb2), in one pass. */
    const int sig = c->loss != SAE_LOSS_BCE && c->decoder == SAE_ACT_SIGMOID;
    if (c->loss == SAE_LOSS_NMSE) { /* [recon-nmse]: row i's scale is (2/m) / |x_i|^2, then the column sums */
        for (size_t i = 0; i < m; i++) {
            const double xx = kt->dot(n, x + i * n, x + i * n);
            const T s = (T)(xx > 0 ? 2 / ((double)m * xx) : 0);
            kt->out_delta(1, n, s, w->xh + i * n, x + i * n, sig, w->d2 + i * n, w->tmp);
        }
        kt->colsum(m, n, w->d2, w->tmp);
    } else {
        const T d2_scale = (T)(sae_recon_scale(c) / (double)m);
        kt->out_delta(m, n, d2_scale, w->xh, x, sig, w->d2, w->tmp);
    }
    to_T(n, w->tmp, grad + L.b2);

    if (w->kept)
        backward_sparse(c, kt, w, &p, x, m);
    else
        backward_dense(c, kt, w, &p, x, m);

    /* [pre-bias]: Z1 = (X - 1 b2^T) W1^T + ..., so with gb1 = sum_i dJ/dZ1_i,
     * dJ/db2 gains -W1^T gb1 (dJ/dW1 came from X - 1 b2^T already). */
    if (c->pre_bias)
        for (size_t j = 0; j < k; j++)
            if (p.gb1[j] != 0) /* a unit no row used (TopK drops most) would add 0 */
                kt->axpy(n, -p.gb1[j], p.W1 + j * n, grad + L.b2);

    /* [l1a-dec] through the norms: atom j gains (l1a/m) (sum_i h_ij) W2_j / |W2_j| (h >= 0). */
    if (c->l1_dec_norm && c->l1_activity != 0)
        for (size_t j = 0; j < k; j++) {
            const double s = w->dnorm[j] > 0 ? c->l1_activity / (double)m * w->hsum[j] / w->dnorm[j] : 0;
            kt->axpy(n, (T)s, p.Wd + j * n, p.gWd + j * n);
        }

    /* Penalty gradients: lambda W (mean: 2 lambda W) + l1w sign(W) + (2 gamma/m) diag(sum_i D^2) W1. */
    const T *rowscale = NULL;
    if (c->gamma != 0) {
        const double cae_scale = 2 * c->gamma / (double)m;
        for (size_t j = 0; j < k; j++) w->vec_k[j] = (T)(cae_scale * w->dsq[j]);
        rowscale = w->vec_k;
    }
    const int wpen = (c->lambda != 0 || c->l1_weight != 0) && !w->wpen_in_step;
    const T lambda = wpen ? (T)sae_l2_grad_scale(c) : 0, l1 = wpen ? (T)c->l1_weight : 0;
    if (wpen || rowscale)
        kt->wpen_grad(k, n, p.W1, lambda, l1, rowscale, p.gW1);
    if (wpen && !c->tied)
        kt->wpen_grad(k, n, p.Wd, lambda, l1, NULL, p.gWd);
}

double FN(sae_objective)(const SaeConfig *c, const TNAME(SaeKernels) *kt, TNAME(SaeWork) *w, const T *theta, const T *x,
                         size_t m, T *grad, SaeTerms *terms)
{
    const SaeTerms t = forward(c, kt, w, theta, x, m, grad != NULL);
    if (terms)
        *terms = t;
    if (grad)
        backward(c, kt, w, theta, x, m, grad);
    return t.loss;
}
