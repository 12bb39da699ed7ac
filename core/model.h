/*
 * The single-hidden-layer autoencoder of core/MODEL.md: configuration, parameter
 * layout, and the objective with its gradient.
 *
 *   H = f(X W1^T + b1)      X is m x n, W1 k x n, H m x k  (pre_bias: X - 1 b2^T)
 *   X^ = g(H W2^T + b2)     W2 n x k (tied: W2 = W1^T, no W2 parameter)
 *   J = R + P_L2 + P_L1w + P_L1a + P_KL + P_CAE   (core/MODEL.md §3)
 *
 * The parameter vector theta = [W1 (k x n), W2^T (k x n, absent if tied),
 * b1 (k), b2 (n), log-thresholds (k, jumprelu only)], all row-major, in
 * one allocation. The decoder is held as W2^T, its atoms (W2's columns)
 * as rows, as a tied model holds them in W1: the sparse path reads and
 * writes whole atoms, and tied and untied share every product (model
 * files store W2 itself, n x k).
 *
 * The objective is provided in float and double from one source
 * (model_tmpl.c): sae_objective_f32 / sae_objective_f64. Both call kernels
 * only through the table they are given; sums over the batch are double.
 */
#ifndef SAE_CORE_MODEL_H
#define SAE_CORE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "kernels/kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* JUMPRELU: h = z where z exceeds a learned per-unit threshold (§2
 * [jumprelu]); an encoder only, computed outside the kernels' SAE_K_* set. */
typedef enum { SAE_ACT_SIGMOID, SAE_ACT_TANH, SAE_ACT_RELU, SAE_ACT_LINEAR, SAE_ACT_JUMPRELU } SaeAct;
/* NMSE: (1/m) sum_i |x^_i - x_i|^2 / |x_i|^2, the TopK papers' normalised
 * MSE (§3 [recon-nmse]). */
typedef enum { SAE_LOSS_MSE, SAE_LOSS_BCE, SAE_LOSS_NMSE } SaeLoss;
typedef enum { SAE_KL_RESCALE, SAE_KL_RAW } SaeKlTanh;
/* The scale of R and P_L2 (core/MODEL.md §3 [reduction]): sum is UFLDL's,
 * mean is PyTorch's and Keras's default (MSELoss(), 'mse', l2(lambda)). */
typedef enum { SAE_RED_SUM, SAE_RED_MEAN } SaeReduction;
/* Where b2 (the decoder's bias, b_dec) starts: 0, or the mean or geometric
 * median of the training rows (§7 [init]). */
typedef enum { SAE_BDEC_ZERO, SAE_BDEC_MEAN, SAE_BDEC_MEDIAN } SaeBdecInit;

typedef struct SaeConfig {
    size_t n_in, n_hidden;
    SaeAct encoder; /* sigmoid, tanh, relu or jumprelu */
    SaeAct decoder; /* sigmoid or linear */
    SaeLoss loss;   /* bce only with the sigmoid decoder; nmse ignores the reduction */
    int tied;
    double lambda;      /* L2 weight decay, (lambda/2)||W||^2 (mean: lambda ||W||^2) */
    double l1_weight;   /* l1w sum |W| */
    double l1_activity; /* l1a mean_i sum_j |H_ij| (l1_dec_norm: each |H_ij| times |W2_j|) */
    int l1_dec_norm;    /* the L1 activity weighted by the decoder atoms' norms (§3 [l1a-dec]) */
    double beta, rho;   /* KL sparsity weight and target */
    double gamma;       /* contractive weight */
    double l0_penalty;  /* l0 (1/m) sum #{h_ij != 0} (§3 [l0]; trained through jumprelu's thresholds) */
    double aux_weight;  /* AuxK: alpha, the weight of the dead units' residual loss (§3 [auxk]) */
    size_t aux_k;       /* AuxK: the dead units each sample may use (0: no AuxK) */
    double bandwidth;   /* jumprelu: the straight-through estimator's kernel width, default 1e-3 */
    double jump_init;   /* jumprelu: every threshold at initialisation, default 1e-3 (Gemma Scope's) */
    double kl_eps;      /* the clamp of rho-hat, default 1e-6 */
    SaeKlTanh kl_tanh;  /* how tanh activations map to (0,1) for the KL */
    SaeReduction reduction;
    size_t topk;           /* TopK: keep the topk largest relu activations per sample (0: all) */
    int batch_topk;        /* with topk: the topk * m largest over a training batch (§2 [batchtopk]) */
    double threshold;      /* BatchTopK outside training: keep relu(z) > threshold (learned) */
    int pre_bias;          /* the encoder sees x - b2 (§2 [pre-bias]) */
    int unit_norm;         /* the trainer keeps each decoder atom at norm 1 (§7 [unit-norm]) */
    int init_transpose;    /* untied: W2 starts as W1^T (§7 [init]) */
    SaeBdecInit bdec_init; /* linear decoder: b2 from the data (sae_init_bdec) */
} SaeConfig;

