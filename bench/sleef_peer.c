/* The SLEEF peer of the sigmoid benchmark: 1 / (1 + e^-z) with SLEEF's
 * AVX-512 expf (u10: 1.0 ULP), the way a user of that library would write
 * it. Built only when meson finds SLEEF. */
#include <immintrin.h>
#include <sleef.h>

#include "bench/peers.h"

void sae_bench_sigmoid_sleef(size_t n, const float *z, float *h)
{
    const __m512 one = _mm512_set1_ps(1.0f), neg = _mm512_set1_ps(-0.0f);
    for (size_t i = 0; i < n; i += 16) {
        const __mmask16 m = (__mmask16)(n - i >= 16 ? 0xffffu : (1u << (n - i)) - 1u);
        const __m512 v = _mm512_maskz_loadu_ps(m, z + i);
        const __m512 e = Sleef_expf16_u10avx512f(_mm512_xor_ps(v, neg));
        _mm512_mask_storeu_ps(h + i, m, _mm512_div_ps(one, _mm512_add_ps(one, e)));
    }
}
