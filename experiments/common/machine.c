#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>

#include "experiments/common/machine.h"
#include "sae_config.h"

#if SAE_HAVE_OPENMP
#include <omp.h>
#endif

int sae_threads_for_load(int cores, double load)
{
    /* Threads beyond the idle cores wait for a time slice at every parallel
     * region (milliseconds, against microseconds of work). */
    const int idle = cores - (int)(load + 0.5);
    return idle < 1 ? 1 : idle;
}

int sae_cli_default_threads(void)
{
#if SAE_HAVE_OPENMP
    const int max = omp_get_max_threads();
    if (getenv("OMP_NUM_THREADS"))
        return max;
    double load = 0;
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf", &load) != 1)
            load = 0;
        fclose(f);
    }
    return sae_threads_for_load(max, load);
#else
    return 1;
#endif
}

long long sae_peak_rss_bytes(void)
{
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u))
        return -1;
    return (long long)u.ru_maxrss * 1024; /* Linux reports KiB */
}
