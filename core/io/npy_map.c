/* Rows of an .npy data set through a read-only map (core/io/npy_map.h). */
#define _DEFAULT_SOURCE /* madvise's MADV_* under -std=c11 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/clock.h"
#include "core/io/data_formats.h"
#include "core/io/npy.h"
#include "core/io/npy_map.h"

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

/* Rows [r0, r0 + rows) of a into d, block by block, each block's pages
 * released once read (C order; Fortran order reads all columns at every
 * block); *reached: the rows done so far, for the error of a pass cut
 * short. */
static void convert(const char *path, const SaeNpy *a, size_t r0, size_t rows, SaeData *d, volatile size_t *reached)
{
    const size_t row_bytes = a->shape[1] * a->itemsize, block = row_bytes < BLOCK_BYTES ? BLOCK_BYTES / row_bytes : 1;
    const int show = rows * row_bytes >= PROGRESS_BYTES && isatty(STDERR_FILENO);
    const double t0 = sae_now();
    for (size_t i = 0; i < rows; i += block) {
        const size_t len = rows - i < block ? rows - i : block;
        sae_data_npy_rows(a, r0 + i, len, d, i);
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

/* The map of a whole .npy file, its rows selected and converted. */
static int map_rows(const char *path, int fd, const struct stat *st, size_t offset, size_t limit, int f32, SaeData *d,
                    SaeError *e)
{
    const size_t size = (size_t)st->st_size;
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return sae_fail(e, "%s: cannot map the file (%s)", path, strerror(errno));
    SaeNpy a;
    int rc = -1;
    if (sae_npy_parse(map, size, path, &a, e) || sae_data_npy_check(path, &a, e))
        goto out;
    if (offset >= a.shape[0]) {
        sae_fail(e, "%s: --offset %zu: the file has %zu rows", path, offset, a.shape[0]);
        goto out;
    }
    const size_t rows = limit && limit < a.shape[0] - offset ? limit : a.shape[0] - offset;
    if (sae_data_npy_alloc(path, &a, rows, f32, d, e))
        goto out;
    advise(&a, offset, rows);
    volatile size_t reached = 0;
    struct sigaction bus = { .sa_handler = on_sigbus }, old;
    sigemptyset(&bus.sa_mask);
    sigaction(SIGBUS, &bus, &old);
    if (sigsetjmp(bus_exit, 1) == 0) {
        convert(path, &a, offset, rows, d, &reached);
        rc = 0;
    }
    sigaction(SIGBUS, &old, NULL);
    struct stat now;
    if (rc)
        sae_fail(e, "%s: row %zu: the file shrank while it was read", path, offset + reached);
    else if (fstat(fd, &now) || now.st_size != st->st_size || now.st_mtim.tv_sec != st->st_mtim.tv_sec ||
             now.st_mtim.tv_nsec != st->st_mtim.tv_nsec)
        rc = sae_fail(e, "%s: the file changed while it was read", path);
    if (rc)
        sae_data_free(d);
out:
    munmap(map, size);
    return rc;
}

int sae_npy_map_rows(const char *path, size_t offset, size_t limit, int f32, SaeData *d, SaeError *e)
{
    memset(d, 0, sizeof *d);
    const int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return SAE_NPY_MAP_NOT_NPY; /* the usual reader names the failure */
    struct stat st;
    unsigned char magic[6];
    int rc = SAE_NPY_MAP_NOT_NPY;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pread(fd, magic, sizeof magic, 0) == (ssize_t)sizeof magic &&
        !memcmp(magic, "\x93NUMPY", sizeof magic))
        rc = map_rows(path, fd, &st, offset, limit, f32, d, e);
    close(fd);
    return rc;
}
