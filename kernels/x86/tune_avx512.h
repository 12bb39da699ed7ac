/*
 * The tuning of the AVX-512 kernels: the register tile and cache blocks;
 * the shared cut-overs (packing, OpenMP) come from tune_defaults.h, and a
 * value defined here before it overrides its default.
 * Measured with bench_kernels on the machines the README names.
 */
#ifndef SAE_KERNELS_X86_TUNE_AVX512_H
#define SAE_KERNELS_X86_TUNE_AVX512_H

/* Register tile MR x NV vectors: 14 x 32 (28 accumulators of 16 floats), chosen by measurement on Zen 5 against 6 x 64 and 8 x 48 (README, bench/). */
#define MR 14
#define NV 2
/* Cache blocks: the inner dimension (a packed B slice of KC x NC stays in
 * L2/L3), the rows of A per packed block (MC x KC in L2). */
#define KC 384
#define MC 84
#define NC 4096

#include "kernels/tune_defaults.h"

#endif
