/* The FMA peak of one core with 512-bit FMAs (fma_peak_tmpl.c, built with
 * this level's -m flags). Makes sae_fma_peak_avx512. */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA avx512
#include "kernels/template.h"
#include "bench/fma_peak.h"

#define REG "zmm"
#define LANES 16
#include "bench/fma_peak_tmpl.c"
