#include <math.h>

#include "experiments/report/json.h"

static void key(SaeJson *j, const char *k)
{
    if (!j->first[j->depth])
        fputc(',', j->f);
    j->first[j->depth] = 0;
    if (k) {
        sae_json_str(j, NULL, k);
        fputc(':', j->f);
    }
}

static void number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}

void sae_json_begin(SaeJson *j, FILE *f)
{
    j->f = f;
    j->depth = 0;
    j->first[0] = 1;
    fputc('{', f);
}

void sae_json_end(SaeJson *j) { fputs("}\n", j->f); }

void sae_json_object(SaeJson *j, const char *k)
{
    key(j, k);
    fputc('{', j->f);
    j->first[++j->depth] = 1;
}

void sae_json_close(SaeJson *j)
{
    fputc('}', j->f);
    j->depth--;
}

void sae_json_num(SaeJson *j, const char *k, double v)
{
    key(j, k);
    number(j->f, v);
}

void sae_json_int(SaeJson *j, const char *k, long long v)
{
    key(j, k);
    fprintf(j->f, "%lld", v);
}

void sae_json_bool(SaeJson *j, const char *k, int v)
{
    key(j, k);
    fputs(v ? "true" : "false", j->f);
}

void sae_json_str(SaeJson *j, const char *k, const char *v)
{
    if (k)
        key(j, k);
    fputc('"', j->f);
    for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(j->f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(j->f, "\\u%04x", *p);
        else
            fputc(*p, j->f);
    }
    fputc('"', j->f);
}

void sae_json_nums(SaeJson *j, const char *k, const double *v, size_t n)
{
    key(j, k);
    fputc('[', j->f);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputc(',', j->f);
        number(j->f, v[i]);
    }
    fputc(']', j->f);
}

void sae_json_literal(SaeJson *j, const char *k, const char *text)
{
    key(j, k);
    fputs(text, j->f);
}

void sae_json_null(SaeJson *j, const char *k)
{
    key(j, k);
    fputs("null", j->f);
}
