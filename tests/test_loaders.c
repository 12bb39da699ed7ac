/* Every loader on good files and on each kind of bad one; .npz round trips
 * and NumPy-written archives; the built-in data sets. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io/data.h"
#include "core/linalg.h"
#include "core/train.h"
#include "core/rng.h"
#include "core/io/modelfile.h"
#include "core/io/npy.h"
#include "core/io/npz.h"
#include "sae_config.h"
#include "tests/common.h"

#if SAE_HAVE_ZLIB
#include <zlib.h>
#endif

/* Expects a failure whose message contains every given fragment. */
#define expect_error(rc, e, ...) \
    do { \
        cr_expect_eq((rc), -1, "expected a failure"); \
        const char *frags_[] = { __VA_ARGS__ }; \
        for (size_t i_ = 0; i_ < sizeof frags_ / sizeof *frags_; i_++) \
            cr_expect_not_null(strstr((e).msg, frags_[i_]), "message '%s' lacks '%s'", (e).msg, frags_[i_]); \
    } while (0)

static unsigned char *npy_of(SaeDtype dt, size_t r, size_t c, const void *data, size_t *len)
{
    unsigned char *b;
    const size_t shape[2] = { r, c };
    cr_assert_eq(sae_npy_encode(dt, 2, shape, data, &b, len), 0);
    return b;
}

Test(npy, good_float32_float64_uint8)
{
    const float f[6] = { 1, 2, 3, 4, 5, 6.5f };
    const double d[6] = { -1, 0, 1e-300, 2, 3, 4 };
    const unsigned char u[6] = { 0, 255, 1, 2, 3, 4 };
    SaeError e;
    SaeData s;
    size_t len;
    unsigned char *b = npy_of(SAE_DT_F32, 2, 3, f, &len);
    cr_assert_eq(sae_data_from_npy("f.npy", b, len, &s, &e), 0, "%s", e.msg);
    cr_expect(s.rows == 2 && s.cols == 3 && s.x[5] == 6.5);
    sae_data_free(&s);
    free(b);
    b = npy_of(SAE_DT_F64, 3, 2, d, &len);
    cr_assert_eq(sae_data_from_npy("d.npy", b, len, &s, &e), 0, "%s", e.msg);
    cr_expect(s.rows == 3 && s.x[2] == 1e-300);
    sae_data_free(&s);
    free(b);
    b = npy_of(SAE_DT_U8, 1, 6, u, &len);
    cr_assert_eq(sae_data_from_npy("u.npy", b, len, &s, &e), 0, "%s", e.msg);
    cr_expect(s.x[1] == 255 && close_enough(s.auto_scale, 1.0 / 255, 0, 1e-15));
    sae_data_free(&s);
    free(b);
}

Test(npy, numpy_written_file)
{
    SaeData tr, te;
    SaeError e;
    SaeDataOpts o = sae_data_defaults();
    cr_assert_eq(sae_data_load(SAE_TEST_FIXTURES "/v01_X.npy", &o, &tr, &te, &e), 0, "%s", e.msg);
    cr_expect(tr.rows == 6 && tr.cols == 7 && te.rows == 0);
    cr_expect(close_enough(tr.x[0], 0.16394836462572132, 0, 1e-16));
    sae_data_free(&tr);
    sae_data_free(&te);
}

Test(npy, bad_files)
{
    const double d[4] = { 1, 2, 3, 4 };
    size_t len;
    unsigned char *good = npy_of(SAE_DT_F64, 2, 2, d, &len);
    SaeError e;
    SaeData s;
    unsigned char *b = malloc(len + 64);

    memcpy(b, good, len);
    b[1] = 'X';
    expect_error(sae_data_from_npy("m.npy", b, len, &s, &e), e, "m.npy", "offset 0", "magic");

    expect_error(sae_data_from_npy("t.npy", good, len - 3, &s, &e), e, "t.npy", "32 data bytes", "29");
    expect_error(sae_data_from_npy("h.npy", good, 20, &s, &e), e, "h.npy", "header");

    /* header dims that do not match the payload, or overflow size_t */
    const char *hdrs[] = {
        "{'descr': '<f8', 'fortran_order': False, 'shape': (3, 2), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (4611686018427387904, 8), }",
        "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1, 2), }",
        "{'descr': '>f8', 'fortran_order': False, 'shape': (2, 2), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, 1, 2), }",
        "{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }",
    };
    const char *frags[] = { "48 data bytes", "overflows", "fortran_order", "dtype", "2-D", "shape" };
    for (int i = 0; i < 6; i++) {
        const size_t hl = strlen(hdrs[i]);
        memcpy(b, good, 8);
        b[8] = (unsigned char)hl;
        b[9] = 0;
        memcpy(b + 10, hdrs[i], hl);
        memcpy(b + 10 + hl, d, 32);
        expect_error(sae_data_from_npy("x.npy", b, 10 + hl + 32, &s, &e), e, "x.npy", frags[i]);
    }
    free(b);
    free(good);
}

