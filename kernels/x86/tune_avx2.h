/*
 * The tuning of the AVX2 + FMA kernels: the register tile and cache blocks;
 * the shared cut-overs (packing, OpenMP) come from tune_defaults.h, and a
 * value defined here before it overrides its default.
 * Measured with bench_kernels on the machines the README names.
 */
#ifndef SAE_KERNELS_X86_TUNE_AVX2_H
#define SAE_KERNELS_X86_TUNE_AVX2_H

/* Register tile MR x NV vectors: 6 x 16 (12 accumulators of 8 floats), as BLIS's haswell sgemm. */
#define MR 6
#define NV 2
/* Cache blocks: the inner dimension (a packed B slice of KC x NC stays in
 * L2/L3), the rows of A per packed block (MC x KC in L2). */
#define KC 256
#define MC 168
#define NC 4096

#include "kernels/tune_defaults.h"

#endif
