/* PGM images and UFLDL-style patch sampling. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/data_formats.h"
#include "core/io/fileio.h"
#include "core/linalg.h"
#include "core/rng.h"
#include "core/safe_alloc.h"

/* Next header token as an unsigned number; skips white space and comments. */
static int pgm_number(const unsigned char *b, size_t len, size_t *pos, size_t *v)
{
    size_t p = *pos;
    for (;;) {
        while (p < len && isspace(b[p])) p++;
        if (p < len && b[p] == '#') {
            while (p < len && b[p] != '\n') p++;
            continue;
        }
        break;
    }
    if (p >= len || !isdigit(b[p]))
        return -1;
    size_t n = 0;
    while (p < len && isdigit(b[p])) {
        if (n > 100000000)
            return -1;
        n = n * 10 + (size_t)(b[p++] - '0');
    }
    *v = n;
    *pos = p;
    return 0;
}

int sae_image_from_pgm(const char *path, const unsigned char *buf, size_t len, SaeImage *img, SaeError *e)
{
    memset(img, 0, sizeof *img);
    if (len < 2 || buf[0] != 'P' || buf[1] < '1' || buf[1] > '6')
        return sae_fail(e, "%s: offset 0: expected the PGM magic P5 or P2", path);
    if (buf[1] != '5' && buf[1] != '2')
        return sae_fail(
            e, "%s: offset 0: a %s (P%c); only grey PGM images (P5, P2) are read: convert with pamtopnm or ppmtopgm",
            path, buf[1] == '1' || buf[1] == '4' ? "PBM bitmap" : "PPM colour image", buf[1]);
    if (buf[1] == '2' && sae_text_check(path, buf, len, e))
        return -1;
    const int binary = buf[1] == '5';
    size_t pos = 2, w, h, maxval;
    if (pgm_number(buf, len, &pos, &w) || pgm_number(buf, len, &pos, &h) || pgm_number(buf, len, &pos, &maxval))
        return sae_fail(e, "%s: offset %zu: expected width, height and maxval", path, pos);
    if (w == 0 || h == 0 || maxval == 0 || maxval > 65535)
        return sae_fail(e, "%s: offset %zu: bad header %zu x %zu, maxval %zu", path, pos, w, h, maxval);
    size_t cnt;
    const size_t bpp = maxval > 255 ? 2 : 1;
    if (binary)
        pos++; /* the single white-space byte after maxval */
    /* the pixels must be there before anything is allocated for them: a
     * P5 pixel takes bpp bytes, a P2 pixel at least a digit and a space */
    const size_t left = pos > len ? 0 : len - pos;
    if (sae_mul_overflow(w, h, &cnt) || (binary ? left / bpp < cnt : left / 2 + 1 < cnt))
        return sae_fail(e, "%s: offset %zu: truncated pixel data (%zu x %zu pixels, %zu bytes left)", path,
                        pos > len ? len : pos, w, h, left);
    if (!(img->px = sae_alloc_array(cnt, sizeof(double))))
        return sae_fail(e, "%s: %zu x %zu image does not fit in memory", path, w, h);
    img->w = w;
    img->h = h;
    if (binary) {
        for (size_t i = 0; i < cnt; i++) {
            const size_t v = bpp == 1 ? buf[pos + i] : (size_t)buf[pos + 2 * i] << 8 | buf[pos + 2 * i + 1];
            img->px[i] = (double)v / (double)maxval;
        }
    } else {
        for (size_t i = 0; i < cnt; i++) {
            size_t v;
            if (pgm_number(buf, len, &pos, &v) || v > maxval) {
                free(img->px);
                img->px = NULL;
                return sae_fail(e, "%s: offset %zu: expected pixel %zu of %zu (0..%zu)", path, pos, i + 1, cnt, maxval);
            }
            img->px[i] = (double)v / (double)maxval;
        }
    }
    return 0;
}

int sae_sample_patches(const char *source, const SaeImage *imgs, size_t n_imgs, size_t p, size_t count, uint32_t seed,
                       double zca_eps, SaeData *d, SaeError *e)
{
    memset(d, 0, sizeof *d);
    for (size_t i = 0; i < n_imgs; i++)
        if (imgs[i].w < p || imgs[i].h < p)
            return sae_fail(e, "%s%s%s: the image is %zu x %zu, smaller than the %zu x %zu patch (--patch)", source,
                            imgs[i].name ? "/" : "", imgs[i].name ? imgs[i].name : "", imgs[i].w, imgs[i].h, p, p);
    size_t cols, cnt;
    if (n_imgs == 0 || p == 0 || count == 0 || sae_mul_overflow(p, p, &cols) || sae_mul_overflow(count, cols, &cnt))
        return sae_fail(e, "cannot sample %zu patches of %zu x %zu from %zu images", count, p, p, n_imgs);
    if (!(d->x = sae_alloc_array(cnt, sizeof(double))))
        return sae_fail(e, "out of memory for %zu patches", count);
    d->rows = count;
    d->cols = cols;
    d->img_h = d->img_w = p;
    d->auto_scale = 1;
    SaeRng rng;
    sae_rng_seed(&rng, seed);
    for (size_t i = 0; i < count; i++) {
        const SaeImage *im = &imgs[sae_rng_below(&rng, n_imgs)];
        const size_t r0 = sae_rng_below(&rng, im->h - p + 1), c0 = sae_rng_below(&rng, im->w - p + 1);
        double *row = d->x + i * cols, mean = 0;
        for (size_t r = 0; r < p; r++)
            for (size_t c = 0; c < p; c++) mean += row[r * p + c] = im->px[(r0 + r) * im->w + c0 + c];
        mean /= (double)cols;
        for (size_t j = 0; j < cols; j++) row[j] -= mean;
    }
    if (zca_eps > 0 && sae_zca_whiten(d->x, count, cols, zca_eps)) {
        sae_data_free(d);
        return sae_fail(e, "out of memory whitening %zu patches", count);
    }
    double sum = 0, sumsq = 0;
    for (size_t i = 0; i < cnt; i++) {
        sum += d->x[i];
        sumsq += d->x[i] * d->x[i];
    }
    /* pstd = 3 std(all pixels) (MATLAB's std: n - 1), clip, map to [0.1, 0.9]. */
    const double nall = (double)cnt, var = (sumsq - sum * sum / nall) / (nall > 1 ? nall - 1 : 1);
    const double pstd = 3 * sqrt(var > 0 ? var : 0);
    for (size_t i = 0; i < cnt; i++) {
        const double v = pstd > 0 ? fmax(fmin(d->x[i], pstd), -pstd) / pstd : 0;
        d->x[i] = (v + 1) * 0.4 + 0.1;
    }
    return 0;
}
