/*
 * CPU feature detection and the feature mask.
 *
 * Flags are cumulative ISA levels as the kernel table climbs them. A flag is
 * set only when the CPU has the instructions (CPUID) *and* the OS saves the
 * registers (XGETBV), so a set flag is always safe to use. A mask can only
 * remove flags: the table is built for sae_cpu_detect() & mask.
 */
#ifndef SAE_KERNELS_CPU_H
#define SAE_KERNELS_CPU_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum {
    SAE_CPU_AVX2 = 1u << 0,   /* AVX2 + FMA3, XCR0 saves XMM and YMM */
    SAE_CPU_AVX512 = 1u << 1, /* AVX-512 F/BW/DQ/VL, XCR0 also saves opmask/ZMM */
    SAE_CPU_OMP = 1u << 2,    /* not a CPU feature: the OpenMP driver, when built */
};
#define SAE_CPU_ALL (SAE_CPU_AVX2 | SAE_CPU_AVX512 | SAE_CPU_OMP)

/* The flags of the running CPU (0 off x86-64), with SAE_CPU_OMP when the
 * OpenMP driver is built. */
unsigned sae_cpu_detect(void);

/* The flags of sae_cpu_detect() that this build emulates rather than runs
 * natively: SAE_CPU_AVX512 in a -Davx512_emulation=true build on an AVX2
 * CPU (SIMDe), else 0. An emulated level computes what the native one does
 * but its speed says nothing about the CPU: nothing times or tunes it. */
unsigned sae_cpu_emulated(void);

/* Maps a level name to a mask: scalar, avx2, avx512 (includes avx2), and
 * omp or all (every level, with the OpenMP driver on top).
 * Returns 0 and sets *mask, or -1 for an unknown name. */
int sae_cpu_mask_parse(const char *name, unsigned *mask);

/* The mask from the environment variable SAE_CPU_MASK (all when unset).
 * Returns -1 when it is set to an unknown name. */
int sae_cpu_mask_env(unsigned *mask);

/* The name of the highest level in flags: "omp+avx512", "avx512", "avx2",
 * "omp+scalar", ... */
const char *sae_cpu_level_name(unsigned flags);

/* The data cache sizes of one core in bytes, from CPUID (leaf 0x8000001D
 * on AMD, leaf 4 on Intel); 0 where unknown. */
void sae_cpu_caches(unsigned *l1d, unsigned *l2, unsigned *l3);

/* The CPU's identity in one line: vendor, family, model, stepping and the
 * brand string ("AuthenticAMD family 25 model 1 stepping 1, AMD EPYC ..."). */
void sae_cpu_identity(char *buf, size_t len);

#ifdef __cplusplus
}
#endif

#endif
