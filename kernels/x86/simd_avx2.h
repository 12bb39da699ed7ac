/*
 * The float vector of AVX2 + FMA behind the names the kernel templates use
 * (see simd_avx512.h). AVX2 has no mask registers: vmask is a lane mask
 * vector for maskload/maskstore, vbool a comparison result vector.
 */
#ifndef SAE_KERNELS_X86_SIMD_AVX2_H
#define SAE_KERNELS_X86_SIMD_AVX2_H

#include <immintrin.h>
#include <stddef.h>

#define VW 8
typedef __m256 vf;
typedef __m256d vd;
typedef __m256i vi;
typedef __m256i vmask;
typedef __m256 vbool;

static inline vmask vmask_first(size_t n)
{
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    return _mm256_cmpgt_epi32(_mm256_set1_epi32((int)(n >= VW ? VW : n)), lanes);
}
static inline vf vload(const float *p) { return _mm256_loadu_ps(p); }
static inline vf vload_m(const float *p, vmask m) { return _mm256_maskload_ps(p, m); }
static inline void vstore(float *p, vf v) { _mm256_storeu_ps(p, v); }
static inline void vstore_m(float *p, vf v, vmask m) { _mm256_maskstore_ps(p, m, v); }
static inline vf vset1(float x) { return _mm256_set1_ps(x); }
static inline vf vzero(void) { return _mm256_setzero_ps(); }
static inline vf vadd(vf a, vf b) { return _mm256_add_ps(a, b); }
static inline vf vsub(vf a, vf b) { return _mm256_sub_ps(a, b); }
static inline vf vmul(vf a, vf b) { return _mm256_mul_ps(a, b); }
static inline vf vdiv(vf a, vf b) { return _mm256_div_ps(a, b); }
static inline vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_ps(a, b, c); }
static inline vf vfnma(vf a, vf b, vf c) { return _mm256_fnmadd_ps(a, b, c); }
static inline vf vmax(vf a, vf b) { return _mm256_max_ps(a, b); }
static inline vf vmin(vf a, vf b) { return _mm256_min_ps(a, b); }
static inline vf vsqrt(vf a) { return _mm256_sqrt_ps(a); }
static inline vf vabs(vf a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
static inline vf vand(vf a, vf b) { return _mm256_and_ps(a, b); }
static inline vf vxor(vf a, vf b) { return _mm256_xor_ps(a, b); }
static inline vbool vlt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
static inline vbool vgt(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
static inline vf vsel(vbool m, vf a, vf b) { return _mm256_blendv_ps(b, a, m); }
static inline vf vround(vf a) { return _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC); }
static inline vi vcvt_i(vf a) { return _mm256_cvtps_epi32(a); }
static inline vi vi_add(vi a, vi b) { return _mm256_add_epi32(a, b); }
static inline vi vi_sub(vi a, vi b) { return _mm256_sub_epi32(a, b); }
static inline vi vi_set1(int x) { return _mm256_set1_epi32(x); }
static inline vi vi_sra1(vi a) { return _mm256_srai_epi32(a, 1); }
static inline vf vi_exp2(vi n) { return _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_add_epi32(n, vi_set1(127)), 23)); }
/* Transposes the 8 x 8 block in r[0..8): in-lane unpacks and shuffles
 * gather each group of 4 rows per column, then the 128-bit halves swap. */
static inline void vtranspose(vf r[VW])
{
    vf u[VW];
    for (int g = 0; g < 2; g++) {
        const vf t0 = _mm256_unpacklo_ps(r[4 * g], r[4 * g + 1]), t1 = _mm256_unpackhi_ps(r[4 * g], r[4 * g + 1]);
        const vf t2 = _mm256_unpacklo_ps(r[4 * g + 2], r[4 * g + 3]),
                 t3 = _mm256_unpackhi_ps(r[4 * g + 2], r[4 * g + 3]);
        u[4 * g + 0] = _mm256_shuffle_ps(t0, t2, 0x44); /* column 4L + 0 of rows 4g..4g+3, in lane L */
        u[4 * g + 1] = _mm256_shuffle_ps(t0, t2, 0xee);
        u[4 * g + 2] = _mm256_shuffle_ps(t1, t3, 0x44);
        u[4 * g + 3] = _mm256_shuffle_ps(t1, t3, 0xee);
    }
    for (int c = 0; c < 4; c++) {
        r[c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x20);
        r[4 + c] = _mm256_permute2f128_ps(u[c], u[4 + c], 0x31);
    }
}

/* v in the lanes of m, 0 in the others */
static inline vf vkeep(vmask m, vf v) { return _mm256_and_ps(v, _mm256_castsi256_ps(m)); }

/* Half vectors (4 floats) for narrow edge tiles (see simd_avx512.h). */
#define HW 4
typedef __m128 vh;
typedef __m128i vhmask;
static inline vhmask vh_mask_first(size_t n)
{
    return _mm_cmpgt_epi32(_mm_set1_epi32((int)(n >= HW ? HW : n)), _mm_setr_epi32(0, 1, 2, 3));
}
static inline vh vh_load_m(const float *p, vhmask m) { return _mm_maskload_ps(p, m); }
static inline void vh_store_m(float *p, vh v, vhmask m) { _mm_maskstore_ps(p, m, v); }
static inline vh vh_zero(void) { return _mm_setzero_ps(); }
static inline vh vh_add(vh a, vh b) { return _mm_add_ps(a, b); }
static inline vh vh_mul(vh a, vh b) { return _mm_mul_ps(a, b); }
static inline vh vh_fma(vh a, vh b, vh c) { return _mm_fmadd_ps(a, b, c); }
static inline vh vh_low(vf v) { return _mm256_castps256_ps128(v); }
static inline vf vh_wide(vh h) { return _mm256_castps128_ps256(h); }

#define VDW 4
static inline vd vd_lo(vf a) { return _mm256_cvtps_pd(_mm256_castps256_ps128(a)); }
static inline vd vd_hi(vf a) { return _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)); }
static inline vd vd_zero(void) { return _mm256_setzero_pd(); }
static inline vd vd_add(vd a, vd b) { return _mm256_add_pd(a, b); }
static inline vd vd_fma(vd a, vd b, vd c) { return _mm256_fmadd_pd(a, b, c); }
static inline double vd_sum(vd a)
{
    const __m128d s = _mm_add_pd(_mm256_castpd256_pd128(a), _mm256_extractf128_pd(a, 1));
    return _mm_cvtsd_f64(_mm_add_sd(s, _mm_unpackhi_pd(s, s)));
}
static inline void vd_store(double *p, vd a) { _mm256_storeu_pd(p, a); }
static inline vd vd_load(const double *p) { return _mm256_loadu_pd(p); }
static inline vd vd_set1(double x) { return _mm256_set1_pd(x); }

/* The lane operations of topk (sparse_tmpl.c): comparison results as lane
 * bits, and a select by them. */
typedef unsigned vbits;
static inline vbool veq(vf a, vf b) { return _mm256_cmp_ps(a, b, _CMP_EQ_OQ); }
static inline vbits vbool_bits(vbool b) { return (vbits)_mm256_movemask_ps(b); }
static inline vf vsel_bits(vbits m, vf a, vf b)
{
    const __m256i lane = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i on = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)m), lane), lane);
    return _mm256_blendv_ps(b, a, _mm256_castsi256_ps(on));
}
static inline float vsum(vf a)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(a), _mm256_extractf128_ps(a, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    return _mm_cvtss_f32(_mm_add_ss(s, _mm_movehdup_ps(s)));
}

#endif
