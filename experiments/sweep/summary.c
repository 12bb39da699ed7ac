/* The report of a sweep, rebuilt from its rows: summary.md (the grid's
 * cells with mean and spread over seeds) and the SVG plots. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/fileio.h"
#include "core/metrics.h"
#include "experiments/report/svg.h"
#include "experiments/sweep/run.h"
#include "experiments/sweep/summary.h"

typedef struct Stat {
    double sum, sq;
    size_t n;
} Stat;

static void stat_push(Stat *s, double x)
{
    if (!isfinite(x))
        return;
    s->sum += x;
    s->sq += x * x;
    s->n++;
}

static void stat_add(Stat *s, const char *v)
{
    if (sae_is_number(v))
        stat_push(s, strtod(v, NULL));
}

static double stat_mean(const Stat *s) { return s->n ? s->sum / (double)s->n : NAN; }

static double stat_std(const Stat *s)
{
    if (s->n < 2)
        return 0;
    const double m = stat_mean(s), v = (s->sq - (double)s->n * m * m) / (double)(s->n - 1);
    return v > 0 ? sqrt(v) : 0;
}

static int has_values(const SaeRows *r, int col)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (sae_is_number(r->rows[i][col]))
            return 1;
    return 0;
}

/* 0.975 quantiles of Student's t for 1..30 degrees of freedom (then the
 * normal's 1.96): the half-width of a 95 % interval is t sd / sqrt(n). */
static double t975(size_t df)
{
    static const double t[] = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
    return df == 0 ? NAN : df <= 30 ? t[df - 1] : 1.96;
}

/* The row of the run at grid point idx (NULL when it did not run); at is
 * sae_sweep_row_index's. */
static const char *const *row_at(const SaeRows *r, const size_t *at, size_t idx)
{
    return at[idx] < r->n_rows ? (const char *const *)r->rows[at[idx]] : NULL;
}

/* The grid index of the value indices vidx and seed seed_i. */
static size_t compose(const SaeSweepConfig *c, const size_t *vidx, size_t seed_i)
{
    size_t idx = 0;
    for (size_t a = 0; a < c->n_axes; a++) idx = idx * c->axes[a].n + vidx[a];
    return idx * sae_sweep_replicates(c) + seed_i;
}

/* A metric column of the summary: its column, its heading, and whether it
 * is shown only when some value is non-zero. */
typedef struct Metric {
    const char *col, *heading;
    int only_nonzero;
} Metric;

static const Metric summary_metrics[] = {
    { "recon_per_sample", "recon held-out", 0 },
    { "train_recon_per_sample", "recon train", 0 },
    { "kl_unweighted", "KL(ρ‖ρ̂)", 1 },
    { "rho_mean", "mean ρ̂", 0 },
    { "rho_abs_dev", "mean \\|ρ̂ − ρ\\|", 0 },
    { "frac_near_zero", "frac < τ", 0 },
    { "dead_frac", "dead", 0 },
    { "train_dead_frac", "dead in training", 0 },
    { "l0", "L0", 0 },
    { "fvu", "FVU", 0 },
    { "lifetime_sparsity", "lifetime sparsity", 0 },
    { "population_sparsity", "population sparsity", 0 },
    { "silent_sample_frac", "silent samples", 1 },
    { "jac_norm", "‖J_f‖_F", 0 },
    { "sat_frac", "saturated", 0 },
    { "probe_acc", "probe accuracy", 0 },
    { "seconds_per_epoch", "s / epoch", 0 },
};
enum { N_METRICS = sizeof summary_metrics / sizeof *summary_metrics };

/* The metrics with a value in some row (non-zero where asked). */
static size_t shown_metrics(const SaeRows *r, int *cols, const Metric **which)
{
    size_t nm = 0;
    for (size_t m = 0; m < N_METRICS; m++) {
        const int col = sae_rows_col(r, summary_metrics[m].col);
        int any = 0;
        for (size_t i = 0; i < r->n_rows && !any && col >= 0; i++)
            any = sae_is_number(r->rows[i][col]) &&
                  (!summary_metrics[m].only_nonzero || strtod(r->rows[i][col], NULL) != 0);
        if (any) {
            cols[nm] = col;
            which[nm++] = &summary_metrics[m];
        }
    }
    return nm;
}

