/*
 * .npz archives: a ZIP file of .npy members. The reader takes what
 * numpy.savez (stored, ZIP64 local headers) and numpy.savez_compressed
 * (deflate, when built with zlib) write, checks every CRC, and refuses
 * anything that points outside the file. The writer stores members
 * uncompressed and writes atomically (temporary file, then rename).
 */
#ifndef SAE_CORE_IO_NPZ_H
#define SAE_CORE_IO_NPZ_H

#include <stddef.h>

#include "core/error.h"
#include "core/io/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct SaeNpzMember {
    char name[128];      /* without the ".npy" suffix */
    unsigned char *data; /* the member's .npy image (owned) */
    size_t len;
} SaeNpzMember;

typedef struct SaeNpz {
    SaeNpzMember *members;
    size_t count;
} SaeNpz;

int sae_npz_read(const char *path, SaeNpz *z, SaeError *e);
void sae_npz_free(SaeNpz *z);
/* The member called name parsed as an array, or 1 when absent, or -1
 * (with e set) when present but malformed. */
int sae_npz_get(const SaeNpz *z, const char *path, const char *name, SaeNpy *a, SaeError *e);

/* Adds a member (copies the .npy image); returns -1 when out of memory. */
int sae_npz_add(SaeNpz *z, const char *name, const unsigned char *npy, size_t len);
/* Adds an array through sae_npy_encode. */
int sae_npz_add_array(SaeNpz *z, const char *name, SaeDtype dt, int ndim, const size_t *shape, const void *data);
int sae_npz_write(const char *path, const SaeNpz *z, SaeError *e);

/* CRC-32 (ISO-HDLC, as ZIP and PNG use), continuing from crc (start 0). */
unsigned long sae_crc32(unsigned long crc, const unsigned char *p, size_t n);

#ifdef __cplusplus
}
#endif

#endif
