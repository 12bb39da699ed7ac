#include "experiments/common/targets.h"

const char *sae_stream_problem(const SaeData *d, SaeOptimizer opt)
{
    return d->map && opt == SAE_OPT_LBFGS ? "the rows are streamed (past --memory-budget) and full-batch L-BFGS over "
                                            "chunks is not built: use --optimizer sgd or adam, or a larger budget"
                                          : NULL;
}

int sae_check_targets(const SaeConfig *c, const char *source, const SaeData *d, SaeError *e)
{
    if (c->loss != SAE_LOSS_BCE)
        return 0;
    for (size_t i = 0; i < d->rows * d->cols; i++)
        if (sae_data_at(d, i) < 0 || sae_data_at(d, i) > 1)
            return sae_fail(e,
                            "%s: row %zu, column %zu: loss bce needs targets in [0, 1], got %g "
                            "(try --scale minmax)",
                            source, i / d->cols + 1, i % d->cols + 1, sae_data_at(d, i));
    return 0;
}
