#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io/fileio.h"
#include "core/metrics.h"
#include "experiments/sweep/results.h"
#include "experiments/report/svg.h"

/* The metric columns, after the settings; the last three are timings, the
 * only columns that differ between two runs of the same settings. */
static const char *const metric_cols[] = {
    "run_id", "status", "stop_reason", "epochs_done", "iterations", "fevals", "train_loss", "eval_rows",
#define METRIC_NAME(name) #name,
    "objective", "recon", "l2", "l1w", "l1a", "kl", "cae", SAE_METRIC_FIELDS(METRIC_NAME) "probe_acc", "probe_train_acc", "raw_probe_acc",
    "isa", "gemm_kernel", "saebench_version", "git_revision",
    "seconds", "seconds_per_epoch", "samples_per_s",
};

void sae_rows_init(SaeRows *r)
{
    memset(r, 0, sizeof *r);
    const size_t n_metrics = sizeof metric_cols / sizeof *metric_cols;
    r->names = calloc(sae_option_count() + n_metrics, sizeof(char *));
    for (size_t i = 0; i < sae_option_count(); i++) {
        if (!sae_option_is_setting(i))
            continue;
        char *n = strdup(sae_option_name(i));
        for (char *p = n; *p; p++)
            if (*p == '-') *p = '_'; /* column names pandas can use as attributes */
        r->names[r->n_cols++] = n;
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

int sae_rows_add(SaeRows *r, char *const *vals)
{
    if (r->n_rows == r->cap) {
        const size_t cap = r->cap ? 2 * r->cap : 64;
        char ***nr = realloc(r->rows, cap * sizeof *nr);
        if (!nr) return -1;
        r->rows = nr;
        r->cap = cap;
    }
    char **row = calloc(r->n_cols, sizeof(char *));
    if (!row) return -1;
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
    if (!out) return NULL;
    for (size_t c = 0; c < n; c++) {
        if (c) *p++ = ',';
        if (needs_quotes(vals[c])) {
            *p++ = '"';
            for (const char *s = vals[c]; *s; s++) {
                if (*s == '"') *p++ = '"';
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
                if (*p == '"' && p[1] == '"') { *q++ = '"'; p++; }
                else if (*p == '"') { p++; break; }
                else *q++ = *p;
            }
        } else {
            while (*p && *p != ',') *q++ = *p++;
        }
        *q = 0;
        out[n++] = f;
        if (*p != ',') break;
        p++;
    }
    return n;
}

int sae_rows_load(const char *path, SaeRows *r, SaeError *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return errno == ENOENT ? 0 : sae_fail(e, "%s: cannot open: %s", path, strerror(errno));
    fseek(f, 0, SEEK_END);
    const long size = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *text = malloc((size_t)size + 1);
    if (!text || fread(text, 1, (size_t)size, f) != (size_t)size) {
        fclose(f);
        free(text);
        return sae_fail(e, "%s: read error", path);
    }
    fclose(f);
    text[size] = 0;
    long whole = size; /* the bytes up to the last newline */
    while (whole > 0 && text[whole - 1] != '\n') whole--;
    if (whole < size && truncate(path, whole) != 0) {
        free(text);
        return sae_fail(e, "%s: cannot cut the torn last line: %s", path, strerror(errno));
    }
    text[whole] = 0;
    int rc = 0;
    size_t line = 0;
    char **fields = calloc(r->n_cols + 1, sizeof(char *));
    for (char *p = text; *p && !rc;) {
        char *nl = strchr(p, '\n');
        *nl = 0;
        line++;
        const size_t n = csv_split(p, fields, r->n_cols + 1);
        if (line == 1) {
            int same = n == r->n_cols;
            for (size_t c = 0; c < n && same; c++) same = !strcmp(fields[c], r->names[c]);
            if (!same)
                rc = sae_fail(e, "%s: line 1: the columns differ from this saebench's (written by another "
                                 "version?); use a new --out", path);
        } else if (n != r->n_cols) {
            rc = sae_fail(e, "%s: line %zu: expected %zu fields, got %zu", path, line, r->n_cols, n);
        } else if (sae_rows_add(r, fields)) {
            rc = sae_fail(e, "%s: out of memory", path);
        }
        for (size_t c = 0; c < n; c++) free(fields[c]);
        p = nl + 1;
    }
    free(fields);
    free(text);
    return rc;
}

/* Appends one whole line with a single write, then syncs. */
static int append(const char *path, const char *line, SaeError *e)
{
    const int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd < 0)
        return sae_fail(e, "%s: cannot open for appending: %s", path, strerror(errno));
    const size_t len = strlen(line);
    const ssize_t w = write(fd, line, len);
    const int ok = w == (ssize_t)len && fsync(fd) == 0;
    close(fd);
    return ok ? 0 : sae_fail(e, "%s: write error", path);
}

static int is_number(const char *s)
{
    if (!*s) return 0;
    char *end;
    strtod(s, &end);
    return *end == 0;
}

static void json_string(char **p, const char *s)
{
    *(*p)++ = '"';
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') { *(*p)++ = '\\'; *(*p)++ = *s; }
        else if ((unsigned char)*s < 0x20) *p += sprintf(*p, "\\u%04x", *s);
        else *(*p)++ = *s;
    }
    *(*p)++ = '"';
}

