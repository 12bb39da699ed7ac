/*
 * The tuning of the AVX-512 kernels and of the OpenMP driver over them: every
 * block size and cut-over in one place (the templates hold no literals).
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
/* Packing pays only when a panel is reused: B when more than PACK_B_MIN_M
 * rows of A read it, A when more than PACK_A_MIN_N columns of B do; and
 * either only when its slice holds more than PACK_MIN floats. */
#define PACK_MIN 4096
#define PACK_B_MIN_M (4 * MR)
#define PACK_A_MIN_N (2 * NV * VW)

#include "kernels/omp_tune.h"

#endif
