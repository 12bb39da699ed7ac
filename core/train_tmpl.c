/*
 * The training loops and the evaluation for one element type T: a template
 * (kernels/template.h) instanced by core/train_f32.c and core/train_f64.c;
 * what it makes is declared in core/train_loops.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/clock.h"
#include "core/linalg.h"
#include "core/lbfgs.h"
#include "core/rng.h"
#include "core/safe_alloc.h"
#include "core/train_loops.h"

/* Rows per chunk of an evaluation without a gradient: the working set of
 * a chunk stays a few MiB however many rows there are. */
enum { EVAL_CHUNK = 4096 };

static void to_T(const double *src, size_t cnt, T *dst)
{
    for (size_t i = 0; i < cnt; i++) dst[i] = (T)src[i];
}

static T *to_typed(const double *src, size_t cnt)
{
    T *dst = sae_alloc_array(cnt, sizeof(T));
    if (dst)
        to_T(src, cnt, dst);
    return dst;
}

/* Rows [r, r + cnt) of s (n values each) as T into dst. */
static void sample_rows(const SaeSamples *s, size_t n, size_t r, size_t cnt, T *dst)
{
    if (s->xf)
        for (size_t i = 0; i < cnt * n; i++) dst[i] = (T)s->xf[r * n + i];
    else
        to_T(s->x + r * n, cnt * n, dst);
}

/* All of s as T: its own rows when they are T (no copy), else a converted
 * copy in *owned, for the caller to free; NULL when out of memory. */
static const T *samples_as_T(const SaeSamples *s, size_t n, T **owned)
{
    *owned = NULL;
#if SAE_TMPL_F64
    if (s->x)
        return s->x;
#else
    if (s->xf)
        return s->xf;
#endif
    if ((*owned = sae_alloc_array2(s->m, n, sizeof(T))))
        sample_rows(s, n, 0, s->m, *owned);
    return *owned;
}

static void to_double(const T *src, size_t cnt, double *dst)
{
    for (size_t i = 0; i < cnt; i++) dst[i] = (double)src[i];
}

/* [batchtopk]: the threshold follows the smallest positive value a step
 * kept, th <- (1 - 0.01) th + 0.01 min, from 0 (SAELens's rule). */
static double threshold_step(double th, const T *kept, size_t cnt)
{
    double lo = INFINITY;
    for (size_t i = 0; i < cnt; i++)
        if (kept[i] > 0 && kept[i] < lo)
            lo = kept[i];
    return isfinite(lo) ? 0.99 * th + 0.01 * lo : th;
}

/* A unit is dead when it has fired on none of the last window training
 * samples (fired: the sample count when it last fired). */
static inline int is_dead(double fired, double samples, double window) { return samples - fired >= window; }

/* The dead units' new start (core/MODEL.md §7 [resample], after Anthropic's
 * "Towards Monosemanticity"): for each, a row i of the step's batch drawn
 * with probability proportional to e_i^2, e_i its squared error as the
 * objective left it in w; the row, centred like the encoder's input
 * (minus b2 with the pre-encoder bias), as a unit direction u: the atom
 * becomes u, the encoder row u times 0.2 the live units' mean row norm,
 * the encoder bias 0, and the optimizer's state of those entries 0 (a unit
 * that stays silent is drawn again next time). weight: mb entries of
 * scratch. Returns the units resampled. */
