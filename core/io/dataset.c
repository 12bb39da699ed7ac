/* A data set's lifetime and its finiteness check. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/dataset.h"

void sae_data_free(SaeData *d)
{
    if (!d->view) {
        free(d->x);
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

int sae_data_check_finite(const char *source, const SaeData *d, SaeError *e)
{
    if (!any_nonfinite(d->x, d->rows * d->cols))
        return 0;
    for (size_t i = 0; i < d->rows * d->cols; i++) /* find the first, for the message */
        if (!isfinite(d->x[i]))
            return sae_fail(e, "%s: row %zu, column %zu: expected a finite number, got %g", source, i / d->cols + 1,
                            i % d->cols + 1, d->x[i]);
    return 0;
}
