/* Any slot called on standard buffers (bench/slots.h). */
#include <stdlib.h>
#include <string.h>

#include "bench/slots.h"

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

#define SLOT_ENUM(slot, kind) SLOT_##slot,
enum { SAE_KERNEL_SLOTS(SLOT_ENUM) N_SLOTS };

/* The sums the reductions return go here, so that no call is optimised
 * away. */
static volatile double sink;

/* ---- one caller per kind ------------------------------------------------ */

static void call_gemm(decl_gemm_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m, s->n, s->n, 1, s->a, s->n, s->b, s->n, 0, s->c, s->n);
}

static void call_gemm_bias_act(decl_gemm_bias_act_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m, s->n, s->n, s->a, s->n, s->b, s->n, 0, s->row, SAE_K_RELU, s->c, s->d);
}

static void call_exp(decl_exp_fn(float, *f), const SaeSlotArgs *s) { f(s->m * s->n, s->a, s->c); }

/* a zero bias keeps z where it is, call after call */
static void call_bias_act(decl_bias_act_fn(float, *f), const SaeSlotArgs *s) { f(s->m, s->n, s->zero, s->c, s->d); }

static void call_dact(decl_dact_fn(float, *f), const SaeSlotArgs *s) { f(s->m * s->n, s->b, s->c); }

static void call_out_delta(decl_out_delta_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m, s->n, 0.5f, s->b, s->a, 1, s->c, s->sums);
}

static void call_hid_delta(decl_hid_delta_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m, s->n, s->b, 0.01f, s->row, SAE_K_SIGMOID, s->c, s->sums);
}

static void call_cae_delta(decl_cae_delta_fn(float, *f), const SaeSlotArgs *s) { f(s->m, s->n, s->b, s->row, s->c); }

static void call_colsum(decl_colsum_fn(float, *f), const SaeSlotArgs *s) { f(s->m, s->n, s->a, s->sums); }

static void call_row_sqnorm(decl_row_sqnorm_fn(float, *f), const SaeSlotArgs *s) { f(s->m, s->n, s->a, s->sums); }

static void call_cae_dsq(decl_cae_dsq_fn(float, *f), const SaeSlotArgs *s) { f(s->m, s->n, s->b, s->sums); }

static void call_sqdiff_sum(decl_sqdiff_sum_fn(float, *f), const SaeSlotArgs *s) { sink = f(s->m * s->n, s->a, s->b); }

static void call_bce_sum(decl_bce_sum_fn(float, *f), const SaeSlotArgs *s) { sink = f(s->m * s->n, s->a, s->b); }

static void call_abs_sum(decl_abs_sum_fn(float, *f), const SaeSlotArgs *s) { sink = f(s->m * s->n, s->a); }

static void call_dot(decl_dot_fn(float, *f), const SaeSlotArgs *s) { sink = f(s->m * s->n, s->a, s->b); }

static void call_axpy(decl_axpy_fn(float, *f), const SaeSlotArgs *s) { f(s->m * s->n, 0.5f, s->a, s->c); }

static void call_sub_scale(decl_sub_scale_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m * s->n, 0.5f, s->a, s->b, s->c);
}

static void call_sign_axpy(decl_sign_axpy_fn(float, *f), const SaeSlotArgs *s) { f(s->m * s->n, 0.01f, s->a, s->c); }

static void call_wpen_grad(decl_wpen_grad_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m, s->n, s->a, 1e-4f, 1e-5f, NULL, s->c);
}

static void call_sgd_step(decl_sgd_step_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m * s->n, 1e-3f, 0.9f, 0, 0, s->a, s->d, s->c);
}

static void call_adam_step(decl_adam_step_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m * s->n, 1e-3f, 0.9f, 0.999f, 1e-8f, 0.1f, 0.001f, 0, 0, s->a, s->d, s->e, s->c);
}

static void call_topk(decl_topk_fn(float, *f), const SaeSlotArgs *s)
{
    memcpy(s->c, s->a, s->m * s->n * sizeof(float));
    f(s->m, s->n, s->K, s->c, s->idx, s->val);
}

/* S (m x n, K a row) times the n x n B; the n x n C of the scatter */
static void call_sp_gemm(decl_sp_gemm_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m, s->n, s->K, s->idx, s->val, s->b, s->n, s->c, s->n);
}

static void call_sp_sddmm(decl_sp_sddmm_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m, s->n, s->K, s->idx, s->a, s->n, s->b, s->n, s->e);
}

static void call_sp_scatter(decl_sp_scatter_fn(float, *f), const SaeSlotArgs *s)
{
    f(s->m, s->n, s->K, s->idx, s->val, s->a, s->n, s->c, s->n);
}

/* ---- by index ----------------------------------------------------------- */

