/* Central finite differences, for gradient checks (core/MODEL.md §9). */
#ifndef SAE_TESTS_FDCHECK_H
#define SAE_TESTS_FDCHECK_H

#include <stddef.h>

typedef double (*fd_objective)(void *ctx, const double *theta);

/* out[i] = (f(theta + h e_i) - f(theta - h e_i)) / 2h; theta is restored. */
void fd_gradient(fd_objective f, void *ctx, double *theta, size_t n, double h, double *out);

/* UFLDL's metric ||a - b|| / ||a + b|| (0 when both are 0). */
double fd_relative_error(const double *a, const double *b, size_t n);

#endif
