/*
 * The element-wise and reduction kernels of the table, written once over
 * the vector abstraction (x86/simd_*.h): a template (kernels/template.h)
 * compiled per ISA by x86/avx2.c and x86/avx512.c. Semantics: kernels.h;
 * the scalar reference: scalar_tmpl.c. Sums leave in double, accumulated
 * in double lanes.
 *
 * Every kernel is a loop over whole vectors and one masked tail step, both
 * calling the kernel's step function (always inlined, so the tail flag and
 * the activation fold to constants): a debugger steps into each of them.
 */
#include "kernels/vmath_tmpl.h"

#define STEP static inline __attribute__((always_inline))

/* One step's loads and stores: a whole vector, or the tail under the lane
 * mask m (masked-off lanes load 0, and keep() zeroes them in a value that
 * is summed). */
STEP vf ld(const float *p, vmask m, int tail) { return tail ? vload_m(p, m) : vload(p); }
STEP void st(float *p, vf v, vmask m, int tail)
{
    if (tail)
        vstore_m(p, v, m);
    else
        vstore(p, v);
}
STEP vf keep(vf v, vmask m, int tail) { return tail ? vkeep(m, v) : v; }

/* acc[0..1] += the float vector v widened to double. */
STEP void acc_add(vd acc[2], vf v)
{
    acc[0] = vd_add(acc[0], vd_lo(v));
    acc[1] = vd_add(acc[1], vd_hi(v));
}

/* acc[0..1] += a * b, widened to double. */
STEP void acc_fma(vd acc[2], vf a, vf b)
{
    acc[0] = vd_fma(vd_lo(a), vd_lo(b), acc[0]);
    acc[1] = vd_fma(vd_hi(a), vd_hi(b), acc[1]);
}

static inline double acc_sum(const vd acc[2]) { return vd_sum(vd_add(acc[0], acc[1])); }

STEP void exp_step(const float *x, float *y, vmask m, int tail) { st(y, v_exp(ld(x, m, tail)), m, tail); }

decl_exp_fn(float, KN(exp))
{
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) exp_step(x + i, y + i, vmask_first(VW), 0);
    if (i < cnt)
        exp_step(x + i, y + i, vmask_first(cnt - i), 1);
}

STEP void bias_act_step(const float *bias, float *z, float *h, int act, vmask m, int tail)
{
    const vf v = vadd(ld(z, m, tail), ld(bias, m, tail));
    st(z, v, m, tail);
    st(h, v_act(v, act), m, tail);
}

STEP void bias_act(size_t rows, size_t n, const float *bias, float *z, float *h, int act)
{
    for (size_t r = 0; r < rows; r++) {
        float *zr = z + r * n, *hr = h + r * n;
        size_t j = 0;
        for (; j + VW <= n; j += VW) bias_act_step(bias + j, zr + j, hr + j, act, vmask_first(VW), 0);
        if (j < n)
            bias_act_step(bias + j, zr + j, hr + j, act, vmask_first(n - j), 1);
    }
}

decl_bias_act_fn(float, KN(bias_sigmoid)) { bias_act(m, n, bias, z, h, SAE_K_SIGMOID); }
decl_bias_act_fn(float, KN(bias_tanh)) { bias_act(m, n, bias, z, h, SAE_K_TANH); }
decl_bias_act_fn(float, KN(bias_relu)) { bias_act(m, n, bias, z, h, SAE_K_RELU); }
decl_bias_act_fn(float, KN(bias_linear)) { bias_act(m, n, bias, z, h, SAE_K_LINEAR); }

STEP void dact_step(const float *h, float *g, int act, vmask m, int tail)
{
    st(g, vmul(ld(g, m, tail), v_deriv(ld(h, m, tail), act)), m, tail);
}

STEP void dact(size_t cnt, const float *h, float *g, int act)
{
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) dact_step(h + i, g + i, act, vmask_first(VW), 0);
    if (i < cnt)
        dact_step(h + i, g + i, act, vmask_first(cnt - i), 1);
}

