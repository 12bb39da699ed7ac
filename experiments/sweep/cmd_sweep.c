/* `saebench sweep`: train every point of a hyperparameter grid, measure it
 * on held-out data, append each finished run to the result files, and
 * rebuild the report (summary.md, plots). Resumable; Ctrl-C keeps every
 * finished run. */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kernels/cpu.h"
#include "core/io/fileio.h"
#include "core/metrics.h"
#include "core/probe.h"
#include "core/train.h"
#include "experiments/cli/cli.h"
#include "experiments/report/png.h"
#include "experiments/cli/progress.h"
#include "experiments/sweep/results.h"
#include "experiments/sweep/sweep_config.h"
#include "sae_config.h"
#include "sae_revision.h"

#if SAE_HAVE_OPENMP
#include <omp.h>
#endif

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    interrupted = 1;
    signal(sig, SIG_DFL); /* a second Ctrl-C ends at once; the files stay valid */
}

static const char usage[] =
    "usage: saebench sweep CONFIG.ini [--set key=v1,v2,...]... [--seeds N] [--out DIR] [--resume]\n"
    "                      [--cpumask LEVEL] [--threads N] [--dry-run]\n"
    "Trains every point of the grid in CONFIG.ini ([base]: train options; [sweep]: axes as\n"
    "comma lists, logspace(a,b,n) or linspace(a,b,n)) times the seeds, and writes DIR\n"
    "(default results/<config name>): results.csv, results.jsonl, summary.md, SVG plots,\n"
    "runs/<run id>/*.png for image data, sweep.ini and grid.tsv (the resolved grid).\n"
    "--resume skips the runs already in DIR/results.csv. Ctrl-C keeps every finished run.\n"
    "--dry-run prints the resolved grid (index, run id, axis values, seed) and runs nothing.";

/* The run id: FNV-1a over the resolved settings that differ from the
 * defaults (so an option added later, whose default keeps the old
 * behaviour, leaves the ids of earlier runs unchanged). */
static void run_id(const SaeRunSpec *s, char out[17])
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

/* The data of the current runs, reloaded only when a data setting changes;
 * the raw-input probe is its baseline. */
typedef struct DataCache {
    char signature[2048];
    SaeData train, test;
    int classes;     /* > 0 when the probe runs: labels on both splits */
    double raw_probe;
    int loaded;
} DataCache;

static const char *const data_keys[] = { "data", "data-dir", "test-fraction", "limit", "scale", "label-column",
                                         "patch", "patches", "zca" };

static int data_for(DataCache *dc, const SaeRunSpec *s, uint32_t data_seed, int probe, const SaeKernels *k,
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
    o.seed = data_seed; /* patches are sampled once per sweep, not per seed */
    if (sae_data_load(s->data_spec, &o, &dc->train, &dc->test, e))
        return -1;
    dc->raw_probe = NAN;
    dc->classes = 0;
    if (probe && dc->train.labels && dc->test.labels && dc->test.rows) {
        dc->classes = dc->train.n_classes > dc->test.n_classes ? dc->train.n_classes : dc->test.n_classes;
        SaeProbeResult pr;
        if (sae_probe(k, dc->train.x, dc->train.labels, dc->train.rows, dc->test.x, dc->test.labels,
                      dc->test.rows, dc->train.cols, dc->classes, 1e-4, 400, &pr) == 0)
            dc->raw_probe = pr.test_acc;
    }
    snprintf(dc->signature, sizeof dc->signature, "%s", sig);
    dc->loaded = 1;
    return 0;
}

/* The progress of the sweep: one line on a terminal, log lines otherwise. */
typedef struct SweepProgress {
    int tty;
    size_t i, n, done_before;
    double start, run_start, last_draw;
    char label[256];
} SweepProgress;