/* The mean of a column over the rows where it is a number. */
static double column_mean(const SaeRows *r, const char *name)
{
    const int col = sae_rows_col(r, name);
    Stat s = { 0 };
    for (size_t i = 0; i < r->n_rows && col >= 0; i++) stat_add(&s, r->rows[i][col]);
    return stat_mean(&s);
}

/* The baselines every run is read against. */
static void write_baselines(FILE *f, const SaeRows *r)
{
    fputs("## Baselines\n\n", f);
    const double cr = column_mean(r, "const_recon");
    if (isfinite(cr))
        fprintf(f,
                "- **Constant output** (a code that carries no information: the decoder's best constant, the "
                "training rows' mean clamped to its range): recon held-out %.4g. A run near it has learnt "
                "nothing about the inputs.\n",
                cr);
    const double raw = column_mean(r, "raw_probe_acc");
    if (isfinite(raw))
        fprintf(f,
                "- **Raw-input probe** (the same softmax probe, its λ chosen on validation rows as for the "
                "codes, λ = %.3g): accuracy %.4f ± %.4f (binomial SE on the held-out rows).\n",
                column_mean(r, "raw_probe_lambda"), raw, column_mean(r, "raw_probe_acc_se"));
    fputs("- **Generalisation**: recon train beside recon held-out; a held-out value well above the training one "
          "is memorisation.\n\n",
          f);
}

/* The runs against a baseline, paired within each run (the same seed and
 * split): column a minus column b. */
typedef struct VsBaseline {
    const char *heading, *a, *b;
} VsBaseline;

static const VsBaseline vs_baselines[] = {
    { "recon − constant output", "recon_per_sample", "const_recon" },
    { "probe − raw-input probe", "probe_acc", "raw_probe_acc" },
};
enum { N_VS = sizeof vs_baselines / sizeof *vs_baselines };

/* "mean ± half-width of the 95 % interval" of the differences in d. */
static void put_interval(FILE *f, const Stat *d)
{
    if (!d->n)
        fputs(" — |", f);
    else if (d->n == 1)
        fprintf(f, " %+.4g |", stat_mean(d));
    else
        fprintf(f, " %+.4g ± %.2g |", stat_mean(d), t975(d->n - 1) * stat_std(d) / sqrt((double)d->n));
}

/* The results table: one line per grid point (replicates pooled), "n/a"
 * for an axis that does not apply there, and each run against the
 * baselines (paired, with a 95 % interval over the replicates). */