decl_dact_fn(float, KN(dsigmoid)) { dact(cnt, h, g, SAE_K_SIGMOID); }
decl_dact_fn(float, KN(dtanh)) { dact(cnt, h, g, SAE_K_TANH); }
decl_dact_fn(float, KN(drelu)) { dact(cnt, h, g, SAE_K_RELU); }

/* What a column sum adds up: the entries themselves, or f'(z)^2 written
 * through h (relu' is 0 or 1, its own square). */
enum { COL_SELF = -1 };

STEP vf col_term(vf v, int what)
{
    if (what == COL_SELF)
        return v;
    const vf d = v_deriv(v, what);
    return what == SAE_K_RELU ? d : vmul(d, d);
}

/* The same term in float for the columns past the last whole vector. */
STEP float col_term1(float h, int what)
{
    if (what == COL_SELF)
        return h;
    if (what == SAE_K_RELU)
        return h > 0 ? 1.0f : 0.0f;
    const float d = what == SAE_K_SIGMOID ? h * (1 - h) : 1 - h * h;
    return d * d;
}

/* out[0..VW) += v, widened to double. */
STEP void colsum_add(double *out, vf v)
{
    vd_store(out, vd_add(vd_load(out), vd_lo(v)));
    vd_store(out + VDW, vd_add(vd_load(out + VDW), vd_hi(v)));
}

/* A fused delta's whole vector v: into dst, and into the column sums. */
STEP void delta_store(float *dst, vf v, double *colsum)
{
    vstore(dst, v);
    colsum_add(colsum, v);
}

/* Its last cnt < VW lanes, through a small array (a masked store is
 * microcoded on AMD): nothing past them is written or summed. */
STEP void delta_store_tail(float *dst, vf v, double *colsum, size_t cnt)
{
    float t[VW];
    vstore(t, v);
    for (size_t j = 0; j < cnt; j++) {
        dst[j] = t[j];
        colsum[j] += (double)t[j];
    }
}

STEP void column_sums(size_t rows, size_t cols, const float *src, double *out, int what)
{
    const size_t nv = cols / VW * VW;
    for (size_t j = 0; j < cols; j++) out[j] = 0;
    for (size_t i = 0; i < rows; i++) {
        const float *row = src + i * cols;
        for (size_t j = 0; j < nv; j += VW) colsum_add(out + j, col_term(vload(row + j), what));
        for (size_t j = nv; j < cols; j++) out[j] += (double)col_term1(row[j], what);
    }
}

/* The delta of one vector step of out_delta (the same operations, so the
 * same bits, as sub_scale then dsigmoid). */
STEP vf out_delta_v(vf s, vf h, vf x, int sig)
{
    const vf v = vmul(s, vsub(h, x));
    return sig ? vmul(v, v_deriv(h, SAE_K_SIGMOID)) : v;
}

/* One row of out_delta: the deltas into d, widened into the column sums;
 * sig is a constant at each call. The last columns are loaded masked, so
 * no lane past n is read, written or summed. */
STEP void out_delta_row(size_t n, float s, const float *xh, const float *x, int sig, float *d, double *colsum)
{
    const size_t nv = n / VW * VW;
    const vf sv = vset1(s);
    for (size_t j = 0; j < nv; j += VW)
        delta_store(d + j, out_delta_v(sv, vload(xh + j), vload(x + j), sig), colsum + j);
    if (nv < n) {
        const vmask m = vmask_first(n - nv);
        delta_store_tail(d + nv, out_delta_v(sv, vload_m(xh + nv, m), vload_m(x + nv, m), sig), colsum + nv, n - nv);
    }
}

STEP void out_delta_rows(size_t m, size_t n, float s, const float *xh, const float *x, int sig, float *d,
                         double *colsum)
{
    for (size_t j = 0; j < n; j++) colsum[j] = 0;
    for (size_t i = 0; i < m; i++) out_delta_row(n, s, xh + i * n, x + i * n, sig, d + i * n, colsum);
}

