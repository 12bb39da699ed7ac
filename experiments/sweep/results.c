#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "core/io/fileio.h"
#include "core/metrics.h"
#include "experiments/report/json.h"
#include "experiments/sweep/results.h"

/* The metric columns, after the settings; the last five (timings, then
 * the host and MPI rank a run ran on) are the only columns that differ
 * between two runs of the same settings. */
static const char *const metric_cols[] = {
    "run_id",
    "status",
    "stop_reason",
    "epochs_done",
    "iterations",
    "fevals",
    "train_loss",
    "train_dead_frac",
    "resampled",
    "eval_rows",
#define METRIC_NAME(name) #name,
#define TERM_NAMES(term, weight) #term "_weighted", #term "_unweighted",
    "objective",
    "recon",
    SAE_PENALTIES(TERM_NAMES) SAE_METRIC_FIELDS(METRIC_NAME) "train_recon_per_sample",
    "const_recon",
    "probe_acc",
    "probe_acc_se",
    "probe_lambda",
    "probe_train_acc",
    "raw_probe_acc",
    "raw_probe_acc_se",
    "raw_probe_lambda",
    "isa",
    "gemm_kernel",
    "saebench_version",
    "git_revision",
    "seconds",
    "seconds_per_epoch",
    "samples_per_s",
    "host",
    "rank",
};

/* A setting's column name: its option name with '_' for '-' (names pandas
 * can use as attributes). */
static void column_name(const char *option, char *out, size_t len)
{
    snprintf(out, len, "%s", option);
    for (char *p = out; *p; p++)
        if (*p == '-')
            *p = '_';
}

void sae_rows_init(SaeRows *r)
{
    memset(r, 0, sizeof *r);
    const size_t n_metrics = sizeof metric_cols / sizeof *metric_cols;
    r->names = calloc(sae_option_count() + n_metrics, sizeof(char *));
    for (size_t i = 0; i < sae_option_count(); i++) {
        if (!sae_option_is_setting(i))
            continue;
        char name[64];
        column_name(sae_option_name(i), name, sizeof name);
        r->names[r->n_cols++] = strdup(name);
    }
    for (size_t i = 0; i < n_metrics; i++) r->names[r->n_cols++] = strdup(metric_cols[i]);
}

void sae_rows_free(SaeRows *r)
{
    for (size_t i = 0; i < r->n_rows; i++) {
        for (size_t c = 0; c < r->n_cols; c++) free(r->rows[i][c]);
        free(r->rows[i]);
    }
    for (size_t c = 0; c < r->n_cols; c++) free(r->names[c]);
    free(r->names);
    free(r->rows);
    memset(r, 0, sizeof *r);
}

int sae_rows_col(const SaeRows *r, const char *name)
{
    for (size_t c = 0; c < r->n_cols; c++)
        if (!strcmp(r->names[c], name))
            return (int)c;
    return -1;
}

int sae_rows_setting_col(const SaeRows *r, const char *option)
{
    char name[64];
    column_name(option, name, sizeof name);
    return sae_rows_col(r, name);
}

int sae_rows_add(SaeRows *r, char *const *vals)
{
    if (r->n_rows == r->cap) {
        const size_t cap = r->cap ? 2 * r->cap : 64;
        char ***nr = realloc(r->rows, cap * sizeof *nr);
        if (!nr)
            return -1;
        r->rows = nr;
        r->cap = cap;
    }
    char **row = calloc(r->n_cols, sizeof(char *));
    if (!row)
        return -1;
    for (size_t c = 0; c < r->n_cols; c++) row[c] = strdup(vals[c] ? vals[c] : "");
    r->rows[r->n_rows++] = row;
    return 0;
}

/* ---- CSV -------------------------------------------------------------- */

static int needs_quotes(const char *s) { return strpbrk(s, ",\"\n\r") != NULL; }

/* One CSV line (with '\n') of n fields, malloc'd. */
static char *csv_line(char *const *vals, size_t n)
{
    size_t len = 2;
    for (size_t c = 0; c < n; c++) len += 2 * strlen(vals[c]) + 3;
    char *out = malloc(len), *p = out;
    if (!out)
        return NULL;
    for (size_t c = 0; c < n; c++) {
        if (c)
            *p++ = ',';
        if (needs_quotes(vals[c])) {
            *p++ = '"';
            for (const char *s = vals[c]; *s; s++) {
                if (*s == '"')
                    *p++ = '"';
                *p++ = *s;
            }
            *p++ = '"';
        } else {
            p += sprintf(p, "%s", vals[c]);
        }
    }
    *p++ = '\n';
    *p = 0;
    return out;
}

