/* checkkernels, the sparse family of TopK: topk (bit-exact: the selection
 * has one right answer, ties and NaN included), sp_gemm, sp_sddmm and
 * sp_scatter with padded leading dimensions, K and n around every vector
 * width, and sizes past the OpenMP split. */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/checkkernels/checkkernels.h"

/* What fills h: uniform(-1, 1); relu-like (half exact zeros); eight
 * levels (ties everywhere); uniform with one NaN. */
enum { H_UNIFORM, H_RELU, H_TIES, H_NAN, H_KINDS };

static void fill_h(float *h, size_t cnt, int kind)
{
    for (size_t i = 0; i < cnt; i++) {
        const float u = (float)(2 * sae_rng_uniform(&ck_rng) - 1);
        h[i] = kind == H_RELU ? (u > 0 ? u : 0) : kind == H_TIES ? (float)sae_rng_below(&ck_rng, 8) / 4 : u;
    }
    if (kind == H_NAN)
        h[sae_rng_below(&ck_rng, cnt)] = NAN;
}

static void topk_case(size_t m, size_t k, size_t K, int kind)
{
    const size_t mk = m * k, mK = m * K;
    float *h = out_alloc(mk), *h_ref = out_alloc(mk), *val = out_alloc(mK), *val_ref = out_alloc(mK);
    uint32_t *idx = (uint32_t *)out_alloc(mK), *idx_ref = (uint32_t *)out_alloc(mK);
    fill_h(h_ref, mk, kind);
    memcpy(h, h_ref, mk * sizeof *h);
    ck_ref->topk(m, k, K, h_ref, idx_ref, val_ref);
    GUARDED(ck_new->topk(m, k, K, h, idx, val));
    for (size_t i = 0; i < m && !failed(); i++)
        for (size_t q = 0; q < K; q++) {
            const size_t at = i * K + q;
            if (idx[at] != idx_ref[at] || memcmp(&val[at], &val_ref[at], sizeof(float))) {
                fail("%zux%zu K %zu h kind %d: row %zu entry %zu is (%u, %g), reference (%u, %g)", m, k, K, kind, i, q,
                     idx[at], val[at], idx_ref[at], val_ref[at]);
                break;
            }
            if (idx[at] >= k || (q && idx[at] == idx[at - 1])) {
                fail("%zux%zu K %zu h kind %d: row %zu: index %u out of range or repeated", m, k, K, kind, i, idx[at]);
                break;
            }
        }
    for (size_t e = 0; e < mk && !failed(); e++)
        if (memcmp(&h[e], &h_ref[e], sizeof(float)))
            fail("%zux%zu K %zu h kind %d: h[%zu] = %g, reference %g", m, k, K, kind, e, h[e], h_ref[e]);
    out_check_guards(h, mk, "h");
    out_check_guards(val, mK, "val");
    out_check_guards((float *)idx, mK, "idx");
    out_free(h);
    out_free(h_ref);
    out_free(val);
    out_free(val_ref);
    out_free((float *)idx);
    out_free((float *)idx_ref);
}

static void check_topk(void)
{
    static const size_t ks[] = { 1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 64, 100, 1000, 4099 };
    for (size_t a = 0; a < sizeof ks / sizeof *ks && !failed(); a++) {
        const size_t k = ks[a];
        const size_t Ks[] = { 1, 2, 3, 7, 9, 17, k / 2, k - 1, k };
        for (size_t b = 0; b < sizeof Ks / sizeof *Ks && !failed(); b++)
            for (int kind = 0; kind < H_KINDS && Ks[b] >= 1 && Ks[b] <= k; kind++) topk_case(1 + b % 3, k, Ks[b], kind);
    }
    topk_case(300, 500, 20, H_RELU); /* past the OpenMP split */
}

/* One sparse operand: K distinct indices below k per row (a partial
 * shuffle), values uniform(-1, 1), in buffers that end at a PROT_NONE page. */
typedef struct Sparse {
    InBuf idx, val;
} Sparse;

static Sparse sparse_new(size_t m, size_t k, size_t K)
{
    Sparse s = { in_alloc(m * K), in_alloc(m * K) };
    size_t *perm = malloc(k * sizeof *perm);
    uint32_t *idx = (uint32_t *)s.idx.p;
    for (size_t i = 0; i < m; i++) {
        for (size_t j = 0; j < k; j++) perm[j] = j;
        for (size_t q = 0; q < K; q++) {
            const size_t r = q + sae_rng_below(&ck_rng, k - q), t = perm[q];
            perm[q] = perm[r];
            perm[r] = t;
            idx[i * K + q] = (uint32_t)perm[q];
        }
    }
    free(perm);
    fill_uniform(s.val.p, m * K, -1, 1);
    return s;
}

static void sparse_free(Sparse s)
{
    in_free(s.idx);
    in_free(s.val);
}

/* A dense operand of rows x cols (ld), uniform(-1, 1), ending at a
 * PROT_NONE page. */
static InBuf dense_new(size_t rows, size_t cols, size_t ld)
{
    InBuf d = in_alloc(span(rows, cols, ld));
    fill_uniform(d.p, span(rows, cols, ld), -1, 1);
    return d;
}

