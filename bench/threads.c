/* The thread count the OpenMP variants run with. */
#include "bench/peers.h"
#include "sae_config.h"
#if SAE_HAVE_OPENMP
#include <omp.h>
int sae_bench_threads(void) { return omp_get_max_threads(); }
#else
int sae_bench_threads(void) { return 1; }
#endif