/* numpy.save(W.T) writes fortran_order True: the same matrix, read by columns. */
Test(npy, fortran_order_reads_as_the_matrix)
{
    const double d[6] = { 1, 2, 3, 4, 5, 6 }; /* columns (1 2), (3 4), (5 6) of a 2 x 3 matrix */
    const char *hdr = "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }";
    const size_t hl = strlen(hdr);
    unsigned char b[256] = { 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)hl, 0 };
    memcpy(b + 10, hdr, hl);
    memcpy(b + 10 + hl, d, sizeof d);
    SaeData s;
    SaeError e;
    cr_assert_eq(sae_data_from_npy("f.npy", b, 10 + hl + sizeof d, &s, &e), 0, "%s", e.msg);
    cr_expect(s.rows == 2 && s.cols == 3);
    const double want[6] = { 1, 3, 5, 2, 4, 6 };
    for (int i = 0; i < 6; i++) cr_expect_eq(s.x[i], want[i], "entry %d: %g", i, s.x[i]);
    sae_data_free(&s);
}

Test(npy, nan_in_data_is_refused_with_its_place)
{
    char path[] = "/tmp/sae_nan_XXXXXX";
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    const double d[4] = { 1, 2, NAN, 4 };
    size_t len;
    unsigned char *b = npy_of(SAE_DT_F64, 2, 2, d, &len);
    cr_assert_eq(write(fd, b, len), (ssize_t)len);
    close(fd);
    SaeData tr, te;
    SaeError e;
    SaeDataOpts o = sae_data_defaults();
    expect_error(sae_data_load(path, &o, &tr, &te, &e), e, path, "row 2, column 1", "finite");
    unlink(path);
    free(b);
}

static int csv(const char *text, SaeLabelColumn lc, SaeData *d, SaeError *e)
{
    return sae_data_from_csv("t.csv", text, strlen(text), lc, d, e);
}

Test(csv, good_with_labels_and_header)
{
    SaeData d;
    SaeError e;
    cr_assert_eq(csv("a,b,label\n1,2,0\n3.5, -4e-1 ,2\n\n", SAE_LABEL_LAST, &d, &e), 0, "%s", e.msg);
    cr_expect(d.rows == 2 && d.cols == 2 && d.n_classes == 2, "labels 0 and 2: two classes present");
    cr_expect(d.x[2] == 3.5 && d.x[3] == -0.4 && d.labels[0] == 0 && d.labels[1] == 1);
    sae_data_free(&d);
    cr_assert_eq(csv("7,1,2\n8,3,4", SAE_LABEL_FIRST, &d, &e), 0, "%s", e.msg);
    cr_expect(d.labels[0] == 0 && d.labels[1] == 1 && d.x[0] == 1 && d.x[3] == 4);
    sae_data_free(&d);
}

/* A label of 10^6 among small ones is one more class, not a million (the
 * probe's memory and time follow the class count). */
Test(csv, labels_renumbered_to_the_classes_present)
{
    SaeData d;
    SaeError e;
    cr_assert_eq(csv("1000000,1\n3,2\n1000000,3\n0,4\n", SAE_LABEL_FIRST, &d, &e), 0, "%s", e.msg);
    cr_expect_eq(d.n_classes, 3);
    cr_expect(d.labels[0] == 2 && d.labels[1] == 1 && d.labels[2] == 2 && d.labels[3] == 0);
    sae_data_free(&d);
    expect_error(csv("1,1\n-1,2\n", SAE_LABEL_FIRST, &d, &e), e, "line 2, field 1", "class label");
    expect_error(csv("1,1\n1.5,2\n", SAE_LABEL_FIRST, &d, &e), e, "line 2, field 1", "class label");
}

Test(csv, long_numbers_and_nul_bytes)
{
    SaeData d;
    SaeError e;
    char num[200] = "0.";
    memset(num + 2, '0', 150);
    strcat(num, "1,2\n");
    cr_assert_eq(csv(num, SAE_LABEL_NONE, &d, &e), 0, "%s", e.msg);
    cr_expect(d.x[0] > 0 && d.x[0] < 1e-150 && d.x[1] == 2);
    sae_data_free(&d);
    expect_error(sae_data_from_csv("n.csv", "1,2\0zz,3", 9, SAE_LABEL_NONE, &d, &e), e, "n.csv", "offset 3",
                 "byte 0x00");
    expect_error(sae_data_from_csv("n.csv", "\0", 1, SAE_LABEL_NONE, &d, &e), e, "offset 0", "byte 0x00");
    expect_error(sae_data_from_csv("n.csv", "1,2\n\0,3", 7, SAE_LABEL_NONE, &d, &e), e, "line 2, offset 4");
}

