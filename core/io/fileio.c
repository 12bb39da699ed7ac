/* O_NOFOLLOW, O_CLOEXEC, fchmod and kill are POSIX.1-2008 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/io/fileio.h"
#include "core/io/sniff.h"
#include "sae_config.h"

#if SAE_HAVE_ZLIB
#include <zlib.h>
#endif

static int is_gzip(const unsigned char *b, size_t len) { return len >= 2 && b[0] == 0x1f && b[1] == 0x8b; }

int sae_text_check(const char *path, const unsigned char *b, size_t len, SaeError *e)
{
    size_t line = 1;
    for (size_t i = 0; i < len; i++) {
        const unsigned char c = b[i];
        if (c == '\n')
            line++;
        else if ((c < 0x20 && c != '\t' && c != '\r' && c != '\f' && c != '\v') || c == 0x7f)
            return sae_fail(e, "%s: line %zu, offset %zu: byte 0x%02x (expected text: a binary or corrupt file?)", path,
                            line, i, c);
    }
    return 0;
}

/* b (cap bytes) grown to twice its size but at most to `most`; NULL, with
 * b freed, when it cannot grow. */
static unsigned char *grow(unsigned char *b, size_t *cap, size_t most)
{
    const size_t want = *cap > most / 2 ? most : *cap * 2;
    unsigned char *nb = want > *cap ? realloc(b, want) : NULL;
    if (!nb) {
        free(b);
        return NULL;
    }
    *cap = want;
    return nb;
}

static int read_plain(const char *path, size_t max, unsigned char **buf, size_t *len, SaeError *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return sae_fail(e, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return sae_fail(e, "%s: is a directory (expected a file)", path);
    }
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = malloc(cap);
    while (b) {
        n += fread(b + n, 1, cap - n, f);
        if (n < cap || n > max)
            break;
        b = grow(b, &cap, SIZE_MAX);
    }
    const int err = ferror(f) ? errno : 0;
    fclose(f);
    if (!b)
        return sae_fail(e, "%s: out of memory reading the file", path);
    if (err || n > max) {
        free(b);
        return err ? sae_fail(e, "%s: read error: %s", path, strerror(err))
                   : sae_fail(e, "%s: larger than the %zu bytes allowed for this kind of file", path, max);
    }
    *buf = b;
    *len = n;
    return 0;
}

#if SAE_HAVE_ZLIB
/* Inflates every gzip member of in (as gzip(1) does) into a malloc'd
 * buffer of at most max bytes, bounded further by what the inflated start
 * declares; a start without a binary format's header that holds a NUL
 * byte is refused before the rest is inflated (a bomb of zeros). */
static int inflate_gzip(const char *path, unsigned char *in, size_t inlen, size_t max, unsigned char **buf, size_t *len,
                        SaeError *e)
{
    z_stream z = { 0 };
    if (inflateInit2(&z, 15 + 16) != Z_OK)
        return sae_fail(e, "%s: zlib init failed", path);
    enum { SNIFF = 1 << 16 };
    size_t cap = SNIFF, n = 0, limit = max;
    unsigned char *out = malloc(cap);
    z.next_in = in;
    z.avail_in = (uInt)(inlen > UINT32_MAX ? UINT32_MAX : inlen);
    int rc = Z_OK, sniffed = 0;
    const char *why = NULL;
    while (out && !why) {
        if (n == cap && n <= limit && !(out = grow(out, &cap, limit < SIZE_MAX ? limit + 1 : limit)))
            break;
        const size_t room = cap - n;
        z.next_out = out + n;
        z.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        rc = inflate(&z, Z_NO_FLUSH);
        n = (size_t)(z.next_out - out);
        const size_t used = (size_t)(z.next_in - in);
        const int done = rc == Z_STREAM_END && used == inlen;
        if (rc == Z_STREAM_END && !done) {
            if (!is_gzip(in + used, inlen - used)) {
                why = "data after the end of the gzip stream";
                break;
            }
            inflateReset(&z); /* the next member of a multi-member gzip */
            z.avail_in = (uInt)(inlen - used > UINT32_MAX ? UINT32_MAX : inlen - used);
        } else if (rc != Z_OK && rc != Z_STREAM_END) {
            why = "corrupt or truncated gzip data";
            break;
        }
        if (!sniffed && (n >= SNIFF || done)) {
            sniffed = 1;
            const size_t declared = sae_sniff_declared_size(out, n);
            if (declared)
                limit = declared < limit ? declared : limit;
            else if (!sae_sniff_binary(out, n) && memchr(out, 0, n))
                why = "the inflated data hold a NUL byte but no header of a binary format (expected text)";
        }
        if (n > limit)
            why = limit < max ? "inflates past the size its header declares" : "inflates past the size limit";
        if (done)
            break;
    }
    const size_t off = (size_t)(z.next_in - in);
    inflateEnd(&z);
    if (!out)
        return sae_fail(e, "%s: out of memory inflating the file", path);
    if (why) {
        free(out);
        return n > limit ? sae_fail(e, "%s: offset %zu: %s (%zu bytes)", path, off, why, limit)
                         : sae_fail(e, "%s: offset %zu: %s", path, off, why);
    }
    *buf = out;
    *len = n;
    return 0;
}
#endif

