/* The tune file (core/io/tunefile.h): a few lines of text, parsed
 * strictly; anything unexpected makes the whole file corrupt. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/io/fileio.h"
#include "core/io/tunefile.h"
#include "kernels/cpu.h"

#define MAGIC "saebench-tune 1"

/* FNV-1a: the file name's key from the CPU and kernels lines (both are in
 * the file and compared whole, so a collision only costs a stale file). */
static uint64_t fnv1a(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

void sae_tunefile_key(char *cpu, size_t cpulen, char *kernels, size_t kernlen)
{
    char id[256];
    sae_cpu_identity(id, sizeof id);
    snprintf(cpu, cpulen, "cpu %s", id);
    int n = snprintf(kernels, kernlen, "kernels %d", SAE_KERNELS_VERSION);
    for (size_t i = 0; i < sae_gemm_tile_count() && n > 0 && (size_t)n < kernlen; i++)
        n += snprintf(kernels + n, kernlen - (size_t)n, " %s", sae_gemm_tile_at(i)->name);
}

int sae_tunefile_path(char *buf, size_t len, SaeError *e)
{
    const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
    char cpu[300], kern[300], both[600];
    sae_tunefile_key(cpu, sizeof cpu, kern, sizeof kern);
    snprintf(both, sizeof both, "%s\n%s", cpu, kern);
    const unsigned long long key = (unsigned long long)fnv1a(both);
    int n;
    if (xdg && xdg[0] == '/')
        n = snprintf(buf, len, "%s/saebench/tune-%016llx.txt", xdg, key);
    else if (home && *home)
        n = snprintf(buf, len, "%s/.cache/saebench/tune-%016llx.txt", home, key);
    else
        return sae_fail(e, "no tune file location: set XDG_CACHE_HOME or HOME");
    if (n < 0 || (size_t)n >= len)
        return sae_fail(e, "tune file path too long");
    return 0;
}

int sae_tunefile_enabled(void)
{
    static const char *const vars[] = { "SAE_TUNE_FILE", "SAE_WISDOM" }; /* the name, and its old alias */
    for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
        const char *v = getenv(vars[i]);
        if (v && !strcmp(v, "off"))
            return 0;
    }
    return 1;
}

/* One level line: "<level> <tile> kc=N mc=N nc=N". */
static int parse_level(const char *line, SaeTuning *t, char *why, size_t whylen)
{
    char level[16], tile[32];
    int kc, mc, nc, used = 0;
    if (sscanf(line, "%15s %31s kc=%d mc=%d nc=%d%n", level, tile, &kc, &mc, &nc, &used) != 5 || line[used]) {
        snprintf(why, whylen, "expected '<level> <tile> kc=N mc=N nc=N'");
        return -1;
    }
    const unsigned flags = !strcmp(level, "avx2")     ? SAE_CPU_AVX2
                           : !strcmp(level, "avx512") ? SAE_CPU_AVX2 | SAE_CPU_AVX512
                                                      : 0;
    if (!flags) {
        snprintf(why, whylen, "unknown level '%s' (avx2 or avx512)", level);
        return -1;
    }
    const SaeGemmTile *tl = sae_gemm_tile_find(tile);
    if (!tl || (tl->level & ~flags)) {
        snprintf(why, whylen, "'%s' is not a tile of level %s in this build", tile, level);
        return -1;
    }
    const SaeGemmBlocks b = { .mr = tl->mr, .nr = tl->nr, .kc = kc, .mc = mc, .nc = nc };
    if (sae_gemm_blocks_check(tl, b, why, whylen))
        return -1;
    *sae_tuning_level(t, flags) = (SaeGemmChoice){ .tile = tl, .blocks = b, .source = "tune file" };
    return 0;
}

