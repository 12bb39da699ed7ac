/*
 * The update family of the kernel table (the weight penalties' gradient, SGD and Adam), written once over the
 * vector abstraction (x86/simd_*.h): a template (kernels/template.h)
 * compiled per ISA by x86/avx2.c and x86/avx512.c. Semantics: kernels.h
 * (SAE_UPDATE_SLOTS); the scalar reference: scalar_tmpl.c; the
 * checks: tests/checkkernels/update.c.
 */
#include "kernels/step_tmpl.h"

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