/* got against want, within 2 (terms + 2) eps of the sum of the products'
 * magnitudes (mag, one per entry). */
static void expect_sums(const char *what, const float *got, const float *want, const double *mag, size_t cnt,
                        size_t terms)
{
    const double tol = 2.0 * (double)(terms + 2) * FLT_EPSILON;
    for (size_t e = 0; e < cnt; e++)
        if (!close_f(got[e], want[e], tol * mag[e] + 1e-30, 0)) {
            fail("%s: entry %zu = %.9g, reference %.9g", what, e, got[e], want[e]);
            return;
        }
}

enum { OP_GEMM, OP_SDDMM, OP_SCATTER };

static void sparse_case(int op, size_t m, size_t n, size_t k, size_t K)
{
    const size_t ldb = n + sae_rng_below(&ck_rng, 4), lda = n + sae_rng_below(&ck_rng, 4);
    const size_t ldc = op == OP_SCATTER ? ldb : n + sae_rng_below(&ck_rng, 4);
    Sparse s = sparse_new(m, k, K);
    const uint32_t *idx = (const uint32_t *)s.idx.p;
    const float *val = s.val.p;
    InBuf b = dense_new(k, n, ldb), a = dense_new(m, n, lda);
    /* the output: c (m x n, ldc), out (m x K) or C (k x n like B) */
    const size_t cnt = op == OP_SDDMM ? m * K : span(op == OP_SCATTER ? k : m, n, ldc);
    float *o = out_alloc(cnt), *o_ref = out_alloc(cnt);
    double *mag = calloc(cnt, sizeof *mag);
    for (size_t e = 0; e < cnt; e++)
        o[e] = o_ref[e] = op == OP_SCATTER ? (float)(2 * sae_rng_uniform(&ck_rng) - 1) : NAN; /* NaN: not read */
    char what[96];
    snprintf(what, sizeof what, "op %d %zux%zu k %zu K %zu ldb %zu", op, m, n, k, K, ldb);
    size_t terms = K;
    if (op == OP_GEMM) {
        ck_ref->sp_gemm(m, n, K, idx, val, b.p, ldb, o_ref, ldc);
        GUARDED(ck_new->sp_gemm(m, n, K, idx, val, b.p, ldb, o, ldc));
        for (size_t i = 0; i < m; i++)
            for (size_t r = 0; r < n; r++)
                for (size_t q = 0; q < K; q++) mag[i * ldc + r] += fabs(val[i * K + q] * b.p[idx[i * K + q] * ldb + r]);
    } else if (op == OP_SDDMM) {
        ck_ref->sp_sddmm(m, n, K, idx, a.p, lda, b.p, ldb, o_ref);
        GUARDED(ck_new->sp_sddmm(m, n, K, idx, a.p, lda, b.p, ldb, o));
        terms = n;
        for (size_t i = 0; i < m; i++)
            for (size_t q = 0; q < K; q++)
                for (size_t r = 0; r < n; r++) mag[i * K + q] += fabs(a.p[i * lda + r] * b.p[idx[i * K + q] * ldb + r]);
    } else {
        ck_ref->sp_scatter(m, n, K, idx, val, a.p, lda, o_ref, ldc);
        GUARDED(ck_new->sp_scatter(m, n, K, idx, val, a.p, lda, o, ldc));
        terms = m + 1;
        for (size_t e = 0; e < cnt; e++) mag[e] = fabs(o_ref[e]);
        for (size_t i = 0; i < m; i++)
            for (size_t q = 0; q < K; q++)
                for (size_t r = 0; r < n; r++) mag[idx[i * K + q] * ldc + r] += fabs(val[i * K + q] * a.p[i * lda + r]);
    }
    if (!failed())
        expect_sums(what, o, o_ref, mag, cnt, terms);
    out_check_guards(o, cnt, what);
    free(mag);
    out_free(o);
    out_free(o_ref);
    in_free(a);
    in_free(b);
    sparse_free(s);
}

static void check_sparse_op(int op)
{
    static const size_t Ks[] = { 1, 3, 8, 9, 16, 17, 33 }, ns[] = { 1, 5, 8, 9, 31, 33, 70 };
    for (size_t a = 0; a < sizeof Ks / sizeof *Ks && !failed(); a++)
        for (size_t b = 0; b < sizeof ns / sizeof *ns && !failed(); b++) {
            const size_t K = Ks[a], k = K + sae_rng_below(&ck_rng, 300);
            sparse_case(op, 1 + sae_rng_below(&ck_rng, 17), ns[b], k, K);
        }
    sparse_case(op, 64, 300, 2000, 40); /* past the OpenMP split */
}

void check_sparse(void)
{
    CHECK_SLOT(topk, check_topk());
    CHECK_SLOT(sp_gemm, check_sparse_op(OP_GEMM));
    CHECK_SLOT(sp_sddmm, check_sparse_op(OP_SDDMM));
    CHECK_SLOT(sp_scatter, check_sparse_op(OP_SCATTER));
}
