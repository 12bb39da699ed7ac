/* checkkernels, the reduction family: sums that leave in double (colsum,
 * row_sqnorm, sqdiff_sum, bce_sum, abs_sum, dot) and out_delta, hid_delta (a
 * delta array with its column sums), on every count and shape of
 * ElemCase; their float terms' own rounding dominates the tolerance. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/checkkernels/checkkernels.h"

/* colsum (rows = m) and row_sqnorm (per_row; rows <= 256): out has cols or
 * rows entries, of a rows x cols matrix of uniform(-1, 1). */
typedef struct MatrixSums {
    decl_colsum_fn(float, *ref);
    decl_colsum_fn(float, *fn);
    int per_row;
} MatrixSums;

static void matrix_sums_case(ElemCase *c, const void *arg)
{
    const MatrixSums *p = arg;
    double d_ref[256], d[256];
    const size_t cols = c->n < 256 ? c->n : 256, rows = !p->per_row ? c->m : (c->m < 256 ? c->m : 256);
    const float *a = c->i2.p + c->big - rows * cols;
    p->ref(rows, cols, a, d_ref);
    GUARDED(p->fn(rows, cols, a, d));
    const size_t outs = p->per_row ? rows : cols;
    for (size_t j = 0; j < outs && !failed(); j++)
        if (!close_f(d[j], d_ref[j], 1e-12 * (double)(rows + cols), 1e-12))
            fail("%s: out[%zu] = %.15g, reference %.15g", c->what, j, d[j], d_ref[j]);
}

/* The checks of a fused delta kernel: its m x n delta array in c->o
 * against c->o_ref, and its column sums to the rounding of the deltas
 * they add. */
static void check_delta(const char *what, const ElemCase *c, const double *cs, const double *cs_ref)
{
    expect_arrays(what, c->o, c->o_ref, c->mn, 1e-7, 4 * FLT_EPSILON);
    for (size_t j = 0; j < c->n && !failed(); j++) {
        double mag = 0;
        for (size_t i = 0; i < c->m; i++) mag += fabs(c->o_ref[i * c->n + j]);
        if (!close_f(cs[j], cs_ref[j], 4 * FLT_EPSILON * mag + 1e-12, 0))
            fail("%s: colsum[%zu] = %.15g, reference %.15g", what, j, cs[j], cs_ref[j]);
    }
}

/* out_delta on the case's m x n shape, xh in (0.01, 0.99) (a sigmoid's
 * outputs), both decoders in turn. */
static void out_delta_case(ElemCase *c, const void *unused)
{
    (void)unused;
    const int sig = (int)(c->index % 2);
    const float *xh = c->o2_ref, *x = in_mn(c, &c->i2);
    double *cs_ref = malloc(2 * (c->n + 1) * sizeof(double));
    if (!cs_ref) {
        fail("out of memory");
        return;
    }
    double *cs = cs_ref + c->n + 1;
    ck_ref->out_delta(c->m, c->n, 0.37f, xh, x, sig, c->o_ref, cs_ref);
    GUARDED(ck_new->out_delta(c->m, c->n, 0.37f, xh, x, sig, c->o, cs));
    char what[96];
    snprintf(what, sizeof what, "%s sig %d: d", c->what, sig);
    check_delta(what, c, cs, cs_ref);
    free(cs_ref);
}

/* hid_delta on the case's m x k shape: h in (0.01, 0.99) (with exact
 * zeros on every seventh entry, the relu kink), g uniform(-1, 1); each
 * encoder in turn, with and without the L1 term and the row. */