int sae_read_file_max(const char *path, size_t max, unsigned char **buf, size_t *len, SaeError *e)
{
    if (read_plain(path, max, buf, len, e))
        return -1;
    if (!is_gzip(*buf, *len))
        return 0;
#if SAE_HAVE_ZLIB
    unsigned char *raw = *buf;
    const int rc = inflate_gzip(path, raw, *len, max < SAE_MAX_INFLATE ? max : SAE_MAX_INFLATE, buf, len, e);
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

int sae_read_file(const char *path, unsigned char **buf, size_t *len, SaeError *e)
{
    return sae_read_file_max(path, SIZE_MAX, buf, len, e);
}

/* Removes "<path>.tmp.<pid>" files whose process is gone: what a kill -9
 * in the middle of a save leaves behind. A live process's file is kept. */
static void remove_stale_temporaries(const char *path)
{
    char dir[4096] = ".";
    const char *slash = strrchr(path, '/'), *base = slash ? slash + 1 : path;
    if (slash) /* the folder part; "/x" is in "/" */
        snprintf(dir, sizeof dir, "%.*s", slash == path ? 1 : (int)(slash - path), path);
    DIR *d = opendir(dir);
    if (!d)
        return;
    const size_t bl = strlen(base);
    for (struct dirent *de; (de = readdir(d));) {
        const char *n = de->d_name;
        if (strncmp(n, base, bl) || strncmp(n + bl, ".tmp.", 5) || !n[bl + 5])
            continue;
        char *end;
        const long pid = strtol(n + bl + 5, &end, 10);
        if (*end || pid <= 0 || pid == (long)getpid() || kill((pid_t)pid, 0) == 0 || errno != ESRCH)
            continue;
        char full[8192];
        snprintf(full, sizeof full, "%s/%s", dir, n);
        unlink(full);
    }
    closedir(d);
}

int sae_atomic_open(SaeAtomicFile *a, const char *path, SaeError *e)
{
    if (strlen(path) + 32 > sizeof a->tmp)
        return sae_fail(e, "%s: path too long", path);
    snprintf(a->path, sizeof a->path, "%s", path);
    snprintf(a->tmp, sizeof a->tmp, "%s.tmp.%ld", path, (long)getpid());
    remove_stale_temporaries(path);
    /* O_EXCL | O_NOFOLLOW: a file or symlink planted under the temporary's
     * name is never written through */
    const int fd = open(a->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0)
        return sae_fail(e, "%s: cannot create: %s", a->tmp, strerror(errno));
    struct stat st;
    if (stat(path, &st) == 0 && S_ISREG(st.st_mode))
        (void)fchmod(fd, st.st_mode & 07777); /* a replaced file keeps its permissions */
    if (!(a->f = fdopen(fd, "wb"))) {
        const int err = errno;
        close(fd);
        unlink(a->tmp);
        return sae_fail(e, "%s: cannot create: %s", a->tmp, strerror(err));
    }
    return 0;
}

int sae_atomic_commit(SaeAtomicFile *a, SaeError *e)
{
    errno = 0;
    int bad = ferror(a->f), err = errno;
    if (fflush(a->f) || fsync(fileno(a->f)))
        bad = 1, err = errno;
    if (fclose(a->f) != 0 && !bad)
        bad = 1, err = errno;
    a->f = NULL;
    if (bad) {
        unlink(a->tmp);
        return err ? sae_fail(e, "%s: write error: %s", a->path, strerror(err))
                   : sae_fail(e, "%s: write error", a->path);
    }
    if (rename(a->tmp, a->path) != 0) {
        err = errno;
        unlink(a->tmp);
        return sae_fail(e, "%s: cannot rename into place: %s", a->path, strerror(err));
    }
    return 0;
}

int sae_atomic_write(const char *path, const void *buf, size_t len, SaeError *e)
{
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    fwrite(buf, 1, len, af.f); /* a short write sets the error flag: commit reports it */
    return sae_atomic_commit(&af, e);
}

void sae_atomic_abort(SaeAtomicFile *a)
{
    if (a->f)
        fclose(a->f);
    a->f = NULL;
    unlink(a->tmp);
}