static void write_table(FILE *f, const SaeSweepConfig *c, const SaeRows *r, const size_t *at)
{
    int cols[N_METRICS], vs[N_VS][2];
    const Metric *which[N_METRICS];
    const char *vs_heading[N_VS];
    const size_t nm = shown_metrics(r, cols, which);
    size_t nv = 0;
    for (size_t v = 0; v < N_VS; v++) {
        vs[nv][0] = sae_rows_col(r, vs_baselines[v].a);
        vs[nv][1] = sae_rows_col(r, vs_baselines[v].b);
        vs_heading[nv] = vs_baselines[v].heading;
        if (vs[nv][0] >= 0 && vs[nv][1] >= 0 && has_values(r, vs[nv][0]) && has_values(r, vs[nv][1]))
            nv++;
    }
    fputs("| ", f);
    for (size_t a = 0; a < c->n_axes; a++) fprintf(f, "%s | ", c->axes[a].key);
    fputs("runs |", f);
    for (size_t m = 0; m < nm; m++) fprintf(f, " %s |", which[m]->heading);
    for (size_t v = 0; v < nv; v++) fprintf(f, " %s |", vs_heading[v]);
    fputs("\n|", f);
    for (size_t i = 0; i < c->n_axes + 1 + nm + nv; i++) fputs("---|", f);
    fputc('\n', f);
    const int pse = sae_rows_col(r, "probe_acc_se");
    for (size_t idx = 0; idx < sae_sweep_size(c); idx += sae_sweep_replicates(c)) {
        SaeRunSpec s;
        SaeError e;
        unsigned na;
        if (sae_sweep_point(c, idx, &s, &na, &e))
            continue;
        Stat st[N_METRICS] = { { 0 } }, se = { 0 }, d[N_VS] = { { 0 } };
        size_t runs = 0;
        for (size_t k = 0; k < sae_sweep_replicates(c); k++) {
            const char *const *row = row_at(r, at, idx + k);
            if (!row)
                continue;
            runs++;
            for (size_t m = 0; m < nm; m++) stat_add(&st[m], row[cols[m]]);
            if (pse >= 0)
                stat_add(&se, row[pse]);
            for (size_t v = 0; v < nv; v++)
                if (sae_is_number(row[vs[v][0]]) && sae_is_number(row[vs[v][1]]))
                    stat_push(&d[v], strtod(row[vs[v][0]], NULL) - strtod(row[vs[v][1]], NULL));
        }
        if (!runs)
            continue;
        size_t vidx[SAE_MAX_AXES];
        sae_sweep_values(c, idx, vidx);
        fputs("| ", f);
        for (size_t a = 0; a < c->n_axes; a++) fprintf(f, "%s | ", na >> a & 1 ? "n/a" : c->axes[a].values[vidx[a]]);
        fprintf(f, "%zu |", runs);
        for (size_t m = 0; m < nm; m++) {
            if (!st[m].n)
                fputs(" — |", f);
            else if (st[m].n > 1)
                fprintf(f, " %.4g ± %.2g", stat_mean(&st[m]), stat_std(&st[m]));
            else
                fprintf(f, " %.4g", stat_mean(&st[m]));
            if (st[m].n && !strcmp(which[m]->col, "probe_acc") && se.n)
                fprintf(f, " (SE %.2g)", stat_mean(&se));
            if (st[m].n)
                fputs(" |", f);
        }
        for (size_t v = 0; v < nv; v++) put_interval(f, &d[v]);
        fputc('\n', f);
    }
}

/* The metrics a comparison reports. */
static const char *const compared[] = { "recon_per_sample", "probe_acc", "rho_mean", "jac_norm", "fvu", "dead_frac" };
enum { N_COMPARED = sizeof compared / sizeof *compared, MAX_CELL_LINES = 24 };

/* One comparison: value v of axis a against its first value, at the other
 * settings of point idx, paired by replicate. */
typedef struct Paired {
    double mean, half; /* mean difference and the half-width of its 95 % interval */
    size_t n;
} Paired;

static Paired interval(const Stat *d)
{
    return (Paired){ stat_mean(d), d->n > 1 ? t975(d->n - 1) * stat_std(d) / sqrt((double)d->n) : NAN, d->n };
}

/* The differences of column col between the runs of points idx and ref,
 * replicate by replicate: into d, and each also into per_rep[k] (k < 64). */
static void paired(const SaeSweepConfig *c, const SaeRows *r, const size_t *at, size_t idx, size_t ref, int col,
                   Stat *d, Stat *per_rep)
{
    for (size_t k = 0; k < sae_sweep_replicates(c); k++) {
        const char *const *x = row_at(r, at, idx + k), *const *y = row_at(r, at, ref + k);
        if (!x || !y || !sae_is_number(x[col]) || !sae_is_number(y[col]))
            continue;
        const double diff = strtod(x[col], NULL) - strtod(y[col], NULL);
        stat_push(d, diff);
        if (k < 64)
            stat_push(&per_rep[k], diff);
    }
}

static const char *verdict(Paired p)
{
    if (p.n < 2)
        return "one seed: untested";
    if (p.mean - p.half > 0)
        return "higher";
    if (p.mean + p.half < 0)
        return "lower";
    return "within noise";
}

/* The grid point that is idx with axis a at its first value (an [only-if]
 * axis that then stops applying goes to its first value too). */
