/*
 * The NumPy .npy format (versions 1.0, 2.0, 3.0): parse from memory,
 * encode to memory. Little-endian, C order only; dtypes float32, float64,
 * uint8, int32, int64 and (for hyperparameters) unicode strings '<U'.
 */
#ifndef SAE_CORE_IO_NPY_H
#define SAE_CORE_IO_NPY_H

#include <stddef.h>

#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SAE_DT_F32, SAE_DT_F64, SAE_DT_U8, SAE_DT_I32, SAE_DT_I64, SAE_DT_UNICODE } SaeDtype;

typedef struct SaeNpy {
    SaeDtype dtype;
    size_t itemsize; /* bytes per element (4 * chars for unicode) */
    int ndim;        /* 0..4 */
    size_t shape[4];
    size_t count;              /* product of the shape (1 for 0-d) */
    size_t bytes;              /* count * itemsize: the data after the header */
    int fortran;               /* a 2-D array stored column by column (numpy's W.T) */
    const unsigned char *data; /* points into the parsed buffer */
} SaeNpy;

/* Parses only the header of buf (which may hold just the file's start):
 * a (without data) and where the data begin; data_off + a->bytes (the
 * whole file's size) does not overflow. For bounding what is read or
 * inflated by what the header declares. */
int sae_npy_header(const unsigned char *buf, size_t len, const char *where, SaeNpy *a, size_t *data_off, SaeError *e);

/* Parses buf; `where` names the source in errors ("f.npy", "m.npz:W1.npy"). */
int sae_npy_parse(const unsigned char *buf, size_t len, const char *where, SaeNpy *a, SaeError *e);

/* Element i (in row-major order, whatever the storage order) of a
 * numeric array as double. */
double sae_npy_get(const SaeNpy *a, size_t i);

/* The string of a 0-d unicode array, ASCII only, into out (NUL-terminated). */
int sae_npy_string(const SaeNpy *a, char *out, size_t outlen);

/* Encodes an array (data in the machine's little-endian layout) as a
 * malloc'd .npy image; for unicode, data is a NUL-terminated ASCII string
 * and shape is ignored (0-d). Returns -1 when out of memory. */
int sae_npy_encode(SaeDtype dt, int ndim, const size_t *shape, const void *data, unsigned char **out, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
