#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/modelfile.h"
#include "core/io/npz.h"
#include "core/safe_alloc.h"
#include "sae_config.h"

typedef struct Block {
    const char *name;
    size_t off, rows, cols; /* cols 0: a vector */
    int transposed;         /* theta holds the transpose (W2 as W2^T) */
} Block;

/* Where entry i (row-major, the file's order) of block b lives in theta. */
static size_t theta_at(const Block *b, size_t i)
{
    return b->off + (b->transposed ? (i % b->cols) * b->rows + i / b->cols : i);
}

/* The parameter blocks of theta with their shapes as files store them
 * (W2 absent when tied, log_threshold present for jumprelu). */
enum { MAX_BLOCKS = 5 };
static size_t blocks_of(const SaeConfig *c, const char *prefix, Block *b, char names[MAX_BLOCKS][16])
{
    SaeLayout l;
    sae_layout(c, &l);
    const size_t n = c->n_in, k = c->n_hidden;
    size_t cnt = 0;
    const char *base[MAX_BLOCKS] = { "W1", "b1", "W2", "b2", "log_threshold" };
    const Block all[MAX_BLOCKS] = {
        { 0, l.w1, k, n, 0 }, { 0, l.b1, k, 0, 0 }, { 0, l.w2t, n, k, 1 }, { 0, l.b2, n, 0, 0 }, { 0, l.jt, k, 0, 0 }
    };
    for (int i = 0; i < MAX_BLOCKS; i++) {
        if ((i == 2 && c->tied) || (i == 4 && c->encoder != SAE_ACT_JUMPRELU))
            continue;
        snprintf(names[i], 16, "%s%s", prefix, base[i]);
        b[cnt] = all[i];
        b[cnt++].name = names[i];
    }
    return cnt;
}

static int add_blocks(SaeNpz *z, const SaeConfig *c, const char *prefix, const double *theta, int f32)
{
    Block b[MAX_BLOCKS];
    char names[MAX_BLOCKS][16];
    const size_t nb = blocks_of(c, prefix, b, names);
    for (size_t i = 0; i < nb; i++) {
        const size_t shape[2] = { b[i].rows, b[i].cols }, cnt = b[i].rows * (b[i].cols ? b[i].cols : 1);
        const int nd = b[i].cols ? 2 : 1;
        void *tmp = sae_alloc_array(cnt, f32 ? sizeof(float) : sizeof(double));
        if (!tmp)
            return -1;
        for (size_t j = 0; j < cnt; j++) {
            const double v = theta[theta_at(&b[i], j)];
            if (f32)
                ((float *)tmp)[j] = (float)v;
            else
                ((double *)tmp)[j] = v;
        }
        const int rc = sae_npz_add_array(z, b[i].name, f32 ? SAE_DT_F32 : SAE_DT_F64, nd, shape, tmp);
        free(tmp);
        if (rc)
            return -1;
    }
    return 0;
}

static int add_f64(SaeNpz *z, const char *name, double v)
{
    return sae_npz_add_array(z, name, SAE_DT_F64, 0, NULL, &v);
}

static int add_i64(SaeNpz *z, const char *name, int64_t v)
{
    return sae_npz_add_array(z, name, SAE_DT_I64, 0, NULL, &v);
}

static int add_str(SaeNpz *z, const char *name, const char *v)
{
    return sae_npz_add_array(z, name, SAE_DT_UNICODE, 0, NULL, v);
}

