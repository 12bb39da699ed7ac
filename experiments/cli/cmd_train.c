/* `saebench train`: load data, initialise (or --init), train, evaluate on
 * the training and held-out rows, report, --save. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io/fileio.h"
#include "core/io/modelfile.h"
#include "core/io/npy.h"
#include "core/safe_alloc.h"
#include "core/train.h"
#include "experiments/cli/cli.h"
#include "experiments/common/errors.h"
#include "experiments/common/kernels.h"
#include "experiments/common/machine.h"
#include "experiments/common/targets.h"
#include "experiments/cli/report.h"
#include "experiments/report/json.h"
#include "experiments/common/progress.h"
#include "experiments/common/measure.h"
#include "sae_config.h"
#include "sae_revision.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

/* What the trained model is measured by: every term, weighted and
 * unweighted, and rho-hat, on both parts; with --metrics what a sweep row
 * holds. */
typedef struct Eval {
    SaeTerms t_tr, t_te, u_tr, u_te;
    SaeRhoStats rs_tr, rs_te;
    int measured;
    SaeMeasure m;
    SaeProbeResult raw; /* raw.lambda NaN: no probe */
} Eval;

static const char usage[] = "usage: saebench train [options]\n"
                            "Trains one sparse autoencoder and prints every loss term on the training\n"
                            "and held-out rows. Example:\n"
                            "  saebench train --data patches --hidden 25 --beta 3 --rho 0.01 --lambda 1e-4 \\\n"
                            "                 --optimizer lbfgs --iters 400 --save filters.npz";

/* --init: the model file's weights and hyperparameters (flags given on
 * the command line override the latter, with a note of what changed), and
 * its held-out share of the rows unless --test-fraction is given. */
static int read_init(SaeRunSpec *s, SaeConfig *c, double **theta, SaeError *e)
{
    int f32;
    if (sae_model_load(s->init_path, c, theta, &f32, e))
        return -1;
    const SaeConfig file = *c;
    char note[1024];
    sae_options_override_model(s, c, note, sizeof note);
    if (c->tied != file.tied || c->n_hidden != file.n_hidden)
        return sae_fail(e, "%s holds a%s %zu -> %zu model; --tied/--hidden cannot change its shape", s->init_path,
                        file.tied ? " tied" : "n untied", file.n_in, file.n_hidden);
    if (*note)
        fprintf(stderr, "saebench train: --init %s: %s\n", s->init_path, note);
    double tf;
    const int rc = sae_model_test_fraction(s->init_path, &tf, e);
    if (rc < 0)
        return -1;
    if (rc == 0 && !sae_option_given(s, (size_t)sae_option_index("test-fraction")))
        s->data.test_fraction = tf;
    return 0;
}

/* The initial weights: --init's (whose shape must fit the data) or the
 * seeded UFLDL initialisation, b2 then from the training rows tr when
 * --bdec-init says so. */
static int initial_theta(const SaeRunSpec *s, const SaeConfig *c, const SaeData *tr, double **theta, SaeError *e)
{
    if (s->init_path) {
        if (tr->cols != c->n_in)
            return sae_fail(e, "%s: a %zu -> %zu model does not fit data with %zu columns", s->init_path, c->n_in,
                            c->n_hidden, tr->cols);
        return 0;
    }
    SaeLayout l;
    sae_layout(c, &l);
    if (!(*theta = sae_alloc_array(l.total, sizeof(double))))
        return sae_fail(e, "out of memory for %zu parameters", l.total);
    sae_init_params(c, s->train.seed, *theta);
    const SaeSamples rows = sae_samples_of(tr, tr->rows);
    if (sae_init_bdec(c, &rows, *theta))
        return sae_fail(e, "out of memory for --bdec-init");
    return 0;
}

/* --save failed after training: the weights go to a fallback file in
 * $TMPDIR (or /tmp) that the message names, not away with the process. */
static int rescue(const SaeRunSpec *s, const SaeConfig *c, const double *theta, const SaeError *failed)
{
    const char *tmp = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/saebench-rescued-%ld.npz", tmp && *tmp ? tmp : "/tmp", (long)getpid());
    SaeError e;
    if (sae_model_save(path, c, theta, s->train.precision == SAE_PREC_FLOAT, s->data.test_fraction, &e))
        return sae_cli_error("train", SAE_EXIT_INPUT, "%s; the weights are lost (%s too: %s)", failed->msg, path,
                             e.msg);
    return sae_cli_error("train", SAE_EXIT_INPUT, "%s; the trained weights were saved to %s instead", failed->msg,
                         path);
}

