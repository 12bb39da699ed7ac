/*
 * The element-wise and reduction kernels of the table, written once over
 * the vector abstraction (x86/simd_*.h) and compiled once per ISA by
 * avx2.c / avx512.c, which define NAME(slot) -> sae_<slot>_<isa>.
 * Semantics: kernels.h; the scalar reference: scalar_tmpl.c. Sums leave in
 * double, accumulated in double lanes.
 */
#include "kernels/vmath_tmpl.h"

/* Runs BODY(LD, ST, KEEP) over cnt entries: whole vectors, then the tail
 * with masked loads and stores (masked-off lanes load 0; KEEP zeroes them
 * in a value that is summed). */
#define LD_FULL(p) vload((p) + i)
#define ST_FULL(p, v) vstore((p) + i, (v))
#define KEEP_FULL(v) (v)
#define LD_TAIL(p) vload_m((p) + i, m_)
#define ST_TAIL(p, v) vstore_m((p) + i, (v), m_)
#define KEEP_TAIL(v) vkeep(m_, (v))
#define FOR_EACH_VEC(cnt, BODY) \
    do { \
        size_t i = 0; \
        for (; i + VW <= (cnt); i += VW) { BODY(LD_FULL, ST_FULL, KEEP_FULL) } \
        if (i < (cnt)) { \
            const vmask m_ = vmask_first((cnt) - i); \
            BODY(LD_TAIL, ST_TAIL, KEEP_TAIL) \
        } \
    } while (0)

/* acc[0..1] += the float vector v widened to double. */
static inline void acc_add(vd acc[2], vf v)
{
    acc[0] = vd_add(acc[0], vd_lo(v));
    acc[1] = vd_add(acc[1], vd_hi(v));
}

static inline double acc_sum(const vd acc[2]) { return vd_sum(vd_add(acc[0], acc[1])); }

decl_exp_fn(float, NAME(exp))
{
#define BODY(LD, ST, KEEP) ST(y, v_exp(LD(x)));
    FOR_EACH_VEC(cnt, BODY);
#undef BODY
}