Test(csv, bad_files)
{
    SaeData d;
    SaeError e;
    expect_error(csv("1,2,3\n4,5\n", SAE_LABEL_NONE, &d, &e), e, "t.csv", "line 2", "expected 3 fields, got 2");
    expect_error(csv("1,2\n3,abc\n", SAE_LABEL_NONE, &d, &e), e, "t.csv", "line 2, field 2", "abc");
    expect_error(csv("1,2\nnan,3\n", SAE_LABEL_NONE, &d, &e), e, "line 2, field 1", "finite");
    expect_error(csv("1,inf\n", SAE_LABEL_NONE, &d, &e), e, "line 1, field 2");
    expect_error(csv("1,2,0.5\n", SAE_LABEL_LAST, &d, &e), e, "field 3", "class label");
    expect_error(csv("\n\n", SAE_LABEL_NONE, &d, &e), e, "t.csv", "found none");
    expect_error(csv("1,,2\n", SAE_LABEL_NONE, &d, &e), e, "field 2");
}

/* An IDX image file of n images r x c, pixel value (i + p) % 256. */
static unsigned char *idx_images(size_t n, size_t r, size_t c, size_t *len)
{
    *len = 16 + n * r * c;
    unsigned char *b = malloc(*len);
    const unsigned char hdr[16] = {
        0, 0, 8, 3, 0, 0, 0, (unsigned char)n, 0, 0, 0, (unsigned char)r, 0, 0, 0, (unsigned char)c
    };
    memcpy(b, hdr, 16);
    for (size_t i = 0; i < n * r * c; i++) b[16 + i] = (unsigned char)(i % 256);
    return b;
}

Test(idx, good_images_and_labels)
{
    size_t len;
    unsigned char *b = idx_images(3, 4, 5, &len);
    SaeData d;
    SaeError e;
    cr_assert_eq(sae_data_from_idx("i.idx", b, len, &d, &e), 0, "%s", e.msg);
    cr_expect(d.rows == 3 && d.cols == 20 && d.img_h == 4 && d.img_w == 5 && d.x[21] == 21);
    const unsigned char lab[11] = { 0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 4 };
    cr_assert_eq(sae_data_labels_from_idx("l.idx", lab, 11, &d, &e), 0, "%s", e.msg);
    cr_expect(d.labels[0] == 2 && d.labels[1] == 0 && d.labels[2] == 1 && d.n_classes == 3,
              "labels 9, 0, 4 renumbered over the classes present");
    sae_data_free(&d);
    cr_assert_eq(sae_data_from_idx("i.idx", b, len, &d, &e), 0);
    expect_error(sae_data_labels_from_idx("l.idx", lab, 10, &d, &e), e, "l.idx", "3 data bytes");
    sae_data_free(&d);
    free(b);
}

Test(idx, bad_files)
{
    size_t len;
    unsigned char *b = idx_images(3, 4, 5, &len);
    SaeData d;
    SaeError e;
    expect_error(sae_data_from_idx("i.idx", b, len - 1, &d, &e), e, "i.idx", "60 data bytes", "59");
    b[3] = 2;
    expect_error(sae_data_from_idx("i.idx", b, len, &d, &e), e, "offset 3", "3 dimensions");
    b[3] = 3;
    b[2] = 0x0d;
    expect_error(sae_data_from_idx("i.idx", b, len, &d, &e), e, "offset 2", "unsigned-byte");
    b[2] = 8;
    b[0] = 1;
    expect_error(sae_data_from_idx("i.idx", b, len, &d, &e), e, "offset 0", "magic");
    b[0] = 0;
    memset(b + 4, 0xff, 12); /* 2^32-1 cubed overflows size_t */
    expect_error(sae_data_from_idx("i.idx", b, len, &d, &e), e, "overflow");
    free(b);
}

Test(idx, gzip_files)
{
    size_t len;
    unsigned char *b = idx_images(2, 3, 3, &len);
    char path[] = "/tmp/sae_idx_XXXXXX";
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    SaeData tr, te;
    SaeError e;
    SaeDataOpts o = sae_data_defaults();
#if SAE_HAVE_ZLIB
    gzFile gz = gzopen(path, "wb");
    gzwrite(gz, b, (unsigned)len);
    gzclose(gz);
    cr_assert_eq(sae_data_load(path, &o, &tr, &te, &e), 0, "%s", e.msg);
    cr_expect(tr.rows == 2 && tr.cols == 9 && close_enough(tr.x[17], 17.0 / 255, 0, 1e-15));
    sae_data_free(&tr);
    sae_data_free(&te);
    /* a truncated gzip stream */
    FILE *f = fopen(path, "r+b");
    fseek(f, 0, SEEK_END);
    const long n = ftell(f);
    cr_assert_eq(ftruncate(fileno(f), n / 2), 0);
    fclose(f);
    expect_error(sae_data_load(path, &o, &tr, &te, &e), e, path, "gzip");
#else
    const unsigned char gzhead[4] = { 0x1f, 0x8b, 8, 0 };
    FILE *f = fopen(path, "wb");
    fwrite(gzhead, 1, 4, f);
    fclose(f);
    expect_error(sae_data_load(path, &o, &tr, &te, &e), e, path, "without zlib", "gunzip");
#endif
    unlink(path);
    free(b);
}

