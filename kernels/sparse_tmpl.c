/*
 * The sparse kernels of TopK (kernels.h: topk, sp_gemm, sp_sddmm,
 * sp_scatter; core/MODEL.md §6 [sparse]) over the vector abstraction
 * (x86/simd_*.h), compiled per ISA by x86/avx2.c and x86/avx512.c, with
 * the step helpers (ld, st, STEP) of step_tmpl.h. The scalar reference is
 * in scalar_tmpl.c; the checks: tests/checkkernels/sparse.c.
 *
 * Every product reads or writes whole rows of B or C, so the vectors run
 * along n and nothing is gathered (the model holds an untied decoder as
 * W2^T for this). Gathering W2's columns with vgatherdps made the whole
 * untied step at 784 -> 4096, K = 32 about twice as slow on Zen 3 (69-78
 * ms against 34-56 ms with W2 transposed twice a step), whose gathers
 * deliver about one element a cycle.
 */
#include "kernels/step_tmpl.h"
#include "kernels/topk_tmpl.h"

/* The first cnt <= VW lanes, as lane bits. */
static inline vbits first_bits(size_t cnt) { return (vbits)((1ull << cnt) - 1u); }

/* Pass 1 of a row: the heap (val's row) sees only the lanes above its
 * current root, the K-th largest so far; every lane it skips it would
 * have refused, so its final root is the reference's. */
static float topk_threshold(size_t k, size_t K, const float *h, float *heap)
{
    size_t len = 0, j = 0;
    for (; j < K; j++) topk_offer(heap, &len, K, h[j]);
    for (; j + VW <= k; j += VW)
        for (vbits up = vbool_bits(vgt(vload(h + j), vset1(heap[0]))); up; up &= up - 1)
            topk_offer(heap, &len, K, h[j + (size_t)__builtin_ctz(up)]);
    for (; j < k; j++) topk_offer(heap, &len, K, h[j]);
    return heap[0];
}

/* Pass 2 over VW entries at j (cnt of them when tail): the lanes above or
 * at thr go through the reference's keep rule in index order, the rest
 * become 0 in one store. */
STEP void topk_keep_step(float *h, size_t j, float thr, size_t *ties, size_t K, size_t *cnt, uint32_t *idx, float *val,
                         vmask m, vbits lanes, int tail)
{
    const vf v = ld(h + j, m, tail), t = vset1(thr);
    vbits cand = (vbool_bits(vgt(v, t)) | vbool_bits(veq(v, t))) & lanes, kept = 0;
    for (; cand; cand &= cand - 1) {
        const unsigned l = (unsigned)__builtin_ctz(cand);
        if (topk_keep(h[j + l], thr, ties, (uint32_t)(j + l), K, cnt, idx, val))
            kept |= 1u << l;
    }
    st(h + j, vsel_bits(kept, v, vzero()), m, tail);
}

decl_topk_fn(float, KN(topk))
{
    for (size_t i = 0; i < m; i++) {
        float *hi = h + i * k, *vi = val + i * K;
        uint32_t *ii = idx + i * K;
        const float thr = topk_threshold(k, K, hi, vi);
        size_t above = 0, j = 0, cnt = 0;
        for (; j + VW <= k; j += VW) above += (size_t)__builtin_popcount(vbool_bits(vgt(vload(hi + j), vset1(thr))));
        for (; j < k; j++) above += hi[j] > thr;
        size_t ties = above < K ? K - above : 0;
        for (j = 0; j + VW <= k; j += VW)
            topk_keep_step(hi, j, thr, &ties, K, &cnt, ii, vi, vmask_first(VW), first_bits(VW), 0);
        if (j < k)
            topk_keep_step(hi, j, thr, &ties, K, &cnt, ii, vi, vmask_first(k - j), first_bits(k - j), 1);
        if (cnt < K)
            topk_pad(k, K, cnt, ii, vi);
    }
}

