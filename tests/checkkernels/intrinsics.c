/*
 * checkintrinsics: the operations the AVX-512 kernels are written in
 * (kernels/x86/simd_avx512.h) against their definitions, natively on an
 * AVX-512 CPU and through SIMDe in the -Davx512_emulation=true build
 * (intrinsics_avx512.c). Plain C, built without -m flags, so that it can
 * say "skipped" on a CPU without the level instead of dying of SIGILL.
 * Output is TAP.
 */
#include <stdio.h>

#include "kernels/cpu.h"
#include "tests/checkkernels/intrinsics.h"

int main(void)
{
    if (!(sae_cpu_detect() & SAE_CPU_AVX512)) {
        printf("1..0 # SKIP no avx512 level: not on this CPU, or not built\n");
        return 0;
    }
    printf("# avx512 %s\n", sae_cpu_emulated() & SAE_CPU_AVX512 ? "emulated by SIMDe" : "native");
    return sae_check_avx512_intrinsics();
}
