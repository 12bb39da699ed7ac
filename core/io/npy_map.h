/*
 * A data set's rows read from an .npy file through a read-only map, so
 * that only the rows asked for are ever touched: --offset and --limit on a
 * file far larger than memory cost what those rows weigh. The file may
 * change under the map: a file that shrinks while its rows are read is an
 * error naming it and the offset reached, never a SIGBUS (the pass runs
 * with a SIGBUS handler that jumps out of it).
 */
#ifndef SAE_CORE_IO_NPY_MAP_H
#define SAE_CORE_IO_NPY_MAP_H

#include <stddef.h>
#include <sys/stat.h>

#include "core/error.h"
#include "core/io/dataset.h"
#include "core/io/npy.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Returned when path is not an uncompressed .npy regular file: the caller
 * reads it whole the usual way (gzip, other formats, pipes). */
#define SAE_NPY_MAP_NOT_NPY 1

/* Rows [offset, offset + limit) of the 2-D .npy file at path (limit 0:
 * to the last row; fewer when the file ends first) into d: as float when
 * f32 and the file holds float32 or bytes (float32 then copied as it is),
 * else as double.
 * offset past the last row is an error. 0, SAE_NPY_MAP_NOT_NPY, or -1
 * with e set (d then empty). A progress line goes to stderr when it is a
 * terminal and the rows are large. */
int sae_npy_map_rows(const char *path, size_t offset, size_t limit, int f32, SaeData *d, SaeError *e);

/* One .npy file, mapped whole read-only, its header parsed and checked as
 * a data set's: the steps of the functions above, for the folder loader
 * and the tests. open returns SAE_NPY_MAP_NOT_NPY (nothing left open), 0,
 * or -1 with e set; copy puts rows [r0, r0 + rows) into d's rows from
 * `at` under the SIGBUS guard, then checks the file's size and mtime
 * again; close unmaps what is still mapped. */
typedef struct SaeNpyMap {
    const char *path;
    int fd;
    struct stat st;
    void *map;
    size_t size;
    SaeNpy a;
} SaeNpyMap;
int sae_npy_map_open(const char *path, SaeNpyMap *f, SaeError *e);
int sae_npy_map_copy(SaeNpyMap *f, size_t r0, size_t rows, SaeData *d, size_t at, SaeError *e);
void sae_npy_map_close(SaeNpyMap *f);

/* Returned by sae_npy_map_stream when the rows fit the budget: the caller
 * reads them into memory (sae_npy_map_rows). */
#define SAE_NPY_MAP_FITS 2

/* Rows [offset, offset + limit) of the .npy file at path, streamed when
 * they take more than budget bytes in the run's type (f32: float, else
 * double): d's rows are then the file's own, read in place from a
 * read-only map (C order, and the run's dtype, or an error says why),
 * checked finite in one pass, in chunks that fill a quarter of the budget
 * per window of 8 (d->chunk, d->window; core/MODEL.md §7 [stream]). From
 * then on the process exits with a one-line error if the file shrinks
 * under the map. SAE_NPY_MAP_NOT_NPY, SAE_NPY_MAP_FITS, 0, or -1. */
int sae_npy_map_stream(const char *path, size_t offset, size_t limit, int f32, size_t budget, SaeData *d, SaeError *e);

/* The most shards a folder may hold. */
#define SAE_MAX_SHARDS 65536

/* sae_npy_map_rows over a folder of .npy shards, their rows end to end in
 * the order of the sorted file names: the same columns and dtype in every
 * shard (the first one named in the error otherwise), and nothing but .npy
 * files in the folder. Every header is read before any row; rows that
 * take more than budget bytes (0: no limit) are an error (a folder is not
 * streamed). Returns
 * SAE_NPY_MAP_NOT_NPY when the folder holds no .npy file at all (the
 * caller tries it as a folder of images). */
int sae_npy_map_folder(const char *dir, size_t offset, size_t limit, int f32, size_t budget, SaeData *d, SaeError *e);

#ifdef __cplusplus
}
#endif

#endif
