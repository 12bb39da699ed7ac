/* `saebench tune`: times the compiled GEMM tiles over a grid of cache
 * blocks on the GEMMs of a training step of the models given, one thread,
 * and stores the fastest per SIMD level in this CPU's tune file
 * (core/io/tunefile.h), which every later command reads at start-up. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/safe_alloc.h"
#include "core/clock.h"
#include "core/io/tunefile.h"
#include "core/rng.h"
#include "kernels/cpu.h"
#include "experiments/cli/cli.h"
#include "experiments/common/errors.h"

static const char usage[] = "usage: saebench tune [--model V,H,B]... [--quick] [--rounds N] [--out PATH] [--dry-run]\n"
                            "                     [--cpumask avx2|avx512|all]\n"
                            "Times every GEMM register tile this CPU runs, with a grid of cache blocks (KC, MC)\n"
                            "around the probe's choice, on the five GEMMs of a training step (encoder, decoder,\n"
                            "the two weight gradients, the hidden delta) of each model: V visible units, H hidden,\n"
                            "batch B. Default models: 784,256,128 784,1024,128 (Fashion-MNIST) 100,50,32 (seed)\n"
                            "64,25,10000 (UFLDL patches, full batch). One thread; each candidate's time is its\n"
                            "best of N interleaved rounds (9; --quick: 5 rounds, a smaller grid), scored as its\n"
                            "mean time ratio to the probe's choice over the models. The probe's choice is timed\n"
                            "twice: a winner must beat it by twice the gap between those two (and 2 %), or it\n"
                            "is within noise and the probe's choice is stored.\n"
                            "Writes the tune file (path: saebench cpu) unless --dry-run; --out writes elsewhere.";

enum { MAX_MODELS = 16, MAX_CANDS = 128, N_OPS = 5 };

typedef struct Model {
    size_t v, h, b;
} Model;

typedef struct Args {
    Model models[MAX_MODELS];
    size_t n_models;
    int quick, dry_run, rounds;
    const char *out;
    unsigned cpumask;
} Args;

static int parse_model(const char *s, Model *m)
{
    char *end;
    size_t x[3];
    for (int i = 0; i < 3; i++) {
        const unsigned long long v = strtoull(s, &end, 10);
        if (end == s || v < 1 || v > 100000 || (i < 2 ? *end != ',' : *end != 0))
            return -1;
        x[i] = (size_t)v;
        s = end + 1;
    }
    *m = (Model){ x[0], x[1], x[2] };
    /* every operand of the step must fit an int-sized buffer */
    return (double)m->v * (double)m->h > 1 << 28 || (double)m->v * (double)m->b > 1 << 28 ||
                   (double)m->h * (double)m->b > 1 << 28
               ? -1
               : 0;
}

static int parse_args(int argc, char **argv, Args *a)
{
    *a = (Args){ .rounds = 0, .cpumask = SAE_CPU_ALL };
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            puts(usage);
            return SAE_EXIT_OK;
        }
        if (!strcmp(arg, "--quick") || !strcmp(arg, "--dry-run")) {
            *(arg[2] == 'q' ? &a->quick : &a->dry_run) = 1;
            continue;
        }
        if (!val)
            return sae_cli_error("tune", SAE_EXIT_USAGE, "unknown option or missing value: %s (see --help)", arg);
        i++;
        if (!strcmp(arg, "--model")) {
            if (a->n_models == MAX_MODELS || parse_model(val, &a->models[a->n_models++]))
                return sae_cli_error("tune", SAE_EXIT_USAGE,
                                     "--model expects V,H,B (each 1..100000, products up to 2^28; at most %d "
                                     "models), got '%s'",
                                     MAX_MODELS, val);
        } else if (!strcmp(arg, "--rounds")) {
            char *end;
            const long r = strtol(val, &end, 10);
            if (*end || r < 1 || r > 100)
                return sae_cli_error("tune", SAE_EXIT_USAGE, "--rounds expects 1..100, got '%s'", val);
            a->rounds = (int)r;
        } else if (!strcmp(arg, "--out"))
            a->out = val;
        else if (!strcmp(arg, "--cpumask")) {
            if (sae_cpu_mask_parse(val, &a->cpumask))
                return sae_cli_error("tune", SAE_EXIT_USAGE, "--cpumask expects scalar|avx2|avx512|all, got '%s'", val);
        } else
            return sae_cli_error("tune", SAE_EXIT_USAGE, "unknown option %s (see --help)", arg);
    }
    if (!a->rounds)
        a->rounds = a->quick ? 5 : 9;
    if (!a->n_models) {
        static const Model defaults[] = { { 784, 256, 128 }, { 784, 1024, 128 }, { 100, 50, 32 }, { 64, 25, 10000 } };
        a->n_models = sizeof defaults / sizeof *defaults;
        memcpy(a->models, defaults, sizeof defaults);
    }
    return -1;
}

