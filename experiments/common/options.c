#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/cpu.h"
#include "core/error.h"
#include "experiments/common/options.h"

typedef enum { K_DOUBLE, K_SIZE, K_UINT, K_BOOL, K_STRING, K_ENUM, K_SWITCH } Kind;

typedef struct Opt {
    const char *name;
    Kind kind;
    size_t off, size;
    unsigned cmds;
    double lo, hi;                      /* numbers: the allowed range */
    int lo_open, hi_open;               /* exclusive ends */
    int (*parse)(const char *, void *); /* K_ENUM */
    const char *choices;                /* K_ENUM: for messages and help */
    const char *help;
} Opt;

static int p_act_enc(const char *s, void *o)
{
    SaeAct a;
    if (sae_act_parse(s, &a) || a == SAE_ACT_LINEAR)
        return -1;
    *(SaeAct *)o = a;
    return 0;
}
static int p_act_dec(const char *s, void *o)
{
    SaeAct a;
    if (sae_act_parse(s, &a) || (a != SAE_ACT_SIGMOID && a != SAE_ACT_LINEAR))
        return -1;
    *(SaeAct *)o = a;
    return 0;
}
static int p_loss(const char *s, void *o) { return sae_loss_parse(s, o); }
static int p_kl(const char *s, void *o) { return sae_kl_tanh_parse(s, o); }
static int p_red(const char *s, void *o) { return sae_reduction_parse(s, o); }
static int p_bdec(const char *s, void *o) { return sae_bdec_init_parse(s, o); }
static int p_optim(const char *s, void *o) { return sae_optimizer_parse(s, o); }
static int p_prec(const char *s, void *o) { return sae_precision_parse(s, o); }
static int p_cpumask(const char *s, void *o) { return sae_cpu_mask_parse(s, o); }
static int p_scale(const char *s, void *o)
{
    static const char *const n[] = { "auto", "none", "minmax", "zscore" };
    for (int i = 0; i < 4; i++)
        if (!strcmp(s, n[i])) {
            *(SaeScale *)o = (SaeScale)i;
            return 0;
        }
    return -1;
}
static int p_label(const char *s, void *o)
{
    static const char *const n[] = { "none", "first", "last" };
    for (int i = 0; i < 3; i++)
        if (!strcmp(s, n[i])) {
            *(SaeLabelColumn *)o = (SaeLabelColumn)i;
            return 0;
        }
    return -1;
}

#define F(field) offsetof(SaeRunSpec, field), sizeof(((SaeRunSpec *)0)->field)
#define BOTH (SAE_CMD_TRAIN | SAE_CMD_EVAL)
#define TR SAE_CMD_TRAIN
#define EV SAE_CMD_EVAL
#define INF HUGE_VAL
#define MAX_UNITS 16777216.0 /* 2^24: hidden units, k and batch (core/io/FORMATS.md, "Errors and limits") */

