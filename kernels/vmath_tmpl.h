/*
 * Vector elementary functions for the float kernels, written once over the
 * vf abstraction of x86/simd_*.h. Maximum errors, measured by
 * tests/checkkernels against libm in double over every float:
 *   v_exp      <= 1 ULP (normal results), correct at +-inf, NaN, overflow
 *              (inf above 88.72) and underflow (denormals, then 0)
 *   v_sigmoid  <= 2 ULP, v_tanh <= 2 ULP, v_softplus <= 3 ULP (it only
 *              feeds the double sum of bce_sum)
 * No per-element branches: special cases are blended with selects, and NaN
 * propagates through every step by itself (max/min take x last).
 */
#ifndef SAE_KERNELS_VMATH_TMPL_H
#define SAE_KERNELS_VMATH_TMPL_H

/* exp: x = n ln2 + r (Cody-Waite split of ln2), |r| <= ln2/2, e^r by its
 * degree-7 Taylor polynomial (truncation 7e-9 relative), times 2^n applied
 * as two factors 2^(n/2) so that denormal results are reached without an
 * exponent overflow. */
static inline vf v_exp(vf x)
{
    /* max/min return their second operand when one is NaN: x last, so NaN
     * passes the clamp and every step after it (no select needed) */
    const vf xc = vmin(vset1(89.0f), vmax(vset1(-104.0f), x));
    const vf n = vround(vmul(xc, vset1(1.44269504088896341f)));
    vf r = vfnma(n, vset1(0.693359375f), xc); /* ln2 high part, exact product */
    r = vfnma(n, vset1(-2.12194440e-4f), r);  /* ln2 low part */
    vf p = vset1(1.0f / 5040);
    p = vfma(p, r, vset1(1.0f / 720));
    p = vfma(p, r, vset1(1.0f / 120));
    p = vfma(p, r, vset1(1.0f / 24));
    p = vfma(p, r, vset1(1.0f / 6));
    p = vfma(p, r, vset1(0.5f));
    p = vfma(p, r, vset1(1.0f));
    p = vfma(p, r, vset1(1.0f));
    const vi ni = vcvt_i(n), n1 = vi_sra1(ni), n2 = vi_sub(ni, n1);
    return vmul(vmul(p, vi_exp2(n1)), vi_exp2(n2));
}

/* 1 / (1 + e^-x) through e = e^-|x| <= 1, so nothing overflows and the
 * negative side keeps its tiny values: x >= 0: 1/(1+e), x < 0: e/(1+e).
 * d = 1 + e is rounded; its rounding error r = (1 - d) + e is exact (Fast2Sum,
 * 1 >= e) and corrects the quotient: num/(d + r) ~ q (1 - r/d). */
static inline vf v_sigmoid(vf x)
{
    const vf e = v_exp(vxor(vabs(x), vset1(-0.0f)));
    const vf d = vadd(vset1(1.0f), e);
    const vf r = vadd(vsub(vset1(1.0f), d), e);
    const vf q = vdiv(vsel(vlt(x, vzero()), e, vset1(1.0f)), d);
    return vfnma(q, vdiv(r, d), q);
}

/* tanh: an odd Taylor polynomial (9 terms) for |x| < 0.5, where
 * 1 - 2/(e^2|x| + 1) would cancel; that formula elsewhere, sign restored. */
static inline vf v_tanh(vf x)
{
    const vf ax = vabs(x), x2 = vmul(x, x);
    vf p = vset1(6404582.0f / 10854718875.0f);
    p = vfma(p, x2, vset1(-929569.0f / 638512875.0f));
    p = vfma(p, x2, vset1(21844.0f / 6081075.0f));
    p = vfma(p, x2, vset1(-1382.0f / 155925.0f));
    p = vfma(p, x2, vset1(62.0f / 2835.0f));
    p = vfma(p, x2, vset1(-17.0f / 315.0f));
    p = vfma(p, x2, vset1(2.0f / 15.0f));
    p = vfma(p, x2, vset1(-1.0f / 3.0f));
    const vf small = vfma(vmul(p, x2), x, x);
    const vf e = v_exp(vadd(ax, ax));
    const vf big = vsub(vset1(1.0f), vdiv(vset1(2.0f), vadd(e, vset1(1.0f))));
    const vf sign = vand(x, vset1(-0.0f));
    return vsel(vlt(ax, vset1(0.5f)), small, vxor(big, sign)); /* NaN: not < 0.5, big is NaN */
}

/* softplus(z) = max(z, 0) + log1p(e^-|z|), log1p(u) for u in [0, 1] as
 * 2 atanh(s) with s = u / (2 + u) in [0, 1/3] (8 terms of the series).
 * The series is summed as 2s + (2s s^2) p, its small part added last:
 * 2s (1 + s^2 p), rounded once more, read 3.48 ULP at z = -2.034. */
static inline vf v_softplus(vf z)
{
    const vf u = v_exp(vxor(vabs(z), vset1(-0.0f)));
    const vf s = vdiv(u, vadd(vset1(2.0f), u)), s2 = vmul(s, s);
    vf p = vset1(1.0f / 15);
    p = vfma(p, s2, vset1(1.0f / 13));
    p = vfma(p, s2, vset1(1.0f / 11));
    p = vfma(p, s2, vset1(1.0f / 9));
    p = vfma(p, s2, vset1(1.0f / 7));
    p = vfma(p, s2, vset1(1.0f / 5));
    p = vfma(p, s2, vset1(1.0f / 3));
    const vf t = vadd(s, s);
    const vf l = vfma(vmul(t, s2), p, t);
    return vadd(vmax(z, vzero()), l);
}

/* f(x) for an SAE_K_* activation: act is a constant at every call, so the
 * switch folds away. */
static inline __attribute__((always_inline)) vf v_act(vf x, int act)
{
    switch (act) {
    case SAE_K_SIGMOID: return v_sigmoid(x);
    case SAE_K_TANH: return v_tanh(x);
    case SAE_K_RELU: return vmax(x, vzero());
    default: return x;
    }
}

/* f'(z) and f''(z) written through h = f(z) (core/MODEL.md §4);
 * f'' only for sigmoid and tanh. */
static inline __attribute__((always_inline)) vf v_deriv(vf h, int act)
{
    switch (act) {
    case SAE_K_SIGMOID: return vfnma(h, h, h);        /* h - h^2 */
    case SAE_K_TANH: return vfnma(h, h, vset1(1.0f)); /* 1 - h^2 */
    default: return vsel(vgt(h, vzero()), vset1(1.0f), vzero());
    }
}

static inline __attribute__((always_inline)) vf v_deriv2(vf h, int act)
{
    return act == SAE_K_SIGMOID ? vmul(v_deriv(h, act), vfnma(vset1(2.0f), h, vset1(1.0f))) /* f' (1 - 2h) */
                                : vmul(vmul(vset1(-2.0f), h), v_deriv(h, act));             /* -2h f' */
}

/* sign(v) with sign(0) = 0 */
static inline vf v_sign(vf v)
{
    return vsel(vgt(v, vzero()), vset1(1.0f), vsel(vlt(v, vzero()), vset1(-1.0f), vzero()));
}

#endif