static size_t reference_of(const SaeSweepConfig *c, size_t idx, size_t a)
{
    size_t vidx[SAE_MAX_AXES];
    sae_sweep_values(c, idx, vidx);
    vidx[a] = 0;
    for (size_t tries = 0; tries <= c->n_axes; tries++) {
        SaeRunSpec s;
        SaeError e;
        unsigned na;
        if (sae_sweep_point(c, compose(c, vidx, 0), &s, &na, &e) != 1)
            break;
        for (size_t b = 0; b < c->n_axes; b++)
            if (na >> b & 1)
                vidx[b] = 0;
    }
    return compose(c, vidx, 0);
}

/* The other axes' values of point idx, for a comparison's line. */
static void cell_label(const SaeSweepConfig *c, size_t idx, size_t a, unsigned na, char *buf, size_t len)
{
    size_t vidx[SAE_MAX_AXES];
    sae_sweep_values(c, idx, vidx);
    buf[0] = 0;
    for (size_t b = 0; b < c->n_axes; b++)
        if (b != a)
            snprintf(buf + strlen(buf), len - strlen(buf), "%s%s=%s", *buf ? ", " : "", c->axes[b].key,
                     na >> b & 1 ? "n/a" : c->axes[b].values[vidx[b]]);
}

/* Is grid point idx a run with axis a applying and at a value other than
 * its first (v: that value; 0: any)? na gets the point's n/a axes. */
static int compared_point(const SaeSweepConfig *c, size_t idx, size_t a, size_t v, unsigned *na)
{
    size_t vidx[SAE_MAX_AXES];
    sae_sweep_values(c, idx, vidx);
    SaeRunSpec s;
    SaeError e;
    return vidx[a] && (!v || vidx[a] == v) && !sae_sweep_point(c, idx, &s, na, &e) && !(*na >> a & 1);
}

/* The comparisons of axis a on one metric (column col): every line into
 * csv; into summary.md per setting when there are few lines, else per
 * replicate averaged over the other settings. */
static void compare_axis(FILE *f, FILE *csv, const SaeSweepConfig *c, const SaeRows *r, const size_t *at, size_t a,
                         const char *metric, int col, int detailed)
{
    const SaeAxis *ax = &c->axes[a];
    const size_t step = sae_sweep_replicates(c);
    size_t lines = 0;
    unsigned na;
    for (size_t idx = 0; idx < sae_sweep_size(c); idx += step) lines += compared_point(c, idx, a, 0, &na);
    if (!lines)
        return;
    const int per_cell = detailed && lines <= MAX_CELL_LINES;
    fprintf(
        f,
        "\n**%s: %s** vs %s = %s%s\n\n| %s | %s | difference | 95%% CI | replicates | |\n|---|---|---|---|---|---|\n",
        ax->key, metric, ax->key, ax->values[0], per_cell ? "" : " (per replicate, averaged over the other settings)",
        ax->key, per_cell ? "other settings" : "settings");
    for (size_t v = 1; v < ax->n; v++) {
        Stat per_rep[64] = { { 0 } };
        size_t cells = 0;
        for (size_t idx = 0; idx < sae_sweep_size(c); idx += step) {
            if (!compared_point(c, idx, a, v, &na))
                continue;
            Stat d = { 0 };
            paired(c, r, at, idx, reference_of(c, idx, a), col, &d, per_rep);
            if (!d.n)
                continue;
            const Paired p = interval(&d);
            char cell[512];
            cell_label(c, idx, a, na, cell, sizeof cell);
            fprintf(csv, "%s,%s,%s,\"%s\",%s,%.9g,%.9g,%zu,%s\n", ax->key, ax->values[v], ax->values[0], cell, metric,
                    p.mean, p.half, p.n, verdict(p));
            if (per_cell)
                fprintf(f, "| %s | %s | %+.4g | ± %.2g | %zu | %s |\n", ax->values[v], cell, p.mean, p.half, p.n,
                        verdict(p));
            cells++;
        }
        if (per_cell || !cells)
            continue;
        Stat mean_of_rep = { 0 };
        for (size_t k = 0; k < step && k < 64; k++)
            if (per_rep[k].n)
                stat_push(&mean_of_rep, stat_mean(&per_rep[k]));
        const Paired p = interval(&mean_of_rep);
        fprintf(f, "| %s | %zu | %+.4g | ± %.2g | %zu | %s |\n", ax->values[v], cells, p.mean, p.half, p.n, verdict(p));
    }
}