Test(pgm, p5_p2_and_bad_files)
{
    SaeImage img;
    SaeError e;
    const char p5[] = "P5\n# comment\n3 2\n255\n\x00\x10\x20\x30\x40\xff";
    cr_assert_eq(sae_image_from_pgm("a.pgm", (const unsigned char *)p5, sizeof p5 - 1, &img, &e), 0, "%s", e.msg);
    cr_expect(img.w == 3 && img.h == 2 && img.px[5] == 1.0 && close_enough(img.px[1], 16.0 / 255, 0, 1e-15));
    free(img.px);
    const char p2[] = "P2 2 2 15\n0 15\n3 4\n";
    cr_assert_eq(sae_image_from_pgm("b.pgm", (const unsigned char *)p2, sizeof p2 - 1, &img, &e), 0, "%s", e.msg);
    cr_expect(img.px[1] == 1.0 && img.px[2] == 0.2);
    free(img.px);
    expect_error(sae_image_from_pgm("c.pgm", (const unsigned char *)p5, sizeof p5 - 3, &img, &e), e, "c.pgm",
                 "truncated");
    expect_error(sae_image_from_pgm("d.pgm", (const unsigned char *)"P6 1 1 255\n", 11, &img, &e), e, "offset 0");
    expect_error(sae_image_from_pgm("e.pgm", (const unsigned char *)"P2 2 2 15\n0 16 1 1", 18, &img, &e), e, "e.pgm",
                 "pixel 2");
}

Test(pgm, patches_follow_ufldl_normalisation)
{
    SaeImage img = { 16, 16, malloc(256 * sizeof(double)), NULL };
    for (int i = 0; i < 256; i++) img.px[i] = i % 37 == 0 ? 1.0 : 0.5 + 0.01 * (i % 7); /* rare outliers: heavy tails */
    SaeData d;
    SaeError e;
    cr_assert_eq(sae_sample_patches("img.pgm", &img, 1, 4, 500, 3, 0, &d, &e), 0, "%s", e.msg);
    cr_expect(d.rows == 500 && d.cols == 16);
    double lo = 1, hi = 0, mean = 0;
    for (size_t i = 0; i < d.rows * d.cols; i++) {
        lo = d.x[i] < lo ? d.x[i] : lo;
        hi = d.x[i] > hi ? d.x[i] : hi;
        mean += d.x[i];
    }
    mean /= (double)(d.rows * d.cols);
    cr_expect(lo >= 0.1 - 1e-12 && hi <= 0.9 + 1e-12, "range [%g, %g]", lo, hi);
    cr_expect(lo < 0.1 + 1e-12 || hi > 0.9 - 1e-12, "the clip at 3 sigma should be reached: [%g, %g]", lo, hi);
    cr_expect(close_enough(mean, 0.5, 0.01, 0), "per-patch means removed: overall mean %g", mean);
    sae_data_free(&d);
    expect_error(sae_sample_patches("img.pgm", &img, 1, 17, 5, 3, 0, &d, &e), e, "img.pgm: the image is",
                 "smaller than the 17 x 17 patch");
    free(img.px);
}

static void write_model(const char *path, const SaeConfig *c, const double *th, int f32)
{
    SaeError e;
    cr_assert_eq(sae_model_save(path, c, th, f32, NAN, &e), 0, "%s", e.msg);
}

