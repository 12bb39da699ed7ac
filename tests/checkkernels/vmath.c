/* checkkernels, the vector elementary functions (vmath_tmpl.h) of each
 * level, through the slots that use them: special values (NaN, the
 * infinities, overflow, denormal results) and the maximum ULP error of
 * exp, sigmoid, tanh and softplus over every S-th float (--ulp-stride S,
 * default 97; every bit pattern with 1). */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "tests/checkkernels/checkkernels.h"

static double ulp_of(double want)
{
    const double a = fabs(want);
    if (a < FLT_MIN)
        return ldexp(1, -149);
    int e;
    frexp(a, &e);
    return ldexp(1, e - 24);
}

static double sigmoid_d(double x) { return 1 / (1 + exp(-x)); }

/* Max ULP error of an activation over every stride-th float, through the
 * slot (bias_* with a zero bias, or exp), against the double function. */
static double measure_ulp(const SaeKernelsF32 *k, int which, uint64_t stride, double *worst_x)
{
    enum { CH = 4096 };
    static float x[CH], z[CH], h[CH];
    static const float zero_bias[CH];
    double worst = 0;
    size_t n = 0;
    for (uint64_t bits = 0; bits <= 0xffffffffu; bits += stride) {
        uint32_t b32 = (uint32_t)bits;
        memcpy(&x[n], &b32, 4);
        if (isnan(x[n]))
            continue;
        if (++n < CH && bits + stride <= 0xffffffffu)
            continue;
        memcpy(z, x, n * sizeof(float));
        if (which == 0)
            k->exp(n, x, h);
        else if (which == 1)
            k->bias_sigmoid(1, n, zero_bias, z, h);
        else if (which == 2)
            k->bias_tanh(1, n, zero_bias, z, h);
        for (size_t i = 0; i < n; i++) {
            const double xd = x[i];
            const double want = which == 0 ? exp(xd) : which == 1 ? sigmoid_d(xd) : which == 2 ? tanh(xd) : 0;
            double err;
            if (isinf(want) || want > FLT_MAX)
                err = isinf(h[i]) ? 0 : 1e9;
            else
                err = fabs(h[i] - want) / ulp_of(want);
            if (err > worst) {
                worst = err;
                *worst_x = xd;
            }
        }
        n = 0;
    }
    return worst;
}

/* softplus is internal to bce_sum: measured one value at a time. */
static double measure_softplus_ulp(const SaeKernelsF32 *k, uint64_t stride, double *worst_x)
{
    double worst = 0;
    const float zero = 0;
    for (uint64_t bits = 0; bits <= 0xffffffffu; bits += stride * 64) {
        uint32_t b32 = (uint32_t)bits;
        float x;
        memcpy(&x, &b32, 4);
        if (!isfinite(x) || fabs(x) > 1e30)
            continue;
        const double got = k->bce_sum(1, &x, &zero), want = softplus_d(x);
        /* bce_sum returns softplus in double: round it to float first */
        const double err = fabs((double)(float)got - want) / ulp_of(want);
        if (err > worst) {
            worst = err;
            *worst_x = x;
        }
    }
    return worst;
}

/* The special values: NaN stays NaN, the infinities and overflow land on
 * the right limits. */
static void check_special(const SaeKernelsF32 *k)
{
    /* exp(-100) = 3.7e-44 is a denormal: it must not flush to 0 */
    static const float in[8] = { NAN, INFINITY, -INFINITY, 100.0f, -100.0f, 89.0f, -104.0f, 0.0f };
    static const float zero[8] = { 0 };
    float z[8], y[8];
    k->exp(8, in, y);
    if (!isnan(y[0]) || y[1] != INFINITY || y[2] != 0 || y[3] != INFINITY || !(y[4] > 3.6e-44f && y[4] < 3.9e-44f) ||
        y[5] != INFINITY || y[6] != 0 || y[7] != 1)
        fail("exp of NaN, +-inf, +-100, 89, -104, 0: %g %g %g %g %g %g %g %g", y[0], y[1], y[2], y[3], y[4], y[5], y[6],
             y[7]);
    memcpy(z, in, sizeof z);
    k->bias_sigmoid(1, 8, zero, z, y);
    if (!isnan(y[0]) || y[1] != 1 || y[2] != 0 || y[3] != 1 || !(y[4] >= 0 && y[4] < 1e-40f) || y[7] != 0.5f)
        fail("sigmoid of NaN, +-inf, +-100, 0: %g %g %g %g %g %g", y[0], y[1], y[2], y[3], y[4], y[7]);
    memcpy(z, in, sizeof z);
    k->bias_tanh(1, 8, zero, z, y);
    if (!isnan(y[0]) || y[1] != 1 || y[2] != -1 || y[3] != 1 || y[4] != -1 || y[7] != 0)
        fail("tanh of NaN, +-inf, +-100, 0: %g %g %g %g %g %g", y[0], y[1], y[2], y[3], y[4], y[7]);
}

void check_vmath(void)
{
    if (!check_level())
        return;
    const SaeKernelsF32 *k = ck_new;
    const char *level = ck_level;
    const uint64_t stride = ck_ulp_stride;
    check_special(k);
    check_report("special_values");
    static const char *const names[] = { "exp", "sigmoid", "tanh" };
    static const double bounds[] = { 2, 2, 2 };
    for (int w = 0; w < 3; w++) {
        double wx = 0;
        const double u = measure_ulp(k, w, stride, &wx);
        printf("# %s %s: max error %.3f ULP (at x = %.9g) over every %llu-th float\n", level, names[w], u, wx,
               (unsigned long long)stride);
        if (u > bounds[w])
            fail("%s: %.3f ULP at x = %.9g exceeds the bound of %g", names[w], u, wx, bounds[w]);
        char name[32];
        snprintf(name, sizeof name, "ulp_%s", names[w]);
        check_report(name);
    }
    double wx = 0;
    const double u = measure_softplus_ulp(k, stride, &wx);
    printf("# %s softplus: max error %.3f ULP (at x = %.9g)\n", level, u, wx);
    if (u > 3)
        fail("softplus: %.3f ULP at x = %.9g exceeds 3", u, wx);
    check_report("ulp_softplus");
}
