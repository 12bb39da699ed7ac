#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/vecfile.h"

static int set_config(SaeConfig *c, size_t *batch, const char *key, const char *val)
{
    if (!strcmp(key, "input_dim"))
        c->n_in = strtoul(val, NULL, 10);
    else if (!strcmp(key, "hidden_dim"))
        c->n_hidden = strtoul(val, NULL, 10);
    else if (!strcmp(key, "encoder"))
        return sae_act_parse(val, &c->encoder);
    else if (!strcmp(key, "decoder"))
        return sae_act_parse(val, &c->decoder);
    else if (!strcmp(key, "loss"))
        return sae_loss_parse(val, &c->loss);
    else if (!strcmp(key, "tied"))
        c->tied = atoi(val);
    else if (!strcmp(key, "lambda"))
        c->lambda = atof(val);
    else if (!strcmp(key, "l1_weight"))
        c->l1_weight = atof(val);
    else if (!strcmp(key, "l1_activity"))
        c->l1_activity = atof(val);
    else if (!strcmp(key, "beta"))
        c->beta = atof(val);
    else if (!strcmp(key, "rho"))
        c->rho = atof(val);
    else if (!strcmp(key, "gamma"))
        c->gamma = atof(val);
    else if (!strcmp(key, "kl_eps"))
        c->kl_eps = atof(val);
    else if (!strcmp(key, "kl_tanh"))
        return sae_kl_tanh_parse(val, &c->kl_tanh);
    else if (!strcmp(key, "reduction"))
        return sae_reduction_parse(val, &c->reduction);
    else if (!strcmp(key, "k"))
        c->topk = strtoul(val, NULL, 10);
    else if (!strcmp(key, "l0_penalty"))
        c->l0_penalty = atof(val);
    else if (!strcmp(key, "bandwidth"))
        c->bandwidth = atof(val);
    else if (!strcmp(key, "l1_dec_norm"))
        c->l1_dec_norm = atoi(val);
    else if (!strcmp(key, "aux_k"))
        c->aux_k = strtoul(val, NULL, 10);
    else if (!strcmp(key, "aux_weight"))
        c->aux_weight = atof(val);
    else if (!strcmp(key, "batch_topk"))
        c->batch_topk = atoi(val);
    else if (!strcmp(key, "pre_bias"))
        c->pre_bias = atoi(val);
    else if (!strcmp(key, "batch"))
        *batch = strtoul(val, NULL, 10);
    else
        return -1;
    return 0;
}

int vecfile_load(const char *path, VecFile *vf)
{
    memset(vf, 0, sizeof *vf);
    vf->cfg = sae_config_default();
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "%s: cannot open\n", path);
        return -1;
    }
    char word[32], a[64], b[64];
    int rc = 0;
    while (rc == 0 && fscanf(f, "%31s", word) == 1) {
        if (word[0] == '#') {
            int ch;
            while ((ch = fgetc(f)) != EOF && ch != '\n') {}
        } else if (!strcmp(word, "config")) {
            if (fscanf(f, "%63s %63s", a, b) != 2 || set_config(&vf->cfg, &vf->batch, a, b))
                rc = -1;
        } else if (!strcmp(word, "scalar")) {
            if (vf->n_scalars == 16 ||
                fscanf(f, "%31s %lf", vf->scalar_names[vf->n_scalars], &vf->scalars[vf->n_scalars]) != 2)
                rc = -1;
            else
                vf->n_scalars++;
        } else if (!strcmp(word, "array")) {
            VecArray *arr = &vf->arrays[vf->n_arrays];
            if (vf->n_arrays == 32 || fscanf(f, "%31s %zu %zu", arr->name, &arr->rows, &arr->cols) != 3) {
                rc = -1;
                break;
            }
            arr->v = malloc(arr->rows * arr->cols * sizeof(double));
            for (size_t i = 0; i < arr->rows * arr->cols; i++)
                if (fscanf(f, "%lf", &arr->v[i]) != 1)
                    rc = -1;
            vf->n_arrays++;
        } else {
            rc = -1;
        }
    }
    fclose(f);
    if (rc)
        fprintf(stderr, "%s: malformed vector file\n", path);
    return rc;
}

void vecfile_free(VecFile *vf)
{
    for (size_t i = 0; i < vf->n_arrays; i++) free(vf->arrays[i].v);
}

const VecArray *vecfile_array(const VecFile *vf, const char *name)
{
    for (size_t i = 0; i < vf->n_arrays; i++)
        if (!strcmp(vf->arrays[i].name, name))
            return &vf->arrays[i];
    return NULL;
}

double vecfile_scalar(const VecFile *vf, const char *name)
{
    for (size_t i = 0; i < vf->n_scalars; i++)
        if (!strcmp(vf->scalar_names[i], name))
            return vf->scalars[i];
    return NAN;
}

/* Copies the named arrays into theta (double) in the model's layout, W2
 * (n x k in the files, as PyTorch holds it) transposed. */
void vecfile_theta(const VecFile *vf, const SaeLayout *l, double *theta)
{
    const char *names[] = { "W1", "W2", "b1", "b2", "log_threshold" };
    const size_t offs[] = { l->w1, l->w2t, l->b1, l->b2, l->jt };
    for (int p = 0; p < 5; p++) {
        const VecArray *a = vecfile_array(vf, names[p]);
        if (!a)
            continue; /* W2 when tied, log_threshold unless jumprelu */
        for (size_t r = 0; r < a->rows; r++)
            for (size_t c = 0; c < a->cols; c++)
                theta[offs[p] + (p == 1 ? c * a->rows + r : r * a->cols + c)] = a->v[r * a->cols + c];
    }
}
