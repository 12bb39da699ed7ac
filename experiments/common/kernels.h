/* The kernel table a command runs on: the CPU's levels under the masks,
 * with the GEMM tuning in force, and how a run describes it. */
#ifndef SAE_EXPERIMENTS_COMMON_KERNELS_H
#define SAE_EXPERIMENTS_COMMON_KERNELS_H

#include <stddef.h>

#include "core/train.h"
#include "experiments/common/options.h"
#include "kernels/kernels.h"
#include "kernels/tuning.h"

/* The GEMM tuning in force: the probe's choice, overridden by this CPU's
 * tune file unless SAE_TUNE_FILE=off (a stale or corrupt file is ignored with
 * a warning). Worked out once per process; st (may be NULL) gets the tune
 * file's path and what became of it. */
typedef struct SaeTuneState {
    char path[4096];
    const char *status;
} SaeTuneState;
const SaeTuning *sae_cli_tuning(SaeTuneState *st);

/* The kernel table for this CPU under SAE_CPU_MASK and --cpumask (both can
 * only remove features), with sae_cli_tuning's GEMM. -1 when SAE_CPU_MASK
 * is not a level name. */
int sae_cli_kernels(const SaeRunSpec *s, SaeKernels *k, char *err, size_t errlen);

/* The GEMM a run at precision p calls, in one line: function, and for
 * float its tile and blocks (for result rows and reports). */
void sae_cli_gemm_desc(const SaeKernels *k, SaePrecision p, char *buf, size_t len);

/* The kernel levels a run at precision p uses: the level name for float;
 * for double the levels of its GEMM and vector slots (the rest of the
 * double table is the scalar reference). */
void sae_cli_isa_desc(const SaeKernels *k, SaePrecision p, char *buf, size_t len);

#endif
