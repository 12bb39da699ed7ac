/*
 * The seeded random-number generator: MT19937 with NumPy's legacy
 * RandomState semantics, so `gauss` and a shuffled order can be reproduced
 * in NumPy: sae_rng_seed(r, 42) then sae_rng_gauss() gives the values of
 * np.random.seed(42); np.random.randn(...), and sae_rng_uniform() those of
 * np.random.random_sample().
 */
#ifndef SAE_CORE_RNG_H
#define SAE_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct SaeRng {
    uint32_t mt[624];
    int pos;
    int has_gauss;
    double gauss;
} SaeRng;

/* init_genrand with the low 32 bits of seed (NumPy's seed(int)). */
void sae_rng_seed(SaeRng *r, uint32_t seed);
uint32_t sae_rng_u32(SaeRng *r);
/* [0, 1) with 53 random bits (genrand_res53). */
double sae_rng_uniform(SaeRng *r);
/* Standard normal, Marsaglia's polar method, pairs cached as NumPy does. */
double sae_rng_gauss(SaeRng *r);
/* Uniform integer in [0, n), n >= 1, without modulo bias. */
size_t sae_rng_below(SaeRng *r, size_t n);
/* Fisher-Yates shuffle of idx[0..n). */
void sae_rng_shuffle(SaeRng *r, size_t *idx, size_t n);

#ifdef __cplusplus
}
#endif

#endif
