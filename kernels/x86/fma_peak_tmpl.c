/* The FMA peak of one core at a level (GFLOP/s over about `seconds`),
 * for the start-up probe and the benchmarks' "% of peak": 24 independent
 * register-only FMAs per loop trip into 12 accumulators, written in
 * assembly so that the compiler can neither merge nor reorder them
 * (intrinsics chains were merged or latency-bound in practice). A template
 * (kernels/template.h): the instance also defines REG ("ymm" or "zmm")
 * and LANES (8 or 16). */
#include <time.h>

/* The thread's CPU time, not the wall clock: time the thread spends
 * descheduled (other processes on a busy machine) must not read as a
 * slower core. Under load the wall clock made the start-up probe take
 * 512-bit FMAs for half rate now and then, and so another GEMM tile. */
static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

#define FMA(d) "vfmadd231ps %%" REG "12, %%" REG "13, %%" REG #d "\n\t"
#define FMA12 FMA(0) FMA(1) FMA(2) FMA(3) FMA(4) FMA(5) FMA(6) FMA(7) FMA(8) FMA(9) FMA(10) FMA(11)

double KN(fma_peak)(double seconds)
{
    const long trips = 1 << 12; /* about 20 us a batch: a probe can be short */
    long total = 0;
    const double t0 = now();
    double t;
    do {
        __asm__ volatile("vxorps %%xmm12, %%xmm12, %%xmm12\n\t"
                         "vxorps %%xmm13, %%xmm13, %%xmm13\n\t"
                         "mov %0, %%rcx\n\t"
                         "1:\n\t" FMA12 FMA12 "dec %%rcx\n\t"
                         "jnz 1b\n\t"
                         :
                         : "r"(trips)
                         : "rcx", "xmm0", "xmm1", "xmm2", "xmm3", "xmm4", "xmm5", "xmm6", "xmm7", "xmm8", "xmm9",
                           "xmm10", "xmm11", "xmm12", "xmm13", "cc");
        total += trips;
    } while ((t = now() - t0) < seconds);
    return (double)total * 24 * 2 * LANES / t * 1e-9;
}
