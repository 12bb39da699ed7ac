/* Fills the kernel table: the scalar reference in every slot, then the ISA
 * levels the flags allow, lowest first, stopping at the first level the
 * flags lack (dav1d's *_dsp_init pattern). Only the float table has SIMD
 * variants; the double table is the scalar reference (the precision for
 * checks, not for speed). */
#include "kernels/cpu.h"
#include "kernels/isa.h"
#include "kernels/kernels.h"
#include "kernels/scalar.h"
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

#define FILL_OMP(slot, kind, isa) \
    k->f32.slot = sae_##slot##_omp_##isa; \
    k->name32.slot = "sae_" #slot "_omp_" #isa;
#define FILL_OMP_SCALAR(slot, kind) FILL_OMP(slot, kind, scalar)
#define FILL_OMP_AVX2(slot, kind) FILL_OMP(slot, kind, avx2)
#define FILL_OMP_AVX512(slot, kind) FILL_OMP(slot, kind, avx512)

/* Climbs the ISA levels; returns the highest one filled. */
static unsigned init_isa(SaeKernels *k, unsigned flags)
{
    SAE_KERNEL_SLOTS(FILL_SCALAR)
    k->blocks = (SaeGemmBlocks){ 0 };
#if SAE_HAVE_SIMD
    if (!(flags & SAE_CPU_AVX2))
        return 0;
    SAE_KERNEL_SLOTS(FILL_AVX2)
    k->blocks = sae_gemm_blocks_avx2;
    if (!(flags & SAE_CPU_AVX512))
        return SAE_CPU_AVX2;
    SAE_KERNEL_SLOTS(FILL_AVX512)
    k->blocks = sae_gemm_blocks_avx512;
    return SAE_CPU_AVX2 | SAE_CPU_AVX512;
#else
    (void)flags;
    return 0;
#endif
}

void sae_kernels_init(SaeKernels *k, unsigned flags)
{
    k->flags = init_isa(k, flags);
#if SAE_HAVE_OPENMP
    /* The OpenMP driver on top of the highest level filled. */
    if (!(flags & SAE_CPU_OMP))
        return;
    k->flags |= SAE_CPU_OMP;
#if SAE_HAVE_SIMD
    if (k->flags & SAE_CPU_AVX512) {
        SAE_KERNEL_SLOTS(FILL_OMP_AVX512)
        return;
    }
    if (k->flags & SAE_CPU_AVX2) {
        SAE_KERNEL_SLOTS(FILL_OMP_AVX2)
        return;
    }
#endif
    SAE_KERNEL_SLOTS(FILL_OMP_SCALAR)
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
