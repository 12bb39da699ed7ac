#include "experiments/common/targets.h"

int sae_check_targets(const SaeConfig *c, const char *source, const SaeData *d, SaeError *e)
{
    if (c->loss != SAE_LOSS_BCE)
        return 0;
    for (size_t i = 0; i < d->rows * d->cols; i++)
        if (d->x[i] < 0 || d->x[i] > 1)
            return sae_fail(e,
                            "%s: row %zu, column %zu: loss bce needs targets in [0, 1], got %g "
                            "(try --scale minmax)",
                            source, i / d->cols + 1, i % d->cols + 1, d->x[i]);
    return 0;
}