static const Opt opts[] = {
    /* data */
    { "data", K_STRING, F(data_spec), BOTH, 0, 0, 0, 0, 0, 0,
      "NAME|PATH: gauss, digits, patches, fashion-mnist, or a .npy/.csv/IDX/.pgm file or image folder" },
    { "data-dir", K_STRING, F(data.data_dir), BOTH, 0, 0, 0, 0, 0, 0, "DIR: where built-in data sets are looked up" },
    { "test-fraction", K_DOUBLE, F(data.test_fraction), BOTH, 0, 1, 0, 1, 0, 0,
      "F: held-out share of the rows (fixed split), default 0" },
    { "offset", K_SIZE, F(data.offset), BOTH, 0, INF, 0, 0, 0, 0,
      "R: skip the first R rows (an .npy file's skipped rows are not read)" },
    { "memory-budget", K_SIZE, F(data.memory_budget_mib), BOTH, 0, INF, 0, 0, 0, 0,
      "MiB: what an .npy file's rows may take in memory; past it they are streamed (0: half the RAM)" },
    { "limit", K_SIZE, F(data.limit), BOTH, 0, INF, 0, 0, 0, 0,
      "N: keep N rows from --offset (0: all; an .npy file's other rows are not read)" },
    { "scale", K_ENUM, F(data.scale), BOTH, 0, 0, 0, 0, p_scale, "auto|none|minmax|zscore",
      "input scaling; auto: bytes /255, digits /16" },
    { "label-column", K_ENUM, F(data.label_column), BOTH, 0, 0, 0, 0, p_label, "none|first|last",
      "the CSV column holding class labels" },
    { "patch", K_SIZE, F(data.patch), BOTH, 1, 4096, 0, 0, 0, 0, "P: patch side for image data (8)" },
    { "patches", K_SIZE, F(data.patches), BOTH, 1, 100000000, 0, 0, 0, 0,
      "N: patches sampled from image data (10000)" },
    { "split", K_UINT, F(data.split), BOTH, 0, INF, 0, 0, 0, 0,
      "K: the K-th re-draw of the --test-fraction split (0: the fixed split)" },
    { "zca", K_DOUBLE, F(data.zca), BOTH, 0, INF, 0, 0, 0, 0,
      "EPS: ZCA-whiten image patches with this epsilon before the [0.1, 0.9] normalisation (0: off)" },
    /* model */
    { "hidden", K_SIZE, F(model.n_hidden), TR, 1, MAX_UNITS, 0, 0, 0, 0, "K: hidden units (25)" },
    { "k", K_SIZE, F(model.topk), TR, 0, MAX_UNITS, 0, 0, 0, 0,
      "K: TopK, keep the K largest relu activations of each sample (0: all)" },
    { "encoder", K_ENUM, F(model.encoder), BOTH, 0, 0, 0, 0, p_act_enc, "sigmoid|tanh|relu|jumprelu",
      "encoder activation f (jumprelu: learned per-unit thresholds, with --l0-penalty)" },
    { "decoder", K_ENUM, F(model.decoder), BOTH, 0, 0, 0, 0, p_act_dec, "sigmoid|linear", "decoder activation g" },
    { "loss", K_ENUM, F(model.loss), BOTH, 0, 0, 0, 0, p_loss, "mse|bce|nmse",
      "reconstruction loss (bce needs the sigmoid decoder; nmse: |x^-x|^2/|x|^2 per sample)" },
    { "tied", K_BOOL, F(model.tied), TR, 0, 0, 0, 0, 0, 0, "[=yes|no]: tied weights W2 = W1^T" },
    { "batch-topk", K_BOOL, F(model.batch_topk), TR, 0, 0, 0, 0, 0, 0,
      "[=yes|no]: BatchTopK: keep the k x batch largest activations of a training batch; per sample at a "
      "learned threshold afterwards" },
    { "pre-bias", K_BOOL, F(model.pre_bias), TR, 0, 0, 0, 0, 0, 0,
      "[=yes|no]: the encoder sees x - b2, the decoder's bias (the b_dec of TopK/JumpReLU SAEs)" },
    { "unit-norm", K_BOOL, F(model.unit_norm), TR, 0, 0, 0, 0, 0, 0,
      "[=yes|no]: decoder atoms (W2's columns; tied: W1's rows) kept at norm 1, the gradient along each removed "
      "(sgd, adam)" },
    { "init-transpose", K_BOOL, F(model.init_transpose), TR, 0, 0, 0, 0, 0, 0, "[=yes|no]: untied W2 starts as W1^T" },
    { "bdec-init", K_ENUM, F(model.bdec_init), TR, 0, 0, 0, 0, p_bdec, "zero|mean|median",
      "where b2 (the decoder's bias, b_dec) starts: the training rows' mean or geometric median (linear decoder)" },
    { "reduction", K_ENUM, F(model.reduction), BOTH, 0, 0, 0, 0, p_red, "sum|mean",
      "objective scale: sum = UFLDL's (1/m) sum 1/2||x^-x||^2; mean = PyTorch/Keras MSELoss/'mse'" },
    { "lambda", K_DOUBLE, F(model.lambda), BOTH, 0, INF, 0, 0, 0, 0,
      "L2 weight decay: (lambda/2)||W||^2, with --reduction mean lambda ||W||^2 as Keras l2 (0)" },
    { "l1-weight", K_DOUBLE, F(model.l1_weight), BOTH, 0, INF, 0, 0, 0, 0, "L1 on the weights (0)" },
    { "l1-activity", K_DOUBLE, F(model.l1_activity), BOTH, 0, INF, 0, 0, 0, 0, "L1 on the hidden activations (0)" },
    { "l1-dec-norm", K_BOOL, F(model.l1_dec_norm), TR, 0, 0, 0, 0, 0, 0,
      "[=yes|no]: weight each |h_j| of the L1 activity by its decoder atom's norm (Anthropic's form)" },
    { "beta", K_DOUBLE, F(model.beta), BOTH, 0, INF, 0, 0, 0, 0, "KL sparsity weight (0)" },
    { "rho", K_DOUBLE, F(model.rho), BOTH, 0, 1, 1, 1, 0, 0, "target activation, in (0, 1) (0.05)" },
    { "gamma", K_DOUBLE, F(model.gamma), BOTH, 0, INF, 0, 0, 0, 0, "contractive (Jacobian) weight (0)" },
    { "l0-penalty", K_DOUBLE, F(model.l0_penalty), BOTH, 0, INF, 0, 0, 0, 0,
      "L0 penalty on the activations, (1/m) sum #{h != 0}; trained through jumprelu's thresholds (0)" },
    { "bandwidth", K_DOUBLE, F(model.bandwidth), BOTH, 0, INF, 1, 0, 0, 0,
      "jumprelu: width of the straight-through estimator's window around each threshold (1e-3)" },
    { "aux-k", K_SIZE, F(model.aux_k), TR, 0, MAX_UNITS, 0, 0, 0, 0,
      "AuxK: the dead units (silent for --dead-window samples) each sample uses to model the residual (0: off)" },
    { "aux-weight", K_DOUBLE, F(model.aux_weight), BOTH, 0, INF, 0, 0, 0, 0, "AuxK: the loss's weight alpha (1/32)" },
    { "jump-init", K_DOUBLE, F(model.jump_init), TR, 0, INF, 1, 0, 0, 0,
      "jumprelu: every unit's threshold at initialisation (1e-3)" },
    { "kl-eps", K_DOUBLE, F(model.kl_eps), BOTH, 0, 0.5, 1, 1, 0, 0, "clamp of rho-hat in the KL (1e-6)" },
    { "kl-tanh", K_ENUM, F(model.kl_tanh), BOTH, 0, 0, 0, 0, p_kl, "rescale|raw",
      "tanh activations for the KL: (h+1)/2 or h" },
    /* optimisation */
    { "optimizer", K_ENUM, F(train.optimizer), TR, 0, 0, 0, 0, p_optim, "sgd|adam|lbfgs", "optimizer (adam)" },
    { "lr", K_DOUBLE, F(train.lr), TR, 0, INF, 1, 0, 0, 0, "learning rate (sgd 0.1, adam 1e-3)" },
    { "momentum", K_DOUBLE, F(train.momentum), TR, 0, 1, 0, 1, 0, 0, "SGD momentum (0.9)" },
    { "adam-beta1", K_DOUBLE, F(train.adam_beta1), TR, 0, 1, 0, 1, 0, 0, "Adam beta1 (0.9)" },
    { "adam-beta2", K_DOUBLE, F(train.adam_beta2), TR, 0, 1, 0, 1, 0, 0, "Adam beta2 (0.999)" },
    { "adam-eps", K_DOUBLE, F(train.adam_eps), TR, 0, INF, 1, 0, 0, 0, "Adam epsilon (1e-8)" },
    { "batch", K_SIZE, F(train.batch), TR, 1, MAX_UNITS, 0, 0, 0, 0, "minibatch size for sgd/adam (32)" },
    { "dead-window", K_SIZE, F(train.dead_window), TR, 0, INF, 0, 0, 0, 0,
      "training samples a relu unit may go unfired before it counts as dead (0: one epoch)" },
    { "resample-every", K_UINT, F(train.resample_every), TR, 0, INF, 0, 0, 0, 0,
      "N: every N steps give the dead units a new start from badly reconstructed rows (sgd, adam; 0: never)" },
    { "epochs", K_UINT, F(train.epochs), TR, 1, INF, 0, 0, 0, 0, "epochs for sgd/adam (100)" },
    { "iters", K_UINT, F(train.iters), TR, 1, INF, 0, 0, 0, 0, "L-BFGS iterations (400)" },
    { "lbfgs-memory", K_UINT, F(train.lbfgs_memory), TR, 1, INF, 0, 0, 0, 0, "L-BFGS memory (100)" },
    { "max-fevals", K_UINT, F(train.max_fevals), TR, 1, INF, 0, 0, 0, 0,
      "L-BFGS objective evaluations at most (1000)" },
    { "seed", K_UINT, F(train.seed), BOTH, 0, 4294967295.0, 0, 0, 0, 0,
      "seed of the initialisation, shuffling and patches (42)" },
    /* machine */
    { "threads", K_UINT, F(threads), BOTH, 0, 4096, 0, 0, 0, 0, "N: threads (0: OMP_NUM_THREADS or all cores)" },
    { "precision", K_ENUM, F(train.precision), BOTH, 0, 0, 0, 0, p_prec, "float|double", "compute precision (float)" },
    { "cpumask", K_ENUM, F(cpumask), BOTH, 0, 0, 0, 0, p_cpumask, "scalar|avx2|avx512|all",
      "highest ISA the kernels may use (also SAE_CPU_MASK)" },
    /* files */
    { "init", K_STRING, F(init_path), TR, 0, 0, 0, 0, 0, 0, "M.npz: start from these weights" },
    { "save", K_STRING, F(save_path), TR, 0, 0, 0, 0, 0, 0, "M.npz: write the trained model" },
    { "save-init", K_STRING, F(save_init_path), TR, 0, 0, 0, 0, 0, 0,
      "M.npz: also write the initial weights (for a peer to start from)" },
    { "save-data", K_STRING, F(save_data_path), TR, 0, 0, 0, 0, 0, 0,
      "X.npy: also write the training rows as trained on (float64, scaled, split)" },
    { "model", K_STRING, F(model_path), EV, 0, 0, 0, 0, 0, 0, "M.npz: the model to evaluate" },
    { "grads", K_STRING, F(grads_path), EV, 0, 0, 0, 0, 0, 0, "G.npz: write the gradient (gW1, gb1, gW2, gb2)" },
    { "json", K_SWITCH, F(json), BOTH, 0, 0, 0, 0, 0, 0, "print one JSON object with every figure" },
    { "metrics", K_SWITCH, F(metrics), TR, 0, 0, 0, 0, 0, 0,
      "also measure what a sweep does: the metrics, baselines and the linear probe (labelled data)" },
    { "images", K_STRING, F(images_dir), TR, 0, 0, 0, 0, 0, 0,
      "DIR: write filters.png and reconstructions.png there (image data)" },
    { "latents", K_STRING, F(latents_dir), TR, 0, 0, 0, 0, 0, 0,
      "DIR: write latents.csv (per unit: firing density, mean and max activation, norms) and density.svg there, "
      "from the held-out rows (at most 10000)" },
};
enum { N_OPTS = sizeof opts / sizeof *opts };

