/*
 * The result table of a sweep: one row per run, one column per setting
 * (every train option, resolved) and per metric. Rows are appended to
 * results.csv and results.jsonl as whole lines, each with a single write
 * and an fsync, so an interrupted sweep leaves valid files; --resume reads
 * results.csv back (a torn last line is cut off) and skips the run ids it
 * holds. The report (summary.md and the SVG plots) is rebuilt from the rows.
 */
#ifndef SAE_EXPERIMENTS_SWEEP_RESULTS_H
#define SAE_EXPERIMENTS_SWEEP_RESULTS_H

#include <stddef.h>

#include "core/error.h"
#include "experiments/sweep/sweep_config.h"

typedef struct SaeRows {
    size_t n_cols;
    char **names; /* the header */
    char ***rows; /* rows[r][c], "" for an absent value */
    size_t n_rows, cap;
    int migrated; /* loaded from a file that lacked some columns: rewrite it before appending */
} SaeRows;

/* The header: settings then metrics (the timing columns last). */
void sae_rows_init(SaeRows *r);
void sae_rows_free(SaeRows *r);
/* Index of a column by name, or -1. */
int sae_rows_col(const SaeRows *r, const char *name);
/* Index of a setting's column by its option name ("data-dir" is the
 * column data_dir), or -1. */
int sae_rows_setting_col(const SaeRows *r, const char *option);
/* Adds a row (copies the values, n_cols of them). */
int sae_rows_add(SaeRows *r, char *const *vals);

/* Reads results.csv (path) into r; cuts a torn last line off the file. A
 * missing file is an empty table. A file written before some of this
 * build's columns existed loads by column name: a missing setting gets
 * its default (what those runs used), a missing metric "", and
 * r->migrated is set; a column this build does not know is an error. */
int sae_rows_load(const char *path, SaeRows *r, SaeError *e);
/* The parsing part of sae_rows_load: len bytes of whole lines (text, each
 * ending in '\n') whose first is a header; path names them in errors. */
int sae_rows_parse(const char *path, const char *text, size_t len, SaeRows *r, SaeError *e);

/* Appends one row to results.csv (writing the header when the file is new)
 * and to results.jsonl in dir. */
int sae_rows_append(const char *dir, const SaeRows *r, char *const *vals, SaeError *e);

/* Writes results.csv (header and every row) and results.jsonl in dir,
 * each atomically: the merged table of sharded sweeps. */
int sae_rows_write(const char *dir, const SaeRows *r, SaeError *e);

/* Rewrites results.jsonl from the rows (on resume: a run killed between
 * its two appends leaves the files one line apart; the CSV is the record). */
int sae_rows_rewrite_jsonl(const char *dir, const SaeRows *r, SaeError *e);

/* Whether s is a number as a whole ("" is not). */
int sae_is_number(const char *s);

#endif
