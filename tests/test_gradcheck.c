/* Central finite-difference gradient checks in double over the full grid:
 * 3 encoders x {sigmoid-mse, linear-mse, sigmoid-bce} x tied/untied x
 * {none, l2, l1w, l1a, kl, cae, all}, at odd sizes (9 inputs, 5 hidden,
 * batch 7). The finite-difference helper itself is checked first. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "core/rng.h"
#include "core/train.h"
#include "tests/common.h"
#include "tests/fdcheck.h"

/* f(x) = 1/2 x^T A x + b^T x with a known gradient A x + b. */
typedef struct Quad {
    double a[9], b[3];
} Quad;
static double quad(void *ctx, const double *x)
{
    const Quad *q = ctx;
    double f = 0;
    for (int i = 0; i < 3; i++) {
        f += q->b[i] * x[i];
        for (int j = 0; j < 3; j++) f += 0.5 * x[i] * q->a[i * 3 + j] * x[j];
    }
    return f;
}

Test(fdcheck, quadratic_gradient_is_exact)
{
    Quad q = { { 4, 1, 0, 1, 3, -2, 0, -2, 5 }, { 1, -2, 0.5 } };
    double x[3] = { 0.3, -1.2, 2.0 }, g[3], want[3];
    for (int i = 0; i < 3; i++) {
        want[i] = q.b[i];
        for (int j = 0; j < 3; j++) want[i] += q.a[i * 3 + j] * x[j];
    }
    fd_gradient(quad, &q, x, 3, 1e-4, g);
    for (int i = 0; i < 3; i++)
        cr_expect(close_enough(g[i], want[i], 1e-8, 1e-8), "g[%d] = %g, want %g", i, g[i], want[i]);
    cr_expect_eq(x[1], -1.2, "theta must be restored");
    /* and the metric notices a wrong coordinate (the I(:,2) bug of UFLDL) */
    double wrong[3] = { want[0], want[0], want[2] };
    cr_expect_gt(fd_relative_error(g, wrong, 3), 1e-2);
}

typedef struct Case {
    SaeConfig cfg;
    size_t m;
    double *x;
    SaeWorkF64 *w;
} Case;

static double objective(void *ctx, const double *theta)
{
    Case *c = ctx;
    return sae_objective_f64(&c->cfg, &test_kernels()->f64, c->w, theta, c->x, c->m, NULL, NULL);
}

enum { PEN_NONE, PEN_L2, PEN_L1W, PEN_L1A, PEN_KL, PEN_CAE, PEN_ALL, PEN_COUNT };
static const char *const pen_names[] = { "none", "l2", "l1w", "l1a", "kl", "cae", "all" };

static void set_penalty(SaeConfig *c, int pen)
{
    if (pen == PEN_L2 || pen == PEN_ALL)
        c->lambda = 0.1;
    if (pen == PEN_L1W || pen == PEN_ALL)
        c->l1_weight = 0.05;
    if (pen == PEN_L1A || pen == PEN_ALL)
        c->l1_activity = 0.1;
    if (pen == PEN_KL || pen == PEN_ALL) {
        c->beta = 3;
        c->rho = 0.1;
    }
    if (pen == PEN_CAE || pen == PEN_ALL)
        c->gamma = 0.5;
}

/* The L1 activity weighted by the decoder norms ([l1a-dec]) in every case
 * check_case builds while set (the l1a_dec_grid test sets it). */
static int l1_dec_norm;

/* path: for TopK, 0 the dense backward pass, 1 the sparse one (§6 [sparse]),
 * 2 BatchTopK in training, 3 the same on the sparse path (64 hidden units);
 * pre: the pre-encoder bias (§2 [pre-bias]). */
