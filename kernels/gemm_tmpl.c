/*
 * Single-threaded float GEMM, C = alpha op(A) op(B) + beta C, row-major,
 * written once over the vector abstraction and compiled per ISA with
 *   MR, NV   the register tile: MR rows x NV vectors of VW floats (NR),
 *   KC, MC, NC  the cache blocks of the inner dimension, the rows, the columns,
 *   NAME(x)  sae_<x>_<isa>.
 * Structure (BLIS/GotoBLAS): for each KC slice of the inner dimension, B's
 * slice is packed into NR-wide panels and A's rows into MR-high panels
 * (zero-padded), and the micro-kernel keeps an MR x NR tile of C in
 * registers. Packing pays only when a panel is reused: a small or skinny
 * problem reads A and/or B in place instead (libxsmm-style direct path),
 * with the tile's row reads clamped and its column reads masked at the
 * edges, so nothing outside the operands is read or written.
 */
#include <stdlib.h>
#include <string.h>

#define NR (NV * VW)

/* Where the micro-kernel reads its operands: a(i, p) = a[i*rs + p*cs];
 * b(p, j) = b[p*ld + j] (contiguous along j). */
typedef struct Operands {
    const float *a;
    size_t rs, cs;
    const float *b;
    size_t ld;
} Operands;

/* One MR x NR tile (mr x nr of it valid) over kc steps. Two flags are
 * compile-time constants at every call, so each combination is its own
 * loop: full, nr == NR (B loads and C stores need no mask); unit, a whole
 * tile whose A rows are adjacent (rs == 1, mr == MR), so the broadcasts
 * use constant offsets; otherwise row offsets are precomputed, with rows
 * past mr re-reading row mr-1 (never outside A). */
static inline __attribute__((always_inline)) void
ukernel(size_t kc, Operands o, float *c, size_t ldc, size_t mr, size_t nr, float alpha, float beta,
        const int full, const int unit)
{
    vf acc[MR][NV];
    vmask mask[NV];
    size_t ro[MR];
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
        ro[i] = unit ? (size_t)i : ((size_t)i < mr ? (size_t)i : mr - 1) * o.rs;
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) acc[i][v] = vzero();
    }
#pragma GCC unroll 8
    for (int v = 0; v < NV; v++) mask[v] = vmask_first(nr > (size_t)v * VW ? nr - (size_t)v * VW : 0);
    const float *a = o.a, *b = o.b;
    for (size_t p = 0; p < kc; p++) {
        vf bv[NV];
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) bv[v] = full ? vload(b + v * VW) : vload_m(b + v * VW, mask[v]);
#pragma GCC unroll 32
        for (int i = 0; i < MR; i++) {
            const vf av = vset1(unit ? a[i] : a[ro[i]]);
#pragma GCC unroll 8
            for (int v = 0; v < NV; v++) acc[i][v] = vfma(av, bv[v], acc[i][v]);
        }
        a += o.cs;
        b += o.ld;
    }
    const vf va = vset1(alpha), vb = vset1(beta);
#pragma GCC unroll 32
    for (int i = 0; i < MR; i++) {
        if ((size_t)i >= mr)
            break;
        float *ci = c + (size_t)i * ldc;
#pragma GCC unroll 8
        for (int v = 0; v < NV; v++) {
            vf r = vmul(va, acc[i][v]);
            if (full) {
                if (beta != 0) r = vfma(vb, vload(ci + v * VW), r);
                vstore(ci + v * VW, r);
            } else {
                if (beta != 0) r = vfma(vb, vload_m(ci + v * VW, mask[v]), r);
                vstore_m(ci + v * VW, r, mask[v]);
            }
        }
    }
}

/* Picks the ukernel specialisation for one tile. */
static void tile(size_t kc, Operands o, float *c, size_t ldc, size_t mr, size_t nr, float alpha, float beta)
{
    const int unit = o.rs == 1 && mr == MR;
    if (nr == NR) {
        if (unit) ukernel(kc, o, c, ldc, mr, nr, alpha, beta, 1, 1);
        else ukernel(kc, o, c, ldc, mr, nr, alpha, beta, 1, 0);
    } else {
        if (unit) ukernel(kc, o, c, ldc, mr, nr, alpha, beta, 0, 1);
        else ukernel(kc, o, c, ldc, mr, nr, alpha, beta, 0, 0);
    }
}

/* op(A) rows [i0, i0+mc) x inner [p0, p0+kc) into MR-high panels, each
 * stored p-major (MR values per p), rows past mc zero. */
static void pack_a(const float *a, size_t lda, int trans, size_t i0, size_t p0, size_t mc, size_t kc,
                   float *dst)
{
    for (size_t ip = 0; ip < mc; ip += MR) {
        const size_t rows = mc - ip < MR ? mc - ip : MR;
        for (size_t p = 0; p < kc; p++) {
            float *d = dst + ip * kc + p * MR;
            for (size_t i = 0; i < rows; i++)
                d[i] = trans ? a[(p0 + p) * lda + i0 + ip + i] : a[(i0 + ip + i) * lda + p0 + p];
            for (size_t i = rows; i < MR; i++) d[i] = 0;
        }
    }
}

