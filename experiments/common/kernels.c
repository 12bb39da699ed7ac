#include <stdio.h>
#include <string.h>

#include "core/io/tunefile.h"
#include "experiments/common/kernels.h"
#include "kernels/cpu.h"

const SaeTuning *sae_cli_tuning(SaeTuneState *st)
{
    static SaeTuning t;
    static SaeTuneState state;
    static int done;
    if (!done) { /* once per process: a sweep builds a table per run, and warns once */
        done = 1;
        sae_tuning_probe(&t, sae_cpu_detect());
        SaeError e = { { 0 } };
        if (!sae_tunefile_enabled())
            state.status = "ignored (SAE_TUNE_FILE=off or --no-tune-file)";
        else if (sae_tunefile_path(state.path, sizeof state.path, &e))
            state.status = "none (no cache directory)";
        else {
            const int rc = sae_tunefile_load(state.path, &t, &e);
            state.status = rc > 0 ? "read" : rc == 0 ? "none (saebench tune writes it)" : "ignored (stale or corrupt)";
            if (rc < 0)
                fprintf(stderr, "saebench: warning: %s; using the probe's choice\n", e.msg);
        }
    }
    if (st)
        *st = state;
    return &t;
}

int sae_cli_kernels(const SaeRunSpec *s, SaeKernels *k, char *err, size_t errlen)
{
    unsigned env;
    if (sae_cpu_mask_env(&env)) {
        snprintf(err, errlen, "SAE_CPU_MASK must be one of scalar|avx2|avx512|all");
        return -1;
    }
    sae_kernels_init_tuned(k, sae_cpu_detect() & env & s->cpumask, sae_cli_tuning(NULL));
    return 0;
}

/* "avx512", "avx2", "omp" or "scalar": the level a slot's function is from. */
static const char *level_of(const char *fn)
{
    return strstr(fn, "_omp") ? "omp" : strstr(fn, "avx512") ? "avx512" : strstr(fn, "avx2") ? "avx2" : "scalar";
}

void sae_cli_isa_desc(const SaeKernels *k, SaePrecision p, char *buf, size_t len)
{
    if (p == SAE_PREC_FLOAT)
        snprintf(buf, len, "%s", sae_cpu_level_name(k->flags));
    else
        snprintf(buf, len, "double: gemm %s, dot/axpy %s, element-wise scalar", level_of(k->name64.gemm_nn),
                 level_of(k->name64.dot));
}

void sae_cli_gemm_desc(const SaeKernels *k, SaePrecision p, char *buf, size_t len)
{
    if (p == SAE_PREC_DOUBLE) {
        snprintf(buf, len, "%s", k->name64.gemm_nn);
        return;
    }
    const SaeGemmBlocks *b = &k->blocks;
    if (!b->mr) {
        snprintf(buf, len, "%s", k->name32.gemm_nn);
        return;
    }
    snprintf(buf, len, "%s %s kc=%d mc=%d nc=%d", k->name32.gemm_nn, k->gemm_tile, b->kc, b->mc, b->nc);
}
