/* The grid's rows as the report reads them: which run a grid point is,
 * the numbers in a column, paired differences between two points. */
#include <stdlib.h>

#include "experiments/sweep/report_parts.h"

int sae_col_has_values(const SaeRows *r, int col)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (sae_is_number(r->rows[i][col]))
            return 1;
    return 0;
}

/* The row of the run at grid point idx (NULL when it did not run); at is
 * sae_sweep_row_index's. */
const char *const *sae_row_at(const SaeRows *r, const size_t *at, size_t idx)
{
    return at[idx] < r->n_rows ? (const char *const *)r->rows[at[idx]] : NULL;
}

/* The grid index of the value indices vidx and seed seed_i. */
size_t sae_grid_index(const SaeSweepConfig *c, const size_t *vidx, size_t seed_i)
{
    size_t idx = 0;
    for (size_t a = 0; a < c->n_axes; a++) idx = idx * c->axes[a].n + vidx[a];
    return idx * sae_sweep_replicates(c) + seed_i;
}

/* The mean of a column over the rows where it is a number. */
double sae_col_mean(const SaeRows *r, const char *name)
{
    const int col = sae_rows_col(r, name);
    SaeStat s = { 0 };
    for (size_t i = 0; i < r->n_rows && col >= 0; i++) sae_stat_add(&s, r->rows[i][col]);
    return sae_stat_mean(&s);
}

/* The differences of column col between the runs of points idx and ref,
 * replicate by replicate: into d, and each also into per_rep[k] (k < 64). */
void sae_paired_diffs(const SaeSweepConfig *c, const SaeRows *r, const size_t *at, size_t idx, size_t ref, int col,
                      SaeStat *d, SaeStat *per_rep)
{
    for (size_t k = 0; k < sae_sweep_replicates(c); k++) {
        const char *const *x = sae_row_at(r, at, idx + k), *const *y = sae_row_at(r, at, ref + k);
        if (!x || !y || !sae_is_number(x[col]) || !sae_is_number(y[col]))
            continue;
        const double diff = strtod(x[col], NULL) - strtod(y[col], NULL);
        sae_stat_push(d, diff);
        if (k < 64)
            sae_stat_push(&per_rep[k], diff);
    }
}
