/*
 * The AVX-512 intrinsics on an AVX2 core, for the -Davx512_emulation=true
 * build: SIMDe ("SIMD Everywhere", Debian libsimde-dev) under its native
 * names, so that simd_avx512.h reads the same in both builds, plus what
 * SIMDe 0.7.4 lacks or gets wrong, each written from Intel's definition of
 * the instruction. Only simd_avx512.h includes this, and only in that
 * build; tests/checkkernels/intrinsics_avx512.c holds every operation of
 * that header to its definition.
 *
 * The masked loads and stores go through AVX's vmaskmovps, which, like
 * the AVX-512 instructions, never touches a masked-off lane: a tail that
 * ends at an unmapped page must not fault here either.
 */
#ifndef SAE_KERNELS_X86_AVX512_SIMDE_H
#define SAE_KERNELS_X86_AVX512_SIMDE_H

#define SIMDE_ENABLE_NATIVE_ALIASES
#include <simde/x86/avx512.h>
#include <stdint.h>

/* A 512-bit vector as the two 256-bit halves SIMDe keeps it in on AVX2
 * (the copies compile to register moves). */
static inline void emu_split(simde__m512 v, __m256 h[2])
{
    float t[16];
    simde_mm512_storeu_ps(t, v);
    h[0] = _mm256_loadu_ps(t);
    h[1] = _mm256_loadu_ps(t + 8);
}

static inline simde__m512 emu_join(__m256 lo, __m256 hi)
{
    float t[16];
    _mm256_storeu_ps(t, lo);
    _mm256_storeu_ps(t + 8, hi);
    return simde_mm512_loadu_ps(t);
}

static inline simde__m512i emu_join_i(__m256i lo, __m256i hi)
{
    int32_t t[16];
    _mm256_storeu_si256((__m256i *)t, lo);
    _mm256_storeu_si256((__m256i *)(t + 8), hi);
    return simde_mm512_loadu_si512(t);
}

static inline void emu_split_i(simde__m512i v, __m256i h[2])
{
    int32_t t[16];
    simde_mm512_storeu_si512(t, v);
    h[0] = _mm256_loadu_si256((const __m256i *)t);
    h[1] = _mm256_loadu_si256((const __m256i *)(t + 8));
}

/* vmaskmovps's lane mask from the low 8 bits of an AVX-512 mask: lane i
 * all ones where bit i is set. */
static inline __m256i emu_lanes(unsigned m)
{
    const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    return _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32((int)m), bit), bit);
}

static inline __m256 emu_mm256_maskz_loadu_ps(simde__mmask8 m, const void *p)
{
    return _mm256_maskload_ps((const float *)p, emu_lanes(m));
}

static inline void emu_mm256_mask_storeu_ps(void *p, simde__mmask8 m, __m256 v)
{
    _mm256_maskstore_ps((float *)p, emu_lanes(m), v);
}

static inline simde__m512 emu_mm512_maskz_loadu_ps(simde__mmask16 m, const void *p)
{
    const float *f = (const float *)p;
    return emu_join(_mm256_maskload_ps(f, emu_lanes(m)), _mm256_maskload_ps(f + 8, emu_lanes(m >> 8)));
}

static inline void emu_mm512_mask_storeu_ps(void *p, simde__mmask16 m, simde__m512 v)
{
    float *f = (float *)p;
    __m256 h[2];
    emu_split(v, h);
    _mm256_maskstore_ps(f, emu_lanes(m), h[0]);
    _mm256_maskstore_ps(f + 8, emu_lanes(m >> 8), h[1]);
}

/* Rounds in the current mode (MXCSR), as vcvtps2dq does; out of range
 * gives 0x80000000 in both ISAs. */
static inline simde__m512i emu_mm512_cvtps_epi32(simde__m512 a)
{
    __m256 h[2];
    emu_split(a, h);
    return emu_join_i(_mm256_cvtps_epi32(h[0]), _mm256_cvtps_epi32(h[1]));
}

static inline simde__m512i emu_mm512_srai_epi32(simde__m512i a, int imm)
{
    __m256i h[2];
    emu_split_i(a, h);
    const __m128i n = _mm_cvtsi32_si128(imm);
    return emu_join_i(_mm256_sra_epi32(h[0], n), _mm256_sra_epi32(h[1], n));
}

static inline simde__m512d emu_mm512_cvtps_pd(__m256 a)
{
    double t[8];
    _mm256_storeu_pd(t, _mm256_cvtps_pd(_mm256_castps256_ps128(a)));
    _mm256_storeu_pd(t + 4, _mm256_cvtps_pd(_mm256_extractf128_ps(a, 1)));
    return simde_mm512_loadu_pd(t);
}

/* |a|: the sign bit cleared, for -0 and negative NaNs too (SIMDe 0.7.4
 * negates what compares below 0, which leaves both negative). */
static inline simde__m512 emu_mm512_abs_ps(simde__m512 a)
{
    return simde_mm512_castsi512_ps(
        simde_mm512_and_si512(simde_mm512_castps_si512(a), simde_mm512_set1_epi32(0x7fffffff)));
}

/* The sums in the order GCC's avx512fintrin.h adds them (halves, then
 * quarters, then pairs), so that an emulated run rounds as a native one
 * built by GCC. */
static inline float emu_mm512_reduce_add_ps(simde__m512 a)
{
    __m256 h[2];
    emu_split(a, h);
    const __m256 s8 = _mm256_add_ps(h[1], h[0]);
    const __m128 s4 = _mm_add_ps(_mm256_extractf128_ps(s8, 1), _mm256_castps256_ps128(s8));
    const __m128 s2 = _mm_add_ps(s4, _mm_shuffle_ps(s4, s4, _MM_SHUFFLE(1, 0, 3, 2)));
    return _mm_cvtss_f32(s2) + _mm_cvtss_f32(_mm_shuffle_ps(s2, s2, 1));
}

static inline double emu_mm512_reduce_add_pd(simde__m512d a)
{
    double t[8];
    simde_mm512_storeu_pd(t, a);
    const __m256d s4 = _mm256_add_pd(_mm256_loadu_pd(t + 4), _mm256_loadu_pd(t));
    const __m128d s2 = _mm_add_pd(_mm256_extractf128_pd(s4, 1), _mm256_castpd256_pd128(s4));
    return _mm_cvtsd_f64(s2) + _mm_cvtsd_f64(_mm_unpackhi_pd(s2, s2));
}

/* SIMDe's own names where the native ones are missing or wrong. */
#undef _mm512_abs_ps
#define _mm512_abs_ps(a) emu_mm512_abs_ps(a)
#define _mm512_maskz_loadu_ps(m, p) emu_mm512_maskz_loadu_ps(m, p)
#define _mm512_mask_storeu_ps(p, m, v) emu_mm512_mask_storeu_ps(p, m, v)
#define _mm256_maskz_loadu_ps(m, p) emu_mm256_maskz_loadu_ps(m, p)
#define _mm256_mask_storeu_ps(p, m, v) emu_mm256_mask_storeu_ps(p, m, v)
#define _mm512_cvtps_epi32(a) emu_mm512_cvtps_epi32(a)
#define _mm512_cvtps_pd(a) emu_mm512_cvtps_pd(a)
#define _mm512_srai_epi32(a, imm) emu_mm512_srai_epi32(a, imm)
#define _mm512_reduce_add_ps(a) emu_mm512_reduce_add_ps(a)
#define _mm512_reduce_add_pd(a) emu_mm512_reduce_add_pd(a)
#define _mm512_shuffle_f32x4(a, b, imm) simde_mm512_shuffle_f32x4(a, b, imm)

#endif
