#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/io/fileio.h"
#include "sae_config.h"

#if SAE_HAVE_ZLIB
#include <zlib.h>
#endif

static int is_gzip(const unsigned char *b, size_t len) { return len >= 2 && b[0] == 0x1f && b[1] == 0x8b; }

/* b (cap bytes) doubled; NULL, with b freed, when it cannot grow. */
static unsigned char *grow(unsigned char *b, size_t *cap)
{
    unsigned char *nb = *cap > SIZE_MAX / 2 ? NULL : realloc(b, *cap * 2);
    if (!nb) {
        free(b);
        return NULL;
    }
    *cap *= 2;
    return nb;
}

static int read_plain(const char *path, unsigned char **buf, size_t *len, SaeError *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sae_fail(e, "%s: cannot open: %s", path, strerror(errno));
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap)
            break;
        b = grow(b, &cap);
    }
    const int err = ferror(f);
    fclose(f);
    if (!b)
        return sae_fail(e, "%s: out of memory reading the file", path);
    if (err) {
        free(b);
        return sae_fail(e, "%s: read error", path);
    }
    *buf = b;
    *len = n;
    return 0;
}

#if SAE_HAVE_ZLIB
static int inflate_gzip(const char *path, unsigned char *in, size_t inlen, unsigned char **buf, size_t *len,
                        SaeError *e)
{
    z_stream z = { 0 };
    if (inflateInit2(&z, 15 + 32) != Z_OK)
        return sae_fail(e, "%s: zlib init failed", path);
    size_t cap = inlen * 4 + 1024, n = 0;
    unsigned char *out = malloc(cap);
    z.next_in = in;
    z.avail_in = (uInt)(inlen > UINT32_MAX ? UINT32_MAX : inlen);
    int rc = Z_OK;
    while (out && rc != Z_STREAM_END) {
        if (n == cap && !(out = grow(out, &cap)))
            break;
        const size_t room = cap - n;
        z.next_out = out + n;
        z.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        rc = inflate(&z, Z_NO_FLUSH);
        n = (size_t)(z.next_out - out);
        if (rc != Z_OK && rc != Z_STREAM_END) {
            const size_t off = (size_t)(z.next_in - in);
            inflateEnd(&z);
            free(out);
            return sae_fail(e, "%s: offset %zu: corrupt or truncated gzip data", path, off);
        }
    }
    inflateEnd(&z);
    if (!out)
        return sae_fail(e, "%s: out of memory inflating the file", path);
    *buf = out;
    *len = n;
    return 0;
}
#endif

int sae_read_file(const char *path, unsigned char **buf, size_t *len, SaeError *e)
{
    if (read_plain(path, buf, len, e))
        return -1;
    if (!is_gzip(*buf, *len))
        return 0;
#if SAE_HAVE_ZLIB
    unsigned char *raw = *buf;
    const int rc = inflate_gzip(path, raw, *len, buf, len, e);
    free(raw);
    return rc;
#else
    free(*buf);
    *buf = NULL;
    return sae_fail(e,
                    "%s: offset 0: gzip data, but saebench was built without zlib; "
                    "gunzip the file first",
                    path);
#endif
}

int sae_atomic_open(SaeAtomicFile *a, const char *path, SaeError *e)
{
    if (strlen(path) + 32 > sizeof a->tmp)
        return sae_fail(e, "%s: path too long", path);
    snprintf(a->path, sizeof a->path, "%s", path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    a->f = fopen(a->tmp, "wb");
    if (!a->f)
        return sae_fail(e, "%s: cannot create: %s", a->tmp, strerror(errno));
    return 0;
}

int sae_atomic_commit(SaeAtomicFile *a, SaeError *e)
{
    const int bad = ferror(a->f) | fflush(a->f) | fsync(fileno(a->f));
    if (fclose(a->f) != 0 || bad) {
        a->f = NULL;
        remove(a->tmp);
        return sae_fail(e, "%s: write error", a->path);
    }
    a->f = NULL;
    if (rename(a->tmp, a->path) != 0) {
        const int err = errno;
        remove(a->tmp);
        return sae_fail(e, "%s: cannot rename into place: %s", a->path, strerror(err));
    }
    return 0;
}

void sae_atomic_abort(SaeAtomicFile *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    remove(a->tmp);
}
