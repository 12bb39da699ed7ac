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

/* Reads path into a malloc'd buffer (*len bytes). A gzip file is inflated
 * when zlib is built in, and refused with a clear message otherwise. */
int sae_read_file(const char *path, unsigned char **buf, size_t *len, SaeError *e);

/* Atomic output: open writes to "<path>.tmp.<pid>"; commit flushes, closes
 * and renames it over path; abort closes and removes it. */
typedef struct SaeAtomicFile {
    FILE *f;
    char tmp[4096];
    char path[4096];
} SaeAtomicFile;

int sae_atomic_open(SaeAtomicFile *a, const char *path, SaeError *e);
int sae_atomic_commit(SaeAtomicFile *a, SaeError *e);
void sae_atomic_abort(SaeAtomicFile *a);

#ifdef __cplusplus
}
#endif

#endif
