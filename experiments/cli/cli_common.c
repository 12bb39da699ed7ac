#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/resource.h>

#include "core/io/tunefile.h"
#include "kernels/cpu.h"
#include "experiments/cli/cli.h"
#include "sae_config.h"

#if SAE_HAVE_OPENMP
#include <omp.h>
#endif

int sae_cli_error(const char *cmd, int code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "saebench %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    return code;
}

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
            state.status = "ignored (SAE_WISDOM=off or --no-wisdom)";
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

int sae_cli_setup(const char *name, unsigned cmd, const char *usage, int argc, char **argv, SaeRunSpec *s,
                  SaeKernels *k)
{
    char err[512];
    const int pr = sae_options_parse(s, cmd, argc, argv, 2, err, sizeof err);
    if (pr == 1) {
        sae_options_help(cmd, usage);
        return SAE_EXIT_OK;
    }
    if (pr < 0 || sae_cli_kernels(s, k, err, sizeof err))
        return sae_cli_error(name, SAE_EXIT_USAGE, "%s", err);
#if SAE_HAVE_OPENMP
    if (s->threads)
        omp_set_num_threads((int)s->threads);
#endif
    return -1;
}

int sae_check_targets(const SaeConfig *c, const char *source, const SaeData *d, SaeError *e)
{
    if (c->loss != SAE_LOSS_BCE)
        return 0;
    for (size_t i = 0; i < d->rows * d->cols; i++)
        if (d->x[i] < 0 || d->x[i] > 1)
            return sae_fail(e,
                            "%s: row %zu, column %zu: loss bce needs targets in [0, 1], got %g "
                            "(try --scale minmax)",
                            source, i / d->cols + 1, i % d->cols + 1, d->x[i]);
    return 0;
}

SaeRhoStats sae_rho_stats(const double *rhohat, size_t k, double rho)
{
    SaeRhoStats r = { 0, INFINITY, -INFINITY, 0 };
    for (size_t j = 0; j < k; j++) {
        r.mean += rhohat[j];
        r.min = fmin(r.min, rhohat[j]);
        r.max = fmax(r.max, rhohat[j]);
        r.mean_abs_dev += fabs(rhohat[j] - rho);
    }
    r.mean /= (double)k;
    r.mean_abs_dev /= (double)k;
    return r;
}

void sae_report_text(FILE *f, const char *label, size_t m, const SaeTerms *t, SaeRhoStats r)
{
    fprintf(f, "%s (%zu samples): loss %.6g = recon %.6g + l2 %.6g + l1w %.6g + l1a %.6g + kl %.6g + cae %.6g\n", label,
            m, t->loss, t->recon, t->l2, t->l1w, t->l1a, t->kl, t->cae);
    fprintf(f, "%s rho-hat: mean %.4g, min %.4g, max %.4g, mean |rho-hat - rho| %.4g\n", label, r.mean, r.min, r.max,
            r.mean_abs_dev);
}

void sae_report_json(SaeJson *j, const char *key, size_t m, const SaeTerms *t, SaeRhoStats r)
{
    sae_json_object(j, key);
    sae_json_int(j, "samples", (long long)m);
    sae_json_num(j, "loss", t->loss);
    sae_json_num(j, "recon", t->recon);
    sae_json_num(j, "l2", t->l2);
    sae_json_num(j, "l1w", t->l1w);
    sae_json_num(j, "l1a", t->l1a);
    sae_json_num(j, "kl", t->kl);
    sae_json_num(j, "cae", t->cae);
    sae_json_num(j, "rhohat_mean", r.mean);
    sae_json_num(j, "rhohat_min", r.min);
    sae_json_num(j, "rhohat_max", r.max);
    sae_json_num(j, "rhohat_mean_abs_dev", r.mean_abs_dev);
    sae_json_close(j);
}

void sae_report_config_json(SaeJson *j, const SaeConfig *c)
{
    sae_json_object(j, "model");
    sae_json_int(j, "input", (long long)c->n_in);
    sae_json_int(j, "hidden", (long long)c->n_hidden);
    sae_json_str(j, "encoder", sae_act_name(c->encoder));
    sae_json_str(j, "decoder", sae_act_name(c->decoder));
    sae_json_str(j, "loss", sae_loss_name(c->loss));
    sae_json_bool(j, "tied", c->tied);
    sae_json_str(j, "reduction", sae_reduction_name(c->reduction));
    sae_json_num(j, "lambda", c->lambda);
    sae_json_num(j, "l1_weight", c->l1_weight);
    sae_json_num(j, "l1_activity", c->l1_activity);
    sae_json_num(j, "beta", c->beta);
    sae_json_num(j, "rho", c->rho);
    sae_json_num(j, "gamma", c->gamma);
    sae_json_num(j, "kl_eps", c->kl_eps);
    sae_json_str(j, "kl_tanh", sae_kl_tanh_name(c->kl_tanh));
    sae_json_close(j);
}

long long sae_peak_rss_bytes(void)
{
    struct rusage u;
    if (getrusage(RUSAGE_SELF, &u))
        return -1;
    return (long long)u.ru_maxrss * 1024; /* Linux reports KiB */
}
