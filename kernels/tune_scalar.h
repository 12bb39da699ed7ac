/* The tuning of the OpenMP driver over the scalar reference: the scalar
 * kernels themselves have no blocks to tune. */
#ifndef SAE_KERNELS_TUNE_SCALAR_H
#define SAE_KERNELS_TUNE_SCALAR_H

#include "kernels/omp_tune.h"

#endif
