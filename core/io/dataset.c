/* A data set's lifetime and its finiteness check. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "core/io/dataset.h"

void sae_data_free(SaeData *d)
{
    if (!d->view) {
        if (d->map)
            munmap(d->map, d->map_len);
        else {
            free(d->x);
            free(d->xf);
        }
        free(d->labels);
    }
    memset(d, 0, sizeof *d);
}

/* Whether any of the cnt doubles is inf or NaN (exponent all ones): an
 * integer test the compiler vectorises, so a clean data set (the usual
 * case) costs one streaming pass, not one branch per entry. */
static int any_nonfinite(const double *x, size_t cnt)
{
    uint64_t bad = 0;
    for (size_t i = 0; i < cnt; i++) {
        uint64_t u;
        memcpy(&u, x + i, sizeof u);
        bad |= (((u >> 52) & 0x7ff) + 1) >> 11; /* 1 iff the exponent is 0x7ff: shifts and adds only */
    }
    return bad != 0;
}

/* The same test on floats (exponent 0xff). */
static int any_nonfinite_f(const float *x, size_t cnt)
{
    uint32_t bad = 0;
    for (size_t i = 0; i < cnt; i++) {
        uint32_t u;
        memcpy(&u, x + i, sizeof u);
        bad |= (((u >> 23) & 0xff) + 1) >> 8;
    }
    return bad != 0;
}

size_t sae_data_first_nonfinite(const SaeData *d)
{
    const size_t cnt = d->rows * d->cols;
    if (d->xf ? !any_nonfinite_f(d->xf, cnt) : !any_nonfinite(d->x, cnt))
        return SIZE_MAX;
    for (size_t i = 0; i < cnt; i++) /* find the first */
        if (!isfinite(sae_data_at(d, i)))
            return i;
    return SIZE_MAX;
}

int sae_data_check_finite(const char *source, const SaeData *d, SaeError *e)
{
    const size_t i = sae_data_first_nonfinite(d);
    if (i == SIZE_MAX)
        return 0;
    return sae_fail(e, "%s: row %zu, column %zu: expected a finite number, got %g", source, i / d->cols + 1,
                    i % d->cols + 1, sae_data_at(d, i));
}

const double *sae_data_double(const SaeData *d, double **owned)
{
    *owned = NULL;
    if (d->x)
        return d->x;
    const size_t cnt = d->rows * d->cols;
    if (!(*owned = malloc((cnt ? cnt : 1) * sizeof(double))))
        return NULL;
    for (size_t i = 0; i < cnt; i++) (*owned)[i] = d->xf[i];
    return *owned;
}