static void sweep_progress(void *ctx, unsigned done, unsigned total, double loss)
{
    SweepProgress *p = ctx;
    if (!p->tty)
        return;
    const double now = sae_now();
    if (now - p->last_draw < 0.1 && done < total)
        return;
    p->last_draw = now;
    const double frac = ((double)(p->i - p->done_before) + (double)done / (double)total) /
                        (double)(p->n - p->done_before);
    const double eta = frac > 0 ? (now - p->start) * (1 - frac) / frac : 0;
    fprintf(stderr, "\r\033[K[run %zu/%zu] %s | %u/%u loss %.5g | sweep ETA %.0fs", p->i + 1, p->n, p->label, done,
            total, loss, eta);
    fflush(stderr);
}

static void fmt(char *buf, size_t len, double v)
{
    if (isfinite(v)) snprintf(buf, len, "%.9g", v);
    else buf[0] = 0; /* never NaN in a table: an empty field */
}

/* The values of one run's row, in column order. */
enum { MAX_COLS = 128 };
typedef struct Row {
    char vals[MAX_COLS][600];
} Row;

static void set_col(const SaeRows *r, Row *row, const char *name, const char *value)
{
    const int c = sae_rows_col(r, name);
    if (c >= 0) snprintf(row->vals[c], sizeof row->vals[c], "%s", value);
}

static void set_num(const SaeRows *r, Row *row, const char *name, double v)
{
    char b[64];
    fmt(b, sizeof b, v);
    set_col(r, row, name, b);
}

/* The PNG mosaics of one run: filters (rows of W1) and reconstructions. */
static int write_images(const char *dir, const char *id, const SaeConfig *c, const double *theta,
                        const SaeData *d, const double *xh, SaeError *e)
{
    if (!d->img_w || d->img_w * d->img_h != c->n_in)
        return 0;
    char path[8192];
    snprintf(path, sizeof path, "%s/runs", dir);
    mkdir(path, 0755);
    snprintf(path, sizeof path, "%s/runs/%s", dir, id);
    mkdir(path, 0755);
    unsigned char *img;
    size_t w, h;
    if (sae_mosaic_filters(theta, c->n_hidden, d->img_h, d->img_w, &img, &w, &h))
        return sae_fail(e, "out of memory for the filter mosaic");
    snprintf(path, sizeof path, "%s/runs/%s/filters.png", dir, id);
    int rc = sae_png_write_gray(path, w, h, img, e);
    free(img);
    const size_t count = d->rows < 16 ? d->rows : 16;
    if (!rc && !sae_mosaic_pairs(d->x, xh, count, d->img_h, d->img_w, &img, &w, &h)) {
        snprintf(path, sizeof path, "%s/runs/%s/reconstructions.png", dir, id);
        rc = sae_png_write_gray(path, w, h, img, e);
        free(img);
    }
    return rc;
}

typedef struct RunOut {
    int interrupted;
} RunOut;

/* Trains and measures one grid point; fills row. Returns 0, or -1 with e
 * set for an error that ends the sweep (bad data). */
