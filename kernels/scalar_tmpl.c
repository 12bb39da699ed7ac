/*
 * The scalar reference kernels: the semantics every other variant is held
 * to. Plain, obviously correct C, loops in cache-friendly order (i-k-j for
 * GEMM: the inner loop walks rows of B and C). A template (kernels/
 * template.h) compiled once per element type by scalar_f32.c and
 * scalar_f64.c, with -fno-tree-vectorize, so "scalar" means scalar.
 */
#include <math.h>

#include "kernels/scalar.h"
#include "kernels/topk_tmpl.h"

static void scale_c(size_t m, size_t n, T beta, T *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++) {
        T *ci = c + i * ldc;
        if (beta == 0)
            for (size_t j = 0; j < n; j++) ci[j] = 0; /* never reads C */
        else if (beta != 1)
            for (size_t j = 0; j < n; j++) ci[j] *= beta;
    }
}

decl_gemm_fn(T, KN(gemm_nn))
{
    scale_c(m, n, beta, c, ldc);
    for (size_t i = 0; i < m; i++)
        for (size_t p = 0; p < k; p++) {
            const T aip = alpha * a[i * lda + p];
            const T *bp = b + p * ldb;
            T *ci = c + i * ldc;
            for (size_t j = 0; j < n; j++) ci[j] += aip * bp[j];
        }
}

/* B is n x k: each C entry is a dot product of two contiguous rows. */
decl_gemm_fn(T, KN(gemm_nt))
{
    for (size_t i = 0; i < m; i++) {
        const T *ai = a + i * lda;
        T *ci = c + i * ldc;
        for (size_t j = 0; j < n; j++) {
            const T *bj = b + j * ldb;
            T s = 0;
            for (size_t p = 0; p < k; p++) s += ai[p] * bj[p];
            ci[j] = beta == 0 ? alpha * s : alpha * s + beta * ci[j];
        }
    }
}

/* A is k x m: walk p outermost so A's row p and B's row p stream. */
decl_gemm_fn(T, KN(gemm_tn))
{
    scale_c(m, n, beta, c, ldc);
    for (size_t p = 0; p < k; p++) {
        const T *ap = a + p * lda;
        const T *bp = b + p * ldb;
        for (size_t i = 0; i < m; i++) {
            const T api = alpha * ap[i];
            T *ci = c + i * ldc;
            for (size_t j = 0; j < n; j++) ci[j] += api * bp[j];
        }
    }
}

decl_exp_fn(T, KN(exp))
{
    for (size_t i = 0; i < cnt; i++) y[i] = EXP(x[i]);
}

/* Overflow-free logistic (core/MODEL.md §6 [sigmoid]). */
static inline T sigmoid(T z)
{
    if (z >= 0)
        return 1 / (1 + EXP(-z));
    const T e = EXP(z);
    return e / (1 + e);
}
static inline T relu(T z) { return z > 0 ? z : 0; }

/* f(z) for an SAE_K_* activation. */
static inline T activate(T z, int act)
{
    switch (act) {
    case SAE_K_SIGMOID: return sigmoid(z);
    case SAE_K_TANH: return TANH(z);
    case SAE_K_RELU: return relu(z);
    default: return z;
    }
}

static inline void bias_act(size_t m, size_t n, const T *bias, T *z, T *h, int act)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            const T v = z[i * n + j] + bias[j];
            z[i * n + j] = v;
            h[i * n + j] = activate(v, act);
        }
}

decl_bias_act_fn(T, KN(bias_sigmoid)) { bias_act(m, n, bias, z, h, SAE_K_SIGMOID); }
decl_bias_act_fn(T, KN(bias_tanh)) { bias_act(m, n, bias, z, h, SAE_K_TANH); }
decl_bias_act_fn(T, KN(bias_relu)) { bias_act(m, n, bias, z, h, SAE_K_RELU); }
decl_bias_act_fn(T, KN(bias_linear)) { bias_act(m, n, bias, z, h, SAE_K_LINEAR); }

decl_gemm_bias_act_fn(T, KN(gemm_bias_act))
{
    T *pre = z ? z : h;
    if (trans_b)
        KN(gemm_nt)(m, n, k, 1, a, lda, b, ldb, 0, pre, n);
    else
        KN(gemm_nn)(m, n, k, 1, a, lda, b, ldb, 0, pre, n);
    bias_act(m, n, bias, pre, h, act);
}

static inline T sign(T v) { return (T)((v > 0) - (v < 0)); }

