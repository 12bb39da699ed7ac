/*
 * The kernel table: every numeric primitive the model's hot loop needs, as
 * function pointers filled once at start-up from the CPU flags.
 *
 * Contract for every slot (all variants must agree with the scalar
 * reference in kernels/scalar_tmpl.c):
 *   - Matrices are row-major. Only the GEMMs take leading dimensions; every
 *     other kernel works on contiguous arrays (leading dimension = width).
 *   - Sums that leave a kernel as `double` are accumulated in double, even
 *     for float data (core/MODEL.md §6 [sums]).
 *   - Kernels never allocate, never fail, and never read or write outside
 *     the shapes they are given.
 * Each signature is declared once (decl_*_fn, as in dav1d) and takes the
 * element type T, so the float and double tables are the same struct shape.
 */
#ifndef SAE_KERNELS_KERNELS_H
#define SAE_KERNELS_KERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The signatures and the slot list, aligned by hand (clang-format reads
 * `void (name)(` as a call and folds the list into a ramp). */
/* clang-format off */
/* C = alpha * op(A) * op(B) + beta * C, C is m x n, the inner dimension k.
 * nn: A m x k, B k x n;  nt: A m x k, B n x k;  tn: A k x m, B k x n.
 * beta == 0 overwrites C without reading it (NaN in C does not leak). */
#define decl_gemm_fn(T, name) \
    void (name)(size_t m, size_t n, size_t k, T alpha, const T *a, size_t lda, \
                const T *b, size_t ldb, T beta, T *c, size_t ldc)

/* Activations, in the order of SaeAct (core/model.h). */
enum { SAE_K_SIGMOID, SAE_K_TANH, SAE_K_RELU, SAE_K_LINEAR };

/* The fused forward layer: h = f(A op(B) + bias), A m x k (lda), op(B)
 * k x n (B stored n x k when trans_b, else k x n; ldb), bias n entries, f
 * an SAE_K_* activation. z (m x n, may be NULL) gets the pre-activation;
 * z and h are contiguous m x n. The bias and activation are applied to
 * each tile as it leaves the registers. */
#define decl_gemm_bias_act_fn(T, name) \
    void (name)(size_t m, size_t n, size_t k, const T *a, size_t lda, const T *b, size_t ldb, \
                int trans_b, const T *bias, int act, T *z, T *h)

/* z is m x n, bias has n entries: z += bias (per row), then h = f(z).
 * h may alias z; with f = linear and h == z this is a plain row add. */
#define decl_bias_act_fn(T, name) \
    void (name)(size_t m, size_t n, const T *bias, T *z, T *h)

/* y = e^x elementwise over cnt entries (x and y may alias). */
#define decl_exp_fn(T, name) void (name)(size_t cnt, const T *x, T *y)

/* g *= f'(.) elementwise over cnt entries, f' written through h = f(z). */
#define decl_dact_fn(T, name) void (name)(size_t cnt, const T *h, T *g)

/* Contractive term, per encoder (D = f'(z), D' = f''(z), both through h).
 * dsq: out[j] = sum_i D_ij^2 over the m x k matrix h (overwrites out).
 * delta: d[i,j] += c[j] * D_ij * D'_ij. */
#define decl_cae_dsq_fn(T, name) \
    void (name)(size_t m, size_t k, const T *h, double *out)
#define decl_cae_delta_fn(T, name) \
    void (name)(size_t m, size_t k, const T *h, const T *c, T *d)

/* The output delta of the backward pass in one sweep over the m x n
 * matrices xh and x (core/MODEL.md §5 [delta-out]): d = s (xh - x), times
 * xh (1 - xh) when sig (a sigmoid decoder under the squared error), and
 * colsum[j] = sum_i d[i,j] (overwritten): what sub_scale, dsigmoid and
 * colsum would do in three. */
#define decl_out_delta_fn(T, name) \
    void (name)(size_t m, size_t n, T s, const T *xh, const T *x, int sig, T *d, double *colsum)

/* The hidden layer's delta in one sweep over the m x k matrices (core/MODEL.md
 * §5 [grad-h], [delta-hid]): g = (g + l1 sign(h) + row) * f'(h), where the
 * l1 term is skipped when l1 == 0, row (k entries, added to every row) when
 * NULL, and f' is written through h = f(z) for act an SAE_K_* encoder; and
 * colsum[j] = sum_i g[i,j] (overwritten): what sign_axpy, bias_linear, the
 * d<act> slot and colsum would do in four. */
#define decl_hid_delta_fn(T, name) \
    void (name)(size_t m, size_t k, const T *h, T l1, const T *row, int act, T *g, double *colsum)

/* out[j] = sum_i a[i,j] for the m x n matrix a (overwrites out). */
#define decl_colsum_fn(T, name) \
    void (name)(size_t m, size_t n, const T *a, double *out)

/* out[r] = sum_c w[r,c]^2 for the rows x cols matrix w. */
#define decl_row_sqnorm_fn(T, name) \
    void (name)(size_t rows, size_t cols, const T *w, double *out)

