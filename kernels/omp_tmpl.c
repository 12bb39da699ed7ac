/*
 * The OpenMP tiling driver, written once: a template (kernels/template.h)
 * compiled per level by omp_scalar.c, omp_avx2.c and omp_avx512.c, where
 * INNER(slot) is the single-threaded kernel it splits (for the GEMM slots:
 * the level's chosen tile, set through KN(gemm_use)) and KN(slot) its own
 * name; the cut-overs come from the level's tuning header (tune_defaults.h).
 * Threads split the work into macro-tiles (row or column blocks of C,
 * chunks of arrays) and call the single-threaded kernel on each: they never
 * split a micro-kernel. Work below a threshold, or a single thread, goes
 * straight to the inner kernel, so one thread costs one test and one call.
 * Results depend on the thread count only where a column sum is split by
 * rows (colsum, cae_dsq); the reductions use chunks fixed by the size.
 */
#include <omp.h>
#include <stdlib.h>

#include "kernels/isa.h"
#include "kernels/scalar.h"
#include "kernels/scratch.h"

/* Threads worth using for `work` (multiply-adds or elements). */
static int threads_for(double work, double min_per_thread)
{
    const int max = omp_get_max_threads();
    if (max <= 1 || work < 2 * min_per_thread)
        return 1;
    const double t = work / min_per_thread;
    return t < max ? (int)t : max;
}

/* [lo, hi) of part t of n split in nt parts aligned to `align`. */
static void part(size_t n, int nt, int t, size_t align, size_t *lo, size_t *hi)
{
    size_t step = (n + (size_t)nt - 1) / (size_t)nt;
    step = (step + align - 1) / align * align;
    *lo = (size_t)t * step < n ? (size_t)t * step : n;
    *hi = *lo + step < n ? *lo + step : n;
}

typedef decl_gemm_fn(float, *gemm_fn);

/* C split into row blocks (m >= n) or column blocks; ta/tb: which operands
 * are stored transposed (decides the offsets of a block's operands). */
