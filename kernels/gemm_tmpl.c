/*
 * Single-threaded GEMM, C = alpha op(A) op(B) + beta C, row-major,
 * written once over the vector abstraction: a template (kernels/template.h)
 * compiled once per register tile by kernels/x86/gemm_<level>_<tile>.c,
 * which defines
 *   MR, NV   the register tile: MR rows x NV vectors of VW elements (NR),
 *   GEMM_LEVEL  the SAE_CPU_* flags the tile needs,
 * and includes its level's vector header and tune_defaults.h, which gives
 *   PACK_MIN, PACK_B_MIN_M, PACK_A_MIN_N  when packing pays (see gemm()).
 * The cache blocks KC, MC, NC (the inner dimension, the rows, the columns)
 * are run-time values, set through the tile's record (kernels/tuning.h).
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

#include "kernels/scratch.h"
#include "kernels/tuning.h"
#if SAE_TMPL_F64
#include "kernels/scalar.h"
#else
#include "kernels/vmath_tmpl.h"
#endif

#define NR (NV * VW)

/* The cache blocks in force: valid from the start, replaced by the chosen
 * ones (sae_kernels_init_tuned) before any float GEMM runs. The double
 * GEMM keeps these (a 4 x 8 tile of doubles: B's micro-panel 16 KiB, A's
 * block 128 KiB): it is not tuned. */
static SaeGemmBlocks blk = { .mr = MR, .nr = NR, .kc = 256, .mc = 16 * MR, .nc = 4096 };

#if !SAE_TMPL_F64
static void set_blocks(SaeGemmBlocks b) { blk = b; }
#endif

/* Full unrolling of the tile loops, so that the accumulators live in
 * registers (gcc and clang spell it differently). */
#if defined(__clang__)
#define UNROLL _Pragma("clang loop unroll(full)")
#else
#define UNROLL _Pragma("GCC unroll 32")
#endif

/* The fused epilogue of the last inner slice (gemm_bias_act): the tile, as
 * it leaves the registers, gets the bias of its columns and the activation;
 * with h == NULL the activation replaces C, otherwise C keeps the
 * pre-activation and h (leading dimension ldh) gets the activation. */
typedef struct Epilogue {
    const T *bias;
    int act;
    T *h;
    size_t ldh;
} Epilogue;

/* Where the micro-kernel reads its operands: a(i, p) = a[i*rs + p*cs];
 * b(p, j) = b[p*ld + j] (contiguous along j). */
typedef struct Operands {
    const T *a;
    size_t rs, cs;
    const T *b;
    size_t ld;
} Operands;

/* ROWS x (NVEC vectors) of C over kc steps, every count a compile-time
 * constant at each call, so each combination is its own loop with no
 * wasted row: full, nr == NVEC * VW (B loads and C stores need no mask);
 * half, the last of the NVEC vectors is a half vector (an edge of at most
 * HW columns: half the work of a masked full vector); unit, adjacent A rows
 * (rs == 1: packed or transposed A), so the broadcasts use constant
 * offsets; otherwise rows rs apart, read through three row pointers. */
