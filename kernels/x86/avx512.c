/* The AVX-512 (F/BW/DQ/VL) float kernels: the templates over 16-float
 * vectors. Register tile 14 x 32 (28 accumulators of 32), chosen by
 * measurement on Zen 5 against 6 x 64 and 8 x 48 (README, bench/). */
#include "kernels/isa.h"
#include "kernels/x86/simd_avx512.h"

#define NAME(x) sae_##x##_avx512
#define MR 14
#define NV 2
#define KC 384
#define MC 84
#define NC 4096
#include "kernels/elem_tmpl.c"
#include "kernels/gemm_tmpl.c"
