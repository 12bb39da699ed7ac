#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/fileio.h"
#include "experiments/sweep/sweep_config.h"

static char *trim(char *s)
{
    while (isspace((unsigned char)*s)) s++;
    char *e = s + strlen(s);
    while (e > s && isspace((unsigned char)e[-1])) *--e = 0;
    return s;
}

static int is_special(const char *key)
{
    return !strcmp(key, "seeds") || !strcmp(key, "splits") || !strcmp(key, "probe") || !strcmp(key, "images");
}

static int yes_no(const char *v, int *out)
{
    if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
        *out = 1;
    else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
        *out = 0;
    else
        return -1;
    return 0;
}

/* The special keys of [base]. */
static int set_special(SaeSweepConfig *c, const char *key, const char *v, const char *where, SaeError *e)
{
    if (!strcmp(key, "seeds") || !strcmp(key, "splits")) {
        char *end;
        errno = 0;
        const unsigned long n = strtoul(v, &end, 10);
        if (!*v || *end || n < 1 || n > 1000 || errno)
            return sae_fail(e, "%s: %s expects a whole number from 1 to 1000, got '%s'", where, key, v);
        *(key[1] == 'e' ? &c->seeds : &c->splits) = (unsigned)n;
        return 0;
    }
    int *dst = !strcmp(key, "probe") ? &c->probe : &c->images;
    if (yes_no(v, dst))
        return sae_fail(e, "%s: %s expects yes or no, got '%s'", where, key, v);
    return 0;
}

/* Checks that value is acceptable for option key (through the CLI setter). */
static int check_value(const char *key, const char *value, const char *where, SaeError *e)
{
    SaeRunSpec s;
    sae_run_spec_init(&s);
    char err[256];
    if (sae_option_set(&s, SAE_CMD_TRAIN, key, value, err, sizeof err) < 0)
        return sae_fail(e, "%s: %s", where, err);
    return 0;
}

static int range(const char *t, const char *fn, double *a, double *b, long *n)
{
    const size_t l = strlen(fn);
    if (strncmp(t, fn, l) || t[l] != '(')
        return 1;
    int end = -1;
    if (sscanf(t + l + 1, " %lf , %lf , %ld ) %n", a, b, n, &end) != 3 || end < 0 || t[l + 1 + (size_t)end])
        return -1; /* a trailing "junk" after ')' too */
    return 0;
}

int sae_axis_parse(const char *text, SaeAxis *a, SaeError *e)
{
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", text);
    char *t = trim(buf);
    a->n = 0;
    double lo, hi;
    long n;
    const int lg = range(t, "logspace", &lo, &hi, &n), ln = lg == 1 ? range(t, "linspace", &lo, &hi, &n) : 1;
    if (lg == -1 || ln == -1)
        return sae_fail(e, "%s: %s: malformed range '%s' (expected logspace(a, b, n) or linspace(a, b, n))", a->where,
                        a->key, t);
    if (lg == 0 || ln == 0) {
        if (n < 1 || n > SAE_MAX_VALUES || !isfinite(lo) || !isfinite(hi))
            return sae_fail(e, "%s: %s: a range needs 1 to %d points and finite ends, got '%s'", a->where, a->key,
                            SAE_MAX_VALUES, t);
        for (long i = 0; i < n; i++) {
            const double u = n == 1 ? lo : lo + (hi - lo) * (double)i / (double)(n - 1);
            snprintf(a->values[a->n++], sizeof a->values[0], "%.6g", lg == 0 ? pow(10, u) : u);
        }
        return 0;
    }
    for (char *p = t;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = 0;
        char *v = trim(p);
        if (!*v)
            return sae_fail(e, "%s: %s: empty value in '%s'", a->where, a->key, text);
        if (a->n == SAE_MAX_VALUES || strlen(v) >= sizeof a->values[0])
            return sae_fail(e, "%s: %s: at most %d values of up to 31 characters", a->where, a->key, SAE_MAX_VALUES);
        snprintf(a->values[a->n++], sizeof a->values[0], "%s", v);
        if (!comma)
            break;
        p = comma + 1;
    }
    return 0;
}

