/*
 * What a file's first bytes say it is: the one place the formats are told
 * apart (core/io/FORMATS.md, "Errors and limits": the format is the file's
 * first bytes, not its name), for the loaders and for gzip inflation.
 */
#ifndef SAE_CORE_IO_SNIFF_H
#define SAE_CORE_IO_SNIFF_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SAE_SNIFF_TEXT, /* anything else: CSV */
    SAE_SNIFF_NPY,  /* \x93NUM */
    SAE_SNIFF_IDX,  /* 00 00 */
    SAE_SNIFF_PNM,  /* P1 ... P6 */
    SAE_SNIFF_ZIP,  /* PK 03 04 */
} SaeSniff;

/* The format the first n bytes of a file claim. */
SaeSniff sae_sniff(const unsigned char *b, size_t n);

/* Whether the start claims a binary format whose bytes may be NUL: ZIP
 * (.npz), PGM P4-P6, unsigned-byte IDX, .npy (a text file may not). */
int sae_sniff_binary(const unsigned char *b, size_t n);

/* The whole file size the header at the start (n bytes of the file)
 * declares, .npy or IDX; 0 when it declares none or the size overflows. */
size_t sae_sniff_declared_size(const unsigned char *b, size_t n);

/* The file size an unsigned-byte IDX header at the start of b (n bytes of
 * the file) declares, header included; 0 when b starts no such header or
 * the size overflows. */
size_t sae_idx_size(const unsigned char *b, size_t n);

#ifdef __cplusplus
}
#endif

#endif