/* Paired comparisons over replicates: every value of every axis against
 * the axis's first value, at the same other settings, into
 * comparisons.csv and summary.md. */
static void write_comparisons(FILE *f, FILE *csv, const SaeSweepConfig *c, const SaeRows *r, const size_t *at)
{
    fprintf(f,
            "\n## Comparisons (paired over replicates)\n\nEach value of an axis against the axis's first value, "
            "the other settings equal, paired by replicate (the same seed and split): the mean difference and "
            "its 95 %% interval (Student's t over %u seed(s) x %u split(s)). \"within noise\": the interval "
            "contains 0. %s\n",
            c->seeds, c->splits,
            c->splits > 1 ? "The replicates re-draw the held-out split, so its variation is in the intervals."
                          : "The seeds share one data split, so split-to-split variation is not in these "
                            "intervals (--splits N re-draws it); for a probe accuracy also read the binomial "
                            "SE of the held-out rows.");
    fputs("axis,value,reference,other_settings,metric,mean_difference,ci95_half_width,replicates,verdict\n", csv);
    for (size_t a = 0; a < c->n_axes; a++)
        for (size_t mi = 0; mi < N_COMPARED && c->axes[a].n > 1; mi++) {
            const int col = sae_rows_col(r, compared[mi]);
            if (col >= 0 && has_values(r, col))
                compare_axis(f, csv, c, r, at, a, compared[mi], col, mi < 2);
        }
}

