#include <stdio.h>
#include <unistd.h>

#include "core/clock.h"
#include "experiments/common/progress.h"

void sae_progress_init(SaeProgress *p, const char *unit)
{
    *p = (SaeProgress){ .tty = isatty(fileno(stderr)), .start = sae_now(), .unit = unit };
}

/* The ETA of the sweep: the runs left, at the pace of this invocation. */
static double sweep_eta(const SaeProgress *p, double now, unsigned done, unsigned total)
{
    const double frac =
        ((double)(p->run - p->done_before) + (double)done / (double)total) / (double)(p->runs - p->done_before);
    return frac > 0 ? (now - p->start) * (1 - frac) / frac : 0;
}

void sae_progress_update(void *ctx, unsigned done, unsigned total, double loss)
{
    SaeProgress *p = ctx;
    if (!p->tty)
        return;
    const double now = sae_now();
    if (now - p->last_draw < 0.1 && done < total)
        return; /* at most ten redraws a second */
    p->last_draw = now;
    if (p->runs) {
        fprintf(stderr, "\r\033[K[run %zu/%zu] %s | %s %u/%u loss %.5g | sweep ETA %.0fs", p->run + 1, p->runs,
                p->label, p->unit, done, total, loss, sweep_eta(p, now, done, total));
    } else {
        const double elapsed = now - p->start;
        const double eta = done ? elapsed * (double)(total - done) / (double)done : 0;
        fprintf(stderr, "\r\033[K%s %u/%u  loss %.6g  %.1fs elapsed, ETA %.1fs", p->unit, done, total, loss, elapsed,
                eta);
    }
    fflush(stderr);
    p->drawn = 1;
}

void sae_progress_done(SaeProgress *p)
{
    if (p->drawn)
        fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = 0;
}