static double check_case(SaeAct enc, size_t topk, int path, int pre, int dec_loss, int tied, int pen, SaeReduction red,
                         uint32_t seed)
{
    Case c = { .cfg = sae_config_default(), .m = 7 };
    c.cfg.n_in = 9;
    c.cfg.n_hidden = 5;
    c.cfg.encoder = enc;
    c.cfg.topk = topk;
    c.cfg.pre_bias = pre;
    c.cfg.l1_dec_norm = l1_dec_norm;
    c.cfg.batch_topk = path >= 2;
    if (path == 3) /* BatchTopK's sparse path: rows keeping up to 64 / 8 units */
        c.cfg.n_hidden = 64;
    if (enc == SAE_ACT_JUMPRELU) { /* thresholds that cut into the pre-activations */
        c.cfg.jump_init = 0.1;
        c.cfg.l0_penalty = 0.05;
    }
    /* dec_loss: sigmoid-mse, linear-mse, sigmoid-bce, sigmoid-nmse, linear-nmse */
    c.cfg.decoder = dec_loss == 1 || dec_loss == 4 ? SAE_ACT_LINEAR : SAE_ACT_SIGMOID;
    c.cfg.loss = dec_loss == 2 ? SAE_LOSS_BCE : dec_loss >= 3 ? SAE_LOSS_NMSE : SAE_LOSS_MSE;
    c.cfg.tied = tied;
    c.cfg.reduction = red;
    set_penalty(&c.cfg, pen);
    SaeLayout l;
    sae_layout(&c.cfg, &l);
    double *theta = malloc(l.total * sizeof(double)), *g = malloc(l.total * sizeof(double));
    double *num = malloc(l.total * sizeof(double));
    c.x = malloc(c.m * c.cfg.n_in * sizeof(double));
    SaeRng rng;
    sae_rng_seed(&rng, seed);
    sae_init_params(&c.cfg, seed, theta);
    for (size_t i = l.b1; i < l.total; i++) theta[i] = 0.2 * sae_rng_gauss(&rng); /* nonzero biases */
    for (size_t i = 0; i < c.m * c.cfg.n_in; i++) c.x[i] = 0.05 + 0.9 * sae_rng_uniform(&rng);
    c.w = sae_work_new_f64(&c.cfg, c.m);
    if (topk || enc == SAE_ACT_JUMPRELU) {
        c.w->sparse = path == 1 || path == 3;
        c.w->training = path >= 2;
    }
    if (enc == SAE_ACT_JUMPRELU) /* any row's list of fired and windowed units takes the sparse path */
        c.w->kept_max = c.cfg.n_hidden;
    sae_objective_f64(&c.cfg, &test_kernels()->f64, c.w, theta, c.x, c.m, g, NULL);
    if (enc == SAE_ACT_JUMPRELU && path == 1) { /* sparse unless no unit fired (nothing to list) */
        size_t fired = 0;
        for (size_t i = 0; i < c.m * c.cfg.n_hidden; i++) fired += c.w->h[i] != 0;
        cr_expect(c.w->kept > 0 || !fired, "seed %u: jumprelu's step did not take the sparse path", seed);
    }
    if (path == 3) { /* the row lists: distinct units (the kernels' contract), every kept entry of H among them */
        const size_t K = c.w->kept, k = c.cfg.n_hidden;
        cr_expect_gt(K, 0, "seed %u: the batch's rows kept too many for the sparse path", seed);
        for (size_t i = 0; i < c.m; i++)
            for (size_t j = 0, q; j < k; j++) {
                size_t listed = 0;
                for (q = 0; q < K; q++) listed += c.w->idx[i * K + q] == j;
                cr_expect(listed <= 1 && (c.w->h[i * k + j] == 0 || listed), "seed %u: row %zu unit %zu listed %zu",
                          seed, i, j, listed);
            }
    }
    fd_gradient(objective, &c, theta, l.total, 1e-5, num);
    /* jumprelu's thresholds have a straight-through gradient, not J's
     * (0 almost everywhere): the PyTorch vectors check it */
    const double err = fd_relative_error(num, g, enc == SAE_ACT_JUMPRELU ? l.jt : l.total);
    sae_work_free_f64(c.w);
    free(theta);
    free(g);
    free(num);
    free(c.x);
    return err;
}

