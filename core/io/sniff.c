/* Telling the formats apart by their first bytes. */
#include <stdint.h>
#include <string.h>

#include "core/error.h"
#include "core/io/npy.h"
#include "core/io/sniff.h"
#include "core/safe_alloc.h"

static size_t be32(const unsigned char *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | (size_t)p[3];
}

SaeSniff sae_sniff(const unsigned char *b, size_t n)
{
    if (n >= 4 && !memcmp(b, "\x93NUM", 4))
        return SAE_SNIFF_NPY;
    if (n >= 2 && b[0] == 0 && b[1] == 0)
        return SAE_SNIFF_IDX;
    if (n >= 2 && b[0] == 'P' && b[1] >= '1' && b[1] <= '6')
        return SAE_SNIFF_PNM;
    if (n >= 4 && !memcmp(b, "PK\3\4", 4))
        return SAE_SNIFF_ZIP;
    return SAE_SNIFF_TEXT;
}

int sae_sniff_binary(const unsigned char *b, size_t n)
{
    return (n >= 4 && !memcmp(b, "PK\3\4", 4)) || (n >= 2 && b[0] == 'P' && b[1] >= '4' && b[1] <= '6') ||
           (n >= 3 && !b[0] && !b[1] && b[2] == 0x08) || (n >= 6 && !memcmp(b, "\x93NUMPY", 6));
}

size_t sae_sniff_declared_size(const unsigned char *b, size_t n)
{
    SaeNpy a;
    SaeError ignored;
    size_t off;
    if (n >= 6 && !memcmp(b, "\x93NUMPY", 6)) /* the header checks off + bytes for overflow */
        return sae_npy_header(b, n, "", &a, &off, &ignored) ? 0 : off + a.bytes;
    return sae_idx_size(b, n);
}

/* The IDX header: magic 0 0 type ndim, then ndim big-endian sizes. */
size_t sae_idx_size(const unsigned char *b, size_t n)
{
    if (n < 4 || b[0] || b[1] || b[2] != 0x08 || b[3] < 1 || b[3] > 4 || n < 4 + 4 * (size_t)b[3])
        return 0;
    size_t total = 1;
    for (int i = 0; i < b[3]; i++)
        if (sae_mul_overflow(total, be32(b + 4 + 4 * i), &total))
            return 0;
    return sae_add_overflow(total, 4 + 4 * (size_t)b[3], &total) ? 0 : total;
}