Test(npz, model_round_trip)
{
    for (int tied = 0; tied < 2; tied++)
        for (int f32 = 0; f32 < 2; f32++) {
            SaeConfig c = sae_config_default();
            c.n_in = 7;
            c.n_hidden = 3;
            c.tied = tied;
            c.encoder = SAE_ACT_TANH;
            c.beta = 2.5;
            c.kl_tanh = SAE_KL_RAW;
            c.decoder = SAE_ACT_LINEAR;
            c.gamma = 0.125;
            SaeLayout l;
            sae_layout(&c, &l);
            double th[64];
            sae_init_params(&c, 5, th);
            for (size_t i = l.b1; i < l.total; i++) th[i] = 0.25 * (double)i;
            char path[] = "/tmp/sae_model_XXXXXX";
            close(mkstemp(path));
            write_model(path, &c, th, f32);
            SaeConfig r = sae_config_default();
            double *back;
            int was32;
            SaeError e;
            cr_assert_eq(sae_model_load(path, &r, &back, &was32, &e), 0, "%s", e.msg);
            cr_expect(r.n_in == 7 && r.n_hidden == 3 && r.tied == tied && was32 == f32);
            cr_expect(r.encoder == SAE_ACT_TANH && r.decoder == SAE_ACT_LINEAR && r.beta == 2.5 && r.gamma == 0.125 &&
                      r.kl_tanh == SAE_KL_RAW);
            for (size_t i = 0; i < l.total; i++)
                cr_expect_eq(back[i], f32 ? (double)(float)th[i] : th[i], "theta[%zu]", i);
            free(back);
            unlink(path);
        }
}

/* Every setting of the dictionary-learning models comes back from a model
 * file, and jumprelu's thresholds as a parameter block. */
Test(npz, model_round_trip_sae_settings)
{
    SaeConfig c = sae_config_default();
    c.n_in = 6;
    c.n_hidden = 4;
    c.encoder = SAE_ACT_JUMPRELU;
    c.decoder = SAE_ACT_LINEAR;
    c.loss = SAE_LOSS_NMSE;
    c.l0_penalty = 0.125;
    c.bandwidth = 0.25;
    c.jump_init = 0.5;
    c.pre_bias = c.unit_norm = c.init_transpose = 1;
    c.bdec_init = SAE_BDEC_MEDIAN;
    c.l1_activity = 0.5;
    SaeLayout l;
    sae_layout(&c, &l);
    double th[128];
    sae_init_params(&c, 5, th);
    cr_expect_eq(th[l.jt], log(0.5), "the thresholds start at jump-init");
    char path[] = "/tmp/sae_model_XXXXXX";
    close(mkstemp(path));
    write_model(path, &c, th, 0);
    SaeConfig r = sae_config_default();
    double *back;
    int was32;
    SaeError e;
    cr_assert_eq(sae_model_load(path, &r, &back, &was32, &e), 0, "%s", e.msg);
    cr_expect(r.encoder == SAE_ACT_JUMPRELU && r.loss == SAE_LOSS_NMSE && r.l0_penalty == 0.125 &&
              r.bandwidth == 0.25 && r.jump_init == 0.5 && r.pre_bias && r.unit_norm && r.init_transpose &&
              r.bdec_init == SAE_BDEC_MEDIAN);
    for (size_t i = 0; i < l.total; i++) cr_expect_eq(back[i], th[i], "theta[%zu]", i);
    free(back);
    /* TopK family: k, BatchTopK's threshold, AuxK, the decoder-norm L1 */
    c = sae_config_default();
    c.n_in = 6;
    c.n_hidden = 4;
    c.encoder = SAE_ACT_RELU;
    c.decoder = SAE_ACT_LINEAR;
    c.topk = 2;
    c.batch_topk = 1;
    c.threshold = 0.375;
    c.aux_k = 3;
    c.aux_weight = 0.0625;
    c.l1_dec_norm = 1;
    sae_init_params(&c, 5, th);
    write_model(path, &c, th, 1);
    r = sae_config_default();
    cr_assert_eq(sae_model_load(path, &r, &back, &was32, &e), 0, "%s", e.msg);
    cr_expect(r.topk == 2 && r.batch_topk && r.threshold == 0.375 && r.aux_k == 3 && r.aux_weight == 0.0625 &&
              r.l1_dec_norm);
    free(back);
    unlink(path);
}

Test(npz, numpy_savez_and_savez_compressed)
{
    SaeConfig c = sae_config_default();
    double *th;
    int f32;
    SaeError e;
    cr_assert_eq(sae_model_load(SAE_TEST_FIXTURES "/v01_model.npz", &c, &th, &f32, &e), 0, "%s", e.msg);
    cr_expect(c.n_in == 7 && c.n_hidden == 5 && !c.tied && !f32);
    cr_expect(close_enough(th[0], 0.036399663513999925, 0, 1e-16));
    free(th);
    c = sae_config_default();
    const int rc = sae_model_load(SAE_TEST_FIXTURES "/v03_model_gz.npz", &c, &th, &f32, &e);
#if SAE_HAVE_ZLIB
    cr_assert_eq(rc, 0, "%s", e.msg);
    cr_expect(c.tied && c.n_hidden == 5);
    free(th);
#else
    expect_error(rc, e, "without zlib");
#endif
}

