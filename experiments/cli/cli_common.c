#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    omp_set_num_threads(s->threads ? (int)s->threads : sae_cli_default_threads());
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

void sae_report_text(FILE *f, const char *label, size_t m, const SaeTerms *t, const SaeTerms *u, SaeRhoStats r)
{
    fprintf(f, "%s (%zu samples): loss %.6g = recon %.6g", label, m, t->loss, t->recon);
#define TERM_TEXT(term, weight) fprintf(f, " + " #term " %.6g", t->term);
    SAE_PENALTIES(TERM_TEXT)
#undef TERM_TEXT
    fprintf(f, "\n%s unweighted penalties (each at weight 1):", label);
#define UNIT_TEXT(term, weight) fprintf(f, " " #term " %.6g", u->term);
    SAE_PENALTIES(UNIT_TEXT)
#undef UNIT_TEXT
    fprintf(f, "\n%s rho-hat: mean %.4g, min %.4g, max %.4g, mean |rho-hat - rho| %.4g\n", label, r.mean, r.min, r.max,
            r.mean_abs_dev);
}

void sae_report_json(SaeJson *j, const char *key, size_t m, const SaeTerms *t, const SaeTerms *u, SaeRhoStats r)
{
    sae_json_object(j, key);
    sae_json_int(j, "samples", (long long)m);
    sae_json_num(j, "loss", t->loss);
    sae_json_num(j, "recon", t->recon);
#define TERM_JSON(term, weight) \
    sae_json_num(j, #term "_weighted", t->term); \
    sae_json_num(j, #term "_unweighted", u->term);
    SAE_PENALTIES(TERM_JSON)
#undef TERM_JSON
    sae_json_num(j, "rhohat_mean", r.mean);
    sae_json_num(j, "rhohat_min", r.min);
    sae_json_num(j, "rhohat_max", r.max);
    sae_json_num(j, "rhohat_mean_abs_dev", r.mean_abs_dev);
    sae_json_close(j);
}

void sae_report_measure_text(FILE *f, const char *label, const SaeMeasure *o, const SaeProbeResult *raw)
{
    fprintf(f, "%s metrics:", label);
#define METRIC_TEXT(name) fprintf(f, " " #name " %.6g", o->m.name);
    SAE_METRIC_FIELDS(METRIC_TEXT)
#undef METRIC_TEXT
    fprintf(f, "\nbaselines: constant output recon_per_sample %.6g; training rows recon_per_sample %.6g\n",
            o->const_recon, o->train_recon_per_sample);
    if (o->probed)
        fprintf(f, "probe: accuracy %.4f (binomial SE %.4f, lambda %.3g); raw-input probe %.4f (lambda %.3g)\n",
                o->probe.test_acc, o->probe_se, o->probe.lambda, raw->test_acc, raw->lambda);
}

void sae_report_measure_json(SaeJson *j, const char *key, const SaeMeasure *o, const SaeProbeResult *raw)
{
    sae_json_object(j, key);
#define METRIC_JSON(name) sae_json_num(j, #name, o->m.name);
    SAE_METRIC_FIELDS(METRIC_JSON)
#undef METRIC_JSON
    sae_json_num(j, "train_recon_per_sample", o->train_recon_per_sample);
    sae_json_num(j, "const_recon", o->const_recon);
    if (o->probed) {
        sae_json_num(j, "probe_acc", o->probe.test_acc);
        sae_json_num(j, "probe_acc_se", o->probe_se);
        sae_json_num(j, "probe_lambda", o->probe.lambda);
        sae_json_num(j, "probe_train_acc", o->probe.train_acc);
        sae_json_num(j, "raw_probe_acc", raw->test_acc);
        sae_json_num(j, "raw_probe_lambda", raw->lambda);
    }
    sae_json_close(j);
}

const char *sae_cli_encoder_desc(const SaeConfig *c)
{
    static char buf[64];
    if (c->topk)
        snprintf(buf, sizeof buf, "%stop-%zu %s", c->batch_topk ? "batch-" : "", c->topk, sae_act_name(c->encoder));
    else
        snprintf(buf, sizeof buf, "%s", sae_act_name(c->encoder));
    return buf;
}

void sae_report_config_json(SaeJson *j, const SaeConfig *c)
{
    sae_json_object(j, "model");
    sae_json_int(j, "input", (long long)c->n_in);
    sae_json_int(j, "hidden", (long long)c->n_hidden);
    sae_json_int(j, "k", (long long)c->topk);
    sae_json_bool(j, "batch_topk", c->batch_topk);
    if (c->aux_k) {
        sae_json_int(j, "aux_k", (long long)c->aux_k);
        sae_json_num(j, "aux_weight", c->aux_weight);
    }
    if (c->batch_topk)
        sae_json_num(j, "threshold", c->threshold);
    sae_json_str(j, "encoder", sae_act_name(c->encoder));
    sae_json_str(j, "decoder", sae_act_name(c->decoder));
    sae_json_str(j, "loss", sae_loss_name(c->loss));
    sae_json_bool(j, "tied", c->tied);
    sae_json_bool(j, "pre_bias", c->pre_bias);
    sae_json_bool(j, "unit_norm", c->unit_norm);
    sae_json_bool(j, "init_transpose", c->init_transpose);
    sae_json_str(j, "bdec_init", sae_bdec_init_name(c->bdec_init));
    sae_json_str(j, "reduction", sae_reduction_name(c->reduction));
    sae_json_num(j, "lambda", c->lambda);
    sae_json_num(j, "l1_weight", c->l1_weight);
    sae_json_num(j, "l1_activity", c->l1_activity);
    sae_json_bool(j, "l1_dec_norm", c->l1_dec_norm);
    sae_json_num(j, "beta", c->beta);
    sae_json_num(j, "rho", c->rho);
    sae_json_num(j, "gamma", c->gamma);
    if (c->encoder == SAE_ACT_JUMPRELU || c->l0_penalty != 0) {
        sae_json_num(j, "l0_penalty", c->l0_penalty);
        sae_json_num(j, "bandwidth", c->bandwidth);
        sae_json_num(j, "jump_init", c->jump_init);
    }
    sae_json_num(j, "kl_eps", c->kl_eps);
    sae_json_str(j, "kl_tanh", sae_kl_tanh_name(c->kl_tanh));
    sae_json_close(j);
}

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
