/* Parsers of the numeric file formats: .npy matrices, CSV, IDX. */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/data_formats.h"
#include "core/io/fileio.h"
#include "core/io/npy.h"
#include "core/io/sniff.h"
#include "core/safe_alloc.h"

/* d's matrix, in float when f32, else in double. */
static int alloc_matrix(const char *path, size_t rows, size_t cols, int f32, SaeData *d, SaeError *e)
{
    memset(d, 0, sizeof *d);
    size_t cnt;
    const int ok = !sae_mul_overflow(rows, cols, &cnt) && (f32 ? (d->xf = sae_alloc_array(cnt, sizeof(float))) != NULL
                                                               : (d->x = sae_alloc_array(cnt, sizeof(double))) != NULL);
    if (!ok)
        return sae_fail(e, "%s: %zu x %zu samples do not fit in memory", path, rows, cols);
    d->rows = rows;
    d->cols = cols;
    d->auto_scale = 1;
    return 0;
}

int sae_data_npy_check(const char *path, const SaeNpy *a, SaeError *e)
{
    if (a->ndim != 2)
        return sae_fail(e, "%s: expected a 2-D array (samples x features), got %d dimensions", path, a->ndim);
    if (a->dtype != SAE_DT_F32 && a->dtype != SAE_DT_F64 && a->dtype != SAE_DT_U8)
        return sae_fail(e, "%s: expected float32, float64 or uint8 data", path);
    if (a->shape[0] == 0 || a->shape[1] == 0)
        return sae_fail(e, "%s: empty array (%zu x %zu)", path, a->shape[0], a->shape[1]);
    return 0;
}

int sae_data_npy_alloc(const char *path, const SaeNpy *a, size_t rows, int f32, SaeData *d, SaeError *e)
{
    if (alloc_matrix(path, rows, a->shape[1], f32 && a->dtype != SAE_DT_F64, d, e))
        return -1;
    if (a->dtype == SAE_DT_U8)
        d->auto_scale = 1.0 / 255;
    return 0;
}

void sae_data_npy_rows(const SaeNpy *a, size_t r0, size_t rows, SaeData *d, size_t at)
{
    const size_t n = a->shape[1], cnt = rows * n;
    const unsigned char *p = a->data + r0 * n * a->itemsize;
    if (!a->fortran && a->dtype == SAE_DT_F32 && d->xf) { /* float32 kept as float32: a copy */
        memcpy(d->xf + at * n, p, cnt * sizeof(float));
        return;
    }
    if (!a->fortran && a->dtype == SAE_DT_F32) { /* the common widening without a call per element */
        double *x = d->x + at * n;
        for (size_t i = 0; i < cnt; i++) {
            float v;
            memcpy(&v, p + 4 * i, 4);
            x[i] = v;
        }
        return;
    }
    for (size_t i = 0; i < cnt; i++) sae_data_put(d, at * n + i, sae_npy_get(a, r0 * n + i));
}

int sae_data_from_npy(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e)
{
    SaeNpy a;
    if (sae_npy_parse(buf, len, path, &a, e) || sae_data_npy_check(path, &a, e) ||
        sae_data_npy_alloc(path, &a, a.shape[0], 0, d, e))
        return -1;
    sae_data_npy_rows(&a, 0, a.shape[0], d, 0);
    return 0;
}

/* One CSV field [s, end): trimmed, parsed whole as a finite double (of
 * any length: "0.000...1" with many digits is still a number). */
static int csv_number(const char *s, const char *end, double *v)
{
    while (s < end && isspace((unsigned char)*s)) s++;
    while (end > s && isspace((unsigned char)end[-1])) end--;
    if (s == end)
        return -1;
    const size_t n = (size_t)(end - s);
    char small[128], *tmp = n < sizeof small ? small : malloc(n + 1);
    if (!tmp)
        return -1;
    memcpy(tmp, s, n);
    tmp[n] = 0;
    char *stop;
    *v = strtod(tmp, &stop);
    const int bad = *stop != 0;
    if (tmp != small)
        free(tmp);
    return bad ? -1 : 0;
}

