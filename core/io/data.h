/*
 * Data sets: a matrix of samples (one per row, double) with optional
 * integer labels, loaded from a file or a built-in name, split into train
 * and held-out rows, scaled, and checked (no NaN/Inf).
 *
 * Sources (sniffed from the content, not the name; .gz through zlib):
 *   .npy      2-D, C order, float32/float64/uint8, little-endian
 *   IDX       MNIST/Fashion-MNIST ubyte images (N x rows x cols); the labels
 *             file beside it ("images-idx3" -> "labels-idx1") when present
 *   PGM       P5/P2 images: sampled into patches (UFLDL normalisation)
 *   CSV       numbers separated by commas; --label-column first|last|none;
 *             a first line without any number is taken as a header
 * Built-in names: gauss, digits, patches, fashion-mnist (core/io/FORMATS.md;
 * data/SOURCES.md gives their provenance).
 */
#ifndef SAE_CORE_IO_DATA_H
#define SAE_CORE_IO_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Labels are renumbered to the classes present (0..C-1 in increasing order
 * of the file's labels); more distinct classes than this are refused. */
#define SAE_MAX_CLASSES 10000

typedef struct SaeData {
    size_t rows, cols;
    double *x;   /* rows x cols, row-major */
    int *labels; /* rows entries in 0..n_classes-1, or NULL */
    int n_classes;
    size_t img_h, img_w; /* a row is an img_h x img_w image (0 when not) */
    double auto_scale;   /* what --scale auto multiplies by (1/255 for bytes) */
    int view;            /* x and labels are rows of another SaeData (the held-out part of a
                          * split views the training part's allocation): not freed here */
} SaeData;

typedef enum { SAE_SCALE_AUTO, SAE_SCALE_NONE, SAE_SCALE_MINMAX, SAE_SCALE_ZSCORE } SaeScale;
typedef enum { SAE_LABEL_NONE, SAE_LABEL_FIRST, SAE_LABEL_LAST } SaeLabelColumn;

typedef struct SaeDataOpts {
    const char *data_dir; /* where built-in sets are looked up (NULL: defaults) */
    double test_fraction; /* held-out share of the rows, [0, 1) */
    size_t limit;         /* keep the first `limit` rows (0: all) */
    SaeScale scale;
    SaeLabelColumn label_column; /* CSV files */
    size_t patch, patches;       /* patch side and count for image sources: 8, 10000 */
    double zca;                  /* ZCA epsilon for image patches (0: not whitened) */
    uint32_t seed;               /* patch sampling (the split uses a fixed seed) */
    uint32_t split;              /* which held-out split: 0 the fixed one, k its k-th re-draw */
} SaeDataOpts;

SaeDataOpts sae_data_defaults(void);

/* Loads spec (a built-in name or a path) into train and test (test may end
 * up with 0 rows). A held-out split copies nothing: test is then a view of
 * rows in train's allocation, valid while train is. On error
 * both are empty and e says why. */
int sae_data_load(const char *spec, const SaeDataOpts *o, SaeData *train, SaeData *test, SaeError *e);
/* Frees what d owns (a view owns nothing) and empties it. */
void sae_data_free(SaeData *d);

/* Single loaders, used by sae_data_load and the tests; `path` names the
 * source in errors. Each fills d (labels only where the format has them). */
int sae_data_from_npy(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e);
int sae_data_from_csv(const char *path, const char *text, size_t len, SaeLabelColumn lc, SaeData *d, SaeError *e);
int sae_data_from_idx(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e);
/* The file size an unsigned-byte IDX header at the start of b (n bytes of
 * the file) declares, header included; 0 when b starts no such header or
 * the size overflows. */
size_t sae_idx_size(const unsigned char *b, size_t n);
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

/* Fails (naming the source, row and column) on NaN or Inf. */
int sae_data_check_finite(const char *source, const SaeData *d, SaeError *e);

#ifdef __cplusplus
}
#endif

#endif
