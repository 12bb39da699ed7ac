/* Optimiser update rules against hand-computed steps; L-BFGS on Rosenbrock
 * and on a small autoencoder; determinism of training. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu.h"
#include "core/lbfgs.h"
#include "core/rng.h"
#include "core/train.h"
#include "tests/common.h"

Test(optim, sgd_momentum_step_by_hand)
{
    /* v = 0.9 * [0.2, 0] + [0.5, 0.1] = [0.68, 0.1]; theta -= 0.1 v */
    double th[2] = { 1, -2 }, g[2] = { 0.5, 0.1 }, v[2] = { 0.2, 0 };
    test_kernels()->f64.sgd_step(2, 0.1, 0.9, 0, 0, g, v, th);
    cr_expect(close_enough(v[0], 0.68, 1e-15, 0) && close_enough(v[1], 0.1, 1e-15, 0));
    cr_expect(close_enough(th[0], 0.932, 1e-15, 0) && close_enough(th[1], -2.01, 1e-15, 0));
    float thf[2] = { 1, -2 }, gf[2] = { 0.5f, 0.1f }, vf[2] = { 0.2f, 0 };
    test_kernels()->f32.sgd_step(2, 0.1f, 0.9f, 0, 0, gf, vf, thf);
    cr_expect(close_enough(thf[0], 0.932, 1e-6, 0) && close_enough(thf[1], -2.01, 1e-6, 0));
}

Test(optim, adam_two_steps_by_hand)
{
    /* Step 1, g = 0.5: m = 0.05, v = 0.00025, m^ = 0.5, v^ = 0.25,
     * theta = 1 - 1e-3 * 0.5 / (0.5 + 1e-8).
     * Step 2, g = -0.2: m = 0.045 - 0.02 = 0.025, v = 0.00024975 + 0.00004 = 0.00028975,
     * m^ = 0.025 / 0.19, v^ = 0.00028975 / 0.001999, theta -= 1e-3 m^ / (sqrt(v^) + 1e-8). */
    double th = 1, m = 0, v = 0, g = 0.5;
    test_kernels()->f64.adam_step(1, 1e-3, 0.9, 0.999, 1e-8, 1 - 0.9, 1 - 0.999, 0, 0, &g, &m, &v, &th);
    const double th1 = 1 - 1e-3 * 0.5 / (0.5 + 1e-8);
    cr_expect(close_enough(m, 0.05, 1e-16, 1e-14) && close_enough(v, 0.00025, 1e-18, 1e-14));
    cr_expect(close_enough(th, th1, 1e-15, 0), "theta %.17g want %.17g", th, th1);
    g = -0.2;
    test_kernels()->f64.adam_step(1, 1e-3, 0.9, 0.999, 1e-8, 1 - 0.81, 1 - 0.998001, 0, 0, &g, &m, &v, &th);
    const double mh = 0.025 / 0.19, vh = 0.00028975 / 0.001999;
    cr_expect(close_enough(m, 0.025, 1e-16, 1e-13) && close_enough(v, 0.00028975, 1e-18, 1e-13));
    cr_expect(close_enough(th, th1 - 1e-3 * mh / (sqrt(vh) + 1e-8), 1e-15, 0));
}

/* The extended Rosenbrock function of n (even) variables. */
static double rosenbrock(void *ctx, const double *x, double *g)
{
    const size_t n = *(const size_t *)ctx;
    double f = 0;
    for (size_t i = 0; i < n; i += 2) {
        const double a = x[i + 1] - x[i] * x[i], b = 1 - x[i];
        f += 100 * a * a + b * b;
        g[i] = -400 * x[i] * a - 2 * b;
        g[i + 1] = 200 * a;
    }
    return f;
}