/* Splits one CSV line (no newline) into at most max fields. */
static size_t csv_split(const char *line, char **out, size_t max)
{
    size_t n = 0;
    const char *p = line;
    while (n < max) {
        char *f = malloc(strlen(p) + 1), *q = f;
        if (*p == '"') {
            for (p++; *p; p++) {
                if (*p == '"' && p[1] == '"') {
                    *q++ = '"';
                    p++;
                } else if (*p == '"') {
                    p++;
                    break;
                } else
                    *q++ = *p;
            }
        } else {
            while (*p && *p != ',') *q++ = *p++;
        }
        *q = 0;
        out[n++] = f;
        if (*p != ',')
            break;
        p++;
    }
    return n;
}

/* The file's header (names, n of them) against this build's: from[c] is
 * the file's column for column c, or -1 with defaults[c] its value (a
 * setting's default, or ""). */
static int map_columns(SaeRows *r, const char *path, char *const *names, size_t n, int *from, char (*defaults)[64],
                       SaeError *e)
{
    for (size_t f = 0; f < n; f++)
        if (sae_rows_col(r, names[f]) < 0)
            return sae_fail(e,
                            "%s: line 1: column %s is not one of this saebench's (a newer version's?); use a new --out",
                            path, names[f]);
    SaeRunSpec d;
    sae_run_spec_init(&d);
    r->migrated = n != r->n_cols;
    for (size_t c = 0; c < r->n_cols; c++) {
        from[c] = -1;
        for (size_t f = 0; f < n && from[c] < 0; f++)
            if (!strcmp(names[f], r->names[c]))
                from[c] = (int)f;
        r->migrated |= from[c] != (int)c;
        defaults[c][0] = 0;
        for (size_t o = 0; o < sae_option_count() && from[c] < 0; o++)
            if (sae_option_is_setting(o) && sae_rows_setting_col(r, sae_option_name(o)) == (int)c)
                sae_option_format(&d, o, defaults[c], sizeof defaults[c]);
    }
    return 0;
}

int sae_rows_parse(const char *path, const char *buf, size_t len, SaeRows *r, SaeError *e)
{
    if (sae_text_check(path, (const unsigned char *)buf, len, e))
        return -1;
    if (len && buf[len - 1] != '\n')
        return sae_fail(e, "%s: offset %zu: the last line has no newline", path, len);
    char *text = malloc(len + 1);
    if (!text)
        return sae_fail(e, "%s: out of memory", path);
    memcpy(text, buf, len);
    text[len] = 0;
    int rc = 0;
    size_t line = 0, n_file = 0;
    enum { MAX_FILE_COLS = 512 }; /* far past any header this build writes */
    char **fields = calloc(MAX_FILE_COLS, sizeof(char *)), **vals = calloc(r->n_cols, sizeof(char *));
    char(*defaults)[64] = calloc(r->n_cols, sizeof *defaults);
    int *from = calloc(r->n_cols, sizeof(int)); /* this build's column c is the file's from[c], or -1 */
    if (!fields || !vals || !defaults || !from)
        rc = sae_fail(e, "%s: out of memory", path);
    for (char *p = text; *p && !rc;) {
        char *nl = strchr(p, '\n'); /* every line ends with one: checked above */
        *nl = 0;
        line++;
        const size_t n = csv_split(p, fields, MAX_FILE_COLS);
        if (line == 1) {
            n_file = n;
            rc = map_columns(r, path, fields, n, from, defaults, e);
        } else if (n != n_file) {
            rc = sae_fail(e, "%s: line %zu: expected %zu fields, got %zu", path, line, n_file, n);
        } else {
            for (size_t c = 0; c < r->n_cols; c++) vals[c] = from[c] >= 0 ? fields[from[c]] : defaults[c];
            if (sae_rows_add(r, vals))
                rc = sae_fail(e, "%s: out of memory", path);
        }
        for (size_t c = 0; c < n; c++) free(fields[c]);
        p = nl + 1;
    }
    free(fields);
    free(vals);
    free(defaults);
    free(from);
    free(text);
    return rc;
}

int sae_rows_load(const char *path, SaeRows *r, SaeError *e)
{
    if (access(path, F_OK) != 0)
        return errno == ENOENT ? 0 : sae_fail(e, "%s: cannot open: %s", path, strerror(errno));
    unsigned char *text;
    size_t len;
    if (sae_read_file(path, &text, &len, e))
        return -1;
    size_t whole = len; /* the bytes up to the last newline */
    while (whole > 0 && text[whole - 1] != '\n') whole--;
    /* a torn last line (a kill mid-append) is cut; so is a torn header,
     * which leaves an empty file that the next append writes a header to */
    if (whole < len && truncate(path, (off_t)whole) != 0) {
        free(text);
        return sae_fail(e, "%s: cannot cut the torn last line: %s", path, strerror(errno));
    }
    const int rc = sae_rows_parse(path, (const char *)text, whole, r, e);
    free(text);
    return rc;
}