/* f'(z) and f''(z) written through h = f(z) (core/MODEL.md §4). */
static inline T deriv(T h, int act)
{
    switch (act) {
    case SAE_K_SIGMOID: return h * (1 - h);
    case SAE_K_TANH: return 1 - h * h;
    default: return h > 0 ? 1 : 0; /* relu */
    }
}

static inline T deriv2(T h, int act)
{
    return act == SAE_K_SIGMOID ? h * (1 - h) * (1 - 2 * h) : -2 * h * (1 - h * h); /* sigmoid, tanh */
}

static inline void dact(size_t cnt, const T *h, T *g, int act)
{
    for (size_t i = 0; i < cnt; i++) g[i] *= deriv(h[i], act);
}

decl_dact_fn(T, KN(dsigmoid)) { dact(cnt, h, g, SAE_K_SIGMOID); }
decl_dact_fn(T, KN(dtanh)) { dact(cnt, h, g, SAE_K_TANH); }
decl_dact_fn(T, KN(drelu)) { dact(cnt, h, g, SAE_K_RELU); }

static inline void cae_dsq(size_t m, size_t k, const T *h, double *out, int act)
{
    for (size_t j = 0; j < k; j++) out[j] = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++) {
            const double d = deriv(h[i * k + j], act);
            out[j] += d * d;
        }
}

decl_cae_dsq_fn(T, KN(cae_dsq_sigmoid)) { cae_dsq(m, k, h, out, SAE_K_SIGMOID); }
decl_cae_dsq_fn(T, KN(cae_dsq_tanh)) { cae_dsq(m, k, h, out, SAE_K_TANH); }
decl_cae_dsq_fn(T, KN(cae_dsq_relu)) { cae_dsq(m, k, h, out, SAE_K_RELU); }

static inline void cae_delta(size_t m, size_t k, const T *h, const T *c, T *d, int act)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++) {
            const T hv = h[i * k + j];
            d[i * k + j] += c[j] * deriv(hv, act) * deriv2(hv, act);
        }
}

decl_cae_delta_fn(T, KN(cae_delta_sigmoid)) { cae_delta(m, k, h, c, d, SAE_K_SIGMOID); }
decl_cae_delta_fn(T, KN(cae_delta_tanh)) { cae_delta(m, k, h, c, d, SAE_K_TANH); }

decl_out_delta_fn(T, KN(out_delta))
{
    for (size_t j = 0; j < n; j++) colsum[j] = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            const T h = xh[i * n + j];
            T v = s * (h - x[i * n + j]);
            if (sig)
                v *= deriv(h, SAE_K_SIGMOID);
            d[i * n + j] = v;
            colsum[j] += v;
        }
}

decl_hid_delta_fn(T, KN(hid_delta))
{
    for (size_t j = 0; j < k; j++) colsum[j] = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < k; j++) {
            const T hv = h[i * k + j];
            T v = g[i * k + j];
            if (l1 != 0)
                v += l1 * sign(hv);
            if (row)
                v = v + row[j];
            v *= deriv(hv, act);
            g[i * k + j] = v;
            colsum[j] += v;
        }
}

decl_colsum_fn(T, KN(colsum))
{
    for (size_t j = 0; j < n; j++) out[j] = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) out[j] += a[i * n + j];
}

decl_row_sqnorm_fn(T, KN(row_sqnorm))
{
    for (size_t r = 0; r < rows; r++) {
        double s = 0;
        for (size_t c = 0; c < cols; c++) {
            const double v = w[r * cols + c];
            s += v * v;
        }
        out[r] = s;
    }
}

decl_sqdiff_sum_fn(T, KN(sqdiff_sum))
{
    double s = 0;
    for (size_t i = 0; i < cnt; i++) {
        const double d = (double)a[i] - (double)b[i];
        s += d * d;
    }
    return s;
}

/* softplus(z) - x z with softplus(z) = max(z,0) + log1p(exp(-|z|)). */
decl_bce_sum_fn(T, KN(bce_sum))
{
    double s = 0;
    for (size_t i = 0; i < cnt; i++) {
        const T zi = z[i];
        const T sp = relu(zi) + LOG1P(EXP(-FABS(zi)));
        s += (double)sp - (double)x[i] * (double)zi;
    }
    return s;
}

decl_abs_sum_fn(T, KN(abs_sum))
{
    double s = 0;
    for (size_t i = 0; i < cnt; i++) s += FABS(x[i]);
    return s;
}

decl_sub_scale_fn(T, KN(sub_scale))
{
    for (size_t i = 0; i < cnt; i++) out[i] = s * (a[i] - b[i]);
}

