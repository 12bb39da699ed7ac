/* summary.md: the baselines and one line per grid point, mean ± sd over
 * the replicates, then the paired comparisons. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/fileio.h"
#include "core/metrics.h"
#include "experiments/sweep/report_parts.h"

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

/* The baselines every run is read against. */
static void write_baselines(FILE *f, const SaeRows *r)
{
    fputs("## Baselines\n\n", f);
    const double cr = sae_col_mean(r, "const_recon");
    if (isfinite(cr))
        fprintf(f,
                "- **Constant output** (a code that carries no information: the decoder's best constant, the "
                "training rows' mean clamped to its range): recon held-out %.4g. A run near it has learnt "
                "nothing about the inputs.\n",
                cr);
    const double raw = sae_col_mean(r, "raw_probe_acc");
    if (isfinite(raw))
        fprintf(f,
                "- **Raw-input probe** (the same softmax probe, its λ chosen on validation rows as for the "
                "codes, λ = %.3g): accuracy %.4f ± %.4f (binomial SE on the held-out rows).\n",
                sae_col_mean(r, "raw_probe_lambda"), raw, sae_col_mean(r, "raw_probe_acc_se"));
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
static void put_interval(FILE *f, const SaeStat *d)
{
    if (!d->n)
        fputs(" — |", f);
    else if (d->n == 1)
        fprintf(f, " %+.4g |", sae_stat_mean(d));
    else
        fprintf(f, " %+.4g ± %.2g |", sae_stat_mean(d), sae_t975(d->n - 1) * sae_stat_std(d) / sqrt((double)d->n));
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
        if (vs[nv][0] >= 0 && vs[nv][1] >= 0 && sae_col_has_values(r, vs[nv][0]) && sae_col_has_values(r, vs[nv][1]))
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
        SaeStat st[N_METRICS] = { { 0 } }, se = { 0 }, d[N_VS] = { { 0 } };
        size_t runs = 0;
        for (size_t k = 0; k < sae_sweep_replicates(c); k++) {
            const char *const *row = sae_row_at(r, at, idx + k);
            if (!row)
                continue;
            runs++;
            for (size_t m = 0; m < nm; m++) sae_stat_add(&st[m], row[cols[m]]);
            if (pse >= 0)
                sae_stat_add(&se, row[pse]);
            for (size_t v = 0; v < nv; v++)
                if (sae_is_number(row[vs[v][0]]) && sae_is_number(row[vs[v][1]]))
                    sae_stat_push(&d[v], strtod(row[vs[v][0]], NULL) - strtod(row[vs[v][1]], NULL));
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
                fprintf(f, " %.4g ± %.2g", sae_stat_mean(&st[m]), sae_stat_std(&st[m]));
            else
                fprintf(f, " %.4g", sae_stat_mean(&st[m]));
            if (st[m].n && !strcmp(which[m]->col, "probe_acc") && se.n)
                fprintf(f, " (SE %.2g)", sae_stat_mean(&se));
            if (st[m].n)
                fputs(" |", f);
        }
        for (size_t v = 0; v < nv; v++) put_interval(f, &d[v]);
        fputc('\n', f);
    }
}

int sae_summary_md_write(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r,
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
    sae_comparisons_write(f, ac.f, c, r, at);
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