Test(gradcheck, full_grid)
{
    static const char *const dl_names[] = { "sigmoid-mse", "linear-mse", "sigmoid-bce" };
    int cases = 0;
    for (int enc = SAE_ACT_SIGMOID; enc <= SAE_ACT_RELU; enc++)
        for (int dl = 0; dl < 3; dl++)
            for (int tied = 0; tied < 2; tied++)
                for (int pen = 0; pen < PEN_COUNT; pen++)
                    for (int red = SAE_RED_SUM; red <= SAE_RED_MEAN; red++) { /* one seed for both */
                        const double err = check_case((SaeAct)enc, 0, 0, 0, dl, tied, pen, (SaeReduction)red,
                                                      1000u + (uint32_t)cases / 2);
                        cr_expect_lt(err, 1e-7, "%s %s %s %s %s: relative error %.3g", sae_act_name((SaeAct)enc),
                                     dl_names[dl], tied ? "tied" : "untied", pen_names[pen],
                                     sae_reduction_name((SaeReduction)red), err);
                        cases++;
                    }
    cr_expect_eq(cases, 252);
}

/* TopK (core/MODEL.md [topk]): the units a sample does not keep pass no
 * gradient, exactly as relu's zeros do; K = 2 of 5 and K = 4 of 5, every
 * decoder, tying, penalty and reduction, through the dense backward pass
 * and the sparse one ([sparse]). */
Test(gradcheck, topk_grid)
{
    static const char *const dl_names[] = { "sigmoid-mse", "linear-mse", "sigmoid-bce" };
    int cases = 0;
    for (int path = 0; path < 2; path++)
        for (size_t K = 2; K <= 4; K += 2)
            for (int dl = 0; dl < 3; dl++)
                for (int tied = 0; tied < 2; tied++)
                    for (int pen = 0; pen < PEN_COUNT; pen++)
                        for (int red = SAE_RED_SUM; red <= SAE_RED_MEAN; red++) {
                            const double err = check_case(SAE_ACT_RELU, K, path, 0, dl, tied, pen, (SaeReduction)red,
                                                          2000u + (uint32_t)cases % 168 / 2);
                            cr_expect_lt(err, 1e-7, "%s top-%zu %s %s %s %s: relative error %.3g",
                                         path ? "sparse" : "dense", K, dl_names[dl], tied ? "tied" : "untied",
                                         pen_names[pen], sae_reduction_name((SaeReduction)red), err);
                            cases++;
                        }
    cr_expect_eq(cases, 336);
}

/* Every decoder/loss pair and tying, with and without the pre-encoder bias,
 * for the penalty sets 0, pen_step, 2 pen_step ... at reduction mean;
 * returns the cases checked. */
static int pre_dl_tied_pen_grid(const char *what, SaeAct enc, size_t topk, int path, int pen_step, uint32_t seed)
{
    static const char *const dl_names[] = { "sigmoid-mse", "linear-mse", "sigmoid-bce" };
    int cases = 0;
    for (int pre = 0; pre < 2; pre++)
        for (int dl = 0; dl < 3; dl++)
            for (int tied = 0; tied < 2; tied++)
                for (int pen = 0; pen < PEN_COUNT; pen += pen_step) {
                    const double err =
                        check_case(enc, topk, path, pre, dl, tied, pen, SAE_RED_MEAN, seed + (uint32_t)cases);
                    cr_expect_lt(err, 1e-7, "%s%s %s %s %s: relative error %.3g", what, pre ? " pre-bias" : "",
                                 dl_names[dl], tied ? "tied" : "untied", pen_names[pen], err);
                    cases++;
                }
    return cases;
}

/* The normalised MSE (core/MODEL.md [recon-nmse]): each row's error over
 * its norm; every encoder, both decoders, tying, no penalty or all of them,
 * and TopK K = 2 of 5 on its sparse path. */
Test(gradcheck, nmse_grid)
{
    static const char *const dl_names[] = { "sigmoid-nmse", "linear-nmse" };
    int cases = 0;
    for (int enc = SAE_ACT_SIGMOID; enc <= SAE_ACT_RELU + 1; enc++)
        for (int dl = 3; dl <= 4; dl++)
            for (int tied = 0; tied < 2; tied++)
                for (int pen = 0; pen < PEN_COUNT; pen += PEN_COUNT - 1) {
                    const int topk = enc > SAE_ACT_RELU;
                    const double err = check_case(topk ? SAE_ACT_RELU : (SaeAct)enc, topk ? 2 : 0, topk, 0, dl, tied,
                                                  pen, SAE_RED_SUM, 6000u + (uint32_t)cases);
                    cr_expect_lt(err, 1e-7, "%s %s %s %s: relative error %.3g",
                                 topk ? "top-2 sparse" : sae_act_name((SaeAct)enc), dl_names[dl - 3],
                                 tied ? "tied" : "untied", pen_names[pen], err);
                    cases++;
                }
    cr_expect_eq(cases, 32);
}

