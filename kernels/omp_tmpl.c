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

/* Runs part(args, lo, len) on the nt parts of [0, n), each aligned to
 * `align`, one per thread; with one thread, once over everything, called
 * directly (no parallel region: it costs a few hundred nanoseconds). Each
 * kernel below passes its operands in a struct and a part function that
 * offsets them: plain functions, which a debugger steps through. */
typedef void (*part_fn)(const void *args, size_t lo, size_t len);

static void split(size_t n, int nt, size_t align, part_fn run, const void *args)
{
    if (nt == 1) {
        run(args, 0, n);
        return;
    }
#pragma omp parallel for num_threads(nt) schedule(static)
    for (int t = 0; t < nt; t++) {
        size_t lo, hi;
        part(n, nt, t, align, &lo, &hi);
        if (lo < hi)
            run(args, lo, hi - lo);
    }
}

/* split over the elements of an array, and over the rows of a rows x cols
 * matrix. */
static void split_elems(size_t cnt, part_fn run, const void *args)
{
    split(cnt, threads_for((double)cnt, OMP_ELEM_MIN), OMP_ELEM_ALIGN, run, args);
}

static void split_rows(size_t rows, size_t cols, part_fn run, const void *args)
{
    split(rows, threads_for((double)rows * (double)cols, OMP_ELEM_MIN), 1, run, args);
}

typedef struct BiasActArgs {
    decl_gemm_bias_act_fn(float, *fn);
    size_t n, k, lda, ldb;
    const float *a, *b, *bias;
    int trans_b, act;
    float *z, *h;
} BiasActArgs;

static void gemm_bias_act_part(const void *p, size_t lo, size_t len)
{
    const BiasActArgs *g = p;
    g->fn(len, g->n, g->k, g->a + lo * g->lda, g->lda, g->b, g->ldb, g->trans_b, g->bias, g->act,
          g->z ? g->z + lo * g->n : NULL, g->h + lo * g->n);
}

decl_gemm_bias_act_fn(float, KN(gemm_bias_act))
{
    const BiasActArgs g = { tile->bias_act, n, k, lda, ldb, a, b, bias, trans_b, act, z, h };
    split(m, threads_for((double)m * (double)n * (double)k, OMP_GEMM_MIN), OMP_ROW_ALIGN, gemm_bias_act_part, &g);
}

/* y = f(x) over an array: exp (x, y) and the derivatives (h, g), whose
 * signatures are the same. */
typedef struct ArrayArgs {
    decl_dact_fn(float, *fn);
    const float *x;
    float *y;
} ArrayArgs;

static void array_part(const void *p, size_t lo, size_t len)
{
    const ArrayArgs *a = p;
    a->fn(len, a->x + lo, a->y + lo);
}

decl_exp_fn(float, KN(exp)) { split_elems(cnt, array_part, &(ArrayArgs){ INNER(exp), x, y }); }

/* Rows of z += bias, h = f(z). */
typedef struct RowActArgs {
    decl_bias_act_fn(float, *fn);
    size_t n;
    const float *bias;
    float *z, *h;
} RowActArgs;

static void bias_act_part(const void *p, size_t lo, size_t len)
{
    const RowActArgs *a = p;
    a->fn(len, a->n, a->bias, a->z + lo * a->n, a->h + lo * a->n);
}

static void bias_act_split(decl_bias_act_fn(float, *fn), size_t m, size_t n, const float *bias, float *z, float *h)
{
    split_rows(m, n, bias_act_part, &(RowActArgs){ fn, n, bias, z, h });
}

decl_bias_act_fn(float, KN(bias_sigmoid)) { bias_act_split(INNER(bias_sigmoid), m, n, bias, z, h); }
decl_bias_act_fn(float, KN(bias_tanh)) { bias_act_split(INNER(bias_tanh), m, n, bias, z, h); }
decl_bias_act_fn(float, KN(bias_relu)) { bias_act_split(INNER(bias_relu), m, n, bias, z, h); }
decl_bias_act_fn(float, KN(bias_linear)) { bias_act_split(INNER(bias_linear), m, n, bias, z, h); }