/* Reductions over cnt entries, returned in double:
 * sqdiff: sum (a - b)^2;  bce: sum softplus(z) - x*z;  abs: sum |x|. */
#define decl_sqdiff_sum_fn(T, name) \
    double (name)(size_t cnt, const T *a, const T *b)
#define decl_bce_sum_fn(T, name) \
    double (name)(size_t cnt, const T *z, const T *x)
#define decl_abs_sum_fn(T, name) double (name)(size_t cnt, const T *x)

/* The vector algebra of L-BFGS (core/lbfgs.c), over cnt entries:
 * dot: sum a*b, in double;  axpy: y += s x. */
#define decl_dot_fn(T, name) double (name)(size_t cnt, const T *a, const T *b)
#define decl_axpy_fn(T, name) void (name)(size_t cnt, T s, const T *x, T *y)

/* out = s * (a - b) over cnt entries. */
#define decl_sub_scale_fn(T, name) \
    void (name)(size_t cnt, T s, const T *a, const T *b, T *out)

/* g += s * sign(h) over cnt entries, sign(0) = 0. */
#define decl_sign_axpy_fn(T, name) \
    void (name)(size_t cnt, T s, const T *h, T *g)

/* Weight-penalty gradient of the rows x cols matrix w:
 * g[r,c] += (lambda + rowscale[r]) * w[r,c] + l1 * sign(w[r,c]);
 * rowscale may be NULL (then 0). */
#define decl_wpen_grad_fn(T, name) \
    void (name)(size_t rows, size_t cols, const T *w, T lambda, T l1, \
                const T *rowscale, T *g)

/* The sparse path of TopK (core/MODEL.md §2 [topk], §6 [sparse]). S is an
 * m x k matrix with K (1 <= K <= k) entries in each row, listed as idx
 * (m x K column indices, distinct within a row) and val (m x K values);
 * B and C are row-major k x n matrices (ldb, ldc), so a row of S picks K
 * whole rows of them (the decoder's atoms, W1 or W2^T).
 * topk: in each row of the m x k matrix h keeps the K largest entries, of
 *   equal values the lowest indices (so exactly K), and zeroes the others;
 *   the kept indices go to idx in increasing order, their values to val.
 *   (With NaN in a row the kept set is unspecified, but idx still holds K
 *   distinct indices below k.)
 * sp_gemm: c = S B, c m x n (ldc), overwritten.
 * sp_sddmm: out[i,q] = a_i . B_idx[i,q] (a m x n, lda): S's pattern
 *   sampled from a B^T; out m x K, overwritten.
 * sp_scatter: C += S^T a (a m x n, lda): C_idx[i,q] += val[i,q] a_i. */
#define decl_topk_fn(T, name) \
    void (name)(size_t m, size_t k, size_t K, T *h, uint32_t *idx, T *val)
#define decl_sp_gemm_fn(T, name) \
    void (name)(size_t m, size_t n, size_t K, const uint32_t *idx, const T *val, const T *b, size_t ldb, T *c, \
                size_t ldc)
#define decl_sp_sddmm_fn(T, name) \
    void (name)(size_t m, size_t n, size_t K, const uint32_t *idx, const T *a, size_t lda, const T *b, size_t ldb, \
                T *out)
#define decl_sp_scatter_fn(T, name) \
    void (name)(size_t m, size_t n, size_t K, const uint32_t *idx, const T *val, const T *a, size_t lda, T *c, \
                size_t ldc)

/* Optimizer steps over cnt parameters (core/MODEL.md §7 [sgd], [adam]),
 * on the gradient G = g + lambda theta + l1 sign(theta): the weight
 * penalties of wpen_grad (without rowscale) in the same pass when the
 * objective left them to the step (lambda = l1 = 0: G = g). g is read,
 * never written; G has the bits wpen_grad would have stored.
 * sgd:  v = mu v + G;  theta -= lr v.
 * adam: m = b1 m + (1-b1) G;  v = b2 v + (1-b2) G^2;
 *       theta -= lr (m / bc1) / (sqrt(v / bc2) + eps), bc = 1 - beta^t. */
#define decl_sgd_step_fn(T, name) \
    void (name)(size_t cnt, T lr, T mu, T lambda, T l1, const T *g, T *v, T *theta)
#define decl_adam_step_fn(T, name) \
    void (name)(size_t cnt, T lr, T b1, T b2, T eps, T bc1, T bc2, T lambda, T l1, \
                const T *g, T *m, T *v, T *theta)

/* The slot list, once: X(slot, kind), by family. Used to build the
 * struct, to fill it and to print which function fills each slot. A family
 * lines up end to end: its kernels' template (kernels/<family>_tmpl.c; the
 * GEMM's is gemm_tmpl.c), its checks (tests/checkkernels/<family>.c, which
 * also time it under --bench) and its Google Benchmark rows (bench/). The
 * GEMM slots come from a level's chosen register tile (kernels/tuning.h),
 * the others from the level itself. */
