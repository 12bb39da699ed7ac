/* `saebench eval`: the objective of a saved model on data, every term, and
 * optionally the gradient (the hook for checks against other frameworks). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/io/modelfile.h"
#include "core/train.h"
#include "experiments/cli/cli.h"
#include "experiments/common/errors.h"
#include "experiments/common/kernels.h"
#include "experiments/common/machine.h"
#include "experiments/common/targets.h"
#include "experiments/cli/report.h"
#include "experiments/report/json.h"
#include "sae_config.h"

static const char usage[] = "usage: saebench eval --model M.npz --data D [options] [--grads G.npz] [--json]\n"
                            "Evaluates a model's objective on data, every term separately. Model\n"
                            "hyperparameters given as options override those stored in M.npz.\n"
                            "--test-fraction F evaluates the held-out rows only; otherwise all rows.";

int sae_cmd_eval(int argc, char **argv)
{
    SaeRunSpec s;
    sae_run_spec_init(&s);
    s.data_spec = NULL;
    SaeKernels k;
    const int setup = sae_cli_setup("eval", SAE_CMD_EVAL, usage, argc, argv, &s, &k);
    if (setup >= 0)
        return setup;
    if (!s.model_path || !s.data_spec)
        return sae_cli_error("eval", SAE_EXIT_USAGE, "--model and --data are required (see --help)");
    char err[512];

    SaeError e;
    SaeConfig c = s.model;
    double *theta = NULL, *grad = NULL, *rhohat = NULL;
    int f32;
    if (sae_model_load(s.model_path, &c, &theta, &f32, &e))
        return sae_cli_error("eval", SAE_EXIT_INPUT, "%s", e.msg);
    sae_options_override_model(&s, &c, NULL, 0);
    int code = SAE_EXIT_OK;
    SaeData tr = { 0 }, te = { 0 };
    if (sae_config_check(&c, err, sizeof err)) {
        code = sae_cli_error("eval", SAE_EXIT_USAGE, "%s", err);
        goto out;
    }
    s.data.seed = s.train.seed;
    s.data.f32 = s.train.precision == SAE_PREC_FLOAT;
    if (sae_data_load(s.data_spec, &s.data, &tr, &te, &e)) {
        code = sae_cli_error("eval", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    const SaeData *d = te.rows ? &te : &tr;
    if (d->cols != c.n_in) {
        code = sae_cli_error("eval", SAE_EXIT_INPUT, "%s: %zu columns, but the model %s expects %zu inputs",
                             s.data_spec, d->cols, s.model_path, c.n_in);
        goto out;
    }
    if (sae_check_targets(&c, s.data_spec, d, &e)) {
        code = sae_cli_error("eval", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    SaeLayout l;
    sae_layout(&c, &l);
    rhohat = calloc(c.n_hidden, sizeof(double));
    if (s.grads_path)
        grad = calloc(l.total, sizeof(double));
    SaeTerms t, u;
    const SaeSamples sd = sae_samples_of(d, d->rows);
    if (!rhohat || (s.grads_path && !grad) ||
        sae_evaluate_samples(&c, s.train.precision, &k, theta, &sd, &t, &u, grad, rhohat, NULL, NULL)) {
        code = sae_cli_error("eval", SAE_EXIT_INPUT, "out of memory evaluating %zu rows", d->rows);
        goto out;
    }
    if (s.grads_path && sae_grads_save(s.grads_path, &c, grad, &e)) {
        code = sae_cli_error("eval", SAE_EXIT_INPUT, "%s", e.msg);
        goto out;
    }
    const SaeRhoStats rs = sae_rho_stats(rhohat, c.n_hidden, c.rho);
    if (s.json) {
        SaeJson j;
        sae_json_begin(&j, stdout);
        sae_json_str(&j, "model_file", s.model_path);
        sae_json_str(&j, "data", s.data_spec);
        sae_json_str(&j, "weights_dtype", f32 ? "float32" : "float64");
        sae_json_str(&j, "precision", sae_precision_name(s.train.precision));
        char isa[160];
        sae_cli_isa_desc(&k, s.train.precision, isa, sizeof isa);
        sae_json_str(&j, "isa", isa);
        sae_report_config_json(&j, &c);
        sae_report_json(&j, "eval", d->rows, &t, &u, rs);
        sae_json_nums(&j, "rhohat", rhohat, c.n_hidden);
        if (s.grads_path)
            sae_json_str(&j, "grads", s.grads_path);
        sae_json_int(&j, "peak_rss_bytes", sae_peak_rss_bytes());
        sae_json_end(&j);
    } else {
        printf("%s on %s: %zu -> %zu %s/%s %s%s, %s weights, %s precision\n", s.model_path, s.data_spec, c.n_in,
               c.n_hidden, sae_cli_encoder_desc(&c), sae_act_name(c.decoder), sae_loss_name(c.loss),
               c.tied ? " tied" : "", f32 ? "float32" : "float64", sae_precision_name(s.train.precision));
        sae_report_text(stdout, "eval", d->rows, &t, &u, rs);
        if (s.grads_path)
            printf("gradient written to %s\n", s.grads_path);
    }
    if (!isfinite(t.loss))
        code = sae_cli_error("eval", SAE_EXIT_DIVERGED, "the objective is %g at these weights", t.loss);
out:
    free(theta);
    free(grad);
    free(rhohat);
    sae_data_free(&tr);
    sae_data_free(&te);
    return code;
}
