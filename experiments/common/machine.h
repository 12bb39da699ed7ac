/* What a command asks of the machine it runs on: how many threads to use,
 * and how much memory it took. */
#ifndef SAE_EXPERIMENTS_COMMON_MACHINE_H
#define SAE_EXPERIMENTS_COMMON_MACHINE_H

/* The thread count when --threads is not given: OMP_NUM_THREADS if set,
 * else sae_threads_for_load of the cores and the 1-minute load average:
 * the cores it leaves idle, at least 1. */
int sae_cli_default_threads(void);
int sae_threads_for_load(int cores, double load);

/* The process's peak resident set so far, in bytes (-1 when unknown),
 * reported by --json as peak_rss_bytes. */
long long sae_peak_rss_bytes(void);

#endif