/* One JSON object (with '\n') of a row: numbers as numbers, absent values
 * as null. malloc'd. */
static char *json_line(const SaeRows *r, char *const *vals)
{
    size_t len = 4;
    for (size_t c = 0; c < r->n_cols; c++) len += strlen(r->names[c]) + 7 * strlen(vals[c]) + 16;
    char *json = malloc(len), *p = json;
    if (!json) return NULL;
    *p++ = '{';
    for (size_t c = 0; c < r->n_cols; c++) {
        if (c) *p++ = ',';
        json_string(&p, r->names[c]);
        *p++ = ':';
        if (!*vals[c]) p += sprintf(p, "null");
        else if (is_number(vals[c]) && strcmp(r->names[c], "run_id") && strcmp(r->names[c], "git_revision"))
            p += sprintf(p, "%s", vals[c]);
        else json_string(&p, vals[c]);
    }
    *p++ = '}';
    *p++ = '\n';
    *p = 0;
    return json;
}

int sae_rows_append(const char *dir, const SaeRows *r, char *const *vals, SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/results.csv", dir);
    if (access(path, F_OK) != 0) {
        char *hdr = csv_line(r->names, r->n_cols);
        const int rc = hdr ? append(path, hdr, e) : sae_fail(e, "out of memory");
        free(hdr);
        if (rc) return -1;
    }
    char *line = csv_line(vals, r->n_cols);
    if (!line || append(path, line, e)) {
        free(line);
        return line ? -1 : sae_fail(e, "out of memory");
    }
    free(line);
    char *json = json_line(r, vals);
    if (!json) return sae_fail(e, "out of memory");
    snprintf(path, sizeof path, "%s/results.jsonl", dir);
    const int rc = append(path, json, e);
    free(json);
    return rc;
}

int sae_rows_rewrite_jsonl(const char *dir, const SaeRows *r, SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/results.jsonl", dir);
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    for (size_t i = 0; i < r->n_rows; i++) {
        char *json = json_line(r, r->rows[i]);
        if (!json) {
            sae_atomic_abort(&af);
            return sae_fail(e, "out of memory");
        }
        fputs(json, af.f);
        free(json);
    }
    return sae_atomic_commit(&af, e);
}

/* ---- the report ------------------------------------------------------ */

/* Two values are the same setting: equal as numbers, or as text. */
static int same_value(const char *a, const char *b)
{
    if (is_number(a) && is_number(b))
        return strtod(a, NULL) == strtod(b, NULL);
    return !strcmp(a, b);
}

static int axis_col(const SaeRows *r, const SaeAxis *a)
{
    char name[48];
    snprintf(name, sizeof name, "%s", a->key);
    for (char *p = name; *p; p++)
        if (*p == '-') *p = '_';
    return sae_rows_col(r, name);
}

typedef struct Stat { double sum, sq; size_t n; } Stat;

static void stat_add(Stat *s, const char *v)
{
    if (!is_number(v)) return;
    const double x = strtod(v, NULL);
    if (!isfinite(x)) return;
    s->sum += x;
    s->sq += x * x;
    s->n++;
}