Test(optim, lbfgs_minimises_rosenbrock)
{
    for (size_t n = 2; n <= 20; n += 18) {
        double x[20];
        for (size_t i = 0; i < n; i += 2) {
            x[i] = -1.2;
            x[i + 1] = 1;
        }
        SaeLbfgsOpts o = sae_lbfgs_defaults();
        o.tol_fun = 1e-9;
        o.tol_x = 1e-14; /* minFunc's 1e-9 stops at |x - 1| ~ 4e-5 on Rosenbrock */
        SaeLbfgsResult r;
        sae_lbfgs(rosenbrock, &n, x, n, &o, &r);
        for (size_t i = 0; i < n; i++)
            cr_expect(fabs(x[i] - 1) < 1e-5, "n=%zu x[%zu] = %.9g (%s after %u iterations)", n, i, x[i],
                      sae_lbfgs_status_name(r.status), r.iters);
        cr_expect(r.f < 1e-10, "f = %g", r.f);
        cr_expect_lt(r.iters, 200u, "Rosenbrock should take well under 200 iterations, took %u", r.iters);
    }
}

static double quadratic_nan(void *ctx, const double *x, double *g)
{
    (void)ctx;
    g[0] = 2 * (x[0] - 3);
    return x[0] > 10 ? NAN : (x[0] - 3) * (x[0] - 3); /* NaN beyond 10: the search must back off */
}

Test(optim, lbfgs_line_search_backs_off_nan)
{
    double x = -20;
    SaeLbfgsOpts o = sae_lbfgs_defaults();
    SaeLbfgsResult r;
    sae_lbfgs(quadratic_nan, NULL, &x, 1, &o, &r);
    cr_expect(fabs(x - 3) < 1e-6, "x = %g (%s)", x, sae_lbfgs_status_name(r.status));
}

/* A small data set in (0, 1). */
static double *toy_data(size_t m, size_t n, uint32_t seed)
{
    double *x = malloc(m * n * sizeof(double));
    SaeRng r;
    sae_rng_seed(&r, seed);
    for (size_t i = 0; i < m * n; i++) x[i] = 0.1 + 0.8 * sae_rng_uniform(&r);
    return x;
}

/* The small model of these tests: the defaults at 9 inputs -> 5 hidden. */
static SaeConfig toy_config(void)
{
    SaeConfig c = sae_config_default();
    c.n_in = 9;
    c.n_hidden = 5;
    return c;
}

/* Initial weights of c (seed), malloc'd; *P gets their count. */
static double *start_theta(const SaeConfig *c, uint32_t seed, size_t *P)
{
    SaeLayout l;
    sae_layout(c, &l);
    double *th = malloc(l.total * sizeof(double));
    cr_assert_not_null(th);
    sae_init_params(c, seed, th);
    *P = l.total;
    return th;
}

Test(optim, lbfgs_trains_small_autoencoder)
{
    SaeConfig c = toy_config();
    c.beta = 3;
    c.rho = 0.1;
    c.lambda = 1e-3;
    const size_t m = 40;
    double *x = toy_data(m, 9, 3);
    size_t P;
    double *th = start_theta(&c, 1, &P), *g = malloc(P * sizeof(double));
    SaeTerms t0, t1;
    sae_evaluate(&c, SAE_PREC_DOUBLE, test_kernels(), th, x, m, &t0, NULL, NULL);
    SaeTrainOpts o = sae_train_defaults();
    o.optimizer = SAE_OPT_LBFGS;
    o.precision = SAE_PREC_DOUBLE;
    o.iters = 1000;
    o.max_fevals = 3000;
    SaeTrainResult r;
    cr_assert_eq(sae_train(&c, &o, test_kernels(), x, m, th, &r), SAE_TRAIN_OK);
    sae_evaluate(&c, SAE_PREC_DOUBLE, test_kernels(), th, x, m, &t1, g, NULL);
    double gmax = 0;
    for (size_t i = 0; i < P; i++) gmax = fmax(gmax, fabs(g[i]));
    cr_expect_lt(t1.loss, 0.5 * t0.loss, "loss %g -> %g", t0.loss, t1.loss);
    cr_expect_lt(gmax, 1e-4, "max |g| = %g at the end (%s)", gmax, r.stop_reason);
    free(x);
    free(th);
    free(g);
}

