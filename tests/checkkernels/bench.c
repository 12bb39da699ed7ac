/* checkkernels --bench: every function a level brings, family by family,
 * timed against the scalar reference on one shape (checkasm's bench_new;
 * bench/ has the real benchmarks, with the peers and the FMA peak). */
#include <stdio.h>
#include <string.h>

#include "bench/slots.h"
#include "core/clock.h"
#include "tests/checkkernels/checkkernels.h"

/* The shape: a batch of 256 rows of 1024 (784 -> 1024-like layers), 32 kept
 * units a row for the sparse family. */
enum { BENCH_M = 256, BENCH_N = 1024, BENCH_K = 32 };

/* Seconds per call of slot i of k, over at least 0.05 s. */
static double time_slot(const SaeKernelsF32 *k, size_t i, const SaeSlotArgs *s)
{
    sae_slot_call(k, i, s); /* the first call pays for page faults and caches */
    int reps = 0;
    const double t0 = sae_now();
    double t;
    do {
        sae_slot_call(k, i, s);
        reps++;
    } while ((t = sae_now() - t0) < 0.05);
    return t / reps;
}

void bench_family(const char *family)
{
    static SaeSlotArgs s;
    if (!s.a && sae_slot_args_init(&s, BENCH_M, BENCH_N, BENCH_K)) {
        printf("# bench: out of memory\n");
        return;
    }
    const unsigned fp = sae_slot_flush_denormals();
    for (size_t i = 0; i < sae_kernel_slot_count(); i++) {
        if (strcmp(sae_slot_family(i), family) || !check_ran(i))
            continue;
        const double tr = time_slot(ck_ref, i, &s), tn = time_slot(ck_new, i, &s);
        const double work = sae_slot_work(i, &s);
        printf("# bench %-18s %-7s %8.2f %s, %6.1fx scalar\n", sae_kernel_slot_name(i), ck_level, 1e-9 * work / tn,
               sae_slot_counts_flops(i) ? "GFLOP/s" : "Gelem/s", tr / tn);
        fflush(stdout);
    }
    sae_slot_restore_fp(fp); /* the next family's checks see denormals */
}
