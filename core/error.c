#include <string.h>
#include <stdarg.h>
#include <stdio.h>

#include "core/error.h"

int sae_fail(SaeError *e, const char *fmt, ...)
{
    if (e) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->msg, sizeof e->msg, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* Levenshtein distance of two short strings (longer ones: SIZE_MAX). */
static size_t edit_distance(const char *a, const char *b)
{
    enum { MAX = 64 };
    const size_t la = strlen(a), lb = strlen(b);
    if (la >= MAX || lb >= MAX)
        return (size_t)-1;
    size_t row[MAX + 1];
    for (size_t j = 0; j <= lb; j++) row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            const size_t up = row[j], sub = diag + (a[i - 1] != b[j - 1]);
            const size_t del = up + 1, ins = row[j - 1] + 1;
            row[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
            diag = up;
        }
    }
    return row[lb];
}

const char *sae_nearest(const char *s, const char *const *names, size_t n)
{
    const char *best = NULL;
    size_t bd = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        const size_t d = edit_distance(s, names[i]);
        if (d < bd) {
            bd = d;
            best = names[i];
        }
    }
    const size_t limit = strlen(s) / 3 > 1 ? strlen(s) / 3 : 1;
    return bd <= limit ? best : NULL;
}
