/*
 * The delta family of the kernel table (the backward pass's deltas, each with its column sums in the same sweep), written once over the
 * vector abstraction (x86/simd_*.h): a template (kernels/template.h)
 * compiled per ISA by x86/avx2.c and x86/avx512.c. Semantics: kernels.h
 * (SAE_DELTA_SLOTS); the scalar reference: scalar_tmpl.c; the
 * checks: tests/checkkernels/delta.c.
 */
#include "kernels/step_tmpl.h"

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
