/* MAP_ANONYMOUS is not POSIX.1-2008 */
#define _DEFAULT_SOURCE
/*
 * checkkernels: every variant of every kernel slot against the scalar
 * reference (dav1d's checkasm, adapted). Levels are tested cumulatively
 * (avx2, avx512, omp): a slot is tested at the level that brings a new
 * function for it. Inputs are seeded (the seed is printed; --seed N repeats
 * a run); inputs end at a PROT_NONE page so any over-read faults; outputs
 * sit between guard zones (and, for GEMM, in rows wider than the tile) so
 * any stray write is seen; SIGSEGV/SIGILL inside a kernel is reported as a
 * failure. Levels this CPU or build lacks are reported as skipped.
 *
 *   checkkernels [--seed N] [--bench] [--ulp-stride S]
 * Output is TAP. --bench also times every variant against the reference.
 * The ULP bounds of exp, sigmoid, tanh and softplus are measured over every
 * S-th float (default 97, all bit patterns with --ulp-stride 1).
 */
#include <float.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "core/clock.h"
#include "kernels/cpu.h"
#include "core/rng.h"
#include "kernels/kernels.h"
#include "sae_config.h"

/* GUARDED() sets a jump point in check_slot; nothing it jumps over is
 * modified after it, which -Wclobbered cannot see. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wclobbered"
#endif

static SaeRng rng;
static int n_test, n_fail;
static char fail_msg[512];

/* ---- crash capture ---------------------------------------------------- */

static sigjmp_buf crash_jmp;
static volatile sig_atomic_t in_kernel;

static void on_crash(int sig)
{
    if (!in_kernel) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    siglongjmp(crash_jmp, sig);
}

/* Runs CALL with crash capture; on a signal records a failure message. */
#define GUARDED(CALL) \
    do { \
        const int sig_ = sigsetjmp(crash_jmp, 1); \
        if (sig_ == 0) { \
            in_kernel = 1; \
            CALL; \
            in_kernel = 0; \
        } else { \
            in_kernel = 0; \
            fail("crashed with signal %d (%s)", sig_, sig_ == SIGILL ? "SIGILL" : "SIGSEGV/SIGBUS"); \
        } \
    } while (0)

__attribute__((format(printf, 1, 2))) static void fail(const char *fmt, ...)
{
    if (fail_msg[0])
        return; /* keep the first failure of a test */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_msg, sizeof fail_msg, fmt, ap);
    va_end(ap);
}

static void report(const char *slot, const char *level)
{
    n_test++;
    if (fail_msg[0]) {
        n_fail++;
        printf("not ok %d - %s %s: %s\n", n_test, slot, level, fail_msg);
    } else {
        printf("ok %d - %s %s\n", n_test, slot, level);
    }
    fail_msg[0] = 0;
    fflush(stdout);
}

/* ---- buffers ---------------------------------------------------------- */

/* count floats ending right before a PROT_NONE page: reading past the end
 * faults. Freed with in_free. */
typedef struct InBuf { void *map; size_t len; float *p; } InBuf;

static InBuf in_alloc(size_t count)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = count * sizeof(float);
    const size_t len = (bytes + page - 1) / page * page + page;
    InBuf b = { .len = len };
    b.map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b.map == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    mprotect((char *)b.map + len - page, page, PROT_NONE);
    b.p = (float *)((char *)b.map + len - page - bytes);
    return b;
}

static void in_free(InBuf b) { munmap(b.map, b.len); }

static void fill_uniform(float *p, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) p[i] = lo + (hi - lo) * (float)sae_rng_uniform(&rng);
}

/* Output buffers: GUARD floats of canary on each side. */
enum { GUARD = 8192 }; /* more than a row of any tested C */
static const uint32_t canary_bits = 0x7fc0deadu;

static float canary(void)
{
    float f;
    memcpy(&f, &canary_bits, 4);
    return f;
}

static float *out_alloc(size_t count)
{
    float *b = malloc((count + 2 * GUARD) * sizeof(float));
    for (size_t i = 0; i < count + 2 * GUARD; i++) b[i] = canary();
    return b + GUARD;
}

static int is_canary(float f) { return memcmp(&f, &canary_bits, 4) == 0; }

