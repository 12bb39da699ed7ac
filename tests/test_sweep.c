/* The experiment harness: INI parsing and grid expansion (good and bad
 * files), metrics on hand-computed inputs, the probe on separable data, the
 * PNG and SVG writers, and whole sweeps: resume after a kill, Ctrl-C,
 * determinism, refusing to overwrite. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/metrics.h"
#include "core/io/npz.h"
#include "core/probe.h"
#include "experiments/report/png.h"
#include "experiments/report/svg.h"
#include "experiments/sweep/results.h"
#include "experiments/sweep/run.h"
#include "experiments/sweep/summary.h"
#include "experiments/sweep/sweep_config.h"
#include "sae_config.h"
#include "tests/common.h"
#include "tests/runcmd.h"

#if SAE_HAVE_ZLIB
#include <zlib.h>
#endif

/* Writes text to a new temporary file; returns its path (static). */
static const char *temp_file(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/sae_ini_XXXXXX");
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    return path;
}

/* The sweep file of text, read (it must be valid); malloc'd. */
static SaeSweepConfig *config_of(const char *text)
{
    const char *path = temp_file(text);
    SaeSweepConfig *c = malloc(sizeof *c);
    SaeError e;
    cr_assert_eq(sae_sweep_config_read(path, c, &e), 0, "%s", e.msg);
    unlink(path);
    return c;
}

static void expect_config_error(const char *text, const char *frag1, const char *frag2)
{
    const char *path = temp_file(text);
    SaeSweepConfig *c = malloc(sizeof *c);
    SaeError e;
    cr_expect_eq(sae_sweep_config_read(path, c, &e), -1, "accepted: %s", text);
    cr_expect_not_null(strstr(e.msg, frag1), "'%s' lacks '%s'", e.msg, frag1);
    cr_expect_not_null(strstr(e.msg, frag2), "'%s' lacks '%s'", e.msg, frag2);
    cr_expect_not_null(strstr(e.msg, path), "'%s' does not name the file", e.msg);
    unlink(path);
    free(c);
}

Test(ini, grid_expansion_and_ranges)
{
    SaeSweepConfig *c = config_of("# a comment\n[base]\ndata = gauss\n  ; an indented comment\nhidden = 7\nseeds = 2\n"
                                  "[sweep]\nbeta = logspace(-2, 0, 3)\nrho = linspace(0.1, 0.3, 3)\n"
                                  "encoder = sigmoid, tanh\n");
    SaeError e;
    cr_expect_eq(c->n_axes, 3u);
    cr_expect_str_eq(c->axes[0].values[0], "0.01");
    cr_expect_str_eq(c->axes[0].values[1], "0.1");
    cr_expect_str_eq(c->axes[0].values[2], "1");
    cr_expect_str_eq(c->axes[1].values[1], "0.2");
    cr_expect_eq(c->seeds, 2u);
    cr_expect_eq(sae_sweep_size(c), 3u * 3u * 2u * 2u);
    /* the last axis varies fastest, the seed fastest of all */
    SaeRunSpec s;
    cr_assert_eq(sae_sweep_point(c, 0, &s, NULL, &e), 0, "%s", e.msg);
    cr_expect(s.model.beta == 0.01 && s.model.rho == 0.1 && s.model.encoder == SAE_ACT_SIGMOID);
    cr_expect(s.model.n_hidden == 7 && s.train.seed == 42);
    cr_assert_eq(sae_sweep_point(c, 1, &s, NULL, &e), 0);
    cr_expect(s.train.seed == 43 && s.model.encoder == SAE_ACT_SIGMOID);
    cr_assert_eq(sae_sweep_point(c, 2, &s, NULL, &e), 0);
    cr_expect(s.model.encoder == SAE_ACT_TANH && s.train.seed == 42);
    cr_assert_eq(sae_sweep_point(c, 35, &s, NULL, &e), 0);
    cr_expect(s.model.beta == 1 && fabs(s.model.rho - 0.3) < 1e-12 && s.model.encoder == SAE_ACT_TANH);
    /* --set replaces an axis and adds one */
    cr_assert_eq(sae_sweep_config_set(c, "beta=0,3", &e), 0, "%s", e.msg);
    cr_assert_eq(sae_sweep_config_set(c, "hidden=5,9", &e), 0, "%s", e.msg);
    cr_expect_eq(c->n_axes, 4u);
    cr_expect_eq(sae_sweep_size(c), 2u * 3u * 2u * 2u * 2u);
    free(c);
}

/* Comments are whole lines: a value keeps '#' and ';' (a path may hold
 * them), so a trailing "; comment" is part of the value and fails its
 * check instead of being cut silently. */
Test(ini, comments_are_whole_lines)
{
    SaeSweepConfig *c = config_of("[base]\ndata = runs#1;a.csv\n[sweep]\nhidden = 5\n");
    cr_expect_str_eq(c->base[0].value, "runs#1;a.csv");
    free(c);
    expect_config_error("[base]\nhidden = 7 ; seven\n", ":2", "hidden");
    expect_config_error("[base]\n[sweep]\nlambda = logspace(0, 1, 2)junk\n", ":3", "malformed range");
}

/* [only-if] skips the points that differ only in an axis with no effect;
 * splits = N re-draws the held-out split per replicate. */
Test(ini, only_if_and_splits)
{
    SaeSweepConfig *c = config_of("[base]\ndata = digits\nseeds = 2\nsplits = 3\n[sweep]\nbeta = 0, 3\n"
                                  "rho = 0.01, 0.1\n[only-if]\nrho = beta != 0\n");
    SaeError e;
    cr_expect_eq(sae_sweep_replicates(c), 6u);
    cr_expect_eq(sae_sweep_size(c), 2u * 2u * 6u);
    SaeRunSpec s;
    unsigned na;
    size_t runs = 0;
    for (size_t i = 0; i < sae_sweep_size(c); i++) {
        const int rc = sae_sweep_point(c, i, &s, &na, &e);
        cr_assert_geq(rc, 0, "%s", e.msg);
        runs += rc == 0;
        if (i / 6 == 0) { /* beta 0, rho's first value: run, rho n/a at its [base] value */
            cr_expect(rc == 0 && na == 2u && s.model.rho == 0.05, "point %zu: rc %d na %u rho %g", i, rc, na,
                      s.model.rho);
            cr_expect_eq(s.data.split, i % 6 / 2, "point %zu: split", i);
            cr_expect_eq(s.train.seed, 42 + i % 2, "point %zu: seed", i);
        }
        if (i / 6 == 1) /* beta 0, rho 0.1: not a run */
            cr_expect_eq(rc, 1);
        if (i / 6 == 3)
            cr_expect(rc == 0 && na == 0 && s.model.rho == 0.1 && s.model.beta == 3);
    }
    cr_expect_eq(runs, 3u * 6u);
    free(c);
    const char *bad[][2] = { { "[sweep]\nbeta = 0, 3\n[only-if]\nrho = beta != 0\n", "not an axis" },
                             { "[sweep]\nrho = 0.1, 0.2\n[only-if]\nrho = beta > 0\n", "SETTING != VALUE' or" },
                             { "[sweep]\nrho = 0.1, 0.2\n[only-if]\nrho = betta != 0\n", "not another train option" } };
    for (int i = 0; i < 3; i++) expect_config_error(bad[i][0], bad[i][1], ":4:");
}

