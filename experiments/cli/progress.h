/* A one-line progress display with ETA, on stderr, only when stderr is a
 * terminal (scripts and logs get nothing from it). */
#ifndef SAE_PROGRESS_H
#define SAE_PROGRESS_H

#include "core/clock.h"

typedef struct SaeProgress {
    int tty;
    double start, last_draw;
    const char *unit; /* "epoch" or "iter" */
    int drawn;
} SaeProgress;

void sae_progress_init(SaeProgress *p, const char *unit);
/* Matches the progress callback of SaeTrainOpts (ctx is a SaeProgress). */
void sae_progress_update(void *ctx, unsigned done, unsigned total, double loss);
/* Erases the line if one was drawn. */
void sae_progress_done(SaeProgress *p);

#endif
