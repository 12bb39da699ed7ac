/* The compiled GEMM tiles, the start-up probe and the choice it makes
 * (kernels/tuning.h). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "kernels/cpu.h"
#include "kernels/isa.h"
#include "kernels/scalar.h"
#include "kernels/tuning.h"
#include "sae_config.h"

const SaeGemmTile sae_gemm_tile_scalar = {
    .name = "scalar",
    .nn = sae_gemm_nn_scalar_f32,
    .nt = sae_gemm_nt_scalar_f32,
    .tn = sae_gemm_tn_scalar_f32,
    .bias_act = sae_gemm_bias_act_scalar_f32,
    .fn_names = { "sae_gemm_nn_scalar_f32", "sae_gemm_nt_scalar_f32", "sae_gemm_tn_scalar_f32",
                  "sae_gemm_bias_act_scalar_f32" },
};

static const SaeGemmTile *const tiles[] = {
    &sae_gemm_tile_scalar,
#if SAE_HAVE_SIMD
    &sae_gemm_tile_avx2_4x16,    &sae_gemm_tile_avx2_6x16,    &sae_gemm_tile_avx512_8x32,
    &sae_gemm_tile_avx512_12x32, &sae_gemm_tile_avx512_14x32,
#endif
};

size_t sae_gemm_tile_count(void) { return sizeof tiles / sizeof *tiles; }

const SaeGemmTile *sae_gemm_tile_at(size_t i) { return i < sae_gemm_tile_count() ? tiles[i] : NULL; }

const SaeGemmTile *sae_gemm_tile_find(const char *name)
{
    for (size_t i = 0; i < sae_gemm_tile_count(); i++)
        if (!strcmp(tiles[i]->name, name))
            return tiles[i];
    return NULL;
}

int sae_gemm_blocks_check(const SaeGemmTile *t, SaeGemmBlocks b, char *err, size_t errlen)
{
    const char *why = NULL;
    if (!t->set_blocks)
        why = "the scalar reference has no blocks";
    else if (b.mr != t->mr || b.nr != t->nr)
        why = "the register tile differs from the tile's";
    else if (b.kc < 8 || b.kc > SAE_GEMM_KC_MAX)
        why = "kc out of [8, 1024]";
    else if (b.mc < b.mr || b.mc > SAE_GEMM_MC_MAX)
        why = "mc out of [mr, 1024]";
    else if (b.nc < b.nr || b.nc > SAE_GEMM_NC_MAX || b.nc % b.nr)
        why = "nc not a multiple of nr in [nr, 8192]";
    if (why)
        snprintf(err, errlen, "%s: %s (mr %d nr %d kc %d mc %d nc %d)", t->name, why, b.mr, b.nr, b.kc, b.mc, b.nc);
    return why ? -1 : 0;
}

/* The blocks measured best on the machines bench/README.md names, per tile
 * (bench_kernels, gemm_nn at 512..2048 cubed and the model's shapes). */
static SaeGemmBlocks measured_blocks(const SaeGemmTile *t)
{
    const int kc = t->nr == 32 ? 384 : 256; /* 512-bit tiles: a 48 KiB B micro-panel */
    const int mc = t->nr == 32 ? 84 : 168;
    return (SaeGemmBlocks){ .mr = t->mr, .nr = t->nr, .kc = kc, .mc = mc / t->mr * t->mr, .nc = 4096 };
}

/* MC from the L2 size: the packed A block (mc x kc floats) takes a third of
 * L2, leaving room for the B micro-panel streaming through and C's tile
 * (168 on the 512 KiB L2 where 168 was measured best). */
static int mc_for_l2(const SaeGemmTile *t, int kc, unsigned l2)
{
    int mc = (int)(l2 / 3 / ((unsigned)kc * sizeof(float)));
    mc = mc / t->mr * t->mr;
    const int lo = 4 * t->mr, hi = SAE_GEMM_MC_MAX / t->mr * t->mr;
    return mc < lo ? lo : mc > hi ? hi : mc;
}

