/* screnc.c - Microsoft Script Encoder decoding (JScript.Encode,
 * VBScript.Encode), as ClamAV reads it (libclamav htmlnorm.c,
 * screnc_decode): a block is "#@~^", 6 digits of length and 2 more bytes,
 * the encoded characters, an 8-byte checksum and "^#~@". Each character
 * below 0x80 is looked up in one of three tables chosen by its position
 * modulo 64; '@' escapes five characters; bytes of 0x80 and above pass
 * through in pairs. The checksum is not verified (ClamAV only logs it).
 * Also the walker of files that start with "#@~^" (ClamAV's CL_TYPE_SCRENC,
 * html_screnc_decode): their child, unnamed at the next depth (measured
 * with clamscan -a: "file!(1)"), is "<script>", the decoded block and the
 * rest of the file, "</script>"; clamscan types it as HTML.
 * Limits: decodes in place, never past the buffer's end or the length;
 * the child is at most the file's size plus 17 bytes. */
#include "unpack/screnc.h"

#include <stdlib.h>
#include <string.h>

#include "unpack/format.h"
#include "unpack/maildec.h"

/* Which table decodes the character at each position modulo 64. */
static const uint8_t screnc_order[64] = {
    0, 2, 1, 0, 2, 1, 2, 1, 1, 2, 1, 2, 0, 1, 2, 1, 0, 1, 2, 1, 0, 0,
    2, 1, 1, 2, 0, 1, 2, 1, 1, 2, 0, 0, 1, 2, 1, 2, 1, 0, 1, 0, 0, 2,
    1, 0, 1, 2, 0, 1, 2, 1, 0, 0, 2, 1, 1, 0, 0, 2, 1, 0, 1, 2,
};

/* The decoding tables for characters 0x20..0x7f (below 0x20 a character
 * is itself, except TAB); 0xff marks the escape character '@'. */
static const uint8_t screnc_tab[3][96] = {
    {0x2E, 0x47, 0x7A, 0x56, 0x42, 0x6A, 0x2F, 0x26, 0x49, 0x41, 0x34, 0x32, 0x5B, 0x76,
     0x72, 0x43, 0x38, 0x39, 0x70, 0x45, 0x68, 0x71, 0x4F, 0x09, 0x62, 0x44, 0x23, 0x75,
     0x3C, 0x7E, 0x3E, 0x5E, 0xFF, 0x77, 0x4A, 0x61, 0x5D, 0x22, 0x4B, 0x6F, 0x4E, 0x3B,
     0x4C, 0x50, 0x67, 0x2A, 0x7D, 0x74, 0x54, 0x2B, 0x2D, 0x2C, 0x30, 0x6E, 0x6B, 0x66,
     0x35, 0x25, 0x21, 0x64, 0x4D, 0x52, 0x63, 0x3F, 0x7B, 0x78, 0x29, 0x28, 0x73, 0x59,
     0x33, 0x7F, 0x6D, 0x55, 0x53, 0x7C, 0x3A, 0x5F, 0x65, 0x46, 0x58, 0x31, 0x69, 0x6C,
     0x5A, 0x48, 0x27, 0x5C, 0x3D, 0x24, 0x79, 0x37, 0x60, 0x51, 0x20, 0x36},
    {0x32, 0x30, 0x21, 0x29, 0x5B, 0x38, 0x33, 0x3D, 0x58, 0x3A, 0x35, 0x65, 0x39, 0x5C,
     0x56, 0x73, 0x66, 0x4E, 0x45, 0x6B, 0x62, 0x59, 0x78, 0x5E, 0x7D, 0x4A, 0x6D, 0x71,
     0x3C, 0x60, 0x3E, 0x53, 0xFF, 0x42, 0x27, 0x48, 0x72, 0x75, 0x31, 0x37, 0x4D, 0x52,
     0x22, 0x54, 0x6A, 0x47, 0x64, 0x2D, 0x20, 0x7F, 0x2E, 0x4C, 0x5D, 0x7E, 0x6C, 0x6F,
     0x79, 0x74, 0x43, 0x26, 0x76, 0x25, 0x24, 0x2B, 0x28, 0x23, 0x41, 0x34, 0x09, 0x2A,
     0x44, 0x3F, 0x77, 0x3B, 0x55, 0x69, 0x61, 0x63, 0x50, 0x67, 0x51, 0x49, 0x4F, 0x46,
     0x68, 0x7C, 0x36, 0x70, 0x6E, 0x7A, 0x2F, 0x5F, 0x4B, 0x5A, 0x2C, 0x57},
    {0x2D, 0x75, 0x52, 0x60, 0x71, 0x5E, 0x49, 0x5C, 0x62, 0x7D, 0x29, 0x36, 0x20, 0x7C,
     0x7A, 0x7F, 0x6B, 0x63, 0x33, 0x2B, 0x68, 0x51, 0x66, 0x76, 0x31, 0x64, 0x54, 0x43,
     0x3C, 0x3A, 0x3E, 0x7E, 0xFF, 0x45, 0x2C, 0x2A, 0x74, 0x27, 0x37, 0x44, 0x79, 0x59,
     0x2F, 0x6F, 0x26, 0x72, 0x6A, 0x39, 0x7B, 0x3F, 0x38, 0x77, 0x67, 0x53, 0x47, 0x34,
     0x78, 0x5D, 0x30, 0x23, 0x5A, 0x5B, 0x6C, 0x48, 0x55, 0x70, 0x69, 0x2E, 0x4C, 0x21,
     0x24, 0x4E, 0x50, 0x09, 0x56, 0x73, 0x35, 0x61, 0x4B, 0x58, 0x3B, 0x57, 0x22, 0x6D,
     0x4D, 0x25, 0x28, 0x46, 0x4A, 0x32, 0x41, 0x3D, 0x5F, 0x4F, 0x42, 0x65},
};

