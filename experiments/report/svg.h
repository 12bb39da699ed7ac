/* Line plots as SVG (no library): series of points with optional error
 * bars (mean +- std over seeds), a legend, axis ticks, categorical,
 * numeric or logarithmic x and y, an optional y = x diagonal and
 * horizontal reference lines (baselines), both drawn over the series and
 * named in the legend. A categorical x axis says so in its label. Written
 * atomically. */
#ifndef SAE_EXPERIMENTS_REPORT_SVG_H
#define SAE_EXPERIMENTS_REPORT_SVG_H

#include <stddef.h>

#include "core/error.h"

typedef struct SaeSeries {
    char name[64];
    size_t n;
    double x[64], y[64], err[64]; /* err: 0 for none */
} SaeSeries;

typedef struct SaeRefLine {
    char name[64];
    double y;
} SaeRefLine;

typedef struct SaePlot {
    char title[160], xlabel[96], ylabel[96];
    int categorical;     /* x values are indices into xticks */
    char xticks[64][24]; /* labels when categorical */
    size_t n_xticks;
    int diagonal;   /* draw y = x */
    int logx, logy; /* logarithmic axes (values <= 0 are skipped) */
    SaeRefLine refs[4];
    size_t n_refs;
    SaeSeries series[12];
    size_t n_series;
} SaePlot;

int sae_svg_write(const char *path, const SaePlot *p, SaeError *e);

#endif
