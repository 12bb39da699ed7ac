/*
 * The options of `saebench train` and `saebench eval`: one table gives every
 * option's name, its value's form and its help line. The same setter takes
 * "--name value" from the command line and "name = value" from a sweep
 * file (where '-' and '_' are the same), so both always agree.
 */
#ifndef SAE_EXPERIMENTS_COMMON_OPTIONS_H
#define SAE_EXPERIMENTS_COMMON_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

#include "core/io/data.h"
#include "core/model.h"
#include "core/train.h"

typedef struct SaeRunSpec {
    SaeConfig model;
    SaeTrainOpts train;
    SaeDataOpts data;
    const char *data_spec;      /* --data NAME|PATH */
    const char *init_path;      /* --init M.npz */
    const char *save_path;      /* --save M.npz */
    const char *save_init_path; /* --save-init M.npz */
    const char *save_data_path; /* --save-data X.npy */
    const char *model_path;     /* --model M.npz (eval) */
    const char *grads_path;     /* --grads G.npz (eval) */
    unsigned cpumask;           /* --cpumask, SAE_CPU_ALL unless given */
    unsigned threads;           /* --threads, 0: the OpenMP default */
    int json;                   /* --json */
    int metrics;                /* --metrics (train) */
    const char *images_dir;     /* --images DIR (train) */
    const char *latents_dir;    /* --latents DIR (train) */
    int lr_set;                 /* --lr given (else the optimizer's default) */
    uint64_t given[2];          /* bit i % 64 of word i / 64: option i of the table was given */
} SaeRunSpec;

/* Which commands an option belongs to. */
enum { SAE_CMD_TRAIN = 1, SAE_CMD_EVAL = 2 };

/* The defaults of every option. */
void sae_run_spec_init(SaeRunSpec *s);

/* Sets option `name` (without "--"; '_' may stand for '-') from text.
 * Returns 0; -1 (with a one-line message in err) for an unknown name or a
 * bad value; 1 when the option is a switch that takes no value and value is
 * NULL. `cmd` limits the options to one command (0: any). */
int sae_option_set(SaeRunSpec *s, unsigned cmd, const char *name, const char *value, char *err, size_t errlen);

/* Parses argv[first..argc) as options of cmd. Returns 0, 1 after --help
 * (printed), or -1 with err set (a usage error). */
int sae_options_parse(SaeRunSpec *s, unsigned cmd, int argc, char **argv, int first, char *err, size_t errlen);

/* Whether option i of the table was given. */
static inline int sae_option_given(const SaeRunSpec *s, size_t i) { return (int)(s->given[i / 64] >> (i % 64) & 1); }

/* Index of an option in the table (for s->given), or -1. */
int sae_option_index(const char *name);

/* Copies into c the model hyperparameters that were given as options (the
 * flags override a model file's values); note (may be NULL) gets those that
 * changed a value, "--beta 0 (file: 3), ...", or "". */
void sae_options_override_model(const SaeRunSpec *s, SaeConfig *c, char *note, size_t len);

/* The given options that do not apply to s's optimizer (--epochs does not
 * to lbfgs, --iters not to sgd or adam, ...), as "--epochs, --batch" (""
 * when none). */
void sae_options_ignored(const SaeRunSpec *s, char *buf, size_t len);

/* The table, for sweeps and result files: how many options, each one's
 * name, whether it is a setting of a run (not an output path or a print
 * switch), and its value in s as text (the form the parser takes back). */
size_t sae_option_count(void);
const char *sae_option_name(size_t i);
int sae_option_is_setting(size_t i);
void sae_option_format(const SaeRunSpec *s, size_t i, char *buf, size_t len);

/* Prints the options of cmd with their help lines. */
void sae_options_help(unsigned cmd, const char *usage);

#endif
