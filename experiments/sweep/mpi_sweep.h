/*
 * A sweep across the ranks of mpirun (or srun): rank 0 owns the output
 * folder and hands out the pending runs one at a time (a rank asks for the
 * next when it finishes one, so a slow run or node holds nobody up); every
 * rank, rank 0 included, trains. Rank 0 alone appends rows to results.csv
 * and results.jsonl (the single-process format, one fsync'd line per run),
 * the per-run PNG mosaics (a rank sends those it made, so the output
 * folder needs no shared file system) and the report.
 * Rank 0's coordination is a thread that polls for messages between
 * sleeps, so it costs rank 0's trainings almost nothing.
 */
#ifndef SAE_EXPERIMENTS_SWEEP_MPI_SWEEP_H
#define SAE_EXPERIMENTS_SWEEP_MPI_SWEEP_H

#include <stddef.h>

#include "core/error.h"
#include "experiments/sweep/results.h"
#include "experiments/sweep/run.h"

/* The rank count the launcher's environment announces (Open MPI's
 * OMPI_COMM_WORLD_SIZE, MPICH's PMI_SIZE), or 1: lets a build without MPI
 * refuse to run as N copies writing the same files. */
int sae_mpi_launched_size(void);

/* MPI_Init (threads serialized) when built with MPI and launched as ranks;
 * *rank and *size get this process's place (0 and 1 otherwise). */
int sae_mpi_start(int *argc, char ***argv, int *rank, int *size, SaeError *e);
void sae_mpi_stop(void);

/* Rank 0, when it ends before handing out any run (a usage error, an
 * existing folder without --resume): tells every other rank to stop. */
void sae_mpi_release(void);

/* This process's rank (0 outside MPI), for the result rows. */
int sae_mpi_rank(void);

/* Rank 0: runs grid points pending[0..n) across every rank, appending
 * each finished row to sw->dir's files and to rows. *ran counts them.
 * Other ranks: train what rank 0 sends until it says stop. Returns 0, or
 * -1 with e set (a run's error ends the sweep). */
int sae_mpi_sweep(SaeSweep *sw, SaeRows *rows, const size_t *pending, size_t n, size_t *ran, SaeError *e);

#endif