/* The penalties of J (§3), once: X(term, weight field), in SaeTerms order. */
#define SAE_PENALTIES(X) \
    X(l2, lambda) X(l1w, l1_weight) X(l1a, l1_activity) X(kl, beta) X(cae, gamma) X(l0, l0_penalty) X(aux, aux_weight)

/* Every term of the objective, reported separately. */
typedef struct SaeTerms {
    double loss, recon, l2, l1w, l1a, kl, cae, l0, aux;
} SaeTerms;

/* Offsets of the parameter blocks in theta: w2t holds W2^T (SIZE_MAX when
 * tied); dec is where the decoder's k atoms start as rows of n (w2t, or
 * w1 when tied); jt, jumprelu's log-thresholds, k of them after b2,
 * SIZE_MAX otherwise. */
typedef struct SaeLayout {
    size_t w1, w2t, dec, b1, b2, jt, total;
} SaeLayout;

/* The defaults of the CLI: 64 -> 25 sigmoid/sigmoid, MSE, untied, no
 * penalties, rho 0.05, kl_eps 1e-6, tanh rescale. */
SaeConfig sae_config_default(void);

/* c with every penalty weight 1: its terms are what each weight of c
 * multiplies (the unweighted penalties). */
SaeConfig sae_config_unit_weights(const SaeConfig *c);

/* The most weights (and biases) a model may have: 2^32, 32 GiB in double.
 * Larger sizes are refused as usage errors before anything is allocated. */
#define SAE_MAX_PARAMS ((size_t)1 << 32)

/* Checks the hyperparameters and the sizes (at most SAE_MAX_PARAMS); on
 * error writes one line (no newline) to err and returns -1. */
int sae_config_check(const SaeConfig *c, char *err, size_t errlen);
/* The same check, naming what is wrong: NULL when c is valid, else the
 * field at fault as a model file stores it ("rho", "l1_weight", "k",
 * "loss", "W1" for the sizes, ...), with err as above. */
const char *sae_config_problem(const SaeConfig *c, char *err, size_t errlen);

/* The most units a row may keep for the sparse path (core/MODEL.md §6
 * [sparse]) to beat the dense GEMMs: k / 8, the cut-over measured by
 * bench_kernels' topk_grad. */
size_t sae_sparse_kept_max(const SaeConfig *c);
/* Whether c's steps may take the sparse path: TopK's when K is at most
 * sae_sparse_kept_max; BatchTopK's in training (K at most that too) and
 * JumpReLU's, each step whose rows list at most that many units. 0 for
 * the other encoders. (AuxK's own units are always lists.) */
int sae_sparse_path(const SaeConfig *c);

/* Whether a minibatch step may leave [l2] and [l1w]'s gradient to the
 * optimizer's pass (the work buffers' wpen_in_step; kernels.h's steps):
 * a penalty is on, and nothing between the objective and the step reads
 * the weights' gradient whole (no [unit-norm] projection) or adds to it
 * row by row ([cae]'s row scales, in the same rounding as the penalty). */
int sae_step_takes_wpen(const SaeConfig *c);

/* The rows a training, an evaluation or the metrics read: m x c->n_in, row-major, in
 * the data set's own type: double (x) or float (xf), exactly one of them
 * set. A float run reads float rows as they are, with no copy of the whole
 * set; a double run widens them, exactly. */
typedef struct SaeSamples {
    const double *x;
    const float *xf;
    size_t m;
    /* Streamed rows (read in place from a file's map; core/MODEL.md §7
     * [stream]): chunk rows a chunk, window chunks a shuffle window. 0: in
     * memory. */
    size_t chunk, window;
} SaeSamples;

/* Entry i (row-major) of s, whichever type holds it. */
static inline double sae_samples_at(const SaeSamples *s, size_t i) { return s->xf ? (double)s->xf[i] : s->x[i]; }

/* The layout of theta; returns -1 when the sizes overflow size_t. */
int sae_layout(const SaeConfig *c, SaeLayout *l);

/* UFLDL initialisation into theta (double, l.total entries): W ~ U(-r, r),
 * r = sqrt(6 / (n + k + 1)), biases 0, jumprelu's thresholds
 * jump_init, drawn from an MT19937 seeded with
 * seed in the order W1, W2 (W2 drawn row by row, stored as W2^T); with
 * init_transpose (untied) W2 is then set to W1^T. (unit_norm's atoms are normalised by the trainer.) */
