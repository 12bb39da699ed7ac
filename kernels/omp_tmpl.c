/*
 * The OpenMP tiling driver, written once and compiled per ISA by omp.c with
 *   INNER(slot)  the single-threaded kernel it splits (sae_<slot>_<isa>),
 *   NAME(slot)   its own name (sae_<slot>_omp_<isa>).
 * Threads split the work into macro-tiles (row or column blocks of C,
 * chunks of arrays) and call the single-threaded kernel on each: they never
 * split a micro-kernel. Work below a threshold, or a single thread, goes
 * straight to the inner kernel, so one thread costs one test and one call.
 * Results depend on the thread count only where a column sum is split by
 * rows (colsum, cae_dsq); the reductions use chunks fixed by the size.
 */

#ifndef SAE_OMP_TMPL_ONCE
#define SAE_OMP_TMPL_ONCE
/* Work (multiply-adds, elements) below which a thread is not worth waking. */
enum { GEMM_MIN = 1 << 18, ELEM_MIN = 1 << 15 };
#endif

/* Threads worth using for `work` (multiply-adds or elements). */
static int CAT(threads_for_, ISA)(double work, double min_per_thread)
{
    const int max = omp_get_max_threads();
    if (max <= 1 || work < 2 * min_per_thread)
        return 1;
    const double t = work / min_per_thread;
    return t < max ? (int)t : max;
}
#define THREADS(work, min) CAT(threads_for_, ISA)((double)(work), (min))

/* [lo, hi) of part t of n split in nt parts aligned to `align`. */
static void CAT(part_, ISA)(size_t n, int nt, int t, size_t align, size_t *lo, size_t *hi)
{
    size_t step = (n + (size_t)nt - 1) / (size_t)nt;
    step = (step + align - 1) / align * align;
    *lo = (size_t)t * step < n ? (size_t)t * step : n;
    *hi = *lo + step < n ? *lo + step : n;
}
#define PART(n, nt, t, align, lo, hi) CAT(part_, ISA)((n), (nt), (t), (align), (lo), (hi))

/* ta/tb: which operands are stored transposed (decides the offsets). */
#define GEMM_OMP(slot, ta, tb) \
    decl_gemm_fn(float, NAME(slot)) \
    { \
        const int nt = THREADS((double)m * (double)n * (double)k, GEMM_MIN); \
        if (nt == 1) { \
            INNER(slot)(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); \
            return; \
        } \
        const int by_rows = m >= n; \
        _Pragma("omp parallel for num_threads(nt) schedule(static)") \
        for (int t = 0; t < nt; t++) { \
            size_t lo, hi; \
            if (by_rows) { \
                PART(m, nt, t, 16, &lo, &hi); \
                if (lo < hi) \
                    INNER(slot)(hi - lo, n, k, alpha, (ta) ? a + lo : a + lo * lda, lda, b, ldb, beta, \
                                c + lo * ldc, ldc); \
            } else { \
                PART(n, nt, t, 32, &lo, &hi); \
                if (lo < hi) \
                    INNER(slot)(m, hi - lo, k, alpha, a, lda, (tb) ? b + lo * ldb : b + lo, ldb, beta, \
                                c + lo, ldc); \
            } \
        } \
    }
GEMM_OMP(gemm_nn, 0, 0)
GEMM_OMP(gemm_nt, 0, 1)
GEMM_OMP(gemm_tn, 1, 0)

/* Splits [0, n) into parts aligned to `align`, one per thread worth `work`
 * (min per thread); CALL uses the part's lo and len. One thread: a direct
 * call. */
#define SPLIT(n, work, min, align, CALL) \
    do { \
        const int nt = THREADS(work, min); \
        if (nt == 1) { \
            const size_t lo = 0, len = (n); \
            CALL; \
            break; \
        } \
        _Pragma("omp parallel for num_threads(nt) schedule(static)") \
        for (int t = 0; t < nt; t++) { \
            size_t lo, hi; \
            PART((n), nt, t, (align), &lo, &hi); \
            const size_t len = hi - lo; \
            if (len) \
                CALL; \
        } \
    } while (0)
/* Elements of an array (64-aligned parts), rows of a rows x cols matrix. */
#define SPLIT_ELEMS(cnt, CALL) SPLIT((cnt), (double)(cnt), ELEM_MIN, 64, CALL)
#define SPLIT_ROWS(rows, cols, CALL) SPLIT((rows), (double)(rows) * (double)(cols), ELEM_MIN, 1, CALL)

decl_gemm_bias_act_fn(float, NAME(gemm_bias_act))
{
    SPLIT(m, (double)m * (double)n * (double)k, GEMM_MIN, 16,
          INNER(gemm_bias_act)(len, n, k, a + lo * lda, lda, b, ldb, trans_b, bias, act, z ? z + lo * n : NULL,
                               h + lo * n));
}

decl_exp_fn(float, NAME(exp)) { SPLIT_ELEMS(cnt, INNER(exp)(len, x + lo, y + lo)); }

