/*
 * The update family of the kernel table (the weight penalties' gradient, SGD and Adam), written once over the
 * vector abstraction (x86/simd_*.h): a template (kernels/template.h)
 * compiled per ISA by x86/avx2.c and x86/avx512.c. Semantics: kernels.h
 * (SAE_UPDATE_SLOTS); the scalar reference: scalar_tmpl.c; the
 * checks: tests/checkkernels/update.c.
 */
#include "kernels/step_tmpl.h"

/* The penalised gradient g + scale w + l1 sign(w), one rounding per
 * multiply-add: wpen_grad's store and the steps' G are the same bits. */
STEP vf wpen_v(vf scale, vf l1, vf w, vf g) { return vfma(l1, v_sign(w), vfma(scale, w, g)); }

STEP void wpen_step(vf scale, vf l1, const float *w, float *g, vmask m, int tail)
{
    st(g, wpen_v(scale, l1, ld(w, m, tail), ld(g, m, tail)), m, tail);
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

/* A step's constants, as vectors, once per call. */
typedef struct StepConst {
    vf lr, lambda, l1;
    vf b1, b2, c1, c2, ibc1, ibc2, eps; /* adam */
} StepConst;

/* The step's gradient G at theta th; pen: lambda or l1 is on, a constant
 * at each call, so that the plain step pays nothing for it. */
STEP vf step_grad_v(const StepConst *k, const float *g, vf th, vmask m, int tail, int pen)
{
    const vf gv = ld(g, m, tail);
    return pen ? wpen_v(k->lambda, k->l1, th, gv) : gv;
}

STEP void sgd_step_v(const StepConst *k, const float *g, float *v, float *theta, vmask m, int tail, int pen)
{
    const vf th = ld(theta, m, tail);
    const vf nv = vfma(k->b1, ld(v, m, tail), step_grad_v(k, g, th, m, tail, pen));
    st(v, nv, m, tail);
    st(theta, vfnma(k->lr, nv, th), m, tail);
}

STEP void sgd_steps(const StepConst *k, size_t cnt, const float *g, float *v, float *theta, int pen)
{
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) sgd_step_v(k, g + i, v + i, theta + i, vmask_first(VW), 0, pen);
    if (i < cnt)
        sgd_step_v(k, g + i, v + i, theta + i, vmask_first(cnt - i), 1, pen);
}

decl_sgd_step_fn(float, KN(sgd_step))
{
    const StepConst k = { .lr = vset1(lr), .lambda = vset1(lambda), .l1 = vset1(l1), .b1 = vset1(mu) };
    if (lambda != 0 || l1 != 0)
        sgd_steps(&k, cnt, g, v, theta, 1);
    else
        sgd_steps(&k, cnt, g, v, theta, 0);
}

STEP void adam_step_v(const StepConst *k, const float *g, float *mo, float *v, float *theta, vmask m, int tail, int pen)
{
    const vf th = ld(theta, m, tail);
    const vf gv = step_grad_v(k, g, th, m, tail, pen);
    const vf mv = vfma(k->b1, ld(mo, m, tail), vmul(k->c1, gv));
    const vf vv = vfma(k->b2, ld(v, m, tail), vmul(k->c2, vmul(gv, gv)));
    st(mo, mv, m, tail);
    st(v, vv, m, tail);
    const vf step = vdiv(vmul(mv, k->ibc1), vadd(vsqrt(vmul(vv, k->ibc2)), k->eps));
    st(theta, vfnma(k->lr, step, th), m, tail);
}

STEP void adam_steps(const StepConst *k, size_t cnt, const float *g, float *m, float *v, float *theta, int pen)
{
    size_t i = 0;
    for (; i + VW <= cnt; i += VW) adam_step_v(k, g + i, m + i, v + i, theta + i, vmask_first(VW), 0, pen);
    if (i < cnt)
        adam_step_v(k, g + i, m + i, v + i, theta + i, vmask_first(cnt - i), 1, pen);
}

decl_adam_step_fn(float, KN(adam_step))
{
    const StepConst k = { .lr = vset1(lr),
                          .lambda = vset1(lambda),
                          .l1 = vset1(l1),
                          .b1 = vset1(b1),
                          .b2 = vset1(b2),
                          .c1 = vset1(1 - b1),
                          .c2 = vset1(1 - b2),
                          .ibc1 = vset1(1 / bc1),
                          .ibc2 = vset1(1 / bc2),
                          .eps = vset1(eps) };
    if (lambda != 0 || l1 != 0)
        adam_steps(&k, cnt, g, m, v, theta, 1);
    else
        adam_steps(&k, cnt, g, m, v, theta, 0);
}
