/* Fills the kernel table: the scalar reference in every slot, then the ISA
 * levels the flags allow, lowest first, stopping at the first level the
 * flags lack (dav1d's *_dsp_init pattern). The double table's element-wise
 * slots are the scalar reference (the precision for checks) except L-BFGS's
 * vector algebra (dot, axpy); its GEMM slots have SIMD variants. */
#include "kernels/cpu.h"
#include "kernels/isa.h"
#include "kernels/kernels.h"
#include "kernels/scalar.h"
#include "kernels/tuning.h"
#include "sae_config.h"

#define FILL_SCALAR(slot, kind) \
    k->f32.slot = sae_##slot##_scalar_f32; \
    k->f64.slot = sae_##slot##_scalar_f64; \
    k->name32.slot = "sae_" #slot "_scalar_f32"; \
    k->name64.slot = "sae_" #slot "_scalar_f64";
#define FILL_AVX2(slot, kind) \
    k->f32.slot = sae_##slot##_avx2; \
    k->name32.slot = "sae_" #slot "_avx2";
#define FILL_AVX512(slot, kind) \
    k->f32.slot = sae_##slot##_avx512; \
    k->name32.slot = "sae_" #slot "_avx512";

/* One double slot from the function sae_<slot>_<fn>. */
#define FILL64(slot, fn) \
    k->f64.slot = sae_##slot##_##fn; \
    k->name64.slot = "sae_" #slot "_" #fn;
/* The double slots a SIMD level brings (L-BFGS's vector algebra), and the
 * double GEMM (avx2 for both SIMD levels: no AVX-512 double tile yet). */
#define FILL_F64(isa) FILL64(dot, isa##_f64) FILL64(axpy, isa##_f64)
#define FILL_GEMM_F64(slot, kind) FILL64(slot, avx2_f64)

#define FILL_OMP(slot, kind, isa) \
    k->f32.slot = sae_##slot##_omp_##isa; \
    k->name32.slot = "sae_" #slot "_omp_" #isa;
#define FILL_OMP_SCALAR(slot, kind) FILL_OMP(slot, kind, scalar)
#define FILL_OMP_AVX2(slot, kind) FILL_OMP(slot, kind, avx2)
#define FILL_OMP_AVX512(slot, kind) FILL_OMP(slot, kind, avx512)

/* Climbs the ISA levels for the element-wise slots; returns the highest
 * one filled. */
static unsigned init_isa(SaeKernels *k, unsigned flags)
{
    SAE_KERNEL_SLOTS(FILL_SCALAR)
#if SAE_HAVE_SIMD
    if (!(flags & SAE_CPU_AVX2))
        return 0;
    SAE_ELEM_SLOTS(FILL_AVX2)
    FILL_F64(avx2)
    SAE_GEMM_SLOTS(FILL_GEMM_F64)
    if (!(flags & SAE_CPU_AVX512))
        return SAE_CPU_AVX2;
    SAE_ELEM_SLOTS(FILL_AVX512)
    FILL_F64(avx512)
    return SAE_CPU_AVX2 | SAE_CPU_AVX512;
#else
    (void)flags;
    return 0;
#endif
}

/* Whether choice c can run at the level `level`: a compiled tile that
 * needs no more than the level has, with blocks that fit it. */
static int usable(const SaeGemmChoice *c, unsigned level)
{
    char err[160];
    return c->tile && (c->tile->level & ~level) == 0 && !sae_gemm_blocks_check(c->tile, c->blocks, err, sizeof err);
}

/* The GEMM slots: the chosen tile of the highest level (t's, or the
 * probe's when t has none usable), with its blocks set. */
static const SaeGemmTile *init_gemm(SaeKernels *k, unsigned level, const SaeTuning *t)
{
    k->blocks = (SaeGemmBlocks){ 0 };
    k->gemm_tile = sae_gemm_tile_scalar.name;
    k->gemm_source = "default";
    SaeTuning probed, given = t ? *t : (SaeTuning){ 0 };
    const SaeGemmChoice *c = sae_tuning_level(&given, level);
    if (!c)
        return &sae_gemm_tile_scalar;
    if (!usable(c, level)) {
        sae_tuning_probe(&probed, level);
        c = sae_tuning_level(&probed, level);
    }
    const SaeGemmTile *tile = c->tile;
    tile->set_blocks(c->blocks);
    k->f32.gemm_nn = tile->nn;
    k->f32.gemm_nt = tile->nt;
    k->f32.gemm_tn = tile->tn;
    k->f32.gemm_bias_act = tile->bias_act;
    k->name32.gemm_nn = tile->fn_names[0];
    k->name32.gemm_nt = tile->fn_names[1];
    k->name32.gemm_tn = tile->fn_names[2];
    k->name32.gemm_bias_act = tile->fn_names[3];
    k->blocks = c->blocks;
    k->gemm_tile = tile->name;
    k->gemm_source = c->source;
    return tile;
}

void sae_kernels_init(SaeKernels *k, unsigned flags) { sae_kernels_init_tuned(k, flags, NULL); }

void sae_kernels_init_tuned(SaeKernels *k, unsigned flags, const SaeTuning *t)
{
    k->flags = init_isa(k, flags);
    const SaeGemmTile *tile = init_gemm(k, k->flags, t);
#if SAE_HAVE_OPENMP
    /* The OpenMP driver on top of the highest level filled, splitting its tile. */
    if (!(flags & SAE_CPU_OMP))
        return;
    k->flags |= SAE_CPU_OMP;
#if SAE_HAVE_SIMD
    if (k->flags & SAE_CPU_AVX512) {
        sae_gemm_use_omp_avx512(tile);
        SAE_KERNEL_SLOTS(FILL_OMP_AVX512)
        return;
    }
    if (k->flags & SAE_CPU_AVX2) {
        sae_gemm_use_omp_avx2(tile);
        SAE_KERNEL_SLOTS(FILL_OMP_AVX2)
        return;
    }
#endif
    sae_gemm_use_omp_scalar(tile);
    SAE_KERNEL_SLOTS(FILL_OMP_SCALAR)
#else
    (void)tile;
#endif
}

#define SLOT_NAME(slot, kind) #slot,
static const char *const slot_names[] = { SAE_KERNEL_SLOTS(SLOT_NAME) };

size_t sae_kernel_slot_count(void) { return sizeof slot_names / sizeof *slot_names; }

const char *sae_kernel_slot_name(size_t i) { return slot_names[i]; }

const char *sae_kernel_slot_fn(const SaeKernels *k, size_t i, int f64)
{
    const SaeKernelNames *n = f64 ? &k->name64 : &k->name32;
#define NAME_OF(slot, kind) n->slot,
    const char *const names[] = { SAE_KERNEL_SLOTS(NAME_OF) };
    return names[i];
}