static SaeAxis *find_axis(SaeSweepConfig *c, const char *key)
{
    for (size_t i = 0; i < c->n_axes; i++)
        if (sae_option_index(c->axes[i].key) == sae_option_index(key))
            return &c->axes[i];
    return NULL;
}

static int add_axis(SaeSweepConfig *c, const char *key, const char *values, const char *where, SaeError *e)
{
    if (sae_option_index(key) < 0 || !sae_option_is_setting((size_t)sae_option_index(key)))
        return sae_fail(e, "%s: unknown sweep key '%s' (the train options, without --)", where, key);
    SaeAxis *a = find_axis(c, key);
    if (!a) {
        if (c->n_axes == SAE_MAX_AXES)
            return sae_fail(e, "%s: more than %d axes", where, SAE_MAX_AXES);
        a = &c->axes[c->n_axes++];
    }
    snprintf(a->key, sizeof a->key, "%s", key);
    snprintf(a->where, sizeof a->where, "%s", where);
    if (sae_axis_parse(values, a, e))
        return -1;
    for (size_t i = 0; i < a->n; i++) {
        char w[340];
        snprintf(w, sizeof w, "%s: %s value %zu", where, key, i + 1);
        if (check_value(key, a->values[i], w, e))
            return -1;
    }
    return 0;
}

int sae_sweep_config_base(SaeSweepConfig *c, const char *key, const char *value, const char *where, SaeError *e)
{
    if (is_special(key))
        return set_special(c, key, value, where, e);
    const int oi = sae_option_index(key);
    if (oi < 0 || !sae_option_is_setting((size_t)oi))
        return sae_fail(e, "%s: unknown key '%s' (the train options, without --)", where, key);
    if (*value && check_value(key, value, where, e))
        return -1;
    if (c->n_base == SAE_MAX_BASE)
        return sae_fail(e, "%s: too many keys", where);
    SaeKeyValue *kv = &c->base[c->n_base++];
    snprintf(kv->key, sizeof kv->key, "%s", key);
    snprintf(kv->value, sizeof kv->value, "%s", value);
    snprintf(kv->where, sizeof kv->where, "%s", where);
    return 0;
}

/* [only-if] AXIS = SETTING == VALUE (or !=), up to SAE_MAX_CONDITIONS of
 * them separated by commas, all of which must hold; VALUE must be one the
 * setting accepts. */
static int add_condition(SaeSweepConfig *c, const char *key, const char *value, const char *where, SaeError *e)
{
    SaeAxis *a = find_axis(c, key);
    if (!a)
        return sae_fail(e, "%s: [only-if] %s: not an axis of [sweep] (declare the axis first)", where, key);
    a->n_only_if = 0;
    for (const char *p = value; *p;) {
        const size_t len = strcspn(p, ",");
        char part[128], other[48], op[3], val[32], tail, err[256];
        snprintf(part, sizeof part, "%.*s", (int)(len < sizeof part ? len : sizeof part - 1), p);
        if (sscanf(part, " %47[a-z0-9_-] %2[!=] %31s %c", other, op, val, &tail) != 3 ||
            (strcmp(op, "!=") && strcmp(op, "==")))
            return sae_fail(e,
                            "%s: [only-if] %s: expected 'SETTING != VALUE' or 'SETTING == VALUE' (comma-separated), "
                            "got '%s'",
                            where, key, value);
        const int oi = sae_option_index(other);
        if (oi < 0 || !sae_option_is_setting((size_t)oi) || oi == sae_option_index(key))
            return sae_fail(e, "%s: [only-if] %s: '%s' is not another train option", where, key, other);
        SaeRunSpec probe;
        sae_run_spec_init(&probe);
        if (sae_option_set(&probe, SAE_CMD_TRAIN, other, val, err, sizeof err) < 0)
            return sae_fail(e, "%s: [only-if] %s: %s", where, key, err);
        if (a->n_only_if == SAE_MAX_CONDITIONS)
            return sae_fail(e, "%s: [only-if] %s: at most %d conditions", where, key, SAE_MAX_CONDITIONS);
        SaeCondition *cond = &a->only_if[a->n_only_if++];
        snprintf(cond->setting, sizeof cond->setting, "%s", other);
        sae_option_format(&probe, (size_t)oi, cond->value, sizeof cond->value); /* as the setting prints */
        cond->equal = op[0] == '=';
        p += len + (p[len] == ',');
    }
    return 0;
}