/* SETTING == 0 and several conditions: the frontier sweeps' mechanisms one
 * at a time, never two together: k, then the L1 weight where k = 0, then
 * beta where both are 0. Point order: k outer, then l1, beta inner. */
Test(ini, only_if_zero_and_all_conditions)
{
    SaeSweepConfig *c = config_of("[base]\ndata = digits\nencoder = relu\n[sweep]\nk = 0, 8\n"
                                  "l1_activity = 0, 0.1\nbeta = 0, 3\n[only-if]\nl1_activity = k == 0\n"
                                  "beta = k == 0, l1_activity == 0\n");
    SaeError e;
    SaeRunSpec s;
    unsigned na;
    const int want_rc[] = { 0, 0, 0, 1, 0, 1, 1, 1 };
    for (size_t i = 0; i < 8; i++) {
        const int rc = sae_sweep_point(c, i, &s, &na, &e);
        cr_expect_eq(rc, want_rc[i], "point %zu: rc %d", i, rc);
        if (rc == 0) /* at most one mechanism on */
            cr_expect((s.model.topk != 0) + (s.model.l1_activity != 0) + (s.model.beta != 0) <= 1,
                      "point %zu: k %zu l1 %g beta %g", i, s.model.topk, s.model.l1_activity, s.model.beta);
    }
    free(c);
    expect_config_error("[sweep]\nk = 0, 8\nbeta = 0, 3\n[only-if]\nbeta = k == 0, k != 0, k == 0, k == 0\n",
                        "at most 3", ":5:");
}

/* SETTING == NAME: an axis for one encoder only (beta for sigmoid), and a
 * value the setting does not take is refused at the line. */
Test(ini, only_if_named_value)
{
    SaeSweepConfig *c = config_of("[base]\ndata = digits\n[sweep]\nencoder = relu, sigmoid\nbeta = 0, 3\n"
                                  "[only-if]\nbeta = encoder == sigmoid\n");
    SaeError e;
    SaeRunSpec s;
    const int want_rc[] = { 0, 1, 0, 0 };
    for (size_t i = 0; i < 4; i++) {
        const int rc = sae_sweep_point(c, i, &s, NULL, &e);
        cr_expect_eq(rc, want_rc[i], "point %zu: rc %d", i, rc);
        if (rc == 0)
            cr_expect(s.model.beta == (i == 3 ? 3 : 0), "point %zu: beta %g", i, s.model.beta);
    }
    free(c);
    expect_config_error("[sweep]\nencoder = relu, tanh\nbeta = 0, 3\n[only-if]\nbeta = encoder == sigmod\n",
                        "--encoder", ":5:");
}

/* The paired comparison of summary.md / comparisons.csv on rows made up so
 * that the answer is known: beta 3 adds 1.0, 1.1 and 0.9 to the three
 * seeds' recon (mean 1, sd 0.1: half-width t(2) 0.1 / sqrt 3); beta 0.3
 * adds 0.06, -0.04 and 0.06 (within noise). */
Test(summary, paired_comparison_by_hand)
{
    SaeSweepConfig *c = config_of("[base]\ndata = digits\nseeds = 3\n[sweep]\nbeta = 0, 0.3, 3\n");
    SaeError e;
    SaeRows rows;
    sae_rows_init(&rows);
    const double recon[9] = { 5.0, 6.0, 7.0, 5.06, 5.96, 7.06, 6.0, 7.1, 7.9 };
    char **vals = calloc(rows.n_cols, sizeof *vals);
    for (size_t i = 0; i < 9; i++) {
        SaeRunSpec s;
        cr_assert_eq(sae_sweep_point(c, i, &s, NULL, &e), 0);
        char id[17], v[32];
        sae_run_id(&s, id);
        snprintf(v, sizeof v, "%.17g", recon[i]);
        for (size_t k = 0; k < rows.n_cols; k++) vals[k] = "";
        vals[sae_rows_col(&rows, "run_id")] = id;
        vals[sae_rows_col(&rows, "status")] = "ok";
        vals[sae_rows_col(&rows, "recon_per_sample")] = v;
        vals[sae_rows_setting_col(&rows, "beta")] = c->axes[0].values[i / 3];
        cr_assert_eq(sae_rows_add(&rows, vals), 0);
    }
    char dir[] = "/tmp/sae_cmp_XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    cr_assert_eq(sae_report_write(dir, "t.ini", c, &rows, &e), 0, "%s", e.msg);
    char csv[256], buf[4096] = "";
    snprintf(csv, sizeof csv, "%s/comparisons.csv", dir);
    FILE *f = fopen(csv, "r");
    cr_assert_not_null(f);
    buf[fread(buf, 1, sizeof buf - 1, f)] = 0;
    fclose(f);
    char want[160];
    snprintf(want, sizeof want, "beta,3,0,\"\",recon_per_sample,%.9g,%.9g,3,higher", 1.0, 4.303 * 0.1 / sqrt(3.0));
    cr_expect_not_null(strstr(buf, want), "'%s' lacks '%s'", buf, want);
    cr_expect_not_null(strstr(buf, "beta,0.3,0,\"\",recon_per_sample,0.0266666667,"), "%s", buf);
    cr_expect_not_null(strstr(buf, ",3,within noise"), "%s", buf);
    free(vals);
    sae_rows_free(&rows);
    free(c);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -r %s", dir);
    cr_expect_eq(system(cmd), 0);
}