decl_dact_fn(float, KN(dsigmoid)) { split_elems(cnt, array_part, &(ArrayArgs){ INNER(dsigmoid), h, g }); }
decl_dact_fn(float, KN(dtanh)) { split_elems(cnt, array_part, &(ArrayArgs){ INNER(dtanh), h, g }); }
decl_dact_fn(float, KN(drelu)) { split_elems(cnt, array_part, &(ArrayArgs){ INNER(drelu), h, g }); }

/* Rows of the contractive delta. */
typedef struct CaeDeltaArgs {
    decl_cae_delta_fn(float, *fn);
    size_t k;
    const float *h, *c;
    float *d;
} CaeDeltaArgs;

static void cae_delta_part(const void *p, size_t lo, size_t len)
{
    const CaeDeltaArgs *a = p;
    a->fn(len, a->k, a->h + lo * a->k, a->c, a->d + lo * a->k);
}

decl_cae_delta_fn(float, KN(cae_delta_sigmoid))
{
    split_rows(m, k, cae_delta_part, &(CaeDeltaArgs){ INNER(cae_delta_sigmoid), k, h, c, d });
}
decl_cae_delta_fn(float, KN(cae_delta_tanh))
{
    split_rows(m, k, cae_delta_part, &(CaeDeltaArgs){ INNER(cae_delta_tanh), k, h, c, d });
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

typedef struct SqnormArgs {
    size_t cols;
    const float *w;
    double *out;
} SqnormArgs;

static void row_sqnorm_part(const void *p, size_t lo, size_t len)
{
    const SqnormArgs *a = p;
    INNER(row_sqnorm)(len, a->cols, a->w + lo * a->cols, a->out + lo);
}

decl_row_sqnorm_fn(float, KN(row_sqnorm)) { split_rows(rows, cols, row_sqnorm_part, &(SqnormArgs){ cols, w, out }); }

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
/* The scaled updates over arrays: y += s x (axpy) and g += s sign(h)
 * (sign_axpy), whose signatures are the same, and out = s (a - b). */
typedef struct ScaledArgs {
    decl_axpy_fn(float, *fn);
    float s;
    const float *x;
    float *y;
} ScaledArgs;

static void scaled_part(const void *p, size_t lo, size_t len)
{
    const ScaledArgs *a = p;
    a->fn(len, a->s, a->x + lo, a->y + lo);
}

decl_axpy_fn(float, KN(axpy)) { split_elems(cnt, scaled_part, &(ScaledArgs){ INNER(axpy), s, x, y }); }
decl_sign_axpy_fn(float, KN(sign_axpy)) { split_elems(cnt, scaled_part, &(ScaledArgs){ INNER(sign_axpy), s, h, g }); }

typedef struct SubScaleArgs {
    float s;
    const float *a, *b;
    float *out;
} SubScaleArgs;

static void sub_scale_part(const void *p, size_t lo, size_t len)
{
    const SubScaleArgs *a = p;
    INNER(sub_scale)(len, a->s, a->a + lo, a->b + lo, a->out + lo);
}

decl_sub_scale_fn(float, KN(sub_scale)) { split_elems(cnt, sub_scale_part, &(SubScaleArgs){ s, a, b, out }); }

typedef struct WpenArgs {
    size_t cols;
    const float *w, *rowscale;
    float lambda, l1;
    float *g;
} WpenArgs;

static void wpen_grad_part(const void *p, size_t lo, size_t len)
{
    const WpenArgs *a = p;
    INNER(wpen_grad)
    (len, a->cols, a->w + lo * a->cols, a->lambda, a->l1, a->rowscale ? a->rowscale + lo : NULL, a->g + lo * a->cols);
}

decl_wpen_grad_fn(float, KN(wpen_grad))
{
    split_rows(rows, cols, wpen_grad_part, &(WpenArgs){ cols, w, rowscale, lambda, l1, g });
}

/* The optimizer steps: sgd reads lr, mu (b1) and the penalties; adam all
 * of them. */
typedef struct StepArgs {
    float lr, b1, b2, eps, bc1, bc2, lambda, l1;
    const float *g;
    float *m, *v, *theta;
} StepArgs;

static void sgd_step_part(const void *p, size_t lo, size_t len)
{
    const StepArgs *a = p;
    INNER(sgd_step)(len, a->lr, a->b1, a->lambda, a->l1, a->g + lo, a->v + lo, a->theta + lo);
}

static void adam_step_part(const void *p, size_t lo, size_t len)
{
    const StepArgs *a = p;
    INNER(adam_step)
    (len, a->lr, a->b1, a->b2, a->eps, a->bc1, a->bc2, a->lambda, a->l1, a->g + lo, a->m + lo, a->v + lo,
     a->theta + lo);
}

decl_sgd_step_fn(float, KN(sgd_step))
{
    split_elems(cnt, sgd_step_part,
                &(StepArgs){ .lr = lr, .b1 = mu, .lambda = lambda, .l1 = l1, .g = g, .v = v, .theta = theta });
}

decl_adam_step_fn(float, KN(adam_step))
{
    const StepArgs a = { lr, b1, b2, eps, bc1, bc2, lambda, l1, g, m, v, theta };
    split_elems(cnt, adam_step_part, &a);
}

/* The sparse kernels: each thread takes whole samples, except in the
 * scatter, where samples add into the same rows of C: there each takes a
 * range of n, so every entry is summed in the same order whatever the
 * thread count. */
/* The products' operands: S's lists (idx, val, K a row), the dense a
 * (lda), B (ldb), the output (C: ldc), n, and m for the scatter, which
 * splits n. */
typedef struct SparseArgs {
    size_t n, m, K, lda, ldb, ldc;
    const uint32_t *idx;
    const float *val, *a, *b;
    float *out;
} SparseArgs;

/* topk's rows of h, and where their lists go. */
typedef struct TopkArgs {
    size_t k, K;
    float *h;
    uint32_t *idx;
    float *val;
} TopkArgs;

static void topk_part(const void *p, size_t lo, size_t len)
{
    const TopkArgs *t = p;
    INNER(topk)(len, t->k, t->K, t->h + lo * t->k, t->idx + lo * t->K, t->val + lo * t->K);
}

static void sp_gemm_part(const void *p, size_t lo, size_t len)
{
    const SparseArgs *s = p;
    INNER(sp_gemm)(len, s->n, s->K, s->idx + lo * s->K, s->val + lo * s->K, s->b, s->ldb, s->out + lo * s->ldc, s->ldc);
}

static void sp_sddmm_part(const void *p, size_t lo, size_t len)
{
    const SparseArgs *s = p;
    INNER(sp_sddmm)(len, s->n, s->K, s->idx + lo * s->K, s->a + lo * s->lda, s->lda, s->b, s->ldb, s->out + lo * s->K);
}

/* lo and len run over n here: every thread walks all m samples */
static void sp_scatter_part(const void *p, size_t lo, size_t len)
{
    const SparseArgs *s = p;
    INNER(sp_scatter)(s->m, len, s->K, s->idx, s->val, s->a + lo, s->lda, s->out + lo, s->ldc);
}

static int sparse_threads(size_t m, size_t n, size_t K)
{
    return threads_for((double)m * (double)n * (double)K, OMP_ELEM_MIN);
}

decl_topk_fn(float, KN(topk)) { split_rows(m, k, topk_part, &(TopkArgs){ k, K, h, idx, val }); }

decl_sp_gemm_fn(float, KN(sp_gemm))
{
    const SparseArgs s = { .n = n, .K = K, .ldb = ldb, .ldc = ldc, .idx = idx, .val = val, .b = b, .out = c };
    split(m, sparse_threads(m, n, K), 1, sp_gemm_part, &s);
}

decl_sp_sddmm_fn(float, KN(sp_sddmm))
{
    const SparseArgs s = { .n = n, .K = K, .lda = lda, .ldb = ldb, .idx = idx, .a = a, .b = b, .out = out };
    split(m, sparse_threads(m, n, K), 1, sp_sddmm_part, &s);
}

decl_sp_scatter_fn(float, KN(sp_scatter))
{
    const SparseArgs s = { .m = m, .K = K, .lda = lda, .ldc = ldc, .idx = idx, .val = val, .a = a, .out = c };
    split(n, sparse_threads(m, n, K), OMP_ELEM_ALIGN, sp_scatter_part, &s);
}
