/*
 * The cut-overs of the OpenMP driver (omp_tmpl.c). One set serves every
 * level today; a level's tuning header (x86/tune_<isa>.h, tune_scalar.h)
 * includes it and is the place to override it.
 */
#ifndef SAE_KERNELS_OMP_TUNE_H
#define SAE_KERNELS_OMP_TUNE_H

/* Work (multiply-adds, elements) below which a thread is not worth waking. */
#define OMP_GEMM_MIN (1 << 18)
#define OMP_ELEM_MIN (1 << 15)
/* A GEMM split by rows cuts at multiples of OMP_ROW_ALIGN rows, by columns
 * at OMP_COL_ALIGN columns (whole register tiles of the widest level), an
 * array at OMP_ELEM_ALIGN entries (whole cache lines and vectors). */
#define OMP_ROW_ALIGN 16
#define OMP_COL_ALIGN 32
#define OMP_ELEM_ALIGN 64
/* The reductions sum OMP_CHUNKS chunks fixed by the size alone (the same
 * result for every thread count), from OMP_REDUCE_MIN entries on. */
#define OMP_CHUNKS 64
#define OMP_REDUCE_MIN (4 * OMP_ELEM_MIN)
/* The most partial column sums (threads) a split column sum keeps. */
#define OMP_MAX_PARTS 64

#endif
