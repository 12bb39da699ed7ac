/* checkkernels, the act family (kernels.h SAE_ACT_SLOTS): exp, bias_<f>
 * (z += bias, h = f(z)) and d<f> (g *= f'), on every count and row shape
 * of ElemCase; --bench times each. */
#include <float.h>
#include <string.h>

#include "tests/checkkernels/checkkernels.h"

/* 1 ULP of the float kernels' own rounding plus that of the reference */
static const double act_tol = 4 * FLT_EPSILON;

static void exp_case(ElemCase *c, const void *unused)
{
    (void)unused;
    ck_ref->exp(c->cnt, in_cnt(c, &c->i1), c->o_ref);
    GUARDED(ck_new->exp(c->cnt, in_cnt(c, &c->i1), c->o));
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, 0, act_tol);
}

typedef struct BiasAct {
    decl_bias_act_fn(float, *ref);
    decl_bias_act_fn(float, *fn);
} BiasAct;

/* z += bias in place, h separate */
static void bias_act_case(ElemCase *c, const void *arg)
{
    const BiasAct *p = arg;
    memcpy(c->o, c->i1.p, c->mn * sizeof(float));
    memcpy(c->o_ref, c->i1.p, c->mn * sizeof(float));
    p->ref(c->m, c->n, c->iv.p, c->o_ref, c->o2_ref);
    GUARDED(p->fn(c->m, c->n, c->iv.p, c->o, c->o2));
    expect_arrays(c->what, c->o, c->o_ref, c->mn, 0, 0);
    expect_arrays(c->what, c->o2, c->o2_ref, c->mn, 1e-37, act_tol);
    out_check_guards(c->o2, c->big, "h");
}

typedef struct Dact {
    decl_dact_fn(float, *ref);
    decl_dact_fn(float, *fn);
} Dact;

static void dact_case(ElemCase *c, const void *arg)
{
    const Dact *p = arg;
    p->ref(c->cnt, c->o2_ref, c->o_ref);
    GUARDED(p->fn(c->cnt, c->o2_ref, c->o));
    /* 1 - h^2 cancels near |h| = 1: an absolute bound on g f'(h), |g| <= 1 */
    expect_arrays(c->what, c->o, c->o_ref, c->cnt, act_tol, act_tol);
}

void check_act(void)
{
    CHECK_SLOT(exp, each_case(exp_case, NULL));
    CHECK_SLOT(bias_sigmoid, each_case(bias_act_case, &(BiasAct){ ck_ref->bias_sigmoid, ck_new->bias_sigmoid }));
    CHECK_SLOT(bias_tanh, each_case(bias_act_case, &(BiasAct){ ck_ref->bias_tanh, ck_new->bias_tanh }));
    CHECK_SLOT(bias_relu, each_case(bias_act_case, &(BiasAct){ ck_ref->bias_relu, ck_new->bias_relu }));
    CHECK_SLOT(bias_linear, each_case(bias_act_case, &(BiasAct){ ck_ref->bias_linear, ck_new->bias_linear }));
    CHECK_SLOT(dsigmoid, each_case(dact_case, &(Dact){ ck_ref->dsigmoid, ck_new->dsigmoid }));
    CHECK_SLOT(dtanh, each_case(dact_case, &(Dact){ ck_ref->dtanh, ck_new->dtanh }));
    CHECK_SLOT(drelu, each_case(dact_case, &(Dact){ ck_ref->drelu, ck_new->drelu }));
}