Test(ini, bad_files_name_the_line)
{
    expect_config_error("[base]\nbogus = 1\n", ":2:", "unknown key 'bogus'");
    expect_config_error("[base]\ndata = gauss\n[sweep]\nbeta = 0,,3\n", ":4:", "empty value");
    expect_config_error("[sweep]\nbeta = logspace(-3, 1)\n", ":2:", "malformed range");
    expect_config_error("[sweep]\nbeta = linspace(0, 1, 0)\n", ":2:", "1 to 64 points");
    expect_config_error("[sweep]\nrho = 0.1, 2\n", ":2:", "--rho must be in (0, 1), got 2");
    expect_config_error("[sweep]\nbeta = -1\n", ":2:", "--beta must be >= 0");
    expect_config_error("[grid]\nbeta = 1\n", ":1:", "unknown section");
    expect_config_error("beta = 1\n", ":1:", "before any [base] or [sweep]");
    expect_config_error("[base]\nhidden\n", ":2:", "expected key = value");
    expect_config_error("[base]\nseeds = 0\n", ":2:", "seeds expects");
    expect_config_error("[sweep]\nbeta =\n", ":2:", "has no value");
    expect_config_error("[sweep]\nsave = a,b\n", ":2:", "unknown sweep key");
}

Test(ini, bundled_configs_parse)
{
    const char *names[] = { "seed", "ufldl-patches", "digits", "fashion-mnist", "contractive", "kernels" };
    for (int i = 0; i < 6; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s.ini", SAE_TEST_CONFIGS, names[i]);
        SaeSweepConfig *c = malloc(sizeof *c);
        SaeError e;
        cr_expect_eq(sae_sweep_config_read(path, c, &e), 0, "%s: %s", names[i], e.msg);
        cr_expect_gt(sae_sweep_size(c), 1u, "%s", names[i]);
        free(c);
    }
}

/* One sample, two inputs, two hidden sigmoid units, hand-computed. */
Test(metrics, hand_computed)
{
    SaeConfig c = sae_config_default();
    c.n_in = 2;
    c.n_hidden = 2;
    c.rho = 0.1;
    const double theta[] = { 1, 2, 0, 3 }; /* W1 rows (1, 2) and (0, 3): r = 5, 9 */
    const double x[] = { 0.5, 1.0, 0.0, 0.0 }, xh[] = { 0.4, 1.3, 0.0, 0.2 };
    const double h[] = { 0.5, 0.02, 0.9, 0.0005 };
    SaeMetrics m;
    sae_metrics(&c, theta, &(SaeSamples){ .x = x, .m = 2 }, h, xh, &m);
    /* squared errors 0.01 + 0.09 + 0 + 0.04 = 0.14 */
    cr_expect(close_enough(m.recon_per_sample, 0.5 * 0.14 / 2, 1e-15, 0));
    cr_expect(close_enough(m.mse_per_element, 0.14 / 4, 1e-15, 0));
    /* centred variance: columns (0.5, 0) and (1, 0) about 0.25 and 0.5 */
    cr_expect(close_enough(m.fvu, 0.14 / (2 * 0.0625 + 2 * 0.25), 1e-15, 0), "fvu %g", m.fvu);
    cr_expect_eq(m.l0, 2.0, "every activation is non-zero: 4 over 2 rows");
    /* row 2's x is 0: only row 1 has a direction and a length */
    const double dot = 0.5 * 0.4 + 1.0 * 1.3, nx = sqrt(0.25 + 1.0), nh = sqrt(0.16 + 1.69);
    cr_expect(close_enough(m.cosine, dot / (nx * nh), 1e-15, 0), "cosine %g", m.cosine);
    cr_expect(close_enough(m.l2_ratio, nh / nx, 1e-15, 0), "l2_ratio %g", m.l2_ratio);
    cr_expect(close_enough(m.nmse, (0.01 + 0.09) / 1.25, 1e-15, 0), "nmse %g: row 1's error over its norm", m.nmse);
    cr_expect(close_enough(m.rho_mean, (0.7 + 0.01025) / 2, 1e-15, 0));
    cr_expect(close_enough(m.rho_min, 0.01025, 1e-15, 0) && close_enough(m.rho_max, 0.7, 1e-15, 0));
    cr_expect(close_enough(m.rho_abs_dev, (0.6 + 0.08975) / 2, 1e-15, 0));
    cr_expect(close_enough(m.frac_near_zero, 2.0 / 4, 0, 0)); /* 0.02 and 0.0005 */
    cr_expect(close_enough(m.dead_frac, 0, 0, 0));            /* unit 2 peaks at 0.02 > 1e-3 */
    cr_expect(close_enough(m.sat_frac, 2.0 / 4, 0, 0));       /* 0.02 and 0.0005 */
    /* ||J||^2 = sum_j (h(1-h))^2 r_j */
    const double j1 = pow(0.25, 2) * 5 + pow(0.02 * 0.98, 2) * 9, j2 = pow(0.09, 2) * 5 + pow(0.0005 * 0.9995, 2) * 9;
    cr_expect(close_enough(m.jac_norm, (sqrt(j1) + sqrt(j2)) / 2, 1e-14, 0));
    cr_expect(close_enough(m.jac_norm_sq, (j1 + j2) / 2, 1e-14, 0));
}

Test(metrics, dead_relu_units)
{
    SaeConfig c = sae_config_default();
    c.n_in = 1;
    c.n_hidden = 3;
    c.encoder = SAE_ACT_RELU;
    const double theta[] = { 1, 1, 1 }, x[] = { 1, 1 }, xh[] = { 1, 1 };
    const double h[] = { 0, 2, 0.01, 0, 0, 0.5 };
    SaeMetrics m;
    sae_metrics(&c, theta, &(SaeSamples){ .x = x, .m = 2 }, h, xh, &m);
    cr_expect(close_enough(m.dead_frac, 1.0 / 3, 1e-15, 0)); /* unit 1 never fires */
    cr_expect(close_enough(m.frac_near_zero, 4.0 / 6, 1e-15, 0));
    cr_expect_eq(m.l0, 1.5, "three non-zero activations over two rows");
    cr_expect(isnan(m.fvu), "constant rows: nothing to explain");
}

/* Treves-Rolls is undefined on an all-zero set: silent units and samples
 * are left out of the averages and counted, not scored as dense. */
