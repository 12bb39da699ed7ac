/* MAP_ANONYMOUS is not POSIX.1-2008 */
#define _DEFAULT_SOURCE
/* Guarded buffers, inputs and comparisons of checkkernels. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tests/checkkernels/checkkernels.h"

InBuf in_alloc(size_t count)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE), bytes = count * sizeof(float);
    const size_t len = (bytes + page - 1) / page * page + page;
    InBuf b = { .len = len };
    b.map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (b.map == MAP_FAILED) {
        perror("mmap");
        exit(2);
    }
    mprotect((char *)b.map + len - page, page, PROT_NONE);
    b.p = (float *)((char *)b.map + len - page - bytes);
    return b;
}

void in_free(InBuf b) { munmap(b.map, b.len); }

enum { GUARD = 8192 }; /* floats of canary on each side */
static const uint32_t canary_bits = 0x7fc0deadu;

static float canary(void)
{
    float f;
    memcpy(&f, &canary_bits, 4);
    return f;
}

float *out_alloc(size_t count)
{
    float *b = malloc((count + 2 * GUARD) * sizeof(float));
    if (!b) {
        perror("malloc");
        exit(2);
    }
    for (size_t i = 0; i < count + 2 * GUARD; i++) b[i] = canary();
    return b + GUARD;
}

void out_free(float *p) { free(p - GUARD); }

int is_canary(float f) { return memcmp(&f, &canary_bits, 4) == 0; }

void out_check_guards(const float *p, size_t count, const char *what)
{
    for (size_t i = 0; i < GUARD; i++) {
        if (!is_canary(p[-1 - (long)i])) {
            fail("%s: wrote %zu floats before the buffer", what, i + 1);
            return;
        }
        if (!is_canary(p[count + i])) {
            fail("%s: wrote %zu floats past the end", what, i + 1);
            return;
        }
    }
}

void fill_uniform(float *p, size_t n, float lo, float hi)
{
    for (size_t i = 0; i < n; i++) p[i] = lo + (hi - lo) * (float)sae_rng_uniform(&ck_rng);
}

void fill_act(float *p, size_t n)
{
    fill_uniform(p, n, -12, 12);
    for (size_t i = 0; i < n; i += 11) p[i] = 0;
    for (size_t i = 5; i < n; i += 13) p[i] *= 0.02f;
}

int close_f(double got, double want, double abs_tol, double rel_tol)
{
    if (isnan(want))
        return isnan(got);
    if (isinf(want))
        return got == want;
    return fabs(got - want) <= abs_tol + rel_tol * fabs(want);
}

void expect_arrays(const char *what, const float *got, const float *want, size_t n, double abs_tol, double rel_tol)
{
    for (size_t i = 0; i < n; i++)
        if (!close_f(got[i], want[i], abs_tol, rel_tol)) {
            fail("%s[%zu] = %.9g, reference %.9g", what, i, got[i], want[i]);
            return;
        }
}

double rel_sum_tol(size_t n) { return 1e-6 + 4e-7 * sqrt((double)n); }

double softplus_d(double x) { return fmax(x, 0) + log1p(exp(-fabs(x))); }

const size_t ck_dims[] = { 1,  2,  3,  4,  5,  6,  7,  8,  9,  13, 14, 15, 16, 17,
                           23, 29, 31, 32, 33, 37, 41, 47, 48, 53, 59, 61, 64, 67 };
const size_t ck_n_dims = sizeof ck_dims / sizeof *ck_dims;

/* the last ones are past the OpenMP driver's thresholds */
static const size_t counts[] = {
    1, 2, 3, 5, 7, 8, 15, 16, 17, 31, 33, 47, 63, 64, 65, 67, 97, 1000, 4099, 70001, 200003
};
const size_t ck_n_cases = sizeof counts / sizeof *counts;

void elem_case(ElemCase *c, size_t t)
{
    c->index = t;
    c->cnt = counts[t];
    if (t == ck_n_cases - 1) { /* large enough to be split by threads */
        c->m = 701;
        c->n = 131;
    } else {
        c->m = ck_dims[t % ck_n_dims];
        c->n = ck_dims[(t * 7 + 3) % ck_n_dims] + (t % 3 == 0 ? 64 : 0);
    }
    c->mn = c->m * c->n;
    c->big = c->cnt > c->mn ? c->cnt : c->mn;
    const size_t big = c->big;
    c->i1 = in_alloc(big);
    c->i2 = in_alloc(big);
    c->iv = in_alloc(c->n);
    c->ir = in_alloc(c->m);
    c->o = out_alloc(big);
    c->o_ref = out_alloc(big);
    c->o2 = out_alloc(big);
    c->o2_ref = out_alloc(big);
    c->o3 = out_alloc(big);
    c->o3_ref = out_alloc(big);
    snprintf(c->what, sizeof c->what, "cnt %zu / %zu x %zu", c->cnt, c->m, c->n);
    fill_act(c->i1.p, big);
    fill_uniform(c->i2.p, big, -1, 1);
    fill_uniform(c->iv.p, c->n, -1, 1);
    fill_uniform(c->ir.p, c->m, 0, 1);
    fill_uniform(c->o_ref, big, -1, 1);
    memcpy(c->o, c->o_ref, big * sizeof(float));
    fill_uniform(c->o2_ref, big, 0.01f, 0.99f);
    memcpy(c->o2, c->o2_ref, big * sizeof(float));
    fill_uniform(c->o3_ref, big, 0, 1);
    memcpy(c->o3, c->o3_ref, big * sizeof(float));
}

void elem_case_end(ElemCase *c)
{
    out_check_guards(c->o, c->big, "out");
    out_free(c->o);
    out_free(c->o_ref);
    out_free(c->o2);
    out_free(c->o2_ref);
    out_free(c->o3);
    out_free(c->o3_ref);
    in_free(c->i1);
    in_free(c->i2);
    in_free(c->iv);
    in_free(c->ir);
}

void each_case(void (*body)(ElemCase *c, const void *arg), const void *arg)
{
    for (size_t t = 0; t < ck_n_cases && !failed(); t++) {
        ElemCase c;
        elem_case(&c, t);
        body(&c, arg);
        elem_case_end(&c);
    }
}

const float *in_cnt(const ElemCase *c, const InBuf *b) { return b->p + c->big - c->cnt; }
const float *in_mn(const ElemCase *c, const InBuf *b) { return b->p + c->big - c->mn; }

double *in64(InBuf *b, size_t cnt, double lo, double hi)
{
    *b = in_alloc(2 * (cnt ? cnt : 1));
    double *p = (double *)(b->p + 2 * (cnt ? cnt : 1)) - cnt;
    for (size_t i = 0; i < cnt; i++) p[i] = lo + (hi - lo) * sae_rng_uniform(&ck_rng);
    return p;
}

size_t span(size_t rows, size_t cols, size_t ld) { return rows && cols ? (rows - 1) * ld + cols : 0; }
