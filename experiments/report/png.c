#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/safe_alloc.h"
#include "core/io/fileio.h"
#include "core/io/npz.h"
#include "experiments/report/png.h"
#include "sae_config.h"

#if SAE_HAVE_ZLIB
#include <zlib.h>
#endif

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static void chunk(FILE *f, const char *type, const unsigned char *data, size_t len)
{
    unsigned char hdr[8];
    be32(hdr, (uint32_t)len);
    memcpy(hdr + 4, type, 4);
    fwrite(hdr, 1, 8, f);
    if (len)
        fwrite(data, 1, len, f);
    unsigned long crc = sae_crc32(0, (const unsigned char *)type, 4);
    crc = sae_crc32(crc, data, len);
    unsigned char c[4];
    be32(c, (uint32_t)crc);
    fwrite(c, 1, 4, f);
}

/* The zlib stream of the IDAT chunk: deflated with zlib when it is built
 * in, otherwise stored blocks (valid deflate, no compression) with the
 * Adler-32 computed here. malloc'd; *len its size. */
static unsigned char *zlib_stream(const unsigned char *raw, size_t n, size_t *len)
{
#if SAE_HAVE_ZLIB
    uLongf cap = compressBound((uLong)n);
    unsigned char *z = malloc(cap);
    if (z && compress2(z, &cap, raw, (uLong)n, 9) == Z_OK) {
        *len = cap;
        return z;
    }
    free(z);
    return NULL;
#else
    const size_t blocks = (n + 65534) / 65535;
    unsigned char *z = malloc(2 + n + 5 * blocks + 4);
    if (!z)
        return NULL;
    size_t o = 0;
    z[o++] = 0x78; /* deflate, 32K window */
    z[o++] = 0x01; /* no dictionary, fastest (0x7801 % 31 == 0) */
    uint32_t a = 1, b = 0;
    for (size_t s = 0; s < n || s == 0; s += 65535) {
        const size_t len_s = n - s < 65535 ? n - s : 65535;
        z[o++] = s + len_s == n; /* BFINAL on the last; BTYPE 00: stored */
        z[o++] = (unsigned char)(len_s & 0xff);
        z[o++] = (unsigned char)(len_s >> 8);
        z[o++] = (unsigned char)(~len_s & 0xff);
        z[o++] = (unsigned char)((~len_s >> 8) & 0xff);
        memcpy(z + o, raw + s, len_s);
        o += len_s;
        for (size_t i = s; i < s + len_s; i++) { /* Adler-32 of the raw data */
            a = (a + raw[i]) % 65521;
            b = (b + a) % 65521;
        }
        if (s + len_s == n)
            break;
    }
    be32(z + o, b << 16 | a);
    *len = o + 4;
    return z;
#endif
}

int sae_png_write_gray(const char *path, size_t w, size_t h, const unsigned char *px, SaeError *e)
{
    if (w == 0 || h == 0 || w > 1u << 20 || h > 1u << 20)
        return sae_fail(e, "%s: image size %zu x %zu out of range", path, w, h);
    /* raw scanlines: a filter byte (0) then w pixels */
    const size_t raw = h * (w + 1);
    unsigned char *line = malloc(raw);
    if (!line)
        return sae_fail(e, "%s: out of memory", path);
    for (size_t y = 0; y < h; y++) {
        line[y * (w + 1)] = 0;
        memcpy(line + y * (w + 1) + 1, px + y * w, w);
    }
    size_t o;
    unsigned char *z = zlib_stream(line, raw, &o);
    free(line);
    if (!z)
        return sae_fail(e, "%s: out of memory", path);
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e)) {
        free(z);
        return -1;
    }
    static const unsigned char sig[8] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
    fwrite(sig, 1, 8, af.f);
    unsigned char ihdr[13];
    be32(ihdr, (uint32_t)w);
    be32(ihdr + 4, (uint32_t)h);
    ihdr[8] = 8;                        /* bit depth */
    ihdr[9] = 0;                        /* greyscale */
    ihdr[10] = ihdr[11] = ihdr[12] = 0; /* deflate, adaptive filter, no interlace */
    chunk(af.f, "IHDR", ihdr, 13);
    chunk(af.f, "IDAT", z, o);
    chunk(af.f, "IEND", NULL, 0);
    free(z);
    return sae_atomic_commit(&af, e);
}

/* Small images are drawn with each pixel repeated, so a tile is at least
 * about 48 pixels wide on screen (8 x 8 patches: 6 screen pixels each). */
static size_t zoom(size_t iw) { return iw >= 48 ? 1 : (48 + iw - 1) / iw; }

/* A grid of count tiles of ih x iw pixels (zoomed) with 1-pixel borders,
 * below a white band `top` pixels high (for labels). */