int sae_model_save(const char *path, const SaeConfig *c, const double *theta, int f32, double test_fraction,
                   SaeError *e)
{
    SaeNpz z = { 0 };
    int rc = add_blocks(&z, c, "", theta, f32) || add_i64(&z, "hidden", (int64_t)c->n_hidden) ||
             add_i64(&z, "tied", c->tied) || add_str(&z, "encoder", sae_act_name(c->encoder)) ||
             add_str(&z, "decoder", sae_act_name(c->decoder)) || add_str(&z, "loss", sae_loss_name(c->loss)) ||
             add_f64(&z, "lambda", c->lambda) || add_f64(&z, "l1_weight", c->l1_weight) ||
             add_f64(&z, "l1_activity", c->l1_activity) || add_f64(&z, "beta", c->beta) || add_f64(&z, "rho", c->rho) ||
             add_f64(&z, "gamma", c->gamma) || add_f64(&z, "l0_penalty", c->l0_penalty) ||
             add_f64(&z, "bandwidth", c->bandwidth) || add_f64(&z, "jump_init", c->jump_init) ||
             add_i64(&z, "aux_k", (int64_t)c->aux_k) || add_f64(&z, "aux_weight", c->aux_weight) ||
             add_f64(&z, "kl_eps", c->kl_eps) || add_str(&z, "kl_tanh", sae_kl_tanh_name(c->kl_tanh)) ||
             add_str(&z, "reduction", sae_reduction_name(c->reduction)) ||
             add_str(&z, "bdec_init", sae_bdec_init_name(c->bdec_init)) || add_i64(&z, "k", (int64_t)c->topk) ||
             add_i64(&z, "l1_dec_norm", c->l1_dec_norm) || add_i64(&z, "batch_topk", c->batch_topk) ||
             add_f64(&z, "threshold", c->threshold) || add_i64(&z, "pre_bias", c->pre_bias) ||
             add_i64(&z, "unit_norm", c->unit_norm) || add_i64(&z, "init_transpose", c->init_transpose) ||
             add_str(&z, "saebench_version", SAE_VERSION) ||
             (!isnan(test_fraction) && add_f64(&z, "test_fraction", test_fraction));
    if (rc)
        rc = sae_fail(e, "%s: out of memory", path);
    else
        rc = sae_npz_write(path, &z, e);
    sae_npz_free(&z);
    return rc;
}

int sae_grads_save(const char *path, const SaeConfig *c, const double *grad, SaeError *e)
{
    SaeNpz z = { 0 };
    int rc = add_blocks(&z, c, "g", grad, 0);
    rc = rc ? sae_fail(e, "%s: out of memory", path) : sae_npz_write(path, &z, e);
    sae_npz_free(&z);
    return rc;
}

/* A numeric 0-d (or 1-element) member into *v; 1 when absent. */
static int get_scalar(const SaeNpz *z, const char *path, const char *name, double *v, SaeError *e)
{
    SaeNpy a;
    const int rc = sae_npz_get(z, path, name, &a, e);
    if (rc)
        return rc;
    if (a.count != 1 || a.dtype == SAE_DT_UNICODE)
        return sae_fail(e, "%s: member %s: expected one number", path, name);
    *v = sae_npy_get(&a, 0);
    return 0;
}

/* A count (k, aux_k) into *dst when the member is there (0, dst kept, when
 * absent: older files); -1 unless it is a whole number >= 0. */
static int get_count(const SaeNpz *z, const char *path, const char *name, size_t *dst, SaeError *e)
{
    double v = 0;
    const int rc = get_scalar(z, path, name, &v, e);
    if (rc)
        return rc < 0 ? -1 : 0;
    if (!(v >= 0 && v <= (double)SIZE_MAX / 2 && v == floor(v)))
        return sae_fail(e, "%s: member %s: expected a whole number >= 0, got %g", path, name, v);
    *dst = (size_t)v;
    return 0;
}

static int get_enum(const SaeNpz *z, const char *path, const char *name, int (*parse)(const char *, void *), void *out,
                    SaeError *e)
{
    SaeNpy a;
    const int rc = sae_npz_get(z, path, name, &a, e);
    if (rc)
        return rc;
    char s[64];
    if (sae_npy_string(&a, s, sizeof s) || parse(s, out))
        return sae_fail(e, "%s: member %s: unexpected value", path, name);
    return 0;
}

static int parse_act(const char *s, void *o) { return sae_act_parse(s, o); }
static int parse_loss(const char *s, void *o) { return sae_loss_parse(s, o); }
static int parse_kl(const char *s, void *o) { return sae_kl_tanh_parse(s, o); }
static int parse_red(const char *s, void *o) { return sae_reduction_parse(s, o); }
static int parse_bdec(const char *s, void *o) { return sae_bdec_init_parse(s, o); }

