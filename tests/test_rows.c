/* --offset and --limit: the rows they select, for a mapped .npy file (C
 * and Fortran order, each dtype) and for a file read whole; the mapped and
 * the read loader agree; a file that shrinks while it is read is an error,
 * never a SIGBUS; float32 and float64 files train the same model. Every
 * file is written here. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/io/data.h"
#include "core/io/npy.h"
#include "core/io/data_formats.h"
#include "core/io/npy_map.h"
#include "core/model.h"
#include "core/train.h"
#include "tests/common.h"

enum { ROWS = 97, COLS = 13 };

/* The value of row r, column c of every file here: exact in every dtype. */
static double value(size_t r, size_t c) { return (double)((r * 7 + c * 3) % 251); }

/* Rows [r0, r0 + rows) x cols of the values, of dtype dt (fortran:
 * stored column by column), as an .npy image. */
static unsigned char *npy_rows(SaeDtype dt, int fortran, size_t r0, size_t rows, size_t cols, size_t *len)
{
    const size_t size = dt == SAE_DT_F64 ? 8 : dt == SAE_DT_F32 ? 4 : 1;
    unsigned char *data = malloc(rows * cols * size);
    cr_assert_not_null(data);
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < cols; c++) {
            const size_t at = fortran ? c * rows + r : r * cols + c;
            const double v = value(r0 + r, c);
            const float f = (float)v;
            if (dt == SAE_DT_F64)
                memcpy(data + at * 8, &v, 8);
            else if (dt == SAE_DT_F32)
                memcpy(data + at * 4, &f, 4);
            else
                data[at] = (unsigned char)v;
        }
    const size_t shape[2] = { fortran ? cols : rows, fortran ? rows : cols };
    unsigned char *b;
    cr_assert_eq(sae_npy_encode(dt, 2, shape, data, &b, len), 0);
    free(data);
    if (fortran) { /* encode wrote the transposed C array: its header says so instead */
        cr_assert(rows == ROWS && cols == COLS);
        char *h = strstr((char *)b + 10, "'fortran_order': False, 'shape': (13, 97)"); /* past the NUL of the version */
        cr_assert_not_null(h, "%s", (char *)b + 10);
        memcpy(h, "'fortran_order': True,  'shape': (97, 13)", 41);
    }
    return b;
}

static void write_bytes(const char *path, const void *b, size_t len)
{
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f, "%s", path);
    cr_assert_eq(fwrite(b, 1, len, f), len);
    fclose(f);
}

/* A ROWS x COLS file of dtype dt at a fresh temporary path. */
static void write_npy(char *path, SaeDtype dt, int fortran)
{
    size_t len;
    unsigned char *b = npy_rows(dt, fortran, 0, ROWS, COLS, &len);
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, b, len), (ssize_t)len);
    close(fd);
    free(b);
}

/* Shard i of a folder: rows [r0, r0 + rows) at dir/name. */
static void write_shard(const char *dir, const char *name, SaeDtype dt, size_t r0, size_t rows, size_t cols)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    size_t len;
    unsigned char *b = npy_rows(dt, 0, r0, rows, cols, &len);
    write_bytes(path, b, len);
    free(b);
}