void sae_run_spec_init(SaeRunSpec *s)
{
    memset(s, 0, sizeof *s);
    s->model = sae_config_default();
    s->train = sae_train_defaults();
    s->data = sae_data_defaults();
    s->data_spec = "digits";
    s->cpumask = SAE_CPU_ALL;
}

/* Compares option names with '_' and '-' taken as the same. */
static int same_name(const char *a, const char *b)
{
    for (; *a && *b; a++, b++)
        if (*a != *b && !((*a == '_' || *a == '-') && (*b == '_' || *b == '-')))
            return 0;
    return *a == *b;
}

int sae_option_index(const char *name)
{
    for (int i = 0; i < N_OPTS; i++)
        if (same_name(name, opts[i].name))
            return i;
    return -1;
}

static int range_error(const Opt *o, const char *v, char *err, size_t n)
{
    char lo[32], hi[32];
    const char *fmt = o->kind == K_DOUBLE ? "%g" : "%.0f"; /* 16777216, not 1.67772e+07 */
    snprintf(lo, sizeof lo, fmt, o->lo);
    snprintf(hi, sizeof hi, fmt, o->hi);
    if (o->hi == INF)
        snprintf(err, n, "--%s must be %s %s, got %s", o->name, o->lo_open ? ">" : ">=", lo, v);
    else
        snprintf(err, n, "--%s must be in %s%s, %s%s, got %s", o->name, o->lo_open ? "(" : "[", lo, hi,
                 o->hi_open ? ")" : "]", v);
    return -1;
}