static double stat_mean(const Stat *s) { return s->n ? s->sum / (double)s->n : NAN; }

static double stat_std(const Stat *s)
{
    if (s->n < 2) return 0;
    const double m = stat_mean(s), v = (s->sq - (double)s->n * m * m) / (double)(s->n - 1);
    return v > 0 ? sqrt(v) : 0;
}

/* Does row r match the values chosen for the axes in sel (NULL: any)? */
static int row_matches(const SaeRows *rows, size_t r, const int *cols, const char *const *sel, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (sel[i] && !same_value(rows->rows[r][cols[i]], sel[i]))
            return 0;
    return 1;
}

static const char *const summary_metrics[] = {
    "recon_per_sample", "mse_per_element", "kl", "rho_mean", "rho_abs_dev", "frac_near_zero", "dead_frac",
    "lifetime_sparsity", "jac_norm", "sat_frac", "probe_acc", "seconds_per_epoch",
};

static int write_summary(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r,
                         SaeError *e)
{
    char path[8192];
    snprintf(path, sizeof path, "%s/summary.md", dir);
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    FILE *f = af.f;
    fprintf(f, "# Sweep %s\n\n%zu runs", config_path, r->n_rows);
    const int st = sae_rows_col(r, "status");
    size_t diverged = 0;
    for (size_t i = 0; i < r->n_rows; i++) diverged += !strcmp(r->rows[i][st], "diverged");
    fprintf(f, " (%zu diverged), %u seed(s) per setting; mean ± std over seeds, on the held-out rows.\n\n",
            diverged, c->seeds);
    /* the axes that are swept (the seed aside) */
    int cols[SAE_MAX_AXES];
    const SaeAxis *axes[SAE_MAX_AXES];
    size_t na = 0;
    for (size_t a = 0; a < c->n_axes; a++)
        if (strcmp(c->axes[a].key, "seed") && axis_col(r, &c->axes[a]) >= 0) {
            axes[na] = &c->axes[a];
            cols[na++] = axis_col(r, &c->axes[a]);
        }
    const int raw = sae_rows_col(r, "raw_probe_acc");
    int metric_cols_idx[16];
    size_t nm = 0;
    for (size_t m = 0; m < sizeof summary_metrics / sizeof *summary_metrics; m++) {
        const int col = sae_rows_col(r, summary_metrics[m]);
        int any = 0;
        for (size_t i = 0; i < r->n_rows && !any; i++) any = *r->rows[i][col] != 0;
        if (any) metric_cols_idx[nm++] = col;
    }
    fputs("|", f);
    for (size_t a = 0; a < na; a++) fprintf(f, " %s |", axes[a]->key);
    fputs(" runs |", f);
    for (size_t m = 0; m < nm; m++) fprintf(f, " %s |", r->names[metric_cols_idx[m]]);
    fputs("\n|", f);
    for (size_t i = 0; i < na + 1 + nm; i++) fputs("---|", f);
    fputc('\n', f);
    /* every combination of the swept values, in grid order */
    size_t combos = 1;
    for (size_t a = 0; a < na; a++) combos *= axes[a]->n;
    for (size_t k = 0; k < combos; k++) {
        const char *sel[SAE_MAX_AXES];
        size_t rest = k;
        for (size_t a = na; a-- > 0;) {
            sel[a] = axes[a]->values[rest % axes[a]->n];
            rest /= axes[a]->n;
        }
        Stat s[16] = { { 0 } };
        size_t runs = 0;
        for (size_t i = 0; i < r->n_rows; i++) {
            if (!row_matches(r, i, cols, sel, na)) continue;
            runs++;
            for (size_t m = 0; m < nm; m++) stat_add(&s[m], r->rows[i][metric_cols_idx[m]]);
        }
        if (!runs) continue;
        fputs("|", f);
        for (size_t a = 0; a < na; a++) fprintf(f, " %s |", sel[a]);
        fprintf(f, " %zu |", runs);
        for (size_t m = 0; m < nm; m++) {
            if (!s[m].n) fputs(" — |", f);
            else if (c->seeds > 1) fprintf(f, " %.4g ± %.2g |", stat_mean(&s[m]), stat_std(&s[m]));
            else fprintf(f, " %.4g |", stat_mean(&s[m]));
        }
        fputc('\n', f);
    }
    if (raw >= 0 && r->n_rows && *r->rows[0][raw])
        fprintf(f, "\nBaseline: softmax probe on the raw inputs, held-out accuracy %s.\n", r->rows[0][raw]);
    fprintf(f, "\n## Conventions\n\n"
               "- recon_per_sample = (1/m) Σ ½‖x̂ − x‖² (also for bce-trained models); mse_per_element = "
               "(1/(m n)) Σ (x̂ − x)²; loss terms as in the README (MSE with ½, mean over samples; "
               "weight penalties not divided by m).\n"
               "- ρ̂ is the mean activation on the held-out rows, tanh mapped to (h+1)/2 (kl_tanh rescale); "
               "KL clamp ε = kl_eps.\n"
               "- frac_near_zero: activations below τ = %g; dead: a unit whose largest activation is ≤ %g "
               "(relu: 0); saturated: sigmoid < 0.05 or > 0.95, tanh |h| > 0.9, relu h = 0.\n"
               "- lifetime sparsity: Treves–Rolls over the rows of each unit (0 dense, 1 one-hot), averaged "
               "over units.\n"
               "- jac_norm = (1/m) Σ ‖J_f(x)‖_F.\n"
               "- probe_acc: softmax regression (λ = 1e-4, L-BFGS, 400 iterations) on the hidden code of the "
               "training rows, accuracy on the held-out rows.\n"
               "- seconds_per_epoch is wall time (the only columns that change between reruns are seconds, "
               "seconds_per_epoch and samples_per_s).\n",
            SAE_METRIC_TAU, SAE_METRIC_TAU_DEAD);
    return sae_atomic_commit(&af, e);
}

