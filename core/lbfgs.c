/* L-BFGS with a strong-Wolfe line search (Nocedal & Wright, algorithms 7.4,
 * 3.5 and 3.6), following minFunc's choices where they differ. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/lbfgs.h"
#include "core/safe_alloc.h"

SaeLbfgsOpts sae_lbfgs_defaults(void)
{
    return (SaeLbfgsOpts){
        .memory = 100, .max_iter = 400, .max_fevals = 1000, .tol_fun = 1e-5, .tol_x = 1e-9, .c1 = 1e-4, .c2 = 0.9
    };
}

const char *sae_lbfgs_status_name(SaeLbfgsStatus s)
{
    static const char *const names[] = {
        "max_iter",           "max_fevals", "optimality",  "tol_x",         "tol_fun_change",
        "line_search_failed", "nonfinite",  "interrupted", "out_of_memory",
    };
    return names[s];
}

static double max_abs(const double *a, size_t n)
{
    double m = 0;
    for (size_t i = 0; i < n; i++) m = fmax(m, fabs(a[i]));
    return m;
}

static double sum_abs(const double *a, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += fabs(a[i]);
    return s;
}

/* A point on the line x0 + t d with its value, gradient and slope g'd. */
typedef struct Point {
    double t, f, gtd;
    double *x, *g;
} Point;

typedef struct Search {
    sae_fg_fn fg;
    void *ctx;
    size_t n;
    const double *x0, *d;
    double f0, gtd0;
    unsigned fevals, max_fevals;
    const SaeLbfgsOpts *o;
} Search;

static void evaluate(Search *s, Point *p, double t)
{
    p->t = t;
    for (size_t i = 0; i < s->n; i++) p->x[i] = s->x0[i] + t * s->d[i];
    p->f = s->fg(s->ctx, p->x, p->g);
    p->gtd = s->o->vec->dot(s->n, p->g, s->d);
    s->fevals++;
}

static void swap_points(Point *a, Point *b)
{
    const Point t = *a;
    *a = *b;
    *b = t;
}

/* Minimiser of the cubic through (t1, f1, g1) and (t2, f2, g2), kept in
 * [lo, hi]; the midpoint of [lo, hi] when the cubic has no minimiser. */
static double cubic_min(double t1, double f1, double g1, double t2, double f2, double g2, double lo, double hi)
{
    const double d1 = g1 + g2 - 3 * (f1 - f2) / (t1 - t2);
    const double disc = d1 * d1 - g1 * g2;
    if (!(disc >= 0) || t1 == t2)
        return (lo + hi) / 2;
    const double d2 = copysign(sqrt(disc), t2 - t1);
    const double t = t2 - (t2 - t1) * (g2 + d2 - d1) / (g2 - g1 + 2 * d2);
    if (!isfinite(t))
        return (lo + hi) / 2;
    return fmin(fmax(t, lo), hi);
}

int sae_wolfe_armijo(double f0, double gtd0, double t, double f, double c1) { return f <= f0 + c1 * t * gtd0; }

int sae_wolfe_curvature(double gtd0, double gtd, double c2) { return fabs(gtd) <= -c2 * gtd0; }

static int sufficient_decrease(const Search *s, const Point *p)
{
    return sae_wolfe_armijo(s->f0, s->gtd0, p->t, p->f, s->o->c1);
}

static int curvature(const Search *s, const Point *p) { return sae_wolfe_curvature(s->gtd0, p->gtd, s->o->c2); }

/* N&W algorithm 3.6: lo satisfies sufficient decrease and has the lowest f
 * seen; the answer is left in *lo. Returns 0 on success. */
static int zoom(Search *s, Point *lo, Point *hi, Point *trial)
{
    const double dnorm = max_abs(s->d, s->n);
    for (int it = 0; it < 30 && s->fevals < s->max_fevals; it++) {
        const double a = fmin(lo->t, hi->t), b = fmax(lo->t, hi->t);
        if ((b - a) * dnorm < s->o->tol_x)
            return lo->t > 0 ? 0 : -1;
        /* Cubic step, kept 10% away from the ends so the bracket shrinks. */
        double t = cubic_min(lo->t, lo->f, lo->gtd, hi->t, hi->f, hi->gtd, a, b);
        if (t - a < 0.1 * (b - a) || b - t < 0.1 * (b - a))
            t = (a + b) / 2;
        evaluate(s, trial, t);
        if (!isfinite(trial->f) || !sufficient_decrease(s, trial) || trial->f >= lo->f) {
            swap_points(hi, trial);
        } else {
            if (curvature(s, trial)) {
                swap_points(lo, trial);
                return 0;
            }
            if (trial->gtd * (hi->t - lo->t) >= 0)
                swap_points(hi, lo);
            swap_points(lo, trial);
        }
    }
    return lo->t > 0 ? 0 : -1;
}

