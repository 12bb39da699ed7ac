/* The model against PyTorch float64 autograd (tests/vectors): every loss
 * term, H, X^, rho-hat and every gradient, in double and in float. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/model.h"
#include "tests/common.h"
#include "tests/vecfile.h"

typedef struct Tol {
    double abs, rel;
} Tol;
static const Tol tol_f64 = { 1e-12, 1e-10 }, tol_f32 = { 1e-5, 1e-4 };

static void expect_array(const char *file, const char *what, const double *got, const VecArray *want, Tol t)
{
    cr_assert_not_null(want, "%s: array %s missing", file, what);
    for (size_t i = 0; i < want->rows * want->cols; i++)
        cr_expect(close_enough(got[i], want->v[i], t.abs, t.rel), "%s: %s[%zu] = %.17g, want %.17g", file, what, i,
                  got[i], want->v[i]);
}

static void expect_term(const char *file, const char *what, double got, const VecFile *vf, Tol t)
{
    const double want = vecfile_scalar(vf, what);
    cr_expect(close_enough(got, want, t.abs, t.rel), "%s: %s = %.17g, want %.17g", file, what, got, want);
}

/* Runs the objective in the given precision, a TopK, BatchTopK or JumpReLU
 * model on the dense (sparse = 0) or the sparse path (core/MODEL.md §6
 * [sparse]); every output widened to double. */
#define RUN_PRECISION(T, S, s) \
    static void run_##s(const VecFile *vf, const double *theta_d, size_t P, double *grad, double *H, double *Xh, \
                        double *rhohat, SaeTerms *terms, int sparse) \
    { \
        const size_t m = vf->batch, n = vf->cfg.n_in, k = vf->cfg.n_hidden; \
        T *theta = malloc(P * sizeof(T)), *g = malloc(P * sizeof(T)); \
        T *x = malloc(m * n * sizeof(T)); \
        const VecArray *X = vecfile_array(vf, "X"); \
        for (size_t i = 0; i < P; i++) theta[i] = (T)theta_d[i]; \
        for (size_t i = 0; i < m * n; i++) x[i] = (T)X->v[i]; \
        SaeWork##S *w = sae_work_new_##s(&vf->cfg, m); \
        if (vf->cfg.topk || vf->cfg.encoder == SAE_ACT_JUMPRELU) { \
            w->sparse = sparse; \
            w->kept_max = k; /* BatchTopK's and JumpReLU's rows however long */ \
        } \
        w->training = vf->cfg.batch_topk;                 /* the batch selection of training */ \
        const VecArray *dead = vecfile_array(vf, "dead"); /* AuxK's dead units, as a trainer would mark them */ \
        for (size_t j = 0; dead && j < k; j++) w->dead[j] = dead->v[j] != 0; \
        sae_objective_##s(&vf->cfg, &test_kernels()->s, w, theta, x, m, g, terms); \
        cr_expect(!sparse || w->kept > 0, "the step did not take the sparse path"); \
        for (size_t i = 0; i < P; i++) grad[i] = g[i]; \
        for (size_t i = 0; i < m * k; i++) H[i] = w->h[i]; \
        for (size_t i = 0; i < m * n; i++) Xh[i] = w->xh[i]; \
        for (size_t i = 0; i < k; i++) rhohat[i] = w->rhohat[i]; \
        sae_work_free_##s(w); \
        free(theta); \
        free(g); \
        free(x); \
    }
RUN_PRECISION(float, F32, f32)
RUN_PRECISION(double, F64, f64)

