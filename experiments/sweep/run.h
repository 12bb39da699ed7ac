/*
 * One run of a sweep: train a grid point on its data, measure it on the
 * held-out rows (every term, the metrics, the linear probe) and fill its
 * result row; write its images. The data of consecutive runs is loaded
 * once while the data settings stay the same.
 */
#ifndef SAE_EXPERIMENTS_SWEEP_RUN_H
#define SAE_EXPERIMENTS_SWEEP_RUN_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/io/data.h"
#include "experiments/common/options.h"
#include "experiments/common/progress.h"
#include "experiments/sweep/results.h"
#include "experiments/sweep/sweep_config.h"

/* The values of one run's row, in column order ("" when absent). */
enum { SAE_MAX_COLS = 128 };
typedef struct SaeRow {
    char vals[SAE_MAX_COLS][600];
} SaeRow;

/* The data of the current runs, and the raw-input probe (its baseline). */
typedef struct SaeSweepData {
    char signature[2048]; /* the data settings it was loaded with */
    SaeData train, test;
    int classes; /* > 0 when the probe runs: labels on both splits */
    double raw_probe, raw_probe_se, raw_probe_lambda;
    int loaded;
} SaeSweepData;

/* What every run of one sweep shares. */
typedef struct SaeSweep {
    const SaeSweepConfig *cfg;
    const char *dir;             /* the output folder */
    const SaeRows *rows;         /* the result table (its columns) */
    SaeProgress *prog;           /* the display, updated by training */
    volatile sig_atomic_t *stop; /* set by SIGINT: training stops */
    int default_threads;         /* when the run sets no --threads */
    int rank;                    /* the MPI rank it runs on (0 in one process), for the rows */
    SaeSweepData data;
} SaeSweep;

/* The run id: a hash of the resolved settings that differ from the
 * defaults, as 16 hex digits. */
void sae_run_id(const SaeRunSpec *s, char out[17]);

/* For each point idx of the grid (0 <= idx < sae_sweep_size(c)), the
 * index of the row of r that holds its run id (< r->n_rows), or
 * SAE_ROW_NONE (not run yet) or SAE_ROW_SKIPPED (an [only-if] point, never
 * run): the one pass over the grid's run ids that resume, reports and
 * merges share. Rows of other grids are simply not indexed. malloc'd;
 * NULL when out of memory. */
#define SAE_ROW_NONE SIZE_MAX
#define SAE_ROW_SKIPPED (SIZE_MAX - 1)
size_t *sae_sweep_row_index(const SaeSweepConfig *c, const SaeRows *r);

/* Trains and measures grid point idx, whose spec is s and id is id, into
 * row. Returns 0 with the row filled (status "ok" or "diverged") or with
 * *interrupted set, or -1 with e set for an error that ends the sweep. */
int sae_sweep_run(SaeSweep *sw, size_t idx, const SaeRunSpec *s, const char *id, SaeRow *row, int *interrupted,
                  SaeError *e);

/* Frees the data the runs kept. */
void sae_sweep_free(SaeSweep *sw);

#endif