static int in_range(const Opt *o, double x)
{
    return (o->lo_open ? x > o->lo : x >= o->lo) && (o->hi_open ? x < o->hi : x <= o->hi);
}

static int set_value(SaeRunSpec *s, const Opt *o, const char *v, char *err, size_t n)
{
    void *dst = (char *)s + o->off;
    char *end;
    switch (o->kind) {
    case K_DOUBLE: {
        errno = 0;
        const double x = strtod(v, &end);
        if (!*v || *end || errno == ERANGE || !isfinite(x)) {
            snprintf(err, n, "--%s expects a number, got '%s'", o->name, v);
            return -1;
        }
        if (!in_range(o, x))
            return range_error(o, v, err, n);
        *(double *)dst = x;
        return 0;
    }
    case K_SIZE:
    case K_UINT: {
        errno = 0;
        const unsigned long long x = strtoull(v, &end, 10);
        if (!*v || *end || errno == ERANGE || strchr(v, '-')) {
            snprintf(err, n, "--%s expects a whole number, got '%s'", o->name, v);
            return -1;
        }
        if (!in_range(o, (double)x) || (o->kind == K_UINT && x > 4294967295ull))
            return range_error(o, v, err, n);
        if (o->kind == K_SIZE)
            *(size_t *)dst = (size_t)x;
        else
            *(unsigned *)dst = (unsigned)x;
        return 0;
    }
    case K_BOOL:
        if (!strcmp(v, "1") || !strcmp(v, "yes") || !strcmp(v, "true"))
            *(int *)dst = 1;
        else if (!strcmp(v, "0") || !strcmp(v, "no") || !strcmp(v, "false"))
            *(int *)dst = 0;
        else {
            snprintf(err, n, "--%s expects yes or no, got '%s'", o->name, v);
            return -1;
        }
        return 0;
    case K_STRING:
        if (!*v) {
            snprintf(err, n, "--%s expects a value", o->name);
            return -1;
        }
        *(const char **)dst = v;
        return 0;
    case K_ENUM:
        if (o->parse(v, dst)) {
            snprintf(err, n, "--%s expects one of %s, got '%s'", o->name, o->choices, v);
            return -1;
        }
        return 0;
    case K_SWITCH: snprintf(err, n, "--%s takes no value", o->name); return -1;
    }
    return -1;
}