#define BIAS_ACT_OMP(act) \
    decl_bias_act_fn(float, NAME(bias_##act)) \
    { \
        SPLIT_ROWS(m, n, INNER(bias_##act)(len, n, bias, z + lo * n, h + lo * n)); \
    }
BIAS_ACT_OMP(sigmoid)
BIAS_ACT_OMP(tanh)
BIAS_ACT_OMP(relu)
BIAS_ACT_OMP(linear)

#define DACT_OMP(act) \
    decl_dact_fn(float, NAME(d##act)) { SPLIT_ELEMS(cnt, INNER(d##act)(len, h + lo, g + lo)); }
DACT_OMP(sigmoid)
DACT_OMP(tanh)
DACT_OMP(relu)

#define CAE_DELTA_OMP(act) \
    decl_cae_delta_fn(float, NAME(cae_delta_##act)) \
    { \
        SPLIT_ROWS(m, k, INNER(cae_delta_##act)(len, k, h + lo * k, c, d + lo * k)); \
    }
CAE_DELTA_OMP(sigmoid)
CAE_DELTA_OMP(tanh)

/* Column sums split by rows: each thread sums its rows into its own
 * partial vector (kept per thread, grown once), added in thread order. */
static double *CAT(partial_, ISA)(size_t n)
{
    static _Thread_local double *buf;
    static _Thread_local size_t cap;
    if (n > cap) { /* grows by doubling; outgrown blocks stay with the process */
        const size_t want = n > 2 * cap ? n : 2 * cap;
        buf = sae_scratch_alloc(want * sizeof(double));
        cap = buf ? want : 0;
    }
    return buf;
}

#define COLSUM_OMP(decl, slot, rows, cols, src) \
    decl(float, NAME(slot)) \
    { \
        enum { MAXT = 64 }; \
        const int want = THREADS((double)(rows) * (double)(cols), ELEM_MIN); \
        const int nt = want < MAXT ? want : MAXT; \
        double *parts[MAXT] = { 0 }; \
        if (nt > 1) { \
            _Pragma("omp parallel for num_threads(nt) schedule(static)") \
            for (int t = 0; t < nt; t++) { \
                size_t r0, hi; \
                PART((rows), nt, t, 1, &r0, &hi); \
                double *p = CAT(partial_, ISA)(cols); \
                parts[t] = p; \
                if (p) INNER(slot)(hi - r0, (cols), (src) + r0 * (cols), p); \
            } \
        } \
        int ok = nt > 1; \
        for (int t = 0; t < nt && ok; t++) ok = parts[t] != NULL; \
        if (!ok) { /* one thread, or a partial could not be had */ \
            INNER(slot)((rows), (cols), (src), out); \
            return; \
        } \
        for (size_t j = 0; j < (cols); j++) out[j] = parts[0][j]; \
        for (int t = 1; t < nt; t++) \
            for (size_t j = 0; j < (cols); j++) out[j] += parts[t][j]; \
    }
COLSUM_OMP(decl_colsum_fn, colsum, m, n, a)
COLSUM_OMP(decl_cae_dsq_fn, cae_dsq_sigmoid, m, k, h)
COLSUM_OMP(decl_cae_dsq_fn, cae_dsq_tanh, m, k, h)
COLSUM_OMP(decl_cae_dsq_fn, cae_dsq_relu, m, k, h)

decl_row_sqnorm_fn(float, NAME(row_sqnorm))
{
    SPLIT_ROWS(rows, cols, INNER(row_sqnorm)(len, cols, w + lo * cols, out + lo));
}

/* Sums over fixed chunks (their size depends on cnt only), added in order:
 * the same result for every thread count. */
#define REDUCE_OMP(decl, slot, ARGS_AT) \
    decl(float, NAME(slot)) \
    { \
        enum { CHUNKS = 64 }; \
        if (cnt < 4 * ELEM_MIN || omp_get_max_threads() <= 1) \
            return INNER(slot) ARGS_AT(0, cnt); \
        double part[CHUNKS]; \
        _Pragma("omp parallel for schedule(static)") \
        for (int ch = 0; ch < CHUNKS; ch++) { \
            size_t lo, hi; \
            PART(cnt, CHUNKS, ch, 64, &lo, &hi); \
            part[ch] = lo < hi ? INNER(slot) ARGS_AT(lo, hi - lo) : 0.0; \
        } \
        double s = 0; \
        for (int ch = 0; ch < CHUNKS; ch++) s += part[ch]; \
        return s; \
    }
#define SQDIFF_AT(lo, len) ((len), a + (lo), b + (lo))
#define BCE_AT(lo, len) ((len), z + (lo), x + (lo))
#define ABS_AT(lo, len) ((len), x + (lo))
REDUCE_OMP(decl_sqdiff_sum_fn, sqdiff_sum, SQDIFF_AT)
REDUCE_OMP(decl_bce_sum_fn, bce_sum, BCE_AT)
REDUCE_OMP(decl_abs_sum_fn, abs_sum, ABS_AT)

decl_sub_scale_fn(float, NAME(sub_scale)) { SPLIT_ELEMS(cnt, INNER(sub_scale)(len, s, a + lo, b + lo, out + lo)); }
decl_sign_axpy_fn(float, NAME(sign_axpy)) { SPLIT_ELEMS(cnt, INNER(sign_axpy)(len, s, h + lo, g + lo)); }

decl_wpen_grad_fn(float, NAME(wpen_grad))
{
    SPLIT_ROWS(rows, cols,
               INNER(wpen_grad)(len, cols, w + lo * cols, lambda, l1, rowscale ? rowscale + lo : NULL, g + lo * cols));
}

decl_sgd_step_fn(float, NAME(sgd_step)) { SPLIT_ELEMS(cnt, INNER(sgd_step)(len, lr, mu, g + lo, v + lo, theta + lo)); }

decl_adam_step_fn(float, NAME(adam_step))
{
    SPLIT_ELEMS(cnt, INNER(adam_step)(len, lr, b1, b2, eps, bc1, bc2, g + lo, m + lo, v + lo, theta + lo));
}