/* Why the objective stopped being finite: the data's scale or the start,
 * when they are the cause, before the step size is blamed. */
static void divergence_cause(const SaeRunSpec *s, const SaeData *tr, const SaeTrainResult *r, char *why, size_t n)
{
    size_t at = 0;
    double big = 0;
    for (size_t i = 0; i < tr->rows * tr->cols; i++)
        if (fabs(sae_data_at(tr, i)) > big)
            big = fabs(sae_data_at(tr, i)), at = i;
    /* past these, squared errors summed over a batch overflow */
    const int f32 = s->train.precision == SAE_PREC_FLOAT;
    if (big > (f32 ? 1e15 : 1e150))
        snprintf(why, n,
                 "the training data hold %g (training row %zu, column %zu), too large for %s arithmetic; scale them "
                 "(--scale minmax or zscore)",
                 sae_data_at(tr, at), at / tr->cols + 1, at % tr->cols + 1, f32 ? "float" : "double");
    else if (r->fevals <= 1)
        snprintf(why, n, "the objective is %g at the initial weights, before any step (%s)", r->last_loss,
                 s->init_path ? "check the --init model" : "check the data and the penalty weights");
    else
        snprintf(why, n, "the objective became %g after %u epochs/iterations (try a smaller --lr)", r->last_loss,
                 r->epochs);
}

/* --save-init and --save-data: what this run starts from, so that a peer
 * (bench/e2e.py) trains the same model on the same rows. */
static int save_inputs(const SaeRunSpec *s, const SaeConfig *c, const SaeData *tr, const double *theta, SaeError *e)
{
    if (s->save_init_path && sae_model_save(s->save_init_path, c, theta, 0, s->data.test_fraction, e))
        return -1;
    if (!s->save_data_path)
        return 0;
    const size_t shape[2] = { tr->rows, tr->cols };
    unsigned char *buf;
    size_t len;
    const int f32 = tr->xf != NULL; /* the rows as the run reads them */
    if (sae_npy_encode(f32 ? SAE_DT_F32 : SAE_DT_F64, 2, shape, f32 ? (const void *)tr->xf : (const void *)tr->x, &buf,
                       &len))
        return sae_fail(e, "%s: out of memory encoding %zu x %zu rows", s->save_data_path, tr->rows, tr->cols);
    const int rc = sae_atomic_write(s->save_data_path, buf, len, e);
    free(buf);
    return rc;
}

/* The run's header, printed before training starts. */
static void print_header(const SaeRunSpec *s, const SaeConfig *c, const SaeKernels *k, const SaeData *tr,
                         const SaeData *te)
{
    char isa[160];
    sae_cli_isa_desc(k, s->train.precision, isa, sizeof isa);
    printf("saebench %s (%s): %s %zu x %zu", SAE_VERSION, SAE_REVISION, s->data_spec, tr->rows, tr->cols);
    if (te->rows)
        printf(" + %zu held out", te->rows);
    printf(", %zu -> %zu %s/%s %s%s (reduction %s), %s, %s, kernels %s\n", c->n_in, c->n_hidden,
           sae_cli_encoder_desc(c), sae_act_name(c->decoder), sae_loss_name(c->loss), c->tied ? " tied" : "",
           sae_reduction_name(c->reduction), sae_optimizer_name(s->train.optimizer),
           sae_precision_name(s->train.precision), isa);
    fflush(stdout);
}

static void print_text(const SaeRunSpec *s, const SaeData *tr, const SaeData *te, const SaeTrainResult *r,
                       const Eval *ev)
{
    printf("stopped: %s after %u %s, %u evaluations, %.3f s\n", r->stop_reason,
           s->train.optimizer == SAE_OPT_LBFGS ? r->iters : r->epochs,
           s->train.optimizer == SAE_OPT_LBFGS ? "iterations" : "epochs", r->fevals, r->seconds);
    if (!isnan(r->dead_frac))
        printf("dead latents: %.1f%% fired on none of the last %zu training samples\n", 100 * r->dead_frac,
               s->train.dead_window ? s->train.dead_window : tr->rows);
    sae_report_text(stdout, "train", tr->rows, &ev->t_tr, &ev->u_tr, ev->rs_tr);
    if (te->rows)
        sae_report_text(stdout, "test", te->rows, &ev->t_te, &ev->u_te, ev->rs_te);
    if (ev->measured)
        sae_report_measure_text(stdout, te->rows ? "test" : "train", &ev->m, &ev->raw);
    if (s->save_path)
        printf("saved %s\n", s->save_path);
}

