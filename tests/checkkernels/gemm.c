/* checkkernels, the gemm family (kernels.h SAE_GEMM_SLOTS): gemm_nn,
 * gemm_nt, gemm_tn and the fused layer gemm_bias_act, in float and in
 * double, on every shape around the register tiles and past the cache
 * blocks, with padded leading dimensions. */
#include <float.h>
#include <math.h>
#include <stdio.h>

#include "tests/checkkernels/checkkernels.h"

typedef decl_gemm_fn(float, *gemm_fn);

/* One GEMM case: op(A) m x k, op(B) k x n, padded leading dimensions. The
 * tolerance grows with k and the magnitude of the products. */
static void gemm_case(gemm_fn ref, gemm_fn fn, int ta, int tb, size_t m, size_t n, size_t k, float alpha, float beta)
{
    const size_t lda = (ta ? m : k) + sae_rng_below(&ck_rng, 4), ldb = (tb ? k : n) + sae_rng_below(&ck_rng, 4);
    const size_t ldc = n + sae_rng_below(&ck_rng, 4);
    const size_t arows = ta ? k : m, brows = tb ? n : k;
    const size_t na = span(arows, ta ? m : k, lda), nb = span(brows, tb ? k : n, ldb), csize = span(m, n, ldc);
    InBuf a = in_alloc(na), b = in_alloc(nb);
    fill_uniform(a.p, na, -1, 1);
    fill_uniform(b.p, nb, -1, 1);
    float *c_ref = out_alloc(csize), *c = out_alloc(csize);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            /* beta == 0: C must not be read, so it starts as NaN */
            const float v = beta == 0 ? NAN : (float)(2 * sae_rng_uniform(&ck_rng) - 1);
            c_ref[i * ldc + j] = c[i * ldc + j] = v;
        }
    ref(m, n, k, alpha, a.p, lda, b.p, ldb, beta, c_ref, ldc);
    GUARDED(fn(m, n, k, alpha, a.p, lda, b.p, ldb, beta, c, ldc));
    const double tol = 2.0 * (double)(k + 2) * FLT_EPSILON;
    for (size_t i = 0; i < m && !failed(); i++)
        for (size_t j = 0; j < n; j++) {
            double mag = fabs(beta) * (beta == 0 ? 0 : fabs(c_ref[i * ldc + j]));
            for (size_t p = 0; p < k; p++)
                mag += fabs(alpha) *
                       fabs((ta ? a.p[p * lda + i] : a.p[i * lda + p]) * (tb ? b.p[j * ldb + p] : b.p[p * ldb + j]));
            if (!close_f(c[i * ldc + j], c_ref[i * ldc + j], tol * mag + 1e-30, 0)) {
                fail("%zux%zux%zu lda %zu ldb %zu ldc %zu alpha %g beta %g: C[%zu,%zu] = %.9g, reference %.9g", m, n, k,
                     lda, ldb, ldc, alpha, beta, i, j, c[i * ldc + j], c_ref[i * ldc + j]);
                break;
            }
            /* the gap between rows (ldc > n) belongs to nobody */
            for (size_t g = n; i + 1 < m && g < ldc; g++)
                if (!is_canary(c[i * ldc + g])) {
                    fail("%zux%zux%zu: wrote C[%zu,%zu] beyond the %zu columns", m, n, k, i, g, n);
                    break;
                }
        }
    out_check_guards(c, csize, "C");
    out_free(c_ref);
    out_free(c);
    in_free(a);
    in_free(b);
}

static void check_gemm_op(gemm_fn ref, gemm_fn fn, int ta, int tb)
{
    static const float alphas[] = { 1, 0, -0.75f }, betas[] = { 0, 1, 0.5f };
    static const size_t ks[] = { 1, 2, 7, 16, 67, 257, 300 };
    for (size_t im = 0; im < ck_n_dims && !failed(); im++)
        for (size_t in = 0; in < ck_n_dims && !failed(); in++) {
            const size_t k = ks[sae_rng_below(&ck_rng, 7)];
            const float alpha = alphas[sae_rng_below(&ck_rng, 3)], beta = betas[sae_rng_below(&ck_rng, 3)];
            gemm_case(ref, fn, ta, tb, ck_dims[im], ck_dims[in], k, alpha, beta);
        }
    /* every alpha/beta pair, K = 1, and shapes past the cache blocks (MC,
     * KC, NC) and the threading split */
    for (int ia = 0; ia < 3; ia++)
        for (int ib = 0; ib < 3; ib++) gemm_case(ref, fn, ta, tb, 19, 35, 1, alphas[ia], betas[ib]);
    gemm_case(ref, fn, ta, tb, 203, 301, 523, 1, 0.5f);
    gemm_case(ref, fn, ta, tb, 400, 67, 100, 1, 0);
    gemm_case(ref, fn, ta, tb, 5, 4200, 9, -1, 1);
    gemm_case(ref, fn, ta, tb, 7, 4200, 31, 1, 0.5f); /* split by columns */
    gemm_case(ref, fn, ta, tb, 1000, 41, 30, 1, 0);
}