static int run_point(const SaeSweepConfig *cfg, const char *dir, const SaeRunSpec *s0, const char *id,
                     DataCache *dc, uint32_t data_seed, int default_threads, SweepProgress *prog,
                     const SaeRows *rows, Row *row, RunOut *out, SaeError *e)
{
    SaeRunSpec s = *s0;
    SaeKernels k;
    char err[256];
    if (sae_cli_kernels(&s, &k, err, sizeof err))
        return sae_fail(e, "%s", err);
#if SAE_HAVE_OPENMP
    omp_set_num_threads(s.threads ? (int)s.threads : default_threads);
#else
    (void)default_threads;
#endif
    if (data_for(dc, &s, data_seed, cfg->probe, &k, e))
        return -1;
    SaeConfig c = s.model;
    c.n_in = dc->train.cols;
    if (sae_config_check(&c, err, sizeof err))
        return sae_fail(e, "%s", err);
    if (sae_check_targets(&c, s.data_spec, &dc->train, e) || sae_check_targets(&c, s.data_spec, &dc->test, e))
        return -1;
    const SaeData *ev = dc->test.rows ? &dc->test : &dc->train;
    SaeLayout L;
    sae_layout(&c, &L);
    double *theta = malloc(L.total * sizeof(double));
    double *h = malloc(ev->rows * c.n_hidden * sizeof(double)), *xh = malloc(ev->rows * c.n_in * sizeof(double));
    double *rhohat = malloc(c.n_hidden * sizeof(double));
    double *htr = NULL;
    int rc = 0;
    if (!theta || !h || !xh || !rhohat) {
        rc = sae_fail(e, "out of memory for run %s", id);
        goto done;
    }
    sae_init_params(&c, s.train.seed, theta);
    s.train.progress = sweep_progress;
    s.train.progress_ctx = prog;
    s.train.stop = &interrupted;
    SaeTrainResult r;
    const int trc = sae_train(&c, &s.train, &k, dc->train.x, dc->train.rows, theta, &r);
    if (trc == SAE_TRAIN_NO_MEMORY) {
        rc = sae_fail(e, "out of memory training run %s", id);
        goto done;
    }
    if (r.interrupted) {
        out->interrupted = 1;
        goto done;
    }
    char v[512];
    for (size_t i = 0; i < sae_option_count(); i++) {
        if (!sae_option_is_setting(i)) continue;
        sae_option_format(&s, i, v, sizeof v);
        char name[64];
        snprintf(name, sizeof name, "%s", sae_option_name(i));
        for (char *p = name; *p; p++)
            if (*p == '-') *p = '_';
        set_col(rows, row, name, v);
    }
    set_col(rows, row, "run_id", id);
    set_col(rows, row, "stop_reason", r.stop_reason ? r.stop_reason : "");
    set_num(rows, row, "epochs_done", r.epochs);
    set_num(rows, row, "iterations", r.iters);
    set_num(rows, row, "fevals", r.fevals);
    set_num(rows, row, "eval_rows", (double)ev->rows);
    set_col(rows, row, "isa", sae_cpu_level_name(k.flags));
    set_col(rows, row, "gemm_kernel", k.name32.gemm_nn);
    set_col(rows, row, "saebench_version", SAE_VERSION);
    set_col(rows, row, "git_revision", SAE_REVISION);
    set_num(rows, row, "raw_probe_acc", dc->raw_probe);
    set_num(rows, row, "seconds", r.seconds);
    set_num(rows, row, "seconds_per_epoch", r.epochs ? r.seconds / r.epochs : NAN);
    set_num(rows, row, "samples_per_s", r.seconds > 0 ? r.samples / r.seconds : NAN);
    /* one pass over the training rows: their objective, and their code for the probe */
    if (dc->classes && !(htr = malloc(dc->train.rows * c.n_hidden * sizeof(double)))) {
        rc = sae_fail(e, "out of memory for the probe of run %s", id);
        goto done;
    }
    SaeTerms t, ttr;
    if (trc == SAE_TRAIN_DIVERGED ||
        sae_evaluate_full(&c, s.train.precision, &k, theta, ev->x, ev->rows, &t, NULL, rhohat, h, xh) ||
        !isfinite(t.loss) ||
        sae_evaluate_full(&c, s.train.precision, &k, theta, dc->train.x, dc->train.rows, &ttr, NULL, NULL, htr,
                          NULL) ||
        !isfinite(ttr.loss)) {
        set_col(rows, row, "status", "diverged"); /* recorded; the metrics stay empty */
        goto done;
    }
    set_col(rows, row, "status", "ok");
    set_num(rows, row, "train_loss", ttr.loss);
    const double terms[] = { t.loss, t.recon, t.l2, t.l1w, t.l1a, t.kl, t.cae };
    const char *const tnames[] = { "objective", "recon", "l2", "l1w", "l1a", "kl", "cae" };
    for (int i = 0; i < 7; i++) set_num(rows, row, tnames[i], terms[i]);
    SaeMetrics m;
    sae_metrics(&c, theta, ev->x, h, xh, ev->rows, &m);
#define SET_METRIC(name) set_num(rows, row, #name, m.name);
    SAE_METRIC_FIELDS(SET_METRIC)
#undef SET_METRIC
    SaeProbeResult pr;
    if (dc->classes && !sae_probe(&k, htr, dc->train.labels, dc->train.rows, h, dc->test.labels, dc->test.rows,
                                  c.n_hidden, dc->classes, 1e-4, 400, &pr)) {
        set_num(rows, row, "probe_acc", pr.test_acc);
        set_num(rows, row, "probe_train_acc", pr.train_acc);
    }
    if (cfg->images)
        rc = write_images(dir, id, &c, theta, ev, xh, e);
done:
    free(theta);
    free(h);
    free(xh);
    free(rhohat);
    free(htr);
    return rc;
}