static void train_once(SaeOptimizer opt, SaePrecision p, uint32_t seed, double *th, size_t P)
{
    SaeConfig c = toy_config();
    c.beta = 1;
    c.rho = 0.2;
    double *x = toy_data(50, 9, 5);
    SaeTrainOpts o = sae_train_defaults();
    o.optimizer = opt;
    o.precision = p;
    o.seed = seed;
    o.epochs = 5;
    o.iters = 20;
    o.batch = 8;
    o.lr = opt == SAE_OPT_SGD ? 0.1 : 1e-2;
    SaeTrainResult r;
    sae_init_params(&c, seed, th);
    cr_assert_eq(sae_train(&c, &o, test_kernels(), x, 50, th, &r), SAE_TRAIN_OK);
    (void)P;
    free(x);
}

Test(optim, same_seed_gives_identical_bytes)
{
    SaeConfig c = toy_config();
    SaeLayout l;
    sae_layout(&c, &l);
    double *a = malloc(l.total * sizeof(double)), *b = malloc(l.total * sizeof(double));
    for (int opt = SAE_OPT_SGD; opt <= SAE_OPT_LBFGS; opt++)
        for (int p = 0; p < 2; p++) {
            train_once((SaeOptimizer)opt, (SaePrecision)p, 11, a, l.total);
            train_once((SaeOptimizer)opt, (SaePrecision)p, 11, b, l.total);
            cr_expect_eq(memcmp(a, b, l.total * sizeof(double)), 0, "%s %s: two runs differ",
                         sae_optimizer_name((SaeOptimizer)opt), sae_precision_name((SaePrecision)p));
            train_once((SaeOptimizer)opt, (SaePrecision)p, 12, b, l.total);
            cr_expect_neq(memcmp(a, b, l.total * sizeof(double)), 0, "%s: the seed changes nothing",
                          sae_optimizer_name((SaeOptimizer)opt));
        }
    free(a);
    free(b);
}

Test(optim, minibatch_training_reduces_loss)
{
    SaeConfig c = toy_config();
    double *x = toy_data(200, 9, 8);
    SaeLayout l;
    sae_layout(&c, &l);
    double *th = malloc(l.total * sizeof(double));
    for (int opt = SAE_OPT_SGD; opt <= SAE_OPT_ADAM; opt++) {
        sae_init_params(&c, 4, th);
        SaeTerms t0, t1;
        sae_evaluate(&c, SAE_PREC_FLOAT, test_kernels(), th, x, 200, &t0, NULL, NULL);
        SaeTrainOpts o = sae_train_defaults();
        o.optimizer = (SaeOptimizer)opt;
        o.lr = opt == SAE_OPT_SGD ? 0.5 : 1e-2;
        o.epochs = 50;
        SaeTrainResult r;
        cr_assert_eq(sae_train(&c, &o, test_kernels(), x, 200, th, &r), SAE_TRAIN_OK);
        cr_expect_eq(r.epochs, 50u);
        cr_expect_eq(r.iters, 50u * 7u, "200 rows in batches of 32 is 7 steps an epoch");
        sae_evaluate(&c, SAE_PREC_FLOAT, test_kernels(), th, x, 200, &t1, NULL, NULL);
        cr_expect_lt(t1.loss, 0.7 * t0.loss, "%s: loss %g -> %g", sae_optimizer_name(o.optimizer), t0.loss, t1.loss);
    }
    free(th);
    free(x);
}

/* One full-batch SGD step without momentum is theta - lr G, G the whole
 * gradient (sae_evaluate's, penalties included): the weight penalties the
 * trainer leaves to the step's pass are added once, on the weights alone,
 * tied or not. lambda and l1 are large, so a penalty dropped or counted
 * twice moves theta by far more than the tolerance. */
