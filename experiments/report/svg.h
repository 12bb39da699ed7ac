/* Line plots as SVG (no library): series of points with optional error
 * bars (mean +- std over seeds), a legend, axis ticks, categorical or
 * numeric x, and an optional y = x diagonal. Written atomically. */
#ifndef SAE_EXPERIMENTS_REPORT_SVG_H
#define SAE_EXPERIMENTS_REPORT_SVG_H

#include <stddef.h>

#include "core/error.h"

typedef struct SaeSeries {
    char name[64];
    size_t n;
    double x[64], y[64], err[64]; /* err: 0 for none */
} SaeSeries;

typedef struct SaePlot {
    char title[128], xlabel[64], ylabel[64];
    int categorical;     /* x values are indices into xticks */
    char xticks[64][24]; /* labels when categorical */
    size_t n_xticks;
    int diagonal; /* draw y = x */
    int logy;     /* logarithmic y axis (values <= 0 are skipped) */
    SaeSeries series[12];
    size_t n_series;
} SaePlot;

int sae_svg_write(const char *path, const SaePlot *p, SaeError *e);

#endif