#define SAE_KERNEL_SLOTS(X) SAE_GEMM_SLOTS(X) SAE_ELEM_SLOTS(X)
#define SAE_ELEM_SLOTS(X) \
    SAE_ACT_SLOTS(X) SAE_DELTA_SLOTS(X) SAE_REDUCE_SLOTS(X) SAE_VEC_SLOTS(X) \
    SAE_UPDATE_SLOTS(X) SAE_SPARSE_SLOTS(X)
/* gemm: the products, and the fused forward layer */
#define SAE_GEMM_SLOTS(X) \
    X(gemm_nn, gemm) X(gemm_nt, gemm) X(gemm_tn, gemm) X(gemm_bias_act, gemm_bias_act)
/* act: the activations and their derivatives */
#define SAE_ACT_SLOTS(X) \
    X(exp, exp) \
    X(bias_sigmoid, bias_act) X(bias_tanh, bias_act) \
    X(bias_relu, bias_act) X(bias_linear, bias_act) \
    X(dsigmoid, dact) X(dtanh, dact) X(drelu, dact)
/* delta: the backward pass's deltas, with their column sums */
#define SAE_DELTA_SLOTS(X) \
    X(out_delta, out_delta) X(hid_delta, hid_delta) \
    X(cae_delta_sigmoid, cae_delta) X(cae_delta_tanh, cae_delta)
/* reduce: sums over rows, columns or all entries, in double */
#define SAE_REDUCE_SLOTS(X) \
    X(colsum, colsum) X(row_sqnorm, row_sqnorm) \
    X(cae_dsq_sigmoid, cae_dsq) X(cae_dsq_tanh, cae_dsq) X(cae_dsq_relu, cae_dsq) \
    X(sqdiff_sum, sqdiff_sum) X(bce_sum, bce_sum) X(abs_sum, abs_sum)
/* vec: the vector algebra (L-BFGS's dot and axpy, and two scaled updates) */
#define SAE_VEC_SLOTS(X) \
    X(dot, dot) X(axpy, axpy) X(sub_scale, sub_scale) X(sign_axpy, sign_axpy)
/* update: the weight penalties' gradient and the optimizer steps */
#define SAE_UPDATE_SLOTS(X) \
    X(wpen_grad, wpen_grad) X(sgd_step, sgd_step) X(adam_step, adam_step)
/* sparse: TopK's kept units and the products over them */
#define SAE_SPARSE_SLOTS(X) \
    X(topk, topk) X(sp_gemm, sp_gemm) X(sp_sddmm, sp_sddmm) X(sp_scatter, sp_scatter)

/* clang-format on */

#define SAE_SLOT_FIELD_F32(slot, kind) decl_##kind##_fn(float, *slot);
#define SAE_SLOT_FIELD_F64(slot, kind) decl_##kind##_fn(double, *slot);
#define SAE_SLOT_NAME_FIELD(slot, kind) const char *slot;

typedef struct SaeKernelsF32 {
    SAE_KERNEL_SLOTS(SAE_SLOT_FIELD_F32)
} SaeKernelsF32;
typedef struct SaeKernelsF64 {
    SAE_KERNEL_SLOTS(SAE_SLOT_FIELD_F64)
} SaeKernelsF64;
/* The name of the function in each slot, for `saebench cpu` and results.
 * The double table has SIMD variants only in the slots of L-BFGS's
 * vector algebra (dot, axpy); its other slots are the scalar reference. */
typedef struct SaeKernelNames {
    SAE_KERNEL_SLOTS(SAE_SLOT_NAME_FIELD)
} SaeKernelNames;

/* The blocking of a level's float GEMM (kernels/tuning.h): the register
 * tile mr x nr and the cache blocks; all 0 for the scalar reference,
 * which has none. */
typedef struct SaeGemmBlocks {
    int mr, nr, kc, mc, nc;
} SaeGemmBlocks;

typedef struct SaeKernels {
    SaeKernelsF32 f32;
    SaeKernelsF64 f64;
    SaeKernelNames name32, name64;
    SaeGemmBlocks blocks;    /* of the GEMM in the float slots */
    const char *gemm_tile;   /* its register tile's name ("avx2_6x16"; "scalar") */
    const char *gemm_source; /* where tile and blocks came from: "default", "probe", "tune file" */
    unsigned flags;          /* the CPU flags (after the mask) the table was built for */
} SaeKernels;

/* Fills every slot of k: the scalar reference first, then each ISA the
 * flags (SAE_CPU_* from kernels/cpu.h) allow, lowest to highest, with the
 * GEMM tile and blocks the start-up probe chooses (kernels/tuning.h has
 * the call that takes a tuning). */
void sae_kernels_init(SaeKernels *k, unsigned flags);

/* Number of slots and, by index, the slot's name and its f32/f64 function
 * names (for listings; index < sae_kernel_slot_count()). */
size_t sae_kernel_slot_count(void);
const char *sae_kernel_slot_name(size_t i);
const char *sae_kernel_slot_fn(const SaeKernels *k, size_t i, int f64);

#ifdef __cplusplus
}
#endif

#endif
