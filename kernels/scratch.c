#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#include "kernels/scratch.h"

typedef struct Block {
    struct Block *next;
    unsigned char pad[56]; /* the payload starts 64 bytes in: aligned */
} Block;

static _Atomic(Block *) blocks;

void *sae_scratch_alloc(size_t bytes)
{
    if (bytes > SIZE_MAX - 2 * sizeof(Block))
        return NULL;
    Block *b = aligned_alloc(64, (sizeof(Block) + bytes + 63) / 64 * 64);
    if (!b)
        return NULL;
    b->next = atomic_load(&blocks);
    while (!atomic_compare_exchange_weak(&blocks, &b->next, b)) {}
    return b + 1;
}