/* Copies a file with a byte changed (or the length cut). */
static void corrupt_copy(const char *src, const char *dst, long at, int xor_byte, long cut)
{
    FILE *f = fopen(src, "rb");
    unsigned char buf[8192];
    const size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    if (at >= 0)
        buf[at] ^= (unsigned char)xor_byte;
    f = fopen(dst, "wb");
    fwrite(buf, 1, cut > 0 ? (size_t)cut : n, f);
    fclose(f);
}

Test(npz, bad_archives)
{
    SaeConfig c;
    double *th;
    int f32;
    SaeError e;
    const char *src = SAE_TEST_FIXTURES "/v01_model.npz";
    char path[] = "/tmp/sae_bad_XXXXXX";
    close(mkstemp(path));
    corrupt_copy(src, path, 200, 0x40, 0); /* inside W1's data */
    c = sae_config_default();
    expect_error(sae_model_load(path, &c, &th, &f32, &e), e, path, "CRC");
    corrupt_copy(src, path, -1, 0, 700);
    expect_error(sae_model_load(path, &c, &th, &f32, &e), e, path, "end-of-central-directory");
    expect_error(sae_model_load("/nonexistent/m.npz", &c, &th, &f32, &e), e, "/nonexistent/m.npz", "cannot open");

    /* shapes that do not agree */
    SaeNpz z = { 0 };
    const double w[6] = { 0 };
    const size_t s23[2] = { 2, 3 }, s32[2] = { 3, 2 }, s4[1] = { 4 }, s2[1] = { 2 }, s3[1] = { 3 };
    sae_npz_add_array(&z, "W1", SAE_DT_F64, 2, s23, w);
    sae_npz_add_array(&z, "W2", SAE_DT_F64, 2, s23, w); /* should be 3 x 2 */
    sae_npz_add_array(&z, "b1", SAE_DT_F64, 1, s2, w);
    sae_npz_add_array(&z, "b2", SAE_DT_F64, 1, s3, w);
    cr_assert_eq(sae_npz_write(path, &z, &e), 0);
    expect_error(sae_model_load(path, &c, &th, &f32, &e), e, path, "W2", "3 x 2", "2 x 3");
    sae_npz_free(&z);
    sae_npz_add_array(&z, "W1", SAE_DT_F64, 2, s23, w);
    sae_npz_add_array(&z, "W2", SAE_DT_F64, 2, s32, w);
    sae_npz_add_array(&z, "b1", SAE_DT_F64, 1, s4, w); /* should be 2 */
    sae_npz_add_array(&z, "b2", SAE_DT_F64, 1, s3, w);
    cr_assert_eq(sae_npz_write(path, &z, &e), 0);
    expect_error(sae_model_load(path, &c, &th, &f32, &e), e, "b1", "expected 2 entries");
    sae_npz_free(&z);
    sae_npz_add_array(&z, "W2", SAE_DT_F64, 2, s32, w);
    cr_assert_eq(sae_npz_write(path, &z, &e), 0);
    expect_error(sae_model_load(path, &c, &th, &f32, &e), e, "W1 is missing");
    sae_npz_free(&z);

    /* counts that are not whole numbers >= 0 */
    const char *counts[] = { "k", "aux_k" };
    const double bad[] = { 2.5, -1 };
    for (int i = 0; i < 2; i++) {
        sae_npz_add_array(&z, "W1", SAE_DT_F64, 2, s23, w);
        sae_npz_add_array(&z, "W2", SAE_DT_F64, 2, s32, w);
        sae_npz_add_array(&z, "b1", SAE_DT_F64, 1, s2, w);
        sae_npz_add_array(&z, "b2", SAE_DT_F64, 1, s3, w);
        sae_npz_add_array(&z, counts[i], SAE_DT_F64, 0, NULL, &bad[i]);
        cr_assert_eq(sae_npz_write(path, &z, &e), 0);
        c = sae_config_default();
        expect_error(sae_model_load(path, &c, &th, &f32, &e), e, path, counts[i], "whole number >= 0");
        sae_npz_free(&z);
    }
    unlink(path);
}