/* N&W algorithm 3.5. On return *best holds the accepted point (t > 0), or
 * the function returns -1 when no acceptable step was found. */
static int wolfe_search(Search *s, double t, Point *best, Point *prev, Point *trial)
{
    prev->t = 0;
    prev->f = s->f0;
    prev->gtd = s->gtd0;
    for (int it = 0; it < 30 && s->fevals < s->max_fevals; it++) {
        evaluate(s, trial, t);
        if (!isfinite(trial->f) || !isfinite(trial->gtd)) {
            t = (prev->t + t) / 2; /* back off into the finite region */
            continue;
        }
        if (!sufficient_decrease(s, trial) || (it > 0 && trial->f >= prev->f)) {
            /* prev may be the start (t = 0): zoom never returns that one */
            swap_points(best, prev);
            return zoom(s, best, trial, prev);
        }
        if (curvature(s, trial)) {
            swap_points(best, trial);
            return 0;
        }
        if (trial->gtd >= 0) {
            swap_points(best, trial);
            return zoom(s, best, prev, trial);
        }
        /* Extrapolate: cubic step in [t + 0.01 (t - t_prev), 10 t]. */
        const double next =
            cubic_min(prev->t, prev->f, prev->gtd, trial->t, trial->f, trial->gtd, t + 0.01 * (t - prev->t), 10 * t);
        swap_points(prev, trial);
        t = next;
    }
    return -1;
}

/* The newest `stored` of `mem` curvature pairs (s, y) in a ring whose next
 * slot is `head`, with rho = 1 / y's, and the initial Hessian scale. */
typedef struct History {
    double *S, *Y, *rho, *alpha; /* mem x n, mem x n, mem, mem */
    unsigned mem, stored, head;
    double hdiag;
} History;

static void history_free(History *h)
{
    free(h->S);
    free(h->Y);
    free(h->rho);
    free(h->alpha);
}

static int history_alloc(History *h, unsigned mem, size_t n)
{
    size_t pairs; /* mem x n, checked before anything is allocated */
    *h = (History){ .mem = mem, .hdiag = 1 };
    if (sae_mul_overflow(mem, n, &pairs))
        return -1;
    h->S = sae_alloc_array(pairs, sizeof(double));
    h->Y = sae_alloc_array(pairs, sizeof(double));
    h->rho = sae_alloc_array(mem, sizeof(double));
    h->alpha = sae_alloc_array(mem, sizeof(double));
    if (h->S && h->Y && h->rho && h->alpha)
        return 0;
    history_free(h);
    return -1;
}

/* The two-loop recursion: d = -H g, H the inverse Hessian the pairs and
 * hdiag describe. */
static void direction(History *h, const SaeKernelsF64 *k, const double *g, double *d, size_t n)
{
    for (size_t i = 0; i < n; i++) d[i] = -g[i];
    for (unsigned q = 0; q < h->stored; q++) {
        const unsigned j = (h->head + h->mem - 1 - q) % h->mem;
        h->alpha[j] = h->rho[j] * k->dot(n, h->S + (size_t)j * n, d);
        k->axpy(n, -h->alpha[j], h->Y + (size_t)j * n, d);
    }
    for (size_t i = 0; i < n; i++) d[i] *= h->hdiag;
    for (unsigned q = h->stored; q-- > 0;) {
        const unsigned j = (h->head + h->mem - 1 - q) % h->mem;
        const double b = h->rho[j] * k->dot(n, h->Y + (size_t)j * n, d);
        k->axpy(n, h->alpha[j] - b, h->S + (size_t)j * n, d);
    }
}

/* Stores the pair s = x1 - x0, y = g1 - g0, unless y's is too small to
 * keep H positive definite. */
static void history_push(History *h, const SaeKernelsF64 *k, const double *x0, const double *g0, const double *x1,
                         const double *g1, size_t n)
{
    double *sv = h->S + (size_t)h->head * n, *yv = h->Y + (size_t)h->head * n;
    for (size_t i = 0; i < n; i++) {
        sv[i] = x1[i] - x0[i];
        yv[i] = g1[i] - g0[i];
    }
    const double ys = k->dot(n, yv, sv);
    if (ys <= 1e-10)
        return;
    h->rho[h->head] = 1 / ys;
    h->hdiag = ys / k->dot(n, yv, yv);
    h->head = (h->head + 1) % h->mem;
    if (h->stored < h->mem)
        h->stored++;
}