/* The lines of a sweep file already known to be text. */
static int parse_text(const char *path, const char *buf, size_t len, SaeSweepConfig *c, SaeError *e)
{
    c->seeds = c->splits = 1;
    c->probe = c->images = 1;
    char *text = malloc(len + 1);
    if (!text)
        return sae_fail(e, "%s: out of memory", path);
    memcpy(text, buf, len);
    text[len] = 0;
    int section = 0, rc = 0; /* 0 none, 1 base, 2 sweep, 3 only-if */
    size_t line = 0;
    for (char *p = text; p && *p && !rc;) {
        char *nl = strchr(p, '\n');
        if (nl)
            *nl = 0;
        line++;
        char where[300];
        snprintf(where, sizeof where, "%s:%zu", path, line);
        char *s = trim(p);
        if (*s == '#' || *s == ';') /* whole-line comments only: a value may hold '#' or ';' (a path) */
            *s = 0;
        if (*s == '[') {
            if (!strcmp(s, "[base]"))
                section = 1;
            else if (!strcmp(s, "[sweep]"))
                section = 2;
            else if (!strcmp(s, "[only-if]"))
                section = 3;
            else
                rc = sae_fail(e, "%s: unknown section %s (expected [base], [sweep] or [only-if])", where, s);
        } else if (*s) {
            char *eq = strchr(s, '=');
            if (!eq)
                rc = sae_fail(e, "%s: expected key = value, got '%s'", where, s);
            else if (!section)
                rc = sae_fail(e, "%s: a key before any [base] or [sweep] section", where);
            else {
                *eq = 0;
                char *key = trim(s), *value = trim(eq + 1);
                if (!*value)
                    rc = sae_fail(e, "%s: %s has no value", where, key);
                else if (section == 1)
                    rc = sae_sweep_config_base(c, key, value, where, e);
                else if (section == 2)
                    rc = add_axis(c, key, value, where, e);
                else
                    rc = add_condition(c, key, value, where, e);
            }
        }
        p = nl ? nl + 1 : NULL;
    }
    free(text);
    return rc;
}

int sae_sweep_config_read(const char *path, SaeSweepConfig *c, SaeError *e)
{
    unsigned char *buf;
    size_t len;
    memset(c, 0, sizeof *c);
    if (sae_read_file_max(path, SAE_MAX_CONFIG_BYTES, &buf, &len, e))
        return 1;
    const int rc = sae_text_check(path, buf, len, e) ? 1 : parse_text(path, (const char *)buf, len, c, e);
    free(buf);
    return rc;
}

int sae_sweep_config_parse(const char *path, const char *buf, size_t len, SaeSweepConfig *c, SaeError *e)
{
    memset(c, 0, sizeof *c);
    return sae_text_check(path, (const unsigned char *)buf, len, e) ? -1 : parse_text(path, buf, len, c, e);
}

int sae_sweep_config_write(const SaeSweepConfig *c, FILE *f)
{
    fputs("# the sweep as run (the config file with --set and the flags applied)\n[base]\n", f);
    for (size_t i = 0; i < c->n_base; i++) fprintf(f, "%s = %s\n", c->base[i].key, c->base[i].value);
    fprintf(f, "seeds = %u\nsplits = %u\nprobe = %s\nimages = %s\n", c->seeds, c->splits, c->probe ? "yes" : "no",
            c->images ? "yes" : "no");
    if (c->n_axes)
        fputs("\n[sweep]\n", f);
    for (size_t a = 0; a < c->n_axes; a++) {
        fprintf(f, "%s = ", c->axes[a].key);
        for (size_t v = 0; v < c->axes[a].n; v++) fprintf(f, "%s%s", v ? ", " : "", c->axes[a].values[v]);
        fputc('\n', f);
    }
    int conditions = 0;
    for (size_t a = 0; a < c->n_axes; a++)
        if (c->axes[a].n_only_if) {
            fprintf(f, "%s%s =", conditions++ ? "" : "\n[only-if]\n", c->axes[a].key);
            for (size_t i = 0; i < c->axes[a].n_only_if; i++)
                fprintf(f, "%s %s %s %s", i ? "," : "", c->axes[a].only_if[i].setting,
                        c->axes[a].only_if[i].equal ? "==" : "!=", c->axes[a].only_if[i].value);
            fputc('\n', f);
        }
    return ferror(f) ? -1 : 0;
}