void sae_init_params(const SaeConfig *c, uint64_t seed, double *theta);

/* The factors of R and of lambda ||W||^2 under c's reduction: sum 1 and
 * 1/2; mean (MSE) 2/n or (BCE) 1/n, and 1. */
double sae_recon_scale(const SaeConfig *c);
double sae_l2_scale(const SaeConfig *c);
/* The factor of W in [l2]'s gradient: 2 sae_l2_scale(c) lambda. */
double sae_l2_grad_scale(const SaeConfig *c);

/* Names of the enum values and their inverse (-1 when unknown). */
const char *sae_act_name(SaeAct a);
const char *sae_loss_name(SaeLoss l);
const char *sae_kl_tanh_name(SaeKlTanh k);
const char *sae_reduction_name(SaeReduction r);
const char *sae_bdec_init_name(SaeBdecInit b);
int sae_act_parse(const char *s, SaeAct *a);
int sae_loss_parse(const char *s, SaeLoss *l);
int sae_kl_tanh_parse(const char *s, SaeKlTanh *k);
int sae_reduction_parse(const char *s, SaeReduction *r);
int sae_bdec_init_parse(const char *s, SaeBdecInit *b);

/* Working buffers for one batch size, allocated once and reused.
 * After sae_objective_*: h (m x k) holds H, xh (m x n) holds X^ and rhohat
 * (k) holds rho-hat of the batch the objective was evaluated on. The
 * fields, the same in both, are listed once in core/work_fields.h. */
#define SAE_WORK_T float
typedef struct SaeWorkF32 {
#include "core/work_fields.h"
} SaeWorkF32;
#undef SAE_WORK_T
#define SAE_WORK_T double
typedef struct SaeWorkF64 {
#include "core/work_fields.h"
} SaeWorkF64;
#undef SAE_WORK_T

/* NULL when out of memory or the sizes overflow. */
SaeWorkF32 *sae_work_new_f32(const SaeConfig *c, size_t batch);
SaeWorkF64 *sae_work_new_f64(const SaeConfig *c, size_t batch);
void sae_work_free_f32(SaeWorkF32 *w);
void sae_work_free_f64(SaeWorkF64 *w);

/* J at theta on the m x n batch x (m <= w->cap); terms gets every term;
 * grad (layout of theta) gets dJ/dtheta unless it is NULL. */
double sae_objective_f32(const SaeConfig *c, const SaeKernelsF32 *k, SaeWorkF32 *w, const float *theta, const float *x,
                         size_t m, float *grad, SaeTerms *terms);
double sae_objective_f64(const SaeConfig *c, const SaeKernelsF64 *k, SaeWorkF64 *w, const double *theta,
                         const double *x, size_t m, double *grad, SaeTerms *terms);

/* [unit-norm]: the decoder's atoms are the rows at L.dec. project removes
 * from each atom's gradient its component along the atom (atoms of norm
 * 1); normalise scales each nonzero atom to norm 1. */
void sae_atoms_project_f32(const SaeConfig *c, const SaeKernelsF32 *k, const float *theta, float *grad);
void sae_atoms_project_f64(const SaeConfig *c, const SaeKernelsF64 *k, const double *theta, double *grad);
void sae_atoms_normalise_f32(const SaeConfig *c, const SaeKernelsF32 *k, float *theta);
void sae_atoms_normalise_f64(const SaeConfig *c, const SaeKernelsF64 *k, double *theta);

/* The terms without a gradient over data too large for one batch, in
 * chunks of at most w->cap rows: clear the sums, add each chunk's (each
 * leaves its H and X^ in w), then every term over all m rows. One chunk
 * of all the rows gives sae_objective's terms exactly. */
void sae_sums_clear_f32(const SaeConfig *c, SaeWorkF32 *w);
void sae_sums_clear_f64(const SaeConfig *c, SaeWorkF64 *w);
void sae_forward_sums_f32(const SaeConfig *c, const SaeKernelsF32 *k, SaeWorkF32 *w, const float *theta, const float *x,
                          size_t m);
void sae_forward_sums_f64(const SaeConfig *c, const SaeKernelsF64 *k, SaeWorkF64 *w, const double *theta,
                          const double *x, size_t m);
SaeTerms sae_sums_terms_f32(const SaeConfig *c, const SaeKernelsF32 *k, SaeWorkF32 *w, const float *theta, size_t m);
SaeTerms sae_sums_terms_f64(const SaeConfig *c, const SaeKernelsF64 *k, SaeWorkF64 *w, const double *theta, size_t m);

#ifdef __cplusplus
}
#endif

#endif