SaeGemmChoice sae_gemm_choice_for(const SaeGemmTile *t, const SaeCpuProbe *p)
{
    SaeGemmChoice c = { .tile = t, .source = "default" };
    if (!t || !t->set_blocks)
        return c;
    c.blocks = measured_blocks(c.tile);
    if (p && p->l2) {
        const int mc = mc_for_l2(c.tile, c.blocks.kc, p->l2);
        if (mc != c.blocks.mc) {
            c.blocks.mc = mc;
            c.source = "probe";
        }
    }
    return c;
}

void sae_tuning_from_probe(SaeTuning *t, const SaeCpuProbe *p)
{
    t->avx2 = sae_gemm_choice_for(sae_gemm_tile_find("avx2_6x16"), p);
    /* Two 512-bit FMAs per cycle need the most FMAs per load: 14 x 32 does
     * 28 per 16 loads (2 B vectors, 14 broadcasts). At one per cycle any
     * tile keeps up with the loads, and 8 x 32 divides the power-of-two
     * row counts of the model's shapes with no partial tile. */
    const int full = p && p->fma512_ratio > 0 ? p->fma512_full : 1;
    t->avx512 = sae_gemm_choice_for(sae_gemm_tile_find(full ? "avx512_14x32" : "avx512_8x32"), p);
    if (p && p->fma512_ratio > 0 && t->avx512.tile)
        t->avx512.source = "probe";
}

/* The probe runs once per process (every table built after reuses it). */
static SaeCpuProbe probed;
static pthread_once_t probe_once = PTHREAD_ONCE_INIT;

static void probe_cpu(void)
{
    SaeCpuProbe *p = &probed;
    sae_cpu_caches(&p->l1d, &p->l2, &p->l3);
    if (!(sae_cpu_detect() & SAE_CPU_AVX512) || sae_cpu_emulated())
        return; /* no 512-bit rate to read: the defaults stand */
    /* best of three short runs each (the first runs also bring the core out
     * of any idle state); a ratio between the two rates a core can have (1
     * or 2) is a disturbed measurement: measured again, up to 12 runs */
    double r256 = 0, r512 = 0;
    for (int i = 0; i < 12; i++) {
        const double a = sae_fma_peak(SAE_CPU_AVX2, 2e-4), b = sae_fma_peak(SAE_CPU_AVX512, 2e-4);
        r256 = a > r256 ? a : r256;
        r512 = b > r512 ? b : r512;
        const double ratio = r256 > 0 ? r512 / r256 : 0;
        if (i >= 2 && (ratio < 1.25 || ratio > 1.75))
            break;
    }
    p->fma512_ratio = r256 > 0 ? r512 / r256 : 0;
    p->fma512_full = p->fma512_ratio >= 1.5;
}

void sae_cpu_probe(SaeCpuProbe *p, unsigned flags)
{
    pthread_once(&probe_once, probe_cpu);
    *p = probed;
    if (!(flags & SAE_CPU_AVX512)) {
        p->fma512_ratio = 0;
        p->fma512_full = 0;
    }
}

void sae_tuning_probe(SaeTuning *t, unsigned flags)
{
    SaeCpuProbe p;
    sae_cpu_probe(&p, flags);
    sae_tuning_from_probe(t, &p);
}

SaeGemmChoice *sae_tuning_level(SaeTuning *t, unsigned flags)
{
    if (flags & SAE_CPU_AVX512)
        return &t->avx512;
    if (flags & SAE_CPU_AVX2)
        return &t->avx2;
    return NULL;
}

double sae_fma_peak(unsigned level, double seconds)
{
#if SAE_HAVE_SIMD
    const unsigned cpu = sae_cpu_detect();
    if (level & SAE_CPU_AVX512)
        return cpu & SAE_CPU_AVX512 ? sae_fma_peak_avx512(seconds) : 0;
    if (level & SAE_CPU_AVX2)
        return cpu & SAE_CPU_AVX2 ? sae_fma_peak_avx2(seconds) : 0;
#endif
    (void)level;
    (void)seconds;
    return 0;
}