void sae_slot_call(const SaeKernelsF32 *k, size_t i, const SaeSlotArgs *s)
{
#define CALL(slot, kind) \
    case SLOT_##slot: call_##kind(k->slot, s); break;
    switch (i) {
        SAE_KERNEL_SLOTS(CALL) default : break;
    }
#undef CALL
}

#define FAMILY(name) [SLOT_##name] =
#define IN_GEMM(slot, kind) FAMILY(slot) "gemm",
#define IN_ACT(slot, kind) FAMILY(slot) "act",
#define IN_DELTA(slot, kind) FAMILY(slot) "delta",
#define IN_REDUCE(slot, kind) FAMILY(slot) "reduce",
#define IN_VEC(slot, kind) FAMILY(slot) "vec",
#define IN_UPDATE(slot, kind) FAMILY(slot) "update",
#define IN_SPARSE(slot, kind) FAMILY(slot) "sparse",
static const char *const families[N_SLOTS] = { SAE_GEMM_SLOTS(IN_GEMM) SAE_ACT_SLOTS(IN_ACT) SAE_DELTA_SLOTS(IN_DELTA)
                                                   SAE_REDUCE_SLOTS(IN_REDUCE) SAE_VEC_SLOTS(IN_VEC)
                                                       SAE_UPDATE_SLOTS(IN_UPDATE) SAE_SPARSE_SLOTS(IN_SPARSE) };

const char *sae_slot_family(size_t i) { return i < N_SLOTS ? families[i] : ""; }

int sae_slot_counts_flops(size_t i)
{
    return i < N_SLOTS && (!strcmp(families[i], "gemm") || (!strcmp(families[i], "sparse") && i != SLOT_topk));
}

double sae_slot_work(size_t i, const SaeSlotArgs *s)
{
    const double m = (double)s->m, n = (double)s->n;
    if (!sae_slot_counts_flops(i))
        return m * n;
    return !strcmp(families[i], "gemm") ? 2 * m * n * n : 2 * m * (double)s->K * n;
}

/* ---- buffers ------------------------------------------------------------ */

void sae_bench_fill(float *p, size_t cnt, float lo, float hi, uint32_t seed)
{
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < cnt; i++) {
        x = x * 1664525u + 1013904223u;
        p[i] = lo + (hi - lo) * (float)(x >> 8) / 16777216.0f;
    }
}

int sae_slot_args_init(SaeSlotArgs *s, size_t m, size_t n, size_t K)
{
    memset(s, 0, sizeof *s);
    s->m = m;
    s->n = n;
    s->K = K < 1 ? 1 : K < n ? K : n;
    const size_t big = (m > n ? m : n) * n;
    s->a = malloc(big * sizeof(float));
    s->b = malloc(big * sizeof(float));
    s->c = calloc(big, sizeof(float));
    s->d = calloc(big, sizeof(float));
    s->e = calloc(big, sizeof(float));
    s->row = malloc(n * sizeof(float));
    s->zero = calloc(n, sizeof(float));
    s->sums = calloc(m > n ? m : n, sizeof(double));
    s->idx = malloc(m * s->K * sizeof(uint32_t));
    s->val = malloc(m * s->K * sizeof(float));
    if (!s->a || !s->b || !s->c || !s->d || !s->e || !s->row || !s->zero || !s->sums || !s->idx || !s->val) {
        sae_slot_args_free(s);
        return -1;
    }
    sae_bench_fill(s->a, big, -1, 1, 1);
    sae_bench_fill(s->b, big, 0.01f, 0.99f, 2);
    sae_bench_fill(s->c, big, -1, 1, 3);
    sae_bench_fill(s->row, n, -0.5f, 0.5f, 4);
    sae_bench_fill(s->val, m * s->K, 0, 1, 5);
    const size_t stride = n / s->K; /* K distinct units a row, increasing */
    for (size_t i = 0; i < m; i++)
        for (size_t q = 0; q < s->K; q++) s->idx[i * s->K + q] = (uint32_t)(q * stride + i % stride);
    return 0;
}

void sae_slot_args_free(SaeSlotArgs *s)
{
    free(s->a);
    free(s->b);
    free(s->c);
    free(s->d);
    free(s->e);
    free(s->row);
    free(s->zero);
    free(s->sums);
    free(s->idx);
    free(s->val);
    memset(s, 0, sizeof *s);
}

unsigned sae_slot_flush_denormals(void)
{
#if defined(__x86_64__) || defined(__i386__)
    const unsigned saved = _mm_getcsr();
    _mm_setcsr(saved | 0x8040); /* FTZ (bit 15) and DAZ (bit 6) */
    return saved;
#else
    return 0;
#endif
}

void sae_slot_restore_fp(unsigned saved)
{
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(saved);
#else
    (void)saved;
#endif
}
