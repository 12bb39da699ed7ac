/* The saebench command line as scripts use it: exit codes, one-line errors,
 * no partial outputs, and `eval` reproducing the reference vectors from a
 * model .npz and data .npy. */
#include <criterion/criterion.h>
#include <math.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/io/modelfile.h"
#include "core/io/npy.h"
#include "core/io/npz.h"
#include "experiments/common/machine.h"
#include "tests/common.h"
#include "tests/runcmd.h"
#include "tests/vecfile.h"

/* The error is one line naming what it should. */
static void expect_fail(const Run *r, int code, const char *frag)
{
    cr_expect_eq(r->code, code, "exit %d, want %d; stderr: %s", r->code, code, r->err);
    cr_expect_not_null(strstr(r->err, frag), "stderr '%s' lacks '%s'", r->err, frag);
    const char *nl = strchr(r->err, '\n');
    cr_expect(nl && nl[1] == 0, "the error should be one line: '%s'", r->err);
}

/* A number from the JSON output: the value after "key": within the object
 * that starts at "section":{ (or anywhere when section is NULL). */
static double json_num(const char *json, const char *section, const char *key)
{
    char pat[64];
    const char *p = json;
    if (section) {
        snprintf(pat, sizeof pat, "\"%s\":{", section);
        p = strstr(json, pat);
        cr_assert_not_null(p, "no section %s in %s", section, json);
    }
    snprintf(pat, sizeof pat, "\"%s\":", key);
    p = strstr(p, pat);
    cr_assert_not_null(p, "no key %s", key);
    return strtod(p + strlen(pat), NULL);
}

Test(cli, usage_errors_exit_2)
{
    expect_fail(run("bogus", NULL), 2, "unknown command");
    expect_fail(run("train", "--bogus", "1", NULL), 2, "unknown option --bogus");
    expect_fail(run("train", "--rho", "1.5", NULL), 2, "--rho must be in (0, 1), got 1.5");
    expect_fail(run("train", "--rho", "0", NULL), 2, "--rho");
    expect_fail(run("train", "--hidden", "0", NULL), 2, "--hidden must be in [1, 16777216], got 0");
    expect_fail(run("train", "--lambda", "-1", NULL), 2, "--lambda must be >= 0");
    expect_fail(run("train", "--beta", "abc", NULL), 2, "--beta expects a number, got 'abc'");
    expect_fail(run("train", "--encoder", "softmax", NULL), 2, "sigmoid|tanh|relu");
    expect_fail(run("train", "--loss", "bce", "--decoder", "linear", NULL), 2, "bce needs the sigmoid decoder");
    expect_fail(run("train", "--epochs", NULL), 2, "--epochs expects a value");
    expect_fail(run("train", "--cpumask", "sse9", NULL), 2, "scalar|avx2|avx512|all");
    expect_fail(run("eval", "--data", "digits", NULL), 2, "--model and --data are required");
    expect_fail(run("eval", "--model", "m.npz", "--hidden", "3", NULL), 2, "unknown option --hidden");
    cr_expect_eq(run(NULL)->code, 2);
    /* near misses name the nearest valid choice */
    expect_fail(run("train", "--betta", "3", NULL), 2, "did you mean --beta?");
    expect_fail(run("train", "--data", "digts", NULL), 1, "did you mean digits?");
}

/* train --init takes the stored hyperparameters and held-out share (flags
 * override, with a note); options the optimizer ignores are named; --json
 * reports only the settings that applied; --metrics adds the sweep's
 * measures. */
