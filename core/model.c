/* Model configuration, layout and initialisation (the type-free parts). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/model.h"
#include "core/rng.h"
#include "core/safe_alloc.h"

_Static_assert((int)SAE_ACT_SIGMOID == (int)SAE_K_SIGMOID && (int)SAE_ACT_TANH == (int)SAE_K_TANH &&
                   (int)SAE_ACT_RELU == (int)SAE_K_RELU && (int)SAE_ACT_LINEAR == (int)SAE_K_LINEAR,
               "the kernels' activation codes are SaeAct's");

SaeConfig sae_config_default(void)
{
    return (SaeConfig){
        .n_in = 64,
        .n_hidden = 25,
        .encoder = SAE_ACT_SIGMOID,
        .decoder = SAE_ACT_SIGMOID,
        .loss = SAE_LOSS_MSE,
        .rho = 0.05,
        .kl_eps = 1e-6,
        .kl_tanh = SAE_KL_RESCALE,
        .bandwidth = 1e-3,
        .jump_init = 1e-3,
        .aux_weight = 1.0 / 32,
    };
}

SaeConfig sae_config_unit_weights(const SaeConfig *c)
{
    SaeConfig u = *c;
#define UNIT(term, weight) u.weight = 1;
    SAE_PENALTIES(UNIT)
#undef UNIT
    return u;
}

const char *sae_config_problem(const SaeConfig *c, char *err, size_t errlen)
{
    if (c->n_in == 0) {
        snprintf(err, errlen, "the input dimension must be >= 1");
        return "W1";
    }
    if (c->n_hidden == 0) {
        snprintf(err, errlen, "hidden must be >= 1, got 0");
        return "W1";
    }
    if (c->encoder == SAE_ACT_LINEAR) {
        snprintf(err, errlen, "encoder must be sigmoid, tanh, relu or jumprelu");
        return "encoder";
    }
    if (c->decoder != SAE_ACT_SIGMOID && c->decoder != SAE_ACT_LINEAR) {
        snprintf(err, errlen, "decoder must be sigmoid or linear");
        return "decoder";
    }
    if (c->loss == SAE_LOSS_BCE && c->decoder != SAE_ACT_SIGMOID) {
        snprintf(err, errlen, "loss bce needs the sigmoid decoder (got decoder %s)", sae_act_name(c->decoder));
        return "loss";
    }
    const struct {
        const char *field, *flag;
        double v;
    } weights[] = { { "lambda", "lambda", c->lambda },
                    { "l1_weight", "l1-weight", c->l1_weight },
                    { "l1_activity", "l1-activity", c->l1_activity },
                    { "beta", "beta", c->beta },
                    { "gamma", "gamma", c->gamma },
                    { "l0_penalty", "l0-penalty", c->l0_penalty },
                    { "aux_weight", "aux-weight", c->aux_weight } };
    for (size_t i = 0; i < sizeof weights / sizeof *weights; i++)
        if (!(weights[i].v >= 0 && isfinite(weights[i].v))) {
            snprintf(err, errlen, "%s must be a finite number >= 0, got %g", weights[i].flag, weights[i].v);
            return weights[i].field;
        }
    if (!(c->jump_init > 0 && isfinite(c->jump_init))) {
        snprintf(err, errlen, "jump-init must be a finite number > 0, got %g", c->jump_init);
        return "jump_init";
    }
    if (!(c->bandwidth > 0 && isfinite(c->bandwidth))) {
        snprintf(err, errlen, "bandwidth must be a finite number > 0, got %g", c->bandwidth);
        return "bandwidth";
    }
    if (c->l1_dec_norm && c->encoder != SAE_ACT_RELU && c->encoder != SAE_ACT_SIGMOID) {
        snprintf(err, errlen, "l1-dec-norm needs an encoder whose activations are >= 0 (relu, sigmoid), got %s",
                 sae_act_name(c->encoder));
        return "l1_dec_norm";
    }
    if (c->aux_k && (c->encoder != SAE_ACT_RELU || c->decoder != SAE_ACT_LINEAR || c->loss != SAE_LOSS_MSE)) {
        snprintf(err, errlen, "aux-k (AuxK) needs the relu encoder, the linear decoder and mse");
        return "aux_k";
    }
    if (c->aux_k > c->n_hidden) {
        snprintf(err, errlen, "aux-k %zu is more than the %zu hidden units", c->aux_k, c->n_hidden);
        return "aux_k";
    }
    if (c->bdec_init != SAE_BDEC_ZERO && c->decoder != SAE_ACT_LINEAR) {
        snprintf(err, errlen, "bdec-init %s needs the linear decoder (b2 is then a point of the data's space)",
                 sae_bdec_init_name(c->bdec_init));
        return "bdec_init";
    }
    if (c->topk && c->encoder != SAE_ACT_RELU) {
        snprintf(err, errlen, "k %zu (TopK) needs the relu encoder (got %s)", c->topk, sae_act_name(c->encoder));
        return "k";
    }
    if (c->batch_topk && !c->topk) {
        snprintf(err, errlen, "batch-topk needs k (the mean units kept per sample)");
        return "k";
    }
    if (!(c->threshold >= 0 && isfinite(c->threshold))) {
        snprintf(err, errlen, "the BatchTopK threshold must be a finite number >= 0, got %g", c->threshold);
        return "threshold";
    }
    if (c->topk > c->n_hidden) {
        snprintf(err, errlen, "k %zu (TopK) is more than the %zu hidden units", c->topk, c->n_hidden);
        return "k";
    }
    if (!(c->rho > 0 && c->rho < 1)) {
        snprintf(err, errlen, "rho must be in (0, 1), got %g", c->rho);
        return "rho";
    }
    if (!(c->kl_eps > 0 && c->kl_eps < 0.5)) {
        snprintf(err, errlen, "kl-eps must be in (0, 0.5), got %g", c->kl_eps);
        return "kl_eps";
    }
    SaeLayout l;
    if (sae_layout(c, &l) || l.total > SAE_MAX_PARAMS) {
        snprintf(err, errlen, "%zu hidden units x %zu inputs: more than the %zu parameters a model may have",
                 c->n_hidden, c->n_in, SAE_MAX_PARAMS);
        return "W1";
    }
    return NULL;
}

int sae_config_check(const SaeConfig *c, char *err, size_t errlen)
{
    return sae_config_problem(c, err, errlen) ? -1 : 0;
}

/* The sparse step's cost grows with K, the dense one's not: measured by
 * bench_kernels (topk_grad, kernels/README.md), the sparse step wins while K is at most
 * k / SAE_SPARSE_RATIO. */
