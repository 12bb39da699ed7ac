/*
 * A data set in memory: a matrix of samples (one per row, in double or,
 * for a float run on float32 or byte data, in float) with optional integer
 * labels, and its lifetime. What every loader fills and every consumer
 * reads; core/io/data.h loads one.
 */
#ifndef SAE_CORE_IO_DATASET_H
#define SAE_CORE_IO_DATASET_H

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
    double *x;   /* rows x cols, row-major, in double */
    float *xf;   /* or in float: exactly one of x and xf is set */
    int *labels; /* rows entries in 0..n_classes-1, or NULL */
    int n_classes;
    size_t img_h, img_w; /* a row is an img_h x img_w image (0 when not) */
    double auto_scale;   /* what --scale auto multiplies by (1/255 for bytes) */
    int view;            /* x and labels are rows of another SaeData (the held-out part of a
                          * split views the training part's allocation): not freed here */
    /* Streamed (core/io/npy_map.h): x or xf point into the read-only map
     * of map_len bytes at map (never written; unmapped here), read in
     * chunks of `chunk` rows, `window` chunks a shuffle window. */
    void *map;
    size_t map_len, chunk, window;
} SaeData;

/* Element i (row-major) of d's matrix, whichever type holds it; v into it
 * (rounded to float when float holds it). */
static inline double sae_data_at(const SaeData *d, size_t i) { return d->xf ? (double)d->xf[i] : d->x[i]; }
static inline void sae_data_put(SaeData *d, size_t i, double v)
{
    if (d->xf)
        d->xf[i] = (float)v;
    else
        d->x[i] = v;
}

/* The bytes of an element, and of row r's start. */
static inline size_t sae_data_elem(const SaeData *d) { return d->xf ? sizeof(float) : sizeof(double); }
static inline unsigned char *sae_data_row(const SaeData *d, size_t r)
{
    return d->xf ? (unsigned char *)(d->xf + r * d->cols) : (unsigned char *)(d->x + r * d->cols);
}

/* d's matrix in double: d->x itself (*owned NULL), or a widened copy in
 * *owned for the caller to free. NULL when out of memory. */
const double *sae_data_double(const SaeData *d, double **owned);

/* Frees what d owns (a view owns nothing) and empties it. */
void sae_data_free(SaeData *d);

/* Fails (naming the source, row and column) on NaN or Inf. */
int sae_data_check_finite(const char *source, const SaeData *d, SaeError *e);
/* The first entry (row-major) of d that is NaN or Inf, or SIZE_MAX. */
size_t sae_data_first_nonfinite(const SaeData *d);

#ifdef __cplusplus
}
#endif

#endif
