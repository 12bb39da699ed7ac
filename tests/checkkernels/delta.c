/* checkkernels, the delta family (kernels.h SAE_DELTA_SLOTS): out_delta
 * and hid_delta (a delta array with its column sums in one sweep) and the
 * contractive cae_delta_<f>, on every count and shape of ElemCase. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "tests/checkkernels/checkkernels.h"

/* 1 ULP of the float kernels' own rounding plus that of the reference */
static const double delta_tol = 4 * FLT_EPSILON;

/* A fused delta's column sums against the double sums of the m x n
 * deltas d it stored, to double rounding. */
static void expect_own_sums(const char *what, const float *d, const double *cs, size_t m, size_t n)
{
    for (size_t j = 0; j < n && !failed(); j++) {
        double own = 0, mag = 0;
        for (size_t i = 0; i < m; i++) {
            own += d[i * n + j];
            mag += fabs(d[i * n + j]);
        }
        if (!close_f(cs[j], own, (double)(m + 1) * DBL_EPSILON * mag, 0))
            fail("%s: colsum[%zu] = %.17g, sum of its deltas %.17g", what, j, cs[j], own);
    }
}

/* The checks of a fused delta kernel: its delta array in c->o against
 * c->o_ref, and each one's column sums against its own deltas. Not the
 * two sums against each other: an entry may differ from the reference's
 * by more than its relative rounding (tanh's 1 - h^2 near |h| = 1, where
 * the vector kernel's fused multiply-add keeps the digits that the
 * scalar product loses), which the entries' check bounds already. */
static void expect_delta(const char *what, const ElemCase *c, const double *cs, const double *cs_ref)
{
    expect_arrays(what, c->o, c->o_ref, c->mn, 1e-7, 4 * FLT_EPSILON);
    expect_own_sums(what, c->o_ref, cs_ref, c->m, c->n);
    expect_own_sums(what, c->o, cs, c->m, c->n);
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
    expect_delta(what, c, cs, cs_ref);
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
    expect_delta(what, c, cs, cs_ref);
    free(cs_ref);
}

typedef struct CaeDelta {
    decl_cae_delta_fn(float, *ref);
    decl_cae_delta_fn(float, *fn);
} CaeDelta;

static void cae_delta_case(ElemCase *c, const void *arg)
{
    const CaeDelta *p = arg;
    p->ref(c->m, c->n, c->o2_ref, c->iv.p, c->o_ref);
    GUARDED(p->fn(c->m, c->n, c->o2_ref, c->iv.p, c->o));
    expect_arrays(c->what, c->o, c->o_ref, c->mn, 1e-6, delta_tol);
}

void check_delta(void)
{
    CHECK_SLOT(out_delta, each_case(out_delta_case, NULL));
    CHECK_SLOT(hid_delta, each_case(hid_delta_case, NULL));
    CHECK_SLOT(cae_delta_sigmoid,
               each_case(cae_delta_case, &(CaeDelta){ ck_ref->cae_delta_sigmoid, ck_new->cae_delta_sigmoid }));
    CHECK_SLOT(cae_delta_tanh,
               each_case(cae_delta_case, &(CaeDelta){ ck_ref->cae_delta_tanh, ck_new->cae_delta_tanh }));
}
