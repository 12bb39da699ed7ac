/* Reader of the reference-vector files (tests/vectors/README.md): config
 * lines, named arrays and named scalars, all kept as double. */
#ifndef SAE_TESTS_VECFILE_H
#define SAE_TESTS_VECFILE_H

#include <stddef.h>

#include "core/model.h"

typedef struct VecArray {
    char name[32];
    size_t rows, cols;
    double *v;
} VecArray;

typedef struct VecFile {
    SaeConfig cfg;
    size_t batch;
    VecArray arrays[32];
    size_t n_arrays;
    char scalar_names[16][32];
    double scalars[16];
    size_t n_scalars;
} VecFile;

/* Returns 0, or -1 with a message on stderr. */
int vecfile_load(const char *path, VecFile *vf);
void vecfile_free(VecFile *vf);
/* NULL when absent. */
const VecArray *vecfile_array(const VecFile *vf, const char *name);
/* Aborts the test (returns NAN) when absent. */
double vecfile_scalar(const VecFile *vf, const char *name);
/* Copies the model's arrays (W1, W2, b1, b2, log_threshold, those the file
 * has) into theta (double, zeroed by the caller) in l's layout: W2, n x k
 * in the files as PyTorch holds it, transposed. */
void vecfile_theta(const VecFile *vf, const SaeLayout *l, double *theta);

#endif