/* The five GEMMs of a step of model md (core/MODEL.md §5): encoder
 * X W1^T (nt B x H x V), decoder H W2^T (nt B x V x H), dW2 = D2^T H
 * (tn V x H x B), the hidden delta D2 W2 (nn B x H x V), dW1 = D1^T X
 * (tn H x V x B). Operands are views of the three buffers. */
static void step(const SaeGemmTile *t, const Model *md, const float *a, const float *b, float *c)
{
    const size_t v = md->v, h = md->h, n = md->b;
    t->nt(n, h, v, 1, a, v, b, v, 0, c, h);
    t->nt(n, v, h, 1, a, h, b, h, 0, c, v);
    t->tn(v, h, n, 1, a, v, b, h, 0, c, h);
    t->nn(n, h, v, 1, a, v, b, h, 0, c, h);
    t->tn(h, v, n, 1, a, h, b, v, 0, c, v);
}

static double step_flops(const Model *md) { return N_OPS * 2.0 * (double)md->v * (double)md->h * (double)md->b; }

typedef struct Cand {
    SaeGemmChoice c;
    double best[MAX_MODELS]; /* seconds, best over the rounds */
    double score;            /* mean time ratio to candidate 0 */
    int repeat;              /* the control: candidate 0 measured again */
} Cand;

/* Candidate 0 is the probe's choice, and candidate 1 the same again, as
 * a control: the gap between the two is the run's noise. Then every tile
 * the level runs with
 * KC and MC around it (NC stays: B's block lives in L3 and was never
 * measured to matter). */
static size_t candidates(const SaeGemmChoice *base, unsigned level, int quick, Cand *out)
{
    static const int kcs[] = { 128, 192, 256, 320, 384, 512 }, kcs_q[] = { 192, 256, 384 };
    static const double mcf[] = { 0.5, 0.75, 1, 1.5, 2 }, mcf_q[] = { 0.5, 1, 2 };
    const int *kc = quick ? kcs_q : kcs;
    const double *mf = quick ? mcf_q : mcf;
    const size_t nk = quick ? 3 : 6, nm = quick ? 3 : 5;
    size_t n = 0;
    out[n++] = (Cand){ .c = *base };
    out[n++] = (Cand){ .c = *base, .repeat = 1 };
    for (size_t ti = 0; ti < sae_gemm_tile_count(); ti++) {
        const SaeGemmTile *t = sae_gemm_tile_at(ti);
        if (!t->set_blocks || (t->level & ~level))
            continue;
        for (size_t i = 0; i < nk; i++)
            for (size_t j = 0; j < nm && n < MAX_CANDS; j++) {
                int mc = (int)(base->blocks.mc * mf[j]) / t->mr * t->mr;
                mc = mc < t->mr ? t->mr : mc;
                const SaeGemmBlocks b = { .mr = t->mr, .nr = t->nr, .kc = kc[i], .mc = mc, .nc = base->blocks.nc };
                char err[160];
                if (sae_gemm_blocks_check(t, b, err, sizeof err))
                    continue;
                if (t == base->tile && !memcmp(&b, &base->blocks, sizeof b))
                    continue; /* candidate 0 */
                out[n++] = (Cand){ .c = { .tile = t, .blocks = b, .source = "tune file" } };
            }
    }
    return n;
}