/* TAB decodes per table; the third table also maps CR (0x0d) to 0x06. */
static uint8_t screnc_char(int table, uint8_t c)
{
    static const uint8_t tab[3] = {0x57, 0x7B, 0x6E};

    if (c == 0x09)
        return tab[table];
    if (c == 0x0d && table == 2)
        return 0x06;
    if (c < 0x20)
        return c;
    return screnc_tab[table][c - 0x20];
}

/* The digit value of a base64 character, -1 for others (ClamAV's table). */
static int32_t b64(uint8_t c)
{
    return maildec_b64digit(c);
}

static int32_t pos0(int32_t v)
{
    return v < 0 ? 0 : v;
}

uint32_t screnc_length(const uint8_t *p)
{
    /* ClamAV's arithmetic, invalid digits (-1) included, in 32 bits. */
    uint32_t n = (uint32_t)pos0(b64(p[0])) << 2;

    n += (uint32_t)(b64(p[1]) >> 4);
    n += (uint32_t)(b64(p[1]) & 0x0f) << 12;
    n += (uint32_t)pos0(b64(p[2]) >> 2) << 8;
    n += (uint32_t)(b64(p[2]) & 0x03) << 22;
    n += (uint32_t)pos0(b64(p[3])) << 16;
    n += ((uint32_t)pos0(b64(p[4])) << 2) << 24;
    n += (uint32_t)pos0(b64(p[5]) >> 4) << 24;
    return n;
}

/* The character an escape "@x" stands for (0xff: none, kept as is). */
static uint8_t screnc_escape(uint8_t c)
{
    switch (c) {
    case 0x21: return 0x3c;
    case 0x23: return 0x0d;
    case 0x24: return 0x40;
    case 0x26: return 0x0a;
    case 0x2a: return 0x3e;
    default: return 0xff;
    }
}

size_t screnc_decode(uint8_t *buf, size_t len, uint32_t *left)
{
    size_t i = 0, o = 0, rest;
    unsigned pos = 0;

    while (*left > 0 && i < len && buf[i]) {
        uint8_t c = buf[i];
        if (c == '\n' || c == '\r') {
            i++;
            continue;
        }
        if (c < 0x80) {
            uint8_t v = screnc_char(screnc_order[pos], c);
            if (v == 0xff) {
                i++;
                (*left)--;
                if (i < len && buf[i])
                    v = screnc_escape(buf[i]);
                else
                    i--; /* the escape ends the buffer */
            }
            buf[o++] = v;
            pos = (pos + 1) % 64;
        } else {
            buf[o++] = buf[i++];
            if (i >= len || !buf[i])
                break;
            buf[o++] = buf[i];
        }
        i++;
        (*left)--;
    }
    if (*left) {
        buf[o] = 0; /* the rest of the buffer is the block's, unread */
        return o;
    }
    if (len - i >= 12 && strlen((const char *)buf + i) >= 12)
        i += 12; /* checksum and "^#~@" (ClamAV skips them unchecked) */
    rest = len - i;
    memmove(buf + o, buf + i, rest + 1);
    return o + rest;
}

static int screnc_detect(const uint8_t *buf, size_t len)
{
    return len >= 4 && memcmp(buf, "#@~^", 4) == 0;
}

/* Decodes the first block of the object and hands the script to the scan
 * layer. NUL bytes are dropped first, as ClamAV's reader drops them. */
static vigil_status screnc_walk(struct unpack *u)
{
    const uint8_t *m = u->len >= 4 ? memmem(u->data, u->len, "#@~^", 4) : NULL;
    uint8_t *buf;
    size_t at, n = 0;
    uint32_t left;
    vigil_status st = VIGIL_OK;

    if (!m)
        return VIGIL_OK;
    at = (size_t)(m - u->data) + 4;
    if (u->len - at < 8) {
        unpack_damaged(u); /* no length: clamscan scans nothing */
        return VIGIL_OK;
    }
    left = screnc_length(u->data + at);
    if (!(buf = malloc(u->len - at + 17)))
        return VIGIL_ENOMEM;
    memcpy(buf, "<script>", 8);
    for (size_t i = at + 8; i < u->len; i++)
        if (u->data[i])
            buf[8 + n++] = u->data[i];
    buf[8 + n] = 0;
    n = screnc_decode(buf + 8, n, &left);
    if (left)
        unpack_damaged(u); /* the block ends past the file */
    memcpy(buf + 8 + n, "</script>", 9);
    (void)unpack_child(u, buf, 8 + n + 9, NULL, u->len, &st);
    free(buf);
    return st;
}

const struct vigil_format format_screnc = {
    .name = "SCRENC",
    .detect = screnc_detect,
    .walk = screnc_walk,
};