/* y (mean ± std) against axis x, one series per value of axis g (or one). */
static void plot_series(const SaeRows *r, const SaeAxis *x, int xcol, const SaeAxis *g, int gcol, int ycol,
                        int numeric_x, SaePlot *p)
{
    const size_t ng = g ? g->n : 1;
    p->n_series = 0;
    p->categorical = !numeric_x;
    p->n_xticks = x->n < 64 ? x->n : 64;
    for (size_t i = 0; i < p->n_xticks; i++) snprintf(p->xticks[i], sizeof p->xticks[i], "%s", x->values[i]);
    for (size_t gi = 0; gi < ng && p->n_series < 12; gi++) {
        SaeSeries *s = &p->series[p->n_series];
        memset(s, 0, sizeof *s);
        if (g) snprintf(s->name, sizeof s->name, "%s = %s", g->key, g->values[gi]);
        else snprintf(s->name, sizeof s->name, "all runs");
        for (size_t xi = 0; xi < x->n && s->n < 64; xi++) {
            Stat st = { 0 };
            for (size_t i = 0; i < r->n_rows; i++)
                if (same_value(r->rows[i][xcol], x->values[xi]) &&
                    (!g || same_value(r->rows[i][gcol], g->values[gi])))
                    stat_add(&st, r->rows[i][ycol]);
            if (!st.n) continue;
            s->x[s->n] = numeric_x ? strtod(x->values[xi], NULL) : (double)xi;
            s->y[s->n] = stat_mean(&st);
            s->err[s->n] = stat_std(&st);
            s->n++;
        }
        if (s->n) p->n_series++;
    }
}

static const SaeAxis *find(const SaeSweepConfig *c, const char *key)
{
    for (size_t a = 0; a < c->n_axes; a++)
        if (sae_option_index(c->axes[a].key) == sae_option_index(key))
            return &c->axes[a];
    return NULL;
}

static int has_values(const SaeRows *r, int col)
{
    for (size_t i = 0; i < r->n_rows; i++)
        if (is_number(r->rows[i][col])) return 1;
    return 0;
}

/* The series of a plot against x: the preferred axis if swept, else the
 * first other swept axis with a few values (or none). */
static const SaeAxis *pick_group(const SaeSweepConfig *c, const SaeAxis *x, const SaeAxis *preferred)
{
    if (preferred && preferred != x)
        return preferred;
    for (size_t a = 0; a < c->n_axes; a++)
        if (&c->axes[a] != x && strcmp(c->axes[a].key, "seed") && c->axes[a].n > 1 && c->axes[a].n <= 6)
            return &c->axes[a];
    return NULL;
}