static void hid_delta_case(ElemCase *c, const void *unused)
{
    (void)unused;
    static const int acts[] = { SAE_K_SIGMOID, SAE_K_TANH, SAE_K_RELU };
    const int act = acts[c->index % 3], with_l1 = (int)(c->index / 3 % 2), with_row = (int)(c->index / 6 % 2);
    float *h = c->o3_ref; /* written here: a fresh output buffer of the case */
    for (size_t i = 0; i < c->mn; i++) h[i] = i % 7 == 3 ? 0.0f : c->o2_ref[i];
    const float *row = with_row ? c->iv.p : NULL, *g0 = in_mn(c, &c->i2); /* iv: n entries */
    double *cs_ref = malloc(2 * (c->n + 1) * sizeof(double));
    if (!cs_ref) {
        fail("out of memory");
        return;
    }
    double *cs = cs_ref + c->n + 1;
    for (size_t i = 0; i < c->mn; i++) c->o_ref[i] = c->o[i] = g0[i];
    ck_ref->hid_delta(c->m, c->n, h, with_l1 ? 0.013f : 0.0f, row, act, c->o_ref, cs_ref);
    GUARDED(ck_new->hid_delta(c->m, c->n, h, with_l1 ? 0.013f : 0.0f, row, act, c->o, cs));
    char what[96];
    snprintf(what, sizeof what, "%s act %d l1 %d row %d: g", c->what, act, with_l1, with_row);
    check_delta(what, c, cs, cs_ref);
    free(cs_ref);
}

/* sqdiff_sum(a, b) and bce_sum(z, x): a from the activation inputs, b
 * uniform(-1, 1) for sqdiff and targets in [0, 1] for bce. */
typedef struct Sum2 {
    decl_sqdiff_sum_fn(float, *ref);
    decl_sqdiff_sum_fn(float, *fn);
    int bce;
} Sum2;

static void sum2_case(ElemCase *c, const void *arg)
{
    const Sum2 *p = arg;
    const float *a = in_cnt(c, &c->i1), *b = p->bce ? c->o3_ref : in_cnt(c, &c->i2);
    const double r = p->ref(c->cnt, a, b);
    double g = 0;
    GUARDED(g = p->fn(c->cnt, a, b));
    if (!close_f(g, r, 1e-9, p->bce ? 4 * FLT_EPSILON : 1e-12))
        fail("%s: %.15g, reference %.15g", c->what, g, r);
}

static void abs_sum_case(ElemCase *c, const void *unused)
{
    (void)unused;
    const double r = ck_ref->abs_sum(c->cnt, in_cnt(c, &c->i2));
    double g = 0;
    GUARDED(g = ck_new->abs_sum(c->cnt, in_cnt(c, &c->i2)));
    if (!close_f(g, r, 1e-9, 1e-12))
        fail("%s: %.15g, reference %.15g", c->what, g, r);
}

static void dot_case(ElemCase *c, const void *unused)
{
    (void)unused;
    const double r = ck_ref->dot(c->cnt, in_cnt(c, &c->i1), in_cnt(c, &c->i2));
    double g = 0;
    GUARDED(g = ck_new->dot(c->cnt, in_cnt(c, &c->i1), in_cnt(c, &c->i2)));
    /* float products summed in double: only the order of the sum differs */
    if (!close_f(g, r, 1e-12, rel_sum_tol(c->cnt)))
        fail("%s: %.15g, reference %.15g", c->what, g, r);
}

void check_reduce(void)
{
    CHECK_SLOT(out_delta, each_case(out_delta_case, NULL));
    CHECK_SLOT(hid_delta, each_case(hid_delta_case, NULL));
    CHECK_SLOT(colsum, each_case(matrix_sums_case, &(MatrixSums){ ck_ref->colsum, ck_new->colsum, 0 }));
    CHECK_SLOT(row_sqnorm, each_case(matrix_sums_case, &(MatrixSums){ ck_ref->row_sqnorm, ck_new->row_sqnorm, 1 }));
    CHECK_SLOT(sqdiff_sum, each_case(sum2_case, &(Sum2){ ck_ref->sqdiff_sum, ck_new->sqdiff_sum, 0 }));
    CHECK_SLOT(bce_sum, each_case(sum2_case, &(Sum2){ ck_ref->bce_sum, ck_new->bce_sum, 1 }));
    CHECK_SLOT(abs_sum, each_case(abs_sum_case, NULL));
    CHECK_SLOT(dot, each_case(dot_case, NULL));
}