static inline __attribute__((always_inline)) void ukernel(size_t kc, Operands o, T *c, size_t ldc, size_t nr, T alpha,
                                                          T beta, const Epilogue *ep, const int ROWS, const int NVEC,
                                                          const int full, const int half, const int unit)
{
    (void)ep;                   /* the double GEMM has no epilogue */
    const int NW = NVEC - half; /* whole vectors */
    /* only the last whole vector can be partial (nr > (NVEC - 1) VW): one
     * mask, not one a vector (on AVX2 a mask is a ymm register, and one
     * more than the 6 x 16 tile's 16 spilled an accumulator) */
    const int masked = !full && !half;
#define IS_MASKED(v) (masked && (v) == NW - 1)
    vf acc[MR][NV];
    vh acch[MR];
    UNROLL
    for (int i = 0; i < ROWS; i++) {
        UNROLL
        for (int v = 0; v < NW; v++) acc[i][v] = vzero();
        acch[i] = vh_zero();
    }
    const vmask mask = vmask_first(masked ? nr - (size_t)(NW - 1) * VW : 0);
    const vhmask hmask = vh_mask_first(half ? nr - (size_t)NW * VW : 0);
    /* with beta != 0 the C tile is read at the end: start fetching it now
     * (measured +3 % at 512..2048 cubed, where later K slices accumulate) */
    if (beta != 0) {
        UNROLL
        for (int i = 0; i < ROWS; i++) {
            __builtin_prefetch(c + (size_t)i * ldc, 1);
            if (NVEC * VW > 16)
                __builtin_prefetch(c + (size_t)i * ldc + NVEC * VW - 1, 1);
        }
    }
    /* Rows read in place (not unit: A's rows rs apart, cs == 1): three row
     * pointers, 5 rows apart, each plus 0..4 times the row stride. With an
     * offset per row, the 14-row tile needed 14 registers and reloaded
     * half of them from the stack every step; this way gcc 12 keeps the
     * three pointers and the multiples of the stride, and nothing spills.
     * A pointer is set only where its rows exist (never past A). */
    const size_t rb = o.rs * sizeof(T);
    const char *a0 = (const char *)o.a;
    const char *ar[3] = { a0, ROWS > 5 ? a0 + 5 * rb : a0, ROWS > 10 ? a0 + 10 * rb : a0 };
    _Static_assert(MR <= 15, "three row pointers cover 15 rows");
#define ROW_AT(i) (*(const T *)(ar[(i) / 5] + (size_t)((i) % 5) * rb))
    const T *a = o.a, *b = o.b;
    for (size_t p = 0; p < kc; p++) {
        vf bv[NV];
        UNROLL
        for (int v = 0; v < NW; v++) bv[v] = IS_MASKED(v) ? vload_m(b + v * VW, mask) : vload(b + v * VW);
        const vh bh = half ? vh_load_m(b + NW * VW, hmask) : vh_zero();
        UNROLL
        for (int i = 0; i < ROWS; i++) {
            const vf av = vset1(unit ? a[i] : ROW_AT(i));
            UNROLL
            for (int v = 0; v < NW; v++) acc[i][v] = vfma(av, bv[v], acc[i][v]);
            if (half)
                acch[i] = vh_fma(vh_low(av), bh, acch[i]);
        }
        a += o.cs;
        if (!unit)
            for (int g = 0; g < 3; g++) ar[g] += sizeof(T);
        b += o.ld;
    }
    const vf va = vset1(alpha), vb = vset1(beta);
    UNROLL
    for (int i = 0; i < ROWS; i++) {
        T *ci = c + (size_t)i * ldc;
        UNROLL
        for (int v = 0; v < NW; v++) {
            vf r = vmul(va, acc[i][v]);
            if (beta != 0)
                r = vfma(vb, IS_MASKED(v) ? vload_m(ci + v * VW, mask) : vload(ci + v * VW), r);
            T *dst = ci + v * VW;
#if !SAE_TMPL_F64
            if (ep) {
                r = vadd(r, IS_MASKED(v) ? vload_m(ep->bias + v * VW, mask) : vload(ep->bias + v * VW));
                if (ep->h) {
                    IS_MASKED(v) ? vstore_m(dst, r, mask) : vstore(dst, r);
                    dst = ep->h + (size_t)i * ep->ldh + v * VW;
                }
                r = v_act(r, ep->act);
            }
#endif
            IS_MASKED(v) ? vstore_m(dst, r, mask) : vstore(dst, r);
        }
        if (half) {
            vh r = vh_mul(vh_low(va), acch[i]);
            if (beta != 0)
                r = vh_fma(vh_low(vb), vh_load_m(ci + NW * VW, hmask), r);
            T *dst = ci + NW * VW;
#if !SAE_TMPL_F64
            if (ep) {
                r = vh_add(r, vh_load_m(ep->bias + NW * VW, hmask));
                if (ep->h) {
                    vh_store_m(dst, r, hmask);
                    dst = ep->h + (size_t)i * ep->ldh + NW * VW;
                }
                r = vh_low(v_act(vh_wide(r), ep->act)); /* the upper lanes are dropped */
            }
#endif
            vh_store_m(dst, r, hmask);
        }
    }
}

#undef IS_MASKED
#undef ROW_AT

/* Every loop nest (a row count, a width, A's addressing) is a function of
 * its own. Inlined together, eight nests in one function, gcc 12 spilled
 * two or three of the 14 x 32 tile's 28 accumulators in the k-loop with
 * registers to spare (objdump: a vfmadd on the stack and a store back
 * every step, 40 % of the samples on 10000 x 64 x 25), and the 12 x 32
 * tile ran 15-20 % below its spill-free speed at 512..1024 cubed. Alone,
 * each nest's k-loop keeps every accumulator in a register. */
