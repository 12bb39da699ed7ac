#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/npy.h"
#include "core/safe_alloc.h"

static const unsigned char magic[6] = { 0x93, 'N', 'U', 'M', 'P', 'Y' };

/* The value after 'key': in the header dict, or NULL. */
static const char *dict_value(const char *hdr, const char *key)
{
    const char *p = strstr(hdr, key);
    if (!p)
        return NULL;
    p = strchr(p + strlen(key), ':');
    if (!p)
        return NULL;
    p++;
    while (*p == ' ') p++;
    return p;
}

static int parse_descr(const char *v, SaeDtype *dt, size_t *itemsize)
{
    if (*v != '\'' && *v != '"')
        return -1;
    char d[16] = { 0 };
    size_t i = 0;
    for (v++; *v && *v != '\'' && *v != '"' && i < sizeof d - 1; v++) d[i++] = *v;
    if (!strcmp(d, "<f4")) {
        *dt = SAE_DT_F32;
        *itemsize = 4;
    } else if (!strcmp(d, "<f8")) {
        *dt = SAE_DT_F64;
        *itemsize = 8;
    } else if (!strcmp(d, "|u1") || !strcmp(d, "<u1") || !strcmp(d, "u1")) {
        *dt = SAE_DT_U8;
        *itemsize = 1;
    } else if (!strcmp(d, "<i4")) {
        *dt = SAE_DT_I32;
        *itemsize = 4;
    } else if (!strcmp(d, "<i8")) {
        *dt = SAE_DT_I64;
        *itemsize = 8;
    } else if (d[0] == '<' && d[1] == 'U') {
        char *end;
        const unsigned long chars = strtoul(d + 2, &end, 10);
        if (*end || chars == 0 || chars > 4096)
            return -1;
        *dt = SAE_DT_UNICODE;
        *itemsize = 4 * chars;
    } else
        return -1;
    return 0;
}

/* "(3, 4)", "(5,)" or "()" into shape; returns ndim or -1. */
static int parse_shape(const char *v, size_t *shape)
{
    if (*v != '(')
        return -1;
    int nd = 0;
    v++;
    for (;;) {
        while (*v == ' ') v++;
        if (*v == ')')
            return nd;
        if (*v < '0' || *v > '9' || nd == 4)
            return -1;
        char *end;
        const unsigned long long d = strtoull(v, &end, 10);
        if (d > SIZE_MAX)
            return -1;
        shape[nd++] = (size_t)d;
        v = end;
        while (*v == ' ') v++;
        if (*v == ',')
            v++;
        else if (*v != ')')
            return -1;
    }
}

/* The dict value v is exactly `word`: a token ending at ',', '}' or space. */
static int is_word(const char *v, const char *word)
{
    const size_t l = strlen(word);
    return !strncmp(v, word, l) && (v[l] == ',' || v[l] == '}' || v[l] == ' ');
}

int sae_npy_header(const unsigned char *buf, size_t len, const char *where, SaeNpy *a, size_t *data_off, SaeError *e)
{
    memset(a, 0, sizeof *a);
    if (memcmp(buf, magic, len < 6 ? len : 6) != 0 || len == 0)
        return sae_fail(e, "%s: offset 0: expected the .npy magic \\x93NUMPY", where);
    if (len < 10)
        return sae_fail(e, "%s: offset %zu: truncated header (the file ends after %zu bytes)", where, len, len);
    const int major = buf[6];
    size_t hlen, hoff;
    if (major == 1) {
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8;
        hoff = 10;
    } else if (major == 2 || major == 3) {
        if (len < 12)
            return sae_fail(e, "%s: offset %zu: truncated header (the file ends after %zu bytes)", where, len, len);
        hlen = (size_t)buf[8] | (size_t)buf[9] << 8 | (size_t)buf[10] << 16 | (size_t)buf[11] << 24;
        hoff = 12;
    } else
        return sae_fail(e, "%s: offset 6: unsupported .npy version %d", where, major);
    if (hlen > len - hoff)
        return sae_fail(e, "%s: offset %zu: header of %zu bytes runs past the end of the file (%zu bytes)", where, hoff,
                        hlen, len);
    const unsigned char *nul = memchr(buf + hoff, 0, hlen);
    if (nul)
        return sae_fail(e, "%s: offset %zu: NUL byte in the header (expected a Python dict literal)", where,
                        (size_t)(nul - buf));
    char *hdr = malloc(hlen + 1);
    if (!hdr)
        return sae_fail(e, "%s: out of memory", where);
    memcpy(hdr, buf + hoff, hlen);
    hdr[hlen] = 0;
    int rc = 0;
    const char *descr = dict_value(hdr, "'descr'"), *fo = dict_value(hdr, "'fortran_order'");
    const char *shape = dict_value(hdr, "'shape'");
    if (!descr || !fo || !shape)
        rc = sae_fail(e, "%s: offset %zu: header lacks descr, fortran_order or shape", where, hoff);
    else if (parse_descr(descr, &a->dtype, &a->itemsize))
        rc = sae_fail(e,
                      "%s: offset %zu: unsupported dtype %.12s (expected <f4, <f8, |u1, <i4, <i8 "
                      "or <U, little-endian)",
                      where, hoff, descr);
    else if (!is_word(fo, "False") && !is_word(fo, "True"))
        rc = sae_fail(e, "%s: offset %zu: fortran_order is neither True nor False", where, hoff);
    else if ((a->ndim = parse_shape(shape, a->shape)) < 0)
        rc = sae_fail(e, "%s: offset %zu: malformed shape %.20s", where, hoff, shape);
    else if ((a->fortran = is_word(fo, "True")) && a->ndim > 2)
        rc = sae_fail(e, "%s: offset %zu: a %d-D fortran_order array (expected at most 2-D)", where, hoff, a->ndim);
    free(hdr);
    if (rc)
        return rc;
    size_t count = 1;
    for (int i = 0; i < a->ndim; i++)
        if (sae_mul_overflow(count, a->shape[i], &count))
            return sae_fail(e, "%s: offset %zu: shape overflows size_t", where, hoff);
    size_t file_size; /* so that callers may add data_off + bytes */
    if (sae_mul_overflow(count, a->itemsize, &a->bytes) || sae_add_overflow(a->bytes, hoff + hlen, &file_size))
        return sae_fail(e, "%s: offset %zu: shape overflows size_t", where, hoff);
    a->count = count;
    *data_off = hoff + hlen;
    return 0;
}

