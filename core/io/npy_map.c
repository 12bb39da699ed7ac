/* Rows of an .npy data set through a read-only map (core/io/npy_map.h). */
#define _DEFAULT_SOURCE /* madvise's MADV_* under -std=c11 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/io/data_formats.h"
#include "core/io/npy.h"
#include "core/io/npy_map.h"
#include "core/safe_alloc.h"

/* Rows are converted in blocks of about this many file bytes: the unit of
 * the progress line; and from this many bytes on, a terminal gets one. */
enum { BLOCK_BYTES = 64 << 20, PROGRESS_BYTES = 256 << 20 };

/* The pass's way out when the file shrinks under the map: a page past the
 * new end raises SIGBUS, and the handler jumps back to before the pass.
 * Loading runs on the main thread before any other starts. */
static sigjmp_buf bus_exit;

static void on_sigbus(int sig)
{
    (void)sig;
    siglongjmp(bus_exit, 1);
}

static void progress(const char *path, size_t done, size_t total, double t0, int last)
{
    const double dt = sae_now() - t0;
    fprintf(stderr, "\rreading %s: %3.0f %% (%.0f MB/s)%s", path, 100.0 * (double)done / (double)total,
            dt > 0 ? (double)done / dt / 1e6 : 0.0, last ? "\n" : "");
}

/* What a pass does with rows [i, i + len) of its rows (the file's rows
 * from r0 + i); nonzero stops the pass. */
typedef int BlockFn(const SaeNpy *a, size_t r0, size_t i, size_t len, void *ctx);

/* Rows [r0, r0 + rows) of f through fn in blocks of about block_bytes,
 * each block's pages released once done (C order: then they do not count
 * twice in the process; Fortran order reads every column at every block),
 * a progress line on a terminal for large passes, all under the SIGBUS
 * guard: a file that shrinks is an error naming the row reached. 0, fn's
 * nonzero, or -1. */
static int guarded_pass(const SaeNpyMap *f, size_t r0, size_t rows, size_t block_bytes, BlockFn *fn, void *ctx,
                        SaeError *e)
{
    const SaeNpy *a = &f->a;
    const size_t row_bytes = a->shape[1] * a->itemsize, block = row_bytes < block_bytes ? block_bytes / row_bytes : 1;
    const int show = rows * row_bytes >= PROGRESS_BYTES && isatty(STDERR_FILENO);
    const double t0 = sae_now();
    volatile size_t reached = 0;
    volatile int rc = 0;
    struct sigaction bus = { .sa_handler = on_sigbus }, old;
    sigemptyset(&bus.sa_mask);
    sigaction(SIGBUS, &bus, &old);
    if (sigsetjmp(bus_exit, 1) == 0) {
        for (size_t i = 0; i < rows && !rc; i += block) {
            const size_t len = rows - i < block ? rows - i : block;
            rc = fn(a, r0, i, len, ctx);
            if (!a->fortran)
                sae_advise_done(a->data + (r0 + i) * row_bytes, len * row_bytes);
            reached = i + len;
            if (show && !rc)
                progress(f->path, (i + len) * row_bytes, rows * row_bytes, t0, i + len == rows);
        }
    } else
        rc = sae_fail(e, "%s: row %zu: the file shrank while it was read", f->path, r0 + reached);
    sigaction(SIGBUS, &old, NULL);
    return rc;
}

/* The copying pass: rows into d from row `at`. */
typedef struct CopyTo {
    SaeData *d;
    size_t at;
} CopyTo;

static int copy_block(const SaeNpy *a, size_t r0, size_t i, size_t len, void *ctx)
{
    const CopyTo *t = ctx;
    sae_data_npy_rows(a, r0 + i, len, t->d, t->at + i);
    return 0;
}

/* The selected rows' bytes, read ahead of the pass (C order: one range;
 * Fortran order reads every column, so the kernel's default). */
static void advise(const SaeNpy *a, size_t r0, size_t rows)
{
    const size_t row_bytes = a->shape[1] * a->itemsize;
    if (!a->fortran)
        sae_advise_willneed(a->data + r0 * row_bytes, rows * row_bytes);
}

void sae_npy_map_close(SaeNpyMap *f)
{
    if (f->map && f->map != MAP_FAILED)
        munmap(f->map, f->size);
    if (f->fd >= 0)
        close(f->fd);
    f->map = NULL;
    f->fd = -1;
}

/* SAE_NPY_MAP_NOT_NPY when path is not an uncompressed .npy regular file
 * (nothing left open), 0, or -1 with e set. */
