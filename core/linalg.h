/* Small dense linear algebra in double for data preparation (not a hot
 * loop): the eigendecomposition of a symmetric matrix and ZCA whitening. */
#ifndef SAE_CORE_LINALG_H
#define SAE_CORE_LINALG_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Eigenvalues (evals, n) and eigenvectors (the columns of the n x n evecs)
 * of the symmetric n x n matrix a, by cyclic Jacobi rotations; a is
 * destroyed. Returns 0, or -1 when out of memory. */
int sae_sym_eig(size_t n, double *a, double *evals, double *evecs);

/* out[d] = (1/m) sum_i x[i,d] over the m x n rows of x (each column summed,
 * then divided). */
void sae_column_mean(const double *x, size_t m, size_t n, double *out);

/* The geometric median of the m x n rows of x (the point with the least
 * sum of Euclidean distances to them) into out (n), by Weiszfeld's
 * iteration from their mean, rows that the iterate reaches left out of the
 * step; at most 500 steps, until a step moves it less than 1e-10 (1 +
 * |out|). Returns the steps taken, or -1 when out of memory. */
int sae_geometric_median(const double *x, size_t m, size_t n, double *out);

/* ZCA whitening of the m x n rows of x in place: centred on the column
 * means, then multiplied by U diag(1 / sqrt(lambda + eps)) U^T, with U,
 * lambda the eigenvectors and eigenvalues of the covariance (1/m) X^T X.
 * Returns 0, or -1 when out of memory. */
int sae_zca_whiten(double *x, size_t m, size_t n, double eps);

#ifdef __cplusplus
}
#endif

#endif
