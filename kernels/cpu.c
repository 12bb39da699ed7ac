/* CPUID/XGETBV feature detection (the checks of dav1d's src/x86/cpu.c). */
#include <stdio.h>
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
    if ((flags & SAE_CPU_AVX2) && SAE_AVX512_EMULATED) /* SIMDe runs the level on AVX2 */
        flags |= SAE_CPU_AVX512;
    return flags;
}

/* One cache of CPUID leaf 4 (Intel) or 0x8000001D (AMD) subleaf i: its
 * level and type (1 data, 3 unified; 0 ends the list) and its size. */
static int cache_leaf(unsigned leaf, unsigned i, unsigned *level, unsigned *type, unsigned *bytes)
{
    unsigned a, b, c, d;
    if (!__get_cpuid_count(leaf, i, &a, &b, &c, &d))
        return -1;
    *type = a & 0x1f;
    *level = (a >> 5) & 7;
    *bytes = (((b >> 22) & 0x3ff) + 1) * (((b >> 12) & 0x3ff) + 1) * ((b & 0xfff) + 1) * (c + 1);
    return 0;
}

void sae_cpu_caches(unsigned *l1d, unsigned *l2, unsigned *l3)
{
    *l1d = *l2 = *l3 = 0;
    unsigned a, b, c, d;
    const unsigned max_ext = (unsigned)__get_cpuid_max(0x80000000, NULL);
    /* AMD's topology leaf when it has one, else the deterministic cache
     * parameters leaf (Intel; AMD reads it as reserved) */
    unsigned leaf = 4;
    if (max_ext >= 0x8000001D && __get_cpuid(0x80000001, &a, &b, &c, &d) && ((c >> 22) & 1))
        leaf = 0x8000001D;
    else if ((unsigned)__get_cpuid_max(0, NULL) < 4u)
        return;
    for (unsigned i = 0; i < 16; i++) {
        unsigned level, type, bytes;
        if (cache_leaf(leaf, i, &level, &type, &bytes) || type == 0)
            break;
        if (level == 1 && type == 1)
            *l1d = bytes;
        else if (level == 2 && type != 2)
            *l2 = bytes;
        else if (level == 3 && type != 2)
            *l3 = bytes;
    }
}

void sae_cpu_identity(char *buf, size_t len)
{
    unsigned a = 0, b = 0, c = 0, d = 0, regs[12] = { 0 };
    char vendor[13] = { 0 }, brand[49] = { 0 };
    __get_cpuid(0, &a, &b, &c, &d);
    memcpy(vendor, &b, 4);
    memcpy(vendor + 4, &d, 4);
    memcpy(vendor + 8, &c, 4);
    __get_cpuid(1, &a, &b, &c, &d);
    const unsigned fam = ((a >> 8) & 0xf) + (((a >> 8) & 0xf) == 0xf ? (a >> 20) & 0xff : 0);
    const unsigned model = ((a >> 4) & 0xf) | (((a >> 16) & 0xf) << 4), step = a & 0xf;
    if ((unsigned)__get_cpuid_max(0x80000000, NULL) >= 0x80000004u) {
        for (unsigned l = 0; l < 3; l++)
            __get_cpuid(0x80000002 + l, &regs[4 * l], &regs[4 * l + 1], &regs[4 * l + 2], &regs[4 * l + 3]);
        memcpy(brand, regs, 48);
    }
    const char *bp = brand;
    while (*bp == ' ') bp++;
    snprintf(buf, len, "%s family %u model %u stepping %u, %s", vendor, fam, model, step, *bp ? bp : "unnamed");
}
#else
static unsigned isa_flags(void) { return 0; }

void sae_cpu_caches(unsigned *l1d, unsigned *l2, unsigned *l3) { *l1d = *l2 = *l3 = 0; }

void sae_cpu_identity(char *buf, size_t len) { snprintf(buf, len, "not x86-64"); }
#endif

unsigned sae_cpu_detect(void) { return isa_flags() | omp_flag(); }

unsigned sae_cpu_emulated(void) { return SAE_AVX512_EMULATED && (isa_flags() & SAE_CPU_AVX2) ? SAE_CPU_AVX512 : 0; }

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
