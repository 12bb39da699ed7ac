/*
 * The float vector of AVX-512 (F/BW/DQ/VL) behind the names the kernel
 * templates use: vf (VW floats), vd (VW/2 doubles), vmask (which lanes a
 * tail touches) and vbool (a lane-wise comparison result). Only the
 * intrinsics live here; the kernels are written once in the *_tmpl.c files.
 * In the -Davx512_emulation=true build the same names come from SIMDe on
 * AVX2 (avx512_simde.h), so that an AVX2 machine runs this level's code.
 */
#ifndef SAE_KERNELS_X86_SIMD_AVX512_H
#define SAE_KERNELS_X86_SIMD_AVX512_H

#include <stddef.h>

#include "sae_config.h"
#if SAE_AVX512_EMULATED
#include "kernels/x86/avx512_simde.h"
#else
#include <immintrin.h>
#endif

#define VW 16
typedef __m512 vf;
typedef __m512d vd;
typedef __m512i vi;
typedef __mmask16 vmask;
typedef __mmask16 vbool;

static inline vmask vmask_first(size_t n) { return (vmask)(n >= VW ? 0xffffu : (1u << n) - 1u); }
static inline vf vload(const float *p) { return _mm512_loadu_ps(p); }
static inline vf vload_m(const float *p, vmask m) { return _mm512_maskz_loadu_ps(m, p); }
static inline void vstore(float *p, vf v) { _mm512_storeu_ps(p, v); }
static inline void vstore_m(float *p, vf v, vmask m) { _mm512_mask_storeu_ps(p, m, v); }
static inline vf vset1(float x) { return _mm512_set1_ps(x); }
static inline vf vzero(void) { return _mm512_setzero_ps(); }
static inline vf vadd(vf a, vf b) { return _mm512_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm512_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm512_mul_ps(a, b); }
static inline vf vdiv(vf a, vf b) { return _mm512_div_ps(a, b); }
static inline vf vfma(vf a, vf b, vf c) { return _mm512_fmadd_ps(a, b, c); }   /* a b + c */
static inline vf vfnma(vf a, vf b, vf c) { return _mm512_fnmadd_ps(a, b, c); } /* c - a b */
static inline vf vmax(vf a, vf b) { return _mm512_max_ps(a, b); }
static inline vf vmin(vf a, vf b) { return _mm512_min_ps(a, b); }
static inline vf vsqrt(vf a) { return _mm512_sqrt_ps(a); }
static inline vf vabs(vf a) { return _mm512_abs_ps(a); }
static inline vf vand(vf a, vf b) { return _mm512_and_ps(a, b); }
static inline vf vxor(vf a, vf b) { return _mm512_xor_ps(a, b); }
static inline vbool vlt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
static inline vbool vgt(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
/* lanes of m from a, the others from b */
static inline vf vsel(vbool m, vf a, vf b) { return _mm512_mask_blend_ps(m, b, a); }
static inline vf vround(vf a) { return _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vi vcvt_i(vf a) { return _mm512_cvtps_epi32(a); }
static inline vi vi_add(vi a, vi b) { return _mm512_add_epi32(a, b); }
static inline vi vi_sub(vi a, vi b) { return _mm512_sub_epi32(a, b); }
static inline vi vi_set1(int x) { return _mm512_set1_epi32(x); }
static inline vi vi_sra1(vi a) { return _mm512_srai_epi32(a, 1); }
static inline vf vi_exp2(vi n) { return _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(n, vi_set1(127)), 23)); }
/* Transposes the 16 x 16 block in r[0..16): in-lane unpacks and shuffles
 * gather each group of 4 rows per column, then two 128-bit-lane shuffles
 * transpose the 4 x 4 grid of lanes. */