static void print_json(const SaeRunSpec *s, const SaeConfig *c, const SaeKernels *k, const SaeData *tr,
                       const SaeData *te, const SaeTrainResult *r, const Eval *ev)
{
    SaeJson j;
    sae_json_begin(&j, stdout);
    sae_json_str(&j, "saebench_version", SAE_VERSION);
    sae_json_str(&j, "git_revision", SAE_REVISION);
    sae_json_str(&j, "data", s->data_spec);
    sae_report_config_json(&j, c);
    sae_json_object(&j, "training"); /* only the settings that applied to this optimizer */
    const SaeTrainOpts *o = &s->train;
    sae_json_str(&j, "optimizer", sae_optimizer_name(o->optimizer));
    sae_json_str(&j, "precision", sae_precision_name(o->precision));
    sae_json_int(&j, "seed", o->seed);
    if (o->optimizer == SAE_OPT_LBFGS) {
        sae_json_int(&j, "max_iterations", o->iters);
        sae_json_int(&j, "lbfgs_memory", o->lbfgs_memory);
    } else {
        sae_json_num(&j, "lr", o->lr);
        sae_json_int(&j, "batch", (long long)o->batch);
        if (o->optimizer == SAE_OPT_SGD) {
            sae_json_num(&j, "momentum", o->momentum);
        } else {
            sae_json_num(&j, "adam_beta1", o->adam_beta1);
            sae_json_num(&j, "adam_beta2", o->adam_beta2);
            sae_json_num(&j, "adam_eps", o->adam_eps);
        }
        sae_json_int(&j, "epochs", r->epochs);
    }
    sae_json_int(&j, "iterations", r->iters);
    sae_json_int(&j, "fevals", r->fevals);
    sae_json_num(&j, "seconds", r->seconds);
    sae_json_num(&j, "samples_per_second", r->seconds > 0 ? r->samples / r->seconds : 0);
    sae_json_str(&j, "stop_reason", r->stop_reason);
    sae_json_bool(&j, "interrupted", r->interrupted);
    sae_json_num(&j, "dead_frac", r->dead_frac);
    sae_json_int(&j, "resampled", r->resampled);
    sae_json_close(&j);
    char isa[160], gemm[160];
    sae_cli_isa_desc(k, s->train.precision, isa, sizeof isa);
    sae_json_str(&j, "isa", isa);
    sae_cli_gemm_desc(k, s->train.precision, gemm, sizeof gemm);
    sae_json_str(&j, "gemm", gemm);
    sae_json_str(&j, "gemm_source", k->gemm_source);
    sae_report_json(&j, "train", tr->rows, &ev->t_tr, &ev->u_tr, ev->rs_tr);
    if (te->rows)
        sae_report_json(&j, "test", te->rows, &ev->t_te, &ev->u_te, ev->rs_te);
    if (ev->measured)
        sae_report_measure_json(&j, "metrics", &ev->m, &ev->raw);
    if (s->save_path)
        sae_json_str(&j, "saved", s->save_path);
    sae_json_int(&j, "peak_rss_bytes", sae_peak_rss_bytes());
    sae_json_end(&j);
}

/* Every term (weighted and unweighted) and rho-hat on both parts; with
 * --metrics, sae_measure on the held-out part and the raw-input probe.
 * Returns the exit status. */
