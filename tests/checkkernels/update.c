/* checkkernels, the update family (kernels.h SAE_UPDATE_SLOTS): the weight
 * penalties' gradient and the optimizer steps, which write arrays in
 * place, on every count and shape of ElemCase; the steps with and
 * without the penalties in their pass. */
#include <float.h>
#include <stdlib.h>
#include <string.h>

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

/* The steps' penalties, on in every other case */
static const float step_lambda = 0.01f, step_l1 = 0.002f;

/* A copy of a step's state (g, its one or two moments, theta) before the
 * step, for the same step taken the long way: wpen_grad into g, then the
 * step without penalties. */
typedef struct StepCopy {
    float *g, *s1, *s2, *th;
} StepCopy;

static int step_copy(StepCopy *k, size_t cnt, const float *g, const float *s1, const float *s2, const float *th)
{
    float *p = malloc(4 * cnt * sizeof(float));
    if (!p) {
        fail("out of memory");
        return 0;
    }
    *k = (StepCopy){ p, p + cnt, p + 2 * cnt, p + 3 * cnt };
    memcpy(k->g, g, cnt * sizeof(float));
    memcpy(k->s1, s1, cnt * sizeof(float));
    if (s2)
        memcpy(k->s2, s2, cnt * sizeof(float));
    memcpy(k->th, th, cnt * sizeof(float));
    ck_new->wpen_grad(1, cnt, k->th, step_lambda, step_l1, NULL, k->g);
    return 1;
}

/* kernels.h: the step's G has the bits wpen_grad would have stored, so
 * the two ways agree bit for bit. */
static void expect_same_bits(const char *what, const char *name, const float *got, const float *want, size_t cnt)
{
    for (size_t i = 0; i < cnt && !failed(); i++)
        if (memcmp(&got[i], &want[i], sizeof(float)))
            fail("%s: %s[%zu] = %.9g with the penalties in the step, %.9g after wpen_grad", what, name, i, got[i],
                 want[i]);
}

static void sgd_step_case(ElemCase *c, const void *unused)
{
    (void)unused;
    const int pen = (int)(c->index % 2);
    const float la = pen ? step_lambda : 0, l1 = pen ? step_l1 : 0, *g = in_cnt(c, &c->i2);
    StepCopy k;
    if (pen && !step_copy(&k, c->cnt, g, c->o2, NULL, c->o))
        return;
    ck_ref->sgd_step(c->cnt, 0.1f, 0.9f, la, l1, g, c->o2_ref, c->o_ref);
    GUARDED(ck_new->sgd_step(c->cnt, 0.1f, 0.9f, la, l1, g, c->o2, c->o));
    /* v = mu v + G sums terms up to 2 that may cancel: the scalar's four
     * roundings (mu v, lambda theta, G, the sum) against the vector's
     * fused chain bound the difference absolutely, not by v */
    expect_arrays(c->what, c->o2, c->o2_ref, c->cnt, 4 * FLT_EPSILON, 2 * FLT_EPSILON);
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
    out_check_guards(c->o2, c->big, "v");
    if (pen) {
        ck_new->sgd_step(c->cnt, 0.1f, 0.9f, 0, 0, k.g, k.s1, k.th);
        expect_same_bits(c->what, "v", c->o2, k.s1, c->cnt);
        expect_same_bits(c->what, "theta", c->o, k.th, c->cnt);
        free(k.g);
    }
}

static void adam_step_case(ElemCase *c, const void *unused)
{
    (void)unused;
    const int pen = (int)(c->index % 2);
    const float la = pen ? step_lambda : 0, l1 = pen ? step_l1 : 0, *g = in_cnt(c, &c->i2);
    StepCopy k;
    if (pen && !step_copy(&k, c->cnt, g, c->o3, c->o2, c->o))
        return;
    ck_ref->adam_step(c->cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, la, l1, g, c->o3_ref, c->o2_ref, c->o_ref);
    GUARDED(ck_new->adam_step(c->cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, la, l1, g, c->o3, c->o2, c->o));
    expect_arrays(c->what, c->o3, c->o3_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
    expect_arrays(c->what, c->o2, c->o2_ref, c->cnt, 1e-9, 2 * FLT_EPSILON);
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 1e-7, 2 * FLT_EPSILON);
    out_check_guards(c->o3, c->big, "m");
    if (pen) {
        ck_new->adam_step(c->cnt, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.271f, 0.00299f, 0, 0, k.g, k.s1, k.s2, k.th);
        expect_same_bits(c->what, "m", c->o3, k.s1, c->cnt);
        expect_same_bits(c->what, "v", c->o2, k.s2, c->cnt);
        expect_same_bits(c->what, "theta", c->o, k.th, c->cnt);
        free(k.g);
    }
}

void check_update(void)
{
    CHECK_SLOT(wpen_grad, each_case(wpen_grad_case, NULL));
    CHECK_SLOT(sgd_step, each_case(sgd_step_case, NULL));
    CHECK_SLOT(adam_step, each_case(adam_step_case, NULL));
}
