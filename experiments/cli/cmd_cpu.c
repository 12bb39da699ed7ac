/* `saebench cpu`: what the CPU has, what the start-up probe read off it,
 * the mask and tune file in force, and which function fills each slot of
 * the kernel table, with the GEMM's tile and blocks and where they came
 * from. */
#include <stdio.h>
#include <string.h>

#include "kernels/cpu.h"
#include "experiments/cli/cli.h"
#include "experiments/common/errors.h"
#include "experiments/common/kernels.h"

static void print_probe(unsigned found)
{
    char id[256];
    sae_cpu_identity(id, sizeof id);
    SaeCpuProbe p;
    sae_cpu_probe(&p, found);
    printf("cpu: %s\n", id);
    const int emulated = (sae_cpu_emulated() & SAE_CPU_AVX512) != 0;
    printf("features: avx2+fma %s, avx512 f/bw/dq/vl %s (CPUID and OS register state via XGETBV)\n",
           found & SAE_CPU_AVX2 ? "yes" : "no",
           emulated                 ? "emulated (SIMDe on AVX2: -Davx512_emulation=true)"
           : found & SAE_CPU_AVX512 ? "yes"
                                    : "no");
    printf("probe: L1d %u KiB, L2 %u KiB, L3 %u KiB (CPUID; 0: unknown)", p.l1d >> 10, p.l2 >> 10, p.l3 >> 10);
    if (p.fma512_ratio > 0)
        printf("; 512-bit FMAs at %.2fx the 256-bit throughput: %s rate", p.fma512_ratio,
               p.fma512_full ? "full" : "half");
    printf("\n");
    const double p256 = sae_fma_peak(SAE_CPU_AVX2, 0.1), p512 = sae_fma_peak(SAE_CPU_AVX512, 0.1);
    char s256[32] = "n/a", s512[64] = "n/a";
    if (p256 > 0)
        snprintf(s256, sizeof s256, "%.1f GFLOP/s", p256);
    if (p512 > 0)
        snprintf(s512, sizeof s512, emulated ? "emulated (%.1f GFLOP/s: 256-bit)" : "%.1f GFLOP/s", p512);
    printf("fma peak: avx2 %s, avx512 %s (one core, measured now)\n", s256, s512);
}

static void print_choice(const char *level, const SaeGemmChoice *c)
{
    if (!c->tile)
        return;
    printf("  %-7s %-14s kc %4d  mc %4d  nc %5d  (%s)\n", level, c->tile->name, c->blocks.kc, c->blocks.mc,
           c->blocks.nc, c->source);
}

#define COUNT_SLOT(slot, kind) +1
static const size_t n_gemm_slots = 0 SAE_GEMM_SLOTS(COUNT_SLOT);

int sae_cmd_cpu(int argc, char **argv)
{
    SaeRunSpec s;
    sae_run_spec_init(&s);
    for (int a = 2; a < argc; a++) {
        if (!strcmp(argv[a], "--help") || !strcmp(argv[a], "-h")) {
            printf("usage: saebench cpu [--cpumask scalar|avx2|avx512|all] [--no-tune-file]\n"
                   "Prints the CPU, its features (CPUID and XGETBV), what the start-up probe read\n"
                   "(caches, 512-bit FMA rate), the mask (SAE_CPU_MASK and --cpumask) and tune file\n"
                   "in force, the GEMM tile and blocks chosen per level and where each came from\n"
                   "(default, probe or tune file), and the function in every kernel slot.\n");
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
    print_probe(found);
    unsigned env;
    sae_cpu_mask_env(&env);
    const unsigned mask = env & s.cpumask;
    printf("mask in force: %s (SAE_CPU_MASK and --cpumask)\n", mask == SAE_CPU_ALL ? "all" : sae_cpu_level_name(mask));
    printf("kernels built for: %s\n", sae_cpu_level_name(k.flags));
    SaeTuneState st;
    SaeTuning t = *sae_cli_tuning(&st);
    printf("tune file: %s%s%s\n", st.path[0] ? st.path : "", st.path[0] ? ": " : "", st.status);
    printf("GEMM per level (tile, cache blocks, source):\n");
    print_choice("avx2", &t.avx2);
    if (found & SAE_CPU_AVX512)
        print_choice("avx512", &t.avx512);
    printf("%-20s %-34s %s\n", "slot", "float", "double");
    for (size_t i = 0; i < sae_kernel_slot_count(); i++) {
        char extra[96] = "";
        if (i < n_gemm_slots && k.blocks.mr) /* what the GEMM slots' tile runs with */
            snprintf(extra, sizeof extra, "  [float: %s kc %d mc %d nc %d, %s]", k.gemm_tile, k.blocks.kc, k.blocks.mc,
                     k.blocks.nc, k.gemm_source);
        printf("%-20s %-34s %s%s\n", sae_kernel_slot_name(i), sae_kernel_slot_fn(&k, i, 0),
               sae_kernel_slot_fn(&k, i, 1), extra);
    }
    return SAE_EXIT_OK;
}