/* Repetitions of model m's step that take about 2 ms with candidate 0, so
 * that the small models are not timed at the clock's resolution. */
static void calibrate(const Cand *c0, const Args *a, int *reps, const float *ba, const float *bb, float *bc)
{
    c0->c.tile->set_blocks(c0->c.blocks);
    for (size_t m = 0; m < a->n_models; m++) {
        step(c0->c.tile, &a->models[m], ba, bb, bc);
        const double t0 = sae_now();
        step(c0->c.tile, &a->models[m], ba, bb, bc);
        const double dt = sae_now() - t0;
        reps[m] = dt >= 2e-3 ? 1 : dt <= 2e-6 ? 1000 : (int)(2e-3 / dt) + 1;
    }
}

/* Times every candidate, rounds interleaved and each round in a new
 * random order (a slow spell of the machine hits all of them alike, and
 * none is always first), and scores them. */
static void measure(Cand *cs, size_t n, const Args *a, const float *ba, const float *bb, float *bc)
{
    int reps[MAX_MODELS];
    size_t order[MAX_CANDS];
    calibrate(&cs[0], a, reps, ba, bb, bc);
    SaeRng rng;
    sae_rng_seed(&rng, 2);
    for (size_t i = 0; i < n; i++) {
        order[i] = i;
        for (size_t m = 0; m < a->n_models; m++) cs[i].best[m] = 1e30;
    }
    for (int r = 0; r < a->rounds; r++) {
        fprintf(stderr, "\rsaebench tune: round %d of %d (%zu candidates)", r + 1, a->rounds, n);
        for (size_t i = n; i > 1; i--) {
            const size_t j = sae_rng_below(&rng, (uint32_t)i), tmp = order[i - 1];
            order[i - 1] = order[j];
            order[j] = tmp;
        }
        for (size_t oi = 0; oi < n; oi++) {
            Cand *c = &cs[order[oi]];
            c->c.tile->set_blocks(c->c.blocks);
            for (size_t m = 0; m < a->n_models; m++) {
                step(c->c.tile, &a->models[m], ba, bb, bc); /* the blocks' buffers warm */
                const double t0 = sae_now();
                for (int k = 0; k < reps[m]; k++) step(c->c.tile, &a->models[m], ba, bb, bc);
                const double dt = (sae_now() - t0) / reps[m];
                c->best[m] = dt < c->best[m] ? dt : c->best[m];
            }
        }
    }
    fprintf(stderr, "\n");
    for (size_t i = 0; i < n; i++) {
        cs[i].score = 0;
        for (size_t m = 0; m < a->n_models; m++) cs[i].score += cs[i].best[m] / cs[0].best[m];
        cs[i].score /= (double)a->n_models;
    }
}

static int by_score(const void *x, const void *y)
{
    const double a = ((const Cand *)x)->score, b = ((const Cand *)y)->score;
    return (a > b) - (a < b);
}

static void print_cands(const char *level, const Cand *cs, size_t n, const Args *a)
{
    printf("%s: %zu candidates, best of %d rounds, GFLOP/s per model (V,H,B), time relative to the probe's choice\n",
           level, n, a->rounds);
    printf("  %-14s %4s %4s %5s", "tile", "kc", "mc", "nc");
    for (size_t m = 0; m < a->n_models; m++) {
        char name[40];
        snprintf(name, sizeof name, "%zu,%zu,%zu", a->models[m].v, a->models[m].h, a->models[m].b);
        printf(" %13s", name);
    }
    printf("  time ratio\n");
    for (size_t i = 0; i < n && i < 12; i++) {
        printf("  %-14s %4d %4d %5d", cs[i].c.tile->name, cs[i].c.blocks.kc, cs[i].c.blocks.mc, cs[i].c.blocks.nc);
        for (size_t m = 0; m < a->n_models; m++) printf(" %13.1f", step_flops(&a->models[m]) / cs[i].best[m] * 1e-9);
        printf("  %.3f%s\n", cs[i].score,
               cs[i].repeat               ? "  (probe's choice again: the noise control)"
               : cs[i].c.source[0] != 't' ? "  (probe's choice)"
                                          : "");
    }
}

