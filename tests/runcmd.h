/* Runs the saebench binary of the build (SAEBENCH_EXE) as scripts do, and
 * captures its exit status and output. */
#ifndef SAE_TESTS_RUNCMD_H
#define SAE_TESTS_RUNCMD_H

#include <stddef.h>
#include <sys/types.h>

typedef struct Run {
    int code; /* exit status, or 128 + signal */
    char out[1 << 16], err[1 << 14];
} Run;

/* saebench with the NULL-terminated arguments; waits for it. The result
 * lives until the next call. */
Run *run(const char *first, ...);

/* Runs of run() from now on get an address-space limit (RLIMIT_AS) of
 * bytes (0: none): a memory bomb must end in a clean error. */
void run_limit_memory(size_t bytes);

/* Starts saebench in the background (output discarded); returns its pid. */
pid_t run_async(const char *const *argv_after_exe);

/* The same with a launcher: prefix (NULL-terminated, prefix[0] the program
 * run, e.g. mpirun and its flags and saebench) before the arguments. */
pid_t run_async_with(const char *const *prefix, const char *const *args);

/* Waits for pid; its exit status, or 128 + signal. */
int wait_status(pid_t pid);

#endif
