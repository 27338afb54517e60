/* pdfdecode.c - PDF stream filters (ISO 32000-1 section 7.4): FlateDecode
 * through zlib, ASCIIHexDecode, ASCII85Decode, LZWDecode (7.4.4, with
 * EarlyChange), RunLengthDecode, and the PNG and TIFF predictors of
 * /DecodeParms (7.4.4.4). Limits: output never passes the outbuf's maximum
 * (the caller's unpack_budget()); each filter is one bounded pass over its
 * input; a predictor row is at most PDF_MAX_ROW bytes. */
#include "unpack/pdf.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define PDF_MAX_ROW ((size_t)1 << 20)
#define PDF_STEP ((size_t)64 << 10)

static const struct {
    const char *name;
    enum pdf_filter f;
} filters[] = {
    {"FlateDecode", PDF_F_FLATE},   {"Fl", PDF_F_FLATE},
    {"ASCIIHexDecode", PDF_F_AHEX}, {"AHx", PDF_F_AHEX},
    {"ASCII85Decode", PDF_F_A85},   {"A85", PDF_F_A85},
    {"LZWDecode", PDF_F_LZW},       {"LZW", PDF_F_LZW},
    {"RunLengthDecode", PDF_F_RL},  {"RL", PDF_F_RL},
    {"Crypt", PDF_F_CRYPT},
};

enum pdf_filter pdfdecode_filter(const struct pdf_val *name)
{
    for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++)
        if (pdflex_name_is(name, filters[i].name))
            return filters[i].f;
    return PDF_F_UNKNOWN;
}

static int parm(const struct pdf_val *d, const char *key, int def, int lo, int hi)
{
    struct pdf_val v;
    int64_t x;

    if (d->t != PDF_T_DICT || !pdflex_dict_get(d->p, d->n, key, &v) || v.t != PDF_T_NUM)
        return def;
    x = pdflex_int(&v);
    return x < lo || x > hi ? def : (int)x;
}

void pdfdecode_parms(const struct pdf_val *d, struct pdf_parms *pp)
{
    pp->predictor = parm(d, "Predictor", 1, 1, 15);
    pp->colors = parm(d, "Colors", 1, 1, 32);
    pp->bpc = parm(d, "BitsPerComponent", 8, 1, 16);
    pp->columns = parm(d, "Columns", 1, 1, 1 << 20);
    pp->early = parm(d, "EarlyChange", 1, 0, 1);
}

/* Appends n bytes to out; PDF_DEC_FULL when they did not all fit. */
static enum pdf_dec put(struct outbuf *out, const uint8_t *p, size_t n)
{
    size_t room, k;

    while (n > 0) {
        if (outbuf_reserve(out, n < PDF_STEP ? n : PDF_STEP, &room) != VIGIL_OK)
            return PDF_DEC_NOMEM;
        if (room == 0)
            return PDF_DEC_FULL;
        k = n < room ? n : room;
        memcpy(out->p + out->len, p, k);
        out->len += k;
        p += k;
        n -= k;
    }
    return PDF_DEC_OK;
}

/* One zlib pass, raw deflate when raw is set. */
static enum pdf_dec inflate_pass(const uint8_t *in, size_t len, struct outbuf *out,
                                 int raw)
{
    z_stream z;
    enum pdf_dec rc = PDF_DEC_OK;
    size_t room;
    int zr = Z_OK;

    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, raw ? -MAX_WBITS : MAX_WBITS) != Z_OK)
        return PDF_DEC_NOMEM;
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
    while (zr == Z_OK) {
        if (outbuf_reserve(out, PDF_STEP, &room) != VIGIL_OK) {
            rc = PDF_DEC_NOMEM;
            break;
        }
        if (room == 0) {
            rc = PDF_DEC_FULL;
            break;
        }
        z.next_out = out->p + out->len;
        z.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        zr = inflate(&z, Z_NO_FLUSH);
        out->len += (size_t)(z.next_out - (out->p + out->len));
        if (zr == Z_BUF_ERROR && z.avail_out > 0)
            break; /* input ended before the stream did */
        if (zr == Z_BUF_ERROR)
            zr = Z_OK;
    }
    if (zr == Z_MEM_ERROR)
        rc = PDF_DEC_NOMEM;
    else if (rc == PDF_DEC_OK && zr != Z_STREAM_END)
        rc = PDF_DEC_DAMAGED;
    inflateEnd(&z);
    return rc;
}

static enum pdf_dec flate(const uint8_t *in, size_t len, struct outbuf *out)
{
    enum pdf_dec rc = inflate_pass(in, len, out, 0);

    if (rc == PDF_DEC_DAMAGED && out->len == 0) /* no zlib header: raw deflate? */
        rc = inflate_pass(in, len, out, 1);
    return rc;
}

