#include "experiments/cli/cli.h"
#include "experiments/common/machine.h"
#include "sae_config.h"

#if SAE_HAVE_OPENMP
#include <omp.h>
#endif

int sae_cli_setup(const char *name, unsigned cmd, const char *usage, int argc, char **argv, SaeRunSpec *s,
                  SaeKernels *k)
{
    char err[512];
    const int pr = sae_options_parse(s, cmd, argc, argv, 2, err, sizeof err);
    if (pr == 1) {
        sae_options_help(cmd, usage);
        return SAE_EXIT_OK;
    }
    if (pr < 0 || sae_cli_kernels(s, k, err, sizeof err))
        return sae_cli_error(name, SAE_EXIT_USAGE, "%s", err);
#if SAE_HAVE_OPENMP
    omp_set_num_threads(s->threads ? (int)s->threads : sae_cli_default_threads());
#endif
    return -1;
}