static int write_summary(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r,
                         const size_t *at, SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    SaeAtomicFile af, ac;
    if (sae_atomic_open(&af, path, e))
        return -1;
    snprintf(path, sizeof path, "%s/comparisons.csv", dir);
    if (sae_atomic_open(&ac, path, e)) {
        sae_atomic_abort(&af);
        return -1;
    }
    FILE *f = af.f;
    fprintf(f, "# Sweep %s\n\n%zu runs", config_path, r->n_rows);
    const int st = sae_rows_col(r, "status");
    size_t diverged = 0;
    for (size_t i = 0; i < r->n_rows; i++) diverged += !strcmp(r->rows[i][st], "diverged");
    fprintf(f,
            " (%zu diverged), %u seed(s) x %u held-out split(s) per setting; mean ± sd over these "
            "replicates, on the held-out rows; a probe accuracy also gives its binomial SE on the held-out "
            "rows (SE).\n\n",
            diverged, c->seeds, c->splits);
    for (size_t a = 0; a < c->n_axes; a++)
        if (c->axes[a].n_only_if) {
            fprintf(f, "%s applies only where", c->axes[a].key);
            for (size_t i = 0; i < c->axes[a].n_only_if; i++)
                fprintf(f, "%s %s %s %s", i ? " and" : "", c->axes[a].only_if[i].setting,
                        c->axes[a].only_if[i].equal ? "=" : "≠", c->axes[a].only_if[i].value);
            fprintf(f, " (n/a elsewhere: those runs use the [base] value).\n\n");
        }
    write_baselines(f, r);
    write_table(f, c, r, at);
    write_comparisons(f, ac.f, c, r, at);
    fprintf(f,
            "\n## Conventions\n\n"
            "- recon = (1/m) Σ ½‖x̂ − x‖² per sample (for every loss and reduction); the objective's own "
            "terms are in results.csv (objective, recon, and every penalty weighted, as in J, and "
            "unweighted, at weight 1: KL(ρ‖ρ̂) is kl_unweighted).\n"
            "- ρ̂ is the mean activation on the held-out rows, tanh mapped to (h+1)/2 (kl_tanh rescale); "
            "KL clamp ε = kl_eps.\n"
            "- frac < τ: activations below τ = %g; dead: a unit whose largest activation is ≤ %g "
            "(relu: 0); saturated: sigmoid < 0.05 or > 0.95, tanh |h| > 0.9, relu h = 0.\n"
            "- lifetime / population sparsity: Treves–Rolls over the rows of each unit / the units of each "
            "row (0 dense, 1 one-hot), averaged over the units / rows that are not all zero; those are "
            "counted apart (silent_unit_frac, silent samples) instead of being scored.\n"
            "- ‖J_f‖_F = (1/m) Σ ‖J_f(x)‖_F.\n"
            "- probe accuracy: softmax regression (L-BFGS, 400 iterations) on the hidden code of the "
            "training rows, its weight decay chosen from 1e-6 … 1e-1 on the last fifth of the training "
            "rows, then refit on all of them; accuracy on the held-out rows.\n"
            "- s / epoch is wall time (the only columns that change between reruns are seconds, "
            "seconds_per_epoch, samples_per_s, and the host and MPI rank a run ran on).\n"
            "- recon − constant output, probe − raw-input probe: each run against the baseline measured on "
            "its own split, mean ± the half-width of the 95 %% interval over the replicates (Student's t); "
            "an interval that holds 0 is a tie with the baseline.\n"
            "- comparisons.csv holds every paired comparison, per setting.\n",
            SAE_METRIC_TAU, SAE_METRIC_TAU_DEAD);
    if (sae_atomic_commit(&ac, e)) {
        sae_atomic_abort(&af);
        return -1;
    }
    return sae_atomic_commit(&af, e);
}

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
        Stat st = { 0 };
        for (size_t k = 0; k < sae_sweep_replicates(c); k++) {
            const char *const *row = row_at(r, at, idx + k);
            if (row)
                stat_add(&st, row[yc]);
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
        q->y[q->n] = stat_mean(&st);
        q->err[q->n] = stat_std(&st);
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
    if (yc < 0 || !has_values(r, yc))
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
        if (!strcmp(ycol, "probe_acc") && isfinite(column_mean(r, "raw_probe_acc"))) {
            snprintf(p->refs[0].name, sizeof p->refs[0].name, "raw-input probe");
            p->refs[p->n_refs++].y = column_mean(r, "raw_probe_acc");
        }
        if (!strcmp(ycol, "recon_per_sample") && isfinite(column_mean(r, "const_recon"))) {
            snprintf(p->refs[0].name, sizeof p->refs[0].name, "constant output (no code)");
            p->refs[p->n_refs++].y = column_mean(r, "const_recon");
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
    Stat l0 = { 0 }, fvu = { 0 };
    for (size_t k = 0; k < sae_sweep_replicates(c); k++) {
        const char *const *row = row_at(r, at, idx + k);
        if (row) {
            stat_add(&l0, row[sae_rows_col(r, "l0")]);
            stat_add(&fvu, row[sae_rows_col(r, "fvu")]);
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
    while (at_x > 0 && q->x[at_x - 1] > stat_mean(&l0)) {
        q->x[at_x] = q->x[at_x - 1];
        q->y[at_x] = q->y[at_x - 1];
        q->err[at_x] = q->err[at_x - 1];
        at_x--;
    }
    q->x[at_x] = stat_mean(&l0);
    q->y[at_x] = stat_mean(&fvu);
    q->err[at_x] = stat_std(&fvu);
    q->n++;
}

/* The sparsity-fidelity frontier the dictionary-learning papers compare
 * models by: fvu against l0 (log x), every grid point, one line per
 * mechanism (TopK, L1, KL, ...) and setting of the other axes. */
static int frontier_plot(const char *dir, const SaeSweepConfig *c, const SaeRows *r, const size_t *at, SaeError *e)
{
    const int l0 = sae_rows_col(r, "l0"), fvu = sae_rows_col(r, "fvu");
    if (l0 < 0 || fvu < 0 || !has_values(r, l0) || !has_values(r, fvu))
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
static int write_plots(const SaeSweepConfig *c, const char *dir, const SaeRows *r, const size_t *at, SaeError *e)
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

int sae_report_write(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r, SaeError *e)
{
    size_t *at = sae_sweep_row_index(c, r);
    if (!at)
        return sae_fail(e, "out of memory");
    const int rc = write_summary(dir, config_path, c, r, at, e) || write_plots(c, dir, r, at, e) ? -1 : 0;
    free(at);
    return rc;
}