int sae_npy_map_open(const char *path, SaeNpyMap *f, SaeError *e)
{
    *f = (SaeNpyMap){ .path = path, .fd = open(path, O_RDONLY | O_CLOEXEC) };
    unsigned char magic[6];
    if (f->fd < 0 || fstat(f->fd, &f->st) || !S_ISREG(f->st.st_mode) ||
        pread(f->fd, magic, sizeof magic, 0) != (ssize_t)sizeof magic || memcmp(magic, "\x93NUMPY", sizeof magic)) {
        sae_npy_map_close(f);
        return SAE_NPY_MAP_NOT_NPY;
    }
    f->size = (size_t)f->st.st_size;
    f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, f->fd, 0);
    if (f->map == MAP_FAILED) {
        sae_fail(e, "%s: cannot map the file (%s)", path, strerror(errno));
        sae_npy_map_close(f);
        return -1;
    }
    if (sae_npy_parse(f->map, f->size, path, &f->a, e) || sae_data_npy_check(path, &f->a, e)) {
        sae_npy_map_close(f);
        return -1;
    }
    return 0;
}

/* Rows [r0, r0 + rows) of f into d's rows from `at`, under the SIGBUS
 * guard, then the file's size and modification time checked again. */
int sae_npy_map_copy(SaeNpyMap *f, size_t r0, size_t rows, SaeData *d, size_t at, SaeError *e)
{
    advise(&f->a, r0, rows);
    if (guarded_pass(f, r0, rows, BLOCK_BYTES, copy_block, &(CopyTo){ d, at }, e))
        return -1;
    struct stat now;
    if (fstat(f->fd, &now) || now.st_size != f->st.st_size || now.st_mtim.tv_sec != f->st.st_mtim.tv_sec ||
        now.st_mtim.tv_nsec != f->st.st_mtim.tv_nsec)
        return sae_fail(e, "%s: the file changed while it was read", f->path);
    return 0;
}

/* The rows kept of `total`: [offset, offset + limit), limit 0 to the end;
 * noun: "file" or "folder", for the error. */
static int select_rows(const char *what, const char *noun, size_t total, size_t offset, size_t limit, size_t *rows,
                       SaeError *e)
{
    if (offset >= total)
        return sae_fail(e, "%s: --offset %zu: the %s has %zu rows", what, offset, noun, total);
    *rows = limit && limit < total - offset ? limit : total - offset;
    return 0;
}

int sae_npy_map_rows(const char *path, size_t offset, size_t limit, int f32, SaeData *d, SaeError *e)
{
    memset(d, 0, sizeof *d);
    SaeNpyMap f;
    int rc = sae_npy_map_open(path, &f, e);
    if (rc)
        return rc;
    size_t rows = 0;
    rc = select_rows(path, "file", f.a.shape[0], offset, limit, &rows, e) ||
                 sae_data_npy_alloc(path, &f.a, rows, f32, d, e) || sae_npy_map_copy(&f, offset, rows, d, 0, e)
             ? -1
             : 0;
    if (rc)
        sae_data_free(d);
    sae_npy_map_close(&f);
    return rc;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int is_npy_name(const char *name)
{
    const size_t l = strlen(name);
    return l > 4 && !strcmp(name + l - 4, ".npy");
}

/* The shard names of dir, sorted; SAE_NPY_MAP_NOT_NPY when it holds no
 * .npy file; -1 (e set) on any other entry. */
static int shard_names(const char *dir, char ***names, size_t *n, SaeError *e)
{
    *names = NULL;
    *n = 0;
    DIR *dp = opendir(dir);
    if (!dp)
        return sae_fail(e, "%s: cannot open the folder (%s)", dir, strerror(errno));
    size_t cap = 0, others = 0;
    char other[256] = "";
    int rc = 0;
    for (struct dirent *de; (de = readdir(dp)) && !rc;) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        if (!is_npy_name(de->d_name)) {
            if (!others++)
                snprintf(other, sizeof other, "%s", de->d_name);
            continue;
        }
        if (*n == SAE_MAX_SHARDS) {
            rc = sae_fail(e, "%s: more than %d .npy shards", dir, SAE_MAX_SHARDS);
            break;
        }
        if (*n == cap) {
            char **g = realloc(*names, (cap = cap ? 2 * cap : 64) * sizeof *g);
            if (!g) {
                rc = sae_fail(e, "%s: out of memory listing the folder", dir);
                break;
            }
            *names = g;
        }
        if (!((*names)[*n] = strdup(de->d_name))) {
            rc = sae_fail(e, "%s: out of memory listing the folder", dir);
            break;
        }
        (*n)++;
    }
    closedir(dp);
    if (!rc && !*n)
        rc = SAE_NPY_MAP_NOT_NPY;
    else if (!rc && others)
        rc = sae_fail(e, "%s/%s: not an .npy file; a folder of shards holds .npy files only", dir, other);
    if (!rc)
        qsort(*names, *n, sizeof **names, cmp_name);
    return rc;
}

