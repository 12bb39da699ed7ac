/* `saebench train`: load data, initialise (or --init), train, evaluate on
 * the training and held-out rows, report, --save. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu.h"
#include "core/io/fileio.h"
#include "core/io/modelfile.h"
#include "core/io/npy.h"
#include "core/train.h"
#include "experiments/cli/cli.h"
#include "experiments/cli/progress.h"
#include "sae_config.h"
#include "sae_revision.h"

static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
    (void)sig;
    interrupted = 1;
}

static const char usage[] = "usage: saebench train [options]\n"
                            "Trains one sparse autoencoder and prints every loss term on the training\n"
                            "and held-out rows. Example:\n"
                            "  saebench train --data patches --hidden 25 --beta 3 --rho 0.01 --lambda 1e-4 \\\n"
                            "                 --optimizer lbfgs --iters 400 --save filters.npz";

/* Initial weights: --init (whose shape must fit the data and --hidden) or
 * the seeded UFLDL initialisation. */
static int initial_theta(const SaeRunSpec *s, SaeConfig *c, double **theta, SaeError *e)
{
    SaeLayout l;
    if (!s->init_path) {
        sae_layout(c, &l);
        if (!(*theta = malloc(l.total * sizeof(double))))
            return sae_fail(e, "out of memory for %zu parameters", l.total);
        sae_init_params(c, s->train.seed, *theta);
        return 0;
    }
    SaeConfig f = *c;
    int f32;
    if (sae_model_load(s->init_path, &f, theta, &f32, e))
        return -1;
    const int hidden_given = (s->given >> sae_option_index("hidden")) & 1;
    if (f.n_in != c->n_in || f.tied != c->tied || (hidden_given && f.n_hidden != c->n_hidden)) {
        free(*theta);
        *theta = NULL;
        return sae_fail(e, "%s: a %s %zu -> %zu model does not fit this run (%s %zu -> %zu)", s->init_path,
                        f.tied ? "tied" : "untied", f.n_in, f.n_hidden, c->tied ? "tied" : "untied", c->n_in,
                        c->n_hidden);
    }
    c->n_hidden = f.n_hidden;
    return 0;
}

/* --save-init and --save-data: what this run starts from, so that a peer
 * (bench/e2e.py) trains the same model on the same rows. */
static int save_inputs(const SaeRunSpec *s, const SaeConfig *c, const SaeData *tr, const double *theta, SaeError *e)
{
    if (s->save_init_path && sae_model_save(s->save_init_path, c, theta, 0, e))
        return -1;
    if (!s->save_data_path)
        return 0;
    const size_t shape[2] = { tr->rows, tr->cols };
    unsigned char *buf;
    size_t len;
    if (sae_npy_encode(SAE_DT_F64, 2, shape, tr->x, &buf, &len))
        return sae_fail(e, "%s: out of memory encoding %zu x %zu rows", s->save_data_path, tr->rows, tr->cols);
    SaeAtomicFile a;
    int rc = sae_atomic_open(&a, s->save_data_path, e);
    if (!rc && fwrite(buf, 1, len, a.f) != len) {
        sae_atomic_abort(&a);
        rc = sae_fail(e, "%s: write failed", s->save_data_path);
    } else if (!rc)
        rc = sae_atomic_commit(&a, e);
    free(buf);
    return rc;
}

static void print_text(const SaeRunSpec *s, const SaeConfig *c, const SaeKernels *k, const SaeData *tr,
                       const SaeData *te, const SaeTrainResult *r, const SaeTerms *t_tr, SaeRhoStats rs_tr,
                       const SaeTerms *t_te, SaeRhoStats rs_te)
{
    printf("saebench %s (%s): %s %zu x %zu", SAE_VERSION, SAE_REVISION, s->data_spec, tr->rows, tr->cols);
    if (te->rows)
        printf(" + %zu held out", te->rows);
    printf(", %zu -> %zu %s/%s %s%s, %s, %s, kernels %s\n", c->n_in, c->n_hidden, sae_act_name(c->encoder),
           sae_act_name(c->decoder), sae_loss_name(c->loss), c->tied ? " tied" : "",
           sae_optimizer_name(s->train.optimizer), sae_precision_name(s->train.precision),
           sae_cpu_level_name(k->flags));
    printf("stopped: %s after %u %s, %u evaluations, %.3f s\n", r->stop_reason, r->epochs,
           s->train.optimizer == SAE_OPT_LBFGS ? "iterations" : "epochs", r->fevals, r->seconds);
    sae_report_text(stdout, "train", tr->rows, t_tr, rs_tr);
    if (te->rows)
        sae_report_text(stdout, "test", te->rows, t_te, rs_te);
    if (s->save_path)
        printf("saved %s\n", s->save_path);
}