static unsigned resample(const SaeConfig *c, TNAME(SaeWork) *w, T *theta, T *s1, T *s2, const T *xb, size_t mb,
                         const double *fired, double samples, double window, double *weight, SaeRng *rng)
{
    const size_t n = c->n_in, k = c->n_hidden;
    SaeLayout L;
    sae_layout(c, &L);
    double live_norm = 0, total = 0;
    size_t live = 0;
    for (size_t j = 0; j < k; j++)
        if (!is_dead(fired[j], samples, window)) {
            double q = 0;
            for (size_t d = 0; d < n; d++) q += (double)theta[L.w1 + j * n + d] * (double)theta[L.w1 + j * n + d];
            live_norm += sqrt(q);
            live++;
        }
    const double enc_norm = 0.2 * (live ? live_norm / (double)live : 1);
    for (size_t i = 0; i < mb; i++) {
        double e = 0;
        for (size_t d = 0; d < n; d++) {
            const double r = (double)w->xh[i * n + d] - (double)xb[i * n + d];
            e += r * r;
        }
        weight[i] = e * e;
        total += weight[i];
    }
    unsigned done = 0;
    for (size_t j = 0; j < k && total > 0; j++) {
        if (!is_dead(fired[j], samples, window))
            continue;
        double u = sae_rng_uniform(rng) * total;
        size_t i = 0;
        while (i + 1 < mb && (u -= weight[i]) >= 0) i++;
        double norm = 0;
        for (size_t d = 0; d < n; d++) {
            const double v = (double)xb[i * n + d] - (c->pre_bias ? (double)theta[L.b2 + d] : 0);
            norm += v * v;
        }
        norm = sqrt(norm);
        if (norm == 0)
            continue;
        for (size_t d = 0; d < n; d++) {
            const double v = ((double)xb[i * n + d] - (c->pre_bias ? (double)theta[L.b2 + d] : 0)) / norm;
            const size_t at_enc = L.w1 + j * n + d, at_dec = L.dec + j * n + d;
            theta[at_enc] = (T)(v * enc_norm);
            theta[at_dec] = (T)(c->tied ? v * enc_norm : v);
            s1[at_enc] = s2[at_enc] = s1[at_dec] = s2[at_dec] = 0;
        }
        theta[L.b1 + j] = 0;
        s1[L.b1 + j] = s2[L.b1 + j] = 0;
        done++;
    }
    return done;
}

/* The windows of a streamed epoch (core/MODEL.md §7 [stream]): m rows in
 * chunks of `chunk`, `win` chunks a window. */
typedef struct Windows {
    size_t m, chunk, nchunks, win;
    size_t *order; /* the chunks in this epoch's order */
} Windows;

static size_t elem_bytes(const SaeSamples *s) { return s->xf ? sizeof(float) : sizeof(double); }

static const unsigned char *row_at(const SaeSamples *s, size_t n, size_t r)
{
    return s->xf ? (const unsigned char *)(s->xf + r * n) : (const unsigned char *)(s->x + r * n);
}

/* Window q of the epoch: its chunks' rows into idx (their count returned),
 * the chunks read ahead. */
static size_t window_rows(const Windows *wn, const SaeSamples *s, size_t n, size_t q, size_t *idx)
{
    size_t cnt = 0;
    for (size_t c = q * wn->win; c < (q + 1) * wn->win && c < wn->nchunks; c++) {
        const size_t r0 = wn->order[c] * wn->chunk, len = wn->m - r0 < wn->chunk ? wn->m - r0 : wn->chunk;
        sae_advise_willneed(row_at(s, n, r0), len * n * elem_bytes(s));
        for (size_t i = 0; i < len; i++) idx[cnt++] = r0 + i;
    }
    return cnt;
}

/* A window done with: every page of the rows leaves the process, not only
 * the window's chunks' (a fault maps the whole page-cache folio around it,
 * which may reach into a neighbouring chunk of another window). */
static void window_done(const SaeSamples *s, size_t n) { sae_advise_done(row_at(s, n, 0), s->m * n * elem_bytes(s)); }

/* The optimizer's step: the weights [0, nw) with the penalties the
 * objective left to it (lambda, l1; 0 when it left none), the biases
 * [nw, P) without. bc1, bc2: Adam's 1 - beta^t. */
static void optimizer_step(const SaeTrainOpts *o, const TNAME(SaeKernels) *kt, size_t nw, size_t P, T lambda, T l1,
                           double bc1, double bc2, const T *grad, T *s1, T *s2, T *theta)
{
    const size_t lo[2] = { 0, nw }, len[2] = { nw, P - nw };
    for (int q = 0; q < 2; q++) {
        const T lq = q ? 0 : lambda, l1q = q ? 0 : l1;
        const size_t at = lo[q];
        if (o->optimizer == SAE_OPT_SGD)
            kt->sgd_step(len[q], (T)o->lr, (T)o->momentum, lq, l1q, grad + at, s1 + at, theta + at);
        else
            kt->adam_step(len[q], (T)o->lr, (T)o->adam_beta1, (T)o->adam_beta2, (T)o->adam_eps, (T)bc1, (T)bc2, lq, l1q,
                          grad + at, s1 + at, s2 + at, theta + at);
    }
}

/* SGD with momentum or Adam over shuffled minibatches (the last one of an
 * epoch may be short); rho-hat is the minibatch's (core/MODEL.md §7). */
