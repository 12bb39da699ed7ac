/* A small streaming JSON writer: objects, arrays of numbers, strings
 * escaped, numbers with full precision and non-finite numbers as null
 * (JSON has no NaN). */
#ifndef SAE_EXPERIMENTS_REPORT_JSON_H
#define SAE_EXPERIMENTS_REPORT_JSON_H

#include <stddef.h>
#include <stdio.h>

typedef struct SaeJson {
    FILE *f;
    int depth;
    int first[16];
} SaeJson;

void sae_json_begin(SaeJson *j, FILE *f);
void sae_json_end(SaeJson *j); /* closes the top object and ends the line */
void sae_json_object(SaeJson *j, const char *key);
void sae_json_close(SaeJson *j);
void sae_json_num(SaeJson *j, const char *key, double v);
void sae_json_int(SaeJson *j, const char *key, long long v);
void sae_json_str(SaeJson *j, const char *key, const char *v);
void sae_json_bool(SaeJson *j, const char *key, int v);
/* A value written as it is: a number's text (the caller checked it). */
void sae_json_literal(SaeJson *j, const char *key, const char *text);
void sae_json_null(SaeJson *j, const char *key);
void sae_json_nums(SaeJson *j, const char *key, const double *v, size_t n);

#endif
