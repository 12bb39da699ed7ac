/* The commands of experiments/cli/ (train, eval, cpu, tune) and the set-up
 * train and eval share. */
#ifndef SAE_EXPERIMENTS_CLI_CLI_H
#define SAE_EXPERIMENTS_CLI_CLI_H

#include "experiments/common/errors.h"
#include "experiments/common/kernels.h"
#include "experiments/common/options.h"
#include "kernels/kernels.h"

int sae_cmd_train(int argc, char **argv);
int sae_cmd_eval(int argc, char **argv);
int sae_cmd_cpu(int argc, char **argv);
int sae_cmd_tune(int argc, char **argv);

/* The common start of train and eval: parses argv[2..] as options of cmd
 * into s, prints --help, builds the kernel table and applies --threads.
 * Returns -1 to go on, or the exit status to return (help, usage error). */
int sae_cli_setup(const char *name, unsigned cmd, const char *usage, int argc, char **argv, SaeRunSpec *s,
                  SaeKernels *k);

#endif
