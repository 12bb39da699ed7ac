/* The paired comparisons of a sweep: every value of every axis against
 * the axis's first, the other settings equal, paired by replicate. */
#include <stdio.h>
#include <string.h>

#include "experiments/sweep/report_parts.h"

/* The metrics a comparison reports. */
static const char *const compared[] = { "recon_per_sample", "probe_acc", "rho_mean", "jac_norm", "fvu", "dead_frac" };
enum { N_COMPARED = sizeof compared / sizeof *compared, MAX_CELL_LINES = 24 };

static const char *verdict(SaePaired p)
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
        if (sae_sweep_point(c, sae_grid_index(c, vidx, 0), &s, &na, &e) != 1)
            break;
        for (size_t b = 0; b < c->n_axes; b++)
            if (na >> b & 1)
                vidx[b] = 0;
    }
    return sae_grid_index(c, vidx, 0);
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
        SaeStat per_rep[64] = { { 0 } };
        size_t cells = 0;
        for (size_t idx = 0; idx < sae_sweep_size(c); idx += step) {
            if (!compared_point(c, idx, a, v, &na))
                continue;
            SaeStat d = { 0 };
            sae_paired_diffs(c, r, at, idx, reference_of(c, idx, a), col, &d, per_rep);
            if (!d.n)
                continue;
            const SaePaired p = sae_paired_interval(&d);
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
        SaeStat mean_of_rep = { 0 };
        for (size_t k = 0; k < step && k < 64; k++)
            if (per_rep[k].n)
                sae_stat_push(&mean_of_rep, sae_stat_mean(&per_rep[k]));
        const SaePaired p = sae_paired_interval(&mean_of_rep);
        fprintf(f, "| %s | %zu | %+.4g | ± %.2g | %zu | %s |\n", ax->values[v], cells, p.mean, p.half, p.n, verdict(p));
    }
}

/* SaePaired comparisons over replicates: every value of every axis against
 * the axis's first value, at the same other settings, into
 * comparisons.csv and summary.md. */
void sae_comparisons_write(FILE *f, FILE *csv, const SaeSweepConfig *c, const SaeRows *r, const size_t *at)
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
            if (col >= 0 && sae_col_has_values(r, col))
                compare_axis(f, csv, c, r, at, a, compared[mi], col, mi < 2);
        }
}