Test(metrics, silent_units_and_samples_are_excluded)
{
    SaeConfig c = sae_config_default();
    c.n_in = 1;
    c.n_hidden = 3;
    c.encoder = SAE_ACT_RELU;
    const double theta[] = { 1, 1, 1 }, x[] = { 1, 1, 1 }, xh[] = { 1, 1, 1 };
    /* rows: (0 0 0) silent; (2 0 0) one-hot; (2 0 2). Unit 1 is silent. */
    const double h[] = { 0, 0, 0, 2, 0, 0, 2, 0, 2 };
    SaeMetrics m;
    sae_metrics(&c, theta, &(SaeSamples){ .x = x, .m = 3 }, h, xh, &m);
    cr_expect(close_enough(m.silent_sample_frac, 1.0 / 3, 1e-15, 0));
    cr_expect(close_enough(m.silent_unit_frac, 1.0 / 3, 1e-15, 0));
    /* population over the two rows with activity: one-hot (1) and two of three on (0.5) */
    cr_expect(close_enough(m.population_sparsity, (1.0 + 0.5) / 2, 1e-15, 0), "%g", m.population_sparsity);
    /* lifetime over units 0 (0,2,2: 0.5) and 2 (0,0,2: 1) */
    cr_expect(close_enough(m.lifetime_sparsity, (0.5 + 1.0) / 2, 1e-15, 0), "%g", m.lifetime_sparsity);
    const double none[] = { 0, 0, 0, 0, 0, 0, 0, 0, 0 };
    sae_metrics(&c, theta, &(SaeSamples){ .x = x, .m = 3 }, none, xh, &m);
    cr_expect(isnan(m.lifetime_sparsity) && isnan(m.population_sparsity));
    cr_expect_eq(m.silent_unit_frac, 1.0);
}

/* Treves-Rolls on general values, both directions, with the 1/(1 - 1/N)
 * normalisation written out: N = 2 rows for a unit, N = 3 units for a row. */
Test(metrics, treves_rolls_by_hand)
{
    SaeConfig c = sae_config_default(); /* sigmoid: a = h */
    c.n_in = 1;
    c.n_hidden = 3;
    const double theta[] = { 1, 1, 1 }, x[] = { 1, 1 }, xh[] = { 1, 1 };
    const double h[] = { 0.2, 0.4, 0.8, 0.6, 0.6, 0.1 };
    SaeMetrics m;
    sae_metrics(&c, theta, &(SaeSamples){ .x = x, .m = 2 }, h, xh, &m);
    /* S = (1 - (mean a)^2 / mean a^2) / (1 - 1/N) */
    const double life0 = (1 - pow(0.4, 2) / ((0.04 + 0.36) / 2)) / (1 - 1.0 / 2);  /* 0.2, 0.6 */
    const double life1 = (1 - pow(0.5, 2) / ((0.16 + 0.36) / 2)) / (1 - 1.0 / 2);  /* 0.4, 0.6 */
    const double life2 = (1 - pow(0.45, 2) / ((0.64 + 0.01) / 2)) / (1 - 1.0 / 2); /* 0.8, 0.1 */
    const double pop0 = (1 - pow(1.4 / 3, 2) / ((0.04 + 0.16 + 0.64) / 3)) / (1 - 1.0 / 3);
    const double pop1 = (1 - pow(1.3 / 3, 2) / ((0.36 + 0.36 + 0.01) / 3)) / (1 - 1.0 / 3);
    cr_expect(close_enough(m.lifetime_sparsity, (life0 + life1 + life2) / 3, 1e-14, 0), "%g", m.lifetime_sparsity);
    cr_expect(close_enough(m.population_sparsity, (pop0 + pop1) / 2, 1e-14, 0), "%g", m.population_sparsity);
}

/* The probe's class biases: one constant feature of 0 carries nothing, so
 * only the biases can learn that 3 rows in 4 are class 1 (accuracy 0.75;
 * without biases every logit is 0 and the first class wins: 0.25). */
Test(probe, biases_learn_the_class_prior)
{
    enum { M = 40 };
    double f[M] = { 0 }, ft[M] = { 0 };
    int y[M], yt[M];
    for (int i = 0; i < M; i++) y[i] = yt[i] = i % 4 != 0;
    SaeProbeResult r;
    cr_assert_eq(sae_probe(test_kernels(), f, y, M, ft, yt, M, 1, 2, 1e-4, 100, &r), 0);
    cr_expect_eq(r.train_acc, 0.75);
    cr_expect_eq(r.test_acc, 0.75);
}

/* The tuned probe refits the lambda it chose, so its result is the fixed
 * probe's at that lambda; with one lambda nothing is held out. */
/* Three classes of m rows in d features, each a blob of the given spread
 * around a corner at distance sep; different wobble for train and test. */
static void blobs(int m, int d, double sep, double spread, double *f, double *ft, int *y, int *yt)
{
    for (int i = 0; i < m; i++) {
        y[i] = yt[i] = i % 3;
        for (int j = 0; j < d; j++) {
            f[i * d + j] = (j == y[i] ? sep : 0.0) + spread * sin(i * 1.7 + j);
            ft[i * d + j] = (j == yt[i] ? sep : 0.0) + spread * cos(i * 2.3 + j);
        }
    }
}

Test(probe, tuned_refits_its_choice)
{
    enum { M = 120, D = 4 };
    static double f[M * D], ft[M * D];
    static int y[M], yt[M];
    blobs(M, D, 1.0, 0.8, f, ft, y, yt); /* overlapping: the decay matters */
    const double lambdas[] = { 1e-4, 1e-2, 1 };
    SaeProbeResult t, p;
    cr_assert_eq(sae_probe_tuned(test_kernels(), f, y, M, ft, yt, M, D, 3, lambdas, 3, 200, &t), 0);
    cr_expect(t.lambda == 1e-4 || t.lambda == 1e-2 || t.lambda == 1);
    cr_expect(t.val_acc >= 0 && t.val_acc <= 1);
    cr_assert_eq(sae_probe(test_kernels(), f, y, M, ft, yt, M, D, 3, t.lambda, 200, &p), 0);
    cr_expect_eq(t.test_acc, p.test_acc);
    cr_expect(isnan(p.val_acc) && p.lambda == t.lambda);
}

Test(probe, separable_toy_data)
{
    enum { M = 90, D = 3 };
    static double f[M * D], ft[M * D];
    static int y[M], yt[M];
    blobs(M, D, 2.0, 0.3, f, ft, y, yt);
    SaeProbeResult r;
    cr_assert_eq(sae_probe(test_kernels(), f, y, M, ft, yt, M, D, 3, 1e-4, 400, &r), 0);
    cr_expect_eq(r.train_acc, 1.0);
    cr_expect_eq(r.test_acc, 1.0);
    /* and labels that carry nothing cannot be learned */
    for (int i = 0; i < M; i++) yt[i] = (i * 7 + 3) % 3 == 0 ? (y[i] + 1) % 3 : y[i];
    cr_assert_eq(sae_probe(test_kernels(), f, y, M, ft, yt, M, D, 3, 1e-4, 400, &r), 0);
    cr_expect_lt(r.test_acc, 0.9);
}

static unsigned long rd32be(const unsigned char *p)
{
    return (unsigned long)p[0] << 24 | (unsigned long)p[1] << 16 | (unsigned long)p[2] << 8 | p[3];
}