int sae_sweep_config_set(SaeSweepConfig *c, const char *assignment, SaeError *e)
{
    const char *eq = strchr(assignment, '=');
    if (!eq || eq == assignment)
        return sae_fail(e, "--set: expected key=v1,v2,..., got '%s'", assignment);
    char key[48];
    snprintf(key, sizeof key, "%.*s", (int)(eq - assignment), assignment);
    if (is_special(key))
        return set_special(c, key, eq + 1, "--set", e);
    return add_axis(c, key, eq + 1, "--set", e);
}

size_t sae_sweep_replicates(const SaeSweepConfig *c) { return (size_t)c->seeds * c->splits; }

size_t sae_sweep_size(const SaeSweepConfig *c)
{
    size_t n = sae_sweep_replicates(c);
    for (size_t i = 0; i < c->n_axes; i++) {
        n *= c->axes[i].n;
        if (n > SAE_MAX_GRID_RUNS)
            return 0;
    }
    return n;
}

void sae_sweep_values(const SaeSweepConfig *c, size_t idx, size_t *vidx)
{
    size_t rest = idx / sae_sweep_replicates(c);
    for (size_t a = c->n_axes; a-- > 0;) {
        vidx[a] = rest % c->axes[a].n;
        rest /= c->axes[a].n;
    }
}

/* Is the setting `name` of s non-zero? */
/* Whether every condition of axis ax holds at s: the setting, formatted,
 * against the value as the setting formats it (so 0 and 0.0, yes and 1,
 * compare equal). */
static int applies(const SaeRunSpec *s, const SaeAxis *ax)
{
    for (size_t i = 0; i < ax->n_only_if; i++) {
        const SaeCondition *cond = &ax->only_if[i];
        char v[512];
        sae_option_format(s, (size_t)sae_option_index(cond->setting), v, sizeof v);
        if ((strcmp(v, cond->value) == 0) != cond->equal)
            return 0;
    }
    return 1;
}

int sae_sweep_point(const SaeSweepConfig *c, size_t idx, SaeRunSpec *s, unsigned *na, SaeError *e)
{
    sae_run_spec_init(s);
    if (na)
        *na = 0;
    char err[256];
    for (size_t i = 0; i < c->n_base; i++)
        if (sae_option_set(s, SAE_CMD_TRAIN, c->base[i].key, c->base[i].value, err, sizeof err) < 0)
            return sae_fail(e, "%s: %s", c->base[i].where, err);
    const size_t rep = idx % sae_sweep_replicates(c), seed_i = rep % c->seeds;
    size_t vidx[SAE_MAX_AXES];
    sae_sweep_values(c, idx, vidx);
    /* the unconditional axes first: the conditions read their values */
    for (int pass = 0; pass < 2; pass++)
        for (size_t a = 0; a < c->n_axes; a++) {
            const SaeAxis *ax = &c->axes[a];
            if (!ax->n_only_if != !pass)
                continue;
            if (pass && !applies(s, ax)) {
                if (na)
                    *na |= 1u << a;
                if (vidx[a])
                    return 1;
                continue;
            }
            if (sae_option_set(s, SAE_CMD_TRAIN, ax->key, ax->values[vidx[a]], err, sizeof err) < 0)
                return sae_fail(e, "%s: %s", ax->where, err);
        }
    if (!s->lr_set) /* the optimizer's default learning rate, as on the command line */
        s->train.lr = s->train.optimizer == SAE_OPT_SGD ? 0.1 : 1e-3;
    s->train.seed += (uint32_t)seed_i;
    if (c->splits > 1)
        s->data.split = (uint32_t)(rep / c->seeds);
    return 0;
}
