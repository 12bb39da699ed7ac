/*
 * What the element-wise families' kernels (act_tmpl.c, delta_tmpl.c,
 * reduce_tmpl.c, vec_tmpl.c, update_tmpl.c) are made of: every kernel is a
 * loop over whole vectors and one masked tail step, both calling the
 * kernel's step function (always inlined, so the tail flag and the
 * activation fold to constants): a debugger steps into each of them. Sums
 * leave in double, accumulated in double lanes. Included once per ISA
 * translation unit, after the vector names (x86/simd_*.h).
 */
#ifndef SAE_KERNELS_STEP_TMPL_H
#define SAE_KERNELS_STEP_TMPL_H

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

/* out[0..VW) += v, widened to double. */
STEP void colsum_add(double *out, vf v)
{
    vd_store(out, vd_add(vd_load(out), vd_lo(v)));
    vd_store(out + VDW, vd_add(vd_load(out + VDW), vd_hi(v)));
}

#endif
