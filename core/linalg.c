#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/linalg.h"
#include "core/safe_alloc.h"

int sae_sym_eig(size_t n, double *a, double *evals, double *evecs)
{
    for (size_t i = 0; i < n * n; i++) evecs[i] = 0;
    for (size_t i = 0; i < n; i++) evecs[i * n + i] = 1;
    double total = 0;
    for (size_t i = 0; i < n * n; i++) total += a[i] * a[i];
    for (int sweep = 0; sweep < 100; sweep++) {
        double off = 0;
        for (size_t p = 0; p < n; p++)
            for (size_t q = p + 1; q < n; q++) off += a[p * n + q] * a[p * n + q];
        if (off <= 1e-30 * total || off == 0)
            break;
        for (size_t p = 0; p < n; p++)
            for (size_t q = p + 1; q < n; q++) {
                const double apq = a[p * n + q];
                if (apq == 0)
                    continue;
                /* the rotation that zeroes a[p][q] (Golub & Van Loan 8.4) */
                const double theta = (a[q * n + q] - a[p * n + p]) / (2 * apq);
                const double t = copysign(1.0, theta) / (fabs(theta) + sqrt(theta * theta + 1));
                const double c = 1 / sqrt(t * t + 1), s = t * c;
                for (size_t k = 0; k < n; k++) { /* columns p and q */
                    const double akp = a[k * n + p], akq = a[k * n + q];
                    a[k * n + p] = c * akp - s * akq;
                    a[k * n + q] = s * akp + c * akq;
                }
                for (size_t k = 0; k < n; k++) { /* rows p and q */
                    const double apk = a[p * n + k], aqk = a[q * n + k];
                    a[p * n + k] = c * apk - s * aqk;
                    a[q * n + k] = s * apk + c * aqk;
                }
                for (size_t k = 0; k < n; k++) {
                    const double vkp = evecs[k * n + p], vkq = evecs[k * n + q];
                    evecs[k * n + p] = c * vkp - s * vkq;
                    evecs[k * n + q] = s * vkp + c * vkq;
                }
            }
    }
    for (size_t i = 0; i < n; i++) evals[i] = a[i * n + i];
    return 0;
}

int sae_zca_whiten(double *x, size_t m, size_t n, double eps)
{
    double *cov = sae_alloc_array2(n, n, sizeof(double)), *u = sae_alloc_array2(n, n, sizeof(double));
    double *lam = sae_alloc_array(n, sizeof(double)), *w = sae_alloc_array2(n, n, sizeof(double));
    double *mean = sae_alloc_array(n, sizeof(double)), *row = sae_alloc_array(n, sizeof(double));
    int rc = -1;
    if (!cov || !u || !lam || !w || !mean || !row)
        goto done;
    memset(cov, 0, n * n * sizeof(double));
    sae_column_mean(x, m, n, mean);
    for (size_t i = 0; i < m; i++) {
        double *xi = x + i * n;
        for (size_t j = 0; j < n; j++) xi[j] -= mean[j];
        for (size_t j = 0; j < n; j++)
            for (size_t k = j; k < n; k++) cov[j * n + k] += xi[j] * xi[k];
    }
    for (size_t j = 0; j < n; j++)
        for (size_t k = j; k < n; k++) cov[k * n + j] = cov[j * n + k] = cov[j * n + k] / (double)m;
    sae_sym_eig(n, cov, lam, u);
    for (size_t j = 0; j < n; j++) /* W = U diag(1/sqrt(lambda + eps)) U^T, symmetric */
        for (size_t k = 0; k < n; k++) {
            double s = 0;
            for (size_t e = 0; e < n; e++) s += u[j * n + e] * u[k * n + e] / sqrt(fmax(lam[e], 0) + eps);
            w[j * n + k] = s;
        }
    for (size_t i = 0; i < m; i++) {
        double *xi = x + i * n;
        for (size_t k = 0; k < n; k++) {
            double s = 0;
            for (size_t j = 0; j < n; j++) s += xi[j] * w[j * n + k];
            row[k] = s;
        }
        memcpy(xi, row, n * sizeof(double));
    }
    rc = 0;
done:
    free(cov);
    free(u);
    free(lam);
    free(w);
    free(mean);
    free(row);
    return rc;
}

void sae_column_mean(const double *x, size_t m, size_t n, double *out)
{
    for (size_t d = 0; d < n; d++) out[d] = 0;
    for (size_t i = 0; i < m; i++)
        for (size_t d = 0; d < n; d++) out[d] += x[i * n + d];
    for (size_t d = 0; d < n; d++) out[d] /= (double)m;
}

int sae_geometric_median(const double *x, size_t m, size_t n, double *out)
{
    double *next = sae_alloc_array(n, sizeof(double));
    if (!next)
        return -1;
    sae_column_mean(x, m, n, out);
    int step = 0;
    while (step < 500) {
        double wsum = 0;
        for (size_t d = 0; d < n; d++) next[d] = 0;
        for (size_t i = 0; i < m; i++) {
            double dist = 0;
            for (size_t d = 0; d < n; d++) dist += (x[i * n + d] - out[d]) * (x[i * n + d] - out[d]);
            dist = sqrt(dist);
            if (dist < 1e-12) /* the iterate sits on this row: its weight would be infinite */
                continue;
            wsum += 1 / dist;
            for (size_t d = 0; d < n; d++) next[d] += x[i * n + d] / dist;
        }
        step++;
        if (wsum == 0)
            break;
        double move = 0, norm = 0;
        for (size_t d = 0; d < n; d++) {
            next[d] /= wsum;
            move += (next[d] - out[d]) * (next[d] - out[d]);
            norm += next[d] * next[d];
            out[d] = next[d];
        }
        if (sqrt(move) < 1e-10 * (1 + sqrt(norm)))
            break;
    }
    free(next);
    return step;
}
