/* Shared helpers of the Criterion tests. */
#ifndef SAE_TESTS_COMMON_H
#define SAE_TESTS_COMMON_H

#include <math.h>
#include <stddef.h>

#include "kernels/kernels.h"

/* The kernel table for this CPU under SAE_CPU_MASK (so every model test
 * can be rerun per ISA level); built once. */
const SaeKernels *test_kernels(void);

/* |got - want| <= abs_tol + rel_tol |want|, NaN never passes. */
static inline int close_enough(double got, double want, double abs_tol, double rel_tol)
{
    return fabs(got - want) <= abs_tol + rel_tol * fabs(want);
}

#endif
