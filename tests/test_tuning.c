/* The GEMM tuning's logic, with the probe's result injected: which tile and
 * blocks each kind of core gets, which blocks are refused, what the kernel
 * table takes from a tuning, and the tune file's round trip. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io/tunefile.h"
#include "kernels/cpu.h"
#include "kernels/tuning.h"
#include "sae_config.h"

#if SAE_HAVE_SIMD
Test(tuning, the_probe_picks_each_kind_of_cores_tile)
{
    SaeTuning t;
    const SaeCpuProbe full = { .l1d = 48 << 10, .l2 = 1 << 20, .fma512_ratio = 1.98, .fma512_full = 1 };
    const SaeCpuProbe half = { .l1d = 32 << 10, .l2 = 1 << 20, .fma512_ratio = 1.01, .fma512_full = 0 };
    sae_tuning_from_probe(&t, &full);
    cr_expect_str_eq(t.avx512.tile->name, "avx512_14x32");
    cr_expect_str_eq(t.avx512.source, "probe");
    sae_tuning_from_probe(&t, &half);
    cr_expect_str_eq(t.avx512.tile->name, "avx512_8x32");
    cr_expect_str_eq(t.avx2.tile->name, "avx2_6x16");
    /* unmeasured (no AVX-512 to time): the tile measured best */
    sae_tuning_from_probe(&t, NULL);
    cr_expect_str_eq(t.avx512.tile->name, "avx512_14x32");
    cr_expect_str_eq(t.avx512.source, "default");
    cr_expect_eq(t.avx2.blocks.kc, 256);
    cr_expect_eq(t.avx2.blocks.mc, 168);
}

Test(tuning, mc_follows_the_l2_size)
{
    SaeTuning t;
    SaeCpuProbe p = { .l2 = 512 << 10 };
    sae_tuning_from_probe(&t, &p);
    cr_expect_eq(t.avx2.blocks.mc, 168, "512 KiB: the measured value");
    cr_expect_str_eq(t.avx2.source, "default");
    p.l2 = 2 << 20;
    sae_tuning_from_probe(&t, &p);
    cr_expect_eq(t.avx2.blocks.mc, 678 / 6 * 6, "2 MiB: a third of L2 in A's block, whole tiles");
    cr_expect_str_eq(t.avx2.source, "probe");
    p.l2 = 64 << 10;
    sae_tuning_from_probe(&t, &p);
    cr_expect_eq(t.avx2.blocks.mc, 24, "a tiny L2: at least four tiles of rows");
}

Test(tuning, blocks_out_of_range_are_refused)
{
    const SaeGemmTile *t = sae_gemm_tile_find("avx2_6x16");
    cr_assert_not_null(t);
    char err[200];
    const SaeGemmBlocks ok = { 6, 16, 256, 168, 4096 };
    cr_expect_eq(sae_gemm_blocks_check(t, ok, err, sizeof err), 0, "%s", err);
    const SaeGemmBlocks bad[] = { { 6, 16, 4, 168, 4096 },   { 6, 16, 2048, 168, 4096 }, { 6, 16, 256, 3, 4096 },
                                  { 6, 16, 256, 168, 4008 }, { 8, 16, 256, 168, 4096 },  { 6, 16, 256, 168, 16384 } };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cr_expect_eq(sae_gemm_blocks_check(t, bad[i], err, sizeof err), -1, "case %zu", i);
    cr_expect_eq(sae_gemm_blocks_check(sae_gemm_tile_find("scalar"), ok, err, sizeof err), -1);
    cr_expect_null(sae_gemm_tile_find("avx2_99x16"));
}

Test(tuning, the_table_takes_the_tunings_tile_and_blocks)
{
    if (!(sae_cpu_detect() & SAE_CPU_AVX2))
        cr_skip_test("no AVX2 on this CPU");
    SaeTuning t;
    sae_tuning_from_probe(&t, NULL);
    t.avx2 = (SaeGemmChoice){ sae_gemm_tile_find("avx2_4x16"), { 4, 16, 128, 40, 2048 }, "tune file" };
    SaeKernels k;
    sae_kernels_init_tuned(&k, SAE_CPU_AVX2, &t);
    cr_expect_str_eq(k.name32.gemm_nn, "sae_gemm_nn_avx2_4x16");
    cr_expect_str_eq(k.gemm_tile, "avx2_4x16");
    cr_expect_str_eq(k.gemm_source, "tune file");
    cr_expect_eq(k.blocks.kc, 128);
    cr_expect_eq(k.blocks.mc, 40);
    /* an unusable choice (blocks that do not fit) falls back to the probe's */
    t.avx2.blocks.kc = 1;
    sae_kernels_init_tuned(&k, SAE_CPU_AVX2, &t);
    cr_expect_str_eq(k.gemm_tile, "avx2_6x16");
    cr_expect_neq(strcmp(k.gemm_source, "tune file"), 0);
    /* a tile of a higher level than the table's is never used */
    t.avx2 = (SaeGemmChoice){ sae_gemm_tile_find("avx512_14x32"), { 14, 32, 384, 84, 4096 }, "tune file" };
    sae_kernels_init_tuned(&k, SAE_CPU_AVX2, &t);
    cr_expect_str_eq(k.gemm_tile, "avx2_6x16");
}