Test(optim, sgd_step_adds_the_weight_penalties_once)
{
    const size_t m = 40;
    double *x = toy_data(m, 9, 11);
    for (int tied = 0; tied <= 1; tied++) {
        SaeConfig c = toy_config();
        c.tied = tied;
        c.lambda = 0.3;
        c.l1_weight = 0.05;
        cr_assert(sae_step_takes_wpen(&c));
        size_t P;
        double *th = start_theta(&c, 5, &P), *th0 = malloc(P * sizeof(double)), *g = malloc(P * sizeof(double));
        cr_assert(th0 && g);
        memcpy(th0, th, P * sizeof(double));
        SaeTerms t;
        cr_assert_eq(sae_evaluate(&c, SAE_PREC_DOUBLE, test_kernels(), th0, x, m, &t, g, NULL), 0);
        SaeTrainOpts o = sae_train_defaults();
        o.precision = SAE_PREC_DOUBLE;
        o.optimizer = SAE_OPT_SGD;
        o.lr = 0.1;
        o.momentum = 0;
        o.batch = m;
        o.epochs = 1;
        SaeTrainResult r;
        cr_assert_eq(sae_train(&c, &o, test_kernels(), x, m, th, &r), SAE_TRAIN_OK);
        cr_assert_eq(r.iters, 1u);
        for (size_t i = 0; i < P; i++) /* the shuffled rows change the sums' order only */
            cr_expect(close_enough(th[i], th0[i] - 0.1 * g[i], 1e-13, 1e-12), "tied %d: theta[%zu] = %.17g, want %.17g",
                      tied, i, th[i], th0[i] - 0.1 * g[i]);
        free(th);
        free(th0);
        free(g);
    }
    free(x);
}

Test(optim, divergence_is_reported)
{
    SaeConfig c = toy_config();
    c.decoder = SAE_ACT_LINEAR;
    c.encoder = SAE_ACT_RELU;
    double *x = toy_data(64, 9, 8);
    for (size_t i = 0; i < 64 * 9; i++) x[i] *= 1e3;
    size_t P;
    double *th = start_theta(&c, 4, &P);
    SaeTrainOpts o = sae_train_defaults();
    o.optimizer = SAE_OPT_SGD;
    o.lr = 10;
    SaeTrainResult r;
    cr_expect_eq(sae_train(&c, &o, test_kernels(), x, 64, th, &r), SAE_TRAIN_DIVERGED);
    cr_expect(r.diverged);
    free(th);
    free(x);
}

/* The training curve under every kernel level this CPU and build have
 * agrees with the scalar reference's within float tolerance. */
typedef struct Curve {
    double loss[32];
    unsigned n;
} Curve;

static void record(void *ctx, unsigned done, unsigned total, double loss)
{
    (void)total;
    Curve *c = ctx;
    if (done <= 32)
        c->loss[done - 1] = loss;
    c->n = done;
}

Test(optim, training_curves_agree_across_isa_levels)
{
    SaeConfig c = sae_config_default();
    c.n_in = 37;
    c.n_hidden = 19;
    c.beta = 0.5;
    c.rho = 0.1;
    c.lambda = 1e-4;
    double *x = toy_data(300, 37, 21);
    SaeLayout l;
    sae_layout(&c, &l);
    double *th = malloc(l.total * sizeof(double));
    const unsigned levels[] = { 0, SAE_CPU_AVX2, SAE_CPU_AVX2 | SAE_CPU_AVX512, SAE_CPU_ALL };
    Curve ref = { 0 };
    for (int lv = 0; lv < 4; lv++) {
        SaeKernels k;
        sae_kernels_init(&k, sae_cpu_detect() & levels[lv]);
        if (lv > 0 && k.flags != (sae_cpu_detect() & levels[lv]))
            continue; /* a level this build lacks */
        Curve cur = { 0 };
        SaeTrainOpts o = sae_train_defaults();
        o.epochs = 20;
        o.lr = 1e-2;
        o.progress = record;
        o.progress_ctx = lv == 0 ? &ref : &cur;
        SaeTrainResult r;
        sae_init_params(&c, 3, th);
        cr_assert_eq(sae_train(&c, &o, &k, x, 300, th, &r), SAE_TRAIN_OK);
        if (lv == 0)
            continue;
        cr_assert_eq(cur.n, ref.n);
        for (unsigned e = 0; e < cur.n; e++)
            cr_expect(close_enough(cur.loss[e], ref.loss[e], 0, 1e-4), "%s epoch %u: loss %.9g, scalar %.9g",
                      sae_cpu_level_name(k.flags), e + 1, cur.loss[e], ref.loss[e]);
    }
    free(th);
    free(x);
}

/* An evaluation without a gradient runs in chunks of rows (core/train.c);
 * its terms and rho-hat must be those of one batch of all the rows (the
 * path with a gradient), every term switched on, more rows than a chunk. */