static int hexdigit(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static int white(uint8_t c)
{
    return c == 0 || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == ' ';
}

static enum pdf_dec ahex(const uint8_t *in, size_t len, struct outbuf *out)
{
    uint8_t buf[4096];
    size_t n = 0;
    int hi = -1, d, bad = 0;
    enum pdf_dec rc = PDF_DEC_OK;

    for (size_t i = 0; i < len && rc == PDF_DEC_OK; i++) {
        if (in[i] == '>')
            break;
        if ((d = hexdigit(in[i])) < 0) {
            bad |= !white(in[i]); /* noted; the digits after it still count */
            continue;
        }
        if (hi < 0) {
            hi = d;
            continue;
        }
        buf[n++] = (uint8_t)(hi << 4 | d);
        hi = -1;
        if (n == sizeof buf) {
            rc = put(out, buf, n);
            n = 0;
        }
    }
    if (hi >= 0 && n < sizeof buf)
        buf[n++] = (uint8_t)(hi << 4);
    if (n > 0 && rc == PDF_DEC_OK)
        rc = put(out, buf, n);
    return rc == PDF_DEC_OK && bad ? PDF_DEC_DAMAGED : rc;
}

/* The n-1 bytes of a group of n base-85 digits (n = 5 for a full one). */
static enum pdf_dec a85_group(const uint8_t *g, int n, struct outbuf *out)
{
    uint64_t v = 0;
    uint8_t b[4];

    for (int i = 0; i < 5; i++)
        v = v * 85 + (i < n ? g[i] : 84);
    if (v > UINT32_MAX)
        return PDF_DEC_DAMAGED;
    b[0] = (uint8_t)(v >> 24);
    b[1] = (uint8_t)(v >> 16);
    b[2] = (uint8_t)(v >> 8);
    b[3] = (uint8_t)v;
    return put(out, b, (size_t)n - 1);
}

static enum pdf_dec a85(const uint8_t *in, size_t len, struct outbuf *out)
{
    static const uint8_t zero[4];
    uint8_t g[5];
    int n = 0;
    size_t i = 0;
    enum pdf_dec rc = PDF_DEC_OK;

    if (len >= 2 && in[0] == '<' && in[1] == '~')
        i = 2;
    for (; i < len && rc == PDF_DEC_OK; i++) {
        uint8_t c = in[i];
        if (c == '~')
            break;
        if (white(c))
            continue;
        if (c == 'z' && n == 0) {
            rc = put(out, zero, 4);
        } else if (c >= '!' && c <= 'u') {
            g[n++] = (uint8_t)(c - '!');
            if (n == 5) {
                rc = a85_group(g, 5, out);
                n = 0;
            }
        } else {
            rc = PDF_DEC_DAMAGED;
        }
    }
    if (rc == PDF_DEC_OK && n == 1)
        rc = PDF_DEC_DAMAGED;
    else if (rc == PDF_DEC_OK && n > 1)
        rc = a85_group(g, n, out);
    return rc;
}

static enum pdf_dec runlength(const uint8_t *in, size_t len, struct outbuf *out)
{
    uint8_t rep[128];
    size_t i = 0, n;
    enum pdf_dec rc = PDF_DEC_OK;

    while (i < len && rc == PDF_DEC_OK && in[i] != 128) {
        if (in[i] < 128) {
            n = (size_t)in[i] + 1;
            if (len - i - 1 < n)
                return put(out, in + i + 1, len - i - 1) == PDF_DEC_OK ? PDF_DEC_DAMAGED
                                                                       : PDF_DEC_FULL;
            rc = put(out, in + i + 1, n);
            i += 1 + n;
        } else {
            if (i + 1 >= len)
                return PDF_DEC_DAMAGED;
            n = 257 - (size_t)in[i];
            memset(rep, in[i + 1], n);
            rc = put(out, rep, n);
            i += 2;
        }
    }
    return rc;
}

/* LZW (7.4.4.2): codes of 9 to 12 bits, most significant bit first; 256
 * clears the table, 257 ends the data. */
struct lzw {
    uint16_t prefix[4096];
    uint8_t suffix[4096], first[4096];
    uint8_t stack[4096];
};

/* Writes the string of code c (its chain of prefixes, at most 4096 long). */
static enum pdf_dec lzw_emit(struct lzw *z, unsigned c, struct outbuf *out)
{
    size_t n = sizeof z->stack;

    while (c > 255 && n > 1) {
        z->stack[--n] = z->suffix[c];
        c = z->prefix[c];
    }
    z->stack[--n] = (uint8_t)c;
    return put(out, z->stack + n, sizeof z->stack - n);
}

static enum pdf_dec lzw(const uint8_t *in, size_t len, int early, struct outbuf *out)
{
    struct lzw *z = malloc(sizeof *z);
    uint32_t bits = 0;
    unsigned nbits = 0, width = 9, next = 258, code;
    int prev = -1;
    enum pdf_dec rc = PDF_DEC_OK;

    if (!z)
        return PDF_DEC_NOMEM;
    for (unsigned c = 0; c < 256; c++)
        z->first[c] = (uint8_t)c;
    for (size_t i = 0; i < len && rc == PDF_DEC_OK;) {
        while (nbits < width && i < len) {
            bits = bits << 8 | in[i++];
            nbits += 8;
        }
        if (nbits < width)
            break;
        code = (bits >> (nbits - width)) & ((1u << width) - 1);
        nbits -= width;
        if (code == 256) {
            next = 258;
            width = 9;
            prev = -1;
            continue;
        }
        if (code == 257)
            break;
        if (prev < 0) {
            if (code > 255) {
                rc = PDF_DEC_DAMAGED;
                break;
            }
            rc = lzw_emit(z, code, out);
        } else if (code <= next) {
            uint8_t f = code < next ? z->first[code] : z->first[prev];
            if (next < 4096) {
                z->prefix[next] = (uint16_t)prev;
                z->suffix[next] = f;
                z->first[next] = z->first[prev];
                next++;
            } else if (code == next) {
                rc = PDF_DEC_DAMAGED;
                break;
            }
            rc = lzw_emit(z, code, out);
        } else {
            rc = PDF_DEC_DAMAGED;
            break;
        }
        prev = (int)code;
        if (next + (unsigned)early >= (1u << width) && width < 12)
            width++;
    }
    free(z);
    return rc;
}

static unsigned paeth(unsigned a, unsigned b, unsigned c)
{
    int p = (int)a + (int)b - (int)c;
    int pa = abs(p - (int)a), pb = abs(p - (int)b), pc = abs(p - (int)c);

    return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/* Undoes a PNG predictor row by row: each row is a filter byte and rowlen
 * bytes; in-place, as output never passes the input. */
static enum pdf_dec png_rows(struct outbuf *b, size_t rowlen, size_t bpp)
{
    size_t in = 0, o = 0, rows = 0;
    enum pdf_dec rc = PDF_DEC_OK;

    while (in < b->len) {
        uint8_t t = b->p[in++], *row = b->p + o, *up = rows ? row - rowlen : NULL;
        size_t n = b->len - in < rowlen ? b->len - in : rowlen;
        if (n < rowlen)
            rc = PDF_DEC_DAMAGED;
        memmove(row, b->p + in, n);
        in += n;
        for (size_t j = 0; j < n; j++) {
            unsigned a = j >= bpp ? row[j - bpp] : 0, u = up ? up[j] : 0;
            unsigned c = up && j >= bpp ? up[j - bpp] : 0;
            switch (t) {
            case 0:
                break;
            case 1:
                row[j] = (uint8_t)(row[j] + a);
                break;
            case 2:
                row[j] = (uint8_t)(row[j] + u);
                break;
            case 3:
                row[j] = (uint8_t)(row[j] + ((a + u) >> 1));
                break;
            case 4:
                row[j] = (uint8_t)(row[j] + paeth(a, u, c));
                break;
            default:
                rc = PDF_DEC_DAMAGED;
                break;
            }
        }
        o += n;
        rows++;
    }
    b->len = o;
    return rc;
}

/* TIFF predictor 2 for 8-bit components: each byte adds the one a pixel
 * before it in the row. Other depths are left as they are. */
static void tiff_rows(struct outbuf *b, size_t rowlen, size_t colors, int bpc)
{
    if (bpc != 8)
        return;
    for (size_t r = 0; r < b->len; r += rowlen)
        for (size_t j = colors; j < rowlen && r + j < b->len; j++)
            b->p[r + j] = (uint8_t)(b->p[r + j] + b->p[r + j - colors]);
}

static enum pdf_dec predict(const struct pdf_parms *pp, struct outbuf *b)
{
    size_t bits = (size_t)pp->colors * (size_t)pp->bpc;
    size_t rowlen = (bits * (size_t)pp->columns + 7) / 8, bpp = (bits + 7) / 8;

    if (pp->predictor < 2 || rowlen == 0)
        return PDF_DEC_OK;
    if (rowlen > PDF_MAX_ROW)
        return PDF_DEC_DAMAGED;
    if (pp->predictor == 2) {
        tiff_rows(b, rowlen, (size_t)pp->colors, pp->bpc);
        return PDF_DEC_OK;
    }
    return pp->predictor >= 10 ? png_rows(b, rowlen, bpp) : PDF_DEC_OK;
}

enum pdf_dec pdfdecode_run(enum pdf_filter f, const struct pdf_parms *pp,
                           const uint8_t *in, size_t len, struct outbuf *out)
{
    enum pdf_dec rc, pr;

    switch (f) {
    case PDF_F_FLATE:
        rc = flate(in, len, out);
        break;
    case PDF_F_AHEX:
        rc = ahex(in, len, out);
        break;
    case PDF_F_A85:
        rc = a85(in, len, out);
        break;
    case PDF_F_LZW:
        rc = lzw(in, len, pp->early, out);
        break;
    case PDF_F_RL:
        rc = runlength(in, len, out);
        break;
    default:
        return put(out, in, len);
    }
    if (rc == PDF_DEC_NOMEM || (f != PDF_F_FLATE && f != PDF_F_LZW))
        return rc;
    pr = predict(pp, out);
    return rc == PDF_DEC_OK ? pr : rc;
}