int FN(sae_train_minibatch)(const SaeConfig *c, const SaeTrainOpts *o, const TNAME(SaeKernels) *kt, const SaeSamples *s,
                            double *theta_io, SaeTrainResult *r)
{
    const size_t m = s->m, n = c->n_in, batch = o->batch < m ? o->batch : m;
    /* streamed, with more chunks than a window: windows of shuffled chunks; else one window of every row */
    Windows wn = { .m = m, .chunk = s->chunk ? s->chunk : m, .win = s->window ? s->window : 1 };
    wn.nchunks = (m + wn.chunk - 1) / wn.chunk;
    const int windowed = s->chunk && wn.nchunks > wn.win;
    const size_t idx_len = windowed ? wn.win * wn.chunk : m,
                 n_windows = windowed ? (wn.nchunks + wn.win - 1) / wn.win : 1;
    SaeLayout L;
    sae_layout(c, &L);
    const size_t P = L.total;
    T *theta = to_typed(theta_io, P);
    T *grad = sae_alloc_array(P, sizeof(T));
    T *s1 = sae_alloc_array(P, sizeof(T)), *s2 = sae_alloc_array(P, sizeof(T)); /* v, or Adam's m and v */
    T *xb = sae_alloc_array2(batch, n, sizeof(T));
    size_t *idx = sae_alloc_array(idx_len, sizeof(size_t));
    wn.order = windowed ? sae_alloc_array(wn.nchunks, sizeof(size_t)) : NULL;
    double *fired = calloc(c->n_hidden, sizeof(double));     /* r->samples when each unit last fired */
    double *weight = sae_alloc_array(batch, sizeof(double)); /* [resample]'s draw */
    TNAME(SaeWork) *w = FN(sae_work_new)(c, batch);
    int rc = SAE_TRAIN_NO_MEMORY;
    if (!theta || !grad || !s1 || !s2 || !xb || !idx || !fired || !weight || !w || (windowed && !wn.order))
        goto done;
    rc = SAE_TRAIN_OK;
    memset(s1, 0, P * sizeof(T)); /* here, not calloc: huge pages make the first touch of 2 x P cheap */
    memset(s2, 0, P * sizeof(T));
    for (size_t i = 0; i < idx_len && !windowed; i++) idx[i] = i;
    for (size_t q = 0; q < wn.nchunks && windowed; q++) wn.order[q] = q;
    SaeRng rng, draws; /* the batch order; [resample]'s rows, apart so that it leaves the order alone */
    sae_rng_seed(&rng, o->seed + 1u);
    sae_rng_seed(&draws, o->seed + 2u);
    double b1t = 1, b2t = 1; /* beta1^t, beta2^t */
    if (c->unit_norm)        /* [unit-norm]: from the first step on */
        FN(sae_atoms_normalise)(c, kt, theta);
    w->training = 1; /* [batchtopk]: select over each batch */
    w->wpen_in_step = sae_step_takes_wpen(c);
    const T step_lambda = w->wpen_in_step ? (T)sae_l2_grad_scale(c) : 0;
    const T step_l1 = w->wpen_in_step ? (T)c->l1_weight : 0;
    const double window = o->dead_window ? (double)o->dead_window : (double)m;
    /* windowed, an upper bound: each window's last batch may be short */
    const unsigned total_steps =
        o->epochs * (unsigned)(windowed ? n_windows * ((idx_len + batch - 1) / batch) : (m + batch - 1) / batch);
    r->stop_reason = "epochs";
    for (unsigned ep = 0; ep < o->epochs; ep++) {
        if (windowed)
            sae_rng_shuffle(&rng, wn.order, wn.nchunks);
        double sum = 0;
        size_t steps = 0;
        for (size_t q = 0; q < n_windows; q++) {
            const size_t cnt = windowed ? window_rows(&wn, s, n, q, idx) : m;
            sae_rng_shuffle(&rng, idx, cnt);
            for (size_t start = 0; start < cnt; start += batch) {
                if (o->stop && *o->stop) {
                    r->interrupted = 1;
                    r->stop_reason = "interrupted";
                    goto finish;
                }
                const size_t mb = cnt - start < batch ? cnt - start : batch;
                for (size_t i = 0; i < mb; i++) sample_rows(s, n, idx[start + i], 1, xb + i * n);
                if (c->aux_k) /* [auxk]: the units silent for the last window samples */
                    for (size_t j = 0; j < c->n_hidden; j++)
                        w->dead[j] = (unsigned char)is_dead(fired[j], r->samples, window);
                const double f = FN(sae_objective)(c, kt, w, theta, xb, mb, grad, NULL);
                r->fevals++;
                if (!isfinite(f)) {
                    r->diverged = 1;
                    r->last_loss = f;
                    r->stop_reason = "diverged";
                    rc = SAE_TRAIN_DIVERGED;
                    goto finish;
                }
                sum += f;
                steps++;
                r->samples += (double)mb;
                for (size_t j = 0; j < c->n_hidden; j++) /* relu: the batch's column sum is > 0 iff the unit fired */
                    if (w->hsum[j] > 0)
                        fired[j] = r->samples;
                if (c->batch_topk)
                    r->threshold = threshold_step(r->threshold, w->bval, mb * c->topk);
                r->iters++;
                if (c->unit_norm)
                    FN(sae_atoms_project)(c, kt, theta, grad);
                b1t *= o->adam_beta1;
                b2t *= o->adam_beta2;
                optimizer_step(o, kt, L.b1, P, step_lambda, step_l1, 1 - b1t, 1 - b2t, grad, s1, s2, theta);
                /* [resample], not within resample_every steps of the end: a new unit needs steps to learn */
                if (o->resample_every && r->iters % o->resample_every == 0 &&
                    r->iters + o->resample_every <= total_steps)
                    r->resampled += resample(c, w, theta, s1, s2, xb, mb, fired, r->samples, window, weight, &draws);
                if (c->unit_norm)
                    FN(sae_atoms_normalise)(c, kt, theta);
            }
            if (windowed)
                window_done(s, n);
        }
        r->epochs = ep + 1;
        r->last_loss = sum / (double)steps;
        if (o->progress)
            o->progress(o->progress_ctx, ep + 1, o->epochs, r->last_loss);
    }
finish:
    to_double(theta, P, theta_io);
    if ((c->encoder == SAE_ACT_RELU || c->encoder == SAE_ACT_JUMPRELU) && r->samples >= window) {
        size_t dead = 0;
        for (size_t j = 0; j < c->n_hidden; j++) dead += is_dead(fired[j], r->samples, window);
        r->dead_frac = (double)dead / (double)c->n_hidden;
    }
done:
    free(fired);
    free(weight);
    FN(sae_work_free)(w);
    free(theta);
    free(grad);
    free(s1);
    free(s2);
    free(xb);
    free(idx);
    free(wn.order);
    return rc;
}

