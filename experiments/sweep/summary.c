/* The report of a sweep, rebuilt from its rows: summary.md (the grid's
 * cells with mean and spread over seeds) and the SVG plots. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/fileio.h"
#include "core/metrics.h"
#include "experiments/report/svg.h"
#include "experiments/sweep/summary.h"

/* Two values are the same setting: equal as numbers, or as text. */
static int same_value(const char *a, const char *b)
{
    if (sae_is_number(a) && sae_is_number(b))
        return strtod(a, NULL) == strtod(b, NULL);
    return !strcmp(a, b);
}

typedef struct Stat {
    double sum, sq;
    size_t n;
} Stat;

static void stat_add(Stat *s, const char *v)
{
    if (!sae_is_number(v))
        return;
    const double x = strtod(v, NULL);
    if (!isfinite(x))
        return;
    s->sum += x;
    s->sq += x * x;
    s->n++;
}

static double stat_mean(const Stat *s) { return s->n ? s->sum / (double)s->n : NAN; }

static double stat_std(const Stat *s)
{
    if (s->n < 2)
        return 0;
    const double m = stat_mean(s), v = (s->sq - (double)s->n * m * m) / (double)(s->n - 1);
    return v > 0 ? sqrt(v) : 0;
}

/* Does row r match the values chosen for the axes in sel (NULL: any)? */
static int row_matches(const SaeRows *rows, size_t r, const int *cols, const char *const *sel, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sel[i] && !same_value(rows->rows[r][cols[i]], sel[i]))
            return 0;
    return 1;
}

static const char *const summary_metrics[] = {
    "recon_per_sample", "mse_per_element",   "kl",       "rho_mean", "rho_abs_dev", "frac_near_zero",
    "dead_frac",        "lifetime_sparsity", "jac_norm", "sat_frac", "probe_acc",   "seconds_per_epoch",
};

static int write_summary(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r,
                         SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    FILE *f = af.f;
    fprintf(f, "# Sweep %s\n\n%zu runs", config_path, r->n_rows);
    const int st = sae_rows_col(r, "status");
    size_t diverged = 0;
    for (size_t i = 0; i < r->n_rows; i++) diverged += !strcmp(r->rows[i][st], "diverged");
    fprintf(f, " (%zu diverged), %u seed(s) per setting; mean ± std over seeds, on the held-out rows.\n\n", diverged,
            c->seeds);
    /* the axes that are swept (the seed aside) */
    int cols[SAE_MAX_AXES];
    const SaeAxis *axes[SAE_MAX_AXES];
    size_t na = 0;
    for (size_t a = 0; a < c->n_axes; a++)
        if (strcmp(c->axes[a].key, "seed") && sae_rows_setting_col(r, c->axes[a].key) >= 0) {
            axes[na] = &c->axes[a];
            cols[na++] = sae_rows_setting_col(r, c->axes[a].key);
        }
    const int raw = sae_rows_col(r, "raw_probe_acc");
    int metric_cols_idx[16];
    size_t nm = 0;
    for (size_t m = 0; m < sizeof summary_metrics / sizeof *summary_metrics; m++) {
        const int col = sae_rows_col(r, summary_metrics[m]);
        int any = 0;
        for (size_t i = 0; i < r->n_rows && !any; i++) any = *r->rows[i][col] != 0;
        if (any)
            metric_cols_idx[nm++] = col;
    }
    fputs("|", f);
    for (size_t a = 0; a < na; a++) fprintf(f, " %s |", axes[a]->key);
    fputs(" runs |", f);
    for (size_t m = 0; m < nm; m++) fprintf(f, " %s |", r->names[metric_cols_idx[m]]);
    fputs("\n|", f);
    for (size_t i = 0; i < na + 1 + nm; i++) fputs("---|", f);
    fputc('\n', f);
    /* every combination of the swept values, in grid order */
    size_t combos = 1;
    for (size_t a = 0; a < na; a++) combos *= axes[a]->n;
    for (size_t k = 0; k < combos; k++) {
        const char *sel[SAE_MAX_AXES];
        size_t rest = k;
        for (size_t a = na; a-- > 0;) {
            sel[a] = axes[a]->values[rest % axes[a]->n];
            rest /= axes[a]->n;
        }
        Stat s[16] = { { 0 } };
        size_t runs = 0;
        for (size_t i = 0; i < r->n_rows; i++) {
            if (!row_matches(r, i, cols, sel, na))
                continue;
            runs++;
            for (size_t m = 0; m < nm; m++) stat_add(&s[m], r->rows[i][metric_cols_idx[m]]);
        }
        if (!runs)
            continue;
        fputs("|", f);
        for (size_t a = 0; a < na; a++) fprintf(f, " %s |", sel[a]);
        fprintf(f, " %zu |", runs);
        for (size_t m = 0; m < nm; m++) {
            if (!s[m].n)
                fputs(" — |", f);
            else if (c->seeds > 1)
                fprintf(f, " %.4g ± %.2g |", stat_mean(&s[m]), stat_std(&s[m]));
            else
                fprintf(f, " %.4g |", stat_mean(&s[m]));
        }
        fputc('\n', f);
    }
    if (raw >= 0 && r->n_rows && *r->rows[0][raw])
        fprintf(f, "\nBaseline: softmax probe on the raw inputs, held-out accuracy %s.\n", r->rows[0][raw]);
    fprintf(f,
            "\n## Conventions\n\n"
            "- recon_per_sample = (1/m) Σ ½‖x̂ − x‖² (also for bce-trained models); mse_per_element = "
            "(1/(m n)) Σ (x̂ − x)²; loss terms as in the README (MSE with ½, mean over samples; "
            "weight penalties not divided by m).\n"
            "- ρ̂ is the mean activation on the held-out rows, tanh mapped to (h+1)/2 (kl_tanh rescale); "
            "KL clamp ε = kl_eps.\n"
            "- frac_near_zero: activations below τ = %g; dead: a unit whose largest activation is ≤ %g "
            "(relu: 0); saturated: sigmoid < 0.05 or > 0.95, tanh |h| > 0.9, relu h = 0.\n"
            "- lifetime sparsity: Treves–Rolls over the rows of each unit (0 dense, 1 one-hot), averaged "
            "over units.\n"
            "- jac_norm = (1/m) Σ ‖J_f(x)‖_F.\n"
            "- probe_acc: softmax regression (λ = 1e-4, L-BFGS, 400 iterations) on the hidden code of the "
            "training rows, accuracy on the held-out rows.\n"
            "- seconds_per_epoch is wall time (the only columns that change between reruns are seconds, "
            "seconds_per_epoch and samples_per_s).\n",
            SAE_METRIC_TAU, SAE_METRIC_TAU_DEAD);
    return sae_atomic_commit(&af, e);
}