int sae_npy_parse(const unsigned char *buf, size_t len, const char *where, SaeNpy *a, SaeError *e)
{
    size_t doff;
    if (sae_npy_header(buf, len, where, a, &doff, e))
        return -1;
    if (a->bytes != len - doff)
        return sae_fail(e, "%s: offset %zu: shape needs %zu data bytes, the file has %zu", where, doff, a->bytes,
                        len - doff);
    a->data = buf + doff;
    return 0;
}

double sae_npy_get(const SaeNpy *a, size_t i)
{
    if (a->fortran && a->ndim == 2) /* row r, column c is stored at c * rows + r */
        i = i % a->shape[1] * a->shape[0] + i / a->shape[1];
    const unsigned char *p = a->data + i * a->itemsize;
    switch (a->dtype) {
    case SAE_DT_F32: {
        float v;
        memcpy(&v, p, 4);
        return v;
    }
    case SAE_DT_F64: {
        double v;
        memcpy(&v, p, 8);
        return v;
    }
    case SAE_DT_U8: return p[0];
    case SAE_DT_I32: {
        int32_t v;
        memcpy(&v, p, 4);
        return v;
    }
    case SAE_DT_I64: {
        int64_t v;
        memcpy(&v, p, 8);
        return (double)v;
    }
    default: return 0;
    }
}

int sae_npy_string(const SaeNpy *a, char *out, size_t outlen)
{
    if (a->dtype != SAE_DT_UNICODE || a->count != 1 || outlen == 0)
        return -1;
    size_t n = 0;
    for (size_t i = 0; i < a->itemsize / 4; i++) {
        uint32_t cp;
        memcpy(&cp, a->data + 4 * i, 4);
        if (cp == 0)
            break;
        if (cp > 127 || n + 1 >= outlen)
            return -1;
        out[n++] = (char)cp;
    }
    out[n] = 0;
    return 0;
}

int sae_npy_encode(SaeDtype dt, int ndim, const size_t *shape, const void *data, unsigned char **out, size_t *len)
{
    static const char *const descr[] = { "<f4", "<f8", "|u1", "<i4", "<i8" };
    char hdr[256], d[32], shp[128] = "(";
    size_t count = 1, itemsize;
    if (dt == SAE_DT_UNICODE) {
        const size_t chars = strlen(data) ? strlen(data) : 1;
        snprintf(d, sizeof d, "<U%zu", chars);
        itemsize = 4 * chars; /* a 0-d array: the shape is not used */
    } else {
        snprintf(d, sizeof d, "%s", descr[dt]);
        itemsize = dt == SAE_DT_U8 ? 1 : (dt == SAE_DT_F64 || dt == SAE_DT_I64) ? 8 : 4;
        for (int i = 0; i < ndim; i++) {
            char part[32];
            snprintf(part, sizeof part, "%zu%s", shape[i], ndim == 1 ? "," : i + 1 < ndim ? ", " : "");
            strncat(shp, part, sizeof shp - strlen(shp) - 1);
            if (sae_mul_overflow(count, shape[i], &count))
                return -1;
        }
    }
    strncat(shp, ")", sizeof shp - strlen(shp) - 1);
    int h = snprintf(hdr, sizeof hdr, "{'descr': '%s', 'fortran_order': False, 'shape': %s, }", d, shp);
    /* pad with spaces so the data starts on a 64-byte boundary, end with \n */
    size_t total_hdr = 10 + (size_t)h + 1;
    const size_t pad = (64 - total_hdr % 64) % 64;
    size_t bytes;
    if (sae_mul_overflow(count, itemsize, &bytes))
        return -1;
    const size_t n = total_hdr + pad + bytes;
    unsigned char *b = malloc(n);
    if (!b)
        return -1;
    memcpy(b, magic, 6);
    b[6] = 1;
    b[7] = 0;
    const size_t hl = (size_t)h + pad + 1;
    b[8] = (unsigned char)(hl & 0xff);
    b[9] = (unsigned char)(hl >> 8);
    memcpy(b + 10, hdr, (size_t)h);
    memset(b + 10 + h, ' ', pad);
    b[10 + h + pad] = '\n';
    unsigned char *p = b + total_hdr + pad;
    if (dt == SAE_DT_UNICODE) {
        const char *s = data;
        memset(p, 0, bytes);
        for (size_t i = 0; s[i]; i++) {
            const uint32_t cp = (unsigned char)s[i];
            memcpy(p + 4 * i, &cp, 4);
        }
    } else {
        memcpy(p, data, bytes);
    }
    *out = b;
    *len = n;
    return 0;
}
