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
