/* The SVG plots of a sweep: each metric against every axis, rho-hat
 * against rho, the frontier of FVU against L0. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/metrics.h"
#include "experiments/report/svg.h"
#include "experiments/sweep/report_parts.h"
#include "experiments/sweep/run.h"

/* Axis and metric names in words, with units, for plot labels. */
static const char *words(const char *name)
{
    static const char *const map[][2] = {
        { "beta", "KL sparsity weight β" },
        { "rho", "target activation ρ" },
        { "hidden", "hidden units" },
        { "gamma", "contractive weight γ" },
        { "lambda", "L2 weight decay λ" },
        { "l1_activity", "L1 activity weight" },
        { "l1_weight", "L1 weight penalty" },
        { "cpumask", "kernel level" },
        { "threads", "OpenMP threads" },
        { "recon_per_sample", "reconstruction error ½‖x̂ − x‖² per sample (held-out)" },
        { "rho_mean", "mean activation ρ̂ (held-out)" },
        { "probe_acc", "linear-probe accuracy (held-out)" },
        { "jac_norm", "mean encoder Jacobian norm ‖J_f(x)‖_F (held-out)" },
        { "sat_frac", "fraction of saturated activations (held-out)" },
        { "seconds_per_epoch", "seconds per epoch (wall clock)" },
        { "k", "TopK K (units kept per sample)" },
        { "l0", "active units per sample, L0 (held-out)" },
        { "fvu", "fraction of variance unexplained, centred (held-out)" },
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (!strcmp(map[i][0], name))
            return map[i][1];
    return name;
}

/* How an axis is drawn: log scale when its values are positive numbers
 * spanning 20x or more (or any positive numbers, with prefer_log), linear
 * when numbers spaced evenly, else as categories. */
static void x_scale(const SaeAxis *x, int prefer_log, SaePlot *p)
{
    double lo = INFINITY, hi = -INFINITY;
    int numeric = 1, even = x->n > 1;
    for (size_t i = 0; i < x->n; i++) {
        numeric &= sae_is_number(x->values[i]);
        const double v = strtod(x->values[i], NULL);
        lo = fmin(lo, v);
        hi = fmax(hi, v);
    }
    for (size_t i = 2; numeric && i < x->n; i++) {
        const double a = strtod(x->values[i - 2], NULL), b = strtod(x->values[i - 1], NULL);
        even &= fabs((strtod(x->values[i], NULL) - b) - (b - a)) <= 1e-9 * (fabs(b) + 1);
    }
    p->logx = numeric && lo > 0 && (prefer_log || hi >= 20 * lo);
    p->categorical = !numeric || (!p->logx && !even);
    p->n_xticks = x->n < 64 ? x->n : 64;
    for (size_t i = 0; i < p->n_xticks; i++) snprintf(p->xticks[i], sizeof p->xticks[i], "%s", x->values[i]);
}

/* What one plot shows: y against axis xa, one series per combination of
 * the other axes (mean ± sd over seeds only); facet: when >= 0, only the
 * points where axis facet has value fv. */
typedef struct PlotSpec {
    size_t xa;
    const char *ycol;
    int facet;
    size_t fv;
} PlotSpec;

static void fill_series(const SaeSweepConfig *c, const SaeRows *r, const size_t *at, const PlotSpec *ps, SaePlot *p)
{
    const int yc = sae_rows_col(r, ps->ycol);
    p->n_series = 0;
    for (size_t idx = 0; idx < sae_sweep_size(c); idx += sae_sweep_replicates(c)) {
        SaeRunSpec s;
        SaeError e;
        unsigned na;
        size_t vidx[SAE_MAX_AXES];
        sae_sweep_values(c, idx, vidx);
        if (sae_sweep_point(c, idx, &s, &na, &e) || na >> ps->xa & 1 || (ps->facet >= 0 && vidx[ps->facet] != ps->fv))
            continue;
        SaeStat st = { 0 };
        for (size_t k = 0; k < sae_sweep_replicates(c); k++) {
            const char *const *row = sae_row_at(r, at, idx + k);
            if (row)
                sae_stat_add(&st, row[yc]);
        }
        if (!st.n)
            continue;
        char name[64] = "";
        for (size_t b = 0; b < c->n_axes; b++)
            if (b != ps->xa && (int)b != ps->facet && c->axes[b].n > 1)
                snprintf(name + strlen(name), sizeof name - strlen(name), "%s%s = %s", *name ? ", " : "",
                         c->axes[b].key, na >> b & 1 ? "n/a" : c->axes[b].values[vidx[b]]);
        if (!*name)
            snprintf(name, sizeof name, "mean ± sd over seeds");
        size_t si = 0;
        while (si < p->n_series && strcmp(p->series[si].name, name)) si++;
        if (si == p->n_series) {
            if (si == sizeof p->series / sizeof *p->series)
                continue;
            memset(&p->series[si], 0, sizeof p->series[si]);
            snprintf(p->series[si].name, sizeof p->series[si].name, "%s", name);
            p->n_series++;
        }
        SaeSeries *q = &p->series[si];
        if (q->n == 64)
            continue;
        q->x[q->n] = p->categorical ? (double)vidx[ps->xa] : strtod(c->axes[ps->xa].values[vidx[ps->xa]], NULL);
        q->y[q->n] = sae_stat_mean(&st);
        q->err[q->n] = sae_stat_std(&st);
        q->n++;
    }
}

/* The number of series a plot against xa would have: the product of the
 * other axes' sizes (an upper bound). */
static size_t series_count(const SaeSweepConfig *c, size_t xa, int facet)
{
    size_t n = 1;
    for (size_t b = 0; b < c->n_axes; b++)
        if (b != xa && (int)b != facet)
            n *= c->axes[b].n;
    return n;
}

/* One plot of y against axis xa (files NAME.svg, or NAME_<facet axis>=<value>.svg
 * for each value of the other axis with the most values when there would be
 * more than 8 series), with the baselines of y as reference lines. */
static int plot(const char *dir, const char *name, const SaeSweepConfig *c, const SaeRows *r, const size_t *at,
                size_t xa, const char *ycol, int diagonal, int logy, SaeError *e)
{
    const int yc = sae_rows_col(r, ycol);
    if (yc < 0 || !sae_col_has_values(r, yc))
        return 0;
    int facet = -1;
    if (series_count(c, xa, -1) > 8)
        for (size_t b = 0; b < c->n_axes; b++)
            if (b != xa && (facet < 0 || c->axes[b].n > c->axes[facet].n))
                facet = (int)b;
    SaePlot *p = calloc(1, sizeof *p);
    if (!p)
        return sae_fail(e, "out of memory");
    int rc = 0;
    const size_t views = facet >= 0 ? c->axes[facet].n : 1;
    for (size_t fv = 0; fv < views && !rc; fv++) {
        memset(p, 0, sizeof *p);
        snprintf(p->xlabel, sizeof p->xlabel, "%s", words(c->axes[xa].key));
        snprintf(p->ylabel, sizeof p->ylabel, "%s", words(ycol));
        snprintf(p->title, sizeof p->title, "%s vs %s", ycol, c->axes[xa].key);
        if (facet >= 0)
            snprintf(p->title + strlen(p->title), sizeof p->title - strlen(p->title), ", %s = %s", c->axes[facet].key,
                     c->axes[facet].values[fv]);
        snprintf(p->title + strlen(p->title), sizeof p->title - strlen(p->title), " (error bars: sd over replicates)");
        x_scale(&c->axes[xa], diagonal, p);
        p->diagonal = diagonal && !p->categorical;
        p->logy = logy || (diagonal && p->logx);
        if (!strcmp(ycol, "probe_acc") && isfinite(sae_col_mean(r, "raw_probe_acc"))) {
            snprintf(p->refs[0].name, sizeof p->refs[0].name, "raw-input probe");
            p->refs[p->n_refs++].y = sae_col_mean(r, "raw_probe_acc");
        }
        if (!strcmp(ycol, "recon_per_sample") && isfinite(sae_col_mean(r, "const_recon"))) {
            snprintf(p->refs[0].name, sizeof p->refs[0].name, "constant output (no code)");
            p->refs[p->n_refs++].y = sae_col_mean(r, "const_recon");
        }
        const PlotSpec ps = { xa, ycol, facet, fv };
        fill_series(c, r, at, &ps, p);
        if (!p->n_series)
            continue;
        char path[8192];
        if (facet >= 0)
            snprintf(path, sizeof path, "%s/%s_%s=%s.svg", dir, name, c->axes[facet].key, c->axes[facet].values[fv]);
        else
            snprintf(path, sizeof path, "%s/%s.svg", dir, name);
        rc = sae_svg_write(path, p, e);
    }
    free(p);
    return rc;
}

static int axis_of(const SaeSweepConfig *c, const char *key)
{
    for (size_t a = 0; a < c->n_axes; a++)
        if (sae_option_index(c->axes[a].key) == sae_option_index(key))
            return (int)a;
    return -1;
}

/* The sparsity mechanism of a run, for the frontier's legend. */
static void mechanism(const SaeConfig *m, char *out, size_t len)
{
    const char *what = m->topk && m->batch_topk ? "BatchTopK"
                       : m->topk                ? "TopK"
                       : m->l0_penalty != 0     ? "L0"
                       : m->l1_activity != 0    ? "L1"
                       : m->beta != 0           ? "KL"
                       : m->gamma != 0          ? "contractive"
                                                : "no penalty";
    snprintf(out, len, "%s %s", what, sae_act_name(m->encoder));
}

/* The axes that move a point along its frontier, or choose its mechanism
 * (named in the legend already), rather than make another line. */
static int sparsity_axis(const char *key)
{
    static const char *const keys[] = { "k",   "batch-topk", "l1-activity", "l0-penalty", "beta",
                                        "rho", "gamma",      "seed",        "encoder" };
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (sae_option_index(key) == sae_option_index(keys[i]))
            return 1;
    return 0;
}

/* Adds grid point idx (mean l0, mean fvu, sd of fvu over its replicates) to
 * the series of its mechanism and non-sparsity axes. */
static void frontier_point(const SaeSweepConfig *c, const SaeRows *r, const size_t *at, size_t idx, SaePlot *p)
{
    SaeRunSpec s;
    SaeError e;
    unsigned na;
    size_t vidx[SAE_MAX_AXES];
    if (sae_sweep_point(c, idx, &s, &na, &e))
        return;
    sae_sweep_values(c, idx, vidx);
    SaeStat l0 = { 0 }, fvu = { 0 };
    for (size_t k = 0; k < sae_sweep_replicates(c); k++) {
        const char *const *row = sae_row_at(r, at, idx + k);
        if (row) {
            sae_stat_add(&l0, row[sae_rows_col(r, "l0")]);
            sae_stat_add(&fvu, row[sae_rows_col(r, "fvu")]);
        }
    }
    if (!l0.n || !fvu.n)
        return;
    char name[64];
    mechanism(&s.model, name, sizeof name);
    for (size_t b = 0; b < c->n_axes; b++)
        if (c->axes[b].n > 1 && !sparsity_axis(c->axes[b].key) && !(na >> b & 1))
            snprintf(name + strlen(name), sizeof name - strlen(name), ", %s = %s", c->axes[b].key,
                     c->axes[b].values[vidx[b]]);
    size_t si = 0;
    while (si < p->n_series && strcmp(p->series[si].name, name)) si++;
    if (si == sizeof p->series / sizeof *p->series)
        return;
    SaeSeries *q = &p->series[si];
    if (si == p->n_series) {
        memset(q, 0, sizeof *q);
        snprintf(q->name, sizeof q->name, "%s", name);
        p->n_series++;
    }
    if (q->n == 64)
        return;
    size_t at_x = q->n; /* kept sorted by l0, so the line runs along the frontier */
    while (at_x > 0 && q->x[at_x - 1] > sae_stat_mean(&l0)) {
        q->x[at_x] = q->x[at_x - 1];
        q->y[at_x] = q->y[at_x - 1];
        q->err[at_x] = q->err[at_x - 1];
        at_x--;
    }
    q->x[at_x] = sae_stat_mean(&l0);
    q->y[at_x] = sae_stat_mean(&fvu);
    q->err[at_x] = sae_stat_std(&fvu);
    q->n++;
}

/* The sparsity-fidelity frontier the dictionary-learning papers compare
 * models by: fvu against l0 (log x), every grid point, one line per
 * mechanism (TopK, L1, KL, ...) and setting of the other axes. */
static int frontier_plot(const char *dir, const SaeSweepConfig *c, const SaeRows *r, const size_t *at, SaeError *e)
{
    const int l0 = sae_rows_col(r, "l0"), fvu = sae_rows_col(r, "fvu");
    if (l0 < 0 || fvu < 0 || !sae_col_has_values(r, l0) || !sae_col_has_values(r, fvu))
        return 0;
    SaePlot *p = calloc(1, sizeof *p);
    if (!p)
        return sae_fail(e, "out of memory");
    snprintf(p->title, sizeof p->title, "fvu vs l0: the sparsity-fidelity frontier (error bars: sd over replicates)");
    snprintf(p->xlabel, sizeof p->xlabel, "%s", words("l0"));
    snprintf(p->ylabel, sizeof p->ylabel, "%s", words("fvu"));
    p->logx = 1;
    for (size_t idx = 0; idx < sae_sweep_size(c); idx += sae_sweep_replicates(c)) frontier_point(c, r, at, idx, p);
    char path[8192];
    snprintf(path, sizeof path, "%s/fvu_vs_l0.svg", dir);
    const int rc = p->n_series ? sae_svg_write(path, p, e) : 0;
    free(p);
    return rc;
}

/* Reconstruction (and, with labels, the probe) against every axis; the
 * mean activation against rho (log-log, with the diagonal); the Jacobian
 * and saturation against gamma; speed against the kernel level. */
int sae_plots_write(const SaeSweepConfig *c, const char *dir, const SaeRows *r, const size_t *at, SaeError *e)
{
    int rc = 0;
    for (size_t a = 0; a < c->n_axes && !rc; a++) {
        const char *key = c->axes[a].key;
        char name[128];
        if (c->axes[a].n < 2 || !strcmp(key, "seed"))
            continue;
        if (!strcmp(key, "cpumask") || !strcmp(key, "threads")) {
            snprintf(name, sizeof name, "seconds_per_epoch_vs_%s", key);
            rc |= plot(dir, name, c, r, at, a, "seconds_per_epoch", 0, 1, e);
            continue;
        }
        snprintf(name, sizeof name, "recon_vs_%s", key);
        rc |= plot(dir, name, c, r, at, a, "recon_per_sample", 0, 0, e);
        snprintf(name, sizeof name, "probe_vs_%s", key);
        rc |= plot(dir, name, c, r, at, a, "probe_acc", 0, 0, e);
    }
    if (!rc)
        rc |= frontier_plot(dir, c, r, at, e);
    const int rho = axis_of(c, "rho"), gamma = axis_of(c, "gamma");
    if (rho >= 0 && !rc)
        rc |= plot(dir, "rhohat_vs_rho", c, r, at, (size_t)rho, "rho_mean", 1, 0, e);
    if (gamma >= 0 && !rc) {
        rc |= plot(dir, "jacobian_vs_gamma", c, r, at, (size_t)gamma, "jac_norm", 0, 0, e);
        rc |= plot(dir, "saturation_vs_gamma", c, r, at, (size_t)gamma, "sat_frac", 0, 0, e);
    }
    return rc ? -1 : 0;
}