/* y (mean ± std) against axis x, one series per value of axis g (or one). */
static void plot_series(const SaeRows *r, const SaeAxis *x, int xcol, const SaeAxis *g, int gcol, int ycol,
                        int numeric_x, SaePlot *p)
{
    const size_t ng = g ? g->n : 1;
    p->n_series = 0;
    p->categorical = !numeric_x;
    p->n_xticks = x->n < 64 ? x->n : 64;
    for (size_t i = 0; i < p->n_xticks; i++) snprintf(p->xticks[i], sizeof p->xticks[i], "%s", x->values[i]);
    for (size_t gi = 0; gi < ng && p->n_series < 12; gi++) {
        SaeSeries *s = &p->series[p->n_series];
        memset(s, 0, sizeof *s);
        if (g)
            snprintf(s->name, sizeof s->name, "%s = %s", g->key, g->values[gi]);
        else
            snprintf(s->name, sizeof s->name, "all runs");
        for (size_t xi = 0; xi < x->n && s->n < 64; xi++) {
            Stat st = { 0 };
            for (size_t i = 0; i < r->n_rows; i++)
                if (same_value(r->rows[i][xcol], x->values[xi]) && (!g || same_value(r->rows[i][gcol], g->values[gi])))
                    stat_add(&st, r->rows[i][ycol]);
            if (!st.n)
                continue;
            s->x[s->n] = numeric_x ? strtod(x->values[xi], NULL) : (double)xi;
            s->y[s->n] = stat_mean(&st);
            s->err[s->n] = stat_std(&st);
            s->n++;
        }
        if (s->n)
            p->n_series++;
    }
}

static const SaeAxis *find(const SaeSweepConfig *c, const char *key)
{
    for (size_t a = 0; a < c->n_axes; a++)
        if (sae_option_index(c->axes[a].key) == sae_option_index(key))
            return &c->axes[a];
    return NULL;
}

static int has_values(const SaeRows *r, int col)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (sae_is_number(r->rows[i][col]))
            return 1;
    return 0;
}

/* The series of a plot against x: the preferred axis if swept, else the
 * first other swept axis with a few values (or none). */