int sae_tunefile_load(const char *path, SaeTuning *t, SaeError *e)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        if (errno == ENOENT)
            return 0;
        return sae_fail(e, "%s: %s", path, strerror(errno));
    }
    char cpu[300], kern[300], line[512], why[700] = "";
    sae_tunefile_key(cpu, sizeof cpu, kern, sizeof kern);
    SaeTuning got = *t;
    int lineno = 0, stage = 0; /* 0 magic, 1 cpu, 2 kernels, 3 levels */
    while (!why[0] && fgets(line, sizeof line, f)) {
        lineno++;
        const size_t n = strlen(line);
        if (n == 0 || line[n - 1] != '\n' || memchr(line, '\0', n)) {
            snprintf(why, sizeof why, "line %d: not a text line", lineno);
            break;
        }
        line[n - 1] = 0;
        if (line[0] == '#' || line[0] == 0)
            continue;
        const char *want = stage == 0 ? MAGIC : stage == 1 ? cpu : kern;
        if (stage < 3 && strcmp(line, want) != 0)
            snprintf(why, sizeof why, "line %d: %s (expected '%s')", lineno,
                     stage == 0   ? "not a tune file"
                     : stage == 1 ? "stale: written on another CPU"
                                  : "stale: written by other kernels",
                     want);
        else if (stage == 3 && parse_level(line, &got, why, sizeof why) == 0)
            continue;
        else if (stage == 3) {
            char tmp[sizeof why];
            snprintf(tmp, sizeof tmp, "line %d: %.600s", lineno, why);
            memcpy(why, tmp, sizeof why);
        } else
            stage++;
    }
    if (!why[0] && ferror(f))
        snprintf(why, sizeof why, "read error");
    if (!why[0] && stage < 3)
        snprintf(why, sizeof why, "line %d: ends before its %s line", lineno,
                 stage == 0   ? "saebench-tune"
                 : stage == 1 ? "cpu"
                              : "kernels");
    fclose(f);
    if (why[0])
        return sae_fail(e, "%s: %s", path, why);
    *t = got;
    return 1;
}

/* mkdir -p of path's directory. */
static int make_parent(const char *path, SaeError *e)
{
    char dir[4096];
    if (snprintf(dir, sizeof dir, "%s", path) >= (int)sizeof dir)
        return sae_fail(e, "%s: path too long", path);
    char *slash = strrchr(dir, '/');
    if (!slash || slash == dir)
        return 0;
    *slash = 0;
    for (char *p = dir + 1;; p++) {
        const int end = *p == 0;
        if (*p == '/' || end) {
            *p = 0;
            if (mkdir(dir, 0755) && errno != EEXIST)
                return sae_fail(e, "%s: cannot create directory %s: %s", path, dir, strerror(errno));
            if (end)
                return 0;
            *p = '/';
        }
    }
}

int sae_tunefile_save(const char *path, const SaeTuning *t, SaeError *e)
{
    if (make_parent(path, e))
        return -1;
    char cpu[300], kern[300];
    sae_tunefile_key(cpu, sizeof cpu, kern, sizeof kern);
    SaeAtomicFile a;
    if (sae_atomic_open(&a, path, e))
        return -1;
    fprintf(a.f,
            "# saebench tune file, written by `saebench tune`: the GEMM tile and cache blocks\n"
            "# measured fastest on this CPU, read at start-up (SAE_TUNE_FILE=off or --no-tune-file ignore it).\n"
            "%s\n%s\n%s\n",
            MAGIC, cpu, kern);
    const SaeGemmChoice *lv[] = { &t->avx2, &t->avx512 };
    const char *names[] = { "avx2", "avx512" };
    for (int i = 0; i < 2; i++)
        if (lv[i]->tile && lv[i]->tile->set_blocks)
            fprintf(a.f, "%s %s kc=%d mc=%d nc=%d\n", names[i], lv[i]->tile->name, lv[i]->blocks.kc, lv[i]->blocks.mc,
                    lv[i]->blocks.nc);
    return sae_atomic_commit(&a, e);
}