decl_out_delta_fn(float, KN(out_delta))
{
    if (sig)
        out_delta_rows(m, n, s, xh, x, 1, d, colsum);
    else
        out_delta_rows(m, n, s, xh, x, 0, d, colsum);
}

/* The delta of one vector step of hid_delta (the same operations, so the
 * same bits, as sign_axpy, bias_linear and dact). */
STEP vf hid_delta_v(vf g, vf h, vf l1, int with_l1, const float *row, vmask m, int tail, int act)
{
    if (with_l1)
        g = vfma(l1, v_sign(h), g);
    if (row)
        g = vadd(g, ld(row, m, tail));
    return vmul(g, v_deriv(h, act));
}

/* One row of hid_delta, as out_delta_row; act is a constant at each call. */
STEP void hid_delta_row(size_t k, const float *h, float l1, const float *row, int act, float *g, double *colsum)
{
    const size_t nv = k / VW * VW;
    const vf l1v = vset1(l1);
    const vmask all = vmask_first(VW);
    for (size_t j = 0; j < nv; j += VW)
        delta_store(g + j, hid_delta_v(vload(g + j), vload(h + j), l1v, l1 != 0, row ? row + j : NULL, all, 0, act),
                    colsum + j);
    if (nv < k) {
        const vmask m = vmask_first(k - nv);
        const vf v =
            hid_delta_v(vload_m(g + nv, m), vload_m(h + nv, m), l1v, l1 != 0, row ? row + nv : NULL, m, 1, act);
        delta_store_tail(g + nv, v, colsum + nv, k - nv);
    }
}

STEP void hid_delta_rows(size_t m, size_t k, const float *h, float l1, const float *row, int act, float *g,
                         double *colsum)
{
    for (size_t j = 0; j < k; j++) colsum[j] = 0;
    for (size_t i = 0; i < m; i++) hid_delta_row(k, h + i * k, l1, row, act, g + i * k, colsum);
}

decl_hid_delta_fn(float, KN(hid_delta))
{
    switch (act) {
    case SAE_K_SIGMOID: hid_delta_rows(m, k, h, l1, row, SAE_K_SIGMOID, g, colsum); break;
    case SAE_K_TANH: hid_delta_rows(m, k, h, l1, row, SAE_K_TANH, g, colsum); break;
    default: hid_delta_rows(m, k, h, l1, row, SAE_K_RELU, g, colsum); break;
    }
}

decl_cae_dsq_fn(float, KN(cae_dsq_sigmoid)) { column_sums(m, k, h, out, SAE_K_SIGMOID); }
decl_cae_dsq_fn(float, KN(cae_dsq_tanh)) { column_sums(m, k, h, out, SAE_K_TANH); }
decl_cae_dsq_fn(float, KN(cae_dsq_relu)) { column_sums(m, k, h, out, SAE_K_RELU); }
decl_colsum_fn(float, KN(colsum)) { column_sums(m, n, a, out, COL_SELF); }

STEP void cae_delta_step(const float *h, const float *c, float *d, int act, vmask m, int tail)
{
    const vf hv = ld(h, m, tail);
    st(d, vfma(vmul(ld(c, m, tail), v_deriv(hv, act)), v_deriv2(hv, act), ld(d, m, tail)), m, tail);
}

STEP void cae_delta(size_t rows, size_t k, const float *h, const float *c, float *d, int act)
{
    for (size_t r = 0; r < rows; r++) {
        const float *hr = h + r * k;
        float *dr = d + r * k;
        size_t j = 0;
        for (; j + VW <= k; j += VW) cae_delta_step(hr + j, c + j, dr + j, act, vmask_first(VW), 0);
        if (j < k)
            cae_delta_step(hr + j, c + j, dr + j, act, vmask_first(k - j), 1);
    }
}