static const SaeAxis *pick_group(const SaeSweepConfig *c, const SaeAxis *x, const SaeAxis *preferred)
{
    if (preferred && preferred != x)
        return preferred;
    for (size_t a = 0; a < c->n_axes; a++)
        if (&c->axes[a] != x && strcmp(c->axes[a].key, "seed") && c->axes[a].n > 1 && c->axes[a].n <= 6)
            return &c->axes[a];
    return NULL;
}

/* One plot file: y against x, grouped by g (may be NULL). */
static int plot(const char *dir, const char *file, const SaeRows *r, const SaeAxis *x, const SaeAxis *g,
                const char *ycol, const char *title, int numeric_x, int diagonal, int logy, SaeError *e)
{
    const int yc = sae_rows_col(r, ycol);
    if (!x || yc < 0 || !has_values(r, yc))
        return 0;
    SaePlot *p = calloc(1, sizeof *p);
    if (!p)
        return sae_fail(e, "out of memory");
    snprintf(p->title, sizeof p->title, "%s (mean ± std over the other settings)", title);
    snprintf(p->xlabel, sizeof p->xlabel, "%s", x->key);
    snprintf(p->ylabel, sizeof p->ylabel, "%s", ycol);
    p->diagonal = diagonal;
    p->logy = logy;
    plot_series(r, x, sae_rows_setting_col(r, x->key), g, g ? sae_rows_setting_col(r, g->key) : -1, yc, numeric_x, p);
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    const int rc = sae_svg_write(path, p, e);
    free(p);
    return rc;
}

static int write_plots(const SaeSweepConfig *c, const char *dir, const SaeRows *r, SaeError *e)
{
    const SaeAxis *beta = find(c, "beta"), *rho = find(c, "rho"), *hidden = find(c, "hidden");
    const SaeAxis *gamma = find(c, "gamma"), *mask = find(c, "cpumask"), *threads = find(c, "threads");
    int rc = 0;
    rc |= plot(dir, "recon_vs_beta.svg", r, beta, pick_group(c, beta, rho), "recon_per_sample",
               "Reconstruction vs KL weight beta", 0, 0, 0, e);
    rc |= plot(dir, "rhohat_vs_rho.svg", r, rho, pick_group(c, rho, beta), "rho_mean", "Mean activation vs target rho",
               1, 1, 0, e);
    rc |= plot(dir, "probe_vs_hidden.svg", r, hidden, pick_group(c, hidden, beta), "probe_acc",
               "Linear-probe accuracy vs hidden units", 0, 0, 0, e);
    rc |= plot(dir, "recon_vs_hidden.svg", r, hidden, pick_group(c, hidden, beta), "recon_per_sample",
               "Reconstruction vs hidden units", 0, 0, 0, e);
    rc |= plot(dir, "jacobian_vs_gamma.svg", r, gamma, pick_group(c, gamma, beta), "jac_norm",
               "Encoder Jacobian norm vs gamma", 0, 0, 0, e);
    rc |= plot(dir, "saturation_vs_gamma.svg", r, gamma, pick_group(c, gamma, beta), "sat_frac",
               "Saturated units vs gamma", 0, 0, 0, e);
    rc |= plot(dir, "seconds_per_epoch_by_isa.svg", r, mask, pick_group(c, mask, threads), "seconds_per_epoch",
               "Seconds per epoch by kernel level", 0, 0, 1, e);
    /* every other axis: reconstruction (and the probe) against it */
    for (size_t a = 0; a < c->n_axes && !rc; a++) {
        const SaeAxis *x = &c->axes[a];
        if (x == beta || x == rho || x == hidden || x == mask || !strcmp(x->key, "seed"))
            continue;
        char file[128], title[128];
        snprintf(file, sizeof file, "recon_vs_%s.svg", x->key);
        snprintf(title, sizeof title, "Reconstruction vs %s", x->key);
        rc |= plot(dir, file, r, x, pick_group(c, x, NULL), "recon_per_sample", title, 0, 0, 0, e);
        snprintf(file, sizeof file, "probe_vs_%s.svg", x->key);
        snprintf(title, sizeof title, "Linear-probe accuracy vs %s", x->key);
        rc |= plot(dir, file, r, x, pick_group(c, x, NULL), "probe_acc", title, 0, 0, 0, e);
    }
    return rc ? -1 : 0;
}

int sae_report_write(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r, SaeError *e)
{
    if (write_summary(dir, config_path, c, r, e))
        return -1;
    return write_plots(c, dir, r, e);
}
