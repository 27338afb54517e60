/* oledoc.c - what Office keeps in OLE2 streams that a scanner must look
 * into (written for vigil). Specs: Ole10Native, the packager object of
 * [MS-OLEDS] 2.3.6 as Windows writes it (a 32-bit size, 16-bit flags, a
 * NUL-terminated label and path, 32 bits 0x00030000, a counted temporary
 * path, a 32-bit data size and the data); [MS-PPT] 2.1.2 records (16-bit
 * version/instance, 16-bit type, 32-bit length; version 0xF is a
 * container) and 2.10.34 ExOleObjStg (type 0x1011, instance 1: a 32-bit
 * decompressed size and zlib data); [MS-DOC] 2.5.2 FibBase (wIdent 0xA5EC,
 * fEncrypted 0x0100 of the flags at 10); [MS-XLS] 2.4.117 FilePass (0x2F)
 * and 2.4.28 BoundSheet8 (0x85, sheet type 1: an Excel 4.0 macro sheet);
 * [MS-OFFCRYPTO] 2.3.4 (EncryptionInfo of an encrypted OOXML package).
 * Limits: every read within the stream; record walks advance on every
 * step and stop at the stream's end or BIFF_MAX_RECORDS; decompressed
 * objects bounded by unpack_budget(). zlib decompresses. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unpack/ole2.h"

#define PPT_EXOLEOBJSTG 0x1011
#define BIFF_BOF 0x0809
#define BIFF_EOF 0x000a
#define BIFF_FILEPASS 0x002f
#define BIFF_BOUNDSHEET 0x0085
#define BIFF_MAX_RECORDS 100000

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

/* Skips a NUL-terminated string at *i; returns 0 when it runs off the end. */
static int skip_cstr(const uint8_t *s, size_t n, size_t *i)
{
    const uint8_t *z = *i < n ? memchr(s + *i, 0, n - *i) : NULL;

    if (!z)
        return 0;
    *i = (size_t)(z - s) + 1;
    return 1;
}

int oledoc_ole10(struct unpack *u, const uint8_t *s, size_t n, vigil_status *st)
{
    size_t i = 6, len;

    *st = VIGIL_OK;
    if (n < 6 || !skip_cstr(s, n, &i) || !skip_cstr(s, n, &i) || n - i < 8)
        return 0; /* not a packager object: the stream was scanned whole */
    len = le32(s + i + 4);
    i += 8;
    if (len > n - i || n - i - len < 4) {
        unpack_damaged(u);
        return 0;
    }
    i += len;
    len = le32(s + i);
    i += 4;
    if (len > n - i) {
        unpack_damaged(u);
        len = n - i;
    }
    return unpack_child(u, s + i, len, NULL, len, st);
}

/* Inflates one compressed ExOleObjStg body b[0..n) and scans it. */
static int ppt_inflate(struct unpack *u, const uint8_t *b, size_t n, vigil_status *st)
{
    z_stream z;
    uint8_t *out;
    size_t want, max;
    int stop = 0, rc;

    if (n < 4)
        return 0;
    want = le32(b);
    max = unpack_budget(u, want, n, &stop);
    if (stop)
        return 1;
    if (want > max)
        unpack_too_big(u, NULL);
    max = want < max ? want : max;
    if (max / 1032 > n) /* more than deflate can make of n bytes */
        max = n * 1032;
    if (!(out = malloc(max ? max : 1))) {
        *st = VIGIL_ENOMEM;
        return 1;
    }
    memset(&z, 0, sizeof z);
    if (inflateInit(&z) != Z_OK) {
        free(out);
        *st = VIGIL_ENOMEM;
        return 1;
    }
    z.next_in = (Bytef *)(uintptr_t)(b + 4);
    z.avail_in = (uInt)(n - 4 > UINT32_MAX ? UINT32_MAX : n - 4);
    z.next_out = out;
    z.avail_out = (uInt)(max > UINT32_MAX ? UINT32_MAX : max);
    rc = inflate(&z, Z_FINISH);
    if (rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && z.avail_out == 0))
        unpack_damaged(u);
    stop = unpack_child(u, out, z.total_out, NULL, n, st);
    inflateEnd(&z);
    free(out);
    return stop;
}

int oledoc_ppt(struct unpack *u, const uint8_t *s, size_t n, vigil_status *st)
{
    size_t i = 0;

    *st = VIGIL_OK;
    while (n - i >= 8) {
        uint32_t vi = le16(s + i), type = le16(s + i + 2), len = le32(s + i + 4);
        int stop = 0;
        if ((vi & 0xf) == 0xf) { /* a container: its records follow */
            i += 8;
            continue;
        }
        if (len > n - i - 8) {
            unpack_damaged(u);
            return 0;
        }
        if (type == PPT_EXOLEOBJSTG)
            stop = (vi >> 4) == 1 ? ppt_inflate(u, s + i + 8, len, st)
                                  : unpack_child(u, s + i + 8, len, NULL, len, st);
        if (stop)
            return 1;
        i += 8 + (size_t)len;
    }
    return 0;
}

/* Walks the BIFF records of a workbook's globals substream: returns the
 * first record of type `want` (its body in *body, *blen), or 0 at the end. */
static int biff_next(const uint8_t *s, size_t n, size_t *i, uint32_t *type,
                     const uint8_t **body, size_t *blen)
{
    if (n - *i < 4 || *i > n)
        return 0;
    *type = le16(s + *i);
    *blen = le16(s + *i + 2);
    if (*blen > n - *i - 4)
        return 0;
    *body = s + *i + 4;
    *i += 4 + *blen;
    return *type != BIFF_EOF;
}

/* Finds a record in the globals substream: FILEPASS (which ClamAV and
 * Excel read right after the BOF) or a macro BOUNDSHEET. */
static int biff_has(const uint8_t *s, size_t n, uint32_t want)
{
    const uint8_t *body;
    size_t i = 0, blen;
    uint32_t type;

    if (n < 4 || le16(s) != BIFF_BOF)
        return 0;
    for (int k = 0; k < BIFF_MAX_RECORDS && biff_next(s, n, &i, &type, &body, &blen); k++) {
        if (type == want && want == BIFF_FILEPASS)
            return 1;
        if (type == want && want == BIFF_BOUNDSHEET && blen >= 6 && body[5] == 1)
            return 1;
    }
    return 0;
}

int oledoc_encrypted(const char *name, const uint8_t *s, size_t n)
{
    if (strcmp(name, "encryptioninfo") == 0)
        return n >= 8;
    if (strcmp(name, "worddocument") == 0)
        return n >= 12 && le16(s) == 0xa5ec && (le16(s + 10) & 0x0100) != 0;
    if (strcmp(name, "workbook") == 0 || strcmp(name, "book") == 0)
        return biff_has(s, n, BIFF_FILEPASS);
    return 0;
}

int oledoc_xlm(const uint8_t *s, size_t n)
{
    return biff_has(s, n, BIFF_BOUNDSHEET);
}