Test(optim, chunked_evaluation_matches_one_batch)
{
    SaeConfig c = toy_config();
    c.beta = 3;
    c.rho = 0.1;
    c.lambda = 1e-3;
    c.l1_weight = 1e-3;
    c.l1_activity = 0.01;
    c.gamma = 0.1;
    const size_t m = 9001;
    double *x = toy_data(m, 9, 5);
    size_t P;
    double *th = start_theta(&c, 6, &P), *g = malloc(P * sizeof(double));
    for (int p = SAE_PREC_FLOAT; p <= SAE_PREC_DOUBLE; p++) {
        const double tol = p == SAE_PREC_DOUBLE ? 1e-12 : 1e-5;
        SaeTerms tc, tb;
        double rc[5], rb[5];
        cr_assert_eq(sae_evaluate(&c, (SaePrecision)p, test_kernels(), th, x, m, &tc, NULL, rc), 0);
        cr_assert_eq(sae_evaluate(&c, (SaePrecision)p, test_kernels(), th, x, m, &tb, g, rb), 0);
        const double got[] = { tc.loss, tc.recon, tc.l2, tc.l1w, tc.l1a, tc.kl, tc.cae };
        const double want[] = { tb.loss, tb.recon, tb.l2, tb.l1w, tb.l1a, tb.kl, tb.cae };
        for (int i = 0; i < 7; i++)
            cr_expect(close_enough(got[i], want[i], tol * 1e-3, tol), "%s: term %d: chunks %.17g, one batch %.17g",
                      sae_precision_name((SaePrecision)p), i, got[i], want[i]);
        for (int j = 0; j < 5; j++)
            cr_expect(close_enough(rc[j], rb[j], tol * 1e-3, tol), "rho-hat %d: %.17g vs %.17g", j, rc[j], rb[j]);
        cr_expect_gt(tc.cae, 0);
        cr_expect_gt(tc.l1a, 0);
    }
    free(th);
    free(g);
    free(x);
}

/* The line search's accept/reject decisions where they matter: a step
 * that raises f by any amount fails sufficient decrease, however small
 * c1 t |g'd|; a step whose slope is still steeply downhill (or steeply
 * uphill) fails the strong-Wolfe curvature test. */
Test(lbfgs, wolfe_decisions)
{
    const double f0 = 10, gtd0 = -4, c1 = 1e-4, c2 = 0.9;
    cr_expect(sae_wolfe_armijo(f0, gtd0, 1, 9.0, c1), "a clear decrease");
    cr_expect(sae_wolfe_armijo(f0, gtd0, 1, f0 - c1 * 4, c1), "exactly the required decrease");
    cr_expect_not(sae_wolfe_armijo(f0, gtd0, 1, f0 - c1 * 2, c1), "less decrease than c1 t |g'd|");
    cr_expect_not(sae_wolfe_armijo(f0, gtd0, 1, f0 + c1 * 2, c1), "an increase of c1 t |g'd| / 2");
    cr_expect_not(sae_wolfe_armijo(f0, gtd0, 0.5, f0 + 1e-9, c1), "any increase");
    cr_expect(sae_wolfe_curvature(gtd0, -0.1, c2), "a flat slope");
    cr_expect(sae_wolfe_curvature(gtd0, 3.5, c2), "a gently rising slope");
    cr_expect_not(sae_wolfe_curvature(gtd0, -3.9, c2), "still steeply downhill: step further");
    cr_expect_not(sae_wolfe_curvature(gtd0, -8, c2), "steeper downhill than at the start");
    cr_expect_not(sae_wolfe_curvature(gtd0, 3.7, c2), "overshot: steeply uphill");
}

/* The trainer's first Adam steps against Adam written out here (Kingma &
 * Ba, Algorithm 1, with the bias corrections 1 - beta^t): a full batch, so
 * each epoch is one step on the gradient of all rows. Without the
 * corrections the first step would be ~3x longer. */