/* The decoder-norm L1 (core/MODEL.md [l1a-dec]): the norms carry gradient
 * to the decoder too; sigmoid and relu, TopK K = 2 on the sparse path,
 * both decoders, tying, with the L1 term alone and with every penalty. */
Test(gradcheck, l1a_dec_grid)
{
    static const char *const dl_names[] = { "sigmoid-mse", "linear-mse", "sigmoid-bce" };
    int cases = 0;
    l1_dec_norm = 1;
    for (int enc = 0; enc < 3; enc++) /* sigmoid, relu, top-2 relu (sparse) */
        for (int dl = 0; dl < 3; dl++)
            for (int tied = 0; tied < 2; tied++)
                for (int pen = PEN_L1A; pen < PEN_COUNT; pen += PEN_ALL - PEN_L1A) {
                    const double err = check_case(enc ? SAE_ACT_RELU : SAE_ACT_SIGMOID, enc == 2 ? 2 : 0, enc == 2, 1,
                                                  dl, tied, pen, SAE_RED_MEAN, 7000u + (uint32_t)cases);
                    cr_expect_lt(err, 1e-7, "l1-dec-norm %s %s %s %s: relative error %.3g",
                                 enc == 2 ? "top-2 sparse"
                                 : enc    ? "relu"
                                          : "sigmoid",
                                 dl_names[dl], tied ? "tied" : "untied", pen_names[pen], err);
                    cases++;
                }
    l1_dec_norm = 0;
    cr_expect_eq(cases, 36);
}

/* JumpReLU (core/MODEL.md [jumprelu]): through the weights and biases h is
 * relu's above the thresholds; every penalty (the thresholds' own gradient
 * is the PyTorch vectors'). */
Test(gradcheck, jumprelu_grid) { cr_expect_eq(pre_dl_tied_pen_grid("jumprelu", SAE_ACT_JUMPRELU, 0, 0, 1, 5000u), 84); }

/* The same on the sparse path (core/MODEL.md [sparse]): each row lists the
 * units that fired and those in their thresholds' windows. */
Test(gradcheck, jumprelu_sparse_grid)
{
    cr_expect_eq(pre_dl_tied_pen_grid("jumprelu sparse", SAE_ACT_JUMPRELU, 0, 1, 1, 5100u), 84);
}

/* BatchTopK in training (core/MODEL.md [batchtopk]): the K m largest of the
 * batch, K = 2 of 5 (14 of 35 entries), no penalty or all of them. */
Test(gradcheck, batch_topk_grid)
{
    cr_expect_eq(pre_dl_tied_pen_grid("batch top-2", SAE_ACT_RELU, 2, 2, PEN_COUNT - 1, 4000u), 24);
}

/* The same on the sparse path (core/MODEL.md [sparse]), K = 2 of 64: the
 * batch's 14 kept entries as row lists padded to the longest row. */
Test(gradcheck, batch_topk_sparse_grid)
{
    cr_expect_eq(pre_dl_tied_pen_grid("batch top-2 sparse", SAE_ACT_RELU, 2, 3, PEN_COUNT - 1, 4100u), 24);
}

/* The pre-encoder bias (core/MODEL.md [pre-bias]): b2 reaches J through the
 * encoder too. Every encoder, decoder/loss pair and tying with no penalty
 * and with all of them, and TopK K = 2 of 5 on both paths. */
