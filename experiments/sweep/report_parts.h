/*
 * The parts of a sweep's report (summary.c): the statistics (stats.c),
 * the grid's rows (report_rows.c), summary.md (summary_md.c), the paired
 * comparisons (comparisons.c) and the plots (plots.c). Private to
 * experiments/sweep/.
 */
#ifndef SAE_EXPERIMENTS_SWEEP_REPORT_PARTS_H
#define SAE_EXPERIMENTS_SWEEP_REPORT_PARTS_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "experiments/sweep/results.h"
#include "experiments/sweep/sweep_config.h"

/* ---- statistics (stats.c) ---- */

/* A running sum of values: their count, mean and sample sd. */
typedef struct SaeStat {
    double sum, sq;
    size_t n;
} SaeStat;
void sae_stat_push(SaeStat *s, double x);
/* The value of a result cell, when it is a number. */
void sae_stat_add(SaeStat *s, const char *v);
/* NaN when empty (the sd also with one value). */
double sae_stat_mean(const SaeStat *s);
double sae_stat_std(const SaeStat *s);
/* 0.975 quantiles of Student's t for 1..30 degrees of freedom (then the
 * normal's 1.96): the half-width of a 95 % interval is t sd / sqrt(n). */
double sae_t975(size_t df);

/* One comparison: value v of axis a against its first value, at the other
 * settings of point idx, paired by replicate. */
typedef struct SaePaired {
    double mean, half; /* mean difference and the half-width of its 95 % interval */
    size_t n;
} SaePaired;
/* The mean of the differences in d and the half-width of its 95 %
 * interval (Student's t). */
SaePaired sae_paired_interval(const SaeStat *d);

/* ---- the grid's rows (report_rows.c) ---- */

/* Whether column col holds a number in some row. */
int sae_col_has_values(const SaeRows *r, int col);
/* The row of the run at grid point idx (NULL when it did not run); at is
 * sae_sweep_row_index's. */
const char *const *sae_row_at(const SaeRows *r, const size_t *at, size_t idx);
/* The grid index of the value indices vidx and seed seed_i. */
size_t sae_grid_index(const SaeSweepConfig *c, const size_t *vidx, size_t seed_i);
/* The mean of a column over the rows where it is a number. */
double sae_col_mean(const SaeRows *r, const char *name);
/* The differences of column col between the runs of points idx and ref,
 * replicate by replicate: into d, and each also into per_rep[k] (k < 64). */
void sae_paired_diffs(const SaeSweepConfig *c, const SaeRows *r, const size_t *at, size_t idx, size_t ref, int col,
                      SaeStat *d, SaeStat *per_rep);

/* ---- the files ---- */

/* summary.md (with comparisons.csv beside it) in dir. */
int sae_summary_md_write(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r,
                         const size_t *at, SaeError *e);
/* The paired comparisons: their Markdown section into f, every one into
 * the CSV csv. */
void sae_comparisons_write(FILE *f, FILE *csv, const SaeSweepConfig *c, const SaeRows *r, const size_t *at);
/* The SVG plots in dir. */
int sae_plots_write(const SaeSweepConfig *c, const char *dir, const SaeRows *r, const size_t *at, SaeError *e);

#endif