Test(optim, adam_trajectory_follows_the_algorithm)
{
    SaeConfig c = toy_config();
    c.beta = 1;
    c.rho = 0.2;
    c.lambda = 1e-3;
    const size_t m = 30;
    double *x = toy_data(m, 9, 7);
    size_t P;
    double *th = start_theta(&c, 3, &P), *ref = malloc(P * sizeof(double)), *g = malloc(P * sizeof(double));
    double *mo = calloc(P, sizeof(double)), *v = calloc(P, sizeof(double));
    memcpy(ref, th, P * sizeof(double));
    SaeTrainOpts o = sae_train_defaults();
    o.optimizer = SAE_OPT_ADAM;
    o.precision = SAE_PREC_DOUBLE;
    o.batch = m;
    o.epochs = 4;
    o.lr = 1e-2;
    SaeTrainResult r;
    cr_assert_eq(sae_train(&c, &o, test_kernels(), x, m, th, &r), SAE_TRAIN_OK);
    const double b1 = o.adam_beta1, b2 = o.adam_beta2, eps = o.adam_eps;
    for (int t = 1; t <= 4; t++) {
        SaeTerms terms;
        cr_assert_eq(sae_evaluate(&c, SAE_PREC_DOUBLE, test_kernels(), ref, x, m, &terms, g, NULL), 0);
        for (size_t i = 0; i < P; i++) {
            mo[i] = b1 * mo[i] + (1 - b1) * g[i];
            v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
            const double mhat = mo[i] / (1 - pow(b1, t)), vhat = v[i] / (1 - pow(b2, t));
            ref[i] -= o.lr * mhat / (sqrt(vhat) + eps);
        }
    }
    double worst = 0;
    for (size_t i = 0; i < P; i++) worst = fmax(worst, fabs(th[i] - ref[i]));
    cr_expect_lt(worst, 1e-9, "trainer and hand-written Adam differ by %g after 4 steps", worst);
    free(x);
    free(th);
    free(ref);
    free(g);
    free(mo);
    free(v);
}

/* toy_config with relu units and a linear decoder (the dictionary-learning
 * models' pair) and n_hidden units. */
static SaeConfig relu_linear_config(size_t hidden)
{
    SaeConfig c = toy_config();
    c.n_hidden = hidden;
    c.encoder = SAE_ACT_RELU;
    c.decoder = SAE_ACT_LINEAR;
    return c;
}

/* The atoms of c in theta: W2^T's rows, or W1's when tied. */
static double atom_entry(const SaeConfig *c, const double *th, size_t j, size_t d)
{
    SaeLayout l;
    sae_layout(c, &l);
    return th[l.dec + j * c->n_in + d];
}

/* [unit-norm] by hand: project leaves each atom's gradient orthogonal to
 * the atom and every other entry as it was; normalise gives norm 1. */
Test(optim, unit_norm_project_and_normalise)
{
    for (int tied = 0; tied < 2; tied++) {
        SaeConfig c = toy_config();
        c.tied = tied;
        c.unit_norm = 1;
        size_t P;
        double *th = start_theta(&c, 21, &P), *g = malloc(P * sizeof(double)), *g0 = malloc(P * sizeof(double));
        SaeRng r;
        sae_rng_seed(&r, 22);
        for (size_t i = 0; i < P; i++) g[i] = g0[i] = sae_rng_gauss(&r);
        sae_atoms_normalise_f64(&c, &test_kernels()->f64, th);
        sae_atoms_project_f64(&c, &test_kernels()->f64, th, g);
        SaeLayout l;
        sae_layout(&c, &l);
        const size_t atoms = l.dec, len = c.n_in * c.n_hidden;
        for (size_t j = 0; j < c.n_hidden; j++) {
            double norm = 0, along = 0, along0 = 0;
            for (size_t d = 0; d < c.n_in; d++) {
                const double a = atom_entry(&c, th, j, d);
                norm += a * a;
                along += a * atom_entry(&c, g, j, d);
                along0 += a * atom_entry(&c, g0, j, d);
            }
            cr_expect(fabs(norm - 1) < 1e-14, "tied %d atom %zu: norm^2 %.17g", tied, j, norm);
            cr_expect(fabs(along) < 1e-14, "tied %d atom %zu: gradient along it %g", tied, j, along);
            /* the removed part is exactly along the atom: g0 - g = (g0 . a) a */
            for (size_t d = 0; d < c.n_in; d++)
                cr_expect(fabs(atom_entry(&c, g0, j, d) - atom_entry(&c, g, j, d) - along0 * atom_entry(&c, th, j, d)) <
                              1e-14,
                          "tied %d atom %zu entry %zu", tied, j, d);
        }
        for (size_t i = 0; i < P; i++)
            if (i < atoms || i >= atoms + len)
                cr_expect_eq(g[i], g0[i], "tied %d: entry %zu outside the atoms changed", tied, i);
        free(th);
        free(g);
        free(g0);
    }
}