decl_cae_delta_fn(float, KN(cae_delta_sigmoid)) { cae_delta(m, k, h, c, d, SAE_K_SIGMOID); }
decl_cae_delta_fn(float, KN(cae_delta_tanh)) { cae_delta(m, k, h, c, d, SAE_K_TANH); }

decl_row_sqnorm_fn(float, KN(row_sqnorm))
{
    for (size_t r = 0; r < rows; r++) {
        const float *wr = w + r * cols;
        vd acc[2] = { vd_zero(), vd_zero() };
        size_t j = 0;
        for (; j + VW <= cols; j += VW) {
            const vf v = vload(wr + j);
            acc_fma(acc, v, v);
        }
        if (j < cols) {
            const vf v = vload_m(wr + j, vmask_first(cols - j));
            acc_fma(acc, v, v);
        }
        out[r] = acc_sum(acc);
    }
}

/* (a - b)^2 in double: the difference is taken after widening. */
STEP void sqdiff_step(vd acc[2], const float *a, const float *b, vmask m, int tail)
{
    const vf va = ld(a, m, tail), nb = vxor(ld(b, m, tail), vset1(-0.0f));
    const vd lo = vd_add(vd_lo(va), vd_lo(nb)), hi = vd_add(vd_hi(va), vd_hi(nb));
    acc[0] = vd_fma(lo, lo, acc[0]);
    acc[1] = vd_fma(hi, hi, acc[1]);
}

decl_sqdiff_sum_fn(float, KN(sqdiff_sum))
{
    vd acc[2] = { vd_zero(), vd_zero() };
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) sqdiff_step(acc, a + i, b + i, vmask_first(VW), 0);
    if (i < cnt)
        sqdiff_step(acc, a + i, b + i, vmask_first(cnt - i), 1);
    return acc_sum(acc);
}

/* softplus(z) - x z; softplus(0) != 0, so the tail's dead lanes are zeroed. */
STEP void bce_step(vd acc[2], const float *z, const float *x, vmask m, int tail)
{
    const vf zv = ld(z, m, tail);
    acc_add(acc, keep(v_softplus(zv), m, tail));
    acc_fma(acc, vxor(ld(x, m, tail), vset1(-0.0f)), zv);
}

decl_bce_sum_fn(float, KN(bce_sum))
{
    vd acc[2] = { vd_zero(), vd_zero() };
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) bce_step(acc, z + i, x + i, vmask_first(VW), 0);
    if (i < cnt)
        bce_step(acc, z + i, x + i, vmask_first(cnt - i), 1);
    return acc_sum(acc);
}

decl_abs_sum_fn(float, KN(abs_sum))
{
    vd acc[2] = { vd_zero(), vd_zero() };
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) acc_add(acc, vabs(vload(x + i)));
    if (i < cnt)
        acc_add(acc, vabs(vload_m(x + i, vmask_first(cnt - i))));
    return acc_sum(acc);
}

decl_dot_fn(float, KN(dot))
{
    vd acc[2] = { vd_zero(), vd_zero() };
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) acc_fma(acc, vload(a + i), vload(b + i));
    if (i < cnt) {
        const vmask m = vmask_first(cnt - i);
        acc_fma(acc, vload_m(a + i, m), vload_m(b + i, m));
    }
    return acc_sum(acc);
}

STEP void axpy_step(vf s, const float *x, float *y, vmask m, int tail)
{
    st(y, vfma(s, ld(x, m, tail), ld(y, m, tail)), m, tail);
}

decl_axpy_fn(float, KN(axpy))
{
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) axpy_step(vset1(s), x + i, y + i, vmask_first(VW), 0);
    if (i < cnt)
        axpy_step(vset1(s), x + i, y + i, vmask_first(cnt - i), 1);
}

STEP void sub_scale_step(vf s, const float *a, const float *b, float *out, vmask m, int tail)
{
    st(out, vmul(s, vsub(ld(a, m, tail), ld(b, m, tail))), m, tail);
}