static int mkdirs(const char *path)
{
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s", path);
    for (char *p = tmp + 1; *p; p++)
        if (*p == '/') {
            *p = 0;
            if (mkdir(tmp, 0755) && errno != EEXIST) return -1;
            *p = '/';
        }
    return mkdir(tmp, 0755) && errno != EEXIST ? -1 : 0;
}

/* Every run of the grid, resolved: index, run id, axis values, seed. */
static int print_grid(FILE *f, const SaeSweepConfig *c, size_t n, SaeError *e)
{
    fputs("index\trun_id", f);
    for (size_t a = 0; a < c->n_axes; a++) fprintf(f, "\t%s", c->axes[a].key);
    fputs("\tseed\n", f);
    for (size_t i = 0; i < n; i++) {
        SaeRunSpec s;
        if (sae_sweep_point(c, i, &s, e))
            return -1;
        char id[17], v[512];
        run_id(&s, id);
        fprintf(f, "%zu\t%s", i, id);
        for (size_t a = 0; a < c->n_axes; a++) {
            sae_option_format(&s, (size_t)sae_option_index(c->axes[a].key), v, sizeof v);
            fprintf(f, "\t%s", v);
        }
        fprintf(f, "\t%u\n", s.train.seed);
    }
    return 0;
}

/* sweep.ini (the file as given) and grid.tsv (every run, resolved). */
static int write_grid(const char *dir, const char *config_path, const SaeSweepConfig *c, size_t n, SaeError *e)
{
    unsigned char *buf;
    size_t len;
    if (sae_read_file(config_path, &buf, &len, e))
        return -1;
    char path[8192];
    snprintf(path, sizeof path, "%s/sweep.ini", dir);
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e)) {
        free(buf);
        return -1;
    }
    fwrite(buf, 1, len, af.f);
    free(buf);
    if (sae_atomic_commit(&af, e))
        return -1;
    snprintf(path, sizeof path, "%s/grid.tsv", dir);
    if (sae_atomic_open(&af, path, e))
        return -1;
    if (print_grid(af.f, c, n, e)) {
        sae_atomic_abort(&af);
        return -1;
    }
    return sae_atomic_commit(&af, e);
}

