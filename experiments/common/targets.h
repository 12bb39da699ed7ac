/* Checks of a data set against the model it is to train or evaluate. */
#ifndef SAE_EXPERIMENTS_COMMON_TARGETS_H
#define SAE_EXPERIMENTS_COMMON_TARGETS_H

#include "core/error.h"
#include "core/io/data.h"
#include "core/model.h"
#include "core/train.h"

/* bce needs targets in [0, 1]: fails naming the first row and column that
 * is not, and suggesting --scale minmax. */
int sae_check_targets(const SaeConfig *c, const char *source, const SaeData *d, SaeError *e);

/* NULL when the optimizer can train on d, else why not: streamed rows
 * (past --memory-budget) take minibatch steps only. */
const char *sae_stream_problem(const SaeData *d, SaeOptimizer opt);

#endif
