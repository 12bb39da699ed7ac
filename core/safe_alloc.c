#include <stdlib.h>

#include "core/safe_alloc.h"

void *sae_alloc_array(size_t count, size_t size)
{
    size_t bytes;
    if (sae_mul_overflow(count, size, &bytes))
        return NULL;
    return malloc(bytes ? bytes : 1);
}
