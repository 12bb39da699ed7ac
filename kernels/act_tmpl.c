/*
 * The act family of the kernel table (exp, bias + activation, the derivatives), written once over the
 * vector abstraction (x86/simd_*.h): a template (kernels/template.h)
 * compiled per ISA by x86/avx2.c and x86/avx512.c. Semantics: kernels.h
 * (SAE_ACT_SLOTS); the scalar reference: scalar_tmpl.c; the
 * checks: tests/checkkernels/act.c.
 */
#include "kernels/step_tmpl.h"

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