/* One plot file: y against x, grouped by g (may be NULL). */
static int plot(const char *dir, const char *file, const SaeRows *r, const SaeAxis *x, const SaeAxis *g,
                const char *ycol, const char *title, int numeric_x, int diagonal, int logy, SaeError *e)
{
    const int yc = sae_rows_col(r, ycol);
    if (!x || yc < 0 || !has_values(r, yc))
        return 0;
    SaePlot *p = calloc(1, sizeof *p);
    if (!p) return sae_fail(e, "out of memory");
    snprintf(p->title, sizeof p->title, "%s (mean ± std over the other settings)", title);
    snprintf(p->xlabel, sizeof p->xlabel, "%s", x->key);
    snprintf(p->ylabel, sizeof p->ylabel, "%s", ycol);
    p->diagonal = diagonal;
    p->logy = logy;
    plot_series(r, x, axis_col(r, x), g, g ? axis_col(r, g) : -1, yc, numeric_x, p);
    char path[8192];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    const int rc = sae_svg_write(path, p, e);
    free(p);
    return rc;
}

static int write_plots(const SaeSweepConfig *c, const char *dir, const SaeRows *r, SaeError *e)
{
    const SaeAxis *beta = find(c, "beta"), *rho = find(c, "rho"), *hidden = find(c, "hidden");
    const SaeAxis *gamma = find(c, "gamma"), *mask = find(c, "cpumask"), *threads = find(c, "threads");
    int rc = 0;
    rc |= plot(dir, "recon_vs_beta.svg", r, beta, pick_group(c, beta, rho), "recon_per_sample",
               "Reconstruction vs KL weight beta", 0, 0, 0, e);
    rc |= plot(dir, "rhohat_vs_rho.svg", r, rho, pick_group(c, rho, beta), "rho_mean", "Mean activation vs target rho",
               1, 1, 0, e);
    rc |= plot(dir, "probe_vs_hidden.svg", r, hidden, pick_group(c, hidden, beta), "probe_acc",
               "Linear-probe accuracy vs hidden units", 0, 0, 0, e);
    rc |= plot(dir, "recon_vs_hidden.svg", r, hidden, pick_group(c, hidden, beta), "recon_per_sample",
               "Reconstruction vs hidden units", 0, 0, 0, e);
    rc |= plot(dir, "jacobian_vs_gamma.svg", r, gamma, pick_group(c, gamma, beta), "jac_norm",
               "Encoder Jacobian norm vs gamma", 0, 0, 0, e);
    rc |= plot(dir, "saturation_vs_gamma.svg", r, gamma, pick_group(c, gamma, beta), "sat_frac",
               "Saturated units vs gamma", 0, 0, 0, e);
    rc |= plot(dir, "seconds_per_epoch_by_isa.svg", r, mask, pick_group(c, mask, threads), "seconds_per_epoch",
               "Seconds per epoch by kernel level", 0, 0, 1, e);
    /* every other axis: reconstruction (and the probe) against it */
    for (size_t a = 0; a < c->n_axes && !rc; a++) {
        const SaeAxis *x = &c->axes[a];
        if (x == beta || x == rho || x == hidden || x == mask || !strcmp(x->key, "seed"))
            continue;
        char file[128], title[128];
        snprintf(file, sizeof file, "recon_vs_%s.svg", x->key);
        snprintf(title, sizeof title, "Reconstruction vs %s", x->key);
        rc |= plot(dir, file, r, x, pick_group(c, x, NULL), "recon_per_sample", title, 0, 0, 0, e);
        snprintf(file, sizeof file, "probe_vs_%s.svg", x->key);
        snprintf(title, sizeof title, "Linear-probe accuracy vs %s", x->key);
        rc |= plot(dir, file, r, x, pick_group(c, x, NULL), "probe_acc", title, 0, 0, 0, e);
    }
    return rc ? -1 : 0;
}

int sae_report_write(const char *dir, const char *config_path, const SaeSweepConfig *c, const SaeRows *r,
                     SaeError *e)
{
    if (write_summary(dir, config_path, c, r, e))
        return -1;
    return write_plots(c, dir, r, e);
}