/* Trained with --unit-norm (sgd and adam, float and double), the atoms end
 * at norm 1; with init_transpose W2 starts as W1^T; L-BFGS is refused. */
Test(optim, unit_norm_training_keeps_atoms_unit)
{
    SaeConfig c = relu_linear_config(5);
    c.unit_norm = 1;
    c.init_transpose = 1;
    size_t P;
    double *th = start_theta(&c, 31, &P), *x = toy_data(60, 9, 32);
    for (size_t j = 0; j < c.n_hidden; j++)
        for (size_t d = 0; d < c.n_in; d++) cr_expect_eq(th[j * c.n_in + d], atom_entry(&c, th, j, d), "W2 != W1^T");
    for (int opt = SAE_OPT_SGD; opt <= SAE_OPT_ADAM; opt++)
        for (int p = 0; p < 2; p++) {
            sae_init_params(&c, 31, th);
            SaeTrainOpts o = sae_train_defaults();
            o.optimizer = (SaeOptimizer)opt;
            o.precision = (SaePrecision)p;
            o.epochs = 5;
            o.lr = opt == SAE_OPT_SGD ? 0.05 : 1e-2;
            SaeTrainResult r;
            cr_assert_eq(sae_train(&c, &o, test_kernels(), x, 60, th, &r), SAE_TRAIN_OK);
            for (size_t j = 0; j < c.n_hidden; j++) {
                double norm = 0;
                for (size_t d = 0; d < c.n_in; d++) norm += atom_entry(&c, th, j, d) * atom_entry(&c, th, j, d);
                cr_expect(fabs(sqrt(norm) - 1) < (p ? 1e-12 : 1e-6), "%s %s atom %zu: norm %.9g",
                          sae_optimizer_name(o.optimizer), sae_precision_name(o.precision), j, sqrt(norm));
            }
        }
    SaeTrainOpts lb = sae_train_defaults();
    lb.optimizer = SAE_OPT_LBFGS;
    cr_expect_not_null(sae_train_problem(&c, &lb));
    cr_expect_null(sae_train_problem(&c, &(SaeTrainOpts){ .optimizer = SAE_OPT_ADAM }));
    free(th);
    free(x);
}

/* Units 0 and 1 of a 4-unit relu model made unable to fire (W1 rows 0,
 * bias -5: relu passes them no gradient), units 2 and 3 always firing
 * (bias +5), on top of the seeded start th. */
static void two_dead_units(const SaeConfig *c, double *th)
{
    SaeLayout l;
    sae_layout(c, &l);
    for (size_t j = 0; j < 2; j++) {
        for (size_t d = 0; d < c->n_in; d++) th[l.w1 + j * c->n_in + d] = 0;
        th[l.b1 + j] = -5;
        th[l.b1 + j + 2] = 5;
    }
}

/* train_dead_frac: relu units 0 and 1 start with W1 rows 0 and bias -5, so
 * relu passes them no gradient and they never fire; units 2 and 3 (bias
 * +5) fire on every sample. Half are dead; a window longer than training
 * or L-BFGS report NaN. */