decl_dot_fn(T, KN(dot))
{
    double s = 0;
    for (size_t i = 0; i < cnt; i++) s += (double)a[i] * (double)b[i];
    return s;
}

decl_axpy_fn(T, KN(axpy))
{
    for (size_t i = 0; i < cnt; i++) y[i] += s * x[i];
}

decl_sign_axpy_fn(T, KN(sign_axpy))
{
    for (size_t i = 0; i < cnt; i++) g[i] += s * sign(h[i]);
}

decl_wpen_grad_fn(T, KN(wpen_grad))
{
    for (size_t r = 0; r < rows; r++) {
        const T scale = lambda + (rowscale ? rowscale[r] : 0);
        for (size_t c = 0; c < cols; c++) {
            const T v = w[r * cols + c];
            g[r * cols + c] += scale * v + l1 * sign(v);
        }
    }
}

/* The step's gradient entry: g with the penalties as wpen_grad adds them */
static inline T step_grad(T g, T theta, T lambda, T l1, int pen)
{
    return pen ? g + (lambda * theta + l1 * sign(theta)) : g;
}

static inline void sgd_steps(size_t cnt, T lr, T mu, T lambda, T l1, int pen, const T *g, T *v, T *theta)
{
    for (size_t i = 0; i < cnt; i++) {
        v[i] = mu * v[i] + step_grad(g[i], theta[i], lambda, l1, pen);
        theta[i] -= lr * v[i];
    }
}

decl_sgd_step_fn(T, KN(sgd_step))
{
    if (lambda != 0 || l1 != 0)
        sgd_steps(cnt, lr, mu, lambda, l1, 1, g, v, theta);
    else
        sgd_steps(cnt, lr, mu, 0, 0, 0, g, v, theta);
}

static inline void adam_steps(size_t cnt, T lr, T b1, T b2, T eps, T bc1, T bc2, T lambda, T l1, int pen, const T *g,
                              T *m, T *v, T *theta)
{
    for (size_t i = 0; i < cnt; i++) {
        const T gi = step_grad(g[i], theta[i], lambda, l1, pen);
        m[i] = b1 * m[i] + (1 - b1) * gi;
        v[i] = b2 * v[i] + (1 - b2) * gi * gi;
        theta[i] -= lr * (m[i] / bc1) / (SQRT(v[i] / bc2) + eps);
    }
}

decl_adam_step_fn(T, KN(adam_step))
{
    if (lambda != 0 || l1 != 0)
        adam_steps(cnt, lr, b1, b2, eps, bc1, bc2, lambda, l1, 1, g, m, v, theta);
    else
        adam_steps(cnt, lr, b1, b2, eps, bc1, bc2, 0, 0, 0, g, m, v, theta);
}

/* The heap over the whole row, then one pass keeping and zeroing; val's
 * row is the heap's storage until the pass fills it. */
decl_topk_fn(T, KN(topk))
{
    for (size_t i = 0; i < m; i++) {
        T *hi = h + i * k, *vi = val + i * K;
        uint32_t *ii = idx + i * K;
        size_t len = 0, cnt = 0;
        for (size_t j = 0; j < k; j++) topk_offer(vi, &len, K, hi[j]);
        const T thr = vi[0];
        size_t ties = topk_ties(hi, k, K, thr);
        for (size_t j = 0; j < k; j++)
            if (!topk_keep(hi[j], thr, &ties, (uint32_t)j, K, &cnt, ii, vi))
                hi[j] = 0;
        if (cnt < K)
            topk_pad(k, K, cnt, ii, vi);
    }
}

decl_sp_gemm_fn(T, KN(sp_gemm))
{
    for (size_t i = 0; i < m; i++)
        for (size_t r = 0; r < n; r++) {
            T s = 0;
            for (size_t q = 0; q < K; q++) s += val[i * K + q] * b[idx[i * K + q] * ldb + r];
            c[i * ldc + r] = s;
        }
}

decl_sp_sddmm_fn(T, KN(sp_sddmm))
{
    for (size_t i = 0; i < m; i++)
        for (size_t q = 0; q < K; q++) {
            T s = 0;
            for (size_t r = 0; r < n; r++) s += a[i * lda + r] * b[idx[i * K + q] * ldb + r];
            out[i * K + q] = s;
        }
}

decl_sp_scatter_fn(T, KN(sp_scatter))
{
    for (size_t i = 0; i < m; i++)
        for (size_t q = 0; q < K; q++)
            for (size_t r = 0; r < n; r++) c[idx[i * K + q] * ldc + r] += val[i * K + q] * a[i * lda + r];
}