/* op(B) inner [p0, p0+kc) x columns [j0, j0+nc) into NR-wide panels, each
 * stored p-major (NR values per p), columns past nc zero. */
static void pack_b(const float *b, size_t ldb, int trans, size_t p0, size_t j0, size_t kc, size_t nc,
                   float *dst)
{
    for (size_t jp = 0; jp < nc; jp += NR) {
        const size_t cols = nc - jp < NR ? nc - jp : NR;
        float *panel = dst + jp * kc;
        for (size_t p = 0; p < kc; p++) {
            float *d = panel + p * NR;
            if (trans)
                for (size_t j = 0; j < cols; j++) d[j] = b[(j0 + jp + j) * ldb + p0 + p];
            else
                memcpy(d, b + (p0 + p) * ldb + j0 + jp, cols * sizeof(float));
            for (size_t j = cols; j < NR; j++) d[j] = 0;
        }
    }
}

/* The packing buffers of this thread (which: 0 for B, 1 for A), of fixed
 * size, allocated on first use and kept: no allocation per call. */
static float *scratch(int which)
{
    static _Thread_local float *buf[2];
    if (!buf[which]) {
        const size_t floats = which == 0 ? (size_t)KC * NC : (size_t)(MC + MR) * KC;
        buf[which] = aligned_alloc(64, (floats * sizeof(float) + 63) / 64 * 64);
    }
    return buf[which];
}

static void scale_c(size_t m, size_t n, float beta, float *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++) {
        float *ci = c + i * ldc;
        if (beta == 0)
            memset(ci, 0, n * sizeof(float));
        else
            for (size_t j = 0; j < n; j++) ci[j] *= beta;
    }
}

/* C = alpha A B^T + beta C without packing: only when the packing buffer
 * cannot be had (out of memory); slow but right. */
static void gemm_nt_unpacked(int ta, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                             const float *b, size_t ldb, float beta, float *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            float s = 0;
            for (size_t p = 0; p < k; p++) s += (ta ? a[p * lda + i] : a[i * lda + p]) * b[j * ldb + p];
            c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]);
        }
}

/* The macro-kernel: every MR x NR tile of the mc x nc block of C at c over
 * one kc slice. ap/bp: the packed panels, or NULL to read a/b in place. */
static void macro_kernel(int ta, size_t mc, size_t nc, size_t kc, float alpha, const float *a, size_t lda,
                         const float *ap, const float *b, size_t ldb, const float *bp, float beta, float *c,
                         size_t ldc)
{
    for (size_t jr = 0; jr < nc; jr += NR) {
        const size_t nr = nc - jr < NR ? nc - jr : NR;
        for (size_t ir = 0; ir < mc; ir += MR) {
            const size_t mr = mc - ir < MR ? mc - ir : MR;
            Operands o;
            if (ap)
                o = (Operands){ .a = ap + ir * kc, .rs = 1, .cs = MR };
            else if (ta)
                o = (Operands){ .a = a + ir, .rs = 1, .cs = lda };
            else
                o = (Operands){ .a = a + ir * lda, .rs = lda, .cs = 1 };
            o.b = bp ? bp + jr * kc : b + jr;
            o.ld = bp ? NR : ldb;
            tile(kc, o, c + ir * ldc + jr, ldc, mr, nr, alpha, beta);
        }
    }
}

static void gemm(int ta, int tb, size_t m, size_t n, size_t k, float alpha, const float *a, size_t lda,
                 const float *b, size_t ldb, float beta, float *c, size_t ldc)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0 || alpha == 0) {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    /* Pack what is reused enough to pay for the copy; B in NT is strided
     * along j, so it is always packed. */
    const size_t kc_max = k < KC ? k : KC;
    float *bp = tb || (m > 4 * MR && n * kc_max > 4096) ? scratch(0) : NULL;
    float *ap = n > 2 * NR && m * kc_max > 4096 ? scratch(1) : NULL;
    if (tb && !bp) {
        gemm_nt_unpacked(ta, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    for (size_t jc = 0; jc < n; jc += NC) {
        const size_t nc = n - jc < NC ? n - jc : NC;
        for (size_t pc = 0; pc < k; pc += KC) {
            const size_t kc = k - pc < KC ? k - pc : KC;
            const float beta_k = pc == 0 ? beta : 1.0f;
            if (bp)
                pack_b(b, ldb, tb, pc, jc, kc, nc, bp);
            /* op(B) slice [pc, pc+kc) x [jc, jc+nc) read in place (not NT) */
            const float *bs = b + pc * ldb + jc;
            for (size_t ic = 0; ic < m; ic += MC) {
                const size_t mc = m - ic < MC ? m - ic : MC;
                if (ap)
                    pack_a(a, lda, ta, ic, pc, mc, kc, ap);
                const float *as = ta ? a + pc * lda + ic : a + ic * lda + pc;
                macro_kernel(ta, mc, nc, kc, alpha, as, lda, ap, bs, ldb, bp, beta_k, c + ic * ldc + jc, ldc);
            }
        }
    }
}

decl_gemm_fn(float, NAME(gemm_nn)) { gemm(0, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); }
decl_gemm_fn(float, NAME(gemm_nt)) { gemm(0, 1, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); }
decl_gemm_fn(float, NAME(gemm_tn)) { gemm(1, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc); }

#undef NR
