#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/io/fileio.h"
#include "experiments/report/svg.h"

enum { W = 760, H = 440, L = 70, R = 250, T = 40, B = 60 };

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

/* A value as drawn: log10 on a logarithmic axis (NaN for v <= 0). */
static double logmap(int log, double v) { return log ? (v > 0 ? log10(v) : NAN) : v; }
static double ymap(const SaePlot *p, double y) { return logmap(p->logy, y); }
static double xmap(const SaePlot *p, double x) { return logmap(p->logx && !p->categorical, x); }

/* The data ranges the plot area shows. */
typedef struct Frame {
    double x0, x1, y0, y1;
} Frame;

static double px(const Frame *fr, double v) { return L + (v - fr->x0) / (fr->x1 - fr->x0) * (W - L - R); }
static double py(const Frame *fr, double v) { return H - B - (v - fr->y0) / (fr->y1 - fr->y0) * (H - T - B); }

/* The ranges of the finite points and their error bars, widened where they
 * would be empty, with 5 % room above and below. */
static Frame frame_of(const SaePlot *p)
{
    Frame fr = { INFINITY, -INFINITY, INFINITY, -INFINITY };
    for (size_t s = 0; s < p->n_series; s++)
        for (size_t i = 0; i < p->series[s].n; i++) {
            const SaeSeries *q = &p->series[s];
            const double lo = ymap(p, q->y[i] - q->err[i]), hi = ymap(p, q->y[i] + q->err[i]);
            if (!isfinite(ymap(p, q->y[i])) || !isfinite(xmap(p, q->x[i])))
                continue;
            fr.x0 = fmin(fr.x0, xmap(p, q->x[i]));
            fr.x1 = fmax(fr.x1, xmap(p, q->x[i]));
            fr.y0 = fmin(fr.y0, isfinite(lo) ? lo : ymap(p, q->y[i]));
            fr.y1 = fmax(fr.y1, hi);
        }
    if (!isfinite(fr.x0))
        fr = (Frame){ 0, 1, 0, 1 };
    for (size_t r = 0; r < p->n_refs; r++)
        if (isfinite(ymap(p, p->refs[r].y))) {
            fr.y0 = fmin(fr.y0, ymap(p, p->refs[r].y));
            fr.y1 = fmax(fr.y1, ymap(p, p->refs[r].y));
        }
    if (p->categorical) {
        fr.x0 = -0.5;
        fr.x1 = (double)(p->n_xticks ? p->n_xticks : 1) - 0.5;
    }
    if (p->diagonal) {
        fr.y0 = fmin(fr.y0, fr.x0);
        fr.y1 = fmax(fr.y1, fr.x1);
    }
    if (fr.x1 <= fr.x0) {
        fr.x0 -= 0.5;
        fr.x1 += 0.5;
    }
    if (fr.y1 <= fr.y0) {
        fr.y0 -= fabs(fr.y0) * 0.1 + 0.5;
        fr.y1 += fabs(fr.y1) * 0.1 + 0.5;
    }
    const double pad = 0.05 * (fr.y1 - fr.y0);
    fr.y0 -= pad;
    fr.y1 += pad;
    return fr;
}

/* y ticks with grid lines; on a log axis 1, 2 and 5 times the powers of
 * ten. At most 20, whatever the range's arithmetic does. */
static void y_ticks(FILE *f, const SaePlot *p, const Frame *fr)
{
    int ticks = 0;
    if (p->logy) {
        for (double dec = floor(fr->y0); dec <= ceil(fr->y1) && ticks < 20; dec++)
            for (int k = 0; k < 3; k++) {
                const double v = dec + log10((double)(k == 0 ? 1 : k == 1 ? 2 : 5));
                if (v < fr->y0 || v > fr->y1)
                    continue;
                fprintf(f,
                        "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" "
                        "y=\"%.1f\" text-anchor=\"end\">%.3g</text>\n",
                        L, py(fr, v), W - R, py(fr, v), L - 6, py(fr, v) + 4, pow(10, v));
                ticks++;
            }
        return;
    }
    const double ys = tick_step(fr->y1 - fr->y0);
    for (double v = ceil(fr->y0 / ys) * ys; v <= fr->y1 && ticks < 20; v += ys, ticks++)
        fprintf(f,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/><text x=\"%d\" y=\"%.1f\" "
                "text-anchor=\"end\">%.4g</text>\n",
                L, py(fr, v), W - R, py(fr, v), L - 6, py(fr, v) + 4, fabs(v) < 1e-12 * ys ? 0.0 : v);
}

/* x ticks: the category labels, 1-2-5 times the powers of ten on a log
 * axis, or at most 20 numbers. */
