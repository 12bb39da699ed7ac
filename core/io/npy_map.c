/* Rows of an .npy data set through a read-only map (core/io/npy_map.h). */
#define _DEFAULT_SOURCE /* madvise's MADV_* under -std=c11 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
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

/* The whole pages of [p, p + len) of the map, released from this
 * process (not from the page cache): the rows already read then no longer
 * count twice in its memory, once mapped and once copied. */
static void release(const unsigned char *p, size_t len)
{
    const uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE), lo = ((uintptr_t)p + page - 1) / page * page,
                    hi = ((uintptr_t)p + len) / page * page;
    if (hi > lo)
        madvise((void *)lo, hi - lo, MADV_DONTNEED);
}

/* Rows [r0, r0 + rows) of a into d's rows from `at`, block by block, each block's pages
 * released once read (C order; Fortran order reads all columns at every
 * block); *reached: the rows done so far, for the error of a pass cut
 * short. */
static void convert(const char *path, const SaeNpy *a, size_t r0, size_t rows, SaeData *d, size_t at,
                    volatile size_t *reached)
{
    const size_t row_bytes = a->shape[1] * a->itemsize, block = row_bytes < BLOCK_BYTES ? BLOCK_BYTES / row_bytes : 1;
    const int show = rows * row_bytes >= PROGRESS_BYTES && isatty(STDERR_FILENO);
    const double t0 = sae_now();
    for (size_t i = 0; i < rows; i += block) {
        const size_t len = rows - i < block ? rows - i : block;
        sae_data_npy_rows(a, r0 + i, len, d, at + i);
        if (!a->fortran)
            release(a->data + (r0 + i) * row_bytes, len * row_bytes);
        *reached = i + len;
        if (show)
            progress(path, (i + len) * row_bytes, rows * row_bytes, t0, i + len == rows);
    }
}

/* The selected rows' bytes, paged in ahead of the pass (C order: one
 * range; Fortran order reads every column, so the kernel's default). */
static void advise(const SaeNpy *a, size_t r0, size_t rows)
{
    if (a->fortran)
        return;
    const size_t row_bytes = a->shape[1] * a->itemsize, page = (size_t)sysconf(_SC_PAGESIZE);
    const unsigned char *p = a->data + r0 * row_bytes;
    const size_t lead = (size_t)((uintptr_t)p % page);
    madvise((void *)(p - lead), rows * row_bytes + lead, MADV_SEQUENTIAL);
    madvise((void *)(p - lead), rows * row_bytes + lead, MADV_WILLNEED);
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
    volatile size_t reached = 0;
    struct sigaction bus = { .sa_handler = on_sigbus }, old;
    sigemptyset(&bus.sa_mask);
    sigaction(SIGBUS, &bus, &old);
    int rc = -1;
    if (sigsetjmp(bus_exit, 1) == 0) {
        convert(f->path, &f->a, r0, rows, d, at, &reached);
        rc = 0;
    }
    sigaction(SIGBUS, &old, NULL);
    struct stat now;
    if (rc)
        return sae_fail(e, "%s: row %zu: the file shrank while it was read", f->path, r0 + reached);
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

/* The first entry of rows [r0, r0 + rows) of a that is not finite, as a
 * flat index from r0, or SIZE_MAX; read in blocks of about block_bytes,
 * each block's pages released once read. */
static size_t first_nonfinite(const char *path, const SaeNpy *a, size_t r0, size_t rows, size_t block_bytes,
                              volatile size_t *reached)
{
    const size_t n = a->shape[1], row_bytes = n * a->itemsize;
    const size_t block = row_bytes < block_bytes ? block_bytes / row_bytes : 1;
    const int show = rows * row_bytes >= PROGRESS_BYTES && isatty(STDERR_FILENO);
    const double t0 = sae_now();
    for (size_t i = 0; i < rows; i += block) {
        const size_t len = rows - i < block ? rows - i : block;
        const unsigned char *p = a->data + (r0 + i) * row_bytes;
        for (size_t j = 0; j < len * n; j++) {
            double v;
            if (a->dtype == SAE_DT_F32) {
                float f;
                memcpy(&f, p + 4 * j, 4);
                v = f;
            } else
                memcpy(&v, p + 8 * j, 8);
            if (!isfinite(v))
                return i * n + j;
        }
        release(p, len * row_bytes);
        *reached = i + len;
        if (show)
            progress(path, (i + len) * row_bytes, rows * row_bytes, t0, i + len == rows);
    }
    return SIZE_MAX;
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
    if (f.a.fortran || f.a.dtype != want) {
        rc = sae_fail(e,
                      "%s: %zu rows do not fit --memory-budget (%zu MiB); streaming reads them in place, so it "
                      "needs a C-order %s file for a %s run (this one is %s%s)",
                      path, rows, budget >> 20, dtype_name(want), f32 ? "float" : "double", dtype_name(f.a.dtype),
                      f.a.fortran ? ", Fortran order" : "");
        sae_npy_map_close(&f);
        return rc;
    }
    volatile size_t reached = 0;
    size_t bad = SIZE_MAX;
    struct sigaction bus = { .sa_handler = on_sigbus }, old;
    sigemptyset(&bus.sa_mask);
    sigaction(SIGBUS, &bus, &old);
    rc = -1;
    if (sigsetjmp(bus_exit, 1) == 0) {
        bad = first_nonfinite(path, &f.a, offset, rows, budget / 4 < BLOCK_BYTES ? budget / 4 : BLOCK_BYTES, &reached);
        rc = 0;
    }
    sigaction(SIGBUS, &old, NULL);
    const size_t n = f.a.shape[1];
    if (rc)
        sae_fail(e, "%s: row %zu: the file shrank while it was read", path, offset + reached);
    else if (bad != SIZE_MAX)
        rc = sae_fail(e, "%s: row %zu, column %zu: expected a finite number", path, offset + bad / n + 1, bad % n + 1);
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
