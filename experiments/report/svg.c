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
            if (!isfinite(ymap(p, q->y[i])))
                continue;
            fr.x0 = fmin(fr.x0, q->x[i]);
            fr.x1 = fmax(fr.x1, q->x[i]);
            fr.y0 = fmin(fr.y0, isfinite(lo) ? lo : ymap(p, q->y[i]));
            fr.y1 = fmax(fr.y1, hi);
        }
    if (!isfinite(fr.x0))
        fr = (Frame){ 0, 1, 0, 1 };
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

/* x ticks: the category labels, or at most 20 numbers. */
static void x_ticks(FILE *f, const SaePlot *p, const Frame *fr)
{
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

/* The page, the title, the axes with their ticks and labels, and the y = x
 * diagonal when asked for. */
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
    fprintf(f, "</text>\n<text x=\"16\" y=\"%d\" text-anchor=\"middle\" transform=\"rotate(-90 16 %d)\">",
            (H - B + T) / 2, (H - B + T) / 2);
    text(f, p->ylabel);
    fputs("</text>\n", f);
    if (p->diagonal)
        fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#999\" stroke-dasharray=\"4 3\"/>\n",
                px(fr, fmax(fr->x0, fr->y0)), py(fr, fmax(fr->x0, fr->y0)), px(fr, fmin(fr->x1, fr->y1)),
                py(fr, fmin(fr->x1, fr->y1)));
}

/* Series s: its line, points, error bars and legend entry. */
static void series(FILE *f, const SaePlot *p, const Frame *fr, size_t s)
{
    const SaeSeries *q = &p->series[s];
    const char *col = colors[s % 12];
    fprintf(f, "<polyline fill=\"none\" stroke=\"%s\" stroke-width=\"1.5\" points=\"", col);
    for (size_t i = 0; i < q->n; i++)
        if (isfinite(ymap(p, q->y[i])))
            fprintf(f, "%.1f,%.1f ", px(fr, q->x[i]), py(fr, ymap(p, q->y[i])));
    fputs("\"/>\n", f);
    for (size_t i = 0; i < q->n; i++) {
        const double y = ymap(p, q->y[i]);
        if (!isfinite(y))
            continue;
        const double lo = ymap(p, q->y[i] - q->err[i]), hi = ymap(p, q->y[i] + q->err[i]);
        if (q->err[i] > 0 && isfinite(lo) && isfinite(hi))
            fprintf(f, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", px(fr, q->x[i]),
                    py(fr, lo), px(fr, q->x[i]), py(fr, hi), col);
        fprintf(f, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>\n", px(fr, q->x[i]), py(fr, y), col);
    }
    fprintf(f, "<rect x=\"%d\" y=\"%zu\" width=\"12\" height=\"3\" fill=\"%s\"/><text x=\"%d\" y=\"%zu\">", W - R + 12,
            T + 14 * s + 4, col, W - R + 30, T + 14 * s + 9);
    text(f, q->name);
    fputs("</text>\n", f);
}

int sae_svg_write(const char *path, const SaePlot *p, SaeError *e)
{
    const Frame fr = frame_of(p);
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    axes(af.f, p, &fr);
    for (size_t s = 0; s < p->n_series; s++) series(af.f, p, &fr, s);
    fputs("</svg>\n", af.f);
    return sae_atomic_commit(&af, e);
}