Test(optim, dead_latents_over_the_window)
{
    SaeConfig c = relu_linear_config(4);
    size_t P;
    double *th = start_theta(&c, 41, &P), *x = toy_data(40, 9, 42);
    SaeTrainOpts o = sae_train_defaults();
    o.epochs = 3;
    o.batch = 8;
    const size_t windows[] = { 0, 120, 121 };
    for (size_t t = 0; t < 3; t++) {
        sae_init_params(&c, 41, th);
        two_dead_units(&c, th);
        o.dead_window = windows[t];
        SaeTrainResult r;
        cr_assert_eq(sae_train(&c, &o, test_kernels(), x, 40, th, &r), SAE_TRAIN_OK);
        if (t < 2)
            cr_expect_eq(r.dead_frac, 0.5, "window %zu: %g", windows[t], r.dead_frac);
        else
            cr_expect(isnan(r.dead_frac), "120 samples seen, window 121: %g", r.dead_frac);
    }
    o.optimizer = SAE_OPT_LBFGS;
    o.iters = 3;
    SaeTrainResult r;
    cr_assert_eq(sae_train(&c, &o, test_kernels(), x, 40, th, &r), SAE_TRAIN_OK);
    cr_expect(isnan(r.dead_frac), "L-BFGS has no steps to count over");
    free(th);
    free(x);
}

/* BatchTopK's threshold (core/MODEL.md [batchtopk]): one Adam step over all
 * 40 rows moves it from 0 to 0.01 x the smallest positive activation that
 * step kept, which the objective at the initial weights shows. */
Test(optim, batch_topk_threshold_follows_the_smallest_kept)
{
    SaeConfig c = relu_linear_config(6);
    c.topk = 2;
    c.batch_topk = 1;
    size_t P;
    double *th = start_theta(&c, 51, &P), *x = toy_data(40, 9, 52);
    SaeLayout l;
    sae_layout(&c, &l);
    for (size_t j = 0; j < c.n_hidden; j++) th[l.b1 + j] = 0.1; /* more positive than kept */
    SaeWorkF64 *w = sae_work_new_f64(&c, 40);
    w->training = 1;
    sae_objective_f64(&c, &test_kernels()->f64, w, th, x, 40, NULL, NULL);
    double lo = INFINITY;
    size_t kept = 0;
    for (size_t e = 0; e < 40 * c.n_hidden; e++)
        if (w->h[e] > 0) {
            lo = fmin(lo, w->h[e]);
            kept++;
        }
    cr_assert_eq(kept, 80u, "K m = 80 positive activations kept");
    sae_work_free_f64(w);
    SaeTrainOpts o = sae_train_defaults();
    o.precision = SAE_PREC_DOUBLE;
    o.epochs = 1;
    o.batch = 40;
    SaeTrainResult r;
    cr_assert_eq(sae_train(&c, &o, test_kernels(), x, 40, th, &r), SAE_TRAIN_OK);
    cr_expect(fabs(r.threshold - 0.01 * lo) < 1e-15, "threshold %.17g, want %.17g", r.threshold, 0.01 * lo);
    o.optimizer = SAE_OPT_LBFGS;
    cr_expect_not_null(sae_train_problem(&c, &o), "L-BFGS has no minibatches to select over");
    free(th);
    free(x);
}

/* [resample]: the two units of dead_latents_over_the_window that cannot
 * fire get a new start at step 5 (one epoch, the window): encoder rows
 * along a (positive) data row, bias 0, so they fire from then on; a unit
 * is never resampled within resample_every steps of the end. */
Test(optim, resampling_revives_dead_units)
{
    SaeConfig c = relu_linear_config(4);
    size_t P;
    double *th = start_theta(&c, 41, &P), *x = toy_data(40, 9, 42);
    SaeLayout l;
    sae_layout(&c, &l);
    two_dead_units(&c, th);
    SaeTrainOpts o = sae_train_defaults();
    o.epochs = 3;
    o.batch = 8;
    o.resample_every = 5;
    SaeTrainResult r;
    cr_assert_eq(sae_train(&c, &o, test_kernels(), x, 40, th, &r), SAE_TRAIN_OK);
    cr_expect_eq(r.resampled, 2u, "units 0 and 1, once (step 10 finds them alive; step 15 is the last)");
    cr_expect_eq(r.dead_frac, 0, "dead after resampling: %g", r.dead_frac);
    for (size_t j = 0; j < 2; j++) {
        double norm = 0;
        for (size_t d = 0; d < c.n_in; d++) norm += th[l.w1 + j * c.n_in + d] * th[l.w1 + j * c.n_in + d];
        cr_expect_gt(norm, 0, "unit %zu's encoder row is still 0", j);
    }
    free(th);
    free(x);
}
