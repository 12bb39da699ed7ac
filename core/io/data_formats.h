/*
 * The parsers of the data formats, one per format, each from a file's
 * bytes (read whole; `path` names the source in errors) into a data set
 * or an image: .npy (data_formats.c), CSV, IDX and its labels, PGM and
 * the patches sampled from images (data_pgm.c). core/io/data.h chooses
 * among them by the file's first bytes (core/io/sniff.h).
 */
#ifndef SAE_CORE_IO_DATA_FORMATS_H
#define SAE_CORE_IO_DATA_FORMATS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/io/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Which CSV column holds the labels. */
typedef enum { SAE_LABEL_NONE, SAE_LABEL_FIRST, SAE_LABEL_LAST } SaeLabelColumn;

/* Single loaders, used by sae_data_load and the tests; `path` names the
 * source in errors. Each fills d (labels only where the format has them). */
int sae_data_from_npy(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e);
/* The .npy loader in steps, for a file read in part (core/io/npy_map.h):
 * the array is a data set (2-D, float32/float64/uint8, not empty); d
 * gets room for `rows` of its rows, in float when f32 and the file is
 * float32 or bytes, else in double; rows [r0, r0 + rows) of a (C or
 * Fortran order) into d's rows from `at`. */
int sae_data_npy_check(const char *path, const SaeNpy *a, SaeError *e);
int sae_data_npy_alloc(const char *path, const SaeNpy *a, size_t rows, int f32, SaeData *d, SaeError *e);
void sae_data_npy_rows(const SaeNpy *a, size_t r0, size_t rows, SaeData *d, size_t at);
int sae_data_from_csv(const char *path, const char *text, size_t len, SaeLabelColumn lc, SaeData *d, SaeError *e);
int sae_data_from_idx(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e);
/* The images in float when f32 (a float run: bytes converted once into
 * its type), else in double as sae_data_from_idx. */
int sae_data_from_idx_as(const char *path, const unsigned char *buf, size_t len, int f32, SaeData *d, SaeError *e);
/* A labels IDX file (N bytes) for the n rows of d. */
int sae_data_labels_from_idx(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e);

/* A grey image from PGM (P5 or P2), pixels scaled to [0, 1]. */
typedef struct SaeImage {
    size_t w, h;
    double *px;
    const char *name; /* its file in a folder, for messages (not owned; NULL: the source itself) */
} SaeImage;
int sae_image_from_pgm(const char *path, const unsigned char *buf, size_t len, SaeImage *img, SaeError *e);

/* UFLDL's sampleIMAGES + normalizeData: count patches of side p from random
 * images at random positions, per-patch mean removed, then (zca_eps > 0)
 * ZCA-whitened with that epsilon, clipped at +-3 sigma of all pixels and
 * mapped to [0.1, 0.9]. source (a file or folder) names them in errors. */
int sae_sample_patches(const char *source, const SaeImage *imgs, size_t n_imgs, size_t p, size_t count, uint32_t seed,
                       double zca_eps, SaeData *d, SaeError *e);

#ifdef __cplusplus
}
#endif

#endif
