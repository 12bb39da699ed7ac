/* The statistics of a sweep's report: running sums and Student's t. */
#include <math.h>
#include <stdlib.h>

#include "experiments/sweep/report_parts.h"

void sae_stat_push(SaeStat *s, double x)
{
    if (!isfinite(x))
        return;
    s->sum += x;
    s->sq += x * x;
    s->n++;
}

void sae_stat_add(SaeStat *s, const char *v)
{
    if (sae_is_number(v))
        sae_stat_push(s, strtod(v, NULL));
}

double sae_stat_mean(const SaeStat *s) { return s->n ? s->sum / (double)s->n : NAN; }

double sae_stat_std(const SaeStat *s)
{
    if (s->n < 2)
        return 0;
    const double m = sae_stat_mean(s), v = (s->sq - (double)s->n * m * m) / (double)(s->n - 1);
    return v > 0 ? sqrt(v) : 0;
}

/* 0.975 quantiles of Student's t for 1..30 degrees of freedom (then the
 * normal's 1.96): the half-width of a 95 % interval is t sd / sqrt(n). */
double sae_t975(size_t df)
{
    static const double t[] = { 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042 };
    return df == 0 ? NAN : df <= 30 ? t[df - 1] : 1.96;
}

SaePaired sae_paired_interval(const SaeStat *d)
{
    return (SaePaired){ sae_stat_mean(d), d->n > 1 ? sae_t975(d->n - 1) * sae_stat_std(d) / sqrt((double)d->n) : NAN,
                        d->n };
}