int sae_option_set(SaeRunSpec *s, unsigned cmd, const char *name, const char *value, char *err, size_t errlen)
{
    const int i = sae_option_index(name);
    if (i < 0 || (cmd && !(opts[i].cmds & cmd))) {
        const char *names[N_OPTS];
        size_t n = 0;
        for (int j = 0; j < N_OPTS; j++)
            if (!cmd || opts[j].cmds & cmd)
                names[n++] = opts[j].name;
        const char *near = sae_nearest(name, names, n);
        if (near)
            snprintf(err, errlen, "unknown option --%s; did you mean --%s? (see --help)", name, near);
        else
            snprintf(err, errlen, "unknown option --%s (see --help)", name);
        return -1;
    }
    const Opt *o = &opts[i];
    if (!value) {
        if (o->kind == K_SWITCH || o->kind == K_BOOL) {
            *(int *)((char *)s + o->off) = 1;
            s->given[i / 64] |= 1ull << (i % 64);
            return 1;
        }
        snprintf(err, errlen, "--%s expects a value", o->name);
        return -1;
    }
    if (set_value(s, o, value, err, errlen))
        return -1;
    if (o->off == offsetof(SaeRunSpec, train.lr))
        s->lr_set = 1;
    s->given[i / 64] |= 1ull << (i % 64);
    return 0;
}

