/* What train and eval print: every term of an evaluation, rho-hat's
 * summary, a sweep row's measures and the model, as text or JSON. */
#ifndef SAE_EXPERIMENTS_CLI_REPORT_H
#define SAE_EXPERIMENTS_CLI_REPORT_H

#include <stddef.h>
#include <stdio.h>

#include "core/model.h"
#include "core/probe.h"
#include "experiments/common/measure.h"
#include "experiments/report/json.h"

/* Summary of rho-hat: mean, min, max and mean |rho-hat - rho|. */
typedef struct SaeRhoStats {
    double mean, min, max, mean_abs_dev;
} SaeRhoStats;
SaeRhoStats sae_rho_stats(const double *rhohat, size_t k, double rho);

/* The terms (t, and u: the penalties at weight 1) and rho-hat summary of
 * one evaluation, as text or JSON. */
void sae_report_text(FILE *f, const char *label, size_t m, const SaeTerms *t, const SaeTerms *u, SaeRhoStats r);
void sae_report_json(SaeJson *j, const char *key, size_t m, const SaeTerms *t, const SaeTerms *u, SaeRhoStats r);

/* What train --metrics adds (a sweep row's measures), as text or JSON. */
void sae_report_measure_text(FILE *f, const char *label, const SaeMeasure *o, const SaeProbeResult *raw);
void sae_report_measure_json(SaeJson *j, const char *key, const SaeMeasure *o, const SaeProbeResult *raw);

/* The model's hyperparameters as a JSON object. */
void sae_report_config_json(SaeJson *j, const SaeConfig *c);
/* The encoder for a one-line description: "relu", or "top-32 relu" with
 * TopK. A static buffer: valid until the next call. */
const char *sae_cli_encoder_desc(const SaeConfig *c);

#endif
