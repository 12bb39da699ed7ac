/* Training and evaluation: the dispatch between the optimiser loops of
 * float and double (core/train_loops.h), the defaults and the names. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/linalg.h"
#include "core/safe_alloc.h"
#include "core/train.h"
#include "core/train_loops.h"

SaeTrainOpts sae_train_defaults(void)
{
    return (SaeTrainOpts){
        .optimizer = SAE_OPT_ADAM,
        .precision = SAE_PREC_FLOAT,
        .lr = 1e-3,
        .momentum = 0.9,
        .adam_beta1 = 0.9,
        .adam_beta2 = 0.999,
        .adam_eps = 1e-8,
        .batch = 32,
        .epochs = 100,
        .iters = 400,
        .lbfgs_memory = 100,
        .max_fevals = 1000,
        .seed = 42,
    };
}

const char *sae_train_problem(const SaeConfig *c, const SaeTrainOpts *o)
{
    if (c->unit_norm && o->optimizer == SAE_OPT_LBFGS)
        return "--unit-norm needs --optimizer sgd or adam (L-BFGS's line search cannot follow the renormalisation)";
    if (c->l0_penalty != 0 && c->encoder != SAE_ACT_JUMPRELU)
        return "--l0-penalty needs --encoder jumprelu (only its thresholds carry the penalty's gradient)";
    if (c->encoder == SAE_ACT_JUMPRELU && c->gamma != 0)
        return "--encoder jumprelu cannot be trained with --gamma (its Jacobian would need a gradient through the "
               "thresholds)";
    if (c->aux_k && o->optimizer == SAE_OPT_LBFGS)
        return "--aux-k needs --optimizer sgd or adam (the dead units are counted over minibatch steps)";
    if (c->batch_topk && o->optimizer == SAE_OPT_LBFGS)
        return "--batch-topk needs --optimizer sgd or adam (its selection and threshold are per minibatch)";
    return NULL;
}

int sae_init_bdec(const SaeConfig *c, const SaeSamples *s, double *theta)
{
    if (c->bdec_init == SAE_BDEC_ZERO)
        return 0;
    SaeLayout l;
    sae_layout(c, &l);
    const size_t rows = s->m < 4096 ? s->m : 4096, n = c->n_in;
    double *b2 = theta + l.b2, *own = NULL;
    const double *x = s->x;
    if (!x) { /* float rows: those few widened */
        if (!(own = sae_alloc_array2(rows, n, sizeof(double))))
            return -1;
        for (size_t i = 0; i < rows * n; i++) own[i] = s->xf[i];
        x = own;
    }
    int rc = 0;
    if (c->bdec_init == SAE_BDEC_MEDIAN)
        rc = sae_geometric_median(x, rows, n, b2) < 0 ? -1 : 0;
    else
        sae_column_mean(x, rows, n, b2);
    free(own);
    return rc;
}

static const char *const optimizer_names[] = { "sgd", "adam", "lbfgs" };
static const char *const precision_names[] = { "float", "double" };

const char *sae_optimizer_name(SaeOptimizer o) { return optimizer_names[o]; }
const char *sae_precision_name(SaePrecision p) { return precision_names[p]; }

int sae_optimizer_parse(const char *s, SaeOptimizer *o)
{
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, optimizer_names[i])) {
            *o = (SaeOptimizer)i;
            return 0;
        }
    return -1;
}

int sae_precision_parse(const char *s, SaePrecision *p)
{
    for (int i = 0; i < 2; i++)
        if (!strcmp(s, precision_names[i])) {
            *p = (SaePrecision)i;
            return 0;
        }
    return -1;
}

int sae_train_samples(const SaeConfig *c, const SaeTrainOpts *o, const SaeKernels *k, const SaeSamples *s,
                      double *theta, SaeTrainResult *r)
{
    memset(r, 0, sizeof *r);
    r->dead_frac = NAN;
    const double t0 = sae_now();
    const int f64 = o->precision == SAE_PREC_DOUBLE;
    int rc;
    if (o->optimizer == SAE_OPT_LBFGS)
        rc = f64 ? sae_train_lbfgs_f64(c, o, &k->f64, &k->f64, s, theta, r)
                 : sae_train_lbfgs_f32(c, o, &k->f32, &k->f64, s, theta, r);
    else
        rc = f64 ? sae_train_minibatch_f64(c, o, &k->f64, s, theta, r)
                 : sae_train_minibatch_f32(c, o, &k->f32, s, theta, r);
    r->seconds = sae_now() - t0;
    return rc;
}

int sae_train(const SaeConfig *c, const SaeTrainOpts *o, const SaeKernels *k, const double *x, size_t m, double *theta,
              SaeTrainResult *r)
{
    return sae_train_samples(c, o, k, &(SaeSamples){ .x = x, .m = m }, theta, r);
}

int sae_evaluate_samples(const SaeConfig *c, SaePrecision p, const SaeKernels *k, const double *theta,
                         const SaeSamples *s, SaeTerms *terms, SaeTerms *unweighted, double *grad, double *rhohat,
                         double *h, double *xh)
{
    return p == SAE_PREC_DOUBLE ? sae_evaluate_f64(c, &k->f64, theta, s, terms, unweighted, grad, rhohat, h, xh)
                                : sae_evaluate_f32(c, &k->f32, theta, s, terms, unweighted, grad, rhohat, h, xh);
}

int sae_evaluate(const SaeConfig *c, SaePrecision p, const SaeKernels *k, const double *theta, const double *x,
                 size_t m, SaeTerms *terms, double *grad, double *rhohat)
{
    return sae_evaluate_full(c, p, k, theta, x, m, terms, grad, rhohat, NULL, NULL);
}

int sae_evaluate_full(const SaeConfig *c, SaePrecision p, const SaeKernels *k, const double *theta, const double *x,
                      size_t m, SaeTerms *terms, double *grad, double *rhohat, double *h, double *xh)
{
    return sae_evaluate_samples(c, p, k, theta, &(SaeSamples){ .x = x, .m = m }, terms, NULL, grad, rhohat, h, xh);
}
