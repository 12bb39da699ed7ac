/*
 * The vec family of the kernel table (dot, axpy and the scaled updates), written once over the
 * vector abstraction (x86/simd_*.h): a template (kernels/template.h)
 * compiled per ISA by x86/avx2.c and x86/avx512.c. Semantics: kernels.h
 * (SAE_VEC_SLOTS); the scalar reference: scalar_tmpl.c; the
 * checks: tests/checkkernels/vec.c. The double dot and axpy are vec_f64_tmpl.c.
 */
#include "kernels/step_tmpl.h"

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
