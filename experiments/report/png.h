/* A small PNG writer (8-bit grey; deflated through zlib when built with it,
 * stored deflate blocks otherwise: no library needed) and the image
 * mosaics of the experiments. */
#ifndef SAE_EXPERIMENTS_REPORT_PNG_H
#define SAE_EXPERIMENTS_REPORT_PNG_H

#include <stddef.h>

#include "core/error.h"

/* Writes w x h grey pixels (row-major) atomically. */
int sae_png_write_gray(const char *path, size_t w, size_t h, const unsigned char *px, SaeError *e);

/* UFLDL's display_network: the k rows of w (each an ih x iw image) as tiles
 * in a near-square grid with 1-pixel borders, each tile scaled by its own
 * largest |value| so that 0 is mid-grey. *out (malloc'd) is *ow x *oh. */
int sae_mosaic_filters(const double *w, size_t k, size_t ih, size_t iw, unsigned char **out, size_t *ow, size_t *oh);

/* count inputs and their reconstructions side by side (input left), each
 * image scaled by the input's own range, under a band that labels the
 * columns INPUT and RECON. */
int sae_mosaic_pairs(const double *x, const double *xh, size_t count, size_t ih, size_t iw, unsigned char **out,
                     size_t *ow, size_t *oh);

#endif