/* Full-batch objective in T behind L-BFGS's double interface. */
typedef struct FullBatch {
    const SaeConfig *c;
    const TNAME(SaeKernels) *kt;
    TNAME(SaeWork) *w;
    const T *x;
    size_t m, P;
    T *theta, *grad;
} FullBatch;

static double full_batch_fg(void *ctx, const double *theta, double *g)
{
    FullBatch *fb = ctx;
    for (size_t i = 0; i < fb->P; i++) fb->theta[i] = (T)theta[i];
    const double f = FN(sae_objective)(fb->c, fb->kt, fb->w, fb->theta, fb->x, fb->m, fb->grad, NULL);
    to_double(fb->grad, fb->P, g);
    return f;
}

int FN(sae_train_lbfgs)(const SaeConfig *c, const SaeTrainOpts *o, const TNAME(SaeKernels) *kt,
                        const SaeKernelsF64 *vec, const SaeSamples *s, double *theta_io, SaeTrainResult *r)
{
    SaeLayout L;
    sae_layout(c, &L);
    const size_t m = s->m;
    FullBatch fb = { .c = c, .kt = kt, .m = m, .P = L.total };
    T *xt;
    fb.x = samples_as_T(s, c->n_in, &xt);
    fb.w = FN(sae_work_new)(c, m);
    fb.theta = sae_alloc_array(L.total, sizeof(T));
    fb.grad = sae_alloc_array(L.total, sizeof(T));
    int rc = SAE_TRAIN_NO_MEMORY;
    if (fb.x && fb.w && fb.theta && fb.grad) {
        SaeLbfgsOpts lo = sae_lbfgs_defaults();
        lo.memory = o->lbfgs_memory;
        lo.max_iter = o->iters;
        lo.max_fevals = o->max_fevals;
        lo.progress = o->progress;
        lo.progress_ctx = o->progress_ctx;
        lo.stop = o->stop;
        lo.vec = vec;
        SaeLbfgsResult lr;
        sae_lbfgs(full_batch_fg, &fb, theta_io, L.total, &lo, &lr);
        r->iters = lr.iters;
        r->epochs = lr.iters;
        r->fevals = lr.fevals;
        r->samples = (double)lr.fevals * (double)m;
        r->last_loss = lr.f;
        r->stop_reason = sae_lbfgs_status_name(lr.status);
        r->interrupted = lr.status == SAE_LBFGS_INTERRUPTED;
        r->diverged = lr.status == SAE_LBFGS_NONFINITE;
        rc = lr.status == SAE_LBFGS_NO_MEMORY ? SAE_TRAIN_NO_MEMORY : r->diverged ? SAE_TRAIN_DIVERGED : SAE_TRAIN_OK;
    }
    FN(sae_work_free)(fb.w);
    free(xt);
    free(fb.theta);
    free(fb.grad);
    return rc;
}

