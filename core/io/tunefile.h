/*
 * The tune file: what `saebench tune` measured fastest on this CPU (the
 * GEMM tile and cache blocks per SIMD level), kept as a small text file
 * (as FFTW keeps its wisdom) and read at start-up. One file per CPU identity and
 * kernel build (its version and compiled tiles), under
 * $XDG_CACHE_HOME/saebench/ (~/.cache/saebench/ when unset), so machines
 * sharing a home directory, and builds with other kernels, keep their own:
 *
 *   # saebench tune file (saebench tune): ...
 *   saebench-tune 1
 *   cpu AuthenticAMD family 23 model 49 stepping 0, AMD EPYC 7B12
 *   kernels 1 scalar avx2_4x16 avx2_6x16 avx512_8x32 avx512_12x32 avx512_14x32
 *   avx2 avx2_6x16 kc=256 mc=168 nc=4096
 *   avx512 avx512_14x32 kc=384 mc=84 nc=4096
 *
 * A file whose cpu or kernels line differs from this build on this CPU is
 * stale; one that does not parse is corrupt. Either is ignored with a
 * warning naming the file and line. SAE_TUNE_FILE=off (or
 * --no-tune-file; the old spellings SAE_WISDOM=off and --no-wisdom too)
 * ignores the file altogether.
 */
#ifndef SAE_CORE_IO_TUNEFILE_H
#define SAE_CORE_IO_TUNEFILE_H

#include <stddef.h>

#include "core/error.h"
#include "kernels/tuning.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The tune file's path for this CPU. Returns -1 when neither
 * XDG_CACHE_HOME nor HOME is set (or the path does not fit). */
int sae_tunefile_path(char *buf, size_t len, SaeError *e);

/* Whether tune files are read: neither SAE_TUNE_FILE nor SAE_WISDOM is
 * "off". */
int sae_tunefile_enabled(void);

/* The key lines this build on this CPU writes and expects ("cpu ...",
 * "kernels ..."), without newlines. */
void sae_tunefile_key(char *cpu, size_t cpulen, char *kernels, size_t kernlen);

/* Reads path over t: each level the file names replaces t's choice, with
 * source "tune file". Returns 1 when applied, 0 when there is no file, -1
 * when it is stale or corrupt (t unchanged; e says why, with the line). */
int sae_tunefile_load(const char *path, SaeTuning *t, SaeError *e);

/* Writes t's SIMD levels to path atomically (creating its directory).
 * Returns 0 or -1 with e set. */
int sae_tunefile_save(const char *path, const SaeTuning *t, SaeError *e);

#ifdef __cplusplus
}
#endif

#endif