/* The stored hyperparameters (absent ones keep the caller's value: older
 * files), then checked as the flags are (sae_config_problem), so that a bad
 * one is bad input naming the file and member, not a flag's usage error. */
static int read_hyper(const SaeNpz *z, const char *path, SaeConfig *c, SaeError *e)
{
    struct {
        const char *name;
        double *dst;
    } nums[] = {
        { "lambda", &c->lambda },
        { "l1_weight", &c->l1_weight },
        { "l1_activity", &c->l1_activity },
        { "beta", &c->beta },
        { "rho", &c->rho },
        { "gamma", &c->gamma },
        { "kl_eps", &c->kl_eps },
        { "threshold", &c->threshold },
        { "l0_penalty", &c->l0_penalty },
        { "bandwidth", &c->bandwidth },
        { "jump_init", &c->jump_init },
        { "aux_weight", &c->aux_weight },
    };
    for (size_t i = 0; i < sizeof nums / sizeof *nums; i++)
        if (get_scalar(z, path, nums[i].name, nums[i].dst, e) < 0)
            return -1;
    if (get_enum(z, path, "encoder", parse_act, &c->encoder, e) < 0 ||
        get_enum(z, path, "decoder", parse_act, &c->decoder, e) < 0 ||
        get_enum(z, path, "loss", parse_loss, &c->loss, e) < 0 ||
        get_enum(z, path, "kl_tanh", parse_kl, &c->kl_tanh, e) < 0 ||
        get_enum(z, path, "reduction", parse_red, &c->reduction, e) < 0 ||
        get_enum(z, path, "bdec_init", parse_bdec, &c->bdec_init, e) < 0)
        return -1;
    if (get_count(z, path, "k", &c->topk, e) < 0 || get_count(z, path, "aux_k", &c->aux_k, e) < 0)
        return -1;
    struct {
        const char *name;
        int *dst;
    } flags[] = { { "l1_dec_norm", &c->l1_dec_norm },
                  { "batch_topk", &c->batch_topk },
                  { "pre_bias", &c->pre_bias },
                  { "unit_norm", &c->unit_norm },
                  { "init_transpose", &c->init_transpose } };
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        double v = 0;
        const int frc = get_scalar(z, path, flags[i].name, &v, e);
        if (frc < 0)
            return -1;
        if (frc == 0 && v != 0 && v != 1)
            return sae_fail(e, "%s: member %s: expected 0 or 1, got %g", path, flags[i].name, v);
        if (frc == 0)
            *flags[i].dst = v == 1;
    }
    char err[256];
    const char *bad = sae_config_problem(c, err, sizeof err);
    return bad ? sae_fail(e, "%s: member %s: %s", path, bad, err) : 0;
}

/* Copies a member of the expected shape into theta + off. A vector may be
 * stored 1-D (k) or as a column (k x 1). */
