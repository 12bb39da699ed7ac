#include <stdio.h>
#include <stdlib.h>

#include "kernels/cpu.h"
#include "tests/common.h"

const SaeKernels *test_kernels(void)
{
    static SaeKernels k;
    static int ready;
    if (!ready) {
        unsigned mask;
        if (sae_cpu_mask_env(&mask)) {
            fprintf(stderr, "SAE_CPU_MASK: unknown level\n");
            abort();
        }
        sae_kernels_init(&k, sae_cpu_detect() & mask);
        ready = 1;
    }
    return &k;
}