static inline void vtranspose(vf r[VW])
{
    vf u[VW];
    for (int g = 0; g < 4; g++) {
        const vf t0 = _mm512_unpacklo_ps(r[4 * g], r[4 * g + 1]), t1 = _mm512_unpackhi_ps(r[4 * g], r[4 * g + 1]);
        const vf t2 = _mm512_unpacklo_ps(r[4 * g + 2], r[4 * g + 3]),
                 t3 = _mm512_unpackhi_ps(r[4 * g + 2], r[4 * g + 3]);
        u[4 * g + 0] = _mm512_shuffle_ps(t0, t2, 0x44); /* column 4L + 0 of rows 4g..4g+3, in lane L */
        u[4 * g + 1] = _mm512_shuffle_ps(t0, t2, 0xee);
        u[4 * g + 2] = _mm512_shuffle_ps(t1, t3, 0x44);
        u[4 * g + 3] = _mm512_shuffle_ps(t1, t3, 0xee);
    }
    for (int c = 0; c < 4; c++) {
        const vf x0 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0x44), x1 = _mm512_shuffle_f32x4(u[c], u[4 + c], 0xee);
        const vf x2 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0x44),
                 x3 = _mm512_shuffle_f32x4(u[8 + c], u[12 + c], 0xee);
        r[c] = _mm512_shuffle_f32x4(x0, x2, 0x88); /* lane L of every group: row 4L + c */
        r[4 + c] = _mm512_shuffle_f32x4(x0, x2, 0xdd);
        r[8 + c] = _mm512_shuffle_f32x4(x1, x3, 0x88);
        r[12 + c] = _mm512_shuffle_f32x4(x1, x3, 0xdd);
    }
}

/* v in the lanes of m, 0 in the others */
static inline vf vkeep(vmask m, vf v) { return _mm512_maskz_mov_ps(m, v); }

/* Half vectors (8 floats) for narrow edge tiles: the same flop rate per
 * lane here, half the cost of a full vector with most lanes masked. */
#define HW 8
typedef __m256 vh;
typedef __mmask8 vhmask;
static inline vhmask vh_mask_first(size_t n) { return (vhmask)(n >= HW ? 0xffu : (1u << n) - 1u); }
static inline vh vh_load_m(const float *p, vhmask m) { return _mm256_maskz_loadu_ps(m, p); }
static inline void vh_store_m(float *p, vh v, vhmask m) { _mm256_mask_storeu_ps(p, m, v); }
static inline vh vh_zero(void) { return _mm256_setzero_ps(); }
static inline vh vh_add(vh a, vh b) { return _mm256_add_ps(a, b); }
static inline vh vh_mul(vh a, vh b) { return _mm256_mul_ps(a, b); }
static inline vh vh_fma(vh a, vh b, vh c) { return _mm256_fmadd_ps(a, b, c); }
/* the low half of a full vector, and a half in a full one (upper lanes undefined) */
static inline vh vh_low(vf v) { return _mm512_castps512_ps256(v); }
static inline vf vh_wide(vh h) { return _mm512_castps256_ps512(h); }

/* Doubles: the low and high halves of a float vector, widened. */
#define VDW 8
static inline vd vd_lo(vf a) { return _mm512_cvtps_pd(_mm512_castps512_ps256(a)); }
static inline vd vd_hi(vf a)
{
    return _mm512_cvtps_pd(_mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(a), 1)));
}
static inline vd vd_zero(void) { return _mm512_setzero_pd(); }
static inline vd vd_add(vd a, vd b) { return _mm512_add_pd(a, b); }
static inline vd vd_fma(vd a, vd b, vd c) { return _mm512_fmadd_pd(a, b, c); }
static inline double vd_sum(vd a) { return _mm512_reduce_add_pd(a); }
static inline void vd_store(double *p, vd a) { _mm512_storeu_pd(p, a); }
static inline vd vd_load(const double *p) { return _mm512_loadu_pd(p); }
static inline vd vd_set1(double x) { return _mm512_set1_pd(x); }

/* The lane operations of topk (sparse_tmpl.c; see simd_avx2.h). */
typedef unsigned vbits;
static inline vbool veq(vf a, vf b) { return _mm512_cmp_ps_mask(a, b, _CMP_EQ_OQ); }
static inline vbits vbool_bits(vbool b) { return (vbits)b; }
static inline vf vsel_bits(vbits m, vf a, vf b) { return _mm512_mask_blend_ps((__mmask16)m, b, a); }
static inline float vsum(vf a) { return _mm512_reduce_add_ps(a); }

#endif
