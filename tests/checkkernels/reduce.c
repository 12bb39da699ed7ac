/* checkkernels, the reduction family: sums that leave in double (colsum,
 * row_sqnorm, sqdiff_sum, bce_sum, abs_sum), on every count and shape of
 * ElemCase; their float terms' own rounding dominates the tolerance. */
#include <float.h>

#include "tests/checkkernels/checkkernels.h"

typedef decl_colsum_fn(float, *colsum_fn);

/* colsum (rows = m) and row_sqnorm (rows <= 256): out has cols or rows
 * entries, of a rows x cols matrix of uniform(-1, 1). */
static void check_matrix_sums(colsum_fn ref, colsum_fn fn, int per_row)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        double d_ref[256], d[256];
        const size_t cols = c.n < 256 ? c.n : 256, rows = !per_row ? c.m : (c.m < 256 ? c.m : 256);
        const float *a = c.i2.p + c.big - rows * cols;
        ref(rows, cols, a, d_ref);
        GUARDED(fn(rows, cols, a, d));
        const size_t outs = per_row ? rows : cols;
        for (size_t j = 0; j < outs && !failed(); j++)
            if (!close_f(d[j], d_ref[j], 1e-12 * (double)(rows + cols), 1e-12))
                fail("%s: out[%zu] = %.15g, reference %.15g", c.what, j, d[j], d_ref[j]);
        elem_case_end(&c);
    }
}

typedef decl_sqdiff_sum_fn(float, *sum2_fn);

/* sqdiff_sum(a, b) and bce_sum(z, x): a from the activation inputs, b
 * uniform(-1, 1) for sqdiff and targets in [0, 1] for bce. */
static void check_sum2(sum2_fn ref, sum2_fn fn, int bce)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        const float *a = in_cnt(&c, &c.i1), *b = bce ? c.o3_ref : in_cnt(&c, &c.i2);
        const double r = ref(c.cnt, a, b);
        double g = 0;
        GUARDED(g = fn(c.cnt, a, b));
        if (!close_f(g, r, 1e-9, bce ? 4 * FLT_EPSILON : 1e-12))
            fail("%s: %.15g, reference %.15g", c.what, g, r);
        elem_case_end(&c);
    }
}

static void check_abs_sum(void)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        const double r = ck_ref->abs_sum(c.cnt, in_cnt(&c, &c.i2));
        double g = 0;
        GUARDED(g = ck_new->abs_sum(c.cnt, in_cnt(&c, &c.i2)));
        if (!close_f(g, r, 1e-9, 1e-12))
            fail("%s: %.15g, reference %.15g", c.what, g, r);
        elem_case_end(&c);
    }
}

void check_reduce(void)
{
    CHECK_SLOT(colsum, check_matrix_sums(ck_ref->colsum, ck_new->colsum, 0));
    CHECK_SLOT(row_sqnorm, check_matrix_sums(ck_ref->row_sqnorm, ck_new->row_sqnorm, 1));
    CHECK_SLOT(sqdiff_sum, check_sum2(ck_ref->sqdiff_sum, ck_new->sqdiff_sum, 0));
    CHECK_SLOT(bce_sum, check_sum2(ck_ref->bce_sum, ck_new->bce_sum, 1));
    CHECK_SLOT(abs_sum, check_abs_sum());
}
