/*
 * The double vector of AVX2 + FMA behind the names gemm_tmpl.c uses (the
 * float ones are in simd_avx2.h): vf is 4 doubles, vh 2, and the masks are
 * 64-bit lane masks for maskload/maskstore. Only what the GEMM needs.
 */
#ifndef SAE_KERNELS_X86_SIMD_AVX2_F64_H
#define SAE_KERNELS_X86_SIMD_AVX2_F64_H

#include <immintrin.h>
#include <stddef.h>

#define VW 4
typedef __m256d vf;
typedef __m256i vmask;

static inline vmask vmask_first(size_t n)
{
    return _mm256_cmpgt_epi64(_mm256_set1_epi64x((long long)(n >= VW ? VW : n)), _mm256_setr_epi64x(0, 1, 2, 3));
}
static inline vf vload(const double *p) { return _mm256_loadu_pd(p); }
static inline vf vload_m(const double *p, vmask m) { return _mm256_maskload_pd(p, m); }
static inline void vstore(double *p, vf v) { _mm256_storeu_pd(p, v); }
static inline void vstore_m(double *p, vf v, vmask m) { _mm256_maskstore_pd(p, m, v); }
static inline vf vset1(double x) { return _mm256_set1_pd(x); }
static inline vf vzero(void) { return _mm256_setzero_pd(); }
static inline vf vmul(vf a, vf b) { return _mm256_mul_pd(a, b); }
static inline vf vfma(vf a, vf b, vf c) { return _mm256_fmadd_pd(a, b, c); }
/* Transposes the 4 x 4 block in r[0..4): in-lane unpacks pair the rows,
 * then the 128-bit halves swap. */
static inline void vtranspose(vf r[VW])
{
    const vf t0 = _mm256_unpacklo_pd(r[0], r[1]), t1 = _mm256_unpackhi_pd(r[0], r[1]);
    const vf t2 = _mm256_unpacklo_pd(r[2], r[3]), t3 = _mm256_unpackhi_pd(r[2], r[3]);
    r[0] = _mm256_permute2f128_pd(t0, t2, 0x20);
    r[1] = _mm256_permute2f128_pd(t1, t3, 0x20);
    r[2] = _mm256_permute2f128_pd(t0, t2, 0x31);
    r[3] = _mm256_permute2f128_pd(t1, t3, 0x31);
}

/* Half vectors (2 doubles) for narrow edge tiles. */
#define HW 2
typedef __m128d vh;
typedef __m128i vhmask;
static inline vhmask vh_mask_first(size_t n)
{
    return _mm_cmpgt_epi64(_mm_set1_epi64x((long long)(n >= HW ? HW : n)), _mm_set_epi64x(1, 0));
}
static inline vh vh_load_m(const double *p, vhmask m) { return _mm_maskload_pd(p, m); }
static inline void vh_store_m(double *p, vh v, vhmask m) { _mm_maskstore_pd(p, m, v); }
static inline vh vh_zero(void) { return _mm_setzero_pd(); }
static inline vh vh_mul(vh a, vh b) { return _mm_mul_pd(a, b); }
static inline vh vh_fma(vh a, vh b, vh c) { return _mm_fmadd_pd(a, b, c); }
static inline vh vh_low(vf v) { return _mm256_castpd256_pd128(v); }

#endif
