/* MAP_ANONYMOUS is not POSIX.1-2008 */
#define _DEFAULT_SOURCE
/*
 * Every operation of kernels/x86/simd_avx512.h against its definition in
 * Intel's terms, written in plain C: the proof that a pass under
 * emulation (-Davx512_emulation=true: SIMDe and avx512_simde.h) means what
 * a pass on AVX-512 hardware means. Built with the level's flags, so on an
 * AVX-512 machine the same checks hold the hardware to the definitions,
 * and with them the definitions themselves.
 *
 * Results are compared bit for bit, NaN payloads aside (where the result
 * is NaN, any NaN passes), except where the definition fixes the bits
 * (abs, and/xor, max/min, blends).
 */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "kernels/x86/simd_avx512.h"
#include "tests/checkkernels/intrinsics.h"

/* ---- reporting ---------------------------------------------------------- */

static int n_test, n_fail;
static char first[256];

static void report(const char *name)
{
    n_test++;
    if (first[0]) {
        n_fail++;
        printf("not ok %d - %s: %s\n", n_test, name, first);
    } else {
        printf("ok %d - %s\n", n_test, name);
    }
    first[0] = 0;
}

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float from_bits(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

static uint64_t bits64(double d)
{
    uint64_t u;
    memcpy(&u, &d, 8);
    return u;
}

/* exact: the bits must match; else NaN matches any NaN */
static void same_f(const char *what, int lane, float got, float want, int exact)
{
    if (first[0] || bits(got) == bits(want) || (!exact && isnan(got) && isnan(want)))
        return;
    snprintf(first, sizeof first, "%s lane %d: got %a (0x%08x), want %a (0x%08x)", what, lane, got, bits(got), want,
             bits(want));
}

static void same_d(const char *what, int lane, double got, double want)
{
    if (first[0] || bits64(got) == bits64(want) || (isnan(got) && isnan(want)))
        return;
    snprintf(first, sizeof first, "%s lane %d: got %a, want %a", what, lane, got, want);
}

static void same_i(const char *what, int lane, long got, long want)
{
    if (first[0] || got == want)
        return;
    snprintf(first, sizeof first, "%s lane %d: got %ld, want %ld", what, lane, got, want);
}

/* ---- inputs ------------------------------------------------------------- */

/* The values that tell implementations apart: signed zeros, ties of the
 * rounding, denormals, the extremes, infinities and NaNs of both signs,
 * then a spread of ordinary values. */
static float pool(int i)
{
    static const float special[] = { 0.0f,     -0.0f,     1.0f, -1.0f,  0.5f,        -0.5f,   1.5f,
                                     2.5f,     -2.5f,     3.5f, 1e-40f, -1e-40f,     FLT_MAX, -FLT_MAX,
                                     INFINITY, -INFINITY, 3e9f, -3e9f,  16777217.0f, 1e-30f };
    enum { N_SPECIAL = sizeof special / sizeof *special };
    if (i == N_SPECIAL)
        return from_bits(0x7fc00001u); /* a quiet NaN with a payload */
    if (i == N_SPECIAL + 1)
        return from_bits(0xffc00002u); /* a negative one */
    if (i < N_SPECIAL)
        return special[i];
    uint32_t x = (uint32_t)i * 2654435761u;
    x ^= x >> 13;
    return ((float)(x % 20001u) - 10000.0f) / 997.0f;
}
enum { N_POOL = 64 };

/* Fills a[VW] from the pool, starting at `at` with stride `step`. */
static void fill(float *a, int at, int step)
{
    for (int i = 0; i < VW; i++) a[i] = pool((at + i * step) % N_POOL);
}

/* ---- the checks --------------------------------------------------------- */

typedef vf (*binop)(vf, vf);
static float def_add(float a, float b) { return a + b; }
static float def_sub(float a, float b) { return a - b; }
static float def_mul(float a, float b) { return a * b; }
static float def_div(float a, float b) { return a / b; }
/* MAXPS/MINPS: the second operand unless the first is strictly greater
 * (less); so NaN in either, or two zeros, give the second. */
static float def_max(float a, float b) { return a > b ? a : b; }
static float def_min(float a, float b) { return a < b ? a : b; }
static float def_and(float a, float b) { return from_bits(bits(a) & bits(b)); }
static float def_xor(float a, float b) { return from_bits(bits(a) ^ bits(b)); }

static void check_binops(void)
{
    static const struct {
        const char *name;
        binop v;
        float (*def)(float, float);
        int exact;
    } ops[] = {
        { "vadd", vadd, def_add, 0 }, { "vsub", vsub, def_sub, 0 }, { "vmul", vmul, def_mul, 0 },
        { "vdiv", vdiv, def_div, 0 }, { "vmax", vmax, def_max, 1 }, { "vmin", vmin, def_min, 1 },
        { "vand", vand, def_and, 1 }, { "vxor", vxor, def_xor, 1 },
    };
    for (size_t o = 0; o < sizeof ops / sizeof *ops; o++) {
        for (int s = 0; s < N_POOL; s++) {
            float a[VW], b[VW], r[VW];
            fill(a, s, 1);
            fill(b, 3 * s + 1, 5);
            vstore(r, ops[o].v(vload(a), vload(b)));
            for (int i = 0; i < VW; i++) same_f(ops[o].name, i, r[i], ops[o].def(a[i], b[i]), ops[o].exact);
        }
        report(ops[o].name);
    }
}

static void check_unops(void)
{
    for (int s = 0; s < N_POOL; s++) {
        float a[VW], b[VW], c[VW], r[6][VW];
        fill(a, s, 1);
        fill(b, 2 * s + 7, 3);
        fill(c, 5 * s + 3, 7);
        vstore(r[0], vfma(vload(a), vload(b), vload(c)));
        vstore(r[1], vfnma(vload(a), vload(b), vload(c)));
        vstore(r[2], vsqrt(vload(a)));
        vstore(r[3], vabs(vload(a)));
        vstore(r[4], vround(vload(a)));
        vstore(r[5], vkeep((vmask)(0x9c35u + 77u * (unsigned)s), vload(a)));
        for (int i = 0; i < VW; i++) {
            same_f("vfma", i, r[0][i], fmaf(a[i], b[i], c[i]), 0);
            same_f("vfnma", i, r[1][i], fmaf(-a[i], b[i], c[i]), 0);
            same_f("vsqrt", i, r[2][i], sqrtf(a[i]), 0);
            same_f("vabs", i, r[3][i], from_bits(bits(a[i]) & 0x7fffffffu), 1);
            same_f("vround", i, r[4][i], nearbyintf(a[i]), 0);
            same_f("vkeep", i, r[5][i], (0x9c35u + 77u * (unsigned)s) >> i & 1 ? a[i] : 0.0f, 1);
        }
    }
    report("vfma vfnma vsqrt vabs vround vkeep");
    float r[VW];
    vstore(r, vset1(-2.75f));
    for (int i = 0; i < VW; i++) same_f("vset1", i, r[i], -2.75f, 1);
    vstore(r, vzero());
    for (int i = 0; i < VW; i++) same_f("vzero", i, r[i], 0.0f, 1);
    report("vset1 vzero");
}

/* Ordered, quiet comparisons: false wherever a NaN is involved. */
static void check_compares(void)
{
    for (int s = 0; s < N_POOL; s++) {
        float a[VW], b[VW], r[VW], r2[VW];
        fill(a, s, 1);
        fill(b, s + (s & 1), 1); /* equal lanes on even s */
        const vbits lt = vbool_bits(vlt(vload(a), vload(b))), gt = vbool_bits(vgt(vload(a), vload(b)));
        const vbits eq = vbool_bits(veq(vload(a), vload(b)));
        vstore(r, vsel(vlt(vload(a), vload(b)), vload(a), vload(b)));
        vstore(r2, vsel_bits(gt, vload(a), vload(b)));
        for (int i = 0; i < VW; i++) {
            same_i("vlt", i, lt >> i & 1, a[i] < b[i]);
            same_i("vgt", i, gt >> i & 1, a[i] > b[i]);
            same_i("veq", i, eq >> i & 1, a[i] == b[i]);
            same_f("vsel", i, r[i], a[i] < b[i] ? a[i] : b[i], 1);
            same_f("vsel_bits", i, r2[i], a[i] > b[i] ? a[i] : b[i], 1);
        }
    }
    report("vlt vgt veq vsel vsel_bits");
}

/* Integers: vcvtps2dq rounds to nearest even; NaN and anything out of
 * range give INT32_MIN. */
static int32_t def_cvt(float f)
{
    if (isnan(f) || f >= 2147483648.0f || f < -2147483648.0f)
        return INT32_MIN;
    return (int32_t)nearbyintf(f);
}

static void check_integers(void)
{
    for (int s = 0; s < N_POOL; s++) {
        float a[VW], r[VW];
        int32_t n[VW], q[VW];
        fill(a, s, 1);
        const vi c = vcvt_i(vload(a));
        memcpy(n, &c, sizeof n);
        for (int i = 0; i < VW; i++) same_i("vcvt_i", i, n[i], def_cvt(a[i]));
        const vi t = vi_sra1(vi_sub(vi_add(c, vi_set1(-5)), vi_set1(3)));
        memcpy(q, &t, sizeof q);
        for (int i = 0; i < VW; i++) {
            const int32_t w = (int32_t)((uint32_t)n[i] - 8u);                               /* wraps as the lanes do */
            same_i("vi_add vi_sub vi_set1 vi_sra1", i, q[i], w >= 0 ? w >> 1 : ~(~w >> 1)); /* floor(w / 2) */
        }
        int32_t e[VW];
        for (int i = 0; i < VW; i++) e[i] = (i * 17 + s) % 250 - 125; /* exponents of normal floats */
        vi ev;
        memcpy(&ev, e, sizeof e);
        vstore(r, vi_exp2(ev));
        for (int i = 0; i < VW; i++) same_f("vi_exp2", i, r[i], ldexpf(1.0f, e[i]), 1);
    }
    report("vcvt_i vi_add vi_sub vi_set1 vi_sra1 vi_exp2");
}

static void check_transpose(void)
{
    vf r[VW];
    float in[VW][VW], out[VW];
    for (int i = 0; i < VW; i++) {
        for (int j = 0; j < VW; j++) in[i][j] = (float)(i * 100 + j);
        r[i] = vload(in[i]);
    }
    vtranspose(r);
    for (int i = 0; i < VW; i++) {
        vstore(out, r[i]);
        for (int j = 0; j < VW; j++) same_f("vtranspose", i * VW + j, out[j], in[j][i], 1);
    }
    report("vtranspose");
}

/* Intel's REDUCE_ADD: add the upper half to the lower, recursively, down
 * to one lane. */
static float def_reduce(const float *a, int len)
{
    float t[VW];
    memcpy(t, a, sizeof(float) * (size_t)len);
    for (; len > 1; len /= 2)
        for (int j = 0; j < len / 2; j++) t[j] = t[j] + t[j + len / 2];
    return t[0];
}

static double def_reduce_d(const double *a, int len)
{
    double t[VDW];
    memcpy(t, a, sizeof(double) * (size_t)len);
    for (; len > 1; len /= 2)
        for (int j = 0; j < len / 2; j++) t[j] = t[j] + t[j + len / 2];
    return t[0];
}

static void check_doubles(void)
{
    for (int s = 0; s < N_POOL; s++) {
        float a[VW];
        double lo[VDW], hi[VDW], r[VDW], b[VDW], c[VDW];
        fill(a, s, 3);
        vd_store(lo, vd_lo(vload(a)));
        vd_store(hi, vd_hi(vload(a)));
        for (int i = 0; i < VDW; i++) {
            same_d("vd_lo", i, lo[i], a[i]);
            same_d("vd_hi", i, hi[i], a[VDW + i]);
            b[i] = (double)pool(s + 2 * i + 1) / 3.0;
            c[i] = (double)pool(3 * s + i) * 1.5;
        }
        vd_store(r, vd_fma(vd_load(lo), vd_load(b), vd_add(vd_load(c), vd_zero())));
        for (int i = 0; i < VDW; i++) same_d("vd_fma vd_add vd_zero", i, r[i], fma(lo[i], b[i], c[i]));
        same_d("vd_sum", 0, vd_sum(vd_load(b)), def_reduce_d(b, VDW));
        same_f("vsum", 0, vsum(vload(a)), def_reduce(a, VW), 0);
        vd_store(r, vd_set1(-0.125));
        for (int i = 0; i < VDW; i++) same_d("vd_set1", i, r[i], -0.125);
    }
    report("vd_lo vd_hi vd_fma vd_add vd_sum vd_set1 vsum");
}

/* Half vectors: arithmetic and the casts to and from the low half. */
static void check_halves(void)
{
    for (int s = 0; s < N_POOL; s++) {
        float a[VW], b[VW], r[HW], r2[VW];
        fill(a, s, 1);
        fill(b, s + 11, 3);
        const vh x = vh_low(vload(a)), y = vh_low(vload(b));
        vh_store_m(r, vh_fma(vh_add(x, y), vh_mul(x, y), vh_zero()), vh_mask_first(HW));
        vstore(r2, vh_wide(x));
        for (int i = 0; i < HW; i++) {
            same_f("vh_fma vh_add vh_mul vh_zero", i, r[i], fmaf(a[i] + b[i], a[i] * b[i], 0.0f), 0);
            same_f("vh_low vh_wide", i, r2[i], a[i], 1);
        }
    }
    report("vh_add vh_mul vh_fma vh_zero vh_low vh_wide");
}

/* Masked loads and stores: the lanes outside the mask are neither read
 * nor written, so a tail that ends at an unmapped page does not fault,
 * loads zero those lanes and stores leave them as they were. */
static void check_masked(void)
{
    const size_t page = (size_t)sysconf(_SC_PAGESIZE);
    char *map = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (map == MAP_FAILED || mprotect(map + page, page, PROT_NONE)) {
        snprintf(first, sizeof first, "mmap/mprotect failed");
        report("masked loads and stores");
        return;
    }
    float *end = (float *)(map + page); /* the first float past it faults */
    for (size_t n = 0; n <= VW; n++) {
        float *p = end - n, r[VW];
        for (size_t i = 0; i < n; i++) p[i] = pool((int)(n + i) % N_POOL);
        vstore(r, vload_m(p, vmask_first(n)));
        for (size_t i = 0; i < VW; i++) same_f("vload_m at a page end", (int)i, r[i], i < n ? p[i] : 0.0f, 1);
        vstore_m(p, vset1(7.0f), vmask_first(n));
        for (size_t i = 0; i < n; i++) same_f("vstore_m at a page end", (int)i, p[i], 7.0f, 1);
        if (n <= HW) {
            for (size_t i = 0; i < n; i++) p[i] = pool((int)(2 * n + i) % N_POOL);
            vh_store_m(r, vh_load_m(p, vh_mask_first(n)), vh_mask_first(HW));
            for (size_t i = 0; i < HW; i++) same_f("vh_load_m at a page end", (int)i, r[i], i < n ? p[i] : 0.0f, 1);
            vh_store_m(p, vh_low(vset1(-3.0f)), vh_mask_first(n));
            for (size_t i = 0; i < n; i++) same_f("vh_store_m at a page end", (int)i, p[i], -3.0f, 1);
        }
    }
    /* masks with holes: only the set lanes move */
    for (unsigned m = 1; m < 0x10000u; m += 0x1357u) {
        float src[VW], dst[VW], r[VW];
        fill(src, (int)m, 1);
        for (int i = 0; i < VW; i++) dst[i] = -1.0f;
        vstore(r, vload_m(src, (vmask)m));
        vstore_m(dst, vload(src), (vmask)m);
        for (int i = 0; i < VW; i++) {
            same_f("vload_m with holes", i, r[i], m >> i & 1 ? src[i] : 0.0f, 1);
            same_f("vstore_m with holes", i, dst[i], m >> i & 1 ? src[i] : -1.0f, 1);
        }
    }
    munmap(map, 2 * page);
    report("masked loads and stores");
}

int sae_check_avx512_intrinsics(void)
{
    check_binops();
    check_unops();
    check_compares();
    check_integers();
    check_transpose();
    check_doubles();
    check_halves();
    check_masked();
    printf("1..%d\n# %d passed, %d failed\n", n_test, n_test - n_fail, n_fail);
    return n_fail != 0;
}