int sae_cmd_sweep(int argc, char **argv)
{
    if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        puts(usage);
        return SAE_EXIT_OK;
    }
    if (argc < 3 || !strncmp(argv[2], "--", 2))
        return sae_cli_error("sweep", SAE_EXIT_USAGE, "expected a sweep file first (see --help)");
    const char *config_path = argv[2];
    SaeSweepConfig *cfg = calloc(1, sizeof *cfg);
    SaeError e;
    if (!cfg)
        return sae_cli_error("sweep", SAE_EXIT_INPUT, "out of memory");
    int code = SAE_EXIT_OK;
    if (sae_sweep_config_read(config_path, cfg, &e)) { /* unreadable: bad input; malformed: usage */
        code = sae_cli_error("sweep", access(config_path, R_OK) ? SAE_EXIT_INPUT : SAE_EXIT_USAGE, "%s", e.msg);
        goto out_cfg;
    }
    const char *out_dir = NULL;
    int resume = 0, dry_run = 0;
    for (int a = 3; a < argc; a++) {
        const char *arg = argv[a], *val = a + 1 < argc ? argv[a + 1] : NULL;
        int rc = 0;
        if (!strcmp(arg, "--resume")) { resume = 1; continue; }
        if (!strcmp(arg, "--dry-run")) { dry_run = 1; continue; }
        if (!strcmp(arg, "--help")) { puts(usage); goto out_cfg; }
        if (!val || (strcmp(arg, "--set") && strcmp(arg, "--seeds") && strcmp(arg, "--out") &&
                     strcmp(arg, "--cpumask") && strcmp(arg, "--threads"))) {
            code = sae_cli_error("sweep", SAE_EXIT_USAGE, val ? "unknown option %s (see --help)" : "%s expects a value",
                                 arg);
            goto out_cfg;
        }
        a++;
        if (!strcmp(arg, "--set")) rc = sae_sweep_config_set(cfg, val, &e);
        else if (!strcmp(arg, "--out")) out_dir = val;
        else if (!strcmp(arg, "--seeds")) rc = sae_sweep_config_base(cfg, "seeds", val, "--seeds", &e);
        else rc = sae_sweep_config_base(cfg, arg + 2, val, arg, &e);
        if (rc) {
            code = sae_cli_error("sweep", SAE_EXIT_USAGE, "%s", e.msg);
            goto out_cfg;
        }
    }
    const size_t n = sae_sweep_size(cfg);
    if (n == 0) {
        code = sae_cli_error("sweep", SAE_EXIT_USAGE, "%s: the grid has more than a million runs", config_path);
        goto out_cfg;
    }
    /* every point is checked before anything runs */
    for (size_t i = 0; i < n; i++) {
        SaeRunSpec s;
        char err[256];
        if (sae_sweep_point(cfg, i, &s, &e)) {
            code = sae_cli_error("sweep", SAE_EXIT_USAGE, "%s", e.msg);
            goto out_cfg;
        }
        SaeConfig c = s.model;
        c.n_in = 1; /* known once the data is loaded */
        if (sae_config_check(&c, err, sizeof err)) {
            code = sae_cli_error("sweep", SAE_EXIT_USAGE, "%s: grid point %zu: %s", config_path, i + 1, err);
            goto out_cfg;
        }
    }
    if (dry_run) { /* the resolved grid, nothing run or written */
        if (print_grid(stdout, cfg, n, &e))
            code = sae_cli_error("sweep", SAE_EXIT_USAGE, "%s", e.msg);
        goto out_cfg;
    }
    char dir[4096];
    if (out_dir) {
        snprintf(dir, sizeof dir, "%s", out_dir);
    } else {
        const char *base = strrchr(config_path, '/') ? strrchr(config_path, '/') + 1 : config_path;
        snprintf(dir, sizeof dir, "results/%.*s", (int)(strcspn(base, ".")), base);
    }
    char csv[4200];
    snprintf(csv, sizeof csv, "%s/results.csv", dir);
    if (!resume && access(csv, F_OK) == 0) {
        code = sae_cli_error("sweep", SAE_EXIT_USAGE, "%s exists: add --resume to continue that sweep, or choose "
                                                      "another --out", csv);
        goto out_cfg;
    }
    if (mkdirs(dir)) {
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "%s: cannot create the folder: %s", dir, strerror(errno));
        goto out_cfg;
    }
    SaeRows rows;
    sae_rows_init(&rows);
    DataCache dc = { 0 };
    Row *row = malloc(sizeof *row);
    if (!row || sae_rows_load(csv, &rows, &e) || (resume && sae_rows_rewrite_jsonl(dir, &rows, &e)) ||
        write_grid(dir, config_path, cfg, n, &e)) {
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", row ? e.msg : "out of memory");
        goto out_rows;
    }
    if (rows.n_cols > MAX_COLS) { /* the option table grew past the row buffer */
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "internal: %zu result columns", rows.n_cols);
        goto out_rows;
    }
    const int id_col = sae_rows_col(&rows, "run_id");
    SweepProgress prog = { .tty = isatty(fileno(stderr)), .n = n, .start = sae_now() };
    int default_threads = 1;