static void x_ticks(FILE *f, const SaePlot *p, const Frame *fr)
{
    if (p->logx && !p->categorical) {
        int ticks = 0;
        for (double dec = floor(fr->x0); dec <= ceil(fr->x1) && ticks < 20; dec++)
            for (int k = 0; k < 3; k++) {
                const double v = dec + log10((double)(k == 0 ? 1 : k == 1 ? 2 : 5));
                if (v < fr->x0 || v > fr->x1)
                    continue;
                fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.3g</text>\n", px(fr, v), H - B + 18,
                        pow(10, v));
                ticks++;
            }
        return;
    }
    if (p->categorical) {
        for (size_t i = 0; i < p->n_xticks; i++) {
            fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">", px(fr, (double)i), H - B + 18);
            text(f, p->xticks[i]);
            fputs("</text>\n", f);
        }
        return;
    }
    const double xs = tick_step(fr->x1 - fr->x0);
    int ticks = 0;
    for (double v = ceil(fr->x0 / xs) * xs; v <= fr->x1 && ticks < 20; v += xs, ticks++)
        fprintf(f, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%.4g</text>\n", px(fr, v), H - B + 18,
                fabs(v) < 1e-12 * xs ? 0.0 : v);
}

/* The page, the title, and the axes with their ticks and labels. */
static void axes(FILE *f, const SaePlot *p, const Frame *fr)
{
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
    y_ticks(f, p, fr);
    x_ticks(f, p, fr);
    fprintf(f, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", (W - R + L) / 2, H - 18);
    text(f, p->xlabel);
    if (p->categorical)
        fputs(" (categories, not to scale)", f);
    else if (p->logx)
        fputs(" (log scale)", f);
    fprintf(f, "</text>\n<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">",
            (H - B + T) / 2, (H - B + T) / 2);
    text(f, p->ylabel);
    if (p->logy)
        fputs(" (log scale)", f);
    fputs("</text>\n", f);
}

/* One legend entry, at slot i: a swatch (dashed for reference lines). */
static void legend(FILE *f, size_t i, const char *col, int dashed, const char *name)
{
    fprintf(f,
            "<line x1=\"%d\" y1=\"%zu\" x2=\"%d\" y2=\"%zu\" stroke=\"%s\" stroke-width=\"%s\"%s/><text x=\"%d\" "
            "y=\"%zu\">",
            W - R + 10, T + 14 * i + 5, W - R + 26, T + 14 * i + 5, col, dashed ? "1.5" : "3",
            dashed ? " stroke-dasharray=\"5 3\"" : "", W - R + 30, T + 14 * i + 9);
    text(f, name);
    fputs("</text>\n", f);
}

/* The y = x diagonal and the reference lines, over the series (so that no
 * series hides them), with their legend entries after the series'. */
static void references(FILE *f, const SaePlot *p, const Frame *fr)
{
    size_t slot = p->n_series;
    if (p->diagonal) {
        const double a = fmax(fr->x0, fr->y0), b = fmin(fr->x1, fr->y1);
        fprintf(f,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#000\" stroke-width=\"1.5\" "
                "stroke-dasharray=\"5 3\"/>\n",
                px(fr, a), py(fr, a), px(fr, b), py(fr, b));
        legend(f, slot++, "#000", 1, "y = x (on target)");
    }
    for (size_t r = 0; r < p->n_refs; r++) {
        const double y = ymap(p, p->refs[r].y);
        if (!isfinite(y))
            continue;
        const char *col = r ? "#777" : "#000";
        fprintf(f,
                "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1.5\" "
                "stroke-dasharray=\"5 3\"/>\n",
                L, py(fr, y), W - R, py(fr, y), col);
        legend(f, slot++, col, 1, p->refs[r].name);
    }
}

/* Series s: its line, points, error bars and legend entry. */
static void series(FILE *f, const SaePlot *p, const Frame *fr, size_t s)
{
    const SaeSeries *q = &p->series[s];
    const char *col = colors[s % 12];
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", col);
    for (size_t i = 0; i < q->n; i++)
        if (isfinite(ymap(p, q->y[i])) && isfinite(xmap(p, q->x[i])))
            fprintf(f, "%.1f,%.1f ", px(fr, xmap(p, q->x[i])), py(fr, ymap(p, q->y[i])));
    fputs("\"/>\n", f);
    for (size_t i = 0; i < q->n; i++) {
        const double y = ymap(p, q->y[i]), x = xmap(p, q->x[i]);
        if (!isfinite(y) || !isfinite(x))
            continue;
        const double lo = ymap(p, q->y[i] - q->err[i]), hi = ymap(p, q->y[i] + q->err[i]);
        if (q->err[i] > 0 && isfinite(lo) && isfinite(hi))
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", px(fr, x), py(fr, lo),
                    px(fr, x), py(fr, hi), col);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px(fr, x), py(fr, y), col);
    }
    legend(f, s, col, 0, q->name);
}

int sae_svg_write(const char *path, const SaePlot *p, SaeError *e)
{
    const Frame fr = frame_of(p);
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    axes(af.f, p, &fr);
    for (size_t s = 0; s < p->n_series; s++) series(af.f, p, &fr, s);
    references(af.f, p, &fr);
    fputs("</svg>\n", af.f);
    return sae_atomic_commit(&af, e);
}
