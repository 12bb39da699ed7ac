/* The commands of experiments/sweep/: sweep (a grid, in one process, as
 * shards or across MPI ranks) and merge (shards into one result folder). */
#ifndef SAE_EXPERIMENTS_SWEEP_COMMANDS_H
#define SAE_EXPERIMENTS_SWEEP_COMMANDS_H

int sae_cmd_sweep(int argc, char **argv);
int sae_cmd_merge(int argc, char **argv);

#endif
