#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/io/fileio.h"
#include "core/io/npz.h"
#include "sae_config.h"

#if SAE_HAVE_ZLIB
#include <zlib.h>
#endif

unsigned long sae_crc32(unsigned long crc, const unsigned char *p, size_t n)
{
    static uint32_t table[256];
    static int ready;
    if (!ready) {
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int k = 0; k < 8; k++) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        ready = 1;
    }
    uint32_t c = (uint32_t)crc ^ 0xffffffffu;
    for (size_t i = 0; i < n; i++) c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

static uint32_t rd16(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8; }
static uint32_t rd32(const unsigned char *p) { return rd16(p) | rd16(p + 2) << 16; }
static uint64_t rd64(const unsigned char *p) { return rd32(p) | (uint64_t)rd32(p + 4) << 32; }

static void wr16(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
}
static void wr32(unsigned char *p, uint32_t v)
{
    wr16(p, v & 0xffff);
    wr16(p + 2, v >> 16);
}

/* Reads the ZIP64 extra field of a central entry: the 64-bit values for the
 * 32-bit fields that hold 0xffffffff, in the order usize, csize, offset. */
static void zip64_extra(const unsigned char *x, size_t xlen, uint64_t *usize, uint64_t *csize, uint64_t *off)
{
    size_t p = 0;
    while (p + 4 <= xlen) {
        const uint32_t id = rd16(x + p), sz = rd16(x + p + 2);
        if (p + 4 + sz > xlen)
            return;
        if (id == 0x0001) {
            size_t q = p + 4;
            uint64_t *fields[3] = { usize, csize, off };
            for (int i = 0; i < 3; i++)
                if (*fields[i] == 0xffffffffu && q + 8 <= p + 4 + sz) {
                    *fields[i] = rd64(x + q);
                    q += 8;
                }
            return;
        }
        p += 4 + sz;
    }
}

#if SAE_HAVE_ZLIB
/* Inflates the raw deflate stream src into dst, at most cap bytes;
 * returns how many it wrote, and *ended whether the stream ended there. */
static size_t inflate_raw(const unsigned char *src, size_t clen, unsigned char *dst, size_t cap, int *ended)
{
    z_stream z = { 0 };
    *ended = 0;
    if (inflateInit2(&z, -15) != Z_OK)
        return 0;
    z.next_in = (unsigned char *)src;
    z.avail_in = (uInt)clen;
    z.next_out = dst;
    z.avail_out = (uInt)cap;
    *ended = inflate(&z, Z_FINISH) == Z_STREAM_END;
    const size_t got = z.total_out;
    inflateEnd(&z);
    return got;
}
#endif

/* A deflated member: its .npy header is inflated and checked first, so
 * that a member whose header disagrees with its size costs nothing. */
static int inflate_member(const char *path, const char *name, const unsigned char *src, size_t clen, unsigned char *dst,
                          size_t ulen, SaeError *e)
{
#if SAE_HAVE_ZLIB
    if (clen > UINT32_MAX || ulen > UINT32_MAX)
        return sae_fail(e, "%s: member %s: a deflated member over 4 GiB", path, name);
    char where[512];
    snprintf(where, sizeof where, "%s:%s.npy", path, name);
    SaeNpy a;
    size_t doff;
    int ended;
    const size_t got = inflate_raw(src, clen, dst, ulen < 4096 ? ulen : 4096, &ended);
    if (sae_npy_header(dst, got, where, &a, &doff, e))
        return -1;
    if (a.bytes != ulen - doff)
        return sae_fail(e, "%s: offset %zu: shape needs %zu data bytes, the member holds %zu", where, doff, a.bytes,
                        ulen - doff);
    if (inflate_raw(src, clen, dst, ulen, &ended) != ulen || !ended)
        return sae_fail(e, "%s: member %s: corrupt deflate data", path, name);
    return 0;
#else
    (void)src;
    (void)clen;
    (void)dst;
    (void)ulen;
    return sae_fail(e,
                    "%s: member %s is deflate-compressed (numpy.savez_compressed), but saebench "
                    "was built without zlib; save with numpy.savez",
                    path, name);
#endif
}

/* The [start, end) byte ranges of the members read so far: a member
 * that overlaps another (one deflate stream counted many times) is refused. */
static int overlaps(const uint64_t (*span)[2], size_t n, uint64_t start, uint64_t end)
{
    for (size_t i = 0; i < n; i++)
        if (start < span[i][1] && span[i][0] < end)
            return 1;
    return 0;
}

