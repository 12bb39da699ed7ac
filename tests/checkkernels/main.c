/*
 * checkkernels: every variant of every kernel slot against the scalar
 * reference (dav1d's checkasm, adapted). Levels are tested cumulatively
 * (avx2, avx512, omp): a slot is tested at the level that brings a new
 * function for it; every GEMM register tile of a level is tested too, not
 * only the one the table chose (with its blocks and with tiny ones). Inputs are seeded (the seed is printed; --seed N repeats
 * a run); inputs end at a PROT_NONE page so any over-read faults; outputs
 * sit between guard zones (and, for GEMM, in rows wider than the tile) so
 * any stray write is seen; SIGSEGV/SIGILL inside a kernel is reported as a
 * failure. Levels this CPU or build lacks are reported as skipped; a slot
 * that no family checks fails the `coverage` test, by name.
 *
 *   checkkernels [--seed N] [--bench] [--ulp-stride S] [--require LEVEL]
 * Output is TAP. --bench also times, family by family, every function a
 * level brings against the scalar reference (tests/checkkernels/bench.c).
 * --require LEVEL (avx2, avx512) fails unless that level runs and every
 * function of it in the table, float and double, and every register tile
 * of it was tested: CI's proof that the level's code executed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/cpu.h"
#include "kernels/tuning.h"
#include "tests/checkkernels/checkkernels.h"

/* The families, in the order they run at each level. */
static const struct {
    const char *name;
    void (*check)(void);
} families[] = {
    { "gemm", check_gemm }, { "act", check_act },       { "delta", check_delta },   { "reduce", check_reduce },
    { "vec", check_vec },   { "update", check_update }, { "sparse", check_sparse }, { "vmath", check_vmath },
};

const SaeKernelsF32 *ck_ref, *ck_new, *ck_prev;
const SaeKernelsF64 *ck_ref64, *ck_new64, *ck_prev64;
const char *ck_level;
SaeRng ck_rng;
uint64_t ck_ulp_stride = 97;

static uint32_t seed;
static int n_test, n_fail;
static char fail_msg[512];
static int dry_run; /* the coverage pass: record slots, test nothing */
#define COUNT_SLOT(slot, kind) +1
enum { N_SLOTS = 0 SAE_KERNEL_SLOTS(COUNT_SLOT) };
static unsigned char covered[N_SLOTS]; /* one flag per slot of kernels.h */
static unsigned char ran[2][N_SLOTS];  /* tested at the level under test, float and double */
static const char *require;            /* --require LEVEL */
static size_t tiles_run;               /* register tiles tested at the level under test */

sigjmp_buf ck_crash_jmp;
volatile sig_atomic_t ck_in_kernel;

static void on_crash(int sig)
{
    if (!ck_in_kernel) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    siglongjmp(ck_crash_jmp, sig);
}

void fail(const char *fmt, ...)
{
    if (fail_msg[0])
        return; /* keep the first failure of a test */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(fail_msg, sizeof fail_msg, fmt, ap);
    va_end(ap);
}

int check_level(void) { return !dry_run; }

int failed(void) { return fail_msg[0] != 0; }

void check_report(const char *name)
{
    n_test++;
    if (fail_msg[0]) {
        n_fail++;
        printf("not ok %d - %s %s: %s\n", n_test, name, ck_level, fail_msg);
    } else {
        printf("ok %d - %s %s\n", n_test, name, ck_level);
    }
    fail_msg[0] = 0;
    fflush(stdout);
}

static size_t slot_index(const char *slot)
{
    for (size_t i = 0; i < sae_kernel_slot_count(); i++)
        if (!strcmp(sae_kernel_slot_name(i), slot))
            return i;
    fprintf(stderr, "checkkernels: check_func(\"%s\"): no such slot in kernels.h\n", slot);
    exit(2);
}

int check_func(const char *slot, int f64, int fn_new)
{
    const size_t i = slot_index(slot);
    covered[i] = 1;
    if (dry_run || !fn_new)
        return 0;
    ran[f64 != 0][i] = 1;
    sae_rng_seed(&ck_rng, seed + (uint32_t)i);
    return 1;
}

int check_ran(size_t i) { return i < N_SLOTS && ran[0][i]; }

/* --require: every function of the level in k (its name ends in
 * _<level>, or _<level>_f64 or _<level>_<tile> for the GEMMs) was tested
 * at this level, and so was at least one register tile. */
static void check_required(const SaeKernels *k, const char *level)
{
    char tag[32];
    snprintf(tag, sizeof tag, "_%s", level);
    for (size_t i = 0; i < sae_kernel_slot_count(); i++)
        for (int f64 = 0; f64 < 2; f64++) {
            const char *fn = sae_kernel_slot_fn(k, i, f64);
            const char *at = strstr(fn, tag);
            const char next = at ? at[strlen(tag)] : 0;
            if (at && (next == 0 || next == '_') && !ran[f64][i])
                fail("%s (slot %s) is in the table but was not tested", fn, sae_kernel_slot_name(i));
        }
    if (!tiles_run)
        fail("no %s register tile was tested", level);
    check_report("required");
}

/* Every slot of kernels.h must be claimed by a family. */
static void check_coverage(void)
{
    dry_run = 1;
    for (size_t f = 0; f < sizeof families / sizeof *families; f++) families[f].check();
    dry_run = 0;
    for (size_t i = 0; i < sae_kernel_slot_count(); i++)
        if (!covered[i])
            fail("slot %s: no check_<family> in tests/checkkernels/ tests it", sae_kernel_slot_name(i));
    check_report("coverage");
}

