#include "bench/fma_peak.h"
#define NAME sae_fma_peak_avx512
#define REG "zmm"
#define LANES 16
#include "bench/fma_peak_tmpl.c"
