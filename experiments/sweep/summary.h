/* The report of a sweep: summary.md and the SVG plots, rebuilt from the
 * result rows and the sweep's axes whenever the sweep ends. */
#ifndef SAE_EXPERIMENTS_SWEEP_SUMMARY_H
#define SAE_EXPERIMENTS_SWEEP_SUMMARY_H

#include "core/error.h"
#include "experiments/sweep/results.h"
#include "experiments/sweep/sweep_config.h"

/* summary.md and the SVG plots in dir, from the rows and the sweep's axes. */
int sae_report_write(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r, SaeError *e);

#endif