/* The central directory's entries, each member read (and inflated). */
static int parse_entries(const char *path, const unsigned char *b, size_t len, uint64_t cdoff, uint64_t entries,
                         uint64_t (*span)[2], SaeNpz *z, SaeError *e)
{
    size_t p = cdoff;
    for (uint64_t i = 0; i < entries; i++) {
        if (p > len || len - p < 46 || rd32(b + p) != 0x02014b50u)
            return sae_fail(e, "%s: offset %zu: expected a ZIP central directory entry", path, p);
        const uint32_t method = rd16(b + p + 10), crc = rd32(b + p + 16);
        uint64_t csize = rd32(b + p + 20), usize = rd32(b + p + 24), off = rd32(b + p + 42);
        const size_t nlen = rd16(b + p + 28), xlen = rd16(b + p + 30), clen = rd16(b + p + 32);
        if (len - p - 46 < nlen + xlen + clen)
            return sae_fail(e, "%s: offset %zu: central entry runs past the end", path, p);
        const char *nm = (const char *)b + p + 46;
        zip64_extra(b + p + 46 + nlen, xlen, &usize, &csize, &off);
        SaeNpzMember *m = &z->members[z->count];
        size_t keep = nlen >= 4 && !memcmp(nm + nlen - 4, ".npy", 4) ? nlen - 4 : nlen;
        if (keep >= sizeof m->name)
            return sae_fail(e, "%s: offset %zu: member name too long", path, p);
        memcpy(m->name, nm, keep);
        m->name[keep] = 0;
        if (off > len - 30 || rd32(b + off) != 0x04034b50u)
            return sae_fail(e, "%s: offset %llu: expected the local header of member %s", path, (unsigned long long)off,
                            m->name);
        const uint64_t data = off + 30 + rd16(b + off + 26) + rd16(b + off + 28);
        if (data > len || csize > len - data)
            return sae_fail(e, "%s: offset %llu: member %s is truncated (%llu bytes expected)", path,
                            (unsigned long long)data, m->name, (unsigned long long)csize);
        if (method != 0 && method != 8)
            return sae_fail(e, "%s: member %s: unsupported compression method %u", path, m->name, method);
        if (method == 0 && csize != usize)
            return sae_fail(e, "%s: member %s: stored sizes disagree", path, m->name);
        if (usize > SAE_MAX_INFLATE || (method == 8 && usize > 1032 * csize + 64))
            return sae_fail(e, "%s: member %s: implausible size %llu (at most %zu bytes, 1032 per compressed byte)",
                            path, m->name, (unsigned long long)usize, SAE_MAX_INFLATE);
        for (size_t j = 0; j < z->count; j++)
            if (!strcmp(z->members[j].name, m->name))
                return sae_fail(e, "%s: offset %zu: member %s appears twice (which one is meant?)", path, p, m->name);
        if (overlaps(span, z->count, off, data + csize))
            return sae_fail(e, "%s: offset %llu: member %s overlaps another member's bytes", path,
                            (unsigned long long)off, m->name);
        span[z->count][0] = off;
        span[z->count][1] = data + csize;
        m->data = malloc(usize ? usize : 1);
        if (!m->data)
            return sae_fail(e, "%s: out of memory for member %s", path, m->name);
        m->len = usize;
        z->count++;
        if (method == 0)
            memcpy(m->data, b + data, usize);
        else if (inflate_member(path, m->name, b + data, csize, m->data, usize, e))
            return -1;
        if (sae_crc32(0, m->data, m->len) != crc)
            return sae_fail(e, "%s: member %s: CRC mismatch (corrupt file)", path, m->name);
        p += 46 + nlen + xlen + clen;
    }
    return 0;
}

static int parse_zip(const char *path, const unsigned char *b, size_t len, SaeNpz *z, SaeError *e)
{
    /* End of central directory: the last signature within 64 KiB + 22. */
    size_t eocd = SIZE_MAX;
    for (size_t i = len >= 22 ? len - 22 + 1 : 0; i-- > 0 && len - i <= 65557;)
        if (rd32(b + i) == 0x06054b50u) {
            eocd = i;
            break;
        }
    if (eocd == SIZE_MAX)
        return sae_fail(e, "%s: offset %zu: no ZIP end-of-central-directory record (not an .npz?)", path, len);
    uint64_t entries = rd16(b + eocd + 10), cdoff = rd32(b + eocd + 16);
    if ((entries == 0xffff || cdoff == 0xffffffffu) && eocd >= 20 && rd32(b + eocd - 20) == 0x07064b50u) {
        const uint64_t z64 = rd64(b + eocd - 20 + 8);
        if (len < 56 || z64 > len - 56 || rd32(b + z64) != 0x06064b50u)
            return sae_fail(e, "%s: offset %zu: bad ZIP64 end-of-central-directory locator", path, eocd - 20);
        entries = rd64(b + z64 + 32);
        cdoff = rd64(b + z64 + 48);
    }
    if (entries > len / 46)
        return sae_fail(e, "%s: offset %zu: %llu entries cannot fit in the file", path, eocd,
                        (unsigned long long)entries);
    z->members = calloc(entries ? entries : 1, sizeof *z->members);
    uint64_t(*span)[2] = calloc(entries ? entries : 1, sizeof *span);
    if (!z->members || !span) {
        free(span);
        return sae_fail(e, "%s: out of memory", path);
    }
    const int rc = parse_entries(path, b, len, cdoff, entries, span, z, e);
    free(span);
    return rc;
}