static const char *dtype_name(SaeDtype t)
{
    return t == SAE_DT_F32 ? "float32" : t == SAE_DT_F64 ? "float64" : "uint8";
}

/* Shard i's header against the first's: the same columns and dtype. */
static int same_kind(const char *path, const SaeNpy *a, const char *first, const SaeNpy *a0, SaeError *e)
{
    if (a->shape[1] != a0->shape[1])
        return sae_fail(e, "%s: %zu columns, but %s has %zu", path, a->shape[1], first, a0->shape[1]);
    if (a->dtype != a0->dtype)
        return sae_fail(e, "%s: dtype %s, but %s is %s", path, dtype_name(a->dtype), first, dtype_name(a0->dtype));
    return 0;
}

int sae_npy_map_folder(const char *dir, size_t offset, size_t limit, int f32, size_t budget, SaeData *d, SaeError *e)
{
    memset(d, 0, sizeof *d);
    char **names;
    size_t n;
    int rc = shard_names(dir, &names, &n, e);
    size_t *rows = rc ? NULL : calloc(n, sizeof *rows), total = 0;
    char path[4096], first_path[4096] = "";
    if (!rc && !rows)
        rc = sae_fail(e, "%s: out of memory listing the folder", dir);
    SaeNpy first = { 0 };
    for (size_t i = 0; i < n && !rc; i++) { /* every header, before any row is read */
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        SaeNpyMap f;
        const int o = sae_npy_map_open(path, &f, e);
        if (o == SAE_NPY_MAP_NOT_NPY)
            rc = sae_fail(e, "%s: not a readable uncompressed .npy file", path);
        else if (o)
            rc = -1;
        else {
            if (i == 0) { /* its shape and dtype, not its rows: they are not mapped past here */
                first = f.a;
                snprintf(first_path, sizeof first_path, "%s", path);
            }
            rows[i] = f.a.shape[0];
            if (same_kind(path, &f.a, first_path, &first, e))
                rc = -1;
            else if (sae_add_overflow(total, rows[i], &total))
                rc = sae_fail(e, "%s: more rows than a size holds", dir);
            sae_npy_map_close(&f);
        }
    }
    size_t keep = 0, bytes;
    const size_t elem = f32 && first.dtype != SAE_DT_F64 ? sizeof(float) : sizeof(double);
    if (!rc && select_rows(dir, "folder", total, offset, limit, &keep, e))
        rc = -1;
    else if (!rc && budget && (sae_mul_overflow(keep, first.shape[1] * elem, &bytes) || bytes > budget))
        rc = sae_fail(e, "%s: %zu rows do not fit --memory-budget (%zu MiB), and a folder of shards is not streamed",
                      dir, keep, budget >> 20);
    else if (!rc && sae_data_npy_alloc(dir, &first, keep, f32, d, e))
        rc = -1;
    /* each shard's part of [offset, offset + keep) into d, in name order */
    for (size_t i = 0, lo = 0, at = 0; i < n && !rc && at < keep; lo += rows[i++]) {
        if (lo + rows[i] <= offset)
            continue;
        const size_t r0 = offset > lo ? offset - lo : 0, len = rows[i] - r0 < keep - at ? rows[i] - r0 : keep - at;
        SaeNpyMap f;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        const int o = sae_npy_map_open(path, &f, e);
        if (o == 0 && f.a.shape[0] != rows[i])
            rc = sae_fail(e, "%s: the file changed while the folder was read", path);
        else if (o)
            rc = o == SAE_NPY_MAP_NOT_NPY ? sae_fail(e, "%s: the file changed while the folder was read", path) : -1;
        else
            rc = sae_npy_map_copy(&f, r0, len, d, at, e);
        sae_npy_map_close(&f);
        at += len;
    }
    if (rc)
        sae_data_free(d);
    for (size_t i = 0; i < n; i++) free(names[i]);
    free(names);
    free(rows);
    return rc;
}

/* The streamed file's name, for the exit of a SIGBUS after loading. */
static char streamed_path[4096];

