/*
 * The reduce family of the kernel table (column, row and whole-array sums in double), written once over the
 * vector abstraction (x86/simd_*.h): a template (kernels/template.h)
 * compiled per ISA by x86/avx2.c and x86/avx512.c. Semantics: kernels.h
 * (SAE_REDUCE_SLOTS); the scalar reference: scalar_tmpl.c; the
 * checks: tests/checkkernels/reduce.c.
 */
#include "kernels/step_tmpl.h"

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

decl_cae_dsq_fn(float, KN(cae_dsq_sigmoid)) { column_sums(m, k, h, out, SAE_K_SIGMOID); }
decl_cae_dsq_fn(float, KN(cae_dsq_tanh)) { column_sums(m, k, h, out, SAE_K_TANH); }
decl_cae_dsq_fn(float, KN(cae_dsq_relu)) { column_sums(m, k, h, out, SAE_K_RELU); }
decl_colsum_fn(float, KN(colsum)) { column_sums(m, n, a, out, COL_SELF); }

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
