/* The OpenMP driver over each ISA level: omp_tmpl.c included once per
 * level. Portable C: it only calls the level's kernels, so it needs no -m
 * flags of its own. */
#include <omp.h>
#include <stdlib.h>

#include "kernels/isa.h"
#include "kernels/scalar.h"
#include "kernels/scratch.h"
#include "sae_config.h"

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)

#define ISA scalar
#define INNER(slot) sae_##slot##_scalar_f32
#define NAME(slot) sae_##slot##_omp_scalar
#include "kernels/omp_tmpl.c"
#undef ISA
#undef INNER
#undef NAME

#if SAE_HAVE_SIMD
#define ISA avx2
#define INNER(slot) sae_##slot##_avx2
#define NAME(slot) sae_##slot##_omp_avx2
#include "kernels/omp_tmpl.c"
#undef ISA
#undef INNER
#undef NAME

#define ISA avx512
#define INNER(slot) sae_##slot##_avx512
#define NAME(slot) sae_##slot##_omp_avx512
#include "kernels/omp_tmpl.c"
#undef ISA
#undef INNER
#undef NAME
#endif