int sae_options_parse(SaeRunSpec *s, unsigned cmd, int argc, char **argv, int first, char *err, size_t errlen)
{
    for (int a = first; a < argc; a++) {
        const char *arg = argv[a];
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h"))
            return 1;
        if (strncmp(arg, "--", 2) != 0 || !arg[2]) {
            snprintf(err, errlen, "unexpected argument '%s' (options start with --)", arg);
            return -1;
        }
        char name[64];
        const char *eq = strchr(arg + 2, '=');
        const size_t nl = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
        if (nl >= sizeof name) {
            snprintf(err, errlen, "unknown option %s", arg);
            return -1;
        }
        memcpy(name, arg + 2, nl);
        name[nl] = 0;
        const int i = sae_option_index(name);
        const int takes_value = i >= 0 && opts[i].kind != K_SWITCH && opts[i].kind != K_BOOL;
        const char *value = eq ? eq + 1 : NULL;
        if (!value && takes_value) {
            if (a + 1 >= argc) {
                snprintf(err, errlen, "--%s expects a value", name);
                return -1;
            }
            value = argv[++a];
        }
        if (sae_option_set(s, cmd, name, value, err, errlen) < 0)
            return -1;
    }
    if (!s->lr_set)
        s->train.lr = s->train.optimizer == SAE_OPT_SGD ? 0.1 : 1e-3;
    return 0;
}

void sae_options_help(unsigned cmd, const char *usage)
{
    printf("%s\n\nOptions:\n", usage);
    SaeRunSpec d;
    sae_run_spec_init(&d);
    for (int i = 0; i < N_OPTS; i++) {
        if (!(opts[i].cmds & cmd))
            continue;
        char left[64], def[64] = "";
        if (opts[i].kind == K_ENUM) {
            snprintf(left, sizeof left, "--%s %s", opts[i].name, opts[i].choices);
            sae_option_format(&d, (size_t)i, def, sizeof def); /* the choice in force unless given */
        } else {
            snprintf(left, sizeof left, "--%s", opts[i].name);
        }
        printf("  %-34s %s%s%s%s\n", left, opts[i].help, *def ? " [default " : "", def, *def ? "]" : "");
    }
    printf("  %-34s %s\n", "--help", "this text");
}

_Static_assert(N_OPTS <= 128, "SaeRunSpec.given has one bit per option");