/* Every compiled GEMM tile of a level, not only the one the table chose:
 * each with the probe's blocks and with tiny ones that force many K
 * slices, row blocks and column blocks on the test shapes. */
static void check_tiles(unsigned level, const SaeKernels *scalar)
{
    for (size_t i = 0; i < sae_gemm_tile_count(); i++) {
        const SaeGemmTile *t = sae_gemm_tile_at(i);
        if (t->level != level)
            continue;
        const SaeGemmChoice probe = sae_gemm_choice_for(t, NULL);
        const SaeGemmBlocks tiny = { .mr = t->mr, .nr = t->nr, .kc = 16, .mc = 2 * t->mr, .nc = 2 * t->nr };
        const SaeGemmBlocks blocks[] = { probe.blocks, tiny };
        for (int b = 0; b < 2; b++) {
            SaeTuning tu;
            sae_tuning_from_probe(&tu, NULL);
            *sae_tuning_level(&tu, level) = (SaeGemmChoice){ t, blocks[b], "checkkernels" };
            SaeKernels k;
            sae_kernels_init_tuned(&k, level, &tu);
            static char name[96];
            snprintf(name, sizeof name, "%s kc %d mc %d nc %d", t->name, blocks[b].kc, blocks[b].mc, blocks[b].nc);
            if (strcmp(k.gemm_tile, t->name) || k.blocks.kc != blocks[b].kc) {
                ck_level = name;
                fail("the table did not take tile %s", t->name);
                check_report("tile");
                continue;
            }
            ck_level = name;
            ck_new = &k.f32;
            ck_prev = &scalar->f32;              /* every float GEMM slot counts as new; */
            ck_new64 = ck_prev64 = &scalar->f64; /* the double ones have no tiles */
            check_gemm();
            tiles_run++;
        }
    }
}

static int parse_args(int argc, char **argv, int *do_bench)
{
    seed = (uint32_t)time(NULL);
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--seed") && i + 1 < argc)
            seed = (uint32_t)strtoul(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--ulp-stride") && i + 1 < argc)
            ck_ulp_stride = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "--bench"))
            *do_bench = 1;
        else if (!strcmp(argv[i], "--require") && i + 1 < argc &&
                 (!strcmp(argv[i + 1], "avx2") || !strcmp(argv[i + 1], "avx512")))
            require = argv[++i];
        else {
            fprintf(stderr, "usage: checkkernels [--seed N] [--bench] [--ulp-stride S] [--require avx2|avx512]\n");
            return -1;
        }
    }
    if (ck_ulp_stride < 1)
        ck_ulp_stride = 1;
    return 0;
}

int main(int argc, char **argv)
{
    int do_bench = 0;
    if (parse_args(argc, argv, &do_bench))
        return 2;
    signal(SIGSEGV, on_crash);
    signal(SIGBUS, on_crash);
    signal(SIGILL, on_crash);
    printf("# checkkernels seed %u (repeat with --seed %u)\n", seed, seed);
    static const struct {
        const char *name;
        unsigned flags;
    } levels[] = {
        { "avx2", SAE_CPU_AVX2 },
        { "avx512", SAE_CPU_AVX2 | SAE_CPU_AVX512 },
        { "omp", SAE_CPU_ALL },
    };
    enum { N_LEVELS = sizeof levels / sizeof *levels };
    const unsigned cpu = sae_cpu_detect();
    SaeKernels scalar, prev, cur;
    sae_kernels_init(&scalar, 0);
    prev = scalar;
    ck_ref = &scalar.f32;
    ck_ref64 = &scalar.f64;
    ck_level = "all";
    ck_new = ck_prev = ck_ref;
    ck_new64 = ck_prev64 = ck_ref64;
    check_coverage();
    for (size_t l = 0; l < N_LEVELS; l++) {
        sae_kernels_init(&cur, cpu & levels[l].flags);
        const unsigned need = levels[l].flags & (l + 1 < N_LEVELS ? ~0u : SAE_CPU_OMP);
        const int required = require && !strcmp(require, levels[l].name);
        if ((cur.flags & need) != need) {
            const char *why = (cpu & need) != need && need != SAE_CPU_OMP ? "not supported by this CPU" : "not built";
            if (required) {
                ck_level = levels[l].name;
                fail("--require %s: the level is %s", require, why);
                check_report("required");
            } else {
                printf("ok %d - %s # SKIP %s\n", ++n_test, levels[l].name, why);
            }
            continue;
        }
        memset(ran, 0, sizeof ran);
        tiles_run = 0;
        ck_level = levels[l].name;
        ck_new = &cur.f32;
        ck_prev = &prev.f32;
        ck_new64 = &cur.f64;
        ck_prev64 = &prev.f64;
        for (size_t f = 0; f < sizeof families / sizeof *families; f++) {
            families[f].check();
            if (do_bench)
                bench_family(families[f].name);
        }
        if (!(levels[l].flags & SAE_CPU_OMP)) {
            check_tiles(levels[l].flags, &scalar);
            sae_kernels_init(&cur, cpu & levels[l].flags); /* the chosen tile again, for the next level */
        }
        if (required) {
            ck_level = levels[l].name;
            check_required(&cur, require);
        }
        prev = cur;
    }
    printf("1..%d\n", n_test);
    printf("# %d passed, %d failed\n", n_test - n_fail, n_fail);
    return n_fail ? 1 : 0;
}