static void check_path(const char *name, int f64, int sparse)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s.txt", SAE_TEST_VECTORS, name);
    VecFile vf;
    cr_assert_eq(vecfile_load(path, &vf), 0);
    char err[256];
    cr_assert_eq(sae_config_check(&vf.cfg, err, sizeof err), 0, "%s", err);
    SaeLayout l;
    sae_layout(&vf.cfg, &l);
    const size_t m = vf.batch, n = vf.cfg.n_in, k = vf.cfg.n_hidden;
    double *theta = calloc(l.total, sizeof(double)), *grad = calloc(l.total, sizeof(double));
    double *H = calloc(m * k, sizeof(double)), *Xh = calloc(m * n, sizeof(double));
    double *rhohat = calloc(k, sizeof(double));
    vecfile_theta(&vf, &l, theta);
    SaeTerms t;
    (f64 ? run_f64 : run_f32)(&vf, theta, l.total, grad, H, Xh, rhohat, &t, sparse);
    const Tol tol = f64 ? tol_f64 : tol_f32;
    char label[160];
    snprintf(label, sizeof label, "%s%s", name, sparse ? " (sparse path)" : "");

    expect_term(label, "loss", t.loss, &vf, tol);
    expect_term(label, "term_recon", t.recon, &vf, tol);
    expect_term(label, "term_l2", t.l2, &vf, tol);
    expect_term(label, "term_l1w", t.l1w, &vf, tol);
    expect_term(label, "term_l1a", t.l1a, &vf, tol);
    expect_term(label, "term_kl", t.kl, &vf, tol);
    expect_term(label, "term_cae", t.cae, &vf, tol);
    expect_term(label, "term_l0", t.l0, &vf, tol);
    expect_term(label, "term_aux", t.aux, &vf, tol);
    expect_array(label, "H", H, vecfile_array(&vf, "H"), tol);
    expect_array(label, "Xh", Xh, vecfile_array(&vf, "Xh"), tol);
    expect_array(label, "rhohat", rhohat, vecfile_array(&vf, "rhohat"), tol);
    expect_array(label, "gW1", grad + l.w1, vecfile_array(&vf, "gW1"), tol);
    if (!vf.cfg.tied) { /* held as W2^T */
        double *gW2 = malloc(n * k * sizeof(double));
        for (size_t j = 0; j < k; j++)
            for (size_t d = 0; d < n; d++) gW2[d * k + j] = grad[l.w2t + j * n + d];
        expect_array(label, "gW2", gW2, vecfile_array(&vf, "gW2"), tol);
        free(gW2);
    }
    expect_array(label, "gb1", grad + l.b1, vecfile_array(&vf, "gb1"), tol);
    expect_array(label, "gb2", grad + l.b2, vecfile_array(&vf, "gb2"), tol);
    if (vf.cfg.encoder == SAE_ACT_JUMPRELU)
        expect_array(label, "glog_threshold", grad + l.jt, vecfile_array(&vf, "glog_threshold"), tol);
    free(theta);
    free(grad);
    free(H);
    free(Xh);
    free(rhohat);
    vecfile_free(&vf);
}

/* A TopK, BatchTopK or JumpReLU vector is met by both paths. */
static void check_vector(const char *name, int f64)
{
    check_path(name, f64, 0);
    if (strstr(name, "top") || strstr(name, "jumprelu"))
        check_path(name, f64, 1);
}

#define VECTOR_TESTS(name) \
    Test(vectors_f64, name) { check_vector(#name, 1); } \
    Test(vectors_f32, name) { check_vector(#name, 0); }

VECTOR_TESTS(v01_ufldl_sigmoid_sigmoid_mse_kl_l2)
VECTOR_TESTS(v02_sigmoid_linear_mse_kl_l2)
VECTOR_TESTS(v03_sigmoid_sigmoid_bce_tied_cae)
VECTOR_TESTS(v04_tanh_linear_mse_cae)
VECTOR_TESTS(v05_relu_linear_mse_l1act)
VECTOR_TESTS(v06_relu_sigmoid_bce_l1w_l2)
VECTOR_TESTS(v07_tanh_sigmoid_mse_kl_rescale_tied)
VECTOR_TESTS(v08_relu_sigmoid_mse_mean_l1act_l2)
VECTOR_TESTS(v09_sigmoid_sigmoid_bce_mean_kl_l1w_tied)
VECTOR_TESTS(v10_tanh_linear_mse_mean_cae_l2)
VECTOR_TESTS(v11_topk_relu_linear_mse_l1act_kl_cae_l2)
VECTOR_TESTS(v12_top1_relu_sigmoid_bce_mean_tied)
VECTOR_TESTS(v13_top2_prebias_relu_linear_mse_mean_l1act)
VECTOR_TESTS(v14_prebias_sigmoid_bce_tied_kl_cae)
VECTOR_TESTS(v15_batchtop2_relu_linear_mse_mean_l1act_l2)
VECTOR_TESTS(v16_jumprelu_linear_mse_mean_l0_l1act_kl)
VECTOR_TESTS(v17_top2_auxk2_prebias_relu_linear_mse_mean)
VECTOR_TESTS(v18_top2_auxk1_tied_relu_linear_mse)
VECTOR_TESTS(v19_sigmoid_sigmoid_nmse_kl_l2)
VECTOR_TESTS(v20_top2_relu_linear_nmse_mean_tied)
VECTOR_TESTS(v21_relu_linear_mse_mean_l1decnorm_kl)
VECTOR_TESTS(v22_top2_sigmoiddec_tied_l1decnorm)
