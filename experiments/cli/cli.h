/* The saebench subcommands and what they share: exit codes, the kernel
 * table under the CPU mask, checks of data against a model, reports. */
#ifndef SAE_EXPERIMENTS_CLI_CLI_H
#define SAE_EXPERIMENTS_CLI_CLI_H

#include <stdio.h>

#include "core/io/data.h"
#include "core/error.h"
#include "core/model.h"
#include "core/train.h"
#include "experiments/report/json.h"
#include "experiments/cli/options.h"
#include "experiments/sweep/measure.h"
#include "kernels/kernels.h"
#include "kernels/tuning.h"

enum {
    SAE_EXIT_OK = 0,
    SAE_EXIT_INPUT = 1,    /* bad input file or data */
    SAE_EXIT_USAGE = 2,    /* bad flags or values */
    SAE_EXIT_DIVERGED = 3, /* the objective became NaN/Inf */
    SAE_EXIT_INTERRUPTED = 130,
};

int sae_cmd_train(int argc, char **argv);
int sae_cmd_eval(int argc, char **argv);
int sae_cmd_cpu(int argc, char **argv);
int sae_cmd_sweep(int argc, char **argv);
int sae_cmd_merge(int argc, char **argv);
int sae_cmd_tune(int argc, char **argv);

/* Prints "saebench CMD: msg" on stderr and returns code. */
int sae_cli_error(const char *cmd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

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

/* The common start of train and eval: parses argv[2..] as options of cmd
 * into s, prints --help, builds the kernel table and applies --threads.
 * Returns -1 to go on, or the exit status to return (help, usage error). */
int sae_cli_setup(const char *name, unsigned cmd, const char *usage, int argc, char **argv, SaeRunSpec *s,
                  SaeKernels *k);

/* bce needs targets in [0, 1]: fails naming the first row and column that
 * is not, and suggesting --scale minmax. */
int sae_check_targets(const SaeConfig *c, const char *source, const SaeData *d, SaeError *e);

/* Summary of rho-hat: mean, min, max and mean |rho-hat - rho|. */
typedef struct SaeRhoStats {
    double mean, min, max, mean_abs_dev;
} SaeRhoStats;
SaeRhoStats sae_rho_stats(const double *rhohat, size_t k, double rho);

/* The terms (t, and u: the penalties at weight 1) and rho-hat summary of
 * one evaluation, as text or JSON. */
void sae_report_text(FILE *f, const char *label, size_t m, const SaeTerms *t, const SaeTerms *u, SaeRhoStats r);
void sae_report_json(SaeJson *j, const char *key, size_t m, const SaeTerms *t, const SaeTerms *u, SaeRhoStats r);

/* What train --metrics adds (a sweep row's measures), as text or JSON. */
void sae_report_measure_text(FILE *f, const char *label, const SaeMeasure *o, const SaeProbeResult *raw);
void sae_report_measure_json(SaeJson *j, const char *key, const SaeMeasure *o, const SaeProbeResult *raw);
/* The thread count when --threads is not given: OMP_NUM_THREADS if set,
 * else sae_threads_for_load of the cores and the 1-minute load average:
 * the cores it leaves idle, at least 1. */
int sae_cli_default_threads(void);
int sae_threads_for_load(int cores, double load);

/* The process's peak resident set so far, in bytes (-1 when unknown),
 * reported by --json as peak_rss_bytes. */
long long sae_peak_rss_bytes(void);

/* The model's hyperparameters as a JSON object. */
void sae_report_config_json(SaeJson *j, const SaeConfig *c);
/* The encoder for a one-line description: "relu", or "top-32 relu" with
 * TopK. A static buffer: valid until the next call. */
const char *sae_cli_encoder_desc(const SaeConfig *c);

#endif
