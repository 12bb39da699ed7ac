/*
 * The compile-time cut-overs every level shares: an instance file includes
 * this after its settings, and overrides any of them by defining it first.
 * The templates hold no literals: gemm_tmpl.c reads PACK_* (and the tile's
 * MR, NV), omp_tmpl.c reads OMP_*. The register tiles and cache blocks are
 * chosen at run time (kernels/tuning.h).
 */
#ifndef SAE_KERNELS_TUNE_DEFAULTS_H
#define SAE_KERNELS_TUNE_DEFAULTS_H

/* Packing pays only when a panel is reused: B when more than PACK_B_MIN_M
 * rows of A read it, A when more than PACK_A_MIN_N columns of B do (in
 * register tiles), and either only when its slice holds more than
 * PACK_MIN floats. */
#ifndef PACK_MIN
#define PACK_MIN 4096
#endif
#ifndef PACK_B_MIN_M
#define PACK_B_MIN_M (4 * MR)
#endif
#ifndef PACK_A_MIN_N
#define PACK_A_MIN_N (2 * NV * VW)
#endif

/* The OpenMP driver. Work (multiply-adds, elements) below which a thread
 * is not worth waking. */
#ifndef OMP_GEMM_MIN
#define OMP_GEMM_MIN (1 << 18)
#endif
#ifndef OMP_ELEM_MIN
#define OMP_ELEM_MIN (1 << 15)
#endif
/* A GEMM split by rows cuts at multiples of OMP_ROW_ALIGN rows, by columns
 * at OMP_COL_ALIGN columns (whole register tiles of the widest level), an
 * array at OMP_ELEM_ALIGN entries (whole cache lines and vectors). */
#ifndef OMP_ROW_ALIGN
#define OMP_ROW_ALIGN 16
#endif
#ifndef OMP_COL_ALIGN
#define OMP_COL_ALIGN 32
#endif
#ifndef OMP_ELEM_ALIGN
#define OMP_ELEM_ALIGN 64
#endif
/* The reductions sum OMP_CHUNKS chunks fixed by the size alone (the same
 * result for every thread count), from OMP_REDUCE_MIN entries on; a split
 * column sum keeps at most OMP_MAX_PARTS partial sums. */
#ifndef OMP_CHUNKS
#define OMP_CHUNKS 64
#endif
#ifndef OMP_REDUCE_MIN
#define OMP_REDUCE_MIN (4 * OMP_ELEM_MIN)
#endif
#ifndef OMP_MAX_PARTS
#define OMP_MAX_PARTS 64
#endif

#endif