/* Appends one whole line with a single write, then syncs: a row is on
 * disk before the sweep counts it as done. (No unit test can see a
 * missing fsync; tests/mutation/run checks it by counting fsync calls of
 * a sweep under strace.) When the file is empty (new, or its header torn
 * by a full disk) and `header` is given, the header goes first in the same
 * write, so rows never land without one. */
static int append(const char *path, const SaeRows *header, const char *line, SaeError *e)
{
    const int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0)
        return sae_fail(e, "%s: cannot open for appending: %s", path, strerror(errno));
    struct stat st;
    const off_t before = fstat(fd, &st) == 0 ? st.st_size : -1;
    char *hdr = header && before == 0 ? csv_line(header->names, header->n_cols) : NULL;
    struct iovec iov[2] = { { hdr, hdr ? strlen(hdr) : 0 }, { (char *)line, strlen(line) } };
    const size_t want = iov[0].iov_len + iov[1].iov_len;
    int err = header && before == 0 && !hdr ? ENOMEM : 0;
    if (!err) {
        errno = 0;
        const ssize_t w = writev(fd, iov, 2);
        if (w != (ssize_t)want || fsync(fd) != 0)
            err = w < 0 || errno ? errno : ENOSPC;
        if (err && w > 0 && before >= 0)
            (void)ftruncate(fd, before); /* a part-written line (a full disk) is taken back */
    }
    free(hdr);
    close(fd);
    return err ? sae_fail(e, "%s: write error: %s", path, strerror(err)) : 0;
}

int sae_is_number(const char *s)
{
    if (!*s)
        return 0;
    char *end;
    strtod(s, &end);
    return *end == 0;
}

/* One JSON object (with '\n') of a row: numbers as numbers (their text
 * as it is in the CSV), absent values as null. malloc'd. */
static char *json_line(const SaeRows *r, char *const *vals)
{
    char *json = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&json, &len);
    if (!f)
        return NULL;
    SaeJson j;
    sae_json_begin(&j, f);
    for (size_t c = 0; c < r->n_cols; c++) {
        if (!*vals[c])
            sae_json_null(&j, r->names[c]);
        else if (sae_is_number(vals[c]) && strcmp(r->names[c], "run_id") && strcmp(r->names[c], "git_revision"))
            sae_json_literal(&j, r->names[c], vals[c]);
        else
            sae_json_str(&j, r->names[c], vals[c]);
    }
    sae_json_end(&j);
    if (fclose(f)) {
        free(json);
        return NULL;
    }
    return json;
}

int sae_rows_append(const char *dir, const SaeRows *r, char *const *vals, SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    char *line = csv_line(vals, r->n_cols);
    const int bad = !line ? sae_fail(e, "out of memory") : append(path, r, line, e);
    free(line);
    if (bad)
        return -1;
    char *json = json_line(r, vals);
    if (!json)
        return sae_fail(e, "out of memory");
    snprintf(path, sizeof path, "%s/results.jsonl", dir);
    const int rc = append(path, NULL, json, e);
    free(json);
    return rc;
}

/* Line i of a results file, malloc'd: CSV (0 the header, then the rows)
 * or JSON (the rows). */
static char *csv_file_line(const SaeRows *r, size_t i) { return csv_line(i ? r->rows[i - 1] : r->names, r->n_cols); }

static char *jsonl_file_line(const SaeRows *r, size_t i) { return json_line(r, r->rows[i]); }

/* dir/name, written atomically from `lines` lines of line(). */
static int write_lines(const char *dir, const char *name, const SaeRows *r, size_t lines,
                       char *(*line)(const SaeRows *, size_t), SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    for (size_t i = 0; i < lines; i++) {
        char *text = line(r, i);
        if (!text) {
            sae_atomic_abort(&af);
            return sae_fail(e, "out of memory");
        }
        fputs(text, af.f);
        free(text);
    }
    return sae_atomic_commit(&af, e);
}

int sae_rows_write(const char *dir, const SaeRows *r, SaeError *e)
{
    return write_lines(dir, "results.csv", r, r->n_rows + 1, csv_file_line, e) || sae_rows_rewrite_jsonl(dir, r, e) ? -1
                                                                                                                    : 0;
}

int sae_rows_rewrite_jsonl(const char *dir, const SaeRows *r, SaeError *e)
{
    return write_lines(dir, "results.jsonl", r, r->n_rows, jsonl_file_line, e);
}
