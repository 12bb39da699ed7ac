/* Fills the kernel table: the scalar reference in every slot, then the ISA
 * levels the flags allow, lowest first, stopping at the first level the
 * flags lack (dav1d's *_dsp_init pattern). Only the float table has SIMD
 * variants; the double table is the scalar reference (the precision for
 * checks, not for speed). */
#include "core/cpu.h"
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

void sae_kernels_init(SaeKernels *k, unsigned flags)
{
    SAE_KERNEL_SLOTS(FILL_SCALAR)
    k->flags = 0;
#if SAE_HAVE_SIMD
    if (!(flags & SAE_CPU_AVX2))
        return;
    SAE_KERNEL_SLOTS(FILL_AVX2)
    k->flags |= SAE_CPU_AVX2;
    if (!(flags & SAE_CPU_AVX512))
        return;
    SAE_KERNEL_SLOTS(FILL_AVX512)
    k->flags |= SAE_CPU_AVX512;
#else
    (void)flags;
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