static int evaluate(const SaeRunSpec *s, const SaeConfig *c, const SaeKernels *k, const double *theta,
                    const SaeData *tr, const SaeData *te, Eval *ev)
{
    double *rh = sae_alloc_array(c->n_hidden, sizeof(double));
    const SaePrecision p = s->train.precision;
    const SaeSamples str = sae_samples_of(tr, tr->rows), ste = sae_samples_of(te, te->rows);
    int bad = !rh || sae_evaluate_samples(c, p, k, theta, &str, &ev->t_tr, &ev->u_tr, NULL, rh, NULL, NULL);
    if (!bad)
        ev->rs_tr = sae_rho_stats(rh, c->n_hidden, c->rho);
    if (!bad && te->rows) {
        bad = sae_evaluate_samples(c, p, k, theta, &ste, &ev->t_te, &ev->u_te, NULL, rh, NULL, NULL);
        if (!bad)
            ev->rs_te = sae_rho_stats(rh, c->n_hidden, c->rho);
    }
    free(rh);
    if (bad)
        return sae_cli_error("train", SAE_EXIT_INPUT, "out of memory evaluating the model");
    if (!isfinite(ev->t_tr.loss) || (te->rows && !isfinite(ev->t_te.loss)))
        return sae_cli_error("train", SAE_EXIT_DIVERGED, "the trained model's objective is %g; nothing was saved",
                             isfinite(ev->t_tr.loss) ? ev->t_te.loss : ev->t_tr.loss);
    if (!s->metrics)
        return SAE_EXIT_OK;
    const int classes =
        tr->labels && te->labels && te->rows ? (tr->n_classes > te->n_classes ? tr->n_classes : te->n_classes) : 0;
    const int mrc = sae_measure(c, p, k, theta, tr, te->rows ? te : tr, classes, &ev->m);
    if (mrc != SAE_MEASURE_OK)
        return sae_cli_error("train", mrc == SAE_MEASURE_DIVERGED ? SAE_EXIT_DIVERGED : SAE_EXIT_INPUT,
                             "measuring the model: %s", mrc == SAE_MEASURE_DIVERGED ? "not finite" : "out of memory");
    ev->measured = 1;
    if (classes && sae_measure_raw_probe(k, tr, te, classes, &ev->raw))
        return sae_cli_error("train", SAE_EXIT_INPUT, "out of memory probing the raw inputs");
    return SAE_EXIT_OK;
}

/* --images DIR: filters.png and reconstructions.png of the rows d. */
static int write_images(const char *dir, const SaeConfig *c, const double *theta, const SaeData *d, const SaeRunSpec *s,
                        const SaeKernels *k, SaeError *e)
{
    if (!d->img_w || d->img_w * d->img_h != c->n_in)
        return sae_fail(e, "--images: %s is not image data", s->data_spec);
    const size_t count = d->rows < 16 ? d->rows : 16;
    double *xh = sae_alloc_array2(count, c->n_in, sizeof(double));
    double *h = sae_alloc_array2(count, c->n_hidden, sizeof(double));
    SaeTerms t;
    const SaeSamples sd = sae_samples_of(d, count);
    int rc = !xh || !h || sae_evaluate_samples(c, s->train.precision, k, theta, &sd, &t, NULL, NULL, NULL, h, xh)
                 ? sae_fail(e, "--images: out of memory")
                 : sae_write_run_images(dir, c, theta, d, xh, count, e);
    free(xh);
    free(h);
    return rc;
}

/* --latents: the per-unit table and density plot of the held-out rows
 * (the training rows when none are held out), at most 10000 of them. */
static int write_latents(const char *dir, const SaeConfig *c, const double *theta, const SaeData *d,
                         const SaeRunSpec *s, const SaeKernels *k, SaeError *e)
{
    const size_t rows = d->rows < 10000 ? d->rows : 10000;
    double *h = sae_alloc_array2(rows, c->n_hidden, sizeof(double));
    SaeTerms t;
    const SaeSamples sd = sae_samples_of(d, rows);
    int rc = !h || sae_evaluate_samples(c, s->train.precision, k, theta, &sd, &t, NULL, NULL, NULL, h, NULL)
                 ? sae_fail(e, "--latents: out of memory")
                 : sae_write_latents(dir, c, theta, h, rows, e);
    free(h);
    return rc;
}