Test(gradcheck, pre_bias_grid)
{
    static const char *const dl_names[] = { "sigmoid-mse", "linear-mse", "sigmoid-bce" };
    int cases = 0;
    for (int enc = SAE_ACT_SIGMOID; enc <= SAE_ACT_RELU + 2; enc++) /* relu + 1, + 2: TopK dense, sparse */
        for (int dl = 0; dl < 3; dl++)
            for (int tied = 0; tied < 2; tied++)
                for (int pen = 0; pen < PEN_COUNT; pen += PEN_COUNT - 1) {
                    const int topk = enc > SAE_ACT_RELU;
                    const double err =
                        check_case(topk ? SAE_ACT_RELU : (SaeAct)enc, topk ? 2 : 0, enc == SAE_ACT_RELU + 2, 1, dl,
                                   tied, pen, SAE_RED_MEAN, 3000u + (uint32_t)cases);
                    cr_expect_lt(err, 1e-7, "pre-bias %s %s %s %s: relative error %.3g",
                                 topk ? (enc == SAE_ACT_RELU + 1 ? "top-2 dense" : "top-2 sparse")
                                      : sae_act_name((SaeAct)enc),
                                 dl_names[dl], tied ? "tied" : "untied", pen_names[pen], err);
                    cases++;
                }
    cr_expect_eq(cases, 60);
}

/* For a tied model without weight penalties, the tied gradient equals the
 * untied one with W2 = W1^T, folded (core/MODEL.md §5, exact). */
Test(gradcheck, tied_equals_folded_untied)
{
    SaeConfig u = sae_config_default();
    u.n_in = 9;
    u.n_hidden = 5;
    u.beta = 3;
    u.rho = 0.1;
    u.l1_activity = 0.1;
    SaeConfig t = u;
    t.tied = 1;
    SaeLayout lu, lt;
    sae_layout(&u, &lu);
    sae_layout(&t, &lt);
    const size_t m = 7, n = 9, k = 5;
    double *tu = calloc(lu.total, sizeof(double)), *tt = calloc(lt.total, sizeof(double));
    double *gu = calloc(lu.total, sizeof(double)), *gt = calloc(lt.total, sizeof(double));
    double x[7 * 9];
    SaeRng rng;
    sae_rng_seed(&rng, 7);
    sae_init_params(&t, 7, tt);
    for (size_t i = 0; i < m * n; i++) x[i] = sae_rng_uniform(&rng);
    for (size_t j = 0; j < k; j++)
        for (size_t d = 0; d < n; d++) {
            tu[lu.w1 + j * n + d] = tt[j * n + d];
            tu[lu.w2t + j * n + d] = tt[j * n + d];
        }
    SaeWorkF64 *w = sae_work_new_f64(&u, m);
    sae_objective_f64(&u, &test_kernels()->f64, w, tu, x, m, gu, NULL);
    sae_objective_f64(&t, &test_kernels()->f64, w, tt, x, m, gt, NULL);
    for (size_t j = 0; j < k; j++)
        for (size_t d = 0; d < n; d++) {
            const double want = gu[lu.w1 + j * n + d] + gu[lu.w2t + j * n + d];
            cr_expect(close_enough(gt[j * n + d], want, 1e-15, 1e-13), "gW1[%zu,%zu]", j, d);
        }
    sae_work_free_f64(w);
    free(tu);
    free(tt);
    free(gu);
    free(gt);
}

/* The TopK selection tests' model: 5 inputs -> 37 relu units (no multiple
 * of a vector), linear decoder. */
static SaeConfig relu_37(void)
{
    SaeConfig c = sae_config_default();
    c.n_in = 5;
    c.n_hidden = 37;
    c.encoder = SAE_ACT_RELU;
    c.decoder = SAE_ACT_LINEAR;
    return c;
}

/* What TopK keeps, in float and double: each row's K largest relu
 * activations (the others 0), on a width that is no multiple of a vector
 * (37) and K from 1 to all; among equal values, the first ones. */
