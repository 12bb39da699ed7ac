/* CPUID/XGETBV feature detection (the checks of dav1d's src/x86/cpu.c). */
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu.h"
#include "sae_config.h"

/* The OpenMP driver is a level of the table, present when it is built. */
static unsigned omp_flag(void) { return SAE_HAVE_OPENMP ? SAE_CPU_OMP : 0; }

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

static unsigned long long xgetbv0(void)
{
    unsigned eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return ((unsigned long long)edx << 32) | eax;
}

static unsigned isa_flags(void)
{
    unsigned a, b, c, d, flags = 0;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d))
        return 0;
    const int fma = (c >> 12) & 1, osxsave = (c >> 27) & 1, avx = (c >> 28) & 1;
    if (!(osxsave && avx && fma))
        return 0;
    const unsigned long long xcr0 = xgetbv0();
    if ((xcr0 & 0x6) != 0x6) /* XMM and YMM state */
        return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
        return 0;
    if ((b >> 5) & 1) /* AVX2 */
        flags |= SAE_CPU_AVX2;
    const unsigned avx512 = (1u << 16) | (1u << 17) | (1u << 30) | (1u << 31);     /* F DQ BW VL */
    if ((flags & SAE_CPU_AVX2) && (b & avx512) == avx512 && (xcr0 & 0xe0) == 0xe0) /* opmask, ZMM0-15 upper, ZMM16-31 */
        flags |= SAE_CPU_AVX512;
    return flags;
}
#else
static unsigned isa_flags(void) { return 0; }
#endif

unsigned sae_cpu_detect(void) { return isa_flags() | omp_flag(); }

int sae_cpu_mask_parse(const char *name, unsigned *mask)
{
    static const struct {
        const char *name;
        unsigned mask;
    } levels[] = {
        { "scalar", 0 },        { "avx2", SAE_CPU_AVX2 }, { "avx512", SAE_CPU_AVX2 | SAE_CPU_AVX512 },
        { "omp", SAE_CPU_ALL }, { "all", SAE_CPU_ALL },
    };
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++)
        if (!strcmp(name, levels[i].name)) {
            *mask = levels[i].mask;
            return 0;
        }
    return -1;
}

int sae_cpu_mask_env(unsigned *mask)
{
    const char *s = getenv("SAE_CPU_MASK");
    if (!s || !*s) {
        *mask = SAE_CPU_ALL;
        return 0;
    }
    return sae_cpu_mask_parse(s, mask);
}

const char *sae_cpu_level_name(unsigned flags)
{
    const int omp = (flags & SAE_CPU_OMP) != 0;
    if (flags & SAE_CPU_AVX512)
        return omp ? "omp+avx512" : "avx512";
    if (flags & SAE_CPU_AVX2)
        return omp ? "omp+avx2" : "avx2";
    return omp ? "omp+scalar" : "scalar";
}