/* c[r .. r + nb VW) = sum_q v[q] B(ix[q], r ..) for a row-major B: nb
 * accumulators stay in registers over the K rows of B; the last vector is
 * the tail's when tail. */
STEP void sp_gemm_rows_step(size_t K, const uint32_t *ix, const float *v, const float *b, size_t ldb, size_t r,
                            float *c, int nb, vmask m, int tail)
{
    vf acc[4] = { vzero(), vzero(), vzero(), vzero() };
    for (size_t q = 0; q < K; q++) {
        const vf s = vset1(v[q]);
        const float *row = b + (size_t)ix[q] * ldb + r;
        for (int u = 0; u < nb; u++) acc[u] = vfma(s, ld(row + u * VW, m, tail && u == nb - 1), acc[u]);
    }
    for (int u = 0; u < nb; u++) st(c + r + u * VW, acc[u], m, tail && u == nb - 1);
}

decl_sp_gemm_fn(float, KN(sp_gemm))
{
    for (size_t i = 0; i < m; i++) {
        const uint32_t *ix = idx + i * K;
        const float *v = val + i * K;
        float *ci = c + i * ldc;
        size_t r = 0;
        for (; r + 4 * VW <= n; r += 4 * VW) sp_gemm_rows_step(K, ix, v, b, ldb, r, ci, 4, vmask_first(VW), 0);
        for (; r + VW <= n; r += VW) sp_gemm_rows_step(K, ix, v, b, ldb, r, ci, 1, vmask_first(VW), 0);
        if (r < n)
            sp_gemm_rows_step(K, ix, v, b, ldb, r, ci, 1, vmask_first(n - r), 1);
    }
}

/* The dots of the n-vector a with nb rows of B (ix[0..nb)), in nb
 * independent accumulators so the FMAs overlap. */
STEP void dots_step(size_t n, const float *a, const float *b, size_t ldb, const uint32_t *ix, float *out, int nb)
{
    vf acc[4] = { vzero(), vzero(), vzero(), vzero() };
    const float *row[4];
    for (int u = 0; u < nb; u++) row[u] = b + (size_t)ix[u] * ldb;
    size_t r = 0;
    for (; r + VW <= n; r += VW) {
        const vf av = vload(a + r);
        for (int u = 0; u < nb; u++) acc[u] = vfma(av, vload(row[u] + r), acc[u]);
    }
    if (r < n) {
        const vmask m = vmask_first(n - r);
        const vf av = vload_m(a + r, m);
        for (int u = 0; u < nb; u++) acc[u] = vfma(av, vload_m(row[u] + r, m), acc[u]);
    }
    for (int u = 0; u < nb; u++) out[u] = vsum(acc[u]);
}

decl_sp_sddmm_fn(float, KN(sp_sddmm))
{
    for (size_t i = 0; i < m; i++) {
        size_t q = 0;
        for (; q + 4 <= K; q += 4) dots_step(n, a + i * lda, b, ldb, idx + i * K + q, out + i * K + q, 4);
        for (; q < K; q++) dots_step(n, a + i * lda, b, ldb, idx + i * K + q, out + i * K + q, 1);
    }
}

/* y[0..n) += s x[0..n). */
static inline void row_axpy(size_t n, float s, const float *x, float *y)
{
    const vf sv = vset1(s);
    size_t r = 0;
    for (; r + VW <= n; r += VW) vstore(y + r, vfma(sv, vload(x + r), vload(y + r)));
    if (r < n) {
        const vmask m = vmask_first(n - r);
        vstore_m(y + r, vfma(sv, vload_m(x + r, m), vload_m(y + r, m)), m);
    }
}

decl_sp_scatter_fn(float, KN(sp_scatter))
{
    for (size_t i = 0; i < m; i++)
        for (size_t q = 0; q < K; q++) row_axpy(n, val[i * K + q], a + i * lda, c + (size_t)idx[i * K + q] * ldc);
}