static int grid(size_t count, size_t cols, size_t ih, size_t iw, size_t top, unsigned char **out, size_t *ow,
                size_t *oh)
{
    const size_t rows = (count + cols - 1) / cols, z = zoom(iw);
    *ow = cols * (iw * z + 1) + 1;
    *oh = top + rows * (ih * z + 1) + 1;
    *out = sae_alloc_array2(*ow, *oh, 1);
    if (!*out)
        return -1;
    memset(*out, 255, *ow * top);
    memset(*out + *ow * top, 0, *ow * (*oh - top)); /* black borders */
    return 0;
}

static void put_tile(unsigned char *img, size_t ow, size_t top, size_t t, size_t cols, size_t ih, size_t iw,
                     const double *v, double lo, double hi)
{
    const size_t z = zoom(iw), x0 = (t % cols) * (iw * z + 1) + 1, y0 = top + (t / cols) * (ih * z + 1) + 1;
    const double span = hi > lo ? hi - lo : 1;
    for (size_t r = 0; r < ih * z; r++)
        for (size_t c = 0; c < iw * z; c++) {
            const double u = (v[r / z * iw + c / z] - lo) / span;
            img[(y0 + r) * ow + x0 + c] = (unsigned char)lround(255 * fmin(fmax(u, 0), 1));
        }
}

int sae_mosaic_filters(const double *w, size_t k, size_t ih, size_t iw, unsigned char **out, size_t *ow, size_t *oh)
{
    const size_t cols = (size_t)ceil(sqrt((double)k));
    if (grid(k, cols, ih, iw, 0, out, ow, oh))
        return -1;
    for (size_t j = 0; j < k; j++) {
        const double *row = w + j * ih * iw;
        double mx = 0;
        for (size_t p = 0; p < ih * iw; p++) mx = fmax(mx, fabs(row[p]));
        put_tile(*out, *ow, 0, j, cols, ih, iw, row, -mx, mx);
    }
    return 0;
}

/* Capital letters of a 3 x 5 pixel font, one row of 3 bits per byte, for
 * the few labels the mosaics carry. */
static const unsigned char *glyph(char ch)
{
    static const struct {
        char ch;
        unsigned char rows[5];
    } font[] = { { 'I', { 7, 2, 2, 2, 7 } }, { 'N', { 6, 5, 5, 5, 5 } }, { 'P', { 6, 5, 6, 4, 4 } },
                 { 'U', { 5, 5, 5, 5, 7 } }, { 'T', { 7, 2, 2, 2, 2 } }, { 'R', { 6, 5, 6, 5, 5 } },
                 { 'E', { 7, 4, 6, 4, 7 } }, { 'C', { 3, 4, 4, 4, 3 } }, { 'O', { 2, 5, 5, 5, 2 } } };
    for (size_t i = 0; i < sizeof font / sizeof *font; i++)
        if (font[i].ch == ch)
            return font[i].rows;
    return NULL;
}

/* Black text (font pixels drawn s x s) centred on column cx, top at y. */
static void put_text(unsigned char *img, size_t ow, size_t cx, size_t y, size_t s, const char *text)
{
    const size_t w = strlen(text) * 4 * s - s;
    size_t x = cx > w / 2 ? cx - w / 2 : 0;
    for (; *text; text++, x += 4 * s) {
        const unsigned char *g = glyph(*text);
        for (size_t r = 0; g && r < 5 * s; r++)
            for (size_t c = 0; c < 3 * s; c++)
                if (g[r / s] >> (2 - c / s) & 1 && x + c < ow)
                    img[(y + r) * ow + x + c] = 0;
    }
}

int sae_mosaic_pairs(const double *x, const double *xh, size_t count, size_t ih, size_t iw, unsigned char **out,
                     size_t *ow, size_t *oh)
{
    const size_t per_row = 8; /* pairs per row */
    const size_t cols = 2 * (count < per_row ? count : per_row), tw = iw * zoom(iw) + 1;
    const size_t s = tw >= 40 ? 2 : 1, top = 9 * s; /* the labels' band */
    if (grid(2 * count, cols, ih, iw, top, out, ow, oh))
        return -1;
    for (size_t c = 0; c < cols; c++) put_text(*out, *ow, c * tw + tw / 2, 2 * s, s, c % 2 ? "RECON" : "INPUT");
    for (size_t i = 0; i < count; i++) {
        const double *xi = x + i * ih * iw, *ri = xh + i * ih * iw;
        double lo = INFINITY, hi = -INFINITY;
        for (size_t p = 0; p < ih * iw; p++) {
            lo = fmin(lo, xi[p]);
            hi = fmax(hi, xi[p]);
        }
        put_tile(*out, *ow, top, 2 * i, cols, ih, iw, xi, lo, hi);
        put_tile(*out, *ow, top, 2 * i + 1, cols, ih, iw, ri, lo, hi);
    }
    return 0;
}
