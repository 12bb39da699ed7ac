/* checkkernels, the update family (kernels.h SAE_UPDATE_SLOTS): the weight
 * penalties' gradient and the optimizer steps, which write arrays in
 * place, on every count and shape of ElemCase. */
#include <float.h>

#include "tests/checkkernels/checkkernels.h"

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
    CHECK_SLOT(wpen_grad, each_case(wpen_grad_case, NULL));
    CHECK_SLOT(sgd_step, each_case(sgd_step_case, NULL));
    CHECK_SLOT(adam_step, each_case(adam_step_case, NULL));
}
