/* The FMA peak of one core with 256-bit FMAs (fma_peak_tmpl.c, built with
 * this level's -m flags). Makes sae_fma_peak_avx2. */
#define SAE_TMPL_F64 0
#define SAE_TMPL_ISA avx2
#include "kernels/template.h"
#include "bench/fma_peak.h"

#define REG "ymm"
#define LANES 8
#include "bench/fma_peak_tmpl.c"
