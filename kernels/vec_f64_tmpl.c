/*
 * The double kernels of a SIMD level: the slots of L-BFGS's vector algebra
 * (dot, axpy; core/lbfgs.c runs in double whatever the training
 * precision), written once over the vd vectors of x86/simd_*.h (VDW
 * doubles) and instanced by x86/avx2.c and x86/avx512.c as
 * sae_<slot>_<isa>_f64. The rest of the double table is the scalar
 * reference. Tails past the last whole vector are scalar.
 */
#define KN64(slot) SAE_CAT(KN(slot), _f64)

/* Four accumulators: the FMA's latency, not its throughput, would bound
 * one chain. */
decl_dot_fn(double, KN64(dot))
{
    vd acc[4] = { vd_zero(), vd_zero(), vd_zero(), vd_zero() };
    size_t i = 0;
    for (; i + 4 * VDW <= cnt; i += 4 * VDW)
        for (int u = 0; u < 4; u++) acc[u] = vd_fma(vd_load(a + i + u * VDW), vd_load(b + i + u * VDW), acc[u]);
    for (; i + VDW <= cnt; i += VDW) acc[0] = vd_fma(vd_load(a + i), vd_load(b + i), acc[0]);
    double s = vd_sum(vd_add(vd_add(acc[0], acc[1]), vd_add(acc[2], acc[3])));
    for (; i < cnt; i++) s += a[i] * b[i];
    return s;
}

decl_axpy_fn(double, KN64(axpy))
{
    const vd sv = vd_set1(s);
    size_t i = 0;
    for (; i + VDW <= cnt; i += VDW) vd_store(y + i, vd_fma(sv, vd_load(x + i), vd_load(y + i)));
    for (; i < cnt; i++) y[i] += s * x[i];
}

#undef KN64
