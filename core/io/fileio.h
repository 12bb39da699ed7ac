/*
 * Whole-file reads (gzip-aware when built with zlib) and atomic writes: a
 * result file is written under a temporary name beside its target and
 * renamed into place, so a reader never sees half of one.
 */
#ifndef SAE_CORE_IO_FILEIO_H
#define SAE_CORE_IO_FILEIO_H

#include <stdio.h>

#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The most a gzip file is inflated to (core/io/FORMATS.md, "Errors and limits"); an
 * .npz member is bounded by the same. */
#define SAE_MAX_INFLATE ((size_t)4 << 30)

/* Reads path into a malloc'd buffer (*len bytes). A gzip file is inflated
 * when zlib is built in (every member, as gzip(1) does), and refused with
 * a clear message otherwise; inflation stops at SAE_MAX_INFLATE, at the
 * size an .npy or IDX header at the start declares, and at once when the
 * start is neither such a header nor text. A directory is refused. */
int sae_read_file(const char *path, unsigned char **buf, size_t *len, SaeError *e);

/* sae_read_file, refusing more than max bytes (read or inflated): for
 * files that are never large (sweep configs). */
int sae_read_file_max(const char *path, size_t max, unsigned char **buf, size_t *len, SaeError *e);

/* Fails at the first byte that is not text (NUL, other control characters
 * than tab, CR, LF, FF, VT, and DEL), naming the line and offset. UTF-8
 * passes. */
int sae_text_check(const char *path, const unsigned char *b, size_t len, SaeError *e);

/* Atomic output: open creates "<path>.tmp.<pid>" (never through an
 * existing file or symlink; with the permissions of the file it replaces)
 * and removes such temporaries of dead processes; commit flushes, syncs,
 * closes and renames it over path; abort closes and removes it. Errors
 * carry strerror. */
typedef struct SaeAtomicFile {
    FILE *f;
    char tmp[4096];
    char path[4096];
} SaeAtomicFile;

int sae_atomic_open(SaeAtomicFile *a, const char *path, SaeError *e);
int sae_atomic_commit(SaeAtomicFile *a, SaeError *e);
void sae_atomic_abort(SaeAtomicFile *a);
/* open, write len bytes of buf, commit. */
int sae_atomic_write(const char *path, const void *buf, size_t len, SaeError *e);

#ifdef __cplusplus
}
#endif

#endif
