/* checkkernels, the activation family: exp, bias_<f> (z += bias, h = f(z)),
 * d<f> (g *= f'), and the contractive term's cae_dsq_<f> and
 * cae_delta_<f>, on every count and row shape of ElemCase. */
#include <float.h>
#include <string.h>

#include "tests/checkkernels/checkkernels.h"

/* 1 ULP of the float kernels' own rounding plus that of the reference */
static const double act_tol = 4 * FLT_EPSILON;

static void check_exp(void)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        ck_ref->exp(c.cnt, in_cnt(&c, &c.i1), c.o_ref);
        GUARDED(ck_new->exp(c.cnt, in_cnt(&c, &c.i1), c.o));
        expect_arrays(c.what, c.o, c.o_ref, c.cnt, 0, act_tol);
        elem_case_end(&c);
    }
}

typedef decl_bias_act_fn(float, *bias_act_fn);

/* z += bias in place, h separate */
static void check_bias_act(bias_act_fn ref, bias_act_fn fn)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        memcpy(c.o, c.i1.p, c.mn * sizeof(float));
        memcpy(c.o_ref, c.i1.p, c.mn * sizeof(float));
        ref(c.m, c.n, c.iv.p, c.o_ref, c.o2_ref);
        GUARDED(fn(c.m, c.n, c.iv.p, c.o, c.o2));
        expect_arrays(c.what, c.o, c.o_ref, c.mn, 0, 0);
        expect_arrays(c.what, c.o2, c.o2_ref, c.mn, 1e-37, act_tol);
        out_check_guards(c.o2, c.big, "h");
        elem_case_end(&c);
    }
}

typedef decl_dact_fn(float, *dact_fn);

static void check_dact(dact_fn ref, dact_fn fn)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        ref(c.cnt, c.o2_ref, c.o_ref);
        GUARDED(fn(c.cnt, c.o2_ref, c.o));
        /* 1 - h^2 cancels near |h| = 1: an absolute bound on g f'(h), |g| <= 1 */
        expect_arrays(c.what, c.o, c.o_ref, c.cnt, act_tol, act_tol);
        elem_case_end(&c);
    }
}

typedef decl_cae_dsq_fn(float, *cae_dsq_fn);

/* h: in (0.01, 0.99) as a sigmoid or tanh output, or (relu) signed. */
static void check_cae_dsq(cae_dsq_fn ref, cae_dsq_fn fn, int signed_h)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        double d_ref[256], d[256];
        const size_t kk = c.n < 256 ? c.n : 256;
        const float *h = signed_h ? in_mn(&c, &c.i2) : c.o2_ref;
        ref(c.m, kk, h, d_ref);
        GUARDED(fn(c.m, kk, h, d));
        for (size_t j = 0; j < kk && !failed(); j++)
            /* 1 - h^2 cancels near |h| = 1: an absolute bound per term (D <= 1) */
            if (!close_f(d[j], d_ref[j], 8 * FLT_EPSILON * (double)c.m, rel_sum_tol(c.m)))
                fail("%s: out[%zu] = %.12g, reference %.12g", c.what, j, d[j], d_ref[j]);
        elem_case_end(&c);
    }
}

typedef decl_cae_delta_fn(float, *cae_delta_fn);

static void check_cae_delta(cae_delta_fn ref, cae_delta_fn fn)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        ref(c.m, c.n, c.o2_ref, c.iv.p, c.o_ref);
        GUARDED(fn(c.m, c.n, c.o2_ref, c.iv.p, c.o));
        expect_arrays(c.what, c.o, c.o_ref, c.mn, 1e-6, act_tol);
        elem_case_end(&c);
    }
}

void check_act(void)
{
    CHECK_SLOT(exp, check_exp());
    CHECK_SLOT(bias_sigmoid, check_bias_act(ck_ref->bias_sigmoid, ck_new->bias_sigmoid));
    CHECK_SLOT(bias_tanh, check_bias_act(ck_ref->bias_tanh, ck_new->bias_tanh));
    CHECK_SLOT(bias_relu, check_bias_act(ck_ref->bias_relu, ck_new->bias_relu));
    CHECK_SLOT(bias_linear, check_bias_act(ck_ref->bias_linear, ck_new->bias_linear));
    CHECK_SLOT(dsigmoid, check_dact(ck_ref->dsigmoid, ck_new->dsigmoid));
    CHECK_SLOT(dtanh, check_dact(ck_ref->dtanh, ck_new->dtanh));
    CHECK_SLOT(drelu, check_dact(ck_ref->drelu, ck_new->drelu));
    CHECK_SLOT(cae_dsq_sigmoid, check_cae_dsq(ck_ref->cae_dsq_sigmoid, ck_new->cae_dsq_sigmoid, 0));
    CHECK_SLOT(cae_dsq_tanh, check_cae_dsq(ck_ref->cae_dsq_tanh, ck_new->cae_dsq_tanh, 0));
    CHECK_SLOT(cae_dsq_relu, check_cae_dsq(ck_ref->cae_dsq_relu, ck_new->cae_dsq_relu, 1));
    CHECK_SLOT(cae_delta_sigmoid, check_cae_delta(ck_ref->cae_delta_sigmoid, ck_new->cae_delta_sigmoid));
    CHECK_SLOT(cae_delta_tanh, check_cae_delta(ck_ref->cae_delta_tanh, ck_new->cae_delta_tanh));
}
