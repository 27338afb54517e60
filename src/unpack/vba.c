/* vba.c - VBA macro projects (written for vigil: no Debian library reads
 * them). Spec: [MS-OVBA] 2.4.1 (compression: a signature byte 1, chunks of
 * a 16-bit header (size - 3 in bits 0-11, 0b011 in bits 12-14, compressed
 * flag in bit 15), then raw 4096 bytes or flag bytes each followed by 8
 * tokens: a literal byte or a 16-bit copy token whose offset/length split
 * depends on the position in the decompressed chunk, 2.4.1.3.19.1) and
 * 2.3.4.2 (the dir stream: records of a 16-bit id and a 32-bit size, but
 * PROJECTVERSION (9) which carries 6 bytes after a size of 4).
 * Limits: every read within the input; output never past the caller's
 * capacity; at most VBA_MAX_MODULES modules; every loop advances. */
#include "unpack/vba.h"

#include <string.h>

#define CHUNK 4096

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* Bits of a copy token's offset at position pos (> 0) of a chunk: the
 * smallest n >= 4 with 2^n >= pos. */
static unsigned copy_bits(size_t pos)
{
    unsigned n = 4;

    while (n < 12 && ((size_t)1 << n) < pos)
        n++;
    return n;
}

/* Decodes the compressed chunk body c[0..n) at out[*o..cap), the chunk's
 * output starting at out[start]. Returns 0, or -1 when a copy token points
 * before the chunk or the output is full (then *full). */
static int chunk_tokens(const uint8_t *c, size_t n, uint8_t *out, size_t cap,
                        size_t start, size_t *o, int *full)
{
    size_t i = 0;

    while (i < n) {
        unsigned flags = c[i++];
        for (int bit = 0; bit < 8 && i < n; bit++) {
            if (!(flags & (1u << bit))) {
                if (*o >= cap || *o - start >= CHUNK)
                    return *full = *o >= cap, -1;
                out[(*o)++] = c[i++];
                continue;
            }
            if (n - i < 2)
                return -1;
            uint32_t tok = le16(c + i), pos = (uint32_t)(*o - start);
            unsigned bits = copy_bits(pos);
            size_t off = (tok >> (16 - bits)) + 1, cnt = (tok & (0xffffu >> bits)) + 3;
            i += 2;
            if (pos == 0 || off > pos || pos + cnt > CHUNK)
                return -1;
            for (size_t k = 0; k < cnt; k++, (*o)++) {
                if (*o >= cap)
                    return *full = 1, -1;
                out[*o] = out[*o - off];
            }
        }
    }
    return 0;
}

size_t vba_decompress(const uint8_t *in, size_t len, uint8_t *out, size_t cap,
                      int *damaged, int *full)
{
    size_t i = 1, o = 0;

    *damaged = *full = 0;
    if (len < 1 || in[0] != 1) {
        *damaged = 1;
        return 0;
    }
    while (len - i >= 2) {
        uint32_t h = le16(in + i);
        size_t size = (h & 0x0fffu) + 3, start = o;
        if (((h >> 12) & 7u) != 3u || size > len - i) {
            *damaged = 1; /* a bad header or a chunk cut short */
            if (((h >> 12) & 7u) != 3u)
                break;
            size = len - i;
        }
        if (!(h & 0x8000u)) { /* raw: the chunk's 4096 bytes follow */
            size_t n = size - 2 < CHUNK ? size - 2 : CHUNK;
            if (n > cap - o) {
                n = cap - o;
                *full = 1;
            }
            memcpy(out + o, in + i + 2, n);
            o += n;
            if (*full)
                break;
        }
        else if (chunk_tokens(in + i + 2, size - 2, out, cap, start, &o, full) != 0) {
            if (!*full)
                *damaged = 1;
            break;
        }
        i += size;
    }
    if (i < len && !*full && len - i == 1)
        *damaged = 1;
    return o;
}

/* Copies a record's MBCS name, cut to fit. */
static void copy_name(char *dst, const uint8_t *src, size_t n)
{
    if (n >= VBA_NAME_MAX)
        n = VBA_NAME_MAX - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

size_t vba_modules(const uint8_t *d, size_t len, struct vba_module *m, size_t max,
                   int *damaged)
{
    size_t i = 0, n = 0;
    int in_module = 0;

    *damaged = 0;
    while (i < len) {
        uint32_t id, size;
        size_t body = i + 6;
        if (len - i < 6) {
            *damaged = 1;
            break;
        }
        id = le16(d + i);
        size = le32(d + i + 2);
        if (id == 0x09) /* PROJECTVERSION: 6 bytes after a size of 4 */
            size = 6;
        if (size > len - body) {
            *damaged = 1;
            break;
        }
        if (id == 0x19) { /* MODULENAME: a new module */
            if (n == max)
                break;
            in_module = 1;
            memset(&m[n], 0, sizeof m[n]);
            copy_name(m[n].stream, d + body, size); /* until MODULESTREAMNAME */
            n++;
        }
        else if (id == 0x1a && in_module)
            copy_name(m[n - 1].stream, d + body, size);
        else if (id == 0x31 && in_module && size >= 4)
            m[n - 1].offset = le32(d + body);
        else if (id == 0x2b)
            in_module = 0;
        else if (id == 0x10) /* end of the dir stream */
            break;
        i = body + size;
    }
    return n;
}
