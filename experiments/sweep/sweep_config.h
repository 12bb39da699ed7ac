/*
 * Sweep files: INI with a [base] section (any train option, names as the
 * CLI flags without "--", '_' or '-') and a [sweep] section whose keys take
 * comma lists or ranges, logspace(a, b, n) (10^a .. 10^b) and
 * linspace(a, b, n). The grid is the cartesian product of the axes, in file
 * order (the last axis varies fastest), times the replicates: the seeds
 * times the splits. Sweep-only keys in [base]: seeds = N (seeds seed,
 * seed+1, ...), splits = N (held-out splits 0 .. N-1, see --split; for
 * data split by --test-fraction), probe = yes|no (the linear
 * probe when the data has labels), images = yes|no (per-run PNG mosaics).
 * An [only-if] section declares that an axis applies only where another
 * setting is non-zero ("rho = beta != 0"): where it is 0 the axis keeps
 * its [base] value and only its first value's point is run.
 * Every value is checked by the same setter as the CLI flag, so a bad
 * value fails before anything runs, naming the file and line.
 */
#ifndef SAE_EXPERIMENTS_SWEEP_SWEEP_CONFIG_H
#define SAE_EXPERIMENTS_SWEEP_SWEEP_CONFIG_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"
#include "experiments/common/options.h"

enum { SAE_MAX_AXES = 16, SAE_MAX_VALUES = 64, SAE_MAX_BASE = 64 };

typedef struct SaeKeyValue {
    char key[48], value[256], where[300]; /* where: "file:line" or "--set" */
} SaeKeyValue;

/* One condition of [only-if]: a setting equals a value (equal = 0: differs
 * from it); numbers compare as numbers, names (relu, yes) as written. */
typedef struct SaeCondition {
    char setting[48], value[32];
    int equal;
} SaeCondition;
#define SAE_MAX_CONDITIONS 3

typedef struct SaeAxis {
    char key[48], where[300];
    SaeCondition only_if[SAE_MAX_CONDITIONS]; /* the axis applies only where all hold */
    size_t n_only_if;                         /* 0: always */
    char values[SAE_MAX_VALUES][32];
    size_t n;
} SaeAxis;

typedef struct SaeSweepConfig {
    SaeKeyValue base[SAE_MAX_BASE];
    size_t n_base;
    SaeAxis axes[SAE_MAX_AXES];
    size_t n_axes;
    unsigned seeds;  /* 1 unless seeds = N or --seeds N */
    unsigned splits; /* 1 unless splits = N or --splits N */
    int probe, images;
} SaeSweepConfig;

/* A sweep file is text of at most this many bytes (core/io/FORMATS.md,
 * "Errors and limits"): anything larger is not a hand-written config. */
#define SAE_MAX_CONFIG_BYTES ((size_t)1 << 20)
/* Grid sizes (core/io/FORMATS.md, "Errors and limits"): above the first, sweep asks
 * for --force; above the second, it refuses. */
#define SAE_GRID_RUNS_UNFORCED 100000
#define SAE_MAX_GRID_RUNS 1000000

/* Reads and checks an INI file: sections [base], [sweep], [only-if];
 * `key = value` lines; comments are whole lines starting with '#' or ';'
 * (a value keeps every character, so paths may hold them). Returns 0, 1
 * when the file cannot be read or is not text (bad input), -1 when it is
 * not a valid sweep (a usage error). */
int sae_sweep_config_read(const char *path, SaeSweepConfig *c, SaeError *e);
/* The same from len bytes of text in memory; path names it in errors. */
int sae_sweep_config_parse(const char *path, const char *text, size_t len, SaeSweepConfig *c, SaeError *e);

/* Writes c as an INI file that sae_sweep_config_read reads back to the
 * same config (the file as run, after --set, --seeds, --splits and the
 * flags: sweep.resolved.ini, what `saebench merge` rebuilds the grid from). */
int sae_sweep_config_write(const SaeSweepConfig *c, FILE *f);

/* --set key=v1,v2,...: replaces the axis key, or makes key an axis (a
 * single value overrides [base]). */
int sae_sweep_config_set(SaeSweepConfig *c, const char *assignment, SaeError *e);

/* Adds a [base] setting (a later one wins; axes win over [base]). */
int sae_sweep_config_base(SaeSweepConfig *c, const char *key, const char *value, const char *where, SaeError *e);

/* Expands one axis value list ("0, 0.3, 3", "logspace(-3, 1, 5)"). */
int sae_axis_parse(const char *text, SaeAxis *a, SaeError *e);

/* Number of grid points times replicates, skipped points included (0 on
 * overflow past SAE_MAX_GRID_RUNS). Point idx is grid point idx / replicates, replicate
 * idx % replicates: seed (replicate % seeds), split (replicate / seeds). */
size_t sae_sweep_size(const SaeSweepConfig *c);
size_t sae_sweep_replicates(const SaeSweepConfig *c);

/* The value index of every axis at point idx (0 <= idx < size). */
void sae_sweep_values(const SaeSweepConfig *c, size_t idx, size_t *vidx);

/* The run spec of point idx: defaults, [base], the axis values; the seed
 * is base seed + the replicate's seed index, the split its split index. Returns 0, 1 when the point is skipped (an
 * [only-if] axis that does not apply, at other than its first value), or
 * -1 with e set. *na (may be NULL) gets a bit per axis that does not
 * apply at idx. */
int sae_sweep_point(const SaeSweepConfig *c, size_t idx, SaeRunSpec *s, unsigned *na, SaeError *e);

#endif