#define SAE_SPARSE_RATIO 8

size_t sae_sparse_kept_max(const SaeConfig *c) { return c->n_hidden / SAE_SPARSE_RATIO; }

int sae_sparse_path(const SaeConfig *c)
{
    if (c->encoder == SAE_ACT_JUMPRELU)
        return 1;
    return c->topk && c->topk < c->n_hidden && c->topk <= sae_sparse_kept_max(c);
}

int sae_step_takes_wpen(const SaeConfig *c)
{
    return (c->lambda != 0 || c->l1_weight != 0) && !c->unit_norm && c->gamma == 0;
}

int sae_layout(const SaeConfig *c, SaeLayout *l)
{
    size_t kn, off;
    if (sae_mul_overflow(c->n_in, c->n_hidden, &kn))
        return -1;
    l->w1 = 0;
    off = kn;
    if (c->tied) {
        l->w2t = SIZE_MAX;
        l->dec = l->w1;
    } else {
        l->w2t = l->dec = off;
        if (sae_add_overflow(off, kn, &off))
            return -1;
    }
    l->b1 = off;
    if (sae_add_overflow(off, c->n_hidden, &off))
        return -1;
    l->b2 = off;
    if (sae_add_overflow(off, c->n_in, &off))
        return -1;
    l->jt = SIZE_MAX;
    if (c->encoder == SAE_ACT_JUMPRELU) {
        l->jt = off;
        if (sae_add_overflow(off, c->n_hidden, &off))
            return -1;
    }
    l->total = off;
    return 0;
}