#if SAE_HAVE_OPENMP
    default_threads = omp_get_max_threads();
#endif
    interrupted = 0;
    signal(SIGINT, on_sigint);
    size_t ran = 0, skipped = 0;
    printf("saebench sweep %s: %zu runs -> %s\n", config_path, n, dir);
    fflush(stdout);
    for (size_t i = 0; i < n && !interrupted; i++) {
        SaeRunSpec s;
        sae_sweep_point(cfg, i, &s, &e);
        char id[17];
        run_id(&s, id);
        int done = 0;
        for (size_t r = 0; r < rows.n_rows && !done; r++) done = !strcmp(rows.rows[r][id_col], id);
        if (done) {
            skipped++;
            prog.done_before++;
            continue;
        }
        /* the label: this point's axis values */
        prog.i = i;
        prog.label[0] = 0;
        char v[512];
        for (size_t a = 0; a < cfg->n_axes; a++) {
            sae_option_format(&s, (size_t)sae_option_index(cfg->axes[a].key), v, sizeof v);
            snprintf(prog.label + strlen(prog.label), sizeof prog.label - strlen(prog.label), "%.40s=%.60s ",
                     cfg->axes[a].key, v);
        }
        snprintf(prog.label + strlen(prog.label), sizeof prog.label - strlen(prog.label), "seed=%u", s.train.seed);
        memset(row, 0, sizeof *row);
        RunOut ro = { 0 };
        const uint32_t data_seed = s.train.seed - (uint32_t)(i % cfg->seeds);
        if (run_point(cfg, dir, &s, id, &dc, data_seed, default_threads, &prog, &rows, row, &ro, &e)) {
            if (prog.tty) fputs("\r\033[K", stderr);
            code = sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", e.msg);
            break;
        }
        if (prog.tty) fputs("\r\033[K", stderr);
        if (ro.interrupted)
            break;
        char *vals[MAX_COLS];
        for (size_t c = 0; c < rows.n_cols; c++) vals[c] = row->vals[c];
        if (sae_rows_append(dir, &rows, vals, &e) || sae_rows_add(&rows, vals)) {
            code = sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", e.msg);
            break;
        }
        ran++;
        const int rc_col = sae_rows_col(&rows, "recon_per_sample"), st = sae_rows_col(&rows, "status");
        const int pc = sae_rows_col(&rows, "probe_acc"), sc = sae_rows_col(&rows, "seconds");
        fprintf(stderr, "run %zu/%zu %s: %s recon %s%s%s (%s s)\n", i + 1, n, prog.label, vals[st],
                *vals[rc_col] ? vals[rc_col] : "-", *vals[pc] ? " probe " : "", vals[pc], vals[sc]);
    }
    signal(SIGINT, SIG_DFL);
    if (sae_report_write(dir, config_path, cfg, &rows, &e) && code == SAE_EXIT_OK)
        code = sae_cli_error("sweep", SAE_EXIT_INPUT, "%s", e.msg);
    if (interrupted) {
        fprintf(stderr, "saebench sweep: interrupted after %zu new runs; %zu runs are in %s (continue with --resume)\n",
                ran, rows.n_rows, csv);
        code = SAE_EXIT_INTERRUPTED;
    } else if (code == SAE_EXIT_OK) {
        printf("%zu runs done (%zu new, %zu already there). Tables: %s/summary.md, %s; plots: %s/*.svg\n",
               rows.n_rows, ran, skipped, dir, csv, dir);
    }
out_rows:
    if (dc.loaded) {
        sae_data_free(&dc.train);
        sae_data_free(&dc.test);
    }
    free(row);
    sae_rows_free(&rows);
out_cfg:
    free(cfg);
    return code;
}
