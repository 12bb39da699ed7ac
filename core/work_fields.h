/*
 * The fields of the working buffers SaeWorkF32 and SaeWorkF64
 * (core/model.h), written once over the element type SAE_WORK_T: model.h
 * includes this file inside each struct, SAE_WORK_T defined as float, then
 * double. Not a header of its own: it has no include guard, by design, and
 * nothing else includes it.
 */
size_t cap;                         /* the largest batch m it serves */
SAE_WORK_T *h, *z2, *xh, *d2, *gh;  /* m x k, m x n, m x n, m x n, m x k */
SAE_WORK_T *vec_k;                  /* k: the KL row, then the CAE scales */
double *rhohat, *dsq, *rnorm, *tmp; /* k, k, k, max(n, k) */
double *dnorm;                      /* k: the decoder atoms' norms (l1_dec_norm) */
double *hsum, recon_sum, l1a_sum;   /* sums over the rows: k, 1, 1 */
double l0_sum;                      /* the non-zero activations */
SAE_WORK_T *z1, *thr;               /* jumprelu: m x k, the pre-activation; k, exp(t) */
SAE_WORK_T *xc;                     /* pre_bias: m x n, X - 1 b2^T, the encoder's input */
/* The sparse path (§6 [sparse]; TopK with topk < k, JumpReLU): each
 * row's listed units, their values and, in the backward pass, their
 * hidden deltas: m x K for TopK; for BatchTopK and JumpReLU up to m
 * x k, each row padded to the longest. sparse: a step may take the
 * path, set from sae_sparse_path (a caller may set it either way);
 * kept_max: the most units a row of BatchTopK or JumpReLU may list
 * for it (sae_sparse_kept_max; a caller may raise it up to k);
 * kept: after the forward pass, the units each row lists when the
 * step took the sparse path, else 0. BatchTopK in training: the
 * batch's K m kept entries of H, flat indices (bidx, increasing) and
 * values (bval). */
uint32_t *idx, *bidx;
SAE_WORK_T *val, *dsel, *bval;
int sparse;
size_t kept_max, kept;
/* BatchTopK: the batch selection when set (the trainer's steps),
 * the learned threshold otherwise (evaluation). */
int training;
/* Set by the trainer (sae_step_takes_wpen): the objective leaves the
 * gradient of [l2] and [l1w] to the optimizer's step, which adds it in
 * its own pass over the weights (one pass fewer over the gradient). 0:
 * the gradient is whole (L-BFGS, evaluation, the gradient check). */
int wpen_in_step;
/* AuxK: dead (k flags, set by the trainer; all 0 elsewhere, where the
 * loss is 0), the activations before TopK, the dead units'
 * activations side by side (m x k at most), the residual's
 * reconstruction, then its delta; Z_aux as lists of akept units a
 * row (0 when none is dead): units aidx, values aval, and D1 there
 * (asel). */
unsigned char *dead;
SAE_WORK_T *hpre, *acomp, *ehat, *aval, *asel;
uint32_t *aidx, *dead_list; /* the selection (m x aux_k), the dead units (k) */
size_t akept;
double aux_sum;