static void print_json(const SaeRunSpec *s, const SaeConfig *c, const SaeKernels *k, const SaeData *tr,
                       const SaeData *te, const SaeTrainResult *r, const SaeTerms *t_tr, SaeRhoStats rs_tr,
                       const SaeTerms *t_te, SaeRhoStats rs_te)
{
    SaeJson j;
    sae_json_begin(&j, stdout);
    sae_json_str(&j, "saebench_version", SAE_VERSION);
    sae_json_str(&j, "git_revision", SAE_REVISION);
    sae_json_str(&j, "data", s->data_spec);
    sae_report_config_json(&j, c);
    sae_json_object(&j, "training");
    sae_json_str(&j, "optimizer", sae_optimizer_name(s->train.optimizer));
    sae_json_str(&j, "precision", sae_precision_name(s->train.precision));
    sae_json_num(&j, "lr", s->train.lr);
    sae_json_int(&j, "batch", (long long)s->train.batch);
    sae_json_int(&j, "seed", s->train.seed);
    sae_json_int(&j, "epochs", r->epochs);
    sae_json_int(&j, "iterations", r->iters);
    sae_json_int(&j, "fevals", r->fevals);
    sae_json_num(&j, "seconds", r->seconds);
    sae_json_num(&j, "samples_per_second", r->seconds > 0 ? r->samples / r->seconds : 0);
    sae_json_str(&j, "stop_reason", r->stop_reason);
    sae_json_bool(&j, "interrupted", r->interrupted);
    sae_json_close(&j);
    char isa[160], gemm[160];
    sae_cli_isa_desc(k, s->train.precision, isa, sizeof isa);
    sae_json_str(&j, "isa", isa);
    sae_cli_gemm_desc(k, s->train.precision, gemm, sizeof gemm);
    sae_json_str(&j, "gemm", gemm);
    sae_json_str(&j, "gemm_source", k->gemm_source);
    sae_report_json(&j, "train", tr->rows, t_tr, rs_tr);
    if (te->rows)
        sae_report_json(&j, "test", te->rows, t_te, rs_te);
    if (s->save_path)
        sae_json_str(&j, "saved", s->save_path);
    sae_json_int(&j, "peak_rss_bytes", sae_peak_rss_bytes());
    sae_json_end(&j);
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
    SaeData tr, te;
    s.data.seed = s.train.seed;
    if (sae_data_load(s.data_spec, &s.data, &tr, &te, &e))
        return sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
    SaeConfig c = s.model;
    c.n_in = tr.cols;
    double *theta = NULL, *rh_tr = NULL, *rh_te = NULL;
    int code = SAE_EXIT_OK;
    if (sae_config_check(&c, err, sizeof err)) {
        code = sae_cli_error("train", SAE_EXIT_USAGE, "%s", err);
        goto out;
    }
    if (sae_check_targets(&c, s.data_spec, &tr, &e) || sae_check_targets(&c, s.data_spec, &te, &e) ||
        initial_theta(&s, &c, &theta, &e)) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }

    if (save_inputs(&s, &c, &tr, theta, &e)) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    SaeProgress prog;
    sae_progress_init(&prog, s.train.optimizer == SAE_OPT_LBFGS ? "iter" : "epoch");
    s.train.progress = sae_progress_update;
    s.train.progress_ctx = &prog;
    s.train.stop = &interrupted;
    SaeTrainResult r;
    const int rc = sae_train(&c, &s.train, &k, tr.x, tr.rows, theta, &r);
    sae_progress_done(&prog);
    signal(SIGINT, SIG_DFL);
    if (rc == SAE_TRAIN_NO_MEMORY) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "out of memory for a %zu -> %zu model on %zu rows", c.n_in,
                             c.n_hidden, tr.rows);
        goto out;
    }
    if (rc == SAE_TRAIN_DIVERGED) {
        code = sae_cli_error("train", SAE_EXIT_DIVERGED,
                             "training diverged: the objective became %g after %u epochs/iterations "
                             "(try a smaller --lr); nothing was saved",
                             r.last_loss, r.epochs);
        goto out;
    }
    SaeTerms t_tr, t_te = { 0 };
    rh_tr = calloc(c.n_hidden, sizeof(double));
    rh_te = calloc(c.n_hidden, sizeof(double));
    if (!rh_tr || !rh_te || sae_evaluate(&c, s.train.precision, &k, theta, tr.x, tr.rows, &t_tr, NULL, rh_tr) ||
        (te.rows && sae_evaluate(&c, s.train.precision, &k, theta, te.x, te.rows, &t_te, NULL, rh_te))) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "out of memory evaluating the model");
        goto out;
    }
    if (!isfinite(t_tr.loss) || (te.rows && !isfinite(t_te.loss))) {
        code = sae_cli_error("train", SAE_EXIT_DIVERGED, "the trained model's objective is %g; nothing was saved",
                             isfinite(t_tr.loss) ? t_te.loss : t_tr.loss);
        goto out;
    }
    if (s.save_path && sae_model_save(s.save_path, &c, theta, s.train.precision == SAE_PREC_FLOAT, &e)) {
        code = sae_cli_error("train", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    const SaeRhoStats rs_tr = sae_rho_stats(rh_tr, c.n_hidden, c.rho);
    const SaeRhoStats rs_te = sae_rho_stats(rh_te, c.n_hidden, c.rho);
    (s.json ? print_json : print_text)(&s, &c, &k, &tr, &te, &r, &t_tr, rs_tr, &t_te, rs_te);
    if (r.interrupted) {
        fprintf(stderr, "saebench train: interrupted; the results above are for the weights reached%s\n",
                s.save_path ? " (saved; continue with --init)" : "");
        code = SAE_EXIT_INTERRUPTED;
    }
out:
    free(theta);
    free(rh_tr);
    free(rh_te);
    sae_data_free(&tr);
    sae_data_free(&te);
    return code;
}
