#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/safe_alloc.h"
#include "core/train.h"
#include "experiments/common/kernels.h"
#include "experiments/common/targets.h"
#include "experiments/report/png.h"
#include "experiments/common/measure.h"
#include "experiments/sweep/run.h"
#include "kernels/cpu.h"
#include "sae_config.h"
#include "sae_revision.h"

#if SAE_HAVE_OPENMP
#include <omp.h>
#endif

/* FNV-1a over "name=value\n" of each setting that differs from the
 * defaults (so an option added later, whose default keeps the old
 * behaviour, leaves the ids of earlier runs unchanged). */
void sae_run_id(const SaeRunSpec *s, char out[17])
{
    SaeRunSpec d;
    sae_run_spec_init(&d);
    d.train.lr = s->train.optimizer == SAE_OPT_SGD ? 0.1 : 1e-3; /* the optimizer's default rate */
    uint64_t h = 1469598103934665603ull;
    char v[512], dv[512];
    for (size_t i = 0; i < sae_option_count(); i++) {
        if (!sae_option_is_setting(i))
            continue;
        sae_option_format(s, i, v, sizeof v);
        sae_option_format(&d, i, dv, sizeof dv);
        if (!strcmp(v, dv))
            continue;
        for (const char *p = sae_option_name(i); *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
        h = (h ^ '=') * 1099511628211ull;
        for (const char *p = v; *p; p++) h = (h ^ (unsigned char)*p) * 1099511628211ull;
        h = (h ^ '\n') * 1099511628211ull;
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

/* A row's run id and its index, sorted by id for lookups. */
typedef struct IdRow {
    const char *id;
    size_t row;
} IdRow;

static int by_run_id(const void *a, const void *b) { return strcmp(((const IdRow *)a)->id, ((const IdRow *)b)->id); }

size_t *sae_sweep_row_index(const SaeSweepConfig *c, const SaeRows *r)
{
    const size_t n = sae_sweep_size(c);
    size_t *at = malloc((n ? n : 1) * sizeof *at);
    IdRow *ids = malloc((r->n_rows ? r->n_rows : 1) * sizeof *ids);
    if (!at || !ids) {
        free(at);
        free(ids);
        return NULL;
    }
    const int col = sae_rows_col(r, "run_id");
    for (size_t i = 0; i < r->n_rows; i++) ids[i] = (IdRow){ r->rows[i][col], i };
    qsort(ids, r->n_rows, sizeof *ids, by_run_id);
    for (size_t idx = 0; idx < n; idx++) {
        SaeRunSpec s;
        SaeError e;
        char id[17];
        at[idx] = SAE_ROW_SKIPPED;
        if (sae_sweep_point(c, idx, &s, NULL, &e))
            continue;
        at[idx] = SAE_ROW_NONE;
        sae_run_id(&s, id);
        const IdRow key = { id, 0 }, *hit = r->n_rows ? bsearch(&key, ids, r->n_rows, sizeof key, by_run_id) : NULL;
        if (hit)
            at[idx] = hit->row;
    }
    free(ids);
    return at;
}

static const char *const data_keys[] = { "data",  "data-dir",     "test-fraction", "offset",  "limit", "memory-budget",
                                         "scale", "label-column", "patch",         "patches", "zca",   "split" };

/* The data of the run with spec s: kept from the run before when its data
 * settings are the same. Patches are sampled once per sweep (data_seed),
 * not once per seed. */
static int data_for(SaeSweepData *dc, const SaeRunSpec *s, uint32_t data_seed, int probe, const SaeKernels *k,
                    SaeError *e)
{
    char sig[2048] = "", v[512];
    for (size_t i = 0; i < sizeof data_keys / sizeof *data_keys; i++) {
        sae_option_format(s, (size_t)sae_option_index(data_keys[i]), v, sizeof v);
        snprintf(sig + strlen(sig), sizeof sig - strlen(sig), "%s=%s;", data_keys[i], v);
    }
    if (dc->loaded && !strcmp(sig, dc->signature))
        return 0;
    if (dc->loaded) {
        sae_data_free(&dc->train);
        sae_data_free(&dc->test);
    }
    dc->loaded = 0;
    SaeDataOpts o = s->data;
    o.seed = data_seed;
    o.f32 = s->train.precision == SAE_PREC_FLOAT;
    if (sae_data_load(s->data_spec, &o, &dc->train, &dc->test, e))
        return -1;
    dc->raw_probe = dc->raw_probe_se = dc->raw_probe_lambda = NAN;
    dc->classes = 0;
    if (probe && dc->train.labels && dc->test.labels && dc->test.rows) {
        dc->classes = dc->train.n_classes > dc->test.n_classes ? dc->train.n_classes : dc->test.n_classes;
        SaeProbeResult pr;
        if (sae_measure_raw_probe(k, &dc->train, &dc->test, dc->classes, &pr) == 0) {
            dc->raw_probe = pr.test_acc;
            dc->raw_probe_se = sae_binomial_se(pr.test_acc, dc->test.rows);
            dc->raw_probe_lambda = pr.lambda;
        }
    }
    snprintf(dc->signature, sizeof dc->signature, "%s", sig);
    dc->loaded = 1;
    return 0;
}

void sae_sweep_free(SaeSweep *sw)
{
    if (!sw->data.loaded)
        return;
    sae_data_free(&sw->data.train);
    sae_data_free(&sw->data.test);
    sw->data.loaded = 0;
}

static void put(SaeRow *row, int col, const char *value)
{
    if (col >= 0)
        snprintf(row->vals[col], sizeof row->vals[col], "%s", value);
}

static void set_col(const SaeSweep *sw, SaeRow *row, const char *name, const char *value)
{
    put(row, sae_rows_col(sw->rows, name), value);
}

/* Never NaN in a table: a non-finite value is an empty field. */
static void set_num(const SaeSweep *sw, SaeRow *row, const char *name, double v)
{
    char b[64] = "";
    if (isfinite(v))
        snprintf(b, sizeof b, "%.9g", v);
    set_col(sw, row, name, b);
}

/* The PNG mosaics of one run, in DIR/runs/<id>/. */
static int write_images(const char *dir, const char *id, const SaeConfig *c, const double *theta, const SaeData *d,
                        const double *xh, SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/runs", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/runs/%s", dir, id);
    return sae_write_run_images(path, c, theta, d, xh, d->rows < 16 ? d->rows : 16, e);
}

static int write_latents(const char *dir, const char *id, const SaeConfig *c, const double *theta, const double *h,
                         size_t m, SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/runs/%s", dir, id);
    return sae_write_latents(path, c, theta, h, m, e);
}

/* The kernel table, the threads, the data and the checked model of the
 * run with spec s. */
static int prepare(SaeSweep *sw, size_t idx, const SaeRunSpec *s, SaeKernels *k, SaeConfig *c, SaeError *e)
{
    char err[256];
    if (sae_cli_kernels(s, k, err, sizeof err))
        return sae_fail(e, "%s", err);
#if SAE_HAVE_OPENMP
    omp_set_num_threads(s->threads ? (int)s->threads : sw->default_threads);
#endif
    const uint32_t data_seed = s->train.seed - (uint32_t)(idx % sae_sweep_replicates(sw->cfg) % sw->cfg->seeds);
    if (data_for(&sw->data, s, data_seed, sw->cfg->probe, k, e))
        return -1;
    *c = s->model;
    c->n_in = sw->data.train.cols;
    if (sae_config_check(c, err, sizeof err))
        return sae_fail(e, "%s", err);
    const char *untrainable = sae_train_problem(c, &s->train);
    if (!untrainable)
        untrainable = sae_stream_problem(&sw->data.train, s->train.optimizer);
    if (untrainable)
        return sae_fail(e, "%s", untrainable);
    if (sae_check_targets(c, s->data_spec, &sw->data.train, e) || sae_check_targets(c, s->data_spec, &sw->data.test, e))
        return -1;
    return 0;
}

/* The settings and how the training went: every setting column, the run
 * id, the optimizer's counts, the kernels, the versions and the timings. */
static void record_training(const SaeSweep *sw, const SaeRunSpec *s, const char *id, const SaeTrainResult *r,
                            const SaeKernels *k, size_t eval_rows, SaeRow *row)
{
    char v[512];
    for (size_t i = 0; i < sae_option_count(); i++) {
        if (!sae_option_is_setting(i))
            continue;
        sae_option_format(s, i, v, sizeof v);
        put(row, sae_rows_setting_col(sw->rows, sae_option_name(i)), v);
    }
    set_col(sw, row, "run_id", id);
    set_col(sw, row, "stop_reason", r->stop_reason ? r->stop_reason : "");
    set_num(sw, row, "epochs_done", r->epochs);
    set_num(sw, row, "iterations", r->iters);
    set_num(sw, row, "fevals", r->fevals);
    set_num(sw, row, "train_dead_frac", r->dead_frac);
    set_num(sw, row, "resampled", r->resampled);
    set_num(sw, row, "eval_rows", (double)eval_rows);
    char isa[160], gemm[160];
    sae_cli_isa_desc(k, s->train.precision, isa, sizeof isa);
    set_col(sw, row, "isa", isa);
    sae_cli_gemm_desc(k, s->train.precision, gemm, sizeof gemm);
    set_col(sw, row, "gemm_kernel", gemm);
    set_col(sw, row, "saebench_version", SAE_VERSION);
    set_col(sw, row, "git_revision", SAE_REVISION);
    set_num(sw, row, "raw_probe_acc", sw->data.raw_probe);
    set_num(sw, row, "raw_probe_acc_se", sw->data.raw_probe_se);
    set_num(sw, row, "raw_probe_lambda", sw->data.raw_probe_lambda);
    set_num(sw, row, "seconds", r->seconds);
    set_num(sw, row, "seconds_per_epoch", r->epochs ? r->seconds / r->epochs : NAN);
    set_num(sw, row, "samples_per_s", r->seconds > 0 ? r->samples / r->seconds : NAN);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    set_col(sw, row, "host", host);
    set_num(sw, row, "rank", sw->rank);
}

/* The measures of a trained model (sae_measure) into its row. */
static void record_measure(const SaeSweep *sw, const SaeMeasure *o, SaeRow *row)
{
    set_col(sw, row, "status", "ok");
    set_num(sw, row, "train_loss", o->train.loss);
    set_num(sw, row, "objective", o->eval.loss);
    set_num(sw, row, "recon", o->eval.recon);
#define SET_TERM(term, weight) \
    set_num(sw, row, #term "_weighted", o->eval.term); \
    set_num(sw, row, #term "_unweighted", o->unweighted.term);
    SAE_PENALTIES(SET_TERM)
#undef SET_TERM
#define SET_METRIC(name) set_num(sw, row, #name, o->m.name);
    SAE_METRIC_FIELDS(SET_METRIC)
#undef SET_METRIC
    set_num(sw, row, "train_recon_per_sample", o->train_recon_per_sample);
    set_num(sw, row, "const_recon", o->const_recon);
    if (o->probed) {
        set_num(sw, row, "probe_acc", o->probe.test_acc);
        set_num(sw, row, "probe_acc_se", o->probe_se);
        set_num(sw, row, "probe_lambda", o->probe.lambda);
        set_num(sw, row, "probe_train_acc", o->probe.train_acc);
    }
}

int sae_sweep_run(SaeSweep *sw, size_t idx, const SaeRunSpec *s0, const char *id, SaeRow *row, int *interrupted,
                  SaeError *e)
{
    SaeRunSpec s = *s0;
    SaeKernels k;
    SaeConfig c;
    if (prepare(sw, idx, &s, &k, &c, e))
        return -1;
    const SaeData *ev = sw->data.test.rows ? &sw->data.test : &sw->data.train;
    SaeLayout L;
    sae_layout(&c, &L);
    double *theta = sae_alloc_array(L.total, sizeof(double));
    if (!theta)
        return sae_fail(e, "out of memory for run %s", id);
    sae_init_params(&c, s.train.seed, theta);
    const SaeSamples samples = sae_samples_of(&sw->data.train, sw->data.train.rows);
    if (sae_init_bdec(&c, &samples, theta)) {
        free(theta);
        return sae_fail(e, "out of memory for run %s's bdec-init", id);
    }
    sw->prog->unit = s.train.optimizer == SAE_OPT_LBFGS ? "iter" : "epoch";
    s.train.progress = sae_progress_update;
    s.train.progress_ctx = sw->prog;
    s.train.stop = sw->stop;
    SaeTrainResult r;
    const int trc = sae_train_samples(&c, &s.train, &k, &samples, theta, &r);
    if (c.batch_topk) /* measured as it would be used: per sample, at the learned threshold */
        c.threshold = r.threshold;
    int rc = 0;
    if (trc == SAE_TRAIN_NO_MEMORY) {
        rc = sae_fail(e, "out of memory training run %s", id);
    } else if (r.interrupted) {
        *interrupted = 1;
    } else {
        record_training(sw, &s, id, &r, &k, ev->rows, row);
        SaeMeasure o;
        const int mrc = trc == SAE_TRAIN_DIVERGED
                            ? SAE_MEASURE_DIVERGED
                            : sae_measure(&c, s.train.precision, &k, theta, &sw->data.train, ev, sw->data.classes, &o);
        if (mrc == SAE_MEASURE_NO_MEMORY) {
            rc = sae_fail(e, "out of memory measuring run %s", id);
        } else if (mrc == SAE_MEASURE_DIVERGED) {
            set_col(sw, row, "status", "diverged");
        } else {
            record_measure(sw, &o, row);
            if (sw->cfg->images)
                rc = write_images(sw->dir, id, &c, theta, ev, o.xh, e);
            if (!rc && sw->cfg->images) /* the per-run files: the latent table beside the images */
                rc = write_latents(sw->dir, id, &c, theta, o.h, ev->rows, e);
            sae_measure_free(&o);
        }
    }
    free(theta);
    return rc;
}