/* Why the run stops after an iteration that moved x by t d and f from
 * f_old to f, or -1 to go on. */
static int converged(const SaeLbfgsOpts *o, const SaeLbfgsResult *r, const double *g, const double *d, size_t n,
                     double t, double f_old, double f)
{
    if (max_abs(g, n) <= o->tol_fun)
        return SAE_LBFGS_OPTIMALITY;
    if (t * max_abs(d, n) <= o->tol_x)
        return SAE_LBFGS_TOL_X;
    if (fabs(f - f_old) < o->tol_x)
        return SAE_LBFGS_TOL_FUN_CHANGE;
    if (r->fevals >= o->max_fevals)
        return SAE_LBFGS_MAX_FEVALS;
    return -1;
}

void sae_lbfgs(sae_fg_fn fg, void *ctx, double *x, size_t n, const SaeLbfgsOpts *opts, SaeLbfgsResult *r)
{
    memset(r, 0, sizeof *r);
    SaeLbfgsOpts oo = *opts;
    SaeKernels ref;
    if (!oo.vec) {
        sae_kernels_init(&ref, 0);
        oo.vec = &ref.f64;
    }
    const SaeLbfgsOpts *o = &oo;
    History h;
    if (history_alloc(&h, o->memory < 1 ? 1 : o->memory, n)) {
        r->status = SAE_LBFGS_NO_MEMORY;
        return;
    }
    double *buf = sae_alloc_array(n, 8 * sizeof(double)); /* g, d and three points' x and g */
    if (!buf) {
        r->status = SAE_LBFGS_NO_MEMORY;
        goto done;
    }
    double *g = buf, *d = buf + n;
    Point pts[3];
    for (int i = 0; i < 3; i++) pts[i] = (Point){ .x = buf + (2 + 2 * i) * n, .g = buf + (3 + 2 * i) * n };
    Point *best = &pts[0], *prev = &pts[1], *trial = &pts[2];

    double f = fg(ctx, x, g);
    r->fevals = 1;
    r->f = f;
    if (!isfinite(f)) {
        r->status = SAE_LBFGS_NONFINITE;
        goto done;
    }
    if (max_abs(g, n) <= o->tol_fun) {
        r->status = SAE_LBFGS_OPTIMALITY;
        goto done;
    }
    r->status = SAE_LBFGS_MAX_ITER;
    for (unsigned iter = 1; iter <= o->max_iter; iter++) {
        if (o->stop && *o->stop) {
            r->status = SAE_LBFGS_INTERRUPTED;
            break;
        }
        direction(&h, o->vec, g, d, n);
        double gtd = o->vec->dot(n, g, d);
        if (!(gtd < 0)) { /* not a descent direction: restart from steepest descent */
            for (size_t i = 0; i < n; i++) d[i] = -g[i];
            gtd = o->vec->dot(n, g, d);
            h.stored = 0;
        }
        if (gtd > -o->tol_x) {
            r->status = SAE_LBFGS_TOL_X;
            break;
        }
        const double t0 = iter == 1 ? fmin(1.0, 1.0 / sum_abs(g, n)) : 1.0;
        Search s = { .fg = fg,
                     .ctx = ctx,
                     .n = n,
                     .x0 = x,
                     .d = d,
                     .f0 = f,
                     .gtd0 = gtd,
                     .fevals = r->fevals,
                     .max_fevals = o->max_fevals,
                     .o = o };
        const int ok = wolfe_search(&s, t0, best, prev, trial);
        r->fevals = s.fevals;
        if (ok != 0 || !(best->t > 0) || !(best->f <= f)) {
            r->status = r->fevals >= o->max_fevals ? SAE_LBFGS_MAX_FEVALS : SAE_LBFGS_LINE_SEARCH;
            break;
        }
        history_push(&h, o->vec, x, g, best->x, best->g, n);
        const double f_old = f;
        memcpy(x, best->x, n * sizeof(double));
        memcpy(g, best->g, n * sizeof(double));
        f = best->f;
        r->f = f;
        r->iters = iter;
        if (o->progress)
            o->progress(o->progress_ctx, iter, o->max_iter, f);
        const int stop = converged(o, r, g, d, n, best->t, f_old, f);
        if (stop >= 0) {
            r->status = (SaeLbfgsStatus)stop;
            break;
        }
    }
done:
    history_free(&h);
    free(buf);
}
