/*
 * Hostile input, one class per test (issue 11's audit): each reproducer
 * the audit found is run through the CLI with its exit status and message
 * checked; every prefix of a small valid file of each binary format is
 * refused; lying headers, NUL bytes, decompression bombs under an
 * address-space limit, planted symlinks, a full disk (a small tmpfs, when
 * the test runs as root and may mount; otherwise skipped, saying why).
 */
#define _GNU_SOURCE /* mount, setenv */
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/io/data.h"
#include "core/io/fileio.h"
#include "core/io/npy.h"
#include "core/io/npz.h"
#include "sae_config.h"
#include "tests/runcmd.h"

#if SAE_HAVE_ZLIB
#include <zlib.h>
#endif

static char dir[64];

static void make_dir(void)
{
    snprintf(dir, sizeof dir, "/tmp/sae_hostile_XXXXXX");
    cr_assert_not_null(mkdtemp(dir));
}

static void remove_dir(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    cr_expect_eq(system(cmd), 0);
}

TestSuite(hostile, .init = make_dir, .fini = remove_dir);

/* dir/name holding len bytes; the path lives for the next 7 calls. */
static const char *put(const char *name, const void *bytes, size_t len)
{
    static char paths[8][256];
    static unsigned next;
    char *path = paths[next++ % 8];
    snprintf(path, sizeof paths[0], "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    cr_assert_not_null(f);
    cr_assert_eq(fwrite(bytes, 1, len, f), len);
    fclose(f);
    return path;
}

static const char *put_text(const char *name, const char *text) { return put(name, text, strlen(text)); }

static void expect_run(const Run *r, int code, const char *frag1, const char *frag2)
{
    cr_expect_eq(r->code, code, "exit %d, expected %d: %s", r->code, code, r->err);
    cr_expect_not_null(strstr(r->err, frag1), "stderr '%s' lacks '%s'", r->err, frag1);
    if (frag2)
        cr_expect_not_null(strstr(r->err, frag2), "stderr '%s' lacks '%s'", r->err, frag2);
    cr_expect_null(strchr(strchr(r->err, '\n') ? strchr(r->err, '\n') + 1 : "", '\n'), "one line: %s", r->err);
}

/* 1: the ZIP64 locator's bound check underflowed in files under 56 bytes. */
Test(hostile, zip64_locator_in_a_tiny_file)
{
    static const unsigned char z[42] = { 0x50, 0x4b, 0x06, 0x07, 0, 0, 0,    0,    0xff, 0xff, 0xff, 0x7f, 0, 0,
                                         0,    0,    1,    0,    0, 0, 0x50, 0x4b, 0x05, 0x06, 0,    0,    0, 0,
                                         0xff, 0xff, 0xff, 0xff, 0, 0, 0,    0,    0xff, 0xff, 0xff, 0xff, 0, 0 };
    const char *p = put("z64.npz", z, sizeof z);
    expect_run(run("eval", "--model", p, "--data", "gauss", NULL), 1, "z64.npz", "ZIP64");
}

/* 2: sizes whose products overflow are usage errors before any allocation. */
Test(hostile, absurd_sizes_are_usage_errors)
{
    const char *csv = put_text("d.csv", "1,2,3,4,5,6\n1,2,3,4,5,6\n");
    expect_run(run("train", "--data", csv, "--hidden", "177372539170284150", NULL), 2, "--hidden must be in", NULL);
    const char *ini = put_text("s.ini", "[base]\ndata = gauss\n[sweep]\nhidden = 5, 177372539170284150\n");
    expect_run(run("sweep", ini, "--out", dir, NULL), 2, "s.ini:4", "--hidden");
    expect_run(run("train", "--data", "gauss", "--batch", "99999999999", NULL), 2, "--batch", NULL);
}

static const char *tiny_sweep(void)
{
    return put_text("t.ini", "[base]\ndata = gauss\nepochs = 1\nhidden = 3\nprobe = no\nimages = no\n[sweep]\n"
                             "beta = 0, 1, 2\n");
}

static size_t lines_in(const char *path)
{
    FILE *f = fopen(path, "rb");
    size_t n = 0;
    for (int c; f && (c = fgetc(f)) != EOF;) n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

/* 3, 11: --resume never reads past a NUL or appends to a file without a
 * valid header; a header torn by a full disk is written again. */
Test(hostile, results_csv_is_refused_or_repaired)
{
    const char *ini = tiny_sweep();
    char out[128], csv[160];
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(csv, sizeof csv, "%s/results.csv", out);
    mkdir(out, 0755);
    FILE *f = fopen(csv, "wb");
    fwrite("a\0\n", 1, 3, f);
    fclose(f);
    expect_run(run("sweep", ini, "--out", out, "--resume", NULL), 1, "results.csv", "byte 0x00");
    cr_expect_eq(lines_in(csv), 1u, "left as it was");
    /* a whole table, then a NUL at the start of its last row */
    unlink(csv);
    cr_assert_eq(run("sweep", ini, "--out", out, NULL)->code, 0);
    cr_assert_eq(lines_in(csv), 4u);
    f = fopen(csv, "r+b");
    fseek(f, -1, SEEK_END);
    long end = ftell(f);
    for (long at = end - 1; at > 0; at--) { /* the start of the last line */
        fseek(f, at - 1, SEEK_SET);
        if (fgetc(f) == '\n') {
            fseek(f, at, SEEK_SET);
            fputc(0, f);
            break;
        }
    }
    fclose(f);
    expect_run(run("sweep", ini, "--out", out, "--resume", NULL), 1, "line 4", "byte 0x00");
    cr_expect_eq(lines_in(csv), 4u, "nothing re-run or appended");
    /* empty (the header write hit a full disk): repaired */
    f = fopen(csv, "wb");
    fclose(f);
    cr_expect_eq(run("sweep", ini, "--out", out, "--resume", NULL)->code, 0);
    cr_expect_eq(lines_in(csv), 4u, "a header and the three rows");
    /* a header that is not this program's: refused, not appended to */
    put_text("out/results.csv", "what,is,this\n");
    expect_run(run("sweep", ini, "--out", out, "--resume", NULL), 1, "results.csv", "column what");
    cr_expect_eq(lines_in(csv), 1u);
}

/* 4, 12: NUL and binary bytes; files that look like a format get its error. */
Test(hostile, nul_bytes_and_look_alikes)
{
    static const struct {
        const char *name;
        const char *bytes;
        size_t len;
        const char *frag;
    } cases[] = {
        { "nul.csv", "\0", 1, "byte 0x00" },
        { "mid.csv", "1,2\0zz,3\n", 9, "offset 3" },
        { "idx9", "\0\0\x09\x03", 4, "type 0x08" },
        { "p6.ppm", "P6\n2 2\n255\n", 11, "PPM colour image" },
        { "p1.pbm", "P1\n2 2\n0 1 1 0\n", 15, "PBM bitmap" },
        { "numpz.npy", "\x93NUMPZ\x01\0", 8, ".npy magic" },
        { "short.npy", "\x93NUMPY\x01\0", 8, "truncated header" },
        { "zip.csv", "PK\3\4\0\0\0\0", 8, "ZIP archive" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        const char *p = put(cases[i].name, cases[i].bytes, cases[i].len);
        expect_run(run("train", "--data", p, "--epochs", "1", NULL), 1, cases[i].name, cases[i].frag);
    }
    /* sweep files: a NUL, binary bytes, a directory are bad input (exit 1) */
    static const char nul_ini[] = "[base]\nepochs = 1\0junk\n";
    const char *ini = put("nul.ini", nul_ini, sizeof nul_ini - 1);
    expect_run(run("sweep", ini, "--out", dir, NULL), 1, "nul.ini", "line 2");
    unsigned char bin[256];
    for (int i = 0; i < 256; i++) bin[i] = (unsigned char)(i * 37 + 11);
    expect_run(run("sweep", put("bin.ini", bin, sizeof bin), "--out", dir, NULL), 1, "bin.ini", "expected text");
    expect_run(run("sweep", dir, "--out", dir, NULL), 1, "is a directory", NULL);
}

/* 5: the parsers are exact. */
Test(hostile, no_lenient_parsing)
{
    const char *hdr = "{'descr': '<f8', 'fortran_order': Falsehood, 'shape': (1, 1), }";
    unsigned char npy[128] = "\x93NUMPY\x01";
    const size_t hl = strlen(hdr);
    npy[8] = (unsigned char)(hl + 1);
    memcpy(npy + 10, hdr, hl);
    npy[10 + hl] = '\n';
    const char *p = put("falsehood.npy", npy, 10 + hl + 1 + 8);
    expect_run(run("train", "--data", p, NULL), 1, "falsehood.npy", "fortran_order");
    const char *ini = put_text("junk.ini", "[base]\ndata = gauss\n[sweep]\nlambda = logspace(0, 1, 2)junk\n");
    expect_run(run("sweep", ini, "--out", dir, NULL), 2, "junk.ini:4", "malformed range");
    ini = put_text("force.ini", "[base]\ndata = gauss\nseeds = 50\n[sweep]\nhidden = linspace(1, 50, 50)\n"
                                "beta = linspace(0, 1, 50)\n");
    expect_run(run("sweep", ini, "--out", dir, NULL), 2, "125000 runs", "--force");
}

/* A saved model: the base the model-file tests edit. */
static const char *trained_model(void)
{
    static char path[160];
    snprintf(path, sizeof path, "%s/m.npz", dir);
    cr_assert_eq(run("train", "--data", "gauss", "--hidden", "3", "--epochs", "1", "--save", path, NULL)->code, 0);
    return path;
}

/* src with member `name` replaced by (or, with npy NULL, removed; or, with
 * twice, added a second time) into dir/out. */
static const char *edit_model(const char *src, const char *out, const char *name, const unsigned char *npy, size_t len,
                              int twice)
{
    SaeNpz in, z = { 0 };
    SaeError e;
    cr_assert_eq(sae_npz_read(src, &in, &e), 0, "%s", e.msg);
    for (size_t i = 0; i < in.count; i++)
        if (twice || strcmp(in.members[i].name, name))
            cr_assert_eq(sae_npz_add(&z, in.members[i].name, in.members[i].data, in.members[i].len), 0);
    if (npy)
        cr_assert_eq(sae_npz_add(&z, name, npy, len), 0);
    static char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, out);
    cr_assert_eq(sae_npz_write(path, &z, &e), 0, "%s", e.msg);
    sae_npz_free(&in);
    sae_npz_free(&z);
    return path;
}

static const char *with_scalar(const char *src, const char *out, const char *name, double v)
{
    unsigned char *npy;
    size_t len;
    cr_assert_eq(sae_npy_encode(SAE_DT_F64, 0, NULL, &v, &npy, &len), 0);
    const char *p = edit_model(src, out, name, npy, len, 0);
    free(npy);
    return p;
}

static const char *with_string(const char *src, const char *out, const char *name, const char *v)
{
    unsigned char *npy;
    size_t len;
    cr_assert_eq(sae_npy_encode(SAE_DT_UNICODE, 0, NULL, v, &npy, &len), 0);
    const char *p = edit_model(src, out, name, npy, len, 0);
    free(npy);
    return p;
}

/* 9 (and 5's duplicate member): what a model file holds is bad input,
 * named by file and member, exit 1. */
Test(hostile, model_file_values)
{
    const char *m = trained_model();
    static const struct {
        const char *member;
        double v;
        const char *frag;
    } nums[] = {
        { "rho", 2, "member rho" },
        { "rho", 0, "member rho" },
        { "rho", NAN, "member rho" },
        { "lambda", -1, "member lambda" },
        { "lambda", INFINITY, "member lambda" },
        { "kl_eps", 0, "member kl_eps" },
        { "k", 7, "member k" },
        { "k", 1.5, "member k" },
    };
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
        expect_run(
            run("eval", "--model", with_scalar(m, "bad.npz", nums[i].member, nums[i].v), "--data", "gauss", NULL), 1,
            "bad.npz", nums[i].frag);
    expect_run(run("eval", "--model", with_string(m, "enc.npz", "encoder", "linear"), "--data", "gauss", NULL), 1,
               "member encoder", NULL);
    expect_run(run("eval", "--model", with_string(m, "dec.npz", "decoder", "tanh"), "--data", "gauss", NULL), 1,
               "member decoder", NULL);
    const char *bce = with_string(m, "bce1.npz", "loss", "bce");
    expect_run(run("eval", "--model", with_string(bce, "bce.npz", "decoder", "linear"), "--data", "gauss", NULL), 1,
               "bce.npz", "loss bce");
    double w[3 * 100];
    for (int i = 0; i < 300; i++) w[i] = i == 7 ? NAN : 0.01;
    unsigned char *npy;
    size_t len;
    const size_t shape[2] = { 3, 100 };
    cr_assert_eq(sae_npy_encode(SAE_DT_F64, 2, shape, w, &npy, &len), 0);
    expect_run(run("eval", "--model", edit_model(m, "nan.npz", "W1", npy, len, 0), "--data", "gauss", NULL), 1,
               "member W1", "finite");
    expect_run(run("eval", "--model", edit_model(m, "dup.npz", "W1", npy, len, 1), "--data", "gauss", NULL), 1,
               "dup.npz", "appears twice");
    free(npy);
}

/* 10: atomic saves never write through a planted name, keep the replaced
 * file's permissions, clear their own stale temporaries, say why a write
 * failed, and keep trained weights when --save fails. */
Test(hostile, atomic_saves)
{
    char target[160], tmp[200], victim[160];
    snprintf(target, sizeof target, "%s/model.npz", dir);
    snprintf(victim, sizeof victim, "%s/victim", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", target, (long)getpid());
    put_text("victim", "keep me\n");
    cr_assert_eq(symlink(victim, tmp), 0);
    SaeNpz z = { 0 };
    const double one = 1;
    cr_assert_eq(sae_npz_add_array(&z, "x", SAE_DT_F64, 0, NULL, &one), 0);
    SaeError e;
    cr_expect_eq(sae_npz_write(target, &z, &e), -1, "wrote through a planted symlink");
    cr_expect_not_null(strstr(e.msg, "File exists"), "%s", e.msg);
    cr_expect_eq(lines_in(victim), 1u);
    unlink(tmp);
    /* permissions of the replaced file */
    put_text("model.npz", "old");
    cr_assert_eq(chmod(target, 0600), 0);
    cr_assert_eq(sae_npz_write(target, &z, &e), 0, "%s", e.msg);
    struct stat st;
    cr_assert_eq(stat(target, &st), 0);
    cr_expect_eq(st.st_mode & 0777, 0600u, "mode %o", st.st_mode & 0777);
    /* a stale temporary of a process that is gone */
    const pid_t gone = fork();
    if (gone == 0)
        _exit(0);
    waitpid(gone, NULL, 0);
    char stale[200];
    snprintf(stale, sizeof stale, "%s.tmp.%ld", target, (long)gone);
    put_text("stale", "x");
    char stale_src[160];
    snprintf(stale_src, sizeof stale_src, "%s/stale", dir);
    cr_assert_eq(rename(stale_src, stale), 0);
    cr_assert_eq(sae_npz_write(target, &z, &e), 0, "%s", e.msg);
    cr_expect_neq(access(stale, F_OK), 0, "the stale temporary is removed");
    /* why a write failed */
    cr_expect_eq(sae_npz_write("/nonexistent/dir/m.npz", &z, &e), -1);
    cr_expect_not_null(strstr(e.msg, "No such file or directory"), "%s", e.msg);
    sae_npz_free(&z);
    /* --save fails after training: the weights go to $TMPDIR, named */
    setenv("TMPDIR", dir, 1);
    const Run *r =
        run("train", "--data", "gauss", "--hidden", "3", "--epochs", "1", "--save", "/nonexistent/m.npz", NULL);
    unsetenv("TMPDIR");
    expect_run(r, 1, "/nonexistent/m.npz", "saved to");
    const char *at = strstr(r->err, "saved to ");
    cr_assert_not_null(at);
    char rescued[256];
    snprintf(rescued, sizeof rescued, "%.*s", (int)strcspn(at + 9, " \n"), at + 9);
    expect_run(run("eval", "--model", rescued, "--data", "gauss", NULL), 0, "", NULL);
}

/* z written to dir/name (z is freed) and its bytes read back into buf. */
static size_t npz_bytes(SaeNpz *z, const char *name, unsigned char *buf, size_t cap)
{
    SaeError e;
    char path[160];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    cr_assert_eq(sae_npz_write(path, z, &e), 0, "%s", e.msg);
    sae_npz_free(z);
    FILE *f = fopen(path, "rb");
    cr_assert_not_null(f);
    const size_t n = fread(buf, 1, cap, f);
    fclose(f);
    return n;
}

/* Every strict prefix of a small valid file of each binary format is
 * refused with an error naming the file; none crashes (the ASan run). */
static void every_prefix_refused(const char *what, const unsigned char *b, size_t len,
                                 int (*load)(const char *, const unsigned char *, size_t, SaeError *))
{
    SaeError e;
    cr_assert_eq(load(what, b, len, &e), 0, "the whole file: %s", e.msg);
    for (size_t n = 0; n < len; n++) {
        e.msg[0] = 0;
        cr_expect_eq(load(what, b, n, &e), -1, "%s: a prefix of %zu of %zu bytes accepted", what, n, len);
        cr_expect_not_null(strstr(e.msg, what), "%s", e.msg);
    }
}

/* sae_data_from_npy or sae_data_from_idx, as a loader of the above */
static int (*data_parser)(const char *, const unsigned char *, size_t, SaeData *, SaeError *);

static int load_data(const char *p, const unsigned char *b, size_t n, SaeError *e)
{
    SaeData d;
    const int rc = data_parser(p, b, n, &d, e);
    if (!rc)
        sae_data_free(&d);
    return rc;
}

static int load_pgm(const char *p, const unsigned char *b, size_t n, SaeError *e)
{
    SaeImage img;
    const int rc = sae_image_from_pgm(p, b, n, &img, e);
    if (!rc)
        free(img.px);
    return rc;
}

/* through a file: the npz reader and the gzip reader take paths */
static int load_file_npz(const char *p, const unsigned char *b, size_t n, SaeError *e)
{
    put("prefix.npz", b, n);
    SaeNpz z;
    char path[160];
    snprintf(path, sizeof path, "%s/prefix.npz", dir);
    const int rc = sae_npz_read(path, &z, e);
    if (!rc)
        sae_npz_free(&z);
    (void)p;
    return rc;
}

Test(hostile, every_truncation_is_refused)
{
    const double v[6] = { 1, 2, 3, 4, 5, 6 };
    const size_t shape[2] = { 2, 3 };
    unsigned char *npy;
    size_t len;
    cr_assert_eq(sae_npy_encode(SAE_DT_F64, 2, shape, v, &npy, &len), 0);
    data_parser = sae_data_from_npy;
    every_prefix_refused("x.npy", npy, len, load_data);
    static const unsigned char idx[16 + 12] = { 0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6 };
    data_parser = sae_data_from_idx;
    every_prefix_refused("x.idx", idx, sizeof idx, load_data);
    static const unsigned char pgm[] = "P5\n3 2\n255\n\x01\x02\x03\x04\x05\x06";
    every_prefix_refused("x.pgm", pgm, sizeof pgm - 1, load_pgm);
    SaeNpz z = { 0 };
    cr_assert_eq(sae_npz_add(&z, "a", npy, len), 0);
    unsigned char zip[1024];
    every_prefix_refused("prefix.npz", zip, npz_bytes(&z, "whole.npz", zip, sizeof zip), load_file_npz);
#if SAE_HAVE_ZLIB
    SaeError e;
    unsigned char gz[256];
    z_stream s = { 0 };
    cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_in = (unsigned char *)"1,2\n3,4\n5,6\n7,8\n";
    s.avail_in = 16;
    s.next_out = gz;
    s.avail_out = sizeof gz;
    cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
    const size_t gl = s.total_out;
    deflateEnd(&s);
    for (size_t n = 2; n < gl; n++) { /* from 2 bytes on it is gzip: every cut is an error */
        const char *path = put("prefix.gz", gz, n);
        unsigned char *out;
        size_t ol;
        cr_expect_eq(sae_read_file(path, &out, &ol, &e), -1, "gzip cut at %zu of %zu accepted", n, gl);
    }
#endif
    free(npy);
}

#if SAE_HAVE_ZLIB
/* One gzip member of `text` repeated; returns its size. */
static size_t gzip_member(const char *text, size_t repeat, unsigned char *out, size_t cap)
{
    z_stream s = { 0 };
    cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_out = out;
    s.avail_out = (uInt)cap;
    const size_t tl = strlen(text);
    for (size_t i = 0; i < repeat; i++) {
        s.next_in = (unsigned char *)text;
        s.avail_in = (uInt)tl;
        cr_assert_eq(deflate(&s, i + 1 < repeat ? Z_NO_FLUSH : Z_FINISH), i + 1 < repeat ? Z_OK : Z_STREAM_END);
    }
    const size_t n = s.total_out;
    deflateEnd(&s);
    return n;
}
#endif

/* 5, 6: a multi-member gzip is read to its end; bombs end in clean errors
 * under an address-space limit, and cheap ones are refused before they
 * inflate: zeros, a gzip'd .npy longer than its header, overlapping npz
 * members. */
Test(hostile, bombs_and_members)
{
#if !SAE_HAVE_ZLIB
    cr_skip_test("built without zlib");
#else
    static unsigned char m[1 << 20];
    const size_t ml = gzip_member("0.5,0.25\n", 2, m, sizeof m);
    unsigned char two[256];
    memcpy(two, m, ml);
    memcpy(two + ml, m, ml);
    const char *p = put("two.csv.gz", two, 2 * ml);
    const Run *r = run("train", "--data", p, "--hidden", "2", "--epochs", "1", NULL);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect_not_null(strstr(r->out, "4 x 2"), "all four rows of both members are read: %s", r->out);
    /* 512 MiB of zeros: refused after the first 64 KiB */
    static unsigned char zeros[1 << 16];
    z_stream s = { 0 };
    cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_out = m;
    s.avail_out = sizeof m;
    for (int i = 0; i < 8192; i++) {
        s.next_in = zeros;
        s.avail_in = sizeof zeros;
        cr_assert_eq(deflate(&s, i + 1 < 8192 ? Z_NO_FLUSH : Z_FINISH), i + 1 < 8192 ? Z_OK : Z_STREAM_END);
    }
    const size_t bomb = s.total_out;
    deflateEnd(&s);
    const char *zp = put("zeros.gz", m, bomb);
    expect_run(run("train", "--data", zp, NULL), 1, "zeros.gz", "NUL byte");
    expect_run(run("sweep", zp, NULL), 1, "zeros.gz", "NUL byte");
    /* a gzip'd .npy whose stream runs on past the size its header declares */
    const double v[4] = { 1, 2, 3, 4 };
    const size_t shape[2] = { 2, 2 };
    unsigned char *npy;
    size_t nl;
    cr_assert_eq(sae_npy_encode(SAE_DT_F64, 2, shape, v, &npy, &nl), 0);
    static unsigned char longer[1 << 18];
    memcpy(longer, npy, nl);
    memset(longer + nl, 7, sizeof longer - nl);
    free(npy);
    cr_assert_eq(deflateInit2(&s, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    s.next_in = longer;
    s.avail_in = sizeof longer;
    s.next_out = m;
    s.avail_out = sizeof m;
    cr_assert_eq(deflate(&s, Z_FINISH), Z_STREAM_END);
    const char *lp = put("long.npy.gz", m, s.total_out);
    deflateEnd(&s);
    expect_run(run("train", "--data", lp, NULL), 1, "long.npy.gz", "its header declares");
#endif
}

/* 6: text that inflates to 1.7 GB (200 gzip members of 8.9 MB) under a
 * 1 GiB address-space limit: a clean error, no signal. */
Test(hostile, bomb_under_an_address_space_limit)
{
#if !SAE_HAVE_ZLIB
    cr_skip_test("built without zlib");
#elif defined(__SANITIZE_ADDRESS__)
    cr_skip_test("ASan reserves terabytes of address space: no RLIMIT_AS test under it");
#else
    static unsigned char m[1 << 20];
    const size_t tl = gzip_member("0.5,0.25,0.125,1\n", 8 << 20 >> 4, m, sizeof m);
    char big[160];
    snprintf(big, sizeof big, "%s/big.csv.gz", dir);
    FILE *f = fopen(big, "wb");
    for (int i = 0; i < 200; i++) fwrite(m, 1, tl, f);
    fclose(f);
    run_limit_memory((size_t)1 << 30);
    const Run *r = run("train", "--data", big, "--epochs", "1", NULL);
    run_limit_memory(0);
    cr_expect_eq(r->code, 1, "exit %d: %s", r->code, r->err);
    cr_expect_not_null(strstr(r->err, "big.csv.gz"), "%s", r->err);
#endif
}

/* 6: one deflate stream pointed at by several npz entries is refused. */
Test(hostile, overlapping_npz_members)
{
    SaeNpz z = { 0 };
    const double one = 1;
    cr_assert_eq(sae_npz_add_array(&z, "a", SAE_DT_F64, 0, NULL, &one), 0);
    cr_assert_eq(sae_npz_add_array(&z, "b", SAE_DT_F64, 0, NULL, &one), 0);
    unsigned char b[1024];
    const size_t n = npz_bytes(&z, "two.npz", b, sizeof b);
    /* the second central entry's local-header offset := the first's (0) */
    size_t cd2 = 0;
    for (size_t i = 0, seen = 0; i + 4 <= n; i++)
        if (!memcmp(b + i, "PK\1\2", 4) && ++seen == 2)
            cd2 = i;
    cr_assert_gt(cd2, 0u);
    memset(b + cd2 + 42, 0, 4);
    const char *path = put("two.npz", b, n);
    SaeError e;
    cr_expect_eq(sae_npz_read(path, &z, &e), -1);
    cr_expect_not_null(strstr(e.msg, "overlaps"), "%s", e.msg);
}

/* 7: one huge class label makes one more class, not a million (the probe
 * took 226 s and 7.5 GB): now milliseconds. */
Test(hostile, huge_label_is_one_class)
{
    char text[4096] = "";
    for (int i = 0; i < 40; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%d,%g,%g\n", i == 5 ? 1000000 : i % 2, 0.1 * (i % 7),
                 0.2 * (i % 3));
    const char *p = put_text("labels.csv", text);
    const Run *r = run("train", "--data", p, "--label-column", "first", "--test-fraction", "0.25", "--hidden", "2",
                       "--epochs", "2", "--metrics", "--json", NULL);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect_not_null(strstr(r->out, "probe"), "%s", r->out);
}

/* 12: a NaN objective at the first step is blamed on its cause. */
Test(hostile, divergence_names_its_cause)
{
    const char *p = put_text("huge.csv", "1,2\n3,1e300\n0.5,0.5\n");
    expect_run(run("train", "--data", p, "--hidden", "2", "--epochs", "2", NULL), 3, "1e+300", "row");
}

/* A full disk mid-sweep: every finished row stays whole, the error names
 * the cause, and nothing is left half-written. Needs root and mount. */
Test(hostile, full_disk)
{
    if (geteuid() != 0)
        cr_skip_test("needs root to mount a small tmpfs");
    char mnt[128];
    snprintf(mnt, sizeof mnt, "%s/full", dir);
    mkdir(mnt, 0755);
    if (mount("tmpfs", mnt, "tmpfs", 0, "size=24k") != 0)
        cr_skip_test("cannot mount a tmpfs here: %s", strerror(errno));
    const char *ini = put_text("disk.ini", "[base]\ndata = gauss\nepochs = 1\nhidden = 3\nprobe = no\nimages = no\n"
                                           "[sweep]\nbeta = linspace(0, 1, 40)\n");
    char out[160];
    snprintf(out, sizeof out, "%s/out", mnt);
    const Run *r = run("sweep", ini, "--out", out, NULL);
    cr_expect_eq(r->code, 1, "exit %d: %s", r->code, r->err);
    cr_expect_not_null(strstr(r->err, "No space left on device"), "%s", r->err);
    /* the tables hold whole lines only */
    for (int t = 0; t < 2; t++) {
        char path[200];
        snprintf(path, sizeof path, "%s/results.%s", out, t ? "jsonl" : "csv");
        FILE *f = fopen(path, "rb");
        if (!f)
            continue;
        if (fseek(f, -1, SEEK_END) == 0)
            cr_expect_eq(fgetc(f), '\n', "%s ends in a torn line", path);
        fclose(f);
    }
    umount2(mnt, MNT_DETACH);
}