int sae_npz_read(const char *path, SaeNpz *z, SaeError *e)
{
    memset(z, 0, sizeof *z);
    unsigned char *b;
    size_t len;
    if (sae_read_file(path, &b, &len, e))
        return -1;
    const int rc = parse_zip(path, b, len, z, e);
    free(b);
    if (rc)
        sae_npz_free(z);
    return rc;
}

void sae_npz_free(SaeNpz *z)
{
    for (size_t i = 0; i < z->count; i++) free(z->members[i].data);
    free(z->members);
    z->members = NULL;
    z->count = 0;
}

int sae_npz_get(const SaeNpz *z, const char *path, const char *name, SaeNpy *a, SaeError *e)
{
    for (size_t i = 0; i < z->count; i++)
        if (!strcmp(z->members[i].name, name)) {
            char where[512];
            snprintf(where, sizeof where, "%s:%s.npy", path, name);
            return sae_npy_parse(z->members[i].data, z->members[i].len, where, a, e);
        }
    return 1;
}

int sae_npz_add(SaeNpz *z, const char *name, const unsigned char *npy, size_t len)
{
    if (strlen(name) >= sizeof z->members[0].name)
        return -1;
    SaeNpzMember *nm = realloc(z->members, (z->count + 1) * sizeof *nm);
    if (!nm)
        return -1;
    z->members = nm;
    SaeNpzMember *m = &nm[z->count];
    memset(m, 0, sizeof *m);
    snprintf(m->name, sizeof m->name, "%s", name);
    m->data = malloc(len ? len : 1);
    if (!m->data)
        return -1;
    memcpy(m->data, npy, len);
    m->len = len;
    z->count++;
    return 0;
}

int sae_npz_add_array(SaeNpz *z, const char *name, SaeDtype dt, int ndim, const size_t *shape, const void *data)
{
    unsigned char *npy;
    size_t len;
    if (sae_npy_encode(dt, ndim, shape, data, &npy, &len))
        return -1;
    const int rc = sae_npz_add(z, name, npy, len);
    free(npy);
    return rc;
}

int sae_npz_write(const char *path, const SaeNpz *z, SaeError *e)
{
    SaeAtomicFile af;
    if (sae_atomic_open(&af, path, e))
        return -1;
    uint64_t off = 0;
    uint32_t *offs = calloc(z->count ? z->count : 1, sizeof *offs);
    if (!offs) {
        sae_atomic_abort(&af);
        return sae_fail(e, "%s: out of memory", path);
    }
    unsigned char h[46];
    for (size_t i = 0; i < z->count; i++) {
        const SaeNpzMember *m = &z->members[i];
        const size_t nlen = strlen(m->name) + 4;
        if (off + 30 + nlen + m->len > 0xffffffffu) {
            free(offs);
            sae_atomic_abort(&af);
            return sae_fail(e, "%s: archive over 4 GiB is not supported", path);
        }
        offs[i] = (uint32_t)off;
        memset(h, 0, 30);
        wr32(h, 0x04034b50u);
        wr16(h + 4, 20);
        wr32(h + 14, (uint32_t)sae_crc32(0, m->data, m->len));
        wr32(h + 18, (uint32_t)m->len);
        wr32(h + 22, (uint32_t)m->len);
        wr16(h + 26, (uint32_t)nlen);
        fwrite(h, 1, 30, af.f);
        fprintf(af.f, "%s.npy", m->name);
        fwrite(m->data, 1, m->len, af.f);
        off += 30 + nlen + m->len;
    }
    const uint64_t cd = off;
    for (size_t i = 0; i < z->count; i++) {
        const SaeNpzMember *m = &z->members[i];
        const size_t nlen = strlen(m->name) + 4;
        memset(h, 0, 46);
        wr32(h, 0x02014b50u);
        wr16(h + 4, 20);
        wr16(h + 6, 20);
        wr32(h + 16, (uint32_t)sae_crc32(0, m->data, m->len));
        wr32(h + 20, (uint32_t)m->len);
        wr32(h + 24, (uint32_t)m->len);
        wr16(h + 28, (uint32_t)nlen);
        wr32(h + 42, offs[i]);
        fwrite(h, 1, 46, af.f);
        fprintf(af.f, "%s.npy", m->name);
        off += 46 + nlen;
    }
    free(offs);
    memset(h, 0, 22);
    wr32(h, 0x06054b50u);
    wr16(h + 8, (uint32_t)z->count);
    wr16(h + 10, (uint32_t)z->count);
    wr32(h + 12, (uint32_t)(off - cd));
    wr32(h + 16, (uint32_t)cd);
    fwrite(h, 1, 22, af.f);
    return sae_atomic_commit(&af, e);
}