decl_sub_scale_fn(float, KN(sub_scale))
{
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) sub_scale_step(vset1(s), a + i, b + i, out + i, vmask_first(VW), 0);
    if (i < cnt)
        sub_scale_step(vset1(s), a + i, b + i, out + i, vmask_first(cnt - i), 1);
}

STEP void sign_axpy_step(vf s, const float *h, float *g, vmask m, int tail)
{
    st(g, vfma(s, v_sign(ld(h, m, tail)), ld(g, m, tail)), m, tail);
}

decl_sign_axpy_fn(float, KN(sign_axpy))
{
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) sign_axpy_step(vset1(s), h + i, g + i, vmask_first(VW), 0);
    if (i < cnt)
        sign_axpy_step(vset1(s), h + i, g + i, vmask_first(cnt - i), 1);
}

STEP void wpen_step(vf scale, vf l1, const float *w, float *g, vmask m, int tail)
{
    const vf v = ld(w, m, tail);
    st(g, vfma(l1, v_sign(v), vfma(scale, v, ld(g, m, tail))), m, tail);
}

decl_wpen_grad_fn(float, KN(wpen_grad))
{
    for (size_t r = 0; r < rows; r++) {
        const vf scale = vset1(lambda + (rowscale ? rowscale[r] : 0));
        const float *wr = w + r * cols;
        float *gr = g + r * cols;
        size_t j = 0;
        for (; j + VW <= cols; j += VW) wpen_step(scale, vset1(l1), wr + j, gr + j, vmask_first(VW), 0);
        if (j < cols)
            wpen_step(scale, vset1(l1), wr + j, gr + j, vmask_first(cols - j), 1);
    }
}

STEP void sgd_step_v(vf lr, vf mu, const float *g, float *v, float *theta, vmask m, int tail)
{
    const vf nv = vfma(mu, ld(v, m, tail), ld(g, m, tail));
    st(v, nv, m, tail);
    st(theta, vfnma(lr, nv, ld(theta, m, tail)), m, tail);
}

decl_sgd_step_fn(float, KN(sgd_step))
{
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) sgd_step_v(vset1(lr), vset1(mu), g + i, v + i, theta + i, vmask_first(VW), 0);
    if (i < cnt)
        sgd_step_v(vset1(lr), vset1(mu), g + i, v + i, theta + i, vmask_first(cnt - i), 1);
}

/* Adam's constants, as vectors, once per call. */
typedef struct AdamConst {
    vf b1, b2, c1, c2, ibc1, ibc2, lr, eps;
} AdamConst;

STEP void adam_step_v(const AdamConst *k, const float *g, float *mo, float *v, float *theta, vmask m, int tail)
{
    const vf gv = ld(g, m, tail);
    const vf mv = vfma(k->b1, ld(mo, m, tail), vmul(k->c1, gv));
    const vf vv = vfma(k->b2, ld(v, m, tail), vmul(k->c2, vmul(gv, gv)));
    st(mo, mv, m, tail);
    st(v, vv, m, tail);
    const vf step = vdiv(vmul(mv, k->ibc1), vadd(vsqrt(vmul(vv, k->ibc2)), k->eps));
    st(theta, vfnma(k->lr, step, ld(theta, m, tail)), m, tail);
}

decl_adam_step_fn(float, KN(adam_step))
{
    const AdamConst k = { .b1 = vset1(b1),
                          .b2 = vset1(b2),
                          .c1 = vset1(1 - b1),
                          .c2 = vset1(1 - b2),
                          .ibc1 = vset1(1 / bc1),
                          .ibc2 = vset1(1 / bc2),
                          .lr = vset1(lr),
                          .eps = vset1(eps) };
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) adam_step_v(&k, g + i, m + i, v + i, theta + i, vmask_first(VW), 0);
    if (i < cnt)
        adam_step_v(&k, g + i, m + i, v + i, theta + i, vmask_first(cnt - i), 1);
}