Test(tuning, tune_file_round_trip_and_refusals)
{
    char dir[] = "/tmp/sae_tunefile_XXXXXX", path[256];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/sub/tune.txt", dir);
    SaeError e = { { 0 } };
    SaeTuning t, back;
    sae_tuning_from_probe(&t, NULL);
    cr_expect_eq(sae_tunefile_load(path, &t, &e), 0, "no file: nothing applied");
    t.avx2 = (SaeGemmChoice){ sae_gemm_tile_find("avx2_4x16"), { 4, 16, 192, 80, 4096 }, "tune file" };
    cr_assert_eq(sae_tunefile_save(path, &t, &e), 0, "%s", e.msg);
    sae_tuning_from_probe(&back, NULL);
    cr_assert_eq(sae_tunefile_load(path, &back, &e), 1, "%s", e.msg);
    cr_expect_str_eq(back.avx2.tile->name, "avx2_4x16");
    cr_expect_eq(back.avx2.blocks.kc, 192);
    cr_expect_eq(back.avx2.blocks.mc, 80);
    cr_expect_str_eq(back.avx2.source, "tune file");
    cr_expect_str_eq(back.avx512.tile->name, t.avx512.tile->name);
    /* each corruption: refused with the line, the tuning untouched */
    char cpu[300], kern[300];
    sae_tunefile_key(cpu, sizeof cpu, kern, sizeof kern);
    const struct {
        const char *text, *why;
    } bad[] = {
        { "not a tune file\n", "line 1: not a tune file" },
        { "saebench-tune 1\ncpu Other\n", "line 2: stale: written on another CPU" },
        { "saebench-tune 1\n%s\nkernels 0 scalar\n", "line 3: stale: written by other kernels" },
        { "saebench-tune 1\n%s\n%s\navx2 avx2_6x16 kc=256 mc=168\n", "line 4: expected" },
        { "saebench-tune 1\n%s\n%s\navx2 avx2_6x16 kc=256 mc=168 nc=4096 x\n", "line 4: expected" },
        { "saebench-tune 1\n%s\n%s\navx2 avx2_6x16 kc=2 mc=168 nc=4096\n", "kc out of" },
        { "saebench-tune 1\n%s\n%s\nsse avx2_6x16 kc=256 mc=168 nc=4096\n", "unknown level" },
        { "saebench-tune 1\n%s\n", "ends before its kernels line" },
        { "saebench-tune 1\n%s\n%s\navx2 avx2_6x16 kc=256 mc=168 nc=4096", "not a text line" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        FILE *f = fopen(path, "w");
        cr_assert_not_null(f);
        fprintf(f, bad[i].text, cpu, kern);
        fclose(f);
        SaeTuning u = back;
        cr_expect_eq(sae_tunefile_load(path, &u, &e), -1, "case %zu", i);
        cr_expect_not_null(strstr(e.msg, bad[i].why), "case %zu: '%s' lacks '%s'", i, e.msg, bad[i].why);
        cr_expect_not_null(strstr(e.msg, path), "case %zu names the file: %s", i, e.msg);
        cr_expect_eq(u.avx2.blocks.kc, back.avx2.blocks.kc, "case %zu left the tuning alone", i);
    }
    unlink(path);
    snprintf(path, sizeof path, "%s/sub", dir);
    rmdir(path);
    rmdir(dir);
}
#endif

Test(tuning, every_tile_is_listed_once_with_its_functions)
{
    for (size_t i = 0; i < sae_gemm_tile_count(); i++) {
        const SaeGemmTile *t = sae_gemm_tile_at(i);
        cr_expect_eq(sae_gemm_tile_find(t->name), t, "%s", t->name);
        cr_expect(t->nn && t->nt && t->tn && t->bias_act, "%s", t->name);
        cr_expect_not_null(strstr(t->fn_names[0], t->name), "%s", t->name);
    }
    cr_expect_null(sae_gemm_tile_at(sae_gemm_tile_count()));
}
