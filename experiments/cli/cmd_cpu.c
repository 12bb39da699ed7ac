/* `saebench cpu`: what the CPU has, the mask in force, and which function
 * fills each slot of the kernel table. */
#include <stdio.h>
#include <string.h>

#include "kernels/cpu.h"
#include "experiments/cli/cli.h"

int sae_cmd_cpu(int argc, char **argv)
{
    SaeRunSpec s;
    sae_run_spec_init(&s);
    for (int a = 2; a < argc; a++) {
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
            printf("usage: saebench cpu [--cpumask scalar|avx2|avx512|all]\n"
                   "Prints the CPU features found (CPUID and XGETBV), the mask in force\n"
                   "(SAE_CPU_MASK and --cpumask) and the function in every kernel slot.\n");
            return SAE_EXIT_OK;
        }
        const char *v = !strncmp(argv[a], "--cpumask=", 10)             ? argv[a] + 10
                        : !strcmp(argv[a], "--cpumask") && a + 1 < argc ? argv[++a]
                                                                        : NULL;
        if (!v)
            return sae_cli_error("cpu", SAE_EXIT_USAGE, "unknown option %s (see --help)", argv[a]);
        if (sae_cpu_mask_parse(v, &s.cpumask))
            return sae_cli_error("cpu", SAE_EXIT_USAGE, "--cpumask expects one of scalar|avx2|avx512|all, got '%s'", v);
    }
    char err[256];
    SaeKernels k;
    if (sae_cli_kernels(&s, &k, err, sizeof err))
        return sae_cli_error("cpu", SAE_EXIT_USAGE, "%s", err);
    const unsigned found = sae_cpu_detect();
    printf("cpu features: avx2+fma %s, avx512 f/bw/dq/vl %s (CPUID and OS register state via XGETBV)\n",
           found & SAE_CPU_AVX2 ? "yes" : "no", found & SAE_CPU_AVX512 ? "yes" : "no");
    unsigned env;
    sae_cpu_mask_env(&env);
    const unsigned mask = env & s.cpumask;
    printf("mask in force: %s (SAE_CPU_MASK and --cpumask)\n", mask == SAE_CPU_ALL ? "all" : sae_cpu_level_name(mask));
    printf("kernels built for: %s\n", sae_cpu_level_name(k.flags));
    if (k.blocks.mr)
        printf("float GEMM blocking: register tile %d x %d, KC %d, MC %d, NC %d (kernels/x86/tune_*.h)\n", k.blocks.mr,
               k.blocks.nr, k.blocks.kc, k.blocks.mc, k.blocks.nc);
    else
        printf("float GEMM blocking: none (the scalar reference)\n");
    printf("%-20s %-32s %s\n", "slot", "float", "double");
    for (size_t i = 0; i < sae_kernel_slot_count(); i++)
        printf("%-20s %-32s %s\n", sae_kernel_slot_name(i), sae_kernel_slot_fn(&k, i, 0), sae_kernel_slot_fn(&k, i, 1));
    return SAE_EXIT_OK;
}
