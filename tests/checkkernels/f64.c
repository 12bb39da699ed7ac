/* checkkernels, the double family: the slots whose double table has SIMD
 * variants (L-BFGS's dot and axpy), on every count of ElemCase, with
 * double inputs that end at a PROT_NONE page and an output between guard
 * zones. */
#include <float.h>
#include <math.h>
#include <string.h>

#include "tests/checkkernels/checkkernels.h"

/* cnt doubles ending at the PROT_NONE page of a fresh input buffer. */
static double *in64(InBuf *b, size_t cnt, double lo, double hi)
{
    *b = in_alloc(2 * (cnt ? cnt : 1));
    double *p = (double *)(b->p + 2 * (cnt ? cnt : 1)) - cnt;
    for (size_t i = 0; i < cnt; i++) p[i] = lo + (hi - lo) * sae_rng_uniform(&ck_rng);
    return p;
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

void check_f64(void)
{
    CHECK_SLOT64(dot, each_case(dot64_case, NULL));
    CHECK_SLOT64(axpy, each_case(axpy64_case, NULL));
}