static void gemm_split(gemm_fn inner, int ta, int tb, size_t m, size_t n, size_t k, float alpha, const float *a,
                       size_t lda, const float *b, size_t ldb, float beta, float *c, size_t ldc)
{
    const int nt = threads_for((double)m * (double)n * (double)k, OMP_GEMM_MIN);
    if (nt == 1) {
        inner(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    const int by_rows = m >= n;
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        if (by_rows) {
            part(m, nt, t, OMP_ROW_ALIGN, &lo, &hi);
            if (lo < hi)
                inner(hi - lo, n, k, alpha, ta ? a + lo : a + lo * lda, lda, b, ldb, beta, c + lo * ldc, ldc);
        } else {
            part(n, nt, t, OMP_COL_ALIGN, &lo, &hi);
            if (lo < hi)
                inner(m, hi - lo, k, alpha, a, lda, tb ? b + lo * ldb : b + lo, ldb, beta, c + lo, ldc);
        }
    }
}

/* The GEMM tile of the inner level, chosen at run time (kernels/tuning.h):
 * the reference until sae_kernels_init_tuned sets it. */
static const SaeGemmTile *tile = &sae_gemm_tile_scalar;

void KN(gemm_use)(const SaeGemmTile *t) { tile = t; }

decl_gemm_fn(float, KN(gemm_nn)) { gemm_split(tile->nn, 0, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); }
decl_gemm_fn(float, KN(gemm_nt)) { gemm_split(tile->nt, 0, 1, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); }
decl_gemm_fn(float, KN(gemm_tn)) { gemm_split(tile->tn, 1, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); }

/* Splits [0, n) into parts aligned to `align`, one per thread worth `work`
 * (min per thread), and runs CALL on each with its lo and len in scope;
 * one thread: CALL once over everything. The one macro of this file: CALL
 * is a plain call of the inner kernel, which a debugger steps into. */
/* clang-format off */
#define SPLIT(n, work, min, align, CALL) \
    do { \
        const int nt = threads_for((work), (min)); \
        if (nt == 1) { \
            const size_t lo = 0, len = (n); \
            CALL; \
            break; \
        } \
        _Pragma("omp parallel for num_threads(nt) schedule(static)") \
        for (int t = 0; t < nt; t++) { \
            size_t lo, hi; \
            part((n), nt, t, (align), &lo, &hi); \
            const size_t len = hi - lo; \
            if (len) \
                CALL; \
        } \
    } while (0)
/* clang-format on */
/* Elements of an array, rows of a rows x cols matrix. */
#define SPLIT_ELEMS(cnt, CALL) SPLIT((cnt), (double)(cnt), OMP_ELEM_MIN, OMP_ELEM_ALIGN, CALL)
#define SPLIT_ROWS(rows, cols, CALL) SPLIT((rows), (double)(rows) * (double)(cols), OMP_ELEM_MIN, 1, CALL)

decl_gemm_bias_act_fn(float, KN(gemm_bias_act))
{
    SPLIT(m, (double)m * (double)n * (double)k, OMP_GEMM_MIN, OMP_ROW_ALIGN,
          tile->bias_act(len, n, k, a + lo * lda, lda, b, ldb, trans_b, bias, act, z ? z + lo * n : NULL, h + lo * n));
}

decl_exp_fn(float, KN(exp)) { SPLIT_ELEMS(cnt, INNER(exp)(len, x + lo, y + lo)); }

decl_bias_act_fn(float, KN(bias_sigmoid))
{
    SPLIT_ROWS(m, n, INNER(bias_sigmoid)(len, n, bias, z + lo * n, h + lo * n));
}
decl_bias_act_fn(float, KN(bias_tanh)) { SPLIT_ROWS(m, n, INNER(bias_tanh)(len, n, bias, z + lo * n, h + lo * n)); }
decl_bias_act_fn(float, KN(bias_relu)) { SPLIT_ROWS(m, n, INNER(bias_relu)(len, n, bias, z + lo * n, h + lo * n)); }
decl_bias_act_fn(float, KN(bias_linear)) { SPLIT_ROWS(m, n, INNER(bias_linear)(len, n, bias, z + lo * n, h + lo * n)); }

decl_dact_fn(float, KN(dsigmoid)) { SPLIT_ELEMS(cnt, INNER(dsigmoid)(len, h + lo, g + lo)); }
decl_dact_fn(float, KN(dtanh)) { SPLIT_ELEMS(cnt, INNER(dtanh)(len, h + lo, g + lo)); }
decl_dact_fn(float, KN(drelu)) { SPLIT_ELEMS(cnt, INNER(drelu)(len, h + lo, g + lo)); }

decl_cae_delta_fn(float, KN(cae_delta_sigmoid))
{
    SPLIT_ROWS(m, k, INNER(cae_delta_sigmoid)(len, k, h + lo * k, c, d + lo * k));
}
decl_cae_delta_fn(float, KN(cae_delta_tanh))
{
    SPLIT_ROWS(m, k, INNER(cae_delta_tanh)(len, k, h + lo * k, c, d + lo * k));
}

/* This thread's partial column sums (kept per thread, grown by doubling;
 * outgrown blocks stay with the process). */
static double *partial(size_t n)
{
    static _Thread_local double *buf;
    static _Thread_local size_t cap;
    if (n > cap) {
        const size_t want = n > 2 * cap ? n : 2 * cap;
        buf = sae_scratch_alloc(want * sizeof(double));
        cap = buf ? want : 0;
    }
    return buf;
}

/* A column-sum kernel over rows [r0, r0 + rows) of its operands, summing
 * into out (overwritten): what colsum_split divides among threads. */
typedef struct RowSums {
    void (*run)(const struct RowSums *rs, size_t r0, size_t rows, double *out);
    decl_colsum_fn(float, *colsum); /* colsum, cae_dsq: (rows, cols, src + r0 * cols, out) */
    const float *src;
    decl_out_delta_fn(float, *out_delta); /* out_delta: its operands at row r0 */
    float s;
    const float *xh, *x;
    int sig;
    float *d;
    decl_hid_delta_fn(float, *hid_delta); /* hid_delta: h, g at row r0; l1, row, act as given */
    const float *h, *row;
    float l1;
    int act;
    float *g;
    size_t cols;
} RowSums;

static void run_colsum(const RowSums *rs, size_t r0, size_t rows, double *out)
{
    rs->colsum(rows, rs->cols, rs->src + r0 * rs->cols, out);
}

static void run_out_delta(const RowSums *rs, size_t r0, size_t rows, double *out)
{
    const size_t o = r0 * rs->cols;
    rs->out_delta(rows, rs->cols, rs->s, rs->xh + o, rs->x + o, rs->sig, rs->d + o, out);
}

static void run_hid_delta(const RowSums *rs, size_t r0, size_t rows, double *out)
{
    const size_t o = r0 * rs->cols;
    rs->hid_delta(rows, rs->cols, rs->h + o, rs->l1, rs->row, rs->act, rs->g + o, out);
}

/* Column sums split by rows: each thread sums its rows into its own
 * partial vector, added in thread order. colsum, every cae_dsq,
 * out_delta and hid_delta share this shape. */
static void colsum_split(const RowSums *rs, size_t rows, double *out)
{
    const size_t cols = rs->cols;
    const int want = threads_for((double)rows * (double)cols, OMP_ELEM_MIN);
    const int nt = want < OMP_MAX_PARTS ? want : OMP_MAX_PARTS;
    double *parts[OMP_MAX_PARTS] = { 0 };
    if (nt > 1) {
#pragma omp parallel for num_threads(nt) schedule(static)
        for (int t = 0; t < nt; t++) {
            size_t r0, hi;
            part(rows, nt, t, 1, &r0, &hi);
            double *p = partial(cols);
            parts[t] = p;
            if (p)
                rs->run(rs, r0, hi - r0, p);
        }
    }
    int ok = nt > 1;
    for (int t = 0; t < nt && ok; t++) ok = parts[t] != NULL;
    if (!ok) { /* one thread, or a partial could not be had (every part is redone whole) */
        rs->run(rs, 0, rows, out);
        return;
    }
    for (size_t j = 0; j < cols; j++) out[j] = parts[0][j];
    for (int t = 1; t < nt; t++)
        for (size_t j = 0; j < cols; j++) out[j] += parts[t][j];
}

decl_hid_delta_fn(float, KN(hid_delta))
{
    const RowSums rs = {
        .run = run_hid_delta, .hid_delta = INNER(hid_delta), .h = h, .l1 = l1, .row = row, .act = act, .g = g, .cols = k
    };
    colsum_split(&rs, m, colsum);
}

typedef decl_colsum_fn(float, *colsum_fn);

static void colsum_of(colsum_fn fn, size_t rows, size_t cols, const float *src, double *out)
{
    const RowSums rs = { .run = run_colsum, .colsum = fn, .src = src, .cols = cols };
    colsum_split(&rs, rows, out);
}

decl_out_delta_fn(float, KN(out_delta))
{
    const RowSums rs = {
        .run = run_out_delta, .out_delta = INNER(out_delta), .s = s, .xh = xh, .x = x, .sig = sig, .d = d, .cols = n
    };
    colsum_split(&rs, m, colsum);
}

decl_colsum_fn(float, KN(colsum)) { colsum_of(INNER(colsum), m, n, a, out); }
decl_cae_dsq_fn(float, KN(cae_dsq_sigmoid)) { colsum_of(INNER(cae_dsq_sigmoid), m, k, h, out); }
decl_cae_dsq_fn(float, KN(cae_dsq_tanh)) { colsum_of(INNER(cae_dsq_tanh), m, k, h, out); }
decl_cae_dsq_fn(float, KN(cae_dsq_relu)) { colsum_of(INNER(cae_dsq_relu), m, k, h, out); }

decl_row_sqnorm_fn(float, KN(row_sqnorm))
{
    SPLIT_ROWS(rows, cols, INNER(row_sqnorm)(len, cols, w + lo * cols, out + lo));
}

typedef decl_sqdiff_sum_fn(float, *sum2_fn);

/* abs_sum in the two-array shape of the other reductions (b unused). */
static double abs_sum2(size_t cnt, const float *x, const float *unused)
{
    (void)unused;
    return INNER(abs_sum)(cnt, x);
}

/* A sum over fixed chunks (their size depends on cnt only), added in
 * order: the same result for every thread count. */
static double reduce_split(sum2_fn inner, size_t cnt, const float *a, const float *b)
{
    if (cnt < OMP_REDUCE_MIN || omp_get_max_threads() <= 1)
        return inner(cnt, a, b);
    double sums[OMP_CHUNKS];
#pragma omp parallel for schedule(static)
    for (int ch = 0; ch < OMP_CHUNKS; ch++) {
        size_t lo, hi;
        part(cnt, OMP_CHUNKS, ch, OMP_ELEM_ALIGN, &lo, &hi);
        sums[ch] = lo < hi ? inner(hi - lo, a + lo, b ? b + lo : NULL) : 0.0;
    }
    double s = 0;
    for (int ch = 0; ch < OMP_CHUNKS; ch++) s += sums[ch];
    return s;
}

decl_sqdiff_sum_fn(float, KN(sqdiff_sum)) { return reduce_split(INNER(sqdiff_sum), cnt, a, b); }
decl_bce_sum_fn(float, KN(bce_sum)) { return reduce_split(INNER(bce_sum), cnt, z, x); }
decl_abs_sum_fn(float, KN(abs_sum)) { return reduce_split(abs_sum2, cnt, x, NULL); }
decl_dot_fn(float, KN(dot)) { return reduce_split(INNER(dot), cnt, a, b); }
decl_axpy_fn(float, KN(axpy)) { SPLIT_ELEMS(cnt, INNER(axpy)(len, s, x + lo, y + lo)); }

decl_sub_scale_fn(float, KN(sub_scale)) { SPLIT_ELEMS(cnt, INNER(sub_scale)(len, s, a + lo, b + lo, out + lo)); }
decl_sign_axpy_fn(float, KN(sign_axpy)) { SPLIT_ELEMS(cnt, INNER(sign_axpy)(len, s, h + lo, g + lo)); }

decl_wpen_grad_fn(float, KN(wpen_grad))
{
    SPLIT_ROWS(rows, cols,
               INNER(wpen_grad)(len, cols, w + lo * cols, lambda, l1, rowscale ? rowscale + lo : NULL, g + lo * cols));
}

decl_sgd_step_fn(float, KN(sgd_step)) { SPLIT_ELEMS(cnt, INNER(sgd_step)(len, lr, mu, g + lo, v + lo, theta + lo)); }

decl_adam_step_fn(float, KN(adam_step))
{
    SPLIT_ELEMS(cnt, INNER(adam_step)(len, lr, b1, b2, eps, bc1, bc2, g + lo, m + lo, v + lo, theta + lo));
}

/* The sparse kernels: each thread takes whole samples, except in the
 * scatter, where samples add into the same rows of C: there each takes a
 * range of n, so every entry is summed in the same order whatever the
 * thread count. */
decl_topk_fn(float, KN(topk)) { SPLIT_ROWS(m, k, INNER(topk)(len, k, K, h + lo * k, idx + lo * K, val + lo * K)); }

decl_sp_gemm_fn(float, KN(sp_gemm))
{
    SPLIT(m, (double)m * (double)n * (double)K, OMP_ELEM_MIN, 1,
          INNER(sp_gemm)(len, n, K, idx + lo * K, val + lo * K, b, ldb, c + lo * ldc, ldc));
}

decl_sp_sddmm_fn(float, KN(sp_sddmm))
{
    SPLIT(m, (double)m * (double)n * (double)K, OMP_ELEM_MIN, 1,
          INNER(sp_sddmm)(len, n, K, idx + lo * K, a + lo * lda, lda, b, ldb, out + lo * K));
}

decl_sp_scatter_fn(float, KN(sp_scatter))
{
    SPLIT(n, (double)m * (double)n * (double)K, OMP_ELEM_MIN, OMP_ELEM_ALIGN,
          INNER(sp_scatter)(m, len, K, idx, val, a + lo, lda, c + lo, ldc));
}