static void out_check_guards(const float *p, size_t count, const char *what)
{
    for (size_t i = 0; i < GUARD; i++) {
        if (!is_canary(p[-1 - (long)i])) { fail("%s: wrote %zu floats before the buffer", what, i + 1); return; }
        if (!is_canary(p[count + i])) { fail("%s: wrote %zu floats past the end", what, i + 1); return; }
    }
}

static void out_free(float *p) { free(p - GUARD); }

/* ---- comparisons ------------------------------------------------------ */

static int close_f(double got, double want, double abs_tol, double rel_tol)
{
    if (isnan(want)) return isnan(got);
    if (isinf(want)) return got == want;
    return fabs(got - want) <= abs_tol + rel_tol * fabs(want);
}

static void expect_arrays(const char *what, const float *got, const float *want, size_t n, double abs_tol,
                          double rel_tol)
{
    for (size_t i = 0; i < n; i++)
        if (!close_f(got[i], want[i], abs_tol, rel_tol)) {
            fail("%s[%zu] = %.9g, reference %.9g", what, i, got[i], want[i]);
            return;
        }
}

/* ---- GEMM ------------------------------------------------------------- */

static const size_t dims[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 14, 15, 16, 17, 23, 29, 31, 32, 33,
                               37, 41, 47, 48, 53, 59, 61, 64, 67 };
enum { N_DIMS = sizeof dims / sizeof *dims };

typedef decl_gemm_fn(float, *gemm_fn);

/* One GEMM case: op(A) m x k, op(B) k x n, padded leading dimensions. The
 * tolerance grows with k and the magnitude of the products. */
