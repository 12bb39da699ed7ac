/* `saebench merge DIR`: the shards of one sweep (DIR/shards/<I>/, written
 * by `saebench sweep --shard I/N`) into DIR's single-process files: the
 * rows in grid order, each run id once, the per-run images, the grid and
 * config files, then the report. Shards of different sweeps or of
 * different saebench builds are refused; missing run ids are listed with
 * the --shard that completes them (exit 1, the files hold what there is). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/io/fileio.h"
#include "experiments/common/errors.h"
#include "experiments/sweep/commands.h"
#include "experiments/sweep/results.h"
#include "experiments/sweep/run.h"
#include "experiments/sweep/summary.h"
#include "experiments/sweep/sweep_config.h"

static const char usage[] = "usage: saebench merge DIR\n"
                            "Merges DIR/shards/*/ (from `saebench sweep --shard I/N --out DIR`) into DIR's\n"
                            "results.csv, results.jsonl, summary.md, plots and runs/; lists the run ids still\n"
                            "missing and the --shard that would complete them (exit 1 when there are any).";

enum { MAX_SHARDS = 4096 };

/* One shard: its index, its rows, and where they came from. */
typedef struct Shard {
    unsigned index;
    char dir[4400];
    SaeRows rows;
} Shard;

static int by_index(const void *a, const void *b)
{
    const unsigned x = ((const Shard *)a)->index, y = ((const Shard *)b)->index;
    return x < y ? -1 : x > y;
}

/* Copies src to dst (written atomically); a missing src is not an error. */
static int copy_file(const char *src, const char *dst, SaeError *e)
{
    unsigned char *buf;
    size_t len;
    struct stat st;
    if (stat(src, &st))
        return 0;
    if (sae_read_file(src, &buf, &len, e))
        return -1;
    const int rc = sae_atomic_write(dst, buf, len, e);
    free(buf);
    return rc;
}

/* The numbered folders of DIR/shards, sorted, with shard.txt's "I N"
 * checked against the folder name and the other shards' N. */
static int find_shards(const char *dir, Shard **out, size_t *count, unsigned *n_of, SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%.4000s/shards", dir);
    DIR *d = opendir(path);
    if (!d)
        return sae_fail(e, "%s: no shards to merge (run saebench sweep --shard I/N --out %s first)", path, dir);
    Shard *sh = calloc(MAX_SHARDS, sizeof *sh);
    size_t n = 0;
    int rc = sh ? 0 : sae_fail(e, "out of memory");
    *n_of = 0;
    for (struct dirent *de; !rc && (de = readdir(d));) {
        char *end;
        const unsigned long i = strtoul(de->d_name, &end, 10);
        if (!*de->d_name || *end || de->d_name[0] == '.')
            continue;
        if (n == MAX_SHARDS) {
            rc = sae_fail(e, "%s: more than %d shards", path, MAX_SHARDS);
            break;
        }
        Shard *s = &sh[n++];
        s->index = (unsigned)i;
        snprintf(s->dir, sizeof s->dir, "%.4100s/%.200s", path, de->d_name);
        char txt[8192];
        snprintf(txt, sizeof txt, "%s/shard.txt", s->dir);
        FILE *f = fopen(txt, "r");
        unsigned si = 0, sn = 0;
        const int got = f ? fscanf(f, "%u %u", &si, &sn) : 0;
        if (f)
            fclose(f);
        if (got != 2 || si != i || sn == 0 || si >= sn)
            rc = sae_fail(e, "%s:1: expected \"%lu N\" (the shard's index and count)", txt, i);
        else if (*n_of && sn != *n_of)
            rc = sae_fail(e, "%s:1: a shard of %u, but the others are shards of %u", txt, sn, *n_of);
        *n_of = sn;
    }
    closedir(d);
    if (!rc && !n)
        rc = sae_fail(e, "%s: no shards to merge", path);
    if (rc) {
        free(sh);
        return -1;
    }
    qsort(sh, n, sizeof *sh, by_index);
    *out = sh;
    *count = n;
    return 0;
}

/* Every shard ran the same sweep (sweep.resolved.ini byte for byte); cfg
 * gets it. */
