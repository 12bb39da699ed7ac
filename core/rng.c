/* MT19937 (Matsumoto & Nishimura) and NumPy's legacy derived draws. */
#include <math.h>

#include "core/rng.h"

enum { MT_N = 624, MT_M = 397 };

void sae_rng_seed(SaeRng *r, uint32_t seed)
{
    r->mt[0] = seed;
    for (int i = 1; i < MT_N; i++) r->mt[i] = 1812433253u * (r->mt[i - 1] ^ (r->mt[i - 1] >> 30)) + (uint32_t)i;
    r->pos = MT_N;
    r->has_gauss = 0;
    r->gauss = 0;
}

static void mt_refill(SaeRng *r)
{
    for (int i = 0; i < MT_N; i++) {
        const uint32_t y = (r->mt[i] & 0x80000000u) | (r->mt[(i + 1) % MT_N] & 0x7fffffffu);
        r->mt[i] = r->mt[(i + MT_M) % MT_N] ^ (y >> 1) ^ ((y & 1u) ? 0x9908b0dfu : 0u);
    }
    r->pos = 0;
}

uint32_t sae_rng_u32(SaeRng *r)
{
    if (r->pos >= MT_N)
        mt_refill(r);
    uint32_t y = r->mt[r->pos++];
    y ^= y >> 11;
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= y >> 18;
    return y;
}

double sae_rng_uniform(SaeRng *r)
{
    const uint32_t a = sae_rng_u32(r) >> 5, b = sae_rng_u32(r) >> 6;
    return (a * 67108864.0 + b) / 9007199254740992.0;
}

double sae_rng_gauss(SaeRng *r)
{
    if (r->has_gauss) {
        r->has_gauss = 0;
        return r->gauss;
    }
    double x1, x2, r2;
    do {
        x1 = 2.0 * sae_rng_uniform(r) - 1.0;
        x2 = 2.0 * sae_rng_uniform(r) - 1.0;
        r2 = x1 * x1 + x2 * x2;
    } while (r2 >= 1.0 || r2 == 0.0);
    const double f = sqrt(-2.0 * log(r2) / r2);
    r->gauss = f * x1;
    r->has_gauss = 1;
    return f * x2;
}

size_t sae_rng_below(SaeRng *r, size_t n)
{
    /* Rejection on 64 bits: draws beyond the last whole multiple of n retry. */
    const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t v;
    do v = ((uint64_t)sae_rng_u32(r) << 32) | sae_rng_u32(r);
    while (v >= limit);
    return (size_t)(v % n);
}

void sae_rng_shuffle(SaeRng *r, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        const size_t j = sae_rng_below(r, i);
        const size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
