/* What every saebench command ends with: its exit code, and on failure
 * one line on stderr naming the command. */
#ifndef SAE_EXPERIMENTS_COMMON_ERRORS_H
#define SAE_EXPERIMENTS_COMMON_ERRORS_H

enum {
    SAE_EXIT_OK = 0,
    SAE_EXIT_INPUT = 1,    /* bad input file or data */
    SAE_EXIT_USAGE = 2,    /* bad flags or values */
    SAE_EXIT_DIVERGED = 3, /* the objective became NaN/Inf */
    SAE_EXIT_INTERRUPTED = 130,
};

/* Prints "saebench CMD: msg" on stderr and returns code. */
int sae_cli_error(const char *cmd, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