Test(topk, keeps_the_k_largest)
{
    enum { M = 6, N = 5, KH = 37 };
    SaeConfig c = relu_37();
    SaeLayout l;
    sae_layout(&c, &l);
    double *theta = malloc(l.total * sizeof(double)), x[M * N];
    static double full[M * KH], top[M * KH];
    sae_init_params(&c, 5, theta);
    SaeRng rng;
    sae_rng_seed(&rng, 6);
    for (size_t i = l.b1; i < l.b1 + KH; i++) theta[i] = 0.3 * sae_rng_gauss(&rng);
    /* units 20..29: copies of unit 20 (ten-way ties in every row) */
    for (size_t j = 21; j < 30; j++) {
        for (size_t i = 0; i < N; i++) theta[j * N + i] = theta[20 * N + i];
        theta[l.b1 + j] = theta[l.b1 + 20];
    }
    for (size_t i = 0; i < M * N; i++) x[i] = sae_rng_uniform(&rng);
    SaeTerms terms;
    for (int p = SAE_PREC_FLOAT; p <= SAE_PREC_DOUBLE; p++) {
        c.topk = 0;
        cr_assert_eq(
            sae_evaluate_full(&c, (SaePrecision)p, test_kernels(), theta, x, M, &terms, NULL, NULL, full, NULL), 0);
        static const size_t ks[] = { 1, 3, 5, 12, 25, 36, 37 };
        for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
            c.topk = ks[t];
            cr_assert_eq(
                sae_evaluate_full(&c, (SaePrecision)p, test_kernels(), theta, x, M, &terms, NULL, NULL, top, NULL), 0);
            for (size_t i = 0; i < M; i++) {
                const double *f = full + i * KH, *h = top + i * KH;
                size_t kept = 0;
                for (size_t j = 0; j < KH; j++) {
                    /* j's rank: the values above it, and the equal ones before it */
                    size_t rank = 0;
                    for (size_t q = 0; q < KH; q++) rank += f[q] > f[j] || (f[q] == f[j] && q < j);
                    const double want = rank < ks[t] ? f[j] : 0;
                    cr_expect_eq(h[j], want, "%s K=%zu row %zu unit %zu: %g, want %g", p ? "double" : "float", ks[t], i,
                                 j, h[j], want);
                    kept += rank < ks[t];
                }
                cr_expect_eq(kept, ks[t]);
            }
        }
    }
    free(theta);
}

/* BatchTopK (core/MODEL.md [batchtopk]): in training the K M largest of the
 * whole batch stay (ties: the lowest flat index), however they fall over
 * the rows; outside training each activation above the threshold stays. */
Test(topk, batch_keeps_the_km_largest_then_thresholds)
{
    enum { M = 6, N = 5, KH = 37 };
    SaeConfig c = relu_37();
    SaeLayout l;
    sae_layout(&c, &l);
    double *theta = malloc(l.total * sizeof(double)), x[M * N];
    static double full[M * KH];
    sae_init_params(&c, 8, theta);
    SaeRng rng;
    sae_rng_seed(&rng, 9);
    for (size_t i = l.b1; i < l.b1 + KH; i++) theta[i] = 0.3 * sae_rng_gauss(&rng);
    for (size_t j = 21; j < 25; j++) /* ties within rows and across them */
        for (size_t i = 0; i <= N; i++) theta[i < N ? j * N + i : l.b1 + j] = theta[i < N ? 20 * N + i : l.b1 + 20];
    for (size_t i = 0; i < M * N; i++) x[i] = sae_rng_uniform(&rng);
    SaeWorkF64 *w = sae_work_new_f64(&c, M);
    sae_objective_f64(&c, &test_kernels()->f64, w, theta, x, M, NULL, NULL);
    memcpy(full, w->h, sizeof full);
    sae_work_free_f64(w);
    c.batch_topk = 1;
    static const size_t ks[] = { 1, 3, 12, 36 };
    for (size_t t = 0; t < sizeof ks / sizeof *ks; t++) {
        c.topk = ks[t];
        w = sae_work_new_f64(&c, M);
        w->training = 1;
        sae_objective_f64(&c, &test_kernels()->f64, w, theta, x, M, NULL, NULL);
        for (size_t e = 0; e < M * KH; e++) {
            size_t rank = 0;
            for (size_t q = 0; q < M * KH; q++) rank += full[q] > full[e] || (full[q] == full[e] && q < e);
            const double want = rank < ks[t] * M ? full[e] : 0;
            cr_expect_eq(w->h[e], want, "K=%zu entry %zu: %g, want %g", ks[t], e, w->h[e], want);
        }
        w->training = 0;
        c.threshold = 0.4;
        sae_objective_f64(&c, &test_kernels()->f64, w, theta, x, M, NULL, NULL);
        for (size_t e = 0; e < M * KH; e++)
            cr_expect_eq(w->h[e], full[e] > 0.4 ? full[e] : 0, "threshold: entry %zu", e);
        c.threshold = 0;
        sae_work_free_f64(w);
    }
    free(theta);
}
