/* saebench: train, evaluate and inspect sparse autoencoders. */
#include <stdio.h>
#include <string.h>

#include "experiments/cli/cli.h"
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
            "  cpu     CPU features, the mask in force and the kernel in each slot\n",
            SAE_VERSION);
}

int main(int argc, char **argv)
{
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
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
        usage(stdout);
        return SAE_EXIT_OK;
    }
    if (!strcmp(cmd, "--version")) {
        printf("saebench %s\n", SAE_VERSION);
        return SAE_EXIT_OK;
    }
    fprintf(stderr, "saebench: unknown command '%s' (commands: train, eval, sweep, cpu; see saebench --help)\n", cmd);
    return SAE_EXIT_USAGE;
}