#define BIAS_ACT(act) \
    decl_bias_act_fn(float, NAME(bias_##act)) \
    { \
        for (size_t r = 0; r < m; r++) { \
            float *zr = z + r * n, *hr = h + r * n; \
            FOR_EACH_VEC(n, BIAS_ACT_BODY_##act); \
        } \
    }
#define BIAS_ACT_BODY(LD, ST, f) \
    { \
        const vf v = vadd(LD(zr), LD(bias)); \
        ST(zr, v); \
        ST(hr, f(v)); \
    }
#define BIAS_ACT_BODY_sigmoid(LD, ST, KEEP) BIAS_ACT_BODY(LD, ST, v_sigmoid)
#define BIAS_ACT_BODY_tanh(LD, ST, KEEP) BIAS_ACT_BODY(LD, ST, v_tanh)
#define BIAS_ACT_BODY_relu(LD, ST, KEEP) BIAS_ACT_BODY(LD, ST, v_relu)
#define BIAS_ACT_BODY_linear(LD, ST, KEEP) BIAS_ACT_BODY(LD, ST, v_linear)
BIAS_ACT(sigmoid)
BIAS_ACT(tanh)
BIAS_ACT(relu)
BIAS_ACT(linear)

#define DACT(act) \
    decl_dact_fn(float, NAME(d##act)) \
    { \
        FOR_EACH_VEC(cnt, DACT_BODY_##act); \
    }
#define DACT_BODY_sigmoid(LD, ST, KEEP) ST(g, vmul(LD(g), vd_sigmoid(LD(h))));
#define DACT_BODY_tanh(LD, ST, KEEP) ST(g, vmul(LD(g), vd_tanh(LD(h))));
#define DACT_BODY_relu(LD, ST, KEEP) ST(g, vmul(LD(g), vd_relu(LD(h))));
DACT(sigmoid)
DACT(tanh)
DACT(relu)

/* Column sums into double, whole vectors of columns; the few columns past
 * the last whole vector are summed one by one. */
#define COLUMN_SUMS(rows, cols, src, F) \
    { \
        const size_t nv_ = (cols) / VW * VW; \
        for (size_t j = 0; j < (cols); j++) out[j] = 0; \
        for (size_t i = 0; i < (rows); i++) { \
            const float *row = (src) + i * (cols); \
            for (size_t j = 0; j < nv_; j += VW) { \
                const vf v = F(vload(row + j)); \
                vd_store(out + j, vd_add(vd_load(out + j), vd_lo(v))); \
                vd_store(out + j + VDW, vd_add(vd_load(out + j + VDW), vd_hi(v))); \
            } \
            for (size_t j = nv_; j < (cols); j++) { \
                const float s = row[j]; \
                out[j] += (double)F##_scalar(s); \
            } \
        } \
    }

static inline vf sq_d_sigmoid(vf h) { const vf d = vd_sigmoid(h); return vmul(d, d); }
static inline vf sq_d_tanh(vf h) { const vf d = vd_tanh(h); return vmul(d, d); }
static inline float sq_d_sigmoid_scalar(float h) { const float d = h * (1 - h); return d * d; }
static inline float sq_d_tanh_scalar(float h) { const float d = 1 - h * h; return d * d; }
static inline float vd_relu_scalar(float h) { return h > 0 ? 1.0f : 0.0f; } /* relu'^2 = relu' */
static inline vf ident(vf v) { return v; }
static inline float ident_scalar(float v) { return v; }

decl_cae_dsq_fn(float, NAME(cae_dsq_sigmoid)) COLUMN_SUMS(m, k, h, sq_d_sigmoid)
decl_cae_dsq_fn(float, NAME(cae_dsq_tanh)) COLUMN_SUMS(m, k, h, sq_d_tanh)
decl_cae_dsq_fn(float, NAME(cae_dsq_relu)) COLUMN_SUMS(m, k, h, vd_relu)
decl_colsum_fn(float, NAME(colsum)) COLUMN_SUMS(m, n, a, ident)

#define CAE_DELTA(act) \
    decl_cae_delta_fn(float, NAME(cae_delta_##act)) \
    { \
        for (size_t r = 0; r < m; r++) { \
            const float *hr = h + r * k; \
            float *dr = d + r * k; \
            FOR_EACH_VEC(k, CAE_DELTA_BODY_##act); \
        } \
    }
#define CAE_DELTA_BODY(LD, ST, dfn, ddfn) \
    { \
        const vf hv = LD(hr); \
        ST(dr, vfma(vmul(LD(c), dfn(hv)), ddfn(hv), LD(dr))); \
    }
#define CAE_DELTA_BODY_sigmoid(LD, ST, KEEP) CAE_DELTA_BODY(LD, ST, vd_sigmoid, vdd_sigmoid)
#define CAE_DELTA_BODY_tanh(LD, ST, KEEP) CAE_DELTA_BODY(LD, ST, vd_tanh, vdd_tanh)
CAE_DELTA(sigmoid)
CAE_DELTA(tanh)

decl_row_sqnorm_fn(float, NAME(row_sqnorm))
{
    for (size_t r = 0; r < rows; r++) {
        const float *wr = w + r * cols;
        vd acc[2] = { vd_zero(), vd_zero() };
#define BODY(LD, ST, KEEP) \
    { \
        const vf v = LD(wr); \
        acc[0] = vd_fma(vd_lo(v), vd_lo(v), acc[0]); \
        acc[1] = vd_fma(vd_hi(v), vd_hi(v), acc[1]); \
    }
        FOR_EACH_VEC(cols, BODY);
#undef BODY
        out[r] = acc_sum(acc);
    }
}

decl_sqdiff_sum_fn(float, NAME(sqdiff_sum))
{
    vd acc[2] = { vd_zero(), vd_zero() };
#define BODY(LD, ST, KEEP) \
    { \
        const vf va = LD(a), vb = LD(b); \
        const vd lo = vd_add(vd_lo(va), vd_lo(vxor(vb, vset1(-0.0f)))); \
        const vd hi = vd_add(vd_hi(va), vd_hi(vxor(vb, vset1(-0.0f)))); \
        acc[0] = vd_fma(lo, lo, acc[0]); \
        acc[1] = vd_fma(hi, hi, acc[1]); \
    }
    FOR_EACH_VEC(cnt, BODY);
#undef BODY
    return acc_sum(acc);
}

decl_bce_sum_fn(float, NAME(bce_sum))
{
    vd acc[2] = { vd_zero(), vd_zero() };
#define BODY(LD, ST, KEEP) \
    { \
        const vf zv = LD(z); \
        acc_add(acc, KEEP(v_softplus(zv))); \
        acc[0] = vd_fma(vd_lo(vxor(LD(x), vset1(-0.0f))), vd_lo(zv), acc[0]); \
        acc[1] = vd_fma(vd_hi(vxor(LD(x), vset1(-0.0f))), vd_hi(zv), acc[1]); \
    }
    FOR_EACH_VEC(cnt, BODY);
#undef BODY
    return acc_sum(acc);
}

decl_abs_sum_fn(float, NAME(abs_sum))
{
    vd acc[2] = { vd_zero(), vd_zero() };
#define BODY(LD, ST, KEEP) acc_add(acc, vabs(LD(x)));
    FOR_EACH_VEC(cnt, BODY);
#undef BODY
    return acc_sum(acc);
}

decl_sub_scale_fn(float, NAME(sub_scale))
{
    const vf vs = vset1(s);
#define BODY(LD, ST, KEEP) ST(out, vmul(vs, vsub(LD(a), LD(b))));
    FOR_EACH_VEC(cnt, BODY);
#undef BODY
}

decl_sign_axpy_fn(float, NAME(sign_axpy))
{
    const vf vs = vset1(s);
#define BODY(LD, ST, KEEP) ST(g, vfma(vs, v_sign(LD(h)), LD(g)));
    FOR_EACH_VEC(cnt, BODY);
#undef BODY
}

decl_wpen_grad_fn(float, NAME(wpen_grad))
{
    const vf vl1 = vset1(l1);
    for (size_t r = 0; r < rows; r++) {
        const vf scale = vset1(lambda + (rowscale ? rowscale[r] : 0));
        const float *wr = w + r * cols;
        float *gr = g + r * cols;
#define BODY(LD, ST, KEEP) \
    { \
        const vf v = LD(wr); \
        ST(gr, vfma(vl1, v_sign(v), vfma(scale, v, LD(gr)))); \
    }
        FOR_EACH_VEC(cols, BODY);
#undef BODY
    }
}

decl_sgd_step_fn(float, NAME(sgd_step))
{
    const vf vlr = vset1(lr), vmu = vset1(mu);
#define BODY(LD, ST, KEEP) \
    { \
        const vf nv = vfma(vmu, LD(v), LD(g)); \
        ST(v, nv); \
        ST(theta, vfnma(vlr, nv, LD(theta))); \
    }
    FOR_EACH_VEC(cnt, BODY);
#undef BODY
}

decl_adam_step_fn(float, NAME(adam_step))
{
    const vf vb1 = vset1(b1), vb2 = vset1(b2), c1 = vset1(1 - b1), c2 = vset1(1 - b2);
    const vf ibc1 = vset1(1 / bc1), ibc2 = vset1(1 / bc2), vlr = vset1(lr), veps = vset1(eps);
#define BODY(LD, ST, KEEP) \
    { \
        const vf gv = LD(g); \
        const vf mv = vfma(vb1, LD(m), vmul(c1, gv)); \
        const vf vv = vfma(vb2, LD(v), vmul(c2, vmul(gv, gv))); \
        ST(m, mv); \
        ST(v, vv); \
        const vf step = vdiv(vmul(mv, ibc1), vadd(vsqrt(vmul(vv, ibc2)), veps)); \
        ST(theta, vfnma(vlr, step, LD(theta))); \
    }
    FOR_EACH_VEC(cnt, BODY);
#undef BODY
}
