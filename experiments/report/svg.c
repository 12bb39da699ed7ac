#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/io/fileio.h"
#include "experiments/report/svg.h"

enum { W = 640, H = 420, L = 70, R = 170, T = 40, B = 60 };

static const char *const colors[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
                                      "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#000000", "#aec7e8" };

/* XML-escaped text */
static void text(FILE *f, const char *s)
{
    for (; *s; s++) {
        if (*s == '<')
            fputs("&lt;", f);
        else if (*s == '>')
            fputs("&gt;", f);
        else if (*s == '&')
            fputs("&amp;", f);
        else if (*s == '"')
            fputs("&quot;", f);
        else
            fputc(*s, f);
    }
}

/* A "nice" tick step for the range */
static double tick_step(double span)
{
    const double raw = span / 5, mag = pow(10, floor(log10(raw))), r = raw / mag;
    return (r < 1.5 ? 1 : r < 3 ? 2 : r < 7 ? 5 : 10) * mag;
}

/* A y value as drawn: log10 on a logarithmic axis (NaN for y <= 0). */
static double ymap(const SaePlot *p, double y) { return p->logy ? (y > 0 ? log10(y) : NAN) : y; }

int sae_svg_write(const char *path, const SaePlot *p, SaeError *e)
{
    double x0 = INFINITY, x1 = -INFINITY, y0 = INFINITY, y1 = -INFINITY;
    for (size_t s = 0; s < p->n_series; s++)
        for (size_t i = 0; i < p->series[s].n; i++) {
            const SaeSeries *q = &p->series[s];
            const double lo = ymap(p, q->y[i] - q->err[i]), hi = ymap(p, q->y[i] + q->err[i]);
            if (!isfinite(ymap(p, q->y[i])))
                continue;
            x0 = fmin(x0, q->x[i]);
            x1 = fmax(x1, q->x[i]);
            y0 = fmin(y0, isfinite(lo) ? lo : ymap(p, q->y[i]));
            y1 = fmax(y1, hi);
        }
    if (!isfinite(x0)) {
        x0 = 0;
        x1 = 1;
        y0 = 0;
        y1 = 1;
    }
    if (p->categorical) {
        x0 = -0.5;
        x1 = (double)(p->n_xticks ? p->n_xticks : 1) - 0.5;
    }
    if (p->diagonal) {
        y0 = fmin(y0, x0);
        y1 = fmax(y1, x1);
    }
    if (x1 <= x0) {
        x0 -= 0.5;
        x1 += 0.5;
    }
    if (y1 <= y0) {
        y0 -= fabs(y0) * 0.1 + 0.5;
        y1 += fabs(y1) * 0.1 + 0.5;
    }
    const double pad = 0.05 * (y1 - y0);
    y0 -= pad;
    y1 += pad;
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    FILE *f = af.f;
#define PX(v) (L + ((v)-x0) / (x1 - x0) * (W - L - R))
#define PY(v) (H - B - ((v)-y0) / (y1 - y0) * (H - T - B))
    fprintf(f,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"%d\" height=\"%d\" fill=\"white\"/>\n",
            W, H, W, H, W, H);
    fprintf(f, "<text x=\"%d\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">", (W - R + L) / 2);
    text(f, p->title);
    fprintf(f, "</text>\n<g stroke=\"#444\">\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", L, H - B, W - R,
            H - B);
    fprintf(f, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n</g>\n", L, T, L, H - B);
    /* y ticks; on a log axis 1, 2 and 5 times the powers of ten */
    int ticks = 0; /* at most a screenful, whatever the range's arithmetic does */
    if (p->logy) {
        for (double dec = floor(y0); dec <= ceil(y1) && ticks < 20; dec++)
            for (int k = 0; k < 3; k++) {
                const double v = dec + log10((double)(k == 0 ? 1 : k == 1 ? 2 : 5));
                if (v < y0 || v > y1)
                    continue;
                fprintf(f,
                        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" "
                        "y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
                        L, PY(v), W - R, PY(v), L - 6, PY(v) + 4, pow(10, v));
                ticks++;
            }
    } else {
        const double ys = tick_step(y1 - y0);
        for (double v = ceil(y0 / ys) * ys; v <= y1 && ticks < 20; v += ys, ticks++)
            fprintf(f,
                    "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" "
                    "text-anchor=\"end\">%.4g</text>\n",
                    L, PY(v), W - R, PY(v), L - 6, PY(v) + 4, fabs(v) < 1e-12 * ys ? 0.0 : v);
    }
    /* x ticks */
    if (p->categorical) {
        for (size_t i = 0; i < p->n_xticks; i++) {
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", PX((double)i), H - B + 18);
            text(f, p->xticks[i]);
            fputs("</text>\n", f);
        }
    } else {
        const double xs = tick_step(x1 - x0);
        ticks = 0;
        for (double v = ceil(x0 / xs) * xs; v <= x1 && ticks < 20; v += xs, ticks++)
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.4g</text>\n", PX(v), H - B + 18,
                    fabs(v) < 1e-12 * xs ? 0.0 : v);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (W - R + L) / 2, H - 18);
    text(f, p->xlabel);
    fprintf(f, "</text>\n<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">",
            (H - B + T) / 2, (H - B + T) / 2);
    text(f, p->ylabel);
    fputs("</text>\n", f);
    if (p->diagonal)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n",
                PX(fmax(x0, y0)), PY(fmax(x0, y0)), PX(fmin(x1, y1)), PY(fmin(x1, y1)));
    for (size_t s = 0; s < p->n_series; s++) {
        const SaeSeries *q = &p->series[s];
        const char *col = colors[s % 12];
        fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", col);
        for (size_t i = 0; i < q->n; i++)
            if (isfinite(ymap(p, q->y[i])))
                fprintf(f, "%.1f,%.1f ", PX(q->x[i]), PY(ymap(p, q->y[i])));
        fputs("\"/>\n", f);
        for (size_t i = 0; i < q->n; i++) {
            const double y = ymap(p, q->y[i]);
            if (!isfinite(y))
                continue;
            const double lo = ymap(p, q->y[i] - q->err[i]), hi = ymap(p, q->y[i] + q->err[i]);
            if (q->err[i] > 0 && isfinite(lo) && isfinite(hi))
                fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", PX(q->x[i]),
                        PY(lo), PX(q->x[i]), PY(hi), col);
            fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", PX(q->x[i]), PY(y), col);
        }
        fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%zu\">",
                W - R + 12, T + 14 * s + 4, col, W - R + 30, T + 14 * s + 9);
        text(f, q->name);
        fputs("</text>\n", f);
    }
    fputs("</svg>\n", f);
#undef PX
#undef PY
    return sae_atomic_commit(&af, e);
}