Test(builtin, gauss_digits_patches_and_split)
{
    SaeData tr, te;
    SaeError e;
    SaeDataOpts o = sae_data_defaults();
    cr_assert_eq(sae_data_load("gauss", &o, &tr, &te, &e), 0, "%s", e.msg);
    cr_expect(tr.rows == 1000 && tr.cols == 100);
    cr_expect(close_enough(tr.x[0], 0.49671415301123267, 0, 1e-15), "np.random.seed(42); randn: %.17g", tr.x[0]);
    sae_data_free(&tr);
    sae_data_free(&te);

    o.test_fraction = 0.1;
    cr_assert_eq(sae_data_load("digits", &o, &tr, &te, &e), 0, "%s", e.msg);
    cr_expect(tr.rows == 1617 && te.rows == 180 && tr.cols == 64 && tr.n_classes == 10 && tr.labels);
    double hi = 0;
    for (size_t i = 0; i < tr.rows * tr.cols; i++) hi = tr.x[i] > hi ? tr.x[i] : hi;
    cr_expect_eq(hi, 1.0, "digits are scaled by 1/16");
    sae_data_free(&tr);
    sae_data_free(&te);

    o.test_fraction = 0;
    o.patches = 300;
    cr_assert_eq(sae_data_load("patches", &o, &tr, &te, &e), 0, "%s", e.msg);
    cr_expect(tr.rows == 300 && tr.cols == 64 && tr.img_w == 8);
    sae_data_free(&tr);
    sae_data_free(&te);

    o.test_fraction = 0.5;
    o.limit = 1;
    expect_error(sae_data_load("digits", &o, &tr, &te, &e), e, "no training rows");
    o.limit = 0;
    o.test_fraction = 1.5;
    expect_error(sae_data_load("digits", &o, &tr, &te, &e), e, "--test-fraction");
    o.test_fraction = 0;
    o.data_dir = "/nonexistent";
    expect_error(sae_data_load("fashion-mnist", &o, &tr, &te, &e), e, "dataset-fashion-mnist", "--data-dir");
    expect_error(sae_data_load("/nonexistent/file.npy", &o, &tr, &te, &e), e, "/nonexistent/file.npy", "cannot open");
}

Test(builtin, scaling)
{
    SaeData tr, te;
    SaeError e;
    SaeDataOpts o = sae_data_defaults();
    o.scale = SAE_SCALE_ZSCORE;
    o.test_fraction = 0.2;
    cr_assert_eq(sae_data_load("gauss", &o, &tr, &te, &e), 0, "%s", e.msg);
    double mean = 0, var = 0;
    for (size_t i = 0; i < tr.rows; i++) mean += tr.x[i * tr.cols + 3];
    mean /= (double)tr.rows;
    for (size_t i = 0; i < tr.rows; i++) var += (tr.x[i * tr.cols + 3] - mean) * (tr.x[i * tr.cols + 3] - mean);
    cr_expect(close_enough(mean, 0, 1e-12, 0) && close_enough(var / (double)tr.rows, 1, 1e-12, 0));
    sae_data_free(&tr);
    sae_data_free(&te);
    o.scale = SAE_SCALE_MINMAX;
    cr_assert_eq(sae_data_load("gauss", &o, &tr, &te, &e), 0, "%s", e.msg);
    double lo = 1, hi = 0;
    for (size_t i = 0; i < tr.rows * tr.cols; i++) {
        lo = tr.x[i] < lo ? tr.x[i] : lo;
        hi = tr.x[i] > hi ? tr.x[i] : hi;
    }
    cr_expect(lo == 0 && hi == 1);
    sae_data_free(&tr);
    sae_data_free(&te);
}

Test(linalg, eigen_and_zca)
{
    /* a symmetric matrix with known eigenvalues 1, 2, 4 */
    double a[9] = { 2, -1, 0, -1, 2, -1, 0, -1, 2 }, lam[3], u[9];
    cr_assert_eq(sae_sym_eig(3, a, lam, u), 0);
    double want[3] = { 2 - sqrt(2), 2, 2 + sqrt(2) }, got[3] = { lam[0], lam[1], lam[2] };
    for (int i = 0; i < 3; i++) /* sort */
        for (int j = i + 1; j < 3; j++)
            if (got[j] < got[i]) {
                const double t = got[i];
                got[i] = got[j];
                got[j] = t;
            }
    for (int i = 0; i < 3; i++)
        cr_expect(close_enough(got[i], want[i], 1e-12, 0), "eigenvalue %g, want %g", got[i], want[i]);
    /* ZCA with a tiny epsilon: the covariance of the result is the identity */
    enum { M = 400, N = 5 };
    static double x[M * N];
    SaeRng r;
    sae_rng_seed(&r, 3);
    for (int i = 0; i < M; i++) {
        const double z0 = sae_rng_gauss(&r), z1 = sae_rng_gauss(&r);
        for (int j = 0; j < N; j++) x[i * N + j] = 3 * z0 + (j + 1) * z1 + 0.1 * sae_rng_gauss(&r) + j;
    }
    cr_assert_eq(sae_zca_whiten(x, M, N, 1e-12), 0);
    for (int j = 0; j < N; j++)
        for (int k = 0; k < N; k++) {
            double c = 0;
            for (int i = 0; i < M; i++) c += x[i * N + j] * x[i * N + k];
            cr_expect(close_enough(c / M, j == k, 1e-8, 0), "cov[%d][%d] = %g", j, k, c / M);
        }
}

/* A row keeps its label through the shuffled split: the label here is a
 * function of the row (its first value), checked on both parts for every
 * re-drawn split. Shuffling rows without their labels makes the probe's
 * accuracy chance, silently. */
