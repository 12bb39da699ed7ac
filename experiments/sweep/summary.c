/* The report of a sweep, rebuilt from its rows: summary.md and the SVG
 * plots (report_parts.h). */
#include <stdlib.h>

#include "experiments/sweep/report_parts.h"
#include "experiments/sweep/run.h"
#include "experiments/sweep/summary.h"

int sae_report_write(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r, SaeError *e)
{
    size_t *at = sae_sweep_row_index(c, r);
    if (!at)
        return sae_fail(e, "out of memory");
    const int rc = sae_summary_md_write(dir, config_path, c, r, at, e) || sae_plots_write(c, dir, r, at, e) ? -1 : 0;
    free(at);
    return rc;
}
