/*
 * What the kernel table can tune per CPU, and how the choice is made.
 *
 * Each SIMD level compiles its float GEMM with several register tiles
 * (SaeGemmTile: MR rows x NR columns held in registers); the cache blocks
 * (KC, MC, NC) are run-time values. A level's choice, an SaeGemmChoice,
 * comes from one of three places, in rising order of authority:
 *   default  the tile and blocks measured on the machines bench/README.md names;
 *   probe    adjusted by what the start-up probe reads off this core (cache
 *            sizes from CPUID leaf 4 / 0x8000001D, whether 512-bit FMAs
 *            run at full rate, measured in about a millisecond);
 *   tune     `saebench tune` timed the candidates here and stored the
 *            winner in a tune file (core/io/tunefile.h), read at start-up.
 * The choice is process-wide per tile: sae_kernels_init_tuned() sets the
 * blocks of the tile it puts in the table (the last call wins), so call it
 * before, never while, GEMMs run. The blocks change the order of the sums
 * over K (and so the last bits of results); the tile does not.
 */
#ifndef SAE_KERNELS_TUNING_H
#define SAE_KERNELS_TUNING_H

#include <stddef.h>

#include "kernels/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bumped whenever a kernel changes in a way that can change which tile or
 * blocks are fastest: tune files of another version are stale. */
#define SAE_KERNELS_VERSION 2

/* One compiled float GEMM: its register tile, the functions for the four
 * GEMM slots and their names, and the setter of its cache blocks. */
typedef struct SaeGemmTile {
    const char *name; /* "<level>_<mr>x<nr>", e.g. "avx512_14x32"; "scalar" */
    unsigned level;   /* the SAE_CPU_* flags it needs (0: the reference) */
    int mr, nr;
    decl_gemm_fn(float, *nn);
    decl_gemm_fn(float, *nt);
    decl_gemm_fn(float, *tn);
    decl_gemm_bias_act_fn(float, *bias_act);
    const char *fn_names[4];             /* of nn, nt, tn, bias_act */
    void (*set_blocks)(SaeGemmBlocks b); /* NULL for the reference */
} SaeGemmTile;

/* Limits of the blocks (the packing buffers are sized for them). */
enum { SAE_GEMM_KC_MAX = 1024, SAE_GEMM_MC_MAX = 1024, SAE_GEMM_NC_MAX = 8192 };

/* Every compiled tile, the reference first, then by level and tile. */
size_t sae_gemm_tile_count(void);
const SaeGemmTile *sae_gemm_tile_at(size_t i);
/* The tile called name, or NULL. */
const SaeGemmTile *sae_gemm_tile_find(const char *name);

/* Whether b fits tile t: mr, nr equal to the tile's; 8 <= kc <= KC_MAX;
 * mr <= mc <= MC_MAX; nc a multiple of nr up to NC_MAX. Returns 0, or -1
 * with the reason in err. */
int sae_gemm_blocks_check(const SaeGemmTile *t, SaeGemmBlocks b, char *err, size_t errlen);

/* What the start-up probe reads off the core. */
typedef struct SaeCpuProbe {
    unsigned l1d, l2, l3; /* data cache bytes per core (L3: per slice); 0 unknown */
    double fma512_ratio;  /* 512-bit over 256-bit FMA throughput; 0 unmeasured */
    int fma512_full;      /* fma512_ratio >= 1.5: two 512-bit FMAs per cycle */
} SaeCpuProbe;

/* Fills p for this CPU; measures the FMA ratio only when flags has
 * SAE_CPU_AVX512 (about a millisecond). */
void sae_cpu_probe(SaeCpuProbe *p, unsigned flags);

/* A level's GEMM: the tile, its blocks, and where they came from. */
typedef struct SaeGemmChoice {
    const SaeGemmTile *tile;
    SaeGemmBlocks blocks;
    const char *source; /* "default", "probe" or "tune file" */
} SaeGemmChoice;

/* Tile t with the blocks the probe's result p gives it (p == NULL: the
 * measured defaults); any compiled tile, chosen or not. */
SaeGemmChoice sae_gemm_choice_for(const SaeGemmTile *t, const SaeCpuProbe *p);

/* The choices for the SIMD levels (tile NULL: no such level built). */
typedef struct SaeTuning {
    SaeGemmChoice avx2, avx512;
} SaeTuning;

/* The choice for each level from a probe's result, a pure function of p
 * (tests inject probes of other CPUs). p == NULL: the defaults. */
void sae_tuning_from_probe(SaeTuning *t, const SaeCpuProbe *p);

/* The probe's choices for this CPU: sae_cpu_probe, then the above. */
void sae_tuning_probe(SaeTuning *t, unsigned flags);

/* The choice of t for a level (SAE_CPU_AVX2 or SAE_CPU_AVX512 in the
 * flags: the highest one), or NULL for the scalar reference. */
SaeGemmChoice *sae_tuning_level(SaeTuning *t, unsigned flags);

/* The kernel table of sae_kernels_init, with the GEMM of each level as
 * t chooses (t == NULL: the probe's choice). Every tile in t must be
 * compiled, fit its blocks and match its level. */
void sae_kernels_init_tuned(SaeKernels *k, unsigned flags, const SaeTuning *t);

/* Measures the FMA throughput of one core at a level (SAE_CPU_AVX2: 256-
 * bit, SAE_CPU_AVX512: 512-bit) for about `seconds` of the calling thread's
 * CPU time (time spent descheduled does not count): GFLOP/s, or 0 when the
 * level is not built or not on this CPU. An emulated avx512 level
 * (sae_cpu_emulated) times the 256-bit loop in its place. */
double sae_fma_peak(unsigned level, double seconds);

#ifdef __cplusplus
}
#endif

#endif
