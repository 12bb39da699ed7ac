#include "bench/fma_peak.h"
#define NAME sae_fma_peak_avx2
#define REG "ymm"
#define LANES 8
#include "bench/fma_peak_tmpl.c"