int sae_cmd_train(int argc, char **argv)
{
    signal(SIGINT, on_sigint); /* from the start: an early Ctrl-C still ends cleanly */
    SaeRunSpec s;
    sae_run_spec_init(&s);
    SaeKernels k;
    const int setup = sae_cli_setup("train", SAE_CMD_TRAIN, usage, argc, argv, &s, &k);
    if (setup >= 0)
        return setup;
    char err[512];

    SaeError e;
    SaeData tr = { 0 }, te = { 0 };
    SaeConfig c = s.model;
    double *theta = NULL;
    int code = SAE_EXIT_OK;
    Eval ev = { .raw = { .lambda = NAN } };
    char ignored[512];
    sae_options_ignored(&s, ignored, sizeof ignored);
    if (*ignored)
        fprintf(stderr, "saebench train: %s: not used by --optimizer %s (ignored)\n", ignored,
                sae_optimizer_name(s.train.optimizer));
    if (s.init_path && read_init(&s, &c, &theta, &e)) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    s.data.seed = s.train.seed;
    const int tty = isatty(2);
    if (tty)
        fprintf(stderr, "loading %s ...", s.data_spec);
    s.data.f32 = s.train.precision == SAE_PREC_FLOAT;
    const int lrc = sae_data_load(s.data_spec, &s.data, &tr, &te, &e);
    if (tty)
        fputs("\r\033[K", stderr);
    if (lrc) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    if (!s.init_path)
        c.n_in = tr.cols;
    if (sae_config_check(&c, err, sizeof err)) {
        code = sae_cli_error("train", SAE_EXIT_USAGE, "%s", err);
        goto out;
    }
    const char *untrainable = sae_train_problem(&c, &s.train);
    if (!untrainable)
        untrainable = sae_stream_problem(&tr, s.train.optimizer);
    if (untrainable) {
        code = sae_cli_error("train", SAE_EXIT_USAGE, "%s", untrainable);
        goto out;
    }
    if (sae_check_targets(&c, s.data_spec, &tr, &e) || sae_check_targets(&c, s.data_spec, &te, &e) ||
        initial_theta(&s, &c, &tr, &theta, &e) || save_inputs(&s, &c, &tr, theta, &e)) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    if (!s.json)
        print_header(&s, &c, &k, &tr, &te);
    SaeProgress prog;
    sae_progress_init(&prog, s.train.optimizer == SAE_OPT_LBFGS ? "iter" : "epoch");
    s.train.progress = sae_progress_update;
    s.train.progress_ctx = &prog;
    s.train.stop = &interrupted;
    SaeTrainResult r;
    const SaeSamples samples = sae_samples_of(&tr, tr.rows);
    const int rc = sae_train_samples(&c, &s.train, &k, &samples, theta, &r);
    if (c.batch_topk) /* the learned threshold is part of the model from here on */
        c.threshold = r.threshold;
    sae_progress_done(&prog);
    signal(SIGINT, SIG_DFL);
    if (rc == SAE_TRAIN_NO_MEMORY) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "out of memory for a %zu -> %zu model on %zu rows", c.n_in,
                             c.n_hidden, tr.rows);
        goto out;
    }
    if (rc == SAE_TRAIN_DIVERGED) {
        char why[512];
        divergence_cause(&s, &tr, &r, why, sizeof why);
        code = sae_cli_error("train", SAE_EXIT_DIVERGED, "training diverged: %s; nothing was saved", why);
        goto out;
    }
    code = evaluate(&s, &c, &k, theta, &tr, &te, &ev);
    if (code != SAE_EXIT_OK)
        goto out;
    if (s.save_path &&
        sae_model_save(s.save_path, &c, theta, s.train.precision == SAE_PREC_FLOAT, s.data.test_fraction, &e)) {
        code = rescue(&s, &c, theta, &e);
        goto out;
    }
    if (s.latents_dir && write_latents(s.latents_dir, &c, theta, te.rows ? &te : &tr, &s, &k, &e)) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    if (s.images_dir && write_images(s.images_dir, &c, theta, te.rows ? &te : &tr, &s, &k, &e)) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    if (s.json)
        print_json(&s, &c, &k, &tr, &te, &r, &ev);
    else
        print_text(&s, &tr, &te, &r, &ev);
    if (r.interrupted) {
        fprintf(stderr, "saebench train: interrupted; the results above are for the weights reached%s\n",
                s.save_path ? " (saved; continue with --init, which takes the saved settings)" : "");
        code = SAE_EXIT_INTERRUPTED;
    }
out:
    if (ev.measured)
        sae_measure_free(&ev.m);
    free(theta);
    sae_data_free(&tr);
    sae_data_free(&te);
    return code;
}
