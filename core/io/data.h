/*
 * Loading a data set (core/io/dataset.h) from a file or a built-in name:
 * the format sniffed (core/io/sniff.h) and parsed (core/io/data_formats.h),
 * split into train and held-out rows, scaled, and checked (no NaN/Inf).
 *
 * Sources (sniffed from the content, not the name; .gz through zlib):
 *   .npy      2-D, C or Fortran order, float32/float64/uint8, little-endian;
 *             mapped when not compressed (core/io/npy_map.h)
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
#include "core/io/data_formats.h"
#include "core/io/dataset.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SAE_SCALE_AUTO, SAE_SCALE_NONE, SAE_SCALE_MINMAX, SAE_SCALE_ZSCORE } SaeScale;

typedef struct SaeDataOpts {
    const char *data_dir; /* where built-in sets are looked up (NULL: defaults) */
    double test_fraction; /* held-out share of the rows, [0, 1) */
    size_t offset;        /* skip the first `offset` rows */
    size_t limit;         /* then keep `limit` rows (0: all); an .npy file's other rows are never read */
    SaeScale scale;
    SaeLabelColumn label_column; /* CSV files */
    size_t patch, patches;       /* patch side and count for image sources: 8, 10000 */
    double zca;                  /* ZCA epsilon for image patches (0: not whitened) */
    uint32_t seed;               /* patch sampling (the split uses a fixed seed) */
    uint32_t split;              /* which held-out split: 0 the fixed one, k its k-th re-draw */
    int f32;                     /* the run is float: float32 .npy files stay float32 and bytes (.npy, IDX)
                                  * become float, with no double copy; everything else is double */
    size_t memory_budget_mib;    /* what an .npy file's rows may take in memory before they are
                                  * streamed (core/io/npy_map.h); 0: half the physical memory */
} SaeDataOpts;

SaeDataOpts sae_data_defaults(void);

/* Loads spec (a built-in name or a path) into train and test (test may end
 * up with 0 rows). A held-out split copies nothing: test is then a view of
 * rows in train's allocation, valid while train is. On error
 * both are empty and e says why. */
int sae_data_load(const char *spec, const SaeDataOpts *o, SaeData *train, SaeData *test, SaeError *e);

/* Single loaders, used by sae_data_load and the tests; `path` names the
 * source in errors. Each fills d (labels only where the format has them). */
int sae_data_from_npy(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e);
int sae_data_from_csv(const char *path, const char *text, size_t len, SaeLabelColumn lc, SaeData *d, SaeError *e);
int sae_data_from_idx(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e);
/* A labels IDX file (N bytes) for the n rows of d. */
int sae_data_labels_from_idx(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e);

#ifdef __cplusplus
}
#endif

#endif
