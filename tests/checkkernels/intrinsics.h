/* The check of the AVX-512 level's intrinsics (intrinsics_avx512.c,
 * built with that level's flags) and its runner (intrinsics.c). */
#ifndef SAE_TESTS_CHECKKERNELS_INTRINSICS_H
#define SAE_TESTS_CHECKKERNELS_INTRINSICS_H

/* Runs every check, prints TAP; returns 0 when all pass. Only on a CPU
 * (or emulated build) with the avx512 level. */
int sae_check_avx512_intrinsics(void);

#endif