static int get_block(const SaeNpz *z, const char *path, const Block *b, double *theta, int *f32, SaeError *e)
{
    SaeNpy a;
    const int rc = sae_npz_get(z, path, b->name, &a, e);
    if (rc > 0)
        return sae_fail(e, "%s: member %s is missing", path, b->name);
    if (rc < 0)
        return -1;
    if (a.dtype != SAE_DT_F32 && a.dtype != SAE_DT_F64)
        return sae_fail(e, "%s: member %s: expected float32 or float64", path, b->name);
    const int ok =
        b->cols ? a.ndim == 2 && a.shape[0] == b->rows && a.shape[1] == b->cols
                : (a.ndim == 1 && a.shape[0] == b->rows) || (a.ndim == 2 && a.shape[0] == b->rows && a.shape[1] == 1);
    if (!ok) {
        char got[64] = "";
        for (int i = 0; i < a.ndim; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%zu", i ? " x " : "", a.shape[i]);
        if (b->cols)
            return sae_fail(e, "%s: member %s: expected shape %zu x %zu, got %s", path, b->name, b->rows, b->cols,
                            a.ndim ? got : "a scalar");
        return sae_fail(e, "%s: member %s: expected %zu entries, got shape %s", path, b->name, b->rows,
                        a.ndim ? got : "a scalar");
    }
    *f32 = a.dtype == SAE_DT_F32;
    for (size_t i = 0; i < a.count; i++)
        if (!isfinite(theta[theta_at(b, i)] = sae_npy_get(&a, i)))
            return sae_fail(e, "%s: member %s: entry %zu is %g (expected finite weights)", path, b->name, i,
                            theta[theta_at(b, i)]);
    return 0;
}

int sae_model_load(const char *path, SaeConfig *c, double **theta_out, int *f32, SaeError *e)
{
    *theta_out = NULL;
    SaeNpz z;
    if (sae_npz_read(path, &z, e))
        return -1;
    SaeNpy w1, tied_m;
    int rc = sae_npz_get(&z, path, "W1", &w1, e);
    if (rc > 0)
        rc = sae_fail(e, "%s: member W1 is missing (not a saebench model?)", path);
    else if (rc == 0 && (w1.ndim != 2 || w1.shape[0] == 0 || w1.shape[1] == 0))
        rc = sae_fail(e, "%s: member W1: expected a non-empty hidden x input matrix", path);
    SaeNpy b1;
    if (rc == 0 && sae_npz_get(&z, path, "b1", &b1, e) == 0 && b1.count == w1.shape[1] && b1.count != w1.shape[0])
        rc = sae_fail(e,
                      "%s: member W1 is %zu x %zu but b1 has %zu entries: W1 looks transposed (expected hidden x "
                      "input, the layout of PyTorch's nn.Linear weight; save W.T)",
                      path, w1.shape[0], w1.shape[1], b1.count);
    if (rc == 0) {
        c->n_hidden = w1.shape[0];
        c->n_in = w1.shape[1];
        const int has_w2 = sae_npz_get(&z, path, "W2", &tied_m, e) == 0;
        c->tied = !has_w2;
        double v = 0;
        int got = get_scalar(&z, path, "tied", &v, e);
        if (got < 0)
            rc = -1;
        else if (got == 0 && (v != 0) == has_w2)
            rc = sae_fail(e, "%s: member tied is %g, but W2 is %s", path, v, has_w2 ? "present" : "absent");
        if (rc == 0 && (got = get_scalar(&z, path, "hidden", &v, e)) < 0)
            rc = -1;
        else if (rc == 0 && got == 0 && v != (double)c->n_hidden)
            rc = sae_fail(e, "%s: member hidden is %g, but W1 has %zu rows", path, v, c->n_hidden);
    }
    if (rc == 0)
        rc = read_hyper(&z, path, c, e);
    SaeLayout l;
    double *theta = NULL;
    if (rc == 0 && (sae_layout(c, &l) || !(theta = sae_alloc_array(l.total, sizeof(double)))))
        rc = sae_fail(e, "%s: %zu x %zu model does not fit in memory", path, c->n_hidden, c->n_in);
    if (rc == 0) {
        Block b[MAX_BLOCKS];
        char names[MAX_BLOCKS][16];
        const size_t nb = blocks_of(c, "", b, names);
        int f = 0, all32 = 1;
        for (size_t i = 0; i < nb && rc == 0; i++) {
            rc = get_block(&z, path, &b[i], theta, &f, e);
            all32 &= f;
        }
        *f32 = all32;
    }
    sae_npz_free(&z);
    if (rc) {
        free(theta);
        return -1;
    }
    *theta_out = theta;
    return 0;
}

int sae_model_test_fraction(const char *path, double *test_fraction, SaeError *e)
{
    SaeNpz z;
    if (sae_npz_read(path, &z, e))
        return -1;
    int rc = get_scalar(&z, path, "test_fraction", test_fraction, e);
    if (rc == 0 && !(*test_fraction >= 0 && *test_fraction < 1))
        rc = sae_fail(e, "%s: member test_fraction: expected a value in [0, 1), got %g", path, *test_fraction);
    sae_npz_free(&z);
    return rc;
}