static void gemm_case(gemm_fn ref, gemm_fn fn, int ta, int tb, size_t m, size_t n, size_t k, float alpha,
                      float beta)
{
    const size_t lda = (ta ? m : k) + sae_rng_below(&rng, 4), ldb = (tb ? k : n) + sae_rng_below(&rng, 4);
    const size_t ldc = n + sae_rng_below(&rng, 4);
    const size_t arows = ta ? k : m, brows = tb ? n : k;
    InBuf a = in_alloc((arows - 1) * lda + (ta ? m : k)), b = in_alloc((brows - 1) * ldb + (tb ? k : n));
    fill_uniform(a.p, (arows - 1) * lda + (ta ? m : k), -1, 1);
    fill_uniform(b.p, (brows - 1) * ldb + (tb ? k : n), -1, 1);
    const size_t csize = (m - 1) * ldc + n;
    float *c_ref = out_alloc(csize), *c = out_alloc(csize);
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            /* beta == 0: C must not be read, so it starts as NaN */
            const float v = beta == 0 ? NAN : (float)(2 * sae_rng_uniform(&rng) - 1);
            c_ref[i * ldc + j] = c[i * ldc + j] = v;
        }
    ref(m, n, k, alpha, a.p, lda, b.p, ldb, beta, c_ref, ldc);
    GUARDED(fn(m, n, k, alpha, a.p, lda, b.p, ldb, beta, c, ldc));
    const double tol = 2.0 * (double)(k + 2) * FLT_EPSILON;
    for (size_t i = 0; i < m && !fail_msg[0]; i++)
        for (size_t j = 0; j < n; j++) {
            double mag = fabs(beta) * (beta == 0 ? 0 : fabs(c_ref[i * ldc + j]));
            for (size_t p = 0; p < k; p++)
                mag += fabs(alpha) * fabs((ta ? a.p[p * lda + i] : a.p[i * lda + p]) *
                                          (tb ? b.p[j * ldb + p] : b.p[p * ldb + j]));
            if (!close_f(c[i * ldc + j], c_ref[i * ldc + j], tol * mag + 1e-30, 0)) {
                fail("%zux%zux%zu lda %zu ldb %zu ldc %zu alpha %g beta %g: C[%zu,%zu] = %.9g, reference %.9g",
                     m, n, k, lda, ldb, ldc, alpha, beta, i, j, c[i * ldc + j], c_ref[i * ldc + j]);
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

static void check_gemm(gemm_fn ref, gemm_fn fn, int ta, int tb)
{
    static const float alphas[] = { 1, 0, -0.75f }, betas[] = { 0, 1, 0.5f };
    static const size_t ks[] = { 1, 2, 7, 16, 67, 257, 300 };
    for (size_t im = 0; im < N_DIMS && !fail_msg[0]; im++)
        for (size_t in = 0; in < N_DIMS && !fail_msg[0]; in++) {
            const size_t k = ks[sae_rng_below(&rng, 7)];
            const float alpha = alphas[sae_rng_below(&rng, 3)], beta = betas[sae_rng_below(&rng, 3)];
            gemm_case(ref, fn, ta, tb, dims[im], dims[in], k, alpha, beta);
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
 * and without z, both layouts of B, every activation. */
static void check_gemm_bias_act(gemm_bias_act_fn ref, gemm_bias_act_fn fn)
{
    static const size_t ks[] = { 1, 3, 16, 67, 400, 801 };
    for (size_t t = 0; t < N_DIMS * 4 && !fail_msg[0]; t++) {
        const size_t m = t == 0 ? 700 : dims[sae_rng_below(&rng, N_DIMS)];
        const size_t n = t == 0 ? 131 : dims[sae_rng_below(&rng, N_DIMS)] + (t % 5 == 0 ? 64 : 0);
        const size_t k = ks[sae_rng_below(&rng, 6)];
        const int tb = (int)(t % 2), act = (int)(t / 2 % 4), with_z = (int)(t / 8 % 2);
        const size_t lda = k + sae_rng_below(&rng, 3), ldb = (tb ? k : n) + sae_rng_below(&rng, 3);
        InBuf a = in_alloc((m - 1) * lda + k), b = in_alloc(((tb ? n : k) - 1) * ldb + (tb ? k : n));
        InBuf bias = in_alloc(n);
        fill_uniform(a.p, (m - 1) * lda + k, -1, 1);
        fill_uniform(b.p, ((tb ? n : k) - 1) * ldb + (tb ? k : n), -1, 1);
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
        out_free(z_ref); out_free(h_ref); out_free(z); out_free(h);
        in_free(a); in_free(b); in_free(bias);
    }
}

/* ---- element-wise kernels -------------------------------------------- */

/* the last ones are past the OpenMP driver's thresholds */
static const size_t counts[] = { 1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 47, 63, 64, 65, 67, 97, 1000, 4099, 70001, 200003 };
enum { N_COUNTS = sizeof counts / sizeof *counts };

/* Two-dimensional shapes for the row-wise kernels. */
static void shape_of(size_t idx, size_t *m, size_t *n)
{
    if (idx == N_COUNTS - 1) { /* large enough to be split by threads */
        *m = 701;
        *n = 131;
        return;
    }
    *m = dims[idx % N_DIMS];
    *n = dims[(idx * 7 + 3) % N_DIMS] + (idx % 3 == 0 ? 64 : 0);
}

/* Inputs for activations: wide enough to reach saturation and the cancel
 * region, with exact zeros for the kinks. */
static void fill_act(float *p, size_t n)
{
    fill_uniform(p, n, -12, 12);
    for (size_t i = 0; i < n; i += 11) p[i] = 0;
    for (size_t i = 5; i < n; i += 13) p[i] *= 0.02f;
}

static double rel_sum_tol(size_t n) { return 1e-6 + 4e-7 * sqrt((double)n); }

#define REF(slot) (ref->slot)
#define FN(slot) (fn->slot)

static void check_slot(const char *slot, const SaeKernelsF32 *ref, const SaeKernelsF32 *fn)
{
    /* 1 ULP of the float kernels' own rounding plus that of the reference */
    const double act_tol = 4 * FLT_EPSILON;
    if (!strcmp(slot, "gemm_nn")) { check_gemm(REF(gemm_nn), FN(gemm_nn), 0, 0); return; }
    if (!strcmp(slot, "gemm_nt")) { check_gemm(REF(gemm_nt), FN(gemm_nt), 0, 1); return; }
    if (!strcmp(slot, "gemm_tn")) { check_gemm(REF(gemm_tn), FN(gemm_tn), 1, 0); return; }
    if (!strcmp(slot, "gemm_bias_act")) { check_gemm_bias_act(REF(gemm_bias_act), FN(gemm_bias_act)); return; }
    for (size_t t = 0; t < N_COUNTS && !fail_msg[0]; t++) {
        const size_t cnt = counts[t];
        size_t m, n;
        shape_of(t, &m, &n);
        const size_t mn = m * n;
        InBuf i1 = in_alloc(cnt > mn ? cnt : mn), i2 = in_alloc(cnt > mn ? cnt : mn), iv = in_alloc(n);
        InBuf ir = in_alloc(m); /* one value per row */
        const size_t big = cnt > mn ? cnt : mn;
        float *o_ref = out_alloc(big), *o = out_alloc(big), *o2_ref = out_alloc(big), *o2 = out_alloc(big);
        float *o3_ref = out_alloc(big), *o3 = out_alloc(big);
        double d_ref[256], d[256];
        /* the inputs end at a PROT_NONE page whichever count a kernel uses */
#define IN_CNT(b) ((b).p + big - cnt)
#define IN_MN(b) ((b).p + big - mn)
        char what[64];
        snprintf(what, sizeof what, "cnt %zu / %zu x %zu", cnt, m, n);
        fill_act(i1.p, big);
        fill_uniform(i2.p, big, -1, 1);
        fill_uniform(iv.p, n, -1, 1);
        fill_uniform(ir.p, m, 0, 1);
        fill_uniform(o_ref, big, -1, 1);
        memcpy(o, o_ref, big * sizeof(float));
        fill_uniform(o2_ref, big, 0.01f, 0.99f);
        memcpy(o2, o2_ref, big * sizeof(float));
        fill_uniform(o3_ref, big, 0, 1);
        memcpy(o3, o3_ref, big * sizeof(float));
        if (!strcmp(slot, "exp")) {
            REF(exp)(cnt, IN_CNT(i1), o_ref);
            GUARDED(FN(exp)(cnt, IN_CNT(i1), o));
            expect_arrays(what, o, o_ref, cnt, 0, act_tol);
        } else if (!strncmp(slot, "bias_", 5)) {
            /* z += bias in place, h separate */
            memcpy(o, i1.p, mn * sizeof(float));
            memcpy(o_ref, i1.p, mn * sizeof(float));
            decl_bias_act_fn(float, *rf) = !strcmp(slot, "bias_sigmoid") ? REF(bias_sigmoid)
                                         : !strcmp(slot, "bias_tanh")    ? REF(bias_tanh)
                                         : !strcmp(slot, "bias_relu")    ? REF(bias_relu)
                                                                         : REF(bias_linear);
            decl_bias_act_fn(float, *ff) = !strcmp(slot, "bias_sigmoid") ? FN(bias_sigmoid)
                                         : !strcmp(slot, "bias_tanh")    ? FN(bias_tanh)
                                         : !strcmp(slot, "bias_relu")    ? FN(bias_relu)
                                                                         : FN(bias_linear);
            rf(m, n, iv.p, o_ref, o2_ref);
            GUARDED(ff(m, n, iv.p, o, o2));
            expect_arrays(what, o, o_ref, mn, 0, 0);
            expect_arrays(what, o2, o2_ref, mn, 1e-37, act_tol);
            out_check_guards(o2, big, "h");
        } else if (!strcmp(slot, "dsigmoid") || !strcmp(slot, "dtanh") || !strcmp(slot, "drelu")) {
            decl_dact_fn(float, *rf) = slot[1] == 's' ? REF(dsigmoid) : slot[1] == 't' ? REF(dtanh) : REF(drelu);
            decl_dact_fn(float, *ff) = slot[1] == 's' ? FN(dsigmoid) : slot[1] == 't' ? FN(dtanh) : FN(drelu);
            rf(cnt, o2_ref, o_ref);
            GUARDED(ff(cnt, o2_ref, o));
            /* 1 - h^2 cancels near |h| = 1: an absolute bound on g f'(h), |g| <= 1 */
            expect_arrays(what, o, o_ref, cnt, act_tol, act_tol);
        } else if (!strncmp(slot, "cae_dsq_", 8)) {
            decl_cae_dsq_fn(float, *rf) = slot[8] == 's' ? REF(cae_dsq_sigmoid) : slot[8] == 't' ? REF(cae_dsq_tanh) : REF(cae_dsq_relu);
            decl_cae_dsq_fn(float, *ff) = slot[8] == 's' ? FN(cae_dsq_sigmoid) : slot[8] == 't' ? FN(cae_dsq_tanh) : FN(cae_dsq_relu);
            const size_t kk = n < 256 ? n : 256;
            float *h = slot[8] == 'r' ? IN_MN(i2) : o2_ref;
            rf(m, kk, h, d_ref);
            GUARDED(ff(m, kk, h, d));
            for (size_t j = 0; j < kk && !fail_msg[0]; j++)
                /* 1 - h^2 cancels near |h| = 1: an absolute bound per term (D <= 1) */
                if (!close_f(d[j], d_ref[j], 8 * FLT_EPSILON * (double)m, rel_sum_tol(m))) fail("%s: out[%zu] = %.12g, reference %.12g", what, j, d[j], d_ref[j]);
        } else if (!strncmp(slot, "cae_delta_", 10)) {
            decl_cae_delta_fn(float, *rf) = slot[10] == 's' ? REF(cae_delta_sigmoid) : REF(cae_delta_tanh);
            decl_cae_delta_fn(float, *ff) = slot[10] == 's' ? FN(cae_delta_sigmoid) : FN(cae_delta_tanh);
            rf(m, n, o2_ref, iv.p, o_ref);
            GUARDED(ff(m, n, o2_ref, iv.p, o));
            expect_arrays(what, o, o_ref, mn, 1e-6, act_tol);
            out_check_guards(o, big, "d");
        } else if (!strcmp(slot, "colsum") || !strcmp(slot, "row_sqnorm")) {
            const size_t cols = n < 256 ? n : 256, rows = !strcmp(slot, "colsum") ? m : (m < 256 ? m : 256);
            if (slot[0] == 'c') {
                REF(colsum)(rows, cols, i2.p + big - rows * cols, d_ref);
                GUARDED(FN(colsum)(rows, cols, i2.p + big - rows * cols, d));
            } else {
                REF(row_sqnorm)(rows, cols, i2.p + big - rows * cols, d_ref);
                GUARDED(FN(row_sqnorm)(rows, cols, i2.p + big - rows * cols, d));
            }
            const size_t outs = slot[0] == 'c' ? cols : rows;
            for (size_t j = 0; j < outs && !fail_msg[0]; j++)
                if (!close_f(d[j], d_ref[j], 1e-12 * (double)(rows + cols), 1e-12)) fail("%s: out[%zu] = %.15g, reference %.15g", what, j, d[j], d_ref[j]);
        } else if (!strcmp(slot, "sqdiff_sum") || !strcmp(slot, "bce_sum") || !strcmp(slot, "abs_sum")) {
            double r = 0, g = 0;
            if (slot[0] == 's') { r = REF(sqdiff_sum)(cnt, IN_CNT(i1), IN_CNT(i2)); GUARDED(g = FN(sqdiff_sum)(cnt, IN_CNT(i1), IN_CNT(i2))); }
            else if (slot[0] == 'b') { r = REF(bce_sum)(cnt, IN_CNT(i1), o3_ref); GUARDED(g = FN(bce_sum)(cnt, IN_CNT(i1), o3_ref)); }
            else { r = REF(abs_sum)(cnt, IN_CNT(i2)); GUARDED(g = FN(abs_sum)(cnt, IN_CNT(i2))); }
            /* double sums of float terms: the terms' own float error dominates */
            if (!close_f(g, r, 1e-9, slot[0] == 'b' ? 4 * FLT_EPSILON : 1e-12)) fail("%s: %.15g, reference %.15g", what, g, r);
        } else if (!strcmp(slot, "sub_scale")) {
            REF(sub_scale)(cnt, 0.37f, IN_CNT(i1), IN_CNT(i2), o_ref);
            GUARDED(FN(sub_scale)(cnt, 0.37f, IN_CNT(i1), IN_CNT(i2), o));
            expect_arrays(what, o, o_ref, cnt, 0, 0);
        } else if (!strcmp(slot, "sign_axpy")) {
            REF(sign_axpy)(cnt, -0.3f, IN_CNT(i1), o_ref);
            GUARDED(FN(sign_axpy)(cnt, -0.3f, IN_CNT(i1), o));
            expect_arrays(what, o, o_ref, cnt, 0, 0);
        } else if (!strcmp(slot, "wpen_grad")) {
            const int with_scale = t % 2;
            REF(wpen_grad)(m, n, IN_MN(i1), 0.01f, 0.002f, with_scale ? ir.p : NULL, o_ref);
            GUARDED(FN(wpen_grad)(m, n, IN_MN(i1), 0.01f, 0.002f, with_scale ? ir.p : NULL, o));
            expect_arrays(what, o, o_ref, mn, 1e-7, 2 * FLT_EPSILON);
        } else if (!strcmp(slot, "sgd_step")) {
            REF(sgd_step)(cnt, 0.1f, 0.9f, IN_CNT(i2), o2_ref, o_ref);
            GUARDED(FN(sgd_step)(cnt, 0.1f, 0.9f, IN_CNT(i2), o2, o));
            expect_arrays(what, o2, o2_ref, cnt, 1e-7, 2 * FLT_EPSILON);
            expect_arrays(what, o, o_ref, cnt, 1e-7, 2 * FLT_EPSILON);
            out_check_guards(o2, big, "v");
        } else if (!strcmp(slot, "adam_step")) {
            REF(adam_step)(cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, IN_CNT(i2), o3_ref, o2_ref, o_ref);
            GUARDED(FN(adam_step)(cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, IN_CNT(i2), o3, o2, o));
            expect_arrays(what, o3, o3_ref, cnt, 1e-7, 2 * FLT_EPSILON);
            expect_arrays(what, o2, o2_ref, cnt, 1e-9, 2 * FLT_EPSILON);
            expect_arrays(what, o, o_ref, cnt, 1e-7, 2 * FLT_EPSILON);
            out_check_guards(o3, big, "m");
        } else {
            fail("no check written for slot %s", slot);
        }
        out_check_guards(o, big, "out");
        out_free(o_ref); out_free(o); out_free(o2_ref); out_free(o2); out_free(o3_ref); out_free(o3);
        in_free(i1); in_free(i2); in_free(iv); in_free(ir);
#undef IN_CNT
#undef IN_MN
    }
}

/* ---- ULP bounds of the vector elementary functions -------------------- */

static double ulp_of(double want)
{
    const double a = fabs(want);
    if (a < FLT_MIN) return ldexp(1, -149);
    int e;
    frexp(a, &e);
    return ldexp(1, e - 24);
}

static double sigmoid_d(double x) { return 1 / (1 + exp(-x)); }
static double softplus_d(double x) { return fmax(x, 0) + log1p(exp(-fabs(x))); }

/* Max ULP error of an activation over every stride-th float, through the
 * slot (bias_* with a zero bias, or exp), against the double function. */
static double measure_ulp(const SaeKernelsF32 *k, int which, uint64_t stride, double *worst_x)
{
    enum { CH = 4096 };
    static float x[CH], z[CH], h[CH];
    static const float zero_bias[CH];
    double worst = 0;
    size_t n = 0;
    for (uint64_t bits = 0; bits <= 0xffffffffu; bits += stride) {
        uint32_t b32 = (uint32_t)bits;
        memcpy(&x[n], &b32, 4);
        if (isnan(x[n])) continue;
        if (++n < CH && bits + stride <= 0xffffffffu) continue;
        memcpy(z, x, n * sizeof(float));
        if (which == 0) k->exp(n, x, h);
        else if (which == 1) k->bias_sigmoid(1, n, zero_bias, z, h);
        else if (which == 2) k->bias_tanh(1, n, zero_bias, z, h);
        for (size_t i = 0; i < n; i++) {
            const double xd = x[i];
            const double want = which == 0 ? exp(xd) : which == 1 ? sigmoid_d(xd) : which == 2 ? tanh(xd) : 0;
            double err;
            if (isinf(want) || want > FLT_MAX) err = isinf(h[i]) ? 0 : 1e9;
            else err = fabs(h[i] - want) / ulp_of(want);
            if (err > worst) { worst = err; *worst_x = xd; }
        }
        n = 0;
    }
    return worst;
}

/* softplus is internal to bce_sum: measured one value at a time. */
static double measure_softplus_ulp(const SaeKernelsF32 *k, uint64_t stride, double *worst_x)
{
    double worst = 0;
    const float zero = 0;
    for (uint64_t bits = 0; bits <= 0xffffffffu; bits += stride * 64) {
        uint32_t b32 = (uint32_t)bits;
        float x;
        memcpy(&x, &b32, 4);
        if (!isfinite(x) || fabs(x) > 1e30) continue;
        const double got = k->bce_sum(1, &x, &zero), want = softplus_d(x);
        /* bce_sum returns softplus in double: round it to float first */
        const double err = fabs((double)(float)got - want) / ulp_of(want);
        if (err > worst) { worst = err; *worst_x = x; }
    }
    return worst;
}

/* The special values: NaN stays NaN, the infinities and overflow land on
 * the right limits. */
static void check_special(const SaeKernelsF32 *k)
{
    /* exp(-100) = 3.7e-44 is a denormal: it must not flush to 0 */
    static const float in[8] = { NAN, INFINITY, -INFINITY, 100.0f, -100.0f, 89.0f, -104.0f, 0.0f };
    static const float zero[8] = { 0 };
    float z[8], y[8];
    k->exp(8, in, y);
    if (!isnan(y[0]) || y[1] != INFINITY || y[2] != 0 || y[3] != INFINITY || !(y[4] > 3.6e-44f && y[4] < 3.9e-44f) ||
        y[5] != INFINITY ||
        y[6] != 0 || y[7] != 1)
        fail("exp of NaN, +-inf, +-100, 89, -104, 0: %g %g %g %g %g %g %g %g", y[0], y[1], y[2], y[3], y[4], y[5],
             y[6], y[7]);
    memcpy(z, in, sizeof z);
    k->bias_sigmoid(1, 8, zero, z, y);
    if (!isnan(y[0]) || y[1] != 1 || y[2] != 0 || y[3] != 1 || !(y[4] >= 0 && y[4] < 1e-40f) || y[7] != 0.5f)
        fail("sigmoid of NaN, +-inf, +-100, 0: %g %g %g %g %g %g", y[0], y[1], y[2], y[3], y[4], y[7]);
    memcpy(z, in, sizeof z);
    k->bias_tanh(1, 8, zero, z, y);
    if (!isnan(y[0]) || y[1] != 1 || y[2] != -1 || y[3] != 1 || y[4] != -1 || y[7] != 0)
        fail("tanh of NaN, +-inf, +-100, 0: %g %g %g %g %g %g", y[0], y[1], y[2], y[3], y[4], y[7]);
}

static void check_ulp(const char *level, const SaeKernelsF32 *k, uint64_t stride)
{
    check_special(k);
    report("special_values", level);
    static const char *const names[] = { "exp", "sigmoid", "tanh" };
    static const double bounds[] = { 2, 2, 2 };
    for (int w = 0; w < 3; w++) {
        double wx = 0;
        const double u = measure_ulp(k, w, stride, &wx);
        printf("# %s %s: max error %.3f ULP (at x = %.9g) over every %llu-th float\n", level, names[w], u, wx,
               (unsigned long long)stride);
        if (u > bounds[w]) fail("%s: %.3f ULP at x = %.9g exceeds the bound of %g", names[w], u, wx, bounds[w]);
        char slot[32];
        snprintf(slot, sizeof slot, "ulp_%s", names[w]);
        report(slot, level);
    }
    double wx = 0;
    const double u = measure_softplus_ulp(k, stride, &wx);
    printf("# %s softplus: max error %.3f ULP (at x = %.9g)\n", level, u, wx);
    if (u > 3) fail("softplus: %.3f ULP at x = %.9g exceeds 3", u, wx);
    report("ulp_softplus", level);
}

/* ---- benchmarks ------------------------------------------------------- */


static double time_gemm(gemm_fn f, size_t m, size_t n, size_t k)
{
    float *a = calloc(m * k, 4), *b = calloc(k * n, 4), *c = calloc(m * n, 4);
    fill_uniform(a, m * k, -1, 1);
    fill_uniform(b, k * n, -1, 1);
    f(m, n, k, 1, a, k, b, n, 0, c, n);
    int reps = 0;
    const double t0 = sae_now();
    double t;
    do {
        f(m, n, k, 1, a, k, b, n, 0, c, n);
        reps++;
    } while ((t = sae_now() - t0) < 0.2);
    free(a); free(b); free(c);
    return t / reps;
}

static void bench(const char *level, const SaeKernelsF32 *ref, const SaeKernelsF32 *k)
{
    static const size_t shapes[][3] = { { 128, 256, 784 }, { 10000, 25, 64 }, { 64, 25, 10000 }, { 512, 512, 512 } };
    for (size_t s = 0; s < 4; s++) {
        const size_t m = shapes[s][0], n = shapes[s][1], kk = shapes[s][2];
        const double tr = time_gemm(ref->gemm_nn, m, n, kk), tk = time_gemm(k->gemm_nn, m, n, kk);
        printf("# bench gemm_nn %zux%zux%zu %s: %.2f GFLOP/s, %.1fx scalar\n", m, n, kk, level,
               2e-9 * (double)(m * n * kk) / tk, tr / tk);
    }
    enum { N = 1 << 16 };
    float *x = malloc(N * 4), *y = malloc(N * 4), *zb = calloc(N, 4);
    fill_act(x, N);
    const char *names[] = { "exp", "sigmoid", "tanh" };
    for (int w = 0; w < 3; w++) {
        double tt[2];
        for (int v = 0; v < 2; v++) {
            const SaeKernelsF32 *kk = v ? k : ref;
            int reps = 0;
            const double t0 = sae_now();
            do {
                if (w == 0) kk->exp(N, x, y);
                else if (w == 1) kk->bias_sigmoid(1, N, zb, y, y);
                else kk->bias_tanh(1, N, zb, y, y);
                reps++;
            } while (sae_now() - t0 < 0.1);
            tt[v] = (sae_now() - t0) / reps;
        }
        printf("# bench %s %d %s: %.2f Gelem/s, %.1fx scalar\n", names[w], N, level, 1e-9 * N / tt[1], tt[0] / tt[1]);
    }
    free(x);
    free(y);
    free(zb);
}

/* ---- main ------------------------------------------------------------- */

int main(int argc, char **argv)
{
    uint32_t seed = (uint32_t)time(NULL);
    uint64_t stride = 97;
    int do_bench = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc) seed = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--ulp-stride") && i + 1 < argc) stride = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--bench")) do_bench = 1;
        else {
            fprintf(stderr, "usage: checkkernels [--seed N] [--bench] [--ulp-stride S]\n");
            return 2;
        }
    }
    if (stride < 1) stride = 1;
    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);
    signal(SIGILL, on_crash);
    printf("# checkkernels seed %u (repeat with --seed %u)\n", seed, seed);
    const unsigned cpu = sae_cpu_detect();
    static const struct { const char *name; unsigned flags; } levels[] = {
        { "avx2", SAE_CPU_AVX2 },
        { "avx512", SAE_CPU_AVX2 | SAE_CPU_AVX512 },
        { "omp", SAE_CPU_ALL },
    };
    SaeKernels prev, cur;
    sae_kernels_init(&prev, 0);
    const SaeKernels scalar = prev;
    for (size_t l = 0; l < sizeof levels / sizeof *levels; l++) {
        sae_kernels_init(&cur, cpu & levels[l].flags);
        const unsigned need = levels[l].flags & (l + 1 < sizeof levels / sizeof *levels ? ~0u : SAE_CPU_OMP);
        if ((cur.flags & need) != need) {
            printf("ok %d - %s # SKIP %s\n", ++n_test, levels[l].name,
                   (cpu & need) != need && need != SAE_CPU_OMP ? "not supported by this CPU" : "not built");
            continue;
        }
        for (size_t s = 0; s < sae_kernel_slot_count(); s++) {
            const char *slot = sae_kernel_slot_name(s);
            if (!strcmp(sae_kernel_slot_fn(&cur, s, 0), sae_kernel_slot_fn(&prev, s, 0)))
                continue; /* nothing new at this level */
            sae_rng_seed(&rng, seed + (uint32_t)s);
            check_slot(slot, &scalar.f32, &cur.f32);
            report(slot, levels[l].name);
        }
        check_ulp(levels[l].name, &cur.f32, stride);
        if (do_bench)
            bench(levels[l].name, &scalar.f32, &cur.f32);
        prev = cur;
    }
    printf("1..%d\n", n_test);
    printf("# %d passed, %d failed\n", n_test - n_fail, n_fail);
    return n_fail ? 1 : 0;
}
