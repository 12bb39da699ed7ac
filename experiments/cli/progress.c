#include <stdio.h>
#include <unistd.h>

#include "core/clock.h"
#include "experiments/cli/progress.h"


void sae_progress_init(SaeProgress *p, const char *unit)
{
    p->tty = isatty(fileno(stderr));
    p->start = sae_now();
    p->last_draw = 0;
    p->unit = unit;
    p->drawn = 0;
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
    const double elapsed = now - p->start;
    const double eta = done ? elapsed * (double)(total - done) / (double)done : 0;
    fprintf(stderr, "\r\033[K%s %u/%u  loss %.6g  %.1fs elapsed, ETA %.1fs", p->unit, done, total, loss,
            elapsed, eta);
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