static int same_sweep(const Shard *sh, size_t n, SaeSweepConfig *cfg, char *cfg_path, size_t len, SaeError *e)
{
    unsigned char *ref, *buf;
    size_t ref_len, blen;
    snprintf(cfg_path, len, "%s/sweep.resolved.ini", sh[0].dir);
    if (sae_read_file(cfg_path, &ref, &ref_len, e))
        return -1;
    int rc = 0;
    for (size_t i = 1; i < n && !rc; i++) {
        char p[8192];
        snprintf(p, sizeof p, "%s/sweep.resolved.ini", sh[i].dir);
        if (sae_read_file(p, &buf, &blen, e)) {
            rc = -1;
            break;
        }
        if (blen != ref_len || memcmp(buf, ref, blen))
            rc = sae_fail(e, "%s: a different sweep from %s (shards of one sweep share it byte for byte)", p, cfg_path);
        free(buf);
    }
    free(ref);
    return rc ? rc : sae_sweep_config_read(cfg_path, cfg, e) ? -1 : 0;
}

/* Each shard's rows (the header must be this build's), all from one
 * saebench version and revision. */
static int load_rows(Shard *sh, size_t n, SaeError *e)
{
    const char *ver = NULL, *rev = NULL, *where = NULL;
    for (size_t i = 0; i < n; i++) {
        char csv[8192];
        snprintf(csv, sizeof csv, "%s/results.csv", sh[i].dir);
        sae_rows_init(&sh[i].rows);
        if (sae_rows_load(csv, &sh[i].rows, e))
            return -1;
        const int vc = sae_rows_col(&sh[i].rows, "saebench_version"), rc = sae_rows_col(&sh[i].rows, "git_revision");
        for (size_t r = 0; r < sh[i].rows.n_rows; r++) {
            const char *v = sh[i].rows.rows[r][vc], *g = sh[i].rows.rows[r][rc];
            if (!ver) {
                ver = v;
                rev = g;
                where = sh[i].dir;
            } else if (strcmp(v, ver) || strcmp(g, rev)) {
                return sae_fail(e, "%s:%zu: saebench %s (%s), but %s ran saebench %s (%s): merge shards of one build",
                                csv, r + 2, v, g, where, ver, rev);
            }
        }
    }
    return 0;
}

/* The per-run images of row id, from its shard into DIR/runs/<id>/. */
static int copy_images(const char *dir, const Shard *s, const char *id, SaeError *e)
{
    char src[8192], dst[8192];
    snprintf(src, sizeof src, "%s/runs/%s", s->dir, id);
    struct stat st;
    if (stat(src, &st))
        return 0;
    snprintf(dst, sizeof dst, "%.4000s/runs", dir);
    mkdir(dst, 0755);
    snprintf(dst, sizeof dst, "%.4000s/runs/%s", dir, id);
    mkdir(dst, 0755);
    static const char *const files[] = { "filters.png", "reconstructions.png" };
    for (size_t f = 0; f < 2; f++) {
        snprintf(src, sizeof src, "%s/runs/%s/%s", s->dir, id, files[f]);
        snprintf(dst, sizeof dst, "%.4000s/runs/%s/%s", dir, id, files[f]);
        if (copy_file(src, dst, e))
            return -1;
    }
    return 0;
}

/* The rows in grid order into all (each run id once, images copied);
 * prints the missing run ids by shard. Returns the number missing, or -1. */