Test(split, rows_keep_their_labels)
{
    char path[] = "/tmp/sae_split_XXXXXX";
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    for (int i = 0; i < 60; i++) fprintf(f, "%d,%d,%d\n", i % 5, i % 5, i);
    fclose(f);
    SaeDataOpts o = sae_data_defaults();
    o.label_column = SAE_LABEL_FIRST;
    o.test_fraction = 0.3;
    for (o.split = 0; o.split < 4; o.split++) {
        SaeData tr, te;
        SaeError e;
        cr_assert_eq(sae_data_load(path, &o, &tr, &te, &e), 0, "%s", e.msg);
        cr_assert(tr.rows == 42 && te.rows == 18 && tr.labels && te.labels);
        int moved = 0;
        for (const SaeData *d = &tr; d; d = d == &tr ? &te : NULL)
            for (size_t r = 0; r < d->rows; r++) {
                cr_expect_eq(d->labels[r], (int)d->x[r * 2], "split %u: row %zu has label %d, value %g", o.split, r,
                             d->labels[r], d->x[r * 2]);
                moved |= d->x[r * 2 + 1] != (double)(d == &tr ? r : 42 + r);
            }
        cr_expect(moved, "the split shuffles the rows");
        sae_data_free(&te);
        sae_data_free(&tr);
    }
    unlink(path);
}

/* The finiteness check covers the held-out rows: the NaN row lands in the
 * held-out part for some of the re-drawn splits, and every one refuses. */
Test(split, nan_in_held_out_rows_is_refused)
{
    char path[] = "/tmp/sae_nan_split_XXXXXX";
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    double d[20 * 2];
    for (int i = 0; i < 40; i++) d[i] = i;
    d[2 * 7 + 1] = NAN;
    size_t len;
    unsigned char *b = npy_of(SAE_DT_F64, 20, 2, d, &len);
    cr_assert_eq(write(fd, b, len), (ssize_t)len);
    close(fd);
    SaeDataOpts o = sae_data_defaults();
    o.test_fraction = 0.5;
    for (o.split = 0; o.split < 8; o.split++) {
        SaeData tr, te;
        SaeError e;
        expect_error(sae_data_load(path, &o, &tr, &te, &e), e, path, "column 2", "finite");
    }
    unlink(path);
    free(b);
}

/* The geometric median by hand: the centre of a square; the middle of three
 * points on a line (a data point, where Weiszfeld's weights blow up); and
 * a cluster that an outlier drags the mean away from but not the median. */
Test(linalg, geometric_median)
{
    const double square[] = { 0, 0, 1, 0, 0, 1, 1, 1 };
    double g[2];
    cr_assert_geq(sae_geometric_median(square, 4, 2, g), 1);
    cr_expect(fabs(g[0] - 0.5) < 1e-12 && fabs(g[1] - 0.5) < 1e-12, "square: (%g, %g)", g[0], g[1]);
    const double line[] = { 0, 1, 10 };
    cr_assert_geq(sae_geometric_median(line, 3, 1, g), 1);
    cr_expect(fabs(g[0] - 1) < 1e-6, "0, 1, 10: %.9g", g[0]);
    double cluster[20];
    for (int i = 0; i < 9; i++) {
        cluster[2 * i] = 0.1 * (i % 3 - 1);
        cluster[2 * i + 1] = 0.1 * (i / 3 - 1);
    }
    cluster[18] = cluster[19] = 100;
    cr_assert_geq(sae_geometric_median(cluster, 10, 2, g), 1);
    cr_expect(hypot(g[0], g[1]) < 0.2, "the outlier moved the median to (%g, %g)", g[0], g[1]);
    /* bdec-init: b2 of a linear-decoder model at the mean, then the median */
    SaeConfig c = sae_config_default();
    c.n_in = 2;
    c.n_hidden = 3;
    c.decoder = SAE_ACT_LINEAR;
    c.bdec_init = SAE_BDEC_MEAN;
    SaeLayout l;
    sae_layout(&c, &l);
    double theta[64] = { 0 };
    cr_assert_eq(sae_init_bdec(&c, &(SaeSamples){ .x = cluster, .m = 10 }, theta), 0);
    cr_expect(fabs(theta[l.b2] - 10) < 1e-12 && fabs(theta[l.b2 + 1] - 10) < 1e-12, "mean (%g, %g)", theta[l.b2],
              theta[l.b2 + 1]);
    c.bdec_init = SAE_BDEC_MEDIAN;
    cr_assert_eq(sae_init_bdec(&c, &(SaeSamples){ .x = cluster, .m = 10 }, theta), 0);
    cr_expect(hypot(theta[l.b2], theta[l.b2 + 1]) < 0.2);
}
