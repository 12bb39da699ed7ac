/* The AVX2 + FMA float kernels: the templates over 8-float vectors.
 * Register tile 6 x 16 (12 accumulators of 16), as BLIS's haswell sgemm. */
#include "kernels/isa.h"
#include "kernels/x86/simd_avx2.h"

#define NAME(x) sae_##x##_avx2
#define MR 6
#define NV 2
#define KC 256
#define MC 168
#define NC 4096
#include "kernels/elem_tmpl.c"
#include "kernels/gemm_tmpl.c"