Test(cli, init_takes_the_stored_settings)
{
    char dir[] = "/tmp/sae_init_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char save[512];
    snprintf(save, sizeof save, "%s/m.npz", dir);
    Run *r =
        run("train", "--data", "digits", "--hidden", "8", "--beta", "3", "--rho", "0.1", "--optimizer", "lbfgs",
            "--iters", "5", "--epochs", "7", "--test-fraction", "0.2", "--json", "--metrics", "--save", save, NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect_not_null(strstr(r->err, "--epochs: not used by --optimizer lbfgs"), "%s", r->err);
    cr_expect_null(strstr(r->out, "\"epochs\":"), "an L-BFGS run reports no epochs: %s", r->out);
    cr_expect_null(strstr(r->out, "\"lr\":"), "an L-BFGS run reports no learning rate");
    const double acc = json_num(r->out, "metrics", "probe_acc"), se = json_num(r->out, "metrics", "probe_acc_se");
    cr_expect(se > 0 && fabs(se - sqrt(acc * (1 - acc) / 359)) < 1e-12, "binomial SE %g of %g on 359 rows", se, acc);
    char images[600], png[700];
    snprintf(images, sizeof images, "%s/img", dir);
    r = run("train", "--data", "digits", "--init", save, "--optimizer", "lbfgs", "--iters", "1", "--json", "--images",
            images, NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect_eq(json_num(r->out, "model", "beta"), 3, "beta from the file");
    const char *pngs[] = { "filters.png", "reconstructions.png" };
    for (int i = 0; i < 2; i++) {
        snprintf(png, sizeof png, "%s/%s", images, pngs[i]);
        cr_expect_eq(access(png, R_OK), 0, "--images wrote no %s", png);
        remove(png);
    }
    rmdir(images);
    cr_expect_eq(json_num(r->out, "test", "samples"), 359, "the held-out share from the file");
    r = run("train", "--data", "digits", "--init", save, "--beta", "0", "--optimizer", "lbfgs", "--iters", "1",
            "--json", NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect_eq(json_num(r->out, "model", "beta"), 0);
    cr_expect_not_null(strstr(r->err, "--beta 0 (file: 3)"), "%s", r->err);
    remove(save);
    rmdir(dir);
}

Test(cli, help_and_cpu_exit_0)
{
    const char *cmds[] = { "train", "eval", "cpu" };
    for (int i = 0; i < 3; i++) {
        Run *r = run(cmds[i], "--help", NULL);
        cr_expect_eq(r->code, 0, "%s --help", cmds[i]);
        cr_expect_not_null(strstr(r->out, "usage: saebench"), "%s --help", cmds[i]);
    }
    Run *r = run("cpu", "--cpumask", "scalar", NULL);
    cr_expect_eq(r->code, 0);
    cr_expect_not_null(strstr(r->out, "kernels built for: scalar"));
    cr_expect_not_null(strstr(r->out, "sae_gemm_nn_scalar_f32"));
    cr_expect_not_null(strstr(r->out, "adam_step"));
}

Test(cli, bad_input_exits_1_naming_the_file)
{
    expect_fail(run("train", "--data", "/nonexistent/x.npy", NULL), 1, "/nonexistent/x.npy: cannot open");
    char p[] = "/tmp/sae_cli_XXXXXX";
    const int fd = mkstemp(p);
    cr_assert_eq(write(fd, "1,2,3\n4,5\n", 10), 10);
    close(fd);
    Run *r = run("train", "--data", p, NULL);
    expect_fail(r, 1, "line 2: expected 3 fields, got 2");
    cr_expect_not_null(strstr(r->err, p));
    unlink(p);
    expect_fail(run("train", "--data", "gauss", "--loss", "bce", "--epochs", "1", NULL), 1,
                "loss bce needs targets in [0, 1]");
    expect_fail(run("eval", "--model", SAE_TEST_FIXTURES "/v01_model.npz", "--data", "digits", NULL), 1,
                "64 columns, but the model");
    expect_fail(run("eval", "--model", SAE_TEST_FIXTURES "/v01_X.npy", "--data", "digits", NULL), 1,
                "end-of-central-directory");
}

Test(cli, divergence_exits_3_and_writes_nothing)
{
    char dir[] = "/tmp/sae_div_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char save[512];
    snprintf(save, sizeof save, "%s/m.npz", dir);
    Run *r = run("train", "--data", "gauss", "--encoder", "relu", "--decoder", "linear", "--optimizer", "sgd", "--lr",
                 "1e6", "--epochs", "3", "--save", save, NULL);
    expect_fail(r, 3, "diverged");
    struct stat st;
    cr_expect_neq(stat(save, &st), 0, "no model may be written after divergence");
    rmdir(dir);
}

Test(cli, train_save_then_eval_agree)
{
    char dir[] = "/tmp/sae_rt_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char save[512];
    snprintf(save, sizeof save, "%s/m.npz", dir);
    Run *r = run("train", "--data", "digits", "--hidden", "16", "--beta", "3", "--rho", "0.1", "--epochs", "3",
                 "--test-fraction", "0.2", "--json", "--save", save, NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    const double train_loss = json_num(r->out, "train", "loss"), test_loss = json_num(r->out, "test", "loss");
    cr_expect_eq(json_num(r->out, "train", "samples"), 1438);
    /* more than the data set in double, far less than a gigabyte */
    const double rss = json_num(r->out, NULL, "peak_rss_bytes");
    cr_expect(rss > 1797.0 * 64 * 8 && rss < 1e9, "peak_rss_bytes %.0f", rss);
    r = run("eval", "--model", save, "--data", "digits", "--test-fraction", "0.2", "--json", NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(close_enough(json_num(r->out, "eval", "loss"), test_loss, 0, 1e-12), "eval %.17g vs train's test %.17g",
              json_num(r->out, "eval", "loss"), test_loss);
    cr_expect_not_null(strstr(r->out, "\"beta\":3"), "hyperparameters come from the model file");
    cr_expect_gt(json_num(r->out, NULL, "peak_rss_bytes"), 0);
    cr_expect_gt(train_loss, 0);
    unlink(save);
    rmdir(dir);
}

/* Writes vector name's model (with its hyperparameters) and X as files,
 * runs eval in double with --grads and compares everything. */
static void eval_vector(const char *name)
{
    char path[512], dir[] = "/tmp/sae_vec_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/%s.txt", SAE_TEST_VECTORS, name);
    VecFile vf;
    cr_assert_eq(vecfile_load(path, &vf), 0);
    SaeLayout l;
    sae_layout(&vf.cfg, &l);
    double *theta = calloc(l.total, sizeof(double));
    vecfile_theta(&vf, &l, theta);
    char model[600], data[600], grads[600];
    snprintf(model, sizeof model, "%s/m.npz", dir);
    snprintf(data, sizeof data, "%s/x.npy", dir);
    snprintf(grads, sizeof grads, "%s/g.npz", dir);
    SaeError e;
    cr_assert_eq(sae_model_save(model, &vf.cfg, theta, 0, NAN, &e), 0, "%s", e.msg);
    const VecArray *X = vecfile_array(&vf, "X");
    unsigned char *npy;
    size_t len;
    const size_t shape[2] = { X->rows, X->cols };
    cr_assert_eq(sae_npy_encode(SAE_DT_F64, 2, shape, X->v, &npy, &len), 0);
    FILE *f = fopen(data, "wb");
    fwrite(npy, 1, len, f);
    fclose(f);
    free(npy);

    Run *r = run("eval", "--model", model, "--data", data, "--precision", "double", "--json", "--grads", grads, NULL);
    cr_assert_eq(r->code, 0, "%s: %s", name, r->err);
    const char *terms[][2] = { { "loss", "loss" },
                               { "recon", "term_recon" },
                               { "l2_weighted", "term_l2" },
                               { "l1w_weighted", "term_l1w" },
                               { "l1a_weighted", "term_l1a" },
                               { "kl_weighted", "term_kl" },
                               { "cae_weighted", "term_cae" } };
    for (int i = 0; i < 7; i++) {
        const double got = json_num(r->out, "eval", terms[i][0]), want = vecfile_scalar(&vf, terms[i][1]);
        cr_expect(close_enough(got, want, 1e-12, 1e-10), "%s: %s = %.17g, want %.17g", name, terms[i][0], got, want);
    }
    /* each weighted penalty is its weight times the unweighted one */
    const double kl_u = json_num(r->out, "eval", "kl_unweighted"), beta = vf.cfg.beta;
    cr_expect(close_enough(beta * kl_u, vecfile_scalar(&vf, "term_kl"), 1e-12, 1e-10), "%s: beta * kl_unweighted",
              name);
    SaeNpz z;
    cr_assert_eq(sae_npz_read(grads, &z, &e), 0, "%s", e.msg);
    const char *gnames[] = { "gW1", "gW2", "gb1", "gb2" };
    for (int p = 0; p < 4; p++) {
        const VecArray *want = vecfile_array(&vf, gnames[p]);
        SaeNpy a;
        const int rc = sae_npz_get(&z, grads, gnames[p], &a, &e);
        if (!want) {
            cr_expect_eq(rc, 1, "%s: %s should be absent (tied)", name, gnames[p]);
            continue;
        }
        cr_assert_eq(rc, 0, "%s: %s missing", name, gnames[p]);
        cr_assert_eq(a.count, want->rows * want->cols);
        for (size_t i = 0; i < a.count; i++)
            cr_expect(close_enough(sae_npy_get(&a, i), want->v[i], 1e-12, 1e-10), "%s: %s[%zu] = %.17g, want %.17g",
                      name, gnames[p], i, sae_npy_get(&a, i), want->v[i]);
    }
    sae_npz_free(&z);
    vecfile_free(&vf);
    free(theta);
    unlink(model);
    unlink(data);
    unlink(grads);
    rmdir(dir);
}

Test(cli, eval_reproduces_every_reference_vector)
{
    const char *v[] = { "v01_ufldl_sigmoid_sigmoid_mse_kl_l2", "v02_sigmoid_linear_mse_kl_l2",
                        "v03_sigmoid_sigmoid_bce_tied_cae",    "v04_tanh_linear_mse_cae",
                        "v05_relu_linear_mse_l1act",           "v06_relu_sigmoid_bce_l1w_l2",
                        "v07_tanh_sigmoid_mse_kl_rescale_tied" };
    for (int i = 0; i < 7; i++) eval_vector(v[i]);
}

Test(cli, eval_numpy_model_with_flag_overrides)
{
    Run *r = run("eval", "--model", SAE_TEST_FIXTURES "/v01_model.npz", "--data", SAE_TEST_FIXTURES "/v01_X.npy",
                 "--beta", "3", "--rho", "0.01", "--lambda", "1e-4", "--precision", "double", "--json", NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(close_enough(json_num(r->out, "eval", "loss"), 8.476269128705587, 1e-12, 1e-10));
    cr_expect(close_enough(json_num(r->out, "eval", "kl_weighted"), 8.321301113569497, 1e-12, 1e-10));
    /* float32 data and float precision: within float tolerance */
    r = run("eval", "--model", SAE_TEST_FIXTURES "/v01_model.npz", "--data", SAE_TEST_FIXTURES "/v01_X_f32.npy",
            "--beta", "3", "--rho", "0.01", "--lambda", "1e-4", "--json", NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect(close_enough(json_num(r->out, "eval", "loss"), 8.476269128705587, 1e-5, 1e-4));
}

/* A W1 saved transposed (input x hidden) is named as such, not blamed on
 * b1; --help shows the enum defaults; a double run's JSON says which
 * kernels double runs. */
Test(cli, transposed_w1_help_defaults_double_isa)
{
    char dir[] = "/tmp/sae_t_XXXXXX", path[64];
    cr_assert_not_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/t.npz", dir);
    enum { N = 64, K = 5 };
    static double w1t[N * K], b1[K], w2[N * K], b2[N];
    SaeNpz z = { 0 };
    const size_t s1[2] = { N, K }, s2[1] = { K }, s3[2] = { N, K }, s4[1] = { N };
    cr_assert_eq(sae_npz_add_array(&z, "W1", SAE_DT_F64, 2, s1, w1t), 0);
    cr_assert_eq(sae_npz_add_array(&z, "b1", SAE_DT_F64, 1, s2, b1), 0);
    cr_assert_eq(sae_npz_add_array(&z, "W2", SAE_DT_F64, 2, s3, w2), 0);
    cr_assert_eq(sae_npz_add_array(&z, "b2", SAE_DT_F64, 1, s4, b2), 0);
    SaeError e;
    cr_assert_eq(sae_npz_write(path, &z, &e), 0, "%s", e.msg);
    sae_npz_free(&z);
    expect_fail(run("eval", "--model", path, "--data", "digits", NULL), 1, "W1 looks transposed");
    remove(path);
    rmdir(dir);
    Run *r = run("train", "--help", NULL);
    cr_expect_not_null(strstr(r->out, "--encoder sigmoid|tanh|relu|jumprelu encoder activation f"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "with --l0-penalty) [default sigmoid]"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, "rescale|raw"), "%s", r->out);
    r = run("train", "--data", "digits", "--hidden", "4", "--epochs", "1", "--precision", "double", "--json", NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect_not_null(strstr(r->out, "\"isa\":\"double: gemm "), "%s", r->out);
}

/* The default thread count leaves busy cores alone: a team that waits for
 * a busy core at every parallel region made one L-BFGS run 20x slower. */
Test(cli, default_threads_leave_busy_cores)
{
    cr_expect_eq(sae_threads_for_load(2, 0.0), 2);
    cr_expect_eq(sae_threads_for_load(2, 0.4), 2);
    cr_expect_eq(sae_threads_for_load(2, 1.0), 1);
    cr_expect_eq(sae_threads_for_load(2, 3.7), 1);
    cr_expect_eq(sae_threads_for_load(8, 2.6), 5);
}

Test(cli, same_seed_same_output)
{
    char a[1 << 16];
    Run *r = run("train", "--data", "digits", "--hidden", "8", "--epochs", "2", NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    snprintf(a, sizeof a, "%s", strchr(r->out, '\n')); /* after the header with the revision */
    r = run("train", "--data", "digits", "--hidden", "8", "--epochs", "2", NULL);
    /* the time differs; the loss lines must not */
    const char *la = strstr(a, "train ("), *lb = strstr(r->out, "train (");
    cr_assert(la && lb);
    cr_expect_str_eq(la, lb);
}

Test(cli, sigint_stops_training_and_keeps_the_weights)
{
    char dir[] = "/tmp/sae_int_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    char save[512];
    snprintf(save, sizeof save, "%s/m.npz", dir);
    const pid_t pid = fork();
    if (pid == 0) {
        const int devnull = open("/dev/null", O_WRONLY);
        dup2(devnull, 1);
        dup2(devnull, 2);
        execl(SAEBENCH_EXE, SAEBENCH_EXE, "train", "--data", "digits", "--epochs", "1000000", "--save", save,
              (char *)NULL);
        _exit(127);
    }
    nanosleep(&(struct timespec){ .tv_sec = 0, .tv_nsec = 700000000 }, NULL);
    kill(pid, SIGINT);
    int st;
    waitpid(pid, &st, 0);
    cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 130, "exit status %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    SaeConfig c = sae_config_default();
    double *th;
    int f32;
    SaeError e;
    cr_expect_eq(sae_model_load(save, &c, &th, &f32, &e), 0, "the interrupted run's model: %s", e.msg);
    free(th);
    unlink(save);
    rmdir(dir);
}

/* `saebench tune` writes this CPU's tune file; every command reads it
 * (cpu says so, per slot); a corrupt or stale one is ignored with a
 * one-line warning; SAE_TUNE_FILE=off and --no-tune-file ignore it, and
 * so do their old spellings SAE_WISDOM=off and --no-wisdom. */
Test(cli, tune_file_written_read_and_refused)
{
    char dir[] = "/tmp/sae_tune_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    setenv("XDG_CACHE_HOME", dir, 1);
    unsetenv("SAE_TUNE_FILE");
    unsetenv("SAE_WISDOM");
    Run *r = run("cpu", NULL);
    cr_expect_not_null(strstr(r->out, "none (saebench tune writes it)"), "%s", r->out);
    r = run("tune", "--quick", "--rounds", "1", "--model", "40,24,16", NULL);
    if (r->code == 2 && strstr(r->err, "nothing to tune")) /* no SIMD level on this CPU or build */
        return;
    cr_assert_eq(r->code, 0, "%s", r->err);
    char path[512];
    const char *w = strstr(r->out, "wrote ");
    cr_assert_not_null(w);
    snprintf(path, sizeof path, "%.*s", (int)strcspn(w + 6, "\n"), w + 6);
    cr_expect_eq(strncmp(path, dir, strlen(dir)), 0, "written under XDG_CACHE_HOME: %s", path);
    /* an emulated avx512 level is never tuned: the slots keep its probe tile */
    const int emulated = strstr(r->out, "emulated") != NULL;
    r = run("cpu", NULL);
    cr_expect_not_null(strstr(r->out, ": read"), "%s", r->out);
    cr_expect_not_null(strstr(r->out, emulated ? "(tune file)" : "tune file]"),
                       "the GEMM slots say where their tile came from: %s", r->out);
    const char *off[] = { "--no-tune-file", "--no-wisdom" };
    for (int i = 0; i < 2; i++) {
        r = run("cpu", off[i], NULL);
        cr_expect_null(strstr(r->out, "tune file]"), "%s: %s", off[i], r->out);
        cr_expect_null(strstr(r->out, "(tune file)"), "%s: %s", off[i], r->out);
        cr_expect_not_null(strstr(r->out, "ignored (SAE_TUNE_FILE=off"), "%s: %s", off[i], r->out);
    }
    setenv("SAE_WISDOM", "off", 1);
    r = run("cpu", NULL);
    cr_expect_not_null(strstr(r->out, "ignored (SAE_TUNE_FILE=off"), "SAE_WISDOM=off: %s", r->out);
    unsetenv("SAE_WISDOM");
    /* corrupt: a tile this build lacks */
    FILE *f = fopen(path, "a");
    cr_assert_not_null(f);
    fputs("avx2 avx2_99x16 kc=256 mc=168 nc=4096\n", f);
    fclose(f);
    r = run("cpu", NULL);
    cr_expect_eq(r->code, 0);
    cr_expect_not_null(strstr(r->err, "not a tile of level avx2"), "%s", r->err);
    cr_expect_not_null(strstr(r->err, path), "the warning names the file: %s", r->err);
    cr_expect_null(strstr(r->out, "tune file]"), "%s", r->out);
    /* stale: written on another CPU */
    f = fopen(path, "w");
    cr_assert_not_null(f);
    fputs("saebench-tune 1\ncpu SomeOtherVendor family 1 model 2 stepping 3, X\n", f);
    fclose(f);
    r = run("train", "--epochs", "1", NULL);
    cr_expect_eq(r->code, 0, "%s", r->err);
    cr_expect_not_null(strstr(r->err, "stale: written on another CPU"), "%s", r->err);
    unlink(path);
    *strrchr(path, '/') = 0;
    rmdir(path);
    rmdir(dir);
}

/* --latents: one line per unit; the firing densities sum to the l0 metric of
 * the same held-out rows (both count the non-zero activations). */
Test(cli, latents_table_sums_to_l0)
{
    char dir[] = "/tmp/sae_lat_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    Run *r = run("train", "--data", "digits", "--encoder", "relu", "--decoder", "linear", "--hidden", "16", "--k", "3",
                 "--epochs", "2", "--test-fraction", "0.3", "--json", "--metrics", "--latents", dir, NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    char path[600], line[512];
    snprintf(path, sizeof path, "%s/latents.csv", dir);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f, "no %s", path);
    cr_assert_not_null(fgets(line, sizeof line, f));
    cr_expect_str_eq(line, "unit,density,mean,max,encoder_norm,decoder_norm\n");
    double sum = 0;
    size_t units = 0;
    while (fgets(line, sizeof line, f)) {
        size_t j;
        double d;
        cr_assert_eq(sscanf(line, "%zu,%lf", &j, &d), 2, "%s", line);
        cr_expect(j == units && d >= 0 && d <= 1, "%s", line);
        sum += d;
        units++;
    }
    fclose(f);
    cr_expect_eq(units, 16u);
    const double l0 = json_num(r->out, "metrics", "l0");
    cr_expect(fabs(sum - l0) < 1e-6 * l0, "densities sum to %.9g, l0 %.9g", sum, l0);
    remove(path);
    snprintf(path, sizeof path, "%s/density.svg", dir);
    cr_expect_eq(access(path, R_OK), 0, "no density.svg");
    remove(path);
    rmdir(dir);
}