void sae_options_override_model(const SaeRunSpec *s, SaeConfig *c, char *note, size_t len)
{
    const size_t lo = offsetof(SaeRunSpec, model), hi = lo + sizeof(SaeConfig);
    SaeRunSpec from = *s;
    from.model = *c;
    if (note && len)
        note[0] = 0;
    for (int i = 0; i < N_OPTS; i++) {
        if (!sae_option_given(s, i) || opts[i].off < lo || opts[i].off >= hi)
            continue;
        char was[64], now[64];
        sae_option_format(&from, (size_t)i, was, sizeof was);
        sae_option_format(s, (size_t)i, now, sizeof now);
        if (note && strcmp(was, now))
            snprintf(note + strlen(note), len - strlen(note), "%s--%s %s (file: %s)", *note ? ", " : "", opts[i].name,
                     now, was);
        memcpy((char *)c + (opts[i].off - lo), (const char *)s + opts[i].off, opts[i].size);
    }
}

/* The options each optimizer ignores. */
static int ignored_by(SaeOptimizer o, const char *name)
{
    static const char *const lbfgs[] = { "lr",    "momentum", "adam-beta1",  "adam-beta2",    "adam-eps",
                                         "batch", "epochs",   "dead-window", "resample-every" };
    static const char *const sgd[] = { "iters", "lbfgs-memory", "adam-beta1", "adam-beta2", "adam-eps" };
    static const char *const adam[] = { "iters", "lbfgs-memory", "momentum" };
    const char *const *list = o == SAE_OPT_LBFGS ? lbfgs : o == SAE_OPT_SGD ? sgd : adam;
    const size_t n = o == SAE_OPT_LBFGS ? 9 : o == SAE_OPT_SGD ? 5 : 3;
    for (size_t i = 0; i < n; i++)
        if (!strcmp(name, list[i]))
            return 1;
    return 0;
}

void sae_options_ignored(const SaeRunSpec *s, char *buf, size_t len)
{
    buf[0] = 0;
    for (int i = 0; i < N_OPTS; i++)
        if (sae_option_given(s, i) && ignored_by(s->train.optimizer, opts[i].name))
            snprintf(buf + strlen(buf), len - strlen(buf), "%s--%s", *buf ? ", " : "", opts[i].name);
}

size_t sae_option_count(void) { return N_OPTS; }

const char *sae_option_name(size_t i) { return opts[i].name; }

int sae_option_is_setting(size_t i)
{
    /* what a run is: not where its files go or how it prints */
    static const char *const not_settings[] = { "init",  "save", "save-init", "save-data", "model",
                                                "grads", "json", "metrics",   "images",    "latents" };
    for (size_t j = 0; j < sizeof not_settings / sizeof *not_settings; j++)
        if (!strcmp(opts[i].name, not_settings[j]))
            return 0;
    return 1;
}

void sae_option_format(const SaeRunSpec *s, size_t i, char *buf, size_t len)
{
    const Opt *o = &opts[i];
    const void *src = (const char *)s + o->off;
    switch (o->kind) {
    case K_DOUBLE: snprintf(buf, len, "%.9g", *(const double *)src); return;
    case K_SIZE: snprintf(buf, len, "%zu", *(const size_t *)src); return;
    case K_UINT: snprintf(buf, len, "%u", *(const unsigned *)src); return;
    case K_BOOL:
    case K_SWITCH: snprintf(buf, len, "%d", *(const int *)src); return;
    case K_STRING: snprintf(buf, len, "%s", *(const char *const *)src ? *(const char *const *)src : ""); return;
    case K_ENUM: break;
    }
    /* enums: the choice whose parse gives the stored value */
    const char *c = o->choices;
    while (*c) {
        const char *bar = strchr(c, '|');
        const size_t l = bar ? (size_t)(bar - c) : strlen(c);
        char name[32];
        snprintf(name, sizeof name, "%.*s", (int)l, c);
        unsigned char tmp[16] = { 0 };
        if (o->parse(name, tmp) == 0 && !memcmp(tmp, src, o->size)) {
            snprintf(buf, len, "%s", name);
            return;
        }
        c = bar ? bar + 1 : c + l;
    }
    snprintf(buf, len, "?");
}
