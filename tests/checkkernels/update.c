/* checkkernels, the update family: the gradient and optimizer kernels that
 * write arrays in place (sub_scale, sign_axpy, wpen_grad, sgd_step,
 * adam_step), on every count and shape of ElemCase. */
#include <float.h>

#include "tests/checkkernels/checkkernels.h"

static void check_sub_scale(void)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        ck_ref->sub_scale(c.cnt, 0.37f, in_cnt(&c, &c.i1), in_cnt(&c, &c.i2), c.o_ref);
        GUARDED(ck_new->sub_scale(c.cnt, 0.37f, in_cnt(&c, &c.i1), in_cnt(&c, &c.i2), c.o));
        expect_arrays(c.what, c.o, c.o_ref, c.cnt, 0, 0);
        elem_case_end(&c);
    }
}

static void check_sign_axpy(void)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        ck_ref->sign_axpy(c.cnt, -0.3f, in_cnt(&c, &c.i1), c.o_ref);
        GUARDED(ck_new->sign_axpy(c.cnt, -0.3f, in_cnt(&c, &c.i1), c.o));
        expect_arrays(c.what, c.o, c.o_ref, c.cnt, 0, 0);
        elem_case_end(&c);
    }
}

/* every other case with a per-row scale */
static void check_wpen_grad(void)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        const float *rowscale = t % 2 ? c.ir.p : NULL;
        ck_ref->wpen_grad(c.m, c.n, in_mn(&c, &c.i1), 0.01f, 0.002f, rowscale, c.o_ref);
        GUARDED(ck_new->wpen_grad(c.m, c.n, in_mn(&c, &c.i1), 0.01f, 0.002f, rowscale, c.o));
        expect_arrays(c.what, c.o, c.o_ref, c.mn, 1e-7, 2 * FLT_EPSILON);
        elem_case_end(&c);
    }
}

static void check_sgd_step(void)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        ck_ref->sgd_step(c.cnt, 0.1f, 0.9f, in_cnt(&c, &c.i2), c.o2_ref, c.o_ref);
        GUARDED(ck_new->sgd_step(c.cnt, 0.1f, 0.9f, in_cnt(&c, &c.i2), c.o2, c.o));
        expect_arrays(c.what, c.o2, c.o2_ref, c.cnt, 1e-7, 2 * FLT_EPSILON);
        expect_arrays(c.what, c.o, c.o_ref, c.cnt, 1e-7, 2 * FLT_EPSILON);
        out_check_guards(c.o2, c.big, "v");
        elem_case_end(&c);
    }
}

static void check_adam_step(void)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        ck_ref->adam_step(c.cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, in_cnt(&c, &c.i2), c.o3_ref, c.o2_ref,
                          c.o_ref);
        GUARDED(
            ck_new->adam_step(c.cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, in_cnt(&c, &c.i2), c.o3, c.o2, c.o));
        expect_arrays(c.what, c.o3, c.o3_ref, c.cnt, 1e-7, 2 * FLT_EPSILON);
        expect_arrays(c.what, c.o2, c.o2_ref, c.cnt, 1e-9, 2 * FLT_EPSILON);
        expect_arrays(c.what, c.o, c.o_ref, c.cnt, 1e-7, 2 * FLT_EPSILON);
        out_check_guards(c.o3, c.big, "m");
        elem_case_end(&c);
    }
}

void check_update(void)
{
    CHECK_SLOT(sub_scale, check_sub_scale());
    CHECK_SLOT(sign_axpy, check_sign_axpy());
    CHECK_SLOT(wpen_grad, check_wpen_grad());
    CHECK_SLOT(sgd_step, check_sgd_step());
    CHECK_SLOT(adam_step, check_adam_step());
}