Test(writers, png_decodes)
{
    enum { W = 300, H = 250 }; /* more than one stored block */
    static unsigned char px[W * H];
    for (int i = 0; i < W * H; i++) px[i] = (unsigned char)(i * 7 % 251);
    char path[] = "/tmp/sae_png_XXXXXX";
    close(mkstemp(path));
    SaeError e;
    cr_assert_eq(sae_png_write_gray(path, W, H, px, &e), 0, "%s", e.msg);
    FILE *f = fopen(path, "rb");
    static unsigned char buf[1 << 18];
    const size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    unlink(path);
    cr_assert_eq(memcmp(buf, "\x89PNG\r\n\x1a\n", 8), 0);
    static unsigned char idat[1 << 18];
    size_t idat_len = 0, p = 8;
    int saw_end = 0;
    while (p + 12 <= n) {
        const size_t len = rd32be(buf + p);
        cr_assert_leq(p + 12 + len, n);
        const unsigned long crc = rd32be(buf + p + 8 + len);
        cr_expect_eq(sae_crc32(0, buf + p + 4, len + 4), crc, "chunk %.4s CRC", buf + p + 4);
        if (!memcmp(buf + p + 4, "IHDR", 4)) {
            cr_expect_eq(rd32be(buf + p + 8), (unsigned long)W);
            cr_expect_eq(rd32be(buf + p + 12), (unsigned long)H);
            cr_expect(buf[p + 16] == 8 && buf[p + 17] == 0);
        } else if (!memcmp(buf + p + 4, "IDAT", 4)) {
            memcpy(idat + idat_len, buf + p + 8, len);
            idat_len += len;
        } else if (!memcmp(buf + p + 4, "IEND", 4)) {
            saw_end = 1;
        }
        p += 12 + len;
    }
    cr_expect(saw_end && p == n);
    static unsigned char raw[(W + 1) * H];
#if SAE_HAVE_ZLIB /* an independent inflater, which also checks Adler-32 */
    uLongf rl = sizeof raw;
    cr_assert_eq(uncompress(raw, &rl, idat, idat_len), Z_OK);
    cr_assert_eq(rl, (uLongf)(W + 1) * H);
#else /* the writer stores blocks: walk them and check the framing */
    size_t q = 2, rl = 0;
    cr_assert_eq((idat[0] * 256 + idat[1]) % 31, 0, "zlib header check");
    for (int last = 0; !last;) {
        last = idat[q] & 1;
        cr_assert_eq(idat[q] >> 1 & 3, 0, "stored block");
        const size_t len = idat[q + 1] | (size_t)idat[q + 2] << 8, nlen = idat[q + 3] | (size_t)idat[q + 4] << 8;
        cr_assert_eq(len ^ 0xffff, nlen);
        memcpy(raw + rl, idat + q + 5, len);
        rl += len;
        q += 5 + len;
    }
    unsigned long a = 1, b = 0;
    for (size_t i = 0; i < rl; i++) {
        a = (a + raw[i]) % 65521;
        b = (b + a) % 65521;
    }
    cr_expect_eq(rd32be(idat + q), b << 16 | a, "Adler-32");
    cr_assert_eq(rl, (size_t)(W + 1) * H);
#endif
    for (int y = 0; y < H; y++) {
        cr_expect_eq(raw[y * (W + 1)], 0, "filter byte");
        cr_expect_eq(memcmp(raw + y * (W + 1) + 1, px + y * W, W), 0, "row %d", y);
    }
}

/* A small well-formedness check: tags nest and close, attributes quoted. */
static int xml_well_formed(const char *s)
{
    char stack[64][32];
    int depth = 0;
    for (const char *p = s; (p = strchr(p, '<'));) {
        if (p[1] == '?') {
            p = strstr(p, "?>");
            if (!p)
                return 0;
            continue;
        }
        const char *end = strchr(p, '>');
        if (!end)
            return 0;
        for (const char *q = p; q < end; q++)
            if (*q == '=' && q[1] != '"')
                return 0;
        char name[32] = "";
        if (p[1] == '/') {
            sscanf(p + 2, "%31[a-zA-Z]", name);
            if (depth == 0 || strcmp(stack[--depth], name))
                return 0;
        } else {
            sscanf(p + 1, "%31[a-zA-Z]", name);
            if (end[-1] != '/') {
                if (depth == 64)
                    return 0;
                snprintf(stack[depth++], 32, "%s", name);
            }
        }
        p = end + 1;
    }
    return depth == 0;
}

Test(writers, svg_is_well_formed_xml)
{
    SaePlot *p = calloc(1, sizeof *p);
    snprintf(p->title, sizeof p->title, "a <title> & \"quotes\"");
    snprintf(p->xlabel, sizeof p->xlabel, "beta");
    snprintf(p->ylabel, sizeof p->ylabel, "recon");
    p->categorical = 1;
    p->n_xticks = 3;
    for (int i = 0; i < 3; i++) snprintf(p->xticks[i], sizeof p->xticks[i], "%d", i);
    p->n_series = 2;
    for (int s = 0; s < 2; s++) {
        snprintf(p->series[s].name, sizeof p->series[s].name, "rho = 0.0%d", s + 1);
        p->series[s].n = 3;
        for (int i = 0; i < 3; i++) {
            p->series[s].x[i] = i;
            p->series[s].y[i] = s + i * 0.5;
            p->series[s].err[i] = 0.1;
        }
    }
    p->series[1].y[1] = NAN; /* a missing point is skipped, not drawn as NaN */
    char path[] = "/tmp/sae_svg_XXXXXX";
    close(mkstemp(path));
    SaeError e;
    cr_assert_eq(sae_svg_write(path, p, &e), 0, "%s", e.msg);
    FILE *f = fopen(path, "r");
    static char text[1 << 16];
    text[fread(text, 1, sizeof text - 1, f)] = 0;
    fclose(f);
    cr_expect(xml_well_formed(text), "not well-formed XML:\n%s", text);
    cr_expect_null(strstr(text, "nan"));
    cr_expect_not_null(strstr(text, "a &lt;title&gt; &amp; &quot;quotes&quot;"));
    /* a logarithmic axis skips values <= 0 and labels 1-2-5 ticks */
    p->logy = 1;
    p->series[0].y[0] = 0;
    p->series[0].y[2] = 250;
    cr_assert_eq(sae_svg_write(path, p, &e), 0, "%s", e.msg);
    f = fopen(path, "r");
    text[fread(text, 1, sizeof text - 1, f)] = 0;
    fclose(f);
    unlink(path);
    cr_expect(xml_well_formed(text), "not well-formed XML:\n%s", text);
    cr_expect_null(strstr(text, "nan"));
    cr_expect_not_null(strstr(text, ">100</text>"), "a power-of-ten tick");
    free(p);
}

