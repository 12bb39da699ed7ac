/*
 * checkkernels: every variant of every kernel slot against the scalar
 * reference (dav1d's checkasm, adapted). The shared machinery of the
 * family files: which slot is new at the level under test, failure
 * reports, crash capture, guarded buffers and comparisons.
 *
 * A family (gemm.c, act.c, reduce.c, update.c, vmath.c) is one
 * check_<family>() function, registered in main.c's table. For each slot
 * it owns it writes
 *     CHECK_SLOT(gemm_nn, check_gemm_op(ck_ref->gemm_nn, ck_new->gemm_nn, 0, 0));
 * check_func() marks the slot as covered and says whether the level under
 * test brings a new function for it; a slot no family covers fails the
 * `coverage` test by name.
 */
#ifndef SAE_TESTS_CHECKKERNELS_CHECKKERNELS_H
#define SAE_TESTS_CHECKKERNELS_CHECKKERNELS_H

#include <setjmp.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "kernels/kernels.h"

/* GUARDED() sets a jump point; nothing it jumps over is modified after
 * it, which -Wclobbered cannot see. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wclobbered"
#endif

/* The tables of the run: the scalar reference, and the level under test
 * (float; and double, whose SIMD slots f64.c checks). */
extern const SaeKernelsF32 *ck_ref, *ck_new;
extern const SaeKernelsF64 *ck_ref64, *ck_new64, *ck_prev64;
/* The level's name ("avx2", "avx512", "omp"), for reports. */
extern const char *ck_level;
/* The inputs' generator, seeded per slot (seed + slot index). */
extern SaeRng ck_rng;
/* Options: --ulp-stride S (the ULP scans), --bench, --require LEVEL. */
extern uint64_t ck_ulp_stride;

/* Whether the level under test has a new function in the slot named
 * `slot` of the float (f64 = 0) or double table (fn_new: the level's
 * pointer differs from the level below). Marks the slot as covered; when
 * it returns 1 the slot's inputs are seeded and the function counts as
 * run (--require). SLOT(s) spells the arguments from the slot's name. */
int check_func(const char *slot, int f64, int fn_new);
#define SLOT(s) #s, 0, ck_new->s != ck_prev->s
extern const SaeKernelsF32 *ck_prev;

/* Runs CALL, the test of slot s, when the level brings a new function for
 * s, and reports it. */
#define CHECK_SLOT(s, CALL) \
    do { \
        if (check_func(SLOT(s))) { \
            CALL; \
            check_report(#s); \
        } \
    } while (0)

/* The same for the double table's slot s, reported as "s f64". */
#define CHECK_SLOT64(s, CALL) \
    do { \
        if (check_func(#s, 1, ck_new64->s != ck_prev64->s)) { \
            CALL; \
            check_report(#s " f64"); \
        } \
    } while (0)

/* Whether a level is under test: 0 in the coverage pass, where a family's
 * tests that belong to no slot (vmath.c) must not run. */
int check_level(void);

/* Records the first failure of the current test (printf format). */
void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int failed(void);
/* Ends the current test: "ok N - name level" or "not ok ... first failure". */
void check_report(const char *name);

/* Runs CALL with crash capture: SIGSEGV/SIGBUS/SIGILL inside it become a
 * failure of the current test. */
extern sigjmp_buf ck_crash_jmp;
extern volatile sig_atomic_t ck_in_kernel;
#define GUARDED(CALL) \
    do { \
        const int sig_ = sigsetjmp(ck_crash_jmp, 1); \
        if (sig_ == 0) { \
            ck_in_kernel = 1; \
            CALL; \
            ck_in_kernel = 0; \
        } else { \
            ck_in_kernel = 0; \
            fail("crashed with signal %d (%s)", sig_, sig_ == SIGILL ? "SIGILL" : "SIGSEGV/SIGBUS"); \
        } \
    } while (0)

/* ---- buffers (buffers.c) ---------------------------------------------- */

/* count floats ending right before a PROT_NONE page: reading past the end
 * faults. */
typedef struct InBuf {
    void *map;
    size_t len;
    float *p;
} InBuf;
InBuf in_alloc(size_t count);
void in_free(InBuf b);

/* Output buffers with canary guard zones on both sides (wider than a row of
 * any tested C): out_check_guards fails on any stray write. */
float *out_alloc(size_t count);
void out_free(float *p);
int is_canary(float f);
void out_check_guards(const float *p, size_t count, const char *what);

void fill_uniform(float *p, size_t n, float lo, float hi);
/* The entries a rows x cols matrix with leading dimension ld spans (none
 * when it is empty). */
size_t span(size_t rows, size_t cols, size_t ld);
/* cnt doubles uniform in [lo, hi), ending at the PROT_NONE page of a fresh
 * input buffer *b (in_free it). */
double *in64(InBuf *b, size_t cnt, double lo, double hi);
/* Inputs for activations: wide enough to reach saturation and the cancel
 * region, with exact zeros for the kinks. */
void fill_act(float *p, size_t n);

/* |got - want| <= abs_tol + rel_tol |want|; NaN and infinities must match. */
int close_f(double got, double want, double abs_tol, double rel_tol);
void expect_arrays(const char *what, const float *got, const float *want, size_t n, double abs_tol, double rel_tol);
/* The relative tolerance of a double sum of n float terms. */
double rel_sum_tol(size_t n);
/* softplus(x) = max(x, 0) + log1p(e^-|x|) in double: what bce_sum's terms are held to. */
double softplus_d(double x);

/* GEMM dimensions: around every vector width and register tile edge. */
extern const size_t ck_dims[];
extern const size_t ck_n_dims;

/* One case of the element-wise families: a count cnt (from 1 to past the
 * OpenMP thresholds) and an m x n shape for the row-wise kernels, inputs
 * that end at a PROT_NONE page, and outputs (with the reference's copies)
 * between guard zones. */
typedef struct ElemCase {
    size_t index; /* which case, 0 .. ck_n_cases - 1 */
    size_t cnt, m, n, mn, big;
    InBuf i1, i2, iv, ir; /* activations-like, uniform(-1,1), n, m entries */
    float *o, *o_ref;     /* uniform(-1, 1) */
    float *o2, *o2_ref;   /* uniform(0.01, 0.99): h of a sigmoid */
    float *o3, *o3_ref;   /* uniform(0, 1) */
    char what[64];
} ElemCase;
extern const size_t ck_n_cases;
void elem_case(ElemCase *c, size_t t);
/* Checks the guards of o and frees everything. */
void elem_case_end(ElemCase *c);
/* Runs body(c, arg) on every case, from the smallest, until a failure. */
void each_case(void (*body)(ElemCase *c, const void *arg), const void *arg);
/* Inputs of cnt or m*n entries that end at the PROT_NONE page. */
const float *in_cnt(const ElemCase *c, const InBuf *b);
const float *in_mn(const ElemCase *c, const InBuf *b);

/* ---- the families ------------------------------------------------------ */

/* One per family of kernels.h's slot list, in its order (each file holds
 * its family's float and double checks), then vmath: the vector math
 * library the act family is made of. */
void check_gemm(void);
void check_act(void);
void check_delta(void);
void check_reduce(void);
void check_vec(void);
void check_update(void);
void check_sparse(void);
void check_vmath(void);
/* Whether the float function in slot i (kernels.h's order) was tested at
 * the level under test: the level brings it. */
int check_ran(size_t i);
/* --bench: times every function of the family (kernels.h's name for it)
 * that the level under test brings against the reference (not a test). */
void bench_family(const char *family);

#endif