/* the signature of every nest and of tile_rows_R */
typedef void RowsFn(size_t kc, const Operands *o, T *c, size_t ldc, size_t nr, T alpha, T beta, const Epilogue *ep);
#define decl_uk_fn(name) \
    static __attribute__((noinline)) void name(size_t kc, const Operands *o, T *c, size_t ldc, size_t nr, T alpha, \
                                               T beta, const Epilogue *ep)
#define UK_FN(R, name, NVEC, FULL, HALF, UNIT) \
    decl_uk_fn(uk_##R##_##name) { ukernel(kc, *o, c, ldc, nr, alpha, beta, ep, R, NVEC, FULL, HALF, UNIT); }
/* R rows of a tile: the ten nests, and tile_rows_R, which picks the one
 * for its width (whole vectors, a half or a masked last vector, one
 * vector fewer at an edge) and A (unit: packed or transposed). */
#define ROWS_FNS(R) \
    UK_FN(R, full_unit, NV, 1, 0, 1) \
    UK_FN(R, full_rows, NV, 1, 0, 0) \
    UK_FN(R, half_unit, NV, 0, 1, 1) \
    UK_FN(R, half_rows, NV, 0, 1, 0) \
    UK_FN(R, mask_unit, NV, 0, 0, 1) \
    UK_FN(R, mask_rows, NV, 0, 0, 0) \
    UK_FN(R, edge_half_unit, NV - 1, 0, 1, 1) \
    UK_FN(R, edge_half_rows, NV - 1, 0, 1, 0) \
    UK_FN(R, edge_mask_unit, NV - 1, 0, 0, 1) \
    UK_FN(R, edge_mask_rows, NV - 1, 0, 0, 0) \
    static void tile_rows_##R(size_t kc, const Operands *o, T *c, size_t ldc, size_t nr, T alpha, T beta, \
                              const Epilogue *ep) \
    { \
        const size_t nvec = (nr + VW - 1) / VW, rem = nr - (nvec - 1) * VW; \
        const int u = o->rs == 1; \
        RowsFn *fn; \
        if (nvec == NV) \
            fn = rem == VW   ? (u ? uk_##R##_full_unit : uk_##R##_full_rows) \
                 : rem <= HW ? (u ? uk_##R##_half_unit : uk_##R##_half_rows) \
                             : (u ? uk_##R##_mask_unit : uk_##R##_mask_rows); \
        else \
            fn = rem <= HW ? (u ? uk_##R##_edge_half_unit : uk_##R##_edge_half_rows) \
                           : (u ? uk_##R##_edge_mask_unit : uk_##R##_edge_mask_rows); \
        fn(kc, o, c, ldc, nr, alpha, beta, ep); \
    }
_Static_assert(NV == 2, "the edge nests cover NV - 1 vectors: written for NV = 2");
/* Every row count up to MR, so that a tile's last rows, or a skinny A cut
 * into even pieces, take one call of the exact height (pieces of 8, 4, 2
 * and 1 instead ran the 25 rows of UFLDL's weight gradients as 14 + 8 +
 * 2 + 1, the last two at one or two FMAs per B load). ROW_COUNTS(X) is
 * X(1) ... X(MR), the one list the functions and the table come from. */
#define ROW_COUNTS_4(X) X(1) X(2) X(3) X(4)
#define ROW_COUNTS_6(X) ROW_COUNTS_4(X) X(5) X(6)
#define ROW_COUNTS_8(X) ROW_COUNTS_6(X) X(7) X(8)
#define ROW_COUNTS_12(X) ROW_COUNTS_8(X) X(9) X(10) X(11) X(12)
#define ROW_COUNTS_14(X) ROW_COUNTS_12(X) X(13) X(14)
#define ROW_COUNTS_CAT(mr) ROW_COUNTS_##mr
#define ROW_COUNTS_(mr) ROW_COUNTS_CAT(mr) /* MR expanded before the paste */
#define ROW_COUNTS(X) ROW_COUNTS_(MR)(X)   /* MR is 4, 6, 8, 12 or 14 */
ROW_COUNTS(ROWS_FNS)
#define ROWS_ENTRY(R) [R] = tile_rows_##R,
static RowsFn *const tile_rows_fn[MR + 1] = { ROW_COUNTS(ROWS_ENTRY) };
#undef ROWS_ENTRY
#undef ROW_COUNTS
#undef ROW_COUNTS_
#undef ROW_COUNTS_CAT
#undef ROW_COUNTS_4
#undef ROW_COUNTS_6
#undef ROW_COUNTS_8
#undef ROW_COUNTS_12
#undef ROW_COUNTS_14
#undef ROWS_FNS
#undef UK_FN
#undef decl_uk_fn

/* The rows of the next piece of an mc-row block from row ir: packed A
 * comes in MR-high panels, so at most MR and never across a panel; A read
 * in place is cut into the fewest pieces of at most MR, as even as they
 * go (25 rows: 13 + 12; 32: 11 + 11 + 10). */
static size_t piece_rows(size_t mc, size_t ir, int packed)
{
    const size_t left = mc - ir;
    if (packed)
        return left < MR ? left : MR;
    const size_t pieces = (left + MR - 1) / MR;
    return (left + pieces - 1) / pieces;
}

/* op(A) rows [i0, i0+mc) x inner [p0, p0+kc) into MR-high panels, each
 * stored p-major (MR values per p), rows past mc zero. */
static void pack_a(const T *a, size_t lda, int trans, size_t i0, size_t p0, size_t mc, size_t kc, T *dst)
{
    _Static_assert(MR <= VW, "a panel's rows fit one transposed vector");
    for (size_t ip = 0; ip < mc; ip += MR) {
        const size_t rows = mc - ip < MR ? mc - ip : MR;
        size_t p0v = 0; /* the steps packed by VW x VW transposes (rows past MR are 0) */
        if (!trans) {
            /* Whole-vector stores, in rising p: the VW - MR lanes past a
             * step's MR land in the next step's slot and are rewritten
             * there (after the last step: in the next panel, packed later,
             * or the buffer's slack). A masked store would be exact but is
             * microcoded on AMD cores (vmaskmovps: about 12 cycles each). */
            for (; p0v + VW <= kc; p0v += VW) {
                vf r[VW];
                for (int t = 0; t < VW; t++)
                    r[t] = (size_t)t < rows ? vload(a + (i0 + ip + (size_t)t) * lda + p0 + p0v) : vzero();
                vtranspose(r);
                for (int t = 0; t < VW; t++) vstore(dst + ip * kc + (p0v + t) * MR, r[t]);
            }
        }
        for (size_t p = p0v; p < kc; p++) {
            T *d = dst + ip * kc + p * MR;
            for (size_t i = 0; i < rows; i++)
                d[i] = trans ? a[(p0 + p) * lda + i0 + ip + i] : a[(i0 + ip + i) * lda + p0 + p];
            for (size_t i = rows; i < MR; i++) d[i] = 0;
        }
    }
}

/* op(B) inner [p0, p0+kc) x columns [j0, j0+nc) into NR-wide panels, each
 * stored p-major (NR values per p), columns past nc zero. */
static void pack_b(const T *b, size_t ldb, int trans, size_t p0, size_t j0, size_t kc, size_t nc, T *dst)
{
    for (size_t jp = 0; jp < nc; jp += NR) {
        const size_t cols = nc - jp < NR ? nc - jp : NR;
        T *panel = dst + jp * kc;
        size_t p0v = 0; /* the steps packed by whole VW x VW transposes */
        if (trans) {
            /* an edge panel too: its missing columns are zero vectors (a
             * model's hidden size is rarely a multiple of NR, and copying
             * its edge one float at a time cost the seed's step 10 %) */
            for (; p0v + VW <= kc; p0v += VW)
                for (int v = 0; v < NV; v++) {
                    vf r[VW];
                    for (int t = 0; t < VW; t++) {
                        const size_t j = (size_t)v * VW + (size_t)t;
                        r[t] = j < cols ? vload(b + (j0 + jp + j) * ldb + p0 + p0v) : vzero();
                    }
                    vtranspose(r);
                    for (int t = 0; t < VW; t++) vstore(panel + (p0v + t) * NR + v * VW, r[t]);
                }
        }
        for (size_t p = p0v; p < kc; p++) {
            T *d = panel + p * NR;
            if (trans)
                for (size_t j = 0; j < cols; j++) d[j] = b[(j0 + jp + j) * ldb + p0 + p];
            else if (cols == NR) /* a whole panel row: NV vector copies, no call */
                for (int v = 0; v < NV; v++) vstore(d + v * VW, vload(b + (p0 + p) * ldb + j0 + jp + (size_t)v * VW));
            else
                memcpy(d, b + (p0 + p) * ldb + j0 + jp, cols * sizeof(T));
            for (size_t j = cols; j < NR; j++) d[j] = 0;
        }
    }
}

/* The packing buffers of this thread (which: 0 for B, 1 for A), sized for
 * the largest blocks, allocated on first use and kept: no allocation per
 * call (only the pages the blocks in force use are ever touched). */
static T *scratch(int which)
{
    static _Thread_local T *buf[2];
    if (!buf[which]) {
        const size_t floats =
            which == 0 ? (size_t)SAE_GEMM_KC_MAX * SAE_GEMM_NC_MAX : (size_t)(SAE_GEMM_MC_MAX + MR) * SAE_GEMM_KC_MAX;
        buf[which] = sae_scratch_alloc(floats * sizeof(T));
    }
    return buf[which];
}

static void scale_c(size_t m, size_t n, T beta, T *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++) {
        T *ci = c + i * ldc;
        if (beta == 0)
            memset(ci, 0, n * sizeof(T));
        else
            for (size_t j = 0; j < n; j++) ci[j] *= beta;
    }
}

/* C = alpha A B^T + beta C without packing: only when the packing buffer
 * cannot be had (out of memory); slow but right. */
static void gemm_nt_unpacked(int ta, size_t m, size_t n, size_t k, T alpha, const T *a, size_t lda, const T *b,
                             size_t ldb, T beta, T *c, size_t ldc)
{
    for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < n; j++) {
            T s = 0;
            for (size_t p = 0; p < k; p++) s += (ta ? a[p * lda + i] : a[i * lda + p]) * b[j * ldb + p];
            c[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * c[i * ldc + j]);
        }
}

/* The macro-kernel: every MR x NR tile of the mc x nc block of C at c over
 * one kc slice. ap/bp: the packed panels, or NULL to read a/b in place. */
static void macro_kernel(int ta, size_t mc, size_t nc, size_t kc, T alpha, const T *a, size_t lda, const T *ap,
                         const T *b, size_t ldb, const T *bp, T beta, T *c, size_t ldc, const Epilogue *ep)
{
    for (size_t jr = 0; jr < nc; jr += NR) {
        const size_t nr = nc - jr < NR ? nc - jr : NR;
        for (size_t ir = 0, mr; ir < mc; ir += mr) {
            mr = piece_rows(mc, ir, ap != NULL);
            Operands o;
            if (ap)
                o = (Operands){ .a = ap + ir * kc, .rs = 1, .cs = MR };
            else if (ta)
                o = (Operands){ .a = a + ir, .rs = 1, .cs = lda };
            else
                o = (Operands){ .a = a + ir * lda, .rs = lda, .cs = 1 };
            o.b = bp ? bp + jr * kc : b + jr;
            o.ld = bp ? NR : ldb;
            Epilogue et, *e = NULL;
            if (ep) {
                et = *ep;
                et.bias += jr;
                if (et.h)
                    et.h += ir * et.ldh + jr;
                e = &et;
            }
            tile_rows_fn[mr](kc, &o, c + ir * ldc + jr, ldc, nr, alpha, beta, e);
        }
    }
}

static void gemm(int ta, int tb, size_t m, size_t n, size_t k, T alpha, const T *a, size_t lda, const T *b, size_t ldb,
                 T beta, T *c, size_t ldc, const Epilogue *ep)
{
    if (m == 0 || n == 0)
        return;
    if (k == 0 || alpha == 0) {
        scale_c(m, n, beta, c, ldc);
        return;
    }
    const size_t kc_cap = (size_t)blk.kc, mc_cap = (size_t)blk.mc, nc_cap = (size_t)blk.nc;
    /* Pack what is reused enough to pay for the copy; B in NT is strided
     * along j, so it is always packed. */
    const size_t kc_max = k < kc_cap ? k : kc_cap;
    T *bp = tb || (m > PACK_B_MIN_M && n * kc_max > PACK_MIN) ? scratch(0) : NULL;
    T *ap = n > PACK_A_MIN_N && m * kc_max > PACK_MIN ? scratch(1) : NULL;
    if (tb && !bp) {
        gemm_nt_unpacked(ta, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        return;
    }
    /* Blocks of equal size (kc_cap and mc_cap are the caps): a short last slice
     * would pay a whole pass over C for a few steps. */
    const size_t kb = (k + kc_cap - 1) / kc_cap, kc_eq = (k + kb - 1) / kb;
    const size_t mb = (m + mc_cap - 1) / mc_cap, mc_eq = ((m + mb - 1) / mb + MR - 1) / MR * MR;
    for (size_t jc = 0; jc < n; jc += nc_cap) {
        const size_t nc = n - jc < nc_cap ? n - jc : nc_cap;
        for (size_t pc = 0; pc < k; pc += kc_eq) {
            const size_t kc = k - pc < kc_eq ? k - pc : kc_eq;
            const T beta_k = pc == 0 ? beta : (T)1;
            if (bp)
                pack_b(b, ldb, tb, pc, jc, kc, nc, bp);
            /* op(B) slice [pc, pc+kc) x [jc, jc+nc) read in place (not NT) */
            const T *bs = b + pc * ldb + jc;
            for (size_t ic = 0; ic < m; ic += mc_eq) {
                const size_t mc = m - ic < mc_eq ? m - ic : mc_eq;
                if (ap)
                    pack_a(a, lda, ta, ic, pc, mc, kc, ap);
                const T *as = ta ? a + pc * lda + ic : a + ic * lda + pc;
                Epilogue eb, *e = NULL;
                if (ep && pc + kc == k) { /* the last slice carries the epilogue */
                    eb = *ep;
                    eb.bias += jc;
                    if (eb.h)
                        eb.h += ic * eb.ldh + jc;
                    e = &eb;
                }
                macro_kernel(ta, mc, nc, kc, alpha, as, lda, ap, bs, ldb, bp, beta_k, c + ic * ldc + jc, ldc, e);
            }
        }
    }
}

/* Every function is exported under its own name, sae_<slot>_<tile> (the
 * float tiles, reached through their record below) or sae_<slot>_<isa>_f64
 * (the double GEMM): the name saebench cpu prints is the symbol. */
decl_gemm_fn(T, KN(gemm_nn)) { gemm(0, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL); }
decl_gemm_fn(T, KN(gemm_nt)) { gemm(0, 1, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL); }
decl_gemm_fn(T, KN(gemm_tn)) { gemm(1, 0, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc, NULL); }

#if SAE_TMPL_F64
/* Double has no vector activations: the GEMM, then the bias and the
 * activation in one pass of the scalar reference (O(mn) after O(mnk)). */
decl_gemm_bias_act_fn(T, KN(gemm_bias_act))
{
    static decl_bias_act_fn(double, *const bias_act[]) = { sae_bias_sigmoid_scalar_f64, sae_bias_tanh_scalar_f64,
                                                           sae_bias_relu_scalar_f64, sae_bias_linear_scalar_f64 };
    gemm(0, trans_b, m, n, k, 1, a, lda, b, ldb, 0, z ? z : h, n, NULL);
    bias_act[act](m, n, bias, z ? z : h, h);
}
#else
decl_gemm_bias_act_fn(T, KN(gemm_bias_act))
{
    const Epilogue ep = { .bias = bias, .act = act, .h = z ? h : NULL, .ldh = n };
    if (k == 0) { /* no slice to carry the epilogue: every row is f(bias) */
        for (size_t i = 0; i < m; i++)
            for (size_t j = 0; j < n; j += VW) {
                const vmask msk = vmask_first(n - j);
                const vf zb = vload_m(bias + j, msk);
                if (z)
                    vstore_m(z + i * n + j, zb, msk);
                vstore_m(h + i * n + j, v_act(zb, act), msk);
            }
        return;
    }
    gemm(0, trans_b, m, n, k, (T)1, a, lda, b, ldb, (T)0, z ? z : h, n, &ep);
}

#define SAE_STR_(x) #x
#define SAE_STR(x) SAE_STR_(x)
const SaeGemmTile KN(gemm_tile) = {
    .name = SAE_STR(SAE_TMPL_ISA),
    .level = GEMM_LEVEL,
    .mr = MR,
    .nr = NR,
    .nn = KN(gemm_nn),
    .nt = KN(gemm_nt),
    .tn = KN(gemm_tn),
    .bias_act = KN(gemm_bias_act),
    .fn_names = { SAE_STR(KN(gemm_nn)), SAE_STR(KN(gemm_nt)), SAE_STR(KN(gemm_tn)), SAE_STR(KN(gemm_bias_act)) },
    .set_blocks = set_blocks,
};
#endif

#undef NR