static long gather(const char *dir, const SaeSweepConfig *cfg, const Shard *sh, size_t n, unsigned n_of, SaeRows *all,
                   SaeError *e)
{
    SaeRows pool; /* every shard's rows, and the shard each came from */
    sae_rows_init(&pool);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) total += sh[i].rows.n_rows;
    size_t *from = malloc((total ? total : 1) * sizeof *from), *at = NULL;
    unsigned long *missing = calloc(n_of, sizeof *missing);
    int rc = from && missing ? 0 : -1;
    for (size_t i = 0; i < n && !rc; i++)
        for (size_t r = 0; r < sh[i].rows.n_rows && !rc; r++) {
            from[pool.n_rows] = i;
            rc = sae_rows_add(&pool, sh[i].rows.rows[r]);
        }
    if (!rc && !(at = sae_sweep_row_index(cfg, &pool)))
        rc = -1;
    if (rc)
        rc = sae_fail(e, "out of memory");
    long lost = 0;
    const int id_col = sae_rows_col(&pool, "run_id");
    for (size_t idx = 0, j = 0; idx < sae_sweep_size(cfg) && !rc; idx++) {
        if (at[idx] == SAE_ROW_SKIPPED) /* an [only-if] point */
            continue;
        const unsigned shard = (unsigned)(j++ % n_of);
        if (at[idx] == SAE_ROW_NONE) {
            SaeRunSpec s;
            char id[17];
            sae_sweep_point(cfg, idx, &s, NULL, e); /* its errors were caught when the shard ran */
            sae_run_id(&s, id);
            fprintf(stderr, "%s %s", lost ? "" : "saebench merge: missing run ids:", id);
            lost++;
            missing[shard]++;
            continue;
        }
        char *const *row = pool.rows[at[idx]];
        rc = sae_rows_add(all, row) ? sae_fail(e, "out of memory")
                                    : copy_images(dir, &sh[from[at[idx]]], row[id_col], e);
    }
    if (lost)
        fputc('\n', stderr);
    for (unsigned i = 0; i < n_of && !rc; i++)
        if (missing[i])
            fprintf(stderr,
                    "saebench merge: %lu of them are shard %u/%u's: complete them with saebench sweep "
                    "%s/sweep.resolved.ini --out %s --shard %u/%u --resume\n",
                    missing[i], i, n_of, sh[0].dir, dir, i, n_of);
    free(from);
    free(at);
    free(missing);
    sae_rows_free(&pool);
    return rc ? -1 : lost;
}

int sae_cmd_merge(int argc, char **argv)
{
    if (argc >= 3 && (!strcmp(argv[2], "--help") || !strcmp(argv[2], "-h"))) {
        puts(usage);
        return SAE_EXIT_OK;
    }
    if (argc != 3 || !strncmp(argv[2], "--", 2))
        return sae_cli_error("merge", SAE_EXIT_USAGE, "expected the sweep's folder, DIR (see --help)");
    const char *dir = argv[2];
    SaeError e;
    Shard *sh = NULL;
    size_t n = 0;
    unsigned n_of = 0;
    SaeSweepConfig *cfg = calloc(1, sizeof *cfg);
    SaeRows all;
    sae_rows_init(&all);
    char cfg_path[8192];
    int code = SAE_EXIT_OK;
    long lost = 0;
    if (!cfg || find_shards(dir, &sh, &n, &n_of, &e) || same_sweep(sh, n, cfg, cfg_path, sizeof cfg_path, &e) ||
        load_rows(sh, n, &e) || (lost = gather(dir, cfg, sh, n, n_of, &all, &e)) < 0) {
        code = sae_cli_error("merge", SAE_EXIT_INPUT, "%s", cfg ? e.msg : "out of memory");
    } else {
        char src[8192], dst[8192];
        static const char *const copied[] = { "sweep.ini", "sweep.resolved.ini", "grid.tsv" };
        for (size_t f = 0; f < 3 && code == SAE_EXIT_OK; f++) {
            snprintf(src, sizeof src, "%s/%s", sh[0].dir, copied[f]);
            snprintf(dst, sizeof dst, "%.4000s/%s", dir, copied[f]);
            if (copy_file(src, dst, &e))
                code = sae_cli_error("merge", SAE_EXIT_INPUT, "%s", e.msg);
        }
        snprintf(src, sizeof src, "%.4000s/sweep.resolved.ini", dir);
        if (code == SAE_EXIT_OK && (sae_rows_write(dir, &all, &e) || sae_report_write(dir, src, cfg, &all, &e)))
            code = sae_cli_error("merge", SAE_EXIT_INPUT, "%s", e.msg);
        if (code == SAE_EXIT_OK)
            printf("merged %zu runs from %zu shard(s) of %u into %s%s\n", all.n_rows, n, n_of, dir,
                   lost ? "; runs are missing (above)" : "");
        if (code == SAE_EXIT_OK && lost)
            code = SAE_EXIT_INPUT;
    }
    for (size_t i = 0; i < n; i++) sae_rows_free(&sh[i].rows);
    free(sh);
    sae_rows_free(&all);
    free(cfg);
    return code;
}
