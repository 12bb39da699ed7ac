#include <math.h>
#include <stdio.h>

#include "experiments/cli/report.h"

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
