/* sis.c - Symbian/EPOC installation files (.sis, the format before
 * Symbian OS 9): every file of the package is decompressed (zlib) into
 * memory and scanned, unnamed, as ClamAV does.
 * Spec: the SIS file format as documented for psifs
 * (homepage.ntlworld.com/thouky/software/psifs/sis.html): 16 bytes of
 * UIDs (UID3 0x10000419), a 68-byte little-endian header, then file
 * records from the "files" pointer; ClamAV's sis.c (real_scansis) for what
 * a scanner reads of them: a record type (0 a file, 1 a language file,
 * 2 an option, 3-6 #if/#elsif/#else/#endif), and for a file its type,
 * options, name lengths and pointers, then per language the stored length,
 * the pointer and the original length, then the MIME type (8 bytes).
 * Files are zlib streams unless header flag 0x0008 (not compressed).
 * Limits: every field read through sis_u32/sis_u16 within the object;
 * SIS_MAX_LANGS languages, SIS_MAX_RECORDS records; decoded sizes bounded
 * by unpack_budget(); the zlib decoder is the library's. */
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "unpack/format.h"

#define SIS_UID3 0x10000419u
#define SIS_HDR 84 /* UIDs and header */
#define SIS_MAX_LANGS 99
#define SIS_MAX_RECORDS 4096
#define SIS_NOT_COMPRESSED 0x0008u

enum { PKG_FILE, PKG_LANGFILE, PKG_OPTION, PKG_IF, PKG_ELSIF, PKG_ELSE, PKG_ENDIF };
#define SIS_FT_NULL 4

struct sis {
    struct unpack *u;
    size_t pos;       /* next record field */
    uint32_t langs, flags;
    int bad;          /* read past the object */
};

static uint32_t sis_u32(struct sis *s)
{
    const uint8_t *p;

    if (s->pos > s->u->len || s->u->len - s->pos < 4) {
        s->bad = 1;
        return 0;
    }
    p = s->u->data + s->pos;
    s->pos += 4;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint32_t sis_at16(const uint8_t *b, size_t off)
{
    return (uint32_t)b[off] | (uint32_t)b[off + 1] << 8;
}

static uint32_t sis_at32(const uint8_t *b, size_t off)
{
    return sis_at16(b, off) | sis_at16(b, off + 2) << 16;
}

static int sis_detect(const uint8_t *buf, size_t len)
{
    return len >= SIS_HDR && sis_at32(buf, 8) == SIS_UID3;
}

/* Decodes (or copies) one stored file and scans it. Returns 1 to stop. */
static int sis_one(struct sis *s, uint32_t ptr, uint32_t len, uint32_t olen,
                   vigil_status *st)
{
    struct unpack *u = s->u;
    uLongf out_len;
    uint8_t *out;
    size_t max;
    int stop = 0, rc;

    if (len == 0 || ptr < SIS_HDR || ptr > u->len || u->len - ptr < len)
        return 0; /* ClamAV skips empty, header-overlapping and ghost files */
    if (s->flags & SIS_NOT_COMPRESSED)
        return unpack_child(u, u->data + ptr, len, NULL, len, st);
    max = unpack_budget(u, olen, len, &stop);
    if (stop)
        return 1;
    out_len = olen < max ? olen : max;
    if (out_len == 0)
        out_len = 1;
    if (!(out = malloc(out_len))) {
        *st = VIGIL_ENOMEM;
        return 1;
    }
    rc = uncompress2(out, &out_len, u->data + ptr, &(uLong){len});
    if (rc == Z_BUF_ERROR && olen > max)
        unpack_too_big(u, NULL);
    else if (rc != Z_OK)
        unpack_damaged(u);
    if (rc == Z_OK || rc == Z_BUF_ERROR)
        stop = unpack_child(u, out, out_len, NULL, len, st);
    free(out);
    return stop;
}

/* A file record (after its type): six fields, then per language the
 * lengths, pointers and original lengths. Returns 1 to stop. */
static int sis_file(struct sis *s, vigil_status *st)
{
    uint32_t ftype = sis_u32(s), lens[SIS_MAX_LANGS], ptrs[SIS_MAX_LANGS],
             olens[SIS_MAX_LANGS];

    s->pos += 5 * 4; /* options, source and destination name lengths/pointers */
    for (uint32_t j = 0; j < s->langs; j++)
        lens[j] = sis_u32(s);
    for (uint32_t j = 0; j < s->langs; j++)
        ptrs[j] = sis_u32(s);
    for (uint32_t j = 0; j < s->langs; j++)
        olens[j] = sis_u32(s);
    if (s->bad)
        return 0;
    for (uint32_t j = 0; j < s->langs && ftype != SIS_FT_NULL; j++)
        if (sis_one(s, ptrs[j], lens[j], olens[j], st))
            return 1;
    s->pos += 8; /* MIME type length and pointer */
    return 0;
}

static vigil_status sis_walk(struct unpack *u)
{
    struct sis s = {u, 0, 0, 0, 0};
    uint32_t files, n;
    vigil_status st = VIGIL_OK;

    if (!sis_detect(u->data, u->len)) { /* a walk never trusts its caller */
        unpack_damaged(u);
        return VIGIL_OK;
    }

    s.langs = sis_at16(u->data, 18);
    files = sis_at16(u->data, 20);
    s.flags = sis_at16(u->data, 36);
    s.pos = sis_at32(u->data, 52); /* the file records */
    if (s.langs == 0 || s.langs > SIS_MAX_LANGS || s.pos < SIS_HDR) {
        unpack_damaged(u);
        return VIGIL_OK;
    }
    for (uint32_t i = 0; i < files && i < SIS_MAX_RECORDS && !s.bad; i++) {
        switch (sis_u32(&s)) {
        case PKG_FILE:
            if (sis_file(&s, &st))
                return st;
            continue;
        case PKG_LANGFILE:
            n = s.langs; /* as ClamAV reads it */
            break;
        case PKG_OPTION:
            n = sis_u32(&s) * s.langs * 8;
            break;
        case PKG_IF:
        case PKG_ELSIF:
            n = sis_u32(&s);
            break;
        default:
            n = 0;
        }
        s.pos += n;
    }
    if (s.bad)
        unpack_damaged(u);
    return st;
}

const struct vigil_format format_sis = {
    .name = "SIS",
    .detect = sis_detect,
    .walk = sis_walk,
};
