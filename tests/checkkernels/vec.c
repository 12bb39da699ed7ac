/* checkkernels, the vec family (kernels.h SAE_VEC_SLOTS): dot, axpy,
 * sub_scale and sign_axpy in float on every count of ElemCase, and the
 * double table's dot and axpy (L-BFGS's vector algebra) on double inputs
 * that end at a PROT_NONE page. */
#include <float.h>
#include <math.h>

#include "tests/checkkernels/checkkernels.h"

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

/* one FMA against a product and a sum: a rounding apart */
static void axpy_case(ElemCase *c, const void *unused)
{
    (void)unused;
    ck_ref->axpy(c->cnt, -0.3f, in_cnt(c, &c->i1), c->o_ref);
    GUARDED(ck_new->axpy(c->cnt, -0.3f, in_cnt(c, &c->i1), c->o));
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
}

static void sub_scale_case(ElemCase *c, const void *unused)
{
    (void)unused;
    ck_ref->sub_scale(c->cnt, 0.37f, in_cnt(c, &c->i1), in_cnt(c, &c->i2), c->o_ref);
    GUARDED(ck_new->sub_scale(c->cnt, 0.37f, in_cnt(c, &c->i1), in_cnt(c, &c->i2), c->o));
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 0, 0);
}

static void sign_axpy_case(ElemCase *c, const void *unused)
{
    (void)unused;
    ck_ref->sign_axpy(c->cnt, -0.3f, in_cnt(c, &c->i1), c->o_ref);
    GUARDED(ck_new->sign_axpy(c->cnt, -0.3f, in_cnt(c, &c->i1), c->o));
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 0, 0);
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

void check_vec(void)
{
    CHECK_SLOT(dot, each_case(dot_case, NULL));
    CHECK_SLOT(axpy, each_case(axpy_case, NULL));
    CHECK_SLOT(sub_scale, each_case(sub_scale_case, NULL));
    CHECK_SLOT(sign_axpy, each_case(sign_axpy_case, NULL));
    CHECK_SLOT64(dot, each_case(dot64_case, NULL));
    CHECK_SLOT64(axpy, each_case(axpy64_case, NULL));
}