/* Tunes one level into *choice; the buffers hold the largest operands.
 * A winner must beat the probe's choice by more than the noise: twice the
 * control's distance from 1, and at least 2 %. */
static void tune_level(const char *name, unsigned level, SaeGemmChoice *choice, const Args *a, const float *ba,
                       const float *bb, float *bc)
{
    static Cand cs[MAX_CANDS];
    const size_t n = candidates(choice, level, a->quick, cs);
    measure(cs, n, a, ba, bb, bc);
    const double noise = fabs(cs[1].score - 1);
    qsort(cs, n, sizeof *cs, by_score);
    print_cands(name, cs, n, a);
    const Cand *best = cs[0].repeat ? &cs[1] : &cs[0];
    const double margin = fmax(0.02, 2 * noise);
    printf("%s: noise %.1f %% (the probe's choice measured twice)\n", name, 100 * noise);
    if (best->score > 1 - margin) {
        printf("%s: no candidate beats the probe's choice by more than %.1f %%: keeping it\n", name, 100 * margin);
        choice->source = "tune file";
        return;
    }
    *choice = best->c;
    printf("%s: %s kc %d mc %d nc %d, %.1f %% less time than the probe's choice\n", name, choice->tile->name,
           choice->blocks.kc, choice->blocks.mc, choice->blocks.nc, 100 * (1 - best->score));
}

int sae_cmd_tune(int argc, char **argv)
{
    Args a;
    const int rc = parse_args(argc, argv, &a);
    if (rc >= 0)
        return rc;
    unsigned env;
    if (sae_cpu_mask_env(&env))
        return sae_cli_error("tune", SAE_EXIT_USAGE, "SAE_CPU_MASK must be one of scalar|avx2|avx512|all");
    const unsigned flags = sae_cpu_detect() & env & a.cpumask;
    SaeTuning t;
    sae_tuning_probe(&t, flags);
    if (!(flags & SAE_CPU_AVX2) || !t.avx2.tile)
        return sae_cli_error("tune", SAE_EXIT_USAGE, "nothing to tune: no SIMD level on this CPU, build or mask");
    size_t need = 0;
    for (size_t m = 0; m < a.n_models; m++) {
        const Model *md = &a.models[m];
        const size_t sz[] = { md->v * md->h, md->v * md->b, md->h * md->b };
        for (int i = 0; i < 3; i++) need = sz[i] > need ? sz[i] : need;
    }
    float *buf = sae_alloc_array2(3, need, sizeof(float));
    if (!buf)
        return sae_cli_error("tune", SAE_EXIT_INPUT, "out of memory for %zu floats", 3 * need);
    SaeRng rng;
    sae_rng_seed(&rng, 1);
    for (size_t i = 0; i < 3 * need; i++) buf[i] = (float)sae_rng_uniform(&rng) - 0.5f;
    tune_level("avx2", SAE_CPU_AVX2, &t.avx2, &a, buf, buf + need, buf + 2 * need);
    const int emulated = (flags & sae_cpu_emulated() & SAE_CPU_AVX512) != 0;
    if (emulated)
        printf("avx512: emulated in this build (SIMDe): its speed says nothing about the CPU, not tuned\n");
    if ((flags & SAE_CPU_AVX512) && !emulated && t.avx512.tile)
        tune_level("avx512", SAE_CPU_AVX2 | SAE_CPU_AVX512, &t.avx512, &a, buf, buf + need, buf + 2 * need);
    else
        t.avx512.tile = NULL; /* not measured here: the file names only what was */
    free(buf);
    if (a.dry_run)
        return SAE_EXIT_OK;
    char path[4096];
    SaeError e = { { 0 } };
    if (a.out)
        snprintf(path, sizeof path, "%s", a.out);
    else if (sae_tunefile_path(path, sizeof path, &e))
        return sae_cli_error("tune", SAE_EXIT_INPUT, "%s", e.msg);
    if (sae_tunefile_save(path, &t, &e))
        return sae_cli_error("tune", SAE_EXIT_INPUT, "%s", e.msg);
    printf("wrote %s\n", path);
    return SAE_EXIT_OK;
}