static void remove_folder(const char *dir, const char *const *names, size_t n)
{
    char path[512];
    for (size_t i = 0; i < n; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
}

/* d holds rows [r0, r0 + n) of the file. */
static void expect_rows(const SaeData *d, size_t r0, size_t n, const char *what)
{
    cr_assert_eq(d->rows, n, "%s: %zu rows, want %zu", what, d->rows, n);
    cr_assert_eq(d->cols, (size_t)COLS);
    for (size_t r = 0; r < n; r++)
        for (size_t c = 0; c < COLS; c++)
            cr_assert_eq(sae_data_at(d, r * COLS + c), value(r0 + r, c), "%s: row %zu column %zu = %g, want %g", what,
                         r, c, sae_data_at(d, r * COLS + c), value(r0 + r, c));
}

/* Each cut (offset, limit, rows kept) of the file or folder at path, in
 * a float and a double run: the rows kept, held as float exactly when the
 * run is float and `narrow` (the file is float32 or bytes). */
static void expect_cuts(const char *path, int folder, const size_t (*cuts)[3], size_t n, int narrow, double scale,
                        const char *label)
{
    for (size_t i = 0; i < n; i++)
        for (int f32 = 0; f32 <= 1; f32++) {
            SaeData d;
            SaeError e;
            const int rc = folder ? sae_npy_map_folder(path, cuts[i][0], cuts[i][1], f32, 0, &d, &e)
                                  : sae_npy_map_rows(path, cuts[i][0], cuts[i][1], f32, &d, &e);
            cr_assert_eq(rc, 0, "%s", e.msg);
            char what[96];
            snprintf(what, sizeof what, "%s offset %zu limit %zu f32 %d", label, cuts[i][0], cuts[i][1], f32);
            expect_rows(&d, cuts[i][0], cuts[i][2], what);
            cr_expect_eq(d.xf != NULL, f32 && narrow, "%s: the rows' type", what);
            cr_expect_eq(d.auto_scale, scale, "%s: auto scale %g", what, d.auto_scale);
            sae_data_free(&d);
        }
}

Test(rows, offset_and_limit_select_those_rows_of_a_mapped_file)
{
    static const SaeDtype dts[] = { SAE_DT_F32, SAE_DT_F64, SAE_DT_U8 };
    static const size_t cuts[][3] = { /* offset, limit, rows kept */
                                      { 0, 0, ROWS }, { 0, 10, 10 }, { 40, 0, ROWS - 40 },
                                      { 40, 17, 17 }, { 90, 50, 7 }, { ROWS - 1, 1, 1 }
    };
    for (int fortran = 0; fortran <= 1; fortran++)
        for (size_t t = 0; t < 3; t++) {
            char path[] = "/tmp/sae_rows_XXXXXX", label[32];
            write_npy(path, dts[t], fortran);
            snprintf(label, sizeof label, "dtype %zu fortran %d", t, fortran);
            expect_cuts(path, 0, cuts, sizeof cuts / sizeof *cuts, dts[t] != SAE_DT_F64,
                        dts[t] == SAE_DT_U8 ? 1.0 / 255 : 1.0, label);
            SaeData d;
            SaeError e;
            cr_expect_eq(sae_npy_map_rows(path, ROWS, 0, 0, &d, &e), -1);
            cr_expect_not_null(strstr(e.msg, "--offset 97: the file has 97 rows"), "%s", e.msg);
            unlink(path);
        }
}

/* Through sae_data_load: the mapped file and the same rows as CSV (read
 * whole, then cut) give the same training set. */
Test(rows, mapped_and_read_files_agree)
{
    char npy[] = "/tmp/sae_rows_XXXXXX", csv[] = "/tmp/sae_rows_csv_XXXXXX";
    write_npy(npy, SAE_DT_F32, 0);
    const int fd = mkstemp(csv);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    for (size_t r = 0; r < ROWS; r++)
        for (size_t c = 0; c < COLS; c++) fprintf(f, "%g%c", value(r, c), c + 1 < COLS ? ',' : '\n');
    fclose(f);
    SaeDataOpts o = sae_data_defaults();
    o.scale = SAE_SCALE_NONE;
    o.offset = 23;
    o.limit = 31;
    SaeData tr[2], te[2];
    SaeError e;
    cr_assert_eq(sae_data_load(npy, &o, &tr[0], &te[0], &e), 0, "%s", e.msg);
    cr_assert_eq(sae_data_load(csv, &o, &tr[1], &te[1], &e), 0, "%s", e.msg);
    expect_rows(&tr[0], 23, 31, "npy");
    expect_rows(&tr[1], 23, 31, "csv");
    sae_data_free(&te[1]);
    sae_data_free(&tr[1]);
    o.offset = ROWS;
    cr_expect_eq(sae_data_load(csv, &o, &tr[1], &te[1], &e), -1);
    cr_expect_not_null(strstr(e.msg, "--offset 97: the data set has 97 rows"), "%s", e.msg);
    for (int i = 0; i < 2; i++) {
        sae_data_free(&te[i]);
        sae_data_free(&tr[i]);
    }
    unlink(npy);
    unlink(csv);
}

/* A file cut short once mapped, before its rows are read: the copy fails
 * with the file's name and the row reached (caught from SIGBUS), and the
 * process lives. The map's steps are called one by one, so that the cut
 * falls between them every time. */
Test(rows, a_file_that_shrinks_while_read_is_an_error)
{
    char path[] = "/tmp/sae_rows_XXXXXX";
    write_npy(path, SAE_DT_F32, 0);
    SaeNpyMap f;
    SaeError e;
    cr_assert_eq(sae_npy_map_open(path, &f, &e), 0, "%s", e.msg);
    SaeData d;
    cr_assert_eq(sae_data_npy_alloc(path, &f.a, ROWS, 1, &d, &e), 0);
    cr_assert_eq(truncate(path, 128), 0);
    cr_expect_eq(sae_npy_map_copy(&f, 0, ROWS, &d, 0, &e), -1, "the file was cut to 128 bytes");
    cr_expect_not_null(strstr(e.msg, "the file shrank while it was read"), "%s", e.msg);
    cr_expect_not_null(strstr(e.msg, path), "%s", e.msg);
    sae_npy_map_close(&f);
    sae_data_free(&d);
    unlink(path);
}

/* A streamed file cut short during training: the process stops with exit
 * status 1 (and a line naming the file), not SIGBUS. */
Test(rows, a_streamed_file_that_shrinks_exits_cleanly, .exit_code = 1)
{
    char path[] = "/tmp/sae_rows_XXXXXX";
    write_npy(path, SAE_DT_F32, 0);
    SaeData d;
    SaeError e;
    cr_assert_eq(sae_npy_map_stream(path, 0, 0, 1, 2048, &d, &e), 0, "%s", e.msg);
    cr_assert_eq(truncate(path, 128), 0);
    unlink(path);
    volatile float sink = d.xf[ROWS * COLS - 1]; /* past the new end: SIGBUS, then exit(1) */
    (void)sink;
    cr_assert_fail("reading past the end of a cut file did not stop the process");
}

/* Typed data: the same values as float32 and as float64 files train the
 * same model, bit for bit, in a float run (float32 rows read as they are,
 * float64 ones rounded per batch) and in a double run (float32 rows
 * widened exactly); and the float run on float32 holds no double copy. */
Test(rows, float32_and_float64_files_train_the_same_model)
{
    char p32[] = "/tmp/sae_rows_XXXXXX", p64[] = "/tmp/sae_rows_XXXXXX";
    write_npy(p32, SAE_DT_F32, 0);
    write_npy(p64, SAE_DT_F64, 0);
    SaeConfig c = sae_config_default();
    c.n_in = COLS;
    c.n_hidden = 6;
    SaeLayout l;
    sae_layout(&c, &l);
    for (int prec = SAE_PREC_FLOAT; prec <= SAE_PREC_DOUBLE; prec++) {
        double *theta[2];
        for (int f = 0; f < 2; f++) {
            SaeDataOpts o = sae_data_defaults();
            o.scale = SAE_SCALE_MINMAX;
            o.test_fraction = 0.2;
            o.f32 = prec == SAE_PREC_FLOAT;
            SaeData tr, te;
            SaeError e;
            cr_assert_eq(sae_data_load(f ? p64 : p32, &o, &tr, &te, &e), 0, "%s", e.msg);
            cr_expect_eq(tr.xf != NULL, !f && o.f32, "file %d precision %d: the rows' type", f, prec);
            cr_assert(theta[f] = malloc(l.total * sizeof(double)));
            sae_init_params(&c, 3, theta[f]);
            SaeTrainOpts t = sae_train_defaults();
            t.precision = (SaePrecision)prec;
            t.epochs = 3;
            SaeTrainResult r;
            const SaeSamples s = { .x = tr.x, .xf = tr.xf, .m = tr.rows };
            cr_assert_eq(sae_train_samples(&c, &t, test_kernels(), &s, theta[f], &r), SAE_TRAIN_OK);
            sae_data_free(&te);
            sae_data_free(&tr);
        }
        cr_expect_eq(memcmp(theta[0], theta[1], l.total * sizeof(double)), 0,
                     "precision %d: the float32 and float64 files train different models", prec);
        free(theta[0]);
        free(theta[1]);
    }
    unlink(p32);
    unlink(p64);
}

/* A folder of shards is its rows end to end in name order (not the order
 * they were written in), --offset and --limit across the shards' edges. */
Test(rows, a_folder_of_shards_is_its_rows_end_to_end)
{
    char dir[] = "/tmp/sae_shards_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    static const char *const names[] = { "part-10.npy", "part-02.npy", "part-01.npy" };
    write_shard(dir, names[0], SAE_DT_F32, 70, 27, COLS); /* sorted last */
    write_shard(dir, names[1], SAE_DT_F32, 40, 30, COLS);
    write_shard(dir, names[2], SAE_DT_F32, 0, 40, COLS);
    static const size_t cuts[][3] = { { 0, 0, ROWS }, { 35, 40, 40 }, { 69, 0, 28 }, { 40, 30, 30 }, { 96, 5, 1 } };
    expect_cuts(dir, 1, cuts, sizeof cuts / sizeof *cuts, 1, 1.0, "folder");
    SaeDataOpts o = sae_data_defaults(); /* through sae_data_load too */
    o.scale = SAE_SCALE_NONE;
    o.offset = 20;
    o.limit = 50;
    SaeData tr, te;
    SaeError e;
    cr_assert_eq(sae_data_load(dir, &o, &tr, &te, &e), 0, "%s", e.msg);
    expect_rows(&tr, 20, 50, "sae_data_load");
    sae_data_free(&te);
    sae_data_free(&tr);
    SaeData d;
    cr_expect_eq(sae_npy_map_folder(dir, ROWS, 0, 1, 0, &d, &e), -1);
    cr_expect_not_null(strstr(e.msg, "--offset 97: the folder has 97 rows"), "%s", e.msg);
    remove_folder(dir, names, 3);
}

/* What a folder of shards may not hold, each a one-line error naming the
 * shard at fault. */
Test(rows, bad_folders_of_shards)
{
    static const struct {
        const char *second;  /* the other file beside a.npy (13 float32 columns) */
        SaeDtype dt;         /* its dtype, */
        size_t cols;         /* its columns */
        int not_npy;         /* or this many bytes of text instead */
        const char *frag[2]; /* what the message names */
    } cases[] = {
        { "b.npy", SAE_DT_F32, 12, 0, { "b.npy: 12 columns", "a.npy has 13" } },
        { "b.npy", SAE_DT_F64, 13, 0, { "b.npy: dtype float64", "a.npy is float32" } },
        { "notes.txt", SAE_DT_F32, 13, 5, { "notes.txt: not an .npy file", "holds .npy files only" } },
        { "b.npy", SAE_DT_F32, 13, 5, { "b.npy: not a readable uncompressed .npy file", "b.npy" } },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char dir[] = "/tmp/sae_shards_XXXXXX";
        cr_assert_not_null(mkdtemp(dir));
        write_shard(dir, "a.npy", SAE_DT_F32, 0, 10, COLS);
        if (cases[i].not_npy) {
            char path[512];
            snprintf(path, sizeof path, "%s/%s", dir, cases[i].second);
            write_bytes(path, "hello", 5);
        } else
            write_shard(dir, cases[i].second, cases[i].dt, 10, 10, cases[i].cols);
        SaeData d;
        SaeError e;
        cr_expect_eq(sae_npy_map_folder(dir, 0, 0, 1, 0, &d, &e), -1, "case %zu", i);
        for (int f = 0; f < 2; f++)
            cr_expect_not_null(strstr(e.msg, cases[i].frag[f]), "case %zu: '%s' lacks '%s'", i, e.msg,
                               cases[i].frag[f]);
        cr_expect(!d.x && !d.xf);
        const char *const names[] = { "a.npy", cases[i].second };
        remove_folder(dir, names, 2);
    }
    char dir[] = "/tmp/sae_shards_XXXXXX"; /* empty: neither shards nor images */
    cr_assert_not_null(mkdtemp(dir));
    SaeDataOpts o = sae_data_defaults();
    SaeData tr, te;
    SaeError e;
    cr_expect_eq(sae_data_load(dir, &o, &tr, &te, &e), -1);
    cr_expect_not_null(strstr(e.msg, "no .npy shards and no .pgm images"), "%s", e.msg);
    rmdir(dir);
}

/* Streaming (core/MODEL.md §7 [stream]): past the budget the rows are the
 * file's own, read in place; a budget of a few rows a chunk makes many
 * windows. The same seed gives the same model; the rows are the ones
 * asked for; what streaming cannot do is refused. */
Test(rows, streamed_rows_train_the_same_model_twice)
{
    char path[] = "/tmp/sae_rows_XXXXXX";
    write_npy(path, SAE_DT_F32, 0);
    SaeData d;
    SaeError e;
    cr_expect_eq(sae_npy_map_stream(path, 0, 0, 1, 1 << 20, &d, &e), SAE_NPY_MAP_FITS);
    cr_assert_eq(sae_npy_map_stream(path, 11, 80, 1, 2048, &d, &e), 0, "%s", e.msg);
    cr_assert(d.map && d.xf && d.chunk == 1 && d.window == 8, "streamed in 1-row chunks: chunk %zu", d.chunk);
    expect_rows(&d, 11, 80, "streamed");
    SaeConfig c = sae_config_default();
    c.n_in = COLS;
    c.n_hidden = 5;
    SaeLayout l;
    sae_layout(&c, &l);
    double *theta[2];
    SaeTrainOpts t = sae_train_defaults();
    t.epochs = 3;
    t.batch = 4;
    for (int run = 0; run < 2; run++) {
        cr_assert(theta[run] = malloc(l.total * sizeof(double)));
        sae_init_params(&c, 9, theta[run]);
        const SaeSamples s = { .xf = d.xf, .m = d.rows, .chunk = d.chunk, .window = d.window };
        SaeTrainResult r;
        cr_assert_eq(sae_train_samples(&c, &t, test_kernels(), &s, theta[run], &r), SAE_TRAIN_OK);
        cr_expect_eq(r.iters, 3u * 10u * 2u, "80 rows in 10 windows of 8, 2 batches each, 3 epochs: %u", r.iters);
    }
    cr_expect_eq(memcmp(theta[0], theta[1], l.total * sizeof(double)), 0, "two streamed runs differ");
    free(theta[0]);
    free(theta[1]);
    sae_data_free(&d);
    cr_expect_eq(sae_npy_map_stream(path, 0, 0, 0, 2048, &d, &e), -1, "a float32 file for a double run");
    cr_expect_not_null(strstr(e.msg, "needs a C-order float64 file for a double run"), "%s", e.msg);
    unlink(path);
    char fort[] = "/tmp/sae_rows_XXXXXX";
    write_npy(fort, SAE_DT_F32, 1);
    cr_expect_eq(sae_npy_map_stream(fort, 0, 0, 1, 2048, &d, &e), -1);
    cr_expect_not_null(strstr(e.msg, "Fortran order"), "%s", e.msg);
    unlink(fort);
}

/* Through sae_data_load at a 1 MiB budget: a 1.5 MiB file streams, its
 * held-out rows are its last ones, and rescaling it is refused. */
Test(rows, a_file_past_the_budget_streams_through_the_loader)
{
    char path[] = "/tmp/sae_rows_XXXXXX";
    const size_t rows = 30000, cols = COLS;
    size_t len;
    unsigned char *b = npy_rows(SAE_DT_F32, 0, 0, rows, cols, &len);
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    write_bytes(path, b, len);
    free(b);
    SaeDataOpts o = sae_data_defaults();
    o.f32 = 1;
    o.memory_budget_mib = 1;
    o.test_fraction = 0.1;
    SaeData tr, te;
    SaeError e;
    cr_assert_eq(sae_data_load(path, &o, &tr, &te, &e), 0, "%s", e.msg);
    cr_expect(tr.map && tr.rows == 27000 && te.rows == 3000, "%zu + %zu rows", tr.rows, te.rows);
    cr_expect_eq(sae_data_at(&te, 0), value(27000, 0), "the held-out rows are the last ones");
    sae_data_free(&te);
    sae_data_free(&tr);
    o.scale = SAE_SCALE_MINMAX;
    cr_expect_eq(sae_data_load(path, &o, &tr, &te, &e), -1);
    cr_expect_not_null(strstr(e.msg, "cannot be rescaled"), "%s", e.msg);
    unlink(path);
}