void sae_init_params(const SaeConfig *c, uint64_t seed, double *theta)
{
    SaeLayout l;
    if (sae_layout(c, &l)) /* sizes that overflow: sae_config_check refuses them first */
        return;
    SaeRng rng;
    sae_rng_seed(&rng, (uint32_t)seed);
    const size_t n = c->n_in, k = c->n_hidden;
    const double r = sqrt(6.0 / (double)(n + k + 1));
    for (size_t i = 0; i < k * n; i++) theta[l.w1 + i] = (2 * sae_rng_uniform(&rng) - 1) * r;
    if (!c->tied) /* W2 (n x k) in its own row order, so a seed draws the same weights as W2 was always drawn */
        for (size_t d = 0; d < n; d++)
            for (size_t j = 0; j < k; j++) theta[l.w2t + j * n + d] = (2 * sae_rng_uniform(&rng) - 1) * r;
    for (size_t i = l.b1; i < l.total; i++) theta[i] = i >= l.jt ? log(c->jump_init) : 0;
    if (!c->tied && c->init_transpose)
        memcpy(theta + l.w2t, theta + l.w1, k * n * sizeof *theta);
}

static const char *const act_names[] = { "sigmoid", "tanh", "relu", "linear", "jumprelu" };
static const char *const loss_names[] = { "mse", "bce", "nmse" };
static const char *const kl_tanh_names[] = { "rescale", "raw" };
static const char *const reduction_names[] = { "sum", "mean" };
static const char *const bdec_init_names[] = { "zero", "mean", "median" };

const char *sae_act_name(SaeAct a) { return act_names[a]; }
const char *sae_loss_name(SaeLoss l) { return loss_names[l]; }
const char *sae_kl_tanh_name(SaeKlTanh k) { return kl_tanh_names[k]; }
const char *sae_reduction_name(SaeReduction r) { return reduction_names[r]; }
const char *sae_bdec_init_name(SaeBdecInit b) { return bdec_init_names[b]; }

static int lookup(const char *s, const char *const *names, int count)
{
    for (int i = 0; i < count; i++)
        if (!strcmp(s, names[i]))
            return i;
    return -1;
}

int sae_act_parse(const char *s, SaeAct *a)
{
    const int i = lookup(s, act_names, 5);
    if (i < 0)
        return -1;
    *a = (SaeAct)i;
    return 0;
}

int sae_loss_parse(const char *s, SaeLoss *l)
{
    const int i = lookup(s, loss_names, 3);
    if (i < 0)
        return -1;
    *l = (SaeLoss)i;
    return 0;
}

int sae_kl_tanh_parse(const char *s, SaeKlTanh *k)
{
    const int i = lookup(s, kl_tanh_names, 2);
    if (i < 0)
        return -1;
    *k = (SaeKlTanh)i;
    return 0;
}

int sae_reduction_parse(const char *s, SaeReduction *r)
{
    const int i = lookup(s, reduction_names, 2);
    if (i < 0)
        return -1;
    *r = (SaeReduction)i;
    return 0;
}

/* core/MODEL.md §3 [reduction]: mean averages the squared error over the
 * m n entries without the 1/2, the cross-entropy over the entries, and
 * drops the 1/2 of [l2]. */
double sae_recon_scale(const SaeConfig *c)
{
    if (c->reduction == SAE_RED_SUM || c->loss == SAE_LOSS_NMSE) /* nmse: a ratio per sample already */
        return 1;
    return (c->loss == SAE_LOSS_MSE ? 2.0 : 1.0) / (double)c->n_in;
}

double sae_l2_scale(const SaeConfig *c) { return c->reduction == SAE_RED_SUM ? 0.5 : 1.0; }
double sae_l2_grad_scale(const SaeConfig *c) { return 2 * sae_l2_scale(c) * c->lambda; }

int sae_bdec_init_parse(const char *s, SaeBdecInit *b)
{
    const int i = lookup(s, bdec_init_names, 3);
    if (i < 0)
        return -1;
    *b = (SaeBdecInit)i;
    return 0;
}
