/* saebench: train, evaluate and inspect sparse autoencoders. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "experiments/cli/cli.h"
#include "experiments/common/errors.h"
#include "experiments/sweep/commands.h"
#include "sae_config.h"

static void usage(FILE *f)
{
    fprintf(f,
            "saebench %s: sparse autoencoders on SIMD kernels\n"
            "usage: saebench COMMAND [options]   (saebench COMMAND --help for the options)\n"
            "commands:\n"
            "  train   train one model and report every loss term\n"
            "  eval    evaluate a saved model (.npz) on data, optionally write its gradient\n"
            "  sweep   train a hyperparameter grid from an INI file; tables, plots, images\n"
            "  merge   merge the shards of a sweep run with --shard I/N into one result folder\n"
            "  cpu     CPU features, the mask in force, the kernel in each slot and why\n"
            "  tune    time the GEMM tiles and blocks on this CPU; store the fastest (tune file)\n"
            "global options: --no-tune-file (or SAE_TUNE_FILE=off) ignores the tune file\n",
            SAE_VERSION);
}

/* --no-tune-file (or its old spelling --no-wisdom), anywhere after the
 * command: the same as SAE_TUNE_FILE=off (the tune file is read below
 * every command, so the switch is global). */
static int strip_no_tune_file(int argc, char **argv)
{
    int out = 0;
    for (int i = 0; i < argc; i++) {
        if (i >= 2 && (!strcmp(argv[i], "--no-tune-file") || !strcmp(argv[i], "--no-wisdom"))) {
            setenv("SAE_TUNE_FILE", "off", 1);
            continue;
        }
        argv[out++] = argv[i];
    }
    argv[out] = NULL;
    return out;
}

int main(int argc, char **argv)
{
    argc = strip_no_tune_file(argc, argv);
    /* Idle OpenMP threads sleep instead of spinning: a spinning team on a
     * core another process is using made one L-BFGS run 20x slower. Read
     * when the runtime starts, so before any parallel region; the user's
     * own setting wins. */
    setenv("OMP_WAIT_POLICY", "passive", 0);
    if (argc < 2) {
        usage(stderr);
        return SAE_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (!strcmp(cmd, "train"))
        return sae_cmd_train(argc, argv);
    if (!strcmp(cmd, "eval"))
        return sae_cmd_eval(argc, argv);
    if (!strcmp(cmd, "cpu"))
        return sae_cmd_cpu(argc, argv);
    if (!strcmp(cmd, "sweep"))
        return sae_cmd_sweep(argc, argv);
    if (!strcmp(cmd, "tune"))
        return sae_cmd_tune(argc, argv);
    if (!strcmp(cmd, "merge"))
        return sae_cmd_merge(argc, argv);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return SAE_EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("saebench %s\n", SAE_VERSION);
        return SAE_EXIT_OK;
    }
    fprintf(stderr, "saebench: unknown command '%s' (commands: train, eval, sweep, cpu, tune; see saebench --help)\n",
            cmd);
    return SAE_EXIT_USAGE;
}
