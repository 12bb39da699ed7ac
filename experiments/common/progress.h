/* The one-line progress display with ETA, on stderr, only when stderr is a
 * terminal (scripts and logs get nothing from it). One training shows
 *     epoch 12/100  loss 0.41  1.2s elapsed, ETA 8.8s
 * and a sweep shows the run it is in, with the ETA of the whole sweep:
 *     [run 3/162] hidden=25 seed=1 | epoch 12/100 loss 0.41 | sweep ETA 30s */
#ifndef SAE_EXPERIMENTS_COMMON_PROGRESS_H
#define SAE_EXPERIMENTS_COMMON_PROGRESS_H

#include <stddef.h>

typedef struct SaeProgress {
    int tty;
    double start, last_draw;
    const char *unit; /* "epoch" or "iter" */
    int drawn;
    /* a sweep (runs > 0): run `run` (0-based) of `runs`, the first
     * `done_before` of which were done before this invocation */
    size_t run, runs, done_before;
    char label[256]; /* the run's axis values */
} SaeProgress;

void sae_progress_init(SaeProgress *p, const char *unit);
/* Matches the progress callback of SaeTrainOpts (ctx is a SaeProgress). */
void sae_progress_update(void *ctx, unsigned done, unsigned total, double loss);
/* Erases the line if one was drawn. */
void sae_progress_done(SaeProgress *p);

#endif