/* The terms (and, when asked for, the unweighted ones, rho-hat, H and X^
 * in double) over m rows in chunks of EVAL_CHUNK: no array of all the rows
 * in T. One forward pass gives both sets of terms: its sums are those of
 * the unit weights, every term on, and c's terms read the ones c has. */
static int evaluate_chunked(const SaeConfig *c, const TNAME(SaeKernels) *kt, const T *theta, const SaeSamples *s,
                            SaeTerms *terms, SaeTerms *unweighted, double *rhohat, double *h, double *xh)
{
    const size_t m = s->m, n = c->n_in, k = c->n_hidden, chunk = m < EVAL_CHUNK ? m : EVAL_CHUNK;
    const SaeConfig unit = sae_config_unit_weights(c), *sums = unweighted ? &unit : c;
    T *xt = sae_alloc_array2(chunk, n, sizeof(T));
    TNAME(SaeWork) *w = FN(sae_work_new)(sums, chunk);
    int rc = SAE_TRAIN_NO_MEMORY;
    if (xt && w) {
        FN(sae_sums_clear)(sums, w);
        for (size_t lo = 0; lo < m; lo += chunk) {
            const size_t len = m - lo < chunk ? m - lo : chunk;
            sample_rows(s, n, lo, len, xt);
            if (s->chunk) /* streamed: the chunk's pages leave the process once read */
                sae_advise_done(row_at(s, n, lo), len * n * elem_bytes(s));
            FN(sae_forward_sums)(sums, kt, w, theta, xt, len);
            if (h)
                to_double(w->h, len * k, h + lo * k);
            if (xh)
                to_double(w->xh, len * n, xh + lo * n);
        }
        *terms = FN(sae_sums_terms)(c, kt, w, theta, m);
        if (rhohat)
            memcpy(rhohat, w->rhohat, k * sizeof(double));
        if (unweighted)
            *unweighted = FN(sae_sums_terms)(&unit, kt, w, theta, m);
        rc = 0;
    }
    FN(sae_work_free)(w);
    free(xt);
    return rc;
}

/* With a gradient: the whole batch at once (the KL row needs every row's
 * rho-hat before the backward pass). */
int FN(sae_evaluate)(const SaeConfig *c, const TNAME(SaeKernels) *kt, const double *theta_d, const SaeSamples *s,
                     SaeTerms *terms, SaeTerms *unweighted, double *grad_d, double *rhohat, double *h, double *xh)
{
    const size_t m = s->m;
    SaeLayout L;
    sae_layout(c, &L);
    T *theta = to_typed(theta_d, L.total);
    if (!theta)
        return SAE_TRAIN_NO_MEMORY;
    if (!grad_d) {
        const int rc = evaluate_chunked(c, kt, theta, s, terms, unweighted, rhohat, h, xh);
        free(theta);
        return rc;
    }
    T *owned;
    const T *xt = samples_as_T(s, c->n_in, &owned);
    T *grad = sae_alloc_array(L.total, sizeof(T));
    TNAME(SaeWork) *w = FN(sae_work_new)(c, m);
    int rc = SAE_TRAIN_NO_MEMORY;
    if (xt && w && grad) {
        FN(sae_objective)(c, kt, w, theta, xt, m, grad, terms);
        to_double(grad, L.total, grad_d);
        if (rhohat)
            memcpy(rhohat, w->rhohat, c->n_hidden * sizeof(double));
        if (h)
            to_double(w->h, m * c->n_hidden, h);
        if (xh)
            to_double(w->xh, m * c->n_in, xh);
        rc = 0;
    }
    if (!rc && unweighted) { /* the objective's sums are c's: the unit weights' need a pass of their own */
        const SaeConfig unit = sae_config_unit_weights(c);
        rc = evaluate_chunked(&unit, kt, theta, s, unweighted, NULL, NULL, NULL, NULL);
    }
    FN(sae_work_free)(w);
    free(theta);
    free(owned);
    free(grad);
    return rc;
}