typedef decl_gemm_bias_act_fn(float, *gemm_bias_act_fn);

/* The fused layer against GEMM + bias + activation of the reference, with
 * and without z, both layouts of B, every activation; k = 0 (every row is
 * f(bias), no slice to carry the epilogue) in the first eight cases. */
static void check_gemm_bias_act_fn(gemm_bias_act_fn ref, gemm_bias_act_fn fn)
{
    static const size_t ks[] = { 1, 3, 16, 67, 400, 801 };
    for (size_t t = 0; t < ck_n_dims * 4 && !failed(); t++) {
        const size_t m = t == 0 ? 700 : ck_dims[sae_rng_below(&ck_rng, ck_n_dims)];
        const size_t n = t == 0 ? 131 : ck_dims[sae_rng_below(&ck_rng, ck_n_dims)] + (t % 5 == 0 ? 64 : 0);
        const size_t k = t < 8 ? 0 : ks[sae_rng_below(&ck_rng, 6)];
        const int tb = (int)(t % 2), act = (int)(t / 2 % 4), with_z = (int)(t / 8 % 2);
        const size_t lda = k + sae_rng_below(&ck_rng, 3), ldb = (tb ? k : n) + sae_rng_below(&ck_rng, 3);
        const size_t na = span(m, k, lda), nb = span(tb ? n : k, tb ? k : n, ldb);
        InBuf a = in_alloc(na), b = in_alloc(nb);
        InBuf bias = in_alloc(n);
        fill_uniform(a.p, na, -1, 1);
        fill_uniform(b.p, nb, -1, 1);
        fill_uniform(bias.p, n, -2, 2);
        float *z_ref = out_alloc(m * n), *h_ref = out_alloc(m * n), *z = out_alloc(m * n), *h = out_alloc(m * n);
        ref(m, n, k, a.p, lda, b.p, ldb, tb, bias.p, act, z_ref, h_ref);
        GUARDED(fn(m, n, k, a.p, lda, b.p, ldb, tb, bias.p, act, with_z ? z : NULL, h));
        char what[96];
        snprintf(what, sizeof what, "%zux%zux%zu %s act %d %s", m, n, k, tb ? "nt" : "nn", act, with_z ? "z" : "no z");
        /* the pre-activation as a GEMM (k-scaled), then the activation's own error */
        const double tol = 2.0 * (double)(k + 2) * FLT_EPSILON * sqrt((double)k) + 1e-6;
        if (with_z) {
            expect_arrays(what, z, z_ref, m * n, tol, tol);
            out_check_guards(z, m * n, "z");
        }
        expect_arrays(what, h, h_ref, m * n, tol, tol);
        out_check_guards(h, m * n, "h");
        out_free(z_ref);
        out_free(h_ref);
        out_free(z);
        out_free(h);
        in_free(a);
        in_free(b);
        in_free(bias);
    }
}

typedef decl_gemm_fn(double, *gemm64_fn);

/* Entry (i, j) of op(X) for a row-major X with leading dimension ld. */
static double op_at(const double *x, size_t ld, int trans, size_t i, size_t j)
{
    return trans ? x[j * ld + i] : x[i * ld + j];
}

/* One double GEMM case against the reference: padded leading dimensions,
 * inputs at a PROT_NONE page, C between guard zones and NaN where beta = 0
 * must not read it; the tolerance scales with the sum of |products|. */
static void gemm64_case(gemm64_fn ref, gemm64_fn fn, int ta, int tb, size_t m, size_t n, size_t k, double alpha,
                        double beta)
{
    const size_t lda = (ta ? m : k) + sae_rng_below(&ck_rng, 3), ldb = (tb ? k : n) + sae_rng_below(&ck_rng, 3);
    const size_t ldc = n + sae_rng_below(&ck_rng, 3), csize = span(m, n, ldc);
    InBuf ba, bb;
    const double *a = in64(&ba, span(ta ? k : m, ta ? m : k, lda), -1, 1);
    const double *b = in64(&bb, span(tb ? n : k, tb ? k : n, ldb), -1, 1);
    float *cr = out_alloc(2 * csize), *cn = out_alloc(2 * csize);
    double *c_ref = (double *)cr, *c = (double *)cn; /* malloc + 8192 floats: 8-byte aligned */
    for (size_t i = 0; i < csize; i++) c_ref[i] = c[i] = beta == 0 ? NAN : 2 * sae_rng_uniform(&ck_rng) - 1;
    ref(m, n, k, alpha, a, lda, b, ldb, beta, c_ref, ldc);
    GUARDED(fn(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc));
    for (size_t i = 0; i < m && !failed(); i++)
        for (size_t j = 0; j < n && !failed(); j++) {
            double mag = beta == 0 ? 0 : fabs(beta * c_ref[i * ldc + j]);
            for (size_t p = 0; p < k; p++) mag += fabs(alpha * op_at(a, lda, ta, i, p) * op_at(b, ldb, tb, p, j));
            if (!close_f(c[i * ldc + j], c_ref[i * ldc + j], 2.0 * (double)(k + 2) * DBL_EPSILON * mag + 1e-300, 0))
                fail("%zux%zux%zu ta %d tb %d alpha %g beta %g: C[%zu,%zu] = %.17g, reference %.17g", m, n, k, ta, tb,
                     alpha, beta, i, j, c[i * ldc + j], c_ref[i * ldc + j]);
        }
    out_check_guards(cn, 2 * csize, "C");
    out_free(cr);
    out_free(cn);
    in_free(ba);
    in_free(bb);
}

