/* checkkernels, the reduce family (kernels.h SAE_REDUCE_SLOTS): sums that
 * leave in double (colsum, row_sqnorm, the contractive cae_dsq_<f>,
 * sqdiff_sum, bce_sum, abs_sum), on every count and shape of ElemCase;
 * their float terms' own rounding dominates the tolerance. */
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

/* signed_h: h uniform in (-1, 1) (relu), else in (0.01, 0.99) */
typedef struct CaeDsq {
    decl_cae_dsq_fn(float, *ref);
    decl_cae_dsq_fn(float, *fn);
    int signed_h;
} CaeDsq;

static void cae_dsq_case(ElemCase *c, const void *arg)
{
    const CaeDsq *p = arg;
    double d_ref[256], d[256];
    const size_t kk = c->n < 256 ? c->n : 256;
    const float *h = p->signed_h ? in_mn(c, &c->i2) : c->o2_ref;
    p->ref(c->m, kk, h, d_ref);
    GUARDED(p->fn(c->m, kk, h, d));
    for (size_t j = 0; j < kk && !failed(); j++) /* 1 - h^2 cancels near |h| = 1: an absolute bound per term (D <= 1) */
        if (!close_f(d[j], d_ref[j], 8 * FLT_EPSILON * (double)c->m, rel_sum_tol(c->m)))
            fail("%s: out[%zu] = %.12g, reference %.12g", c->what, j, d[j], d_ref[j]);
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
    /* bce: each softplus term carries its own rounding (<= 3 ULP in the
     * kernel, vmath.c; ~2.5 in the float reference), so the bound is 6 eps
     * times the sum of the terms, absolute: softplus(z) - x z cancels to
     * near 0 for some z and x, where a bound relative to the result failed
     * about once in 200000 random cases. */
    double terms = 0;
    for (size_t i = 0; p->bce && i < c->cnt; i++) terms += softplus_d(a[i]);
    if (!close_f(g, r, 1e-9 + 6 * FLT_EPSILON * terms, p->bce ? 0 : 1e-12))
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

void check_reduce(void)
{
    CHECK_SLOT(colsum, each_case(matrix_sums_case, &(MatrixSums){ ck_ref->colsum, ck_new->colsum, 0 }));
    CHECK_SLOT(row_sqnorm, each_case(matrix_sums_case, &(MatrixSums){ ck_ref->row_sqnorm, ck_new->row_sqnorm, 1 }));
    CHECK_SLOT(cae_dsq_sigmoid,
               each_case(cae_dsq_case, &(CaeDsq){ ck_ref->cae_dsq_sigmoid, ck_new->cae_dsq_sigmoid, 0 }));
    CHECK_SLOT(cae_dsq_tanh, each_case(cae_dsq_case, &(CaeDsq){ ck_ref->cae_dsq_tanh, ck_new->cae_dsq_tanh, 0 }));
    CHECK_SLOT(cae_dsq_relu, each_case(cae_dsq_case, &(CaeDsq){ ck_ref->cae_dsq_relu, ck_new->cae_dsq_relu, 1 }));
    CHECK_SLOT(sqdiff_sum, each_case(sum2_case, &(Sum2){ ck_ref->sqdiff_sum, ck_new->sqdiff_sum, 0 }));
    CHECK_SLOT(bce_sum, each_case(sum2_case, &(Sum2){ ck_ref->bce_sum, ck_new->bce_sum, 1 }));
    CHECK_SLOT(abs_sum, each_case(abs_sum_case, NULL));
}
