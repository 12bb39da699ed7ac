/* checkkernels, the double family: the slots whose double table has SIMD
 * variants (the GEMMs; L-BFGS's dot and axpy), with double inputs that end
 * at a PROT_NONE page and outputs between guard zones. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "tests/checkkernels/checkkernels.h"

/* cnt doubles ending at the PROT_NONE page of a fresh input buffer. */
static double *in64(InBuf *b, size_t cnt, double lo, double hi)
{
    *b = in_alloc(2 * (cnt ? cnt : 1));
    double *p = (double *)(b->p + 2 * (cnt ? cnt : 1)) - cnt;
    for (size_t i = 0; i < cnt; i++) p[i] = lo + (hi - lo) * sae_rng_uniform(&ck_rng);
    return p;
}

static void dot64_case(ElemCase *c, const void *unused)
{
    (void)unused;
    InBuf ba, bb;
    const double *a = in64(&ba, c->cnt, -1, 1), *b = in64(&bb, c->cnt, -1, 1);
    const double r = ck_ref64->dot(c->cnt, a, b);
    double g = 0, mag = 0;
    GUARDED(g = ck_new64->dot(c->cnt, a, b));
    for (size_t i = 0; i < c->cnt; i++) mag += fabs(a[i] * b[i]);
    /* the sums differ in order only: each rounding is at most eps of the
     * running magnitude */
    if (!close_f(g, r, 2 * (double)(c->cnt + 1) * DBL_EPSILON * mag + 1e-300, 0))
        fail("%s: %.17g, reference %.17g", c->what, g, r);
    in_free(ba);
    in_free(bb);
}

static void axpy64_case(ElemCase *c, const void *unused)
{
    (void)unused;
    InBuf bx;
    const double *x = in64(&bx, c->cnt, -1, 1);
    float *yr = out_alloc(2 * c->cnt + 1), *yn = out_alloc(2 * c->cnt + 1);
    double *y_ref = (double *)yr, *y = (double *)yn; /* malloc + 8192 floats: 8-byte aligned */
    for (size_t i = 0; i < c->cnt; i++) y_ref[i] = y[i] = 2 * sae_rng_uniform(&ck_rng) - 1;
    ck_ref64->axpy(c->cnt, -0.3, x, y_ref);
    GUARDED(ck_new64->axpy(c->cnt, -0.3, x, y));
    for (size_t i = 0; i < c->cnt && !failed(); i++)
        if (!close_f(y[i], y_ref[i], 1e-16, 2 * DBL_EPSILON))
            fail("%s: y[%zu] = %.17g, reference %.17g", c->what, i, y[i], y_ref[i]);
    out_check_guards(yn, 2 * c->cnt + 1, "y");
    out_free(yr);
    out_free(yn);
    in_free(bx);
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
    const size_t ldc = n + sae_rng_below(&ck_rng, 3), csize = (m - 1) * ldc + n;
    InBuf ba, bb;
    const double *a = in64(&ba, ((ta ? k : m) - 1) * lda + (ta ? m : k), -1, 1);
    const double *b = in64(&bb, ((tb ? n : k) - 1) * ldb + (tb ? k : n), -1, 1);
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

void check_f64(void)
{
    CHECK_SLOT64(gemm_nn, gemm64_op(ck_ref64->gemm_nn, ck_new64->gemm_nn, 0, 0));
    CHECK_SLOT64(gemm_nt, gemm64_op(ck_ref64->gemm_nt, ck_new64->gemm_nt, 0, 1));
    CHECK_SLOT64(gemm_tn, gemm64_op(ck_ref64->gemm_tn, ck_new64->gemm_tn, 1, 0));
    CHECK_SLOT64(gemm_bias_act, gemm_bias_act64());
    CHECK_SLOT64(dot, each_case(dot64_case, NULL));
    CHECK_SLOT64(axpy, each_case(axpy64_case, NULL));
}
