/*
 * Error reports for bad input: one line naming the file, the place in it
 * (line, offset, row) and what was expected. Loaders fill a SaeError and
 * return -1; the CLI prints the line and exits 1.
 */
#ifndef SAE_CORE_ERROR_H
#define SAE_CORE_ERROR_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct SaeError {
    char msg[512];
} SaeError;

/* printf-style; always returns -1 so that `return sae_fail(e, ...)` reads. */
int sae_fail(SaeError *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The name among names[0..n) nearest to s by edit distance, when it is
 * close enough to be a misspelling (at most a third of its length, at
 * least 1, apart); else NULL. For "did you mean" in messages. */
const char *sae_nearest(const char *s, const char *const *names, size_t n);

#ifdef __cplusplus
}
#endif

#endif