static int cmp_int(const void *a, const void *b)
{
    const int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Renumbers d's labels to 0..C-1 over the classes present, in increasing
 * order of the file's labels: a label of 10^6 in a 40-row file makes one
 * class, not a million. */
static int remap_labels(const char *path, SaeData *d, SaeError *e)
{
    int *sorted = sae_alloc_array(d->rows, sizeof(int));
    if (!sorted)
        return sae_fail(e, "%s: out of memory", path);
    memcpy(sorted, d->labels, d->rows * sizeof(int));
    qsort(sorted, d->rows, sizeof(int), cmp_int);
    size_t classes = 0;
    for (size_t i = 0; i < d->rows; i++)
        if (!classes || sorted[i] != sorted[classes - 1])
            sorted[classes++] = sorted[i];
    if (classes > SAE_MAX_CLASSES) {
        free(sorted);
        return sae_fail(e, "%s: %zu distinct class labels (at most %d)", path, classes, SAE_MAX_CLASSES);
    }
    for (size_t i = 0; i < d->rows; i++)
        d->labels[i] = (int)((int *)bsearch(&d->labels[i], sorted, classes, sizeof(int), cmp_int) - sorted);
    d->n_classes = (int)classes;
    free(sorted);
    return 0;
}

static size_t count_fields(const char *s, const char *end)
{
    size_t n = 1;
    for (; s < end; s++) n += *s == ',';
    return n;
}

static int blank(const char *s, const char *end)
{
    for (; s < end; s++)
        if (!isspace((unsigned char)*s))
            return 0;
    return 1;
}

int sae_data_from_csv(const char *path, const char *text, size_t len, SaeLabelColumn lc, SaeData *d, SaeError *e)
{
    memset(d, 0, sizeof *d);
    if (sae_text_check(path, (const unsigned char *)text, len, e))
        return -1;
    const char *end = text + len;
    /* First pass: rows, fields, header. */
    size_t rows = 0, fields = 0, line = 0, header_line = 0;
    for (const char *p = text; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        if (!blank(p, le)) {
            if (!fields) {
                fields = count_fields(p, le);
                /* a header: no field of the first line is a number */
                int numbers = 0;
                for (const char *f = p; f <= le;) {
                    const char *c = memchr(f, ',', (size_t)(le - f));
                    const char *fe = c ? c : le;
                    double v;
                    numbers += csv_number(f, fe, &v) == 0;
                    f = fe + 1;
                }
                if (!numbers)
                    header_line = line;
                else
                    rows++;
            } else {
                rows++;
            }
        }
        p = le + 1;
    }
    const size_t lab = lc != SAE_LABEL_NONE;
    if (rows == 0)
        return line ? sae_fail(e, "%s: line %zu: expected rows of numbers, found none", path, line)
                    : sae_fail(e, "%s: offset 0: the file is empty (expected rows of numbers)", path);
    if (fields <= lab)
        return sae_fail(e, "%s: line 1: expected at least %zu columns, got %zu", path, lab + 1, fields);
    if (alloc_matrix(path, rows, fields - lab, 0, d, e))
        return -1;
    if (lab && !(d->labels = sae_alloc_array(rows, sizeof(int)))) {
        sae_data_free(d);
        return sae_fail(e, "%s: out of memory", path);
    }
    size_t r = 0;
    line = 0;
    for (const char *p = text; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *le = nl ? nl : end;
        line++;
        if (!blank(p, le) && line != header_line) {
            const size_t nf = count_fields(p, le);
            if (nf != fields) {
                sae_data_free(d);
                return sae_fail(e, "%s: line %zu: expected %zu fields, got %zu", path, line, fields, nf);
            }
            size_t col = 0, out = 0;
            for (const char *f = p; col < fields; col++) {
                const char *c = memchr(f, ',', (size_t)(le - f));
                const char *fe = c ? c : le;
                double v;
                if (csv_number(f, fe, &v) || !isfinite(v)) {
                    int w = (int)(fe - f > 20 ? 20 : fe - f);
                    sae_data_free(d);
                    return sae_fail(e, "%s: line %zu, field %zu: expected a finite number, got '%.*s'", path, line,
                                    col + 1, w, f);
                }
                const int is_label = (lc == SAE_LABEL_FIRST && col == 0) || (lc == SAE_LABEL_LAST && col == fields - 1);
                if (is_label) {
                    if (v < 0 || v > INT_MAX || v != floor(v)) {
                        sae_data_free(d);
                        return sae_fail(e, "%s: line %zu, field %zu: expected a class label (integer 0..%d), got %g",
                                        path, line, col + 1, INT_MAX, v);
                    }
                    d->labels[r] = (int)v;
                } else {
                    d->x[r * d->cols + out++] = v;
                }
                f = fe + 1;
            }
            r++;
        }
        p = le + 1;
    }
    if (lab && remap_labels(path, d, e)) {
        sae_data_free(d);
        return -1;
    }
    return 0;
}

static size_t be32(const unsigned char *p)
{
    return (size_t)p[0] << 24 | (size_t)p[1] << 16 | (size_t)p[2] << 8 | (size_t)p[3];
}

static int idx_header(const char *path, const unsigned char *buf, size_t len, int want_ndim, size_t *dims, SaeError *e)
{
    if (len < 4 || buf[0] != 0 || buf[1] != 0)
        return sae_fail(e, "%s: offset 0: expected the IDX magic 00 00 08 0%d", path, want_ndim);
    if (buf[2] != 0x08)
        return sae_fail(e, "%s: offset 2: expected unsigned-byte data (type 0x08), got 0x%02x", path, buf[2]);
    if (buf[3] != want_ndim)
        return sae_fail(e, "%s: offset 3: expected %d dimensions, got %d", path, want_ndim, buf[3]);
    const size_t hdr = 4 + 4 * (size_t)want_ndim;
    if (len < hdr)
        return sae_fail(e, "%s: offset %zu: truncated header (expected %zu bytes)", path, len, hdr);
    for (int i = 0; i < want_ndim; i++) dims[i] = be32(buf + 4 + 4 * i);
    const size_t size = sae_idx_size(buf, len);
    if (!size)
        return sae_fail(e, "%s: offset 4: dimensions overflow size_t", path);
    if (size != len)
        return sae_fail(e, "%s: offset %zu: header dimensions need %zu data bytes, the file has %zu", path, hdr,
                        size - hdr, len - hdr);
    if (size == hdr)
        return sae_fail(e, "%s: offset 4: empty data set", path);
    return 0;
}

int sae_data_from_idx(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e)
{
    return sae_data_from_idx_as(path, buf, len, 0, d, e);
}

int sae_data_from_idx_as(const char *path, const unsigned char *buf, size_t len, int f32, SaeData *d, SaeError *e)
{
    size_t dims[3];
    if (idx_header(path, buf, len, 3, dims, e))
        return -1;
    if (alloc_matrix(path, dims[0], dims[1] * dims[2], f32, d, e))
        return -1;
    const unsigned char *px = buf + 16;
    for (size_t i = 0; i < d->rows * d->cols; i++) sae_data_put(d, i, px[i]);
    d->img_h = dims[1];
    d->img_w = dims[2];
    d->auto_scale = 1.0 / 255;
    return 0;
}

int sae_data_labels_from_idx(const char *path, const unsigned char *buf, size_t len, SaeData *d, SaeError *e)
{
    size_t n = 0;
    if (idx_header(path, buf, len, 1, &n, e))
        return -1;
    if (n != d->rows)
        return sae_fail(e, "%s: offset 4: %zu labels for %zu images", path, n, d->rows);
    if (!(d->labels = sae_alloc_array(n, sizeof(int))))
        return sae_fail(e, "%s: out of memory", path);
    for (size_t i = 0; i < n; i++) d->labels[i] = buf[8 + i];
    if (remap_labels(path, d, e)) {
        free(d->labels);
        d->labels = NULL;
        return -1;
    }
    return 0;
}