/* Every dimension pair around the tile edges, and shapes past the blocks
 * (K slices, row blocks, column blocks). */
static void gemm64_op(gemm64_fn ref, gemm64_fn fn, int ta, int tb)
{
    static const double alphas[] = { 1, 0, -0.75 }, betas[] = { 0, 1, 0.5 };
    static const size_t ks[] = { 1, 2, 7, 16, 67, 257, 300 };
    for (size_t im = 0; im < ck_n_dims && !failed(); im += 2)
        for (size_t in = 0; in < ck_n_dims && !failed(); in++)
            gemm64_case(ref, fn, ta, tb, ck_dims[im], ck_dims[in], ks[sae_rng_below(&ck_rng, 7)],
                        alphas[sae_rng_below(&ck_rng, 3)], betas[sae_rng_below(&ck_rng, 3)]);
    gemm64_case(ref, fn, ta, tb, 203, 301, 523, 1, 0.5);
    gemm64_case(ref, fn, ta, tb, 5, 4200, 9, -1, 1);
    gemm64_case(ref, fn, ta, tb, 130, 67, 1, 0.5, 0);
}

/* The fused layer: the GEMM, then bias and activation, every activation,
 * both layouts of B, with and without z. */
static void gemm_bias_act64(void)
{
    for (size_t t = 0; t < 16 && !failed(); t++) {
        const size_t m = ck_dims[sae_rng_below(&ck_rng, ck_n_dims)], n = ck_dims[sae_rng_below(&ck_rng, ck_n_dims)];
        const size_t k = t == 0 ? 0 : 1 + sae_rng_below(&ck_rng, 300);
        const int tb = (int)(t % 2), act = (int)(t / 2 % 4), with_z = (int)(t / 8);
        InBuf ba, bb, bbias;
        const double *a = in64(&ba, m * k, -1, 1), *b = in64(&bb, n * k, -1, 1), *bias = in64(&bbias, n, -2, 2);
        float *zr = out_alloc(2 * m * n), *hr = out_alloc(2 * m * n), *zn = out_alloc(2 * m * n),
              *hn = out_alloc(2 * m * n);
        ck_ref64->gemm_bias_act(m, n, k, a, k, b, tb ? k : n, tb, bias, act, (double *)zr, (double *)hr);
        GUARDED(ck_new64->gemm_bias_act(m, n, k, a, k, b, tb ? k : n, tb, bias, act, with_z ? (double *)zn : NULL,
                                        (double *)hn));
        const double *h_ref = (const double *)hr, *h = (const double *)hn, *z_ref = (const double *)zr;
        for (size_t i = 0; i < m * n && !failed(); i++) {
            /* the pre-activation's error (k terms of magnitude <= 1), through f' <= 1 */
            const double tol = 4.0 * (double)(k + 2) * DBL_EPSILON * (double)(k + 2);
            if (!close_f(h[i], h_ref[i], tol, 4 * DBL_EPSILON) ||
                (with_z && !close_f(((const double *)zn)[i], z_ref[i], tol, 4 * DBL_EPSILON)))
                fail("%zux%zux%zu act %d tb %d z %d: h[%zu] = %.17g, reference %.17g", m, n, k, act, tb, with_z, i,
                     h[i], h_ref[i]);
        }
        out_check_guards(hn, 2 * m * n, "h");
        out_check_guards(zn, 2 * m * n, "z");
        out_free(zr);
        out_free(hr);
        out_free(zn);
        out_free(hn);
        in_free(ba);
        in_free(bb);
        in_free(bbias);
    }
}

void check_gemm(void)
{
    CHECK_SLOT(gemm_nn, check_gemm_op(ck_ref->gemm_nn, ck_new->gemm_nn, 0, 0));
    CHECK_SLOT(gemm_nt, check_gemm_op(ck_ref->gemm_nt, ck_new->gemm_nt, 0, 1));
    CHECK_SLOT(gemm_tn, check_gemm_op(ck_ref->gemm_tn, ck_new->gemm_tn, 1, 0));
    CHECK_SLOT(gemm_bias_act, check_gemm_bias_act_fn(ck_ref->gemm_bias_act, ck_new->gemm_bias_act));
    CHECK_SLOT64(gemm_nn, gemm64_op(ck_ref64->gemm_nn, ck_new64->gemm_nn, 0, 0));
    CHECK_SLOT64(gemm_nt, gemm64_op(ck_ref64->gemm_nt, ck_new64->gemm_nt, 0, 1));
    CHECK_SLOT64(gemm_tn, gemm64_op(ck_ref64->gemm_tn, ck_new64->gemm_tn, 1, 0));
    CHECK_SLOT64(gemm_bias_act, gemm_bias_act64());
}
