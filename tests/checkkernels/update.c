/* checkkernels, the update family: the gradient and optimizer kernels that
 * write arrays in place (sub_scale, sign_axpy, axpy, wpen_grad, sgd_step,
 * adam_step), on every count and shape of ElemCase. */
#include <float.h>

#include "tests/checkkernels/checkkernels.h"

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

/* one FMA against a product and a sum: a rounding apart */
static void axpy_case(ElemCase *c, const void *unused)
{
    (void)unused;
    ck_ref->axpy(c->cnt, -0.3f, in_cnt(c, &c->i1), c->o_ref);
    GUARDED(ck_new->axpy(c->cnt, -0.3f, in_cnt(c, &c->i1), c->o));
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
}

/* every other case with a per-row scale */
static void wpen_grad_case(ElemCase *c, const void *unused)
{
    (void)unused;
    const float *rowscale = c->index % 2 ? c->ir.p : NULL;
    ck_ref->wpen_grad(c->m, c->n, in_mn(c, &c->i1), 0.01f, 0.002f, rowscale, c->o_ref);
    GUARDED(ck_new->wpen_grad(c->m, c->n, in_mn(c, &c->i1), 0.01f, 0.002f, rowscale, c->o));
    expect_arrays(c->what, c->o, c->o_ref, c->mn, 1e-7, 2 * FLT_EPSILON);
}

static void sgd_step_case(ElemCase *c, const void *unused)
{
    (void)unused;
    ck_ref->sgd_step(c->cnt, 0.1f, 0.9f, in_cnt(c, &c->i2), c->o2_ref, c->o_ref);
    GUARDED(ck_new->sgd_step(c->cnt, 0.1f, 0.9f, in_cnt(c, &c->i2), c->o2, c->o));
    expect_arrays(c->what, c->o2, c->o2_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
    out_check_guards(c->o2, c->big, "v");
}

static void adam_step_case(ElemCase *c, const void *unused)
{
    (void)unused;
    ck_ref->adam_step(c->cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, in_cnt(c, &c->i2), c->o3_ref, c->o2_ref,
                      c->o_ref);
    GUARDED(
        ck_new->adam_step(c->cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, in_cnt(c, &c->i2), c->o3, c->o2, c->o));
    expect_arrays(c->what, c->o3, c->o3_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
    expect_arrays(c->what, c->o2, c->o2_ref, c->cnt, 1e-9, 2 * FLT_EPSILON);
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
    out_check_guards(c->o3, c->big, "m");
}

void check_update(void)
{
    CHECK_SLOT(sub_scale, each_case(sub_scale_case, NULL));
    CHECK_SLOT(sign_axpy, each_case(sign_axpy_case, NULL));
    CHECK_SLOT(axpy, each_case(axpy_case, NULL));
    CHECK_SLOT(wpen_grad, each_case(wpen_grad_case, NULL));
    CHECK_SLOT(sgd_step, each_case(sgd_step_case, NULL));
    CHECK_SLOT(adam_step, each_case(adam_step_case, NULL));
}
