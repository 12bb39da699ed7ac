/*
 * The scalar reference kernels: the semantics every other variant is held
 * to. Plain, obviously correct C, loops in cache-friendly order (i-k-j for
 * GEMM: the inner loop walks rows of B and C). This file is compiled once
 * per element type by scalar_f32.c and scalar_f64.c, which define
 *   T      the element type,
 *   SFX    the type suffix (f32, f64),
 *   EXP, LOG1P, TANH  the libm functions of that type.
 * It is built with -fno-tree-vectorize, so "scalar" means scalar.
 */
#include <math.h>

#include "kernels/scalar.h"

#define PASTE3(a, b, c) a##b##c
#define NAME3(a, b, c) PASTE3(a, b, c)
#define NAME(x) NAME3(sae_, x, NAME3(_scalar_, SFX, ))

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

decl_gemm_fn(T, NAME(gemm_nn))
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
decl_gemm_fn(T, NAME(gemm_nt))
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
decl_gemm_fn(T, NAME(gemm_tn))
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

decl_exp_fn(T, NAME(exp))
{
    for (size_t i = 0; i < cnt; i++) y[i] = EXP(x[i]);
}

decl_gemm_bias_act_fn(T, NAME(gemm_bias_act))
{
    T *pre = z ? z : h;
    if (trans_b)
        NAME(gemm_nt)(m, n, k, 1, a, lda, b, ldb, 0, pre, n);
    else
        NAME(gemm_nn)(m, n, k, 1, a, lda, b, ldb, 0, pre, n);
    switch (act) {
    case SAE_K_SIGMOID: NAME(bias_sigmoid)(m, n, bias, pre, h); break;
    case SAE_K_TANH: NAME(bias_tanh)(m, n, bias, pre, h); break;
    case SAE_K_RELU: NAME(bias_relu)(m, n, bias, pre, h); break;
    default: NAME(bias_linear)(m, n, bias, pre, h); break;
    }
}

/* Overflow-free logistic (DOMAIN.md section 5). */
static inline T sigmoid(T z)
{
    if (z >= 0) return 1 / (1 + EXP(-z));
    const T e = EXP(z);
    return e / (1 + e);
}
static inline T relu(T z) { return z > 0 ? z : 0; }
static inline T linear(T z) { return z; }

#define BIAS_ACT(act, f) \
    decl_bias_act_fn(T, NAME(bias_##act)) \
    { \
        for (size_t i = 0; i < m; i++) \
            for (size_t j = 0; j < n; j++) { \
                const T v = z[i * n + j] + bias[j]; \
                z[i * n + j] = v; \
                h[i * n + j] = f(v); \
            } \
    }
BIAS_ACT(sigmoid, sigmoid)
BIAS_ACT(tanh, TANH)
BIAS_ACT(relu, relu)
BIAS_ACT(linear, linear)

/* f' and f'' written through h = f(z) (DOMAIN.md section 4). */
static inline T d_sigmoid(T h) { return h * (1 - h); }
static inline T d_tanh(T h) { return 1 - h * h; }
static inline T d_relu(T h) { return h > 0 ? 1 : 0; }
static inline T dd_sigmoid(T h) { return h * (1 - h) * (1 - 2 * h); }
static inline T dd_tanh(T h) { return -2 * h * (1 - h * h); }

#define DACT(act) \
    decl_dact_fn(T, NAME(d##act)) \
    { \
        for (size_t i = 0; i < cnt; i++) g[i] *= d_##act(h[i]); \
    }
DACT(sigmoid)
DACT(tanh)
DACT(relu)

#define CAE_DSQ(act) \
    decl_cae_dsq_fn(T, NAME(cae_dsq_##act)) \
    { \
        for (size_t j = 0; j < k; j++) out[j] = 0; \
        for (size_t i = 0; i < m; i++) \
            for (size_t j = 0; j < k; j++) { \
                const double d = d_##act(h[i * k + j]); \
                out[j] += d * d; \
            } \
    }
CAE_DSQ(sigmoid)
CAE_DSQ(tanh)
CAE_DSQ(relu)

#define CAE_DELTA(act) \
    decl_cae_delta_fn(T, NAME(cae_delta_##act)) \
    { \
        for (size_t i = 0; i < m; i++) \
            for (size_t j = 0; j < k; j++) { \
                const T hv = h[i * k + j]; \
                d[i * k + j] += c[j] * d_##act(hv) * dd_##act(hv); \
            } \
    }
CAE_DELTA(sigmoid)
CAE_DELTA(tanh)

decl_colsum_fn(T, NAME(colsum))
{
    for (size_t j = 0; j < n; j++) out[j] = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) out[j] += a[i * n + j];
}

decl_row_sqnorm_fn(T, NAME(row_sqnorm))
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

decl_sqdiff_sum_fn(T, NAME(sqdiff_sum))
{
    double s = 0;
    for (size_t i = 0; i < cnt; i++) {
        const double d = (double)a[i] - (double)b[i];
        s += d * d;
    }
    return s;
}

/* softplus(z) - x z with softplus(z) = max(z,0) + log1p(exp(-|z|)). */
decl_bce_sum_fn(T, NAME(bce_sum))
{
    double s = 0;
    for (size_t i = 0; i < cnt; i++) {
        const T zi = z[i];
        const T sp = relu(zi) + LOG1P(EXP(-FABS(zi)));
        s += (double)sp - (double)x[i] * (double)zi;
    }
    return s;
}

decl_abs_sum_fn(T, NAME(abs_sum))
{
    double s = 0;
    for (size_t i = 0; i < cnt; i++) s += FABS(x[i]);
    return s;
}

decl_sub_scale_fn(T, NAME(sub_scale))
{
    for (size_t i = 0; i < cnt; i++) out[i] = s * (a[i] - b[i]);
}

static inline T sign(T v) { return (T)((v > 0) - (v < 0)); }

decl_sign_axpy_fn(T, NAME(sign_axpy))
{
    for (size_t i = 0; i < cnt; i++) g[i] += s * sign(h[i]);
}

decl_wpen_grad_fn(T, NAME(wpen_grad))
{
    for (size_t r = 0; r < rows; r++) {
        const T scale = lambda + (rowscale ? rowscale[r] : 0);
        for (size_t c = 0; c < cols; c++) {
            const T v = w[r * cols + c];
            g[r * cols + c] += scale * v + l1 * sign(v);
        }
    }
}

decl_sgd_step_fn(T, NAME(sgd_step))
{
    for (size_t i = 0; i < cnt; i++) {
        v[i] = mu * v[i] + g[i];
        theta[i] -= lr * v[i];
    }
}

decl_adam_step_fn(T, NAME(adam_step))
{
    for (size_t i = 0; i < cnt; i++) {
        m[i] = b1 * m[i] + (1 - b1) * g[i];
        v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
        theta[i] -= lr * (m[i] / bc1) / (SQRT(v[i] / bc2) + eps);
    }
}