/* ---- whole sweeps ------------------------------------------------------ */

/* A sweep of quick runs on a small gauss problem. */
static const char *small_sweep(void)
{
    return temp_file("[base]\ndata = gauss\ntest_fraction = 0.2\nhidden = 8\nepochs = 3\nbatch = 100\n"
                     "threads = 1\nseeds = 2\n[sweep]\nbeta = 0, 1, 3\nrho = 0.05, 0.2\n");
}

static size_t count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = 0;
    int ch;
    while ((ch = fgetc(f)) != EOF) n += ch == '\n';
    fclose(f);
    return n;
}

/* Field col of a CSV line without quoted fields (empty fields kept). */
static const char *field(char *line, int col, char *out, size_t cap)
{
    char *p = line;
    for (int c = 0; c < col && p; c++) {
        p = strchr(p, ',');
        if (p)
            p++;
    }
    if (!p)
        return NULL;
    const size_t n = strcspn(p, ",\n");
    snprintf(out, cap, "%.*s", (int)n, p);
    return out;
}

/* The run ids of results.csv (column run_id), checking each is unique. */
static size_t unique_ids(const char *path)
{
    FILE *f = fopen(path, "r");
    static char line[1 << 14];
    cr_assert_not_null(fgets(line, sizeof line, f));
    int col = 0;
    char name[64];
    while (field(line, col, name, sizeof name) && strcmp(name, "run_id")) col++;
    static char ids[64][17];
    size_t n = 0;
    while (fgets(line, sizeof line, f) && n < 64) {
        char id[32];
        cr_assert_not_null(field(line, col, id, sizeof id));
        cr_expect_eq(strlen(id), 16u, "a run id: '%s'", id);
        for (size_t i = 0; i < n; i++) cr_expect_neq(strcmp(ids[i], id), 0, "run %s twice", id);
        snprintf(ids[n++], 17, "%s", id);
    }
    fclose(f);
    return n;
}

static void rm_rf(const char *dir)
{
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    cr_assert_eq(system(cmd), 0);
}

