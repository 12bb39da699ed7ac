#include <math.h>

#include "tests/fdcheck.h"

void fd_gradient(fd_objective f, void *ctx, double *theta, size_t n, double h, double *out)
{
    for (size_t i = 0; i < n; i++) {
        const double keep = theta[i];
        theta[i] = keep + h;
        const double up = f(ctx, theta);
        theta[i] = keep - h;
        const double down = f(ctx, theta);
        theta[i] = keep;
        out[i] = (up - down) / (2 * h);
    }
}

double fd_relative_error(const double *a, const double *b, size_t n)
{
    double diff = 0, sum = 0;
    for (size_t i = 0; i < n; i++) {
        diff += (a[i] - b[i]) * (a[i] - b[i]);
        sum += (a[i] + b[i]) * (a[i] + b[i]);
    }
    return sum == 0 ? 0 : sqrt(diff) / sqrt(sum);
}
