/* The scalar reference kernels, one per slot and element type:
 * sae_<slot>_scalar_f32 and sae_<slot>_scalar_f64. Semantics: kernels.h. */
#ifndef SAE_KERNELS_SCALAR_H
#define SAE_KERNELS_SCALAR_H

#include "kernels/kernels.h"

#define SAE_DECL_SCALAR_F32(slot, kind) decl_##kind##_fn(float, sae_##slot##_scalar_f32);
#define SAE_DECL_SCALAR_F64(slot, kind) decl_##kind##_fn(double, sae_##slot##_scalar_f64);
SAE_KERNEL_SLOTS(SAE_DECL_SCALAR_F32)
SAE_KERNEL_SLOTS(SAE_DECL_SCALAR_F64)

#endif
