/* checkkernels --bench: each level's GEMM and activations timed against
 * the scalar reference (a quick look; bench/ has the real benchmarks). */
#include <stdio.h>
#include <stdlib.h>

#include "core/clock.h"
#include "tests/checkkernels/checkkernels.h"

static double time_gemm(decl_gemm_fn(float, *f), size_t m, size_t n, size_t k)
{
    float *a = calloc(m * k, 4), *b = calloc(k * n, 4), *c = calloc(m * n, 4);
    fill_uniform(a, m * k, -1, 1);
    fill_uniform(b, k * n, -1, 1);
    f(m, n, k, 1, a, k, b, n, 0, c, n);
    int reps = 0;
    const double t0 = sae_now();
    double t;
    do {
        f(m, n, k, 1, a, k, b, n, 0, c, n);
        reps++;
    } while ((t = sae_now() - t0) < 0.2);
    free(a);
    free(b);
    free(c);
    return t / reps;
}

void bench_level(void)
{
    const SaeKernelsF32 *ref = ck_ref, *k = ck_new;
    const char *level = ck_level;
    static const size_t shapes[][3] = { { 128, 256, 784 }, { 10000, 25, 64 }, { 64, 25, 10000 }, { 512, 512, 512 } };
    for (size_t s = 0; s < 4; s++) {
        const size_t m = shapes[s][0], n = shapes[s][1], kk = shapes[s][2];
        const double tr = time_gemm(ref->gemm_nn, m, n, kk), tk = time_gemm(k->gemm_nn, m, n, kk);
        printf("# bench gemm_nn %zux%zux%zu %s: %.2f GFLOP/s, %.1fx scalar\n", m, n, kk, level,
               2e-9 * (double)(m * n * kk) / tk, tr / tk);
    }
    enum { N = 1 << 16 };
    float *x = malloc(N * 4), *y = malloc(N * 4), *zb = calloc(N, 4);
    fill_act(x, N);
    const char *names[] = { "exp", "sigmoid", "tanh" };
    for (int w = 0; w < 3; w++) {
        double tt[2];
        for (int v = 0; v < 2; v++) {
            const SaeKernelsF32 *kk = v ? k : ref;
            int reps = 0;
            const double t0 = sae_now();
            do {
                if (w == 0)
                    kk->exp(N, x, y);
                else if (w == 1)
                    kk->bias_sigmoid(1, N, zb, y, y);
                else
                    kk->bias_tanh(1, N, zb, y, y);
                reps++;
            } while (sae_now() - t0 < 0.1);
            tt[v] = (sae_now() - t0) / reps;
        }
        printf("# bench %s %d %s: %.2f Gelem/s, %.1fx scalar\n", names[w], N, level, 1e-9 * N / tt[1], tt[0] / tt[1]);
    }
    free(x);
    free(y);
    free(zb);
}