Test(sweep, resume_after_a_kill)
{
    const char *ini = small_sweep();
    char cfg[64], dir[] = "/tmp/sae_sw_XXXXXX", csv[128];
    snprintf(cfg, sizeof cfg, "%s", ini);
    cr_assert_not_null(mkdtemp(dir));
    snprintf(csv, sizeof csv, "%s/results.csv", dir);
    const char *args[] = { "sweep", cfg, "--out", dir, "--set", "epochs=30", NULL };
    const pid_t pid = run_async(args);
    /* kill it hard once a few runs are in, mid-sweep */
    for (int t = 0; t < 2000 && count_lines(csv) < 4; t++) nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
    kill(pid, SIGKILL);
    wait_status(pid);
    const size_t before = count_lines(csv);
    cr_expect_geq(before, 4u, "the killed sweep should have recorded runs");
    cr_expect_lt(before, 13u, "the sweep finished before it was killed: the test proves nothing");
    Run *r = run("sweep", cfg, "--out", dir, NULL);
    cr_expect_eq(r->code, 2, "without --resume an existing table is not overwritten: %s", r->err);
    r = run("sweep", cfg, "--out", dir, "--resume", "--set", "epochs=30", NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    cr_expect_eq(count_lines(csv), 13u, "header + 12 runs");
    cr_expect_eq(unique_ids(csv), 12u);
    char p[160];
    snprintf(p, sizeof p, "%s/summary.md", dir);
    cr_expect_eq(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/recon_vs_beta.svg", dir);
    cr_expect_eq(access(p, F_OK), 0);
    snprintf(p, sizeof p, "%s/results.jsonl", dir);
    cr_expect_eq(count_lines(p), 12u);
    rm_rf(dir);
    unlink(cfg);
}

Test(sweep, sigint_keeps_finished_runs)
{
    char cfg[64], dir[] = "/tmp/sae_si_XXXXXX", csv[128];
    snprintf(cfg, sizeof cfg, "%s", small_sweep());
    cr_assert_not_null(mkdtemp(dir));
    snprintf(csv, sizeof csv, "%s/results.csv", dir);
    const char *args[] = { "sweep", cfg, "--out", dir, "--set", "epochs=40", NULL };
    const pid_t pid = run_async(args);
    for (int t = 0; t < 2000 && count_lines(csv) < 3; t++) nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
    kill(pid, SIGINT);
    cr_expect_eq(wait_status(pid), 130);
    /* a batch system's time limit (SIGTERM): the same, exit 143 */
    const char *more[] = { "sweep", cfg, "--out", dir, "--set", "epochs=40", "--resume", NULL };
    const pid_t p2 = run_async(more);
    const size_t had = count_lines(csv);
    for (int t = 0; t < 2000 && count_lines(csv) < had + 1; t++)
        nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
    kill(p2, SIGTERM);
    cr_expect_eq(wait_status(p2), 143);
    const size_t n = count_lines(csv);
    cr_expect_geq(n, 3u);
    cr_expect_eq(unique_ids(csv), n - 1);
    char p[160];
    snprintf(p, sizeof p, "%s/summary.md", dir);
    cr_expect_eq(access(p, F_OK), 0, "the report is written for the finished runs");
    rm_rf(dir);
    unlink(cfg);
}

/* results.csv without the timing, host and rank columns (the last five). */
static void strip_timings(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    static char line[1 << 14];
    size_t o = 0;
    while (fgets(line, sizeof line, f)) {
        for (int k = 0; k < 5; k++) *strrchr(line, ',') = 0;
        o += (size_t)snprintf(out + o, cap - o, "%s\n", line);
    }
    fclose(f);
}

Test(sweep, same_seed_same_table)
{
    char cfg[64], d1[] = "/tmp/sae_d1_XXXXXX", d2[] = "/tmp/sae_d2_XXXXXX";
    snprintf(cfg, sizeof cfg, "%s", small_sweep());
    cr_assert_not_null(mkdtemp(d1));
    cr_assert_not_null(mkdtemp(d2));
    cr_assert_eq(run("sweep", cfg, "--out", d1, "--set", "rho=0.05", NULL)->code, 0);
    cr_assert_eq(run("sweep", cfg, "--out", d2, "--set", "rho=0.05", NULL)->code, 0);
    static char a[1 << 16], b[1 << 16];
    char p1[128], p2[128];
    snprintf(p1, sizeof p1, "%s/results.csv", d1);
    snprintf(p2, sizeof p2, "%s/results.csv", d2);
    strip_timings(p1, a, sizeof a);
    strip_timings(p2, b, sizeof b);
    cr_expect_str_eq(a, b);
    cr_expect_null(strstr(a, "nan"), "no NaN in a table");
    rm_rf(d1);
    rm_rf(d2);
    unlink(cfg);
}

/* A results.csv written before some columns existed loads by name: a
 * missing setting takes its default, a missing metric stays empty, and the
 * table is marked for rewriting; an unknown column is refused. */
Test(results, older_files_load_by_column_name)
{
    SaeRows cur;
    sae_rows_init(&cur);
    char path[] = "/tmp/sae_old_XXXXXX";
    const int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    FILE *f = fdopen(fd, "w");
    /* every column but reduction and silent_unit_frac, in order; run_id "abc" */
    for (int pass = 0; pass < 2; pass++) {
        int first = 1;
        for (size_t c = 0; c < cur.n_cols; c++) {
            if (!strcmp(cur.names[c], "reduction") || !strcmp(cur.names[c], "silent_unit_frac"))
                continue;
            fprintf(f, "%s%s", first ? "" : ",",
                    pass ? (!strcmp(cur.names[c], "run_id")  ? "abc"
                            : !strcmp(cur.names[c], "recon") ? "1.5"
                                                             : "")
                         : cur.names[c]);
            first = 0;
        }
        fputc('\n', f);
    }
    fclose(f);
    SaeRows r;
    sae_rows_init(&r);
    SaeError e;
    cr_assert_eq(sae_rows_load(path, &r, &e), 0, "%s", e.msg);
    cr_assert_eq(r.n_rows, 1u);
    cr_expect(r.migrated);
    cr_expect_str_eq(r.rows[0][sae_rows_col(&r, "run_id")], "abc");
    cr_expect_str_eq(r.rows[0][sae_rows_col(&r, "recon")], "1.5");
    cr_expect_str_eq(r.rows[0][sae_rows_col(&r, "reduction")], "sum");
    cr_expect_str_eq(r.rows[0][sae_rows_col(&r, "silent_unit_frac")], "");
    sae_rows_free(&r);
    f = fopen(path, "w");
    fputs("run_id,from_the_future\nabc,1\n", f);
    fclose(f);
    sae_rows_init(&r);
    cr_expect_eq(sae_rows_load(path, &r, &e), -1);
    cr_expect_not_null(strstr(e.msg, "column from_the_future is not one of this saebench's"), "%s", e.msg);
    sae_rows_free(&r);
    sae_rows_free(&cur);
    unlink(path);
}

/* saebench under mpirun with np ranks (oversubscribed, as root in CI):
 * its pid; output to /dev/null. */
static pid_t mpirun_async(int np, const char *const *args)
{
    char nps[16];
    snprintf(nps, sizeof nps, "%d", np);
    const char *const prefix[] = {
        SAE_MPIRUN, "--oversubscribe", "--allow-run-as-root", "-np", nps, SAEBENCH_EXE, NULL
    };
    return run_async_with(prefix, args);
}

static void skip_without_mpi(void)
{
    if (!SAE_HAVE_MPI || !*SAE_MPIRUN)
        cr_skip_test("built without MPI (meson option mpi) or no mpirun");
}

/* A build without MPI started as several ranks refuses, instead of N
 * copies writing the same files (the launcher's variables, set here). */
Test(mpi, a_build_without_mpi_refuses_to_run_as_ranks)
{
    if (SAE_HAVE_MPI)
        cr_skip_test("built with MPI: started as ranks it runs them");
    setenv("OMPI_COMM_WORLD_SIZE", "2", 1);
    Run *r = run("sweep", "/nonexistent.ini", NULL);
    unsetenv("OMPI_COMM_WORLD_SIZE");
    cr_expect_eq(r->code, 2, "%s", r->err);
    cr_expect_not_null(strstr(r->err, "built without MPI"), "%s", r->err);
}

/* mpirun with 3 ranks, and with 1, gives the single-process table cell
 * for cell apart from the timing, host and rank columns. */
Test(mpi, ranks_give_the_single_process_table)
{
    skip_without_mpi();
    char cfg[64], d0[] = "/tmp/sae_p0_XXXXXX", d1[] = "/tmp/sae_p1_XXXXXX", d3[] = "/tmp/sae_p3_XXXXXX";
    snprintf(cfg, sizeof cfg, "%s", small_sweep());
    cr_assert_not_null(mkdtemp(d0));
    cr_assert_not_null(mkdtemp(d1));
    cr_assert_not_null(mkdtemp(d3));
    cr_assert_eq(run("sweep", cfg, "--out", d0, NULL)->code, 0);
    const char *a1[] = { "sweep", cfg, "--out", d1, NULL }, *a3[] = { "sweep", cfg, "--out", d3, NULL };
    cr_assert_eq(wait_status(mpirun_async(1, a1)), 0);
    cr_assert_eq(wait_status(mpirun_async(3, a3)), 0);
    static char a[1 << 16], b[1 << 16];
    char p[128];
    snprintf(p, sizeof p, "%s/results.csv", d0);
    strip_timings(p, a, sizeof a);
    snprintf(p, sizeof p, "%s/results.csv", d1);
    strip_timings(p, b, sizeof b);
    cr_expect_str_eq(a, b, "-np 1");
    snprintf(p, sizeof p, "%s/results.csv", d3);
    strip_timings(p, b, sizeof b);
    cr_expect_str_eq(a, b, "-np 3");
    snprintf(p, sizeof p, "%s/summary.md", d3);
    cr_expect_eq(access(p, F_OK), 0);
    rm_rf(d0);
    rm_rf(d1);
    rm_rf(d3);
    unlink(cfg);
}

/* A worker killed mid-sweep ends it with the finished rows intact;
 * --resume with another rank count completes exactly the missing runs. */
Test(mpi, a_killed_worker_then_resume_loses_and_repeats_nothing)
{
    skip_without_mpi();
    char cfg[64], dir[] = "/tmp/sae_pk_XXXXXX", csv[128];
    snprintf(cfg, sizeof cfg, "%s", small_sweep());
    cr_assert_not_null(mkdtemp(dir));
    snprintf(csv, sizeof csv, "%s/results.csv", dir);
    const char *args[] = { "sweep", cfg, "--out", dir, "--set", "epochs=60", NULL };
    const pid_t pid = mpirun_async(3, args);
    for (int t = 0; t < 4000 && count_lines(csv) < 4; t++) nanosleep(&(struct timespec){ .tv_nsec = 5000000 }, NULL);
    char cmd[96];
    snprintf(cmd, sizeof cmd, "pkill -KILL -n -P %d", (int)pid); /* the newest rank: a worker */
    cr_expect_eq(system(cmd), 0);
    wait_status(pid);
    const size_t before = count_lines(csv);
    cr_expect_geq(before, 4u);
    cr_expect_lt(before, 13u, "the sweep finished before the kill: the test proves nothing");
    cr_expect_eq(unique_ids(csv), before - 1);
    const char *again[] = { "sweep", cfg, "--out", dir, "--set", "epochs=60", "--resume", NULL };
    cr_assert_eq(wait_status(mpirun_async(2, again)), 0);
    cr_expect_eq(count_lines(csv), 13u, "header + 12 runs");
    cr_expect_eq(unique_ids(csv), 12u);
    rm_rf(dir);
    unlink(cfg);
}

/* Exit status code and an error message on stderr holding frag. */
static void expect_one_line(const Run *r, int code, const char *frag)
{
    cr_expect_eq(r->code, code, "exit %d, want %d: %s", r->code, code, r->err);
    cr_expect_not_null(strstr(r->err, frag), "'%s' lacks '%s'", r->err, frag);
}

/* Shards 0/3, 1/3 and 2/3 merged give the single-process table; without
 * a shard, merge names the missing runs and the --shard that completes
 * them; shards of different sweeps are refused. */
Test(sweep, shards_merge_to_the_single_run)
{
    char cfg[64], d1[] = "/tmp/sae_m1_XXXXXX", d2[] = "/tmp/sae_m2_XXXXXX";
    snprintf(cfg, sizeof cfg, "%s", small_sweep());
    cr_assert_not_null(mkdtemp(d1));
    cr_assert_not_null(mkdtemp(d2));
    cr_assert_eq(run("sweep", cfg, "--out", d1, NULL)->code, 0);
    for (int i = 0; i < 3; i++) {
        char shard[8];
        snprintf(shard, sizeof shard, "%d/3", i);
        Run *r = run("sweep", cfg, "--out", d2, "--shard", shard, NULL);
        cr_assert_eq(r->code, 0, "%s", r->err);
    }
    Run *r = run("merge", d2, NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    static char a[1 << 16], b[1 << 16];
    char p1[128], p2[128], moved[160];
    snprintf(p1, sizeof p1, "%s/results.csv", d1);
    snprintf(p2, sizeof p2, "%s/results.csv", d2);
    strip_timings(p1, a, sizeof a);
    strip_timings(p2, b, sizeof b);
    cr_expect_str_eq(a, b);
    snprintf(p2, sizeof p2, "%s/summary.md", d2);
    cr_expect_eq(access(p2, F_OK), 0);
    /* shard 1 gone: its runs are named, with the command that completes them */
    snprintf(p2, sizeof p2, "%s/shards/1", d2);
    snprintf(moved, sizeof moved, "%s/shard1", d2);
    cr_assert_eq(rename(p2, moved), 0);
    r = run("merge", d2, NULL);
    cr_expect_eq(r->code, 1, "a merge with runs missing exits 1");
    cr_expect_not_null(strstr(r->err, "4 of them are shard 1/3's"), "%s", r->err);
    cr_expect_not_null(strstr(r->err, "--shard 1/3 --resume"), "%s", r->err);
    cr_assert_eq(rename(moved, p2), 0);
    /* a shard of another sweep */
    r = run("sweep", cfg, "--out", d2, "--shard", "2/3", "--resume", "--set", "hidden=9", NULL);
    cr_assert_eq(r->code, 0, "%s", r->err);
    expect_one_line(run("merge", d2, NULL), 1, "a different sweep");
    expect_one_line(run("sweep", cfg, "--shard", "3/3", NULL), 2, "--shard expects I/N with 0 <= I < N");
    rm_rf(d1);
    rm_rf(d2);
    unlink(cfg);
}

Test(sweep, a_diverging_run_is_recorded_and_the_sweep_goes_on)
{
    char cfg[64], dir[] = "/tmp/sae_dv_XXXXXX", csv[128];
    snprintf(cfg, sizeof cfg, "%s",
             temp_file("[base]\ndata = gauss\ntest_fraction = 0.2\nhidden = 8\nencoder = relu\ndecoder = linear\n"
                       "optimizer = sgd\nepochs = 3\n[sweep]\nlr = 1e6, 0.001\n"));
    cr_assert_not_null(mkdtemp(dir));
    Run *r = run("sweep", cfg, "--out", dir, NULL);
    cr_expect_eq(r->code, 0, "%s", r->err);
    snprintf(csv, sizeof csv, "%s/results.csv", dir);
    cr_expect_eq(count_lines(csv), 3u);
    FILE *f = fopen(csv, "r");
    static char text[1 << 15];
    text[fread(text, 1, sizeof text - 1, f)] = 0;
    fclose(f);
    cr_expect_not_null(strstr(text, ",diverged,"), "the lr 1e6 run is recorded as diverged");
    cr_expect_not_null(strstr(text, ",ok,"), "the next run still ran");
    cr_expect_null(strstr(text, "nan"));
    cr_expect_null(strstr(text, "inf"));
    rm_rf(dir);
    unlink(cfg);
}

Test(sweep, bad_sweeps_fail_before_running)
{
    Run *r = run("sweep", "/nonexistent.ini", NULL);
    cr_expect_eq(r->code, 1);
    cr_expect_not_null(strstr(r->err, "/nonexistent.ini"));
    char cfg[64];
    snprintf(cfg, sizeof cfg, "%s", temp_file("[base]\ndata = gauss\n[sweep]\nloss = mse, bce\ndecoder = linear\n"));
    r = run("sweep", cfg, "--out", "/tmp/sae_never_written", NULL);
    cr_expect_eq(r->code, 2);
    cr_expect_not_null(strstr(r->err, "bce needs the sigmoid decoder"), "%s", r->err);
    cr_expect_neq(access("/tmp/sae_never_written", F_OK), 0, "nothing is created for an invalid grid");
    r = run("sweep", cfg, "--bogus", "1", NULL);
    cr_expect_eq(r->code, 2);
    /* --dry-run lists the grid and writes nothing */
    char ok_cfg[64];
    snprintf(ok_cfg, sizeof ok_cfg, "%s", small_sweep());
    r = run("sweep", ok_cfg, "--dry-run", "--out", "/tmp/sae_never_written", NULL);
    cr_expect_eq(r->code, 0, "%s", r->err);
    size_t lines = 0;
    for (const char *p = r->out; *p; p++) lines += *p == '\n';
    cr_expect_eq(lines, 13u, "header + 12 runs:\n%s", r->out);
    cr_expect_not_null(strstr(r->out, "index\trun_id\tbeta\trho\tseed"));
    cr_expect_neq(access("/tmp/sae_never_written", F_OK), 0);
    unlink(ok_cfg);
    unlink(cfg);
}