static void on_stream_sigbus(int sig)
{
    (void)sig;
    static const char pre[] = "saebench: ", post[] = ": the streamed data file shrank or changed under its map\n";
    if (write(STDERR_FILENO, pre, sizeof pre - 1) < 0 ||
        write(STDERR_FILENO, streamed_path, strlen(streamed_path)) < 0 ||
        write(STDERR_FILENO, post, sizeof post - 1) < 0)
        _exit(1);
    _exit(1);
}

/* The finiteness pass: the first entry that is not, as a flat index into
 * the pass's rows, in *bad (a block is a view of the map in the run's
 * type, aligned: sae_npy_map_stream checks that). */
static int check_block(const SaeNpy *a, size_t r0, size_t i, size_t len, void *ctx)
{
    size_t *bad = ctx;
    const size_t n = a->shape[1];
    const void *p = a->data + (r0 + i) * n * a->itemsize;
    const SaeData view = { .rows = len,
                           .cols = n,
                           .x = a->dtype == SAE_DT_F64 ? (double *)(uintptr_t)p : NULL,
                           .xf = a->dtype == SAE_DT_F32 ? (float *)(uintptr_t)p : NULL };
    const size_t at = sae_data_first_nonfinite(&view);
    if (at == SIZE_MAX)
        return 0;
    *bad = i * n + at;
    return 1;
}

int sae_npy_map_stream(const char *path, size_t offset, size_t limit, int f32, size_t budget, SaeData *d, SaeError *e)
{
    memset(d, 0, sizeof *d);
    SaeNpyMap f;
    int rc = sae_npy_map_open(path, &f, e);
    if (rc)
        return rc;
    size_t rows = 0, bytes;
    const size_t elem = f32 && f.a.dtype != SAE_DT_F64 ? sizeof(float) : sizeof(double);
    if (select_rows(path, "file", f.a.shape[0], offset, limit, &rows, e)) {
        sae_npy_map_close(&f);
        return -1;
    }
    if (!budget || (!sae_mul_overflow(rows, f.a.shape[1] * elem, &bytes) && bytes <= budget)) {
        sae_npy_map_close(&f);
        return SAE_NPY_MAP_FITS;
    }
    const SaeDtype want = f32 ? SAE_DT_F32 : SAE_DT_F64;
    if (f.a.fortran || f.a.dtype != want || (uintptr_t)f.a.data % f.a.itemsize) {
        rc = sae_fail(e,
                      "%s: %zu rows do not fit --memory-budget (%zu MiB); streaming reads them in place, so it "
                      "needs a C-order %s file for a %s run, its data aligned to its dtype (this one is %s%s%s)",
                      path, rows, budget >> 20, dtype_name(want), f32 ? "float" : "double", dtype_name(f.a.dtype),
                      f.a.fortran ? ", Fortran order" : "", (uintptr_t)f.a.data % f.a.itemsize ? ", unaligned" : "");
        sae_npy_map_close(&f);
        return rc;
    }
    const size_t n = f.a.shape[1];
    size_t bad = SIZE_MAX;
    rc = guarded_pass(&f, offset, rows, budget / 4 < BLOCK_BYTES ? budget / 4 : BLOCK_BYTES, check_block, &bad, e);
    if (rc > 0) {
        const size_t at = (offset + bad / n) * n + bad % n;
        double v;
        if (f32) {
            float x;
            memcpy(&x, f.a.data + at * 4, 4);
            v = x;
        } else
            memcpy(&v, f.a.data + at * 8, 8);
        rc = sae_fail(e, "%s: row %zu, column %zu: expected a finite number, got %g", path, offset + bad / n + 1,
                      bad % n + 1, v);
    }
    if (rc) {
        sae_npy_map_close(&f);
        return rc;
    }
    const size_t row_bytes = n * f.a.itemsize;
    d->rows = rows;
    d->cols = n;
    d->auto_scale = 1;
    d->map = f.map;
    d->map_len = f.size;
    d->window = 8;
    d->chunk = budget / 4 / d->window / row_bytes ? budget / 4 / d->window / row_bytes : 1;
    if (f32)
        d->xf = (float *)(void *)(f.a.data + offset * row_bytes); /* read only: the map is PROT_READ */
    else
        d->x = (double *)(void *)(f.a.data + offset * row_bytes);
    f.map = NULL; /* d owns the map now */
    sae_npy_map_close(&f);
    snprintf(streamed_path, sizeof streamed_path, "%s", path);
    struct sigaction exit_bus = { .sa_handler = on_stream_sigbus };
    sigemptyset(&exit_bus.sa_mask);
    sigaction(SIGBUS, &exit_bus, NULL);
    return 0;
}
