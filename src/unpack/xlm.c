/* xlm.c - the disassembly of an Excel workbook's BIFF8 records that
 * clamscan 1.4 writes and scans when the workbook declares an Excel 4.0
 * macro sheet (written for vigil, measured with clamscan --leave-temps).
 * Spec: [MS-XLS] 2.4 (records: FORMULA 2.4.127, NAME (Lbl) 2.4.150,
 * BOUNDSHEET 2.4.28, STRING 2.4.268) and 2.5.198 (formula tokens, Ptg).
 * The text follows clamscan's, quirks included: its record buffer is
 * reused, so a formula's parse reads one byte past the record (the byte
 * the previous longer record left there); bytes are sign-extended when
 * two are joined; an 8-bit ptgStr is copied from its token byte on; the
 * parse of a formula stops at the first token clamscan does not decode.
 * Limits: records of at most XLM_MAX_RECORD bytes, every read within the
 * record buffer (XLM_MAX_RECORD plus slack, zeroed), every step of the
 * formula parse advances, the output stops at its maximum. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unpack/xlm.h"

#define XLM_SLACK 16   /* reads clamscan makes past a record's end */
#define XLM_BLOCK 4096 /* clamscan's stdio buffer: what is written by scan time */

static const char xlm_header[] = "-- BIFF content extracted and disassembled from CL_TYPE_MSXL "
                                 ".xls file because a XLM macro was found in the document\n";

/* Names of the formula tokens (Ptg) 0..125, as clamscan prints them. */
static const char *const xlm_tokens[126] = {
    [0x01] = "ptgExp",        [0x02] = "ptgTbl",        [0x03] = "ptgAdd",
    [0x04] = "ptgSub",        [0x05] = "ptgMul",        [0x06] = "ptgDiv",
    [0x07] = "ptgPower",      [0x08] = "ptgConcat",     [0x09] = "ptgLT",
    [0x0a] = "ptgLE",         [0x0b] = "ptgEQ",         [0x0c] = "ptgGE",
    [0x0d] = "ptgGT",         [0x0e] = "ptgNE",         [0x0f] = "ptgIsect",
    [0x10] = "ptgUnion",      [0x11] = "ptgRange",      [0x12] = "ptgUplus",
    [0x13] = "ptgUminus",     [0x14] = "ptgPercent",    [0x15] = "ptgParen",
    [0x16] = "ptgMissArg",    [0x17] = "ptgStr",        [0x19] = "ptgAttr",
    [0x1a] = "ptgSheet",      [0x1b] = "ptgEndSheet",   [0x1c] = "ptgErr",
    [0x1d] = "ptgBool",       [0x1e] = "ptgInt",        [0x1f] = "ptgNum",
    [0x20] = "ptgArray",      [0x21] = "ptgFunc",       [0x22] = "ptgFuncVar",
    [0x23] = "ptgName",       [0x24] = "ptgRef",        [0x25] = "ptgArea",
    [0x26] = "ptgMemArea",    [0x27] = "ptgMemErr",     [0x28] = "ptgMemNoMem",
    [0x29] = "ptgMemFunc",    [0x2a] = "ptgRefErr",     [0x2b] = "ptgAreaErr",
    [0x2c] = "ptgRefN",       [0x2d] = "ptgAreaN",      [0x2e] = "ptgMemAreaN",
    [0x2f] = "ptgMemNoMemN",  [0x39] = "ptgNameX",      [0x3a] = "ptgRef3d",
    [0x3b] = "ptgArea3d",     [0x3c] = "ptgRefErr3d",   [0x3d] = "ptgAreaErr3d",
    [0x40] = "ptgArrayV",     [0x41] = "ptgFuncV",      [0x42] = "ptgFuncVarV",
    [0x43] = "ptgNameV",      [0x44] = "ptgRefV",       [0x45] = "ptgAreaV",
    [0x46] = "ptgMemAreaV",   [0x47] = "ptgMemErrV",    [0x48] = "ptgMemNoMemV",
    [0x49] = "ptgMemFuncV",   [0x4a] = "ptgRefErrV",    [0x4b] = "ptgAreaErrV",
    [0x4c] = "ptgRefNV",      [0x4d] = "ptgAreaNV",     [0x4e] = "ptgMemAreaNV",
    [0x4f] = "ptgMemNoMemNV", [0x58] = "ptgFuncCEV",    [0x59] = "ptgNameXV",
    [0x5a] = "ptgRef3dV",     [0x5b] = "ptgArea3dV",    [0x5c] = "ptgRefErr3dV",
    [0x5d] = "ptgAreaErr3dV", [0x60] = "ptgArrayA",     [0x61] = "ptgFuncA",
    [0x62] = "ptgFuncVarA",   [0x63] = "ptgNameA",      [0x64] = "ptgRefA",
    [0x65] = "ptgAreaA",      [0x66] = "ptgMemAreaA",   [0x67] = "ptgMemErrA",
    [0x68] = "ptgMemNoMemA",  [0x69] = "ptgMemFuncA",   [0x6a] = "ptgRefErrA",
    [0x6b] = "ptgAreaErrA",   [0x6c] = "ptgRefNA",      [0x6d] = "ptgAreaNA",
    [0x6e] = "ptgMemAreaNA",  [0x6f] = "ptgMemNoMemNA", [0x78] = "ptgFuncCEA",
    [0x79] = "ptgNameXA",     [0x7a] = "ptgRef3dA",     [0x7b] = "ptgArea3dA",
    [0x7c] = "ptgRefErr3dA",  [0x7d] = "ptgAreaErr3dA",
};

/* The text being written: out, and whether it ran out of room. */
struct xlm_out {
    struct outbuf *b;
    int full;
    vigil_status st;
};

static void put(struct xlm_out *o, const void *s, size_t n)
{
    size_t room;

    if (o->full || o->st != VIGIL_OK || n == 0)
        return;
    if ((o->st = outbuf_reserve(o->b, n, &room)) != VIGIL_OK)
        return;
    if (room < n) {
        n = room;
        o->full = 1;
    }
    memcpy(o->b->p + o->b->len, s, n);
    o->b->len += n;
}

static void putf(struct xlm_out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void putf(struct xlm_out *o, const char *fmt, ...)
{
    char line[512];
    va_list ap;
    int len;

    va_start(ap, fmt);
    len = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (len > 0)
        put(o, line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
}

/* A %.*s of clamscan's: at most prec bytes of s (all when prec < 0), up
 * to a NUL; never past end. */
static void put_str(struct xlm_out *o, const uint8_t *s, long prec, const uint8_t *end)
{
    size_t max = (size_t)(end - s), n = 0;

    if (prec >= 0 && (size_t)prec < max)
        max = (size_t)prec;
    while (n < max && s[n])
        n++;
    put(o, s, n);
}

/* A byte as clamscan's `char` (signed), as a 32-bit pattern. */
static uint32_t sb(uint8_t b)
{
    return b & 0x80 ? 0xffffff00u | b : b;
}

/* Two bytes joined as clamscan joins two chars: lo | hi << 8 with both
 * sign-extended, cut to 16 bits. */
static uint16_t u16s(const uint8_t *p)
{
    return (uint16_t)(sb(p[0]) | sb(p[1]) << 8);
}

static const char *xlm_lookup(const struct xlm_name *t, size_t n, unsigned id)
{
    size_t lo = 0, hi = n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (t[mid].id == id)
            return t[mid].name;
        if (t[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* UTF-16LE s[0..n) as UTF-8 (n odd: the last byte is left out). Returns 0
 * for an unpaired surrogate, where clamscan's conversion fails. */
static int put_utf16(struct xlm_out *o, const uint8_t *s, size_t n)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        uint32_t c = (uint32_t)s[i] | (uint32_t)s[i + 1] << 8;
        uint8_t u[4];
        size_t k;

        if (c >= 0xdc00 && c < 0xe000)
            return 0;
        if (c >= 0xd800 && c < 0xdc00) {
            uint32_t d = i + 3 < n ? ((uint32_t)s[i + 2] | (uint32_t)s[i + 3] << 8) : 0;
            if (d < 0xdc00 || d >= 0xe000)
                return 0;
            c = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
            i += 2;
        }
        if (c < 0x80) {
            u[0] = (uint8_t)c;
            k = 1;
        } else if (c < 0x800) {
            u[0] = (uint8_t)(0xc0 | c >> 6);
            u[1] = (uint8_t)(0x80 | (c & 0x3f));
            k = 2;
        } else if (c < 0x10000) {
            u[0] = (uint8_t)(0xe0 | c >> 12);
            u[1] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
            u[2] = (uint8_t)(0x80 | (c & 0x3f));
            k = 3;
        } else {
            u[0] = (uint8_t)(0xf0 | c >> 18);
            u[1] = (uint8_t)(0x80 | (c >> 12 & 0x3f));
            u[2] = (uint8_t)(0x80 | (c >> 6 & 0x3f));
            u[3] = (uint8_t)(0x80 | (c & 0x3f));
            k = 4;
        }
        put(o, u, k);
    }
    return 1;
}

/* A cell reference: R<row>C<col>, "~" and 0-based when relative. */
static void put_ref(struct xlm_out *o, uint16_t row, uint16_t col)
{
    putf(o, "R%s%uC%s%u", (row & 0x4000) ? "~" : "",
         (unsigned)((row & 0x3fff) + ((row & 0x4000) ? 0 : 1)), (row & 0x8000) ? "~" : "",
         (unsigned)(col + ((row & 0x8000) ? 0 : 1)));
}

/* A ptgStr at d[pos] (size bytes of formula): returns the next position,
 * or 0 when the parse stops. */
static uint32_t xlm_ptgstr(struct xlm_out *o, const uint8_t *d, uint32_t pos, uint32_t size)
{
    uint32_t cch = sb(d[pos + 1]), len;

    if (pos + 2 >= size)
        return 0;
    if (d[pos + 2] == 1 && pos + 2 + 2 * cch <= size) {
        len = 2 * cch > size - pos ? size - pos : 2 * cch;
        if (!put_utf16(o, d + pos + 3, len))
            putf(o, "<Failed to decode UTF16LE string>");
        return pos + 3 + len;
    }
    if (d[pos + 2] == 0 && pos + 2 + cch <= size) {
        len = cch > size - pos ? size - pos : cch;
        put(o, d + pos, len); /* clamscan copies from the token byte on */
        return pos + 3 + len;
    }
    return 0;
}

/* One token at d[pos] of a formula of size bytes: returns the next
 * position, or 0 when clamscan's parse stops there. */
static uint32_t xlm_token(struct xlm_out *o, const uint8_t *d, uint32_t pos, uint32_t size)
{
    unsigned ptg = d[pos] & 0x7f;
    const char *name;
    uint16_t id;

    if (d[pos] < 126)
        putf(o, " %s", xlm_tokens[ptg] ? xlm_tokens[ptg] : "(null)");
    switch (ptg) {
    case 0x03: case 0x04: case 0x05: case 0x06: case 0x08: case 0x09: case 0x0a:
    case 0x0b: case 0x0c: case 0x0d: case 0x0e: case 0x16: case 0x11:
        return pos + 1;
    case 0x17:
        return xlm_ptgstr(o, d, pos, size);
    case 0x19: /* ptgAttr */
        if (pos + 1 >= size)
            return 0;
        if (!(d[pos + 1] & 0x40))
            return pos + 4;
        if (pos + 3 >= size)
            return 0;
        id = u16s(d + pos + 2);
        putf(o, " CHOOSE (%u)", (unsigned)(id + 1));
        return pos + 4 + 2 * ((uint32_t)id + 1);
    case 0x1d:
        if (pos + 1 >= size)
            return 0;
        putf(o, " %s", d[pos + 1] ? "TRUE" : "FALSE");
        return pos + 2;
    case 0x1e:
        if (pos + 2 >= size)
            return 0;
        putf(o, " %d", (int)(int32_t)(sb(d[pos + 1]) | sb(d[pos + 2]) << 8));
        return pos + 3;
    case 0x21: case 0x41: case 0x61:
        if (pos + 2 >= size)
            return 0;
        id = u16s(d + pos + 1);
        name = xlm_lookup(xlm_functions, xlm_nfunctions, id);
        putf(o, " %s (0x%04x)", name ? name : "<unknown function>", id);
        return pos + 3;
    case 0x22: case 0x42: case 0x62:
        if (pos + 3 >= size)
            return 0;
        id = u16s(d + pos + 2);
        name = xlm_lookup(xlm_functions, xlm_nfunctions, id);
        putf(o, " args %u func %s (0x%04x)", (unsigned)sb(d[pos + 1]),
             name ? name : "<unknown function>", id);
        return pos + 4 + (id == 0x806d ? 9 : 0);
    case 0x23:
        if (pos + 4 >= size)
            return 0;
        putf(o, " 0x%08x", sb(d[pos + 1]) | sb(d[pos + 2]) << 8 | sb(d[pos + 3]) << 16 |
                               sb(d[pos + 4]) << 24);
        return pos + 5;
    case 0x1f: {
        double v;
        if (pos + 8 >= size)
            return 0;
        memcpy(&v, d + pos + 1, sizeof v);
        putf(o, " %f", v);
        return pos + 9;
    }
    case 0x26:
        if (pos + 6 >= size)
            return 0;
        putf(o, " REFERENCE-EXPRESSION");
        return pos + 7;
    case 0x01:
        if (pos + 4 >= size)
            return 0;
        putf(o, " R%uC%u", (unsigned)(u16s(d + pos + 1) + 1), (unsigned)(u16s(d + pos + 3) + 1));
        return pos + 5;
    case 0x24: case 0x44:
        if (pos + 4 >= size)
            return 0;
        put(o, " ", 1);
        put_ref(o, u16s(d + pos + 1), u16s(d + pos + 3));
        return pos + 5;
    case 0x25:
        if (pos + 8 >= size)
            return 0;
        put(o, " ", 1);
        put_ref(o, u16s(d + pos + 1), u16s(d + pos + 3));
        put(o, ":", 1);
        put_ref(o, u16s(d + pos + 5), u16s(d + pos + 7));
        return pos + 9;
    case 0x3a: case 0x5a:
        if (pos + 6 >= size)
            return 0;
        put(o, " ", 1);
        put_ref(o, u16s(d + pos + 3), u16s(d + pos + 5));
        return pos + 7;
    case 0x39:
        if (pos + 6 >= size)
            return 0;
        putf(o, " NAMEIDX %u", (unsigned)u16s(d + pos + 3));
        return pos + 7;
    default:
        return 0;
    }
}

/* A formula's tokens d[0..size): every step advances (pos only grows and
 * the loop ends at size), so at most size steps. */
static void xlm_formula(struct xlm_out *o, const uint8_t *d, uint32_t size)
{
    uint32_t pos = 0;

    while (pos < size && !o->full) {
        uint32_t next = xlm_token(o, d, pos, size);
        if (next <= pos)
            break;
        pos = next;
    }
}

static void xlm_name(struct xlm_out *o, const uint8_t *d, uint32_t len, const uint8_t *end)
{
    if (len < 16)
        return;
    if (d[0] & 0x20) {
        uint32_t code = sb(d[14] != 0 ? d[14] : d[15]);
        putf(o, " - built-in-name %u %s", code,
             code == 1 ? "auto_open" : code == 2 ? "auto_close" : "?");
    } else {
        long nlen = (int32_t)(sb(d[3]) | sb(d[4]) << 8);
        uint32_t off = d[14] != 0 ? 14 : 15;
        if (nlen > (long)(len - off))
            nlen = (long)(len - off);
        put(o, " - ", 3);
        put_str(o, d + off, nlen, end);
    }
}

static void xlm_boundsheet(struct xlm_out *o, const uint8_t *d, uint32_t len)
{
    static const char *const state[] = {"visible", "hidden", "very hidden"};
    const char *type;

    if (len < 6)
        return;
    switch (d[5]) {
    case 0: type = "worksheet or dialog sheet"; break;
    case 1: type = "Excel 4.0 macro sheet"; break;
    case 2: type = "chart"; break;
    case 6: type = "Visual Basic module"; break;
    default: type = "unknown type"; break;
    }
    putf(o, " - %s, %s", type, d[4] < 3 ? state[d[4]] : "unknown visibility");
}

static void xlm_string(struct xlm_out *o, const uint8_t *d, uint32_t len, const uint8_t *end)
{
    uint32_t n;

    if (len < 4)
        return;
    if (!(d[2] & 1)) {
        put(o, " - \"", 4);
        put_str(o, d + 6, (long)len - 3, end);
        put(o, "\"", 1);
        return;
    }
    put(o, " - ", 3);
    n = u16s(d);
    if (n > len - 3)
        n = len - 3;
    if (!put_utf16(o, d + 3, n))
        putf(o, "<Failed to decode UTF16LE string>");
}

vigil_status xlm_text(const uint8_t *s, size_t n, struct outbuf *out, int *scan, int *full)
{
    struct xlm_out o = {.b = out};
    uint8_t *d;
    size_t i = 0, keep;

    *scan = 1;
    if (!(d = calloc(1, XLM_MAX_RECORD + XLM_SLACK)))
        return VIGIL_ENOMEM;
    put(&o, xlm_header, sizeof xlm_header - 1);
    while (n - i >= 4 && !o.full && o.st == VIGIL_OK) {
        uint32_t op = (uint32_t)s[i] | (uint32_t)s[i + 1] << 8;
        uint32_t len = (uint32_t)s[i + 2] | (uint32_t)s[i + 3] << 8;
        const char *name = xlm_lookup(xlm_records, xlm_nrecords, op);

        i += 4;
        putf(&o, "%04x %6d   %s", op, (int)len, name ? name : "<unknown>");
        if (len > XLM_MAX_RECORD || len > n - i) {
            *scan = 0; /* clamscan gives up before it scans */
            break;
        }
        memcpy(d, s + i, len);
        i += len;
        if (op == 0x0006 && len >= 21) {
            putf(&o, " - R%dC%d len=%d ", (int)(u16s(d) + 1), (int)(u16s(d + 2) + 1),
                 (int)u16s(d + 20));
            xlm_formula(&o, d + 22, len - 21);
        } else if (op == 0x0018) {
            xlm_name(&o, d, len, d + XLM_MAX_RECORD + XLM_SLACK);
        } else if (op == 0x0085) {
            xlm_boundsheet(&o, d, len);
        } else if (op == 0x0207) {
            xlm_string(&o, d, len, d + XLM_MAX_RECORD + XLM_SLACK);
        }
        put(&o, "\n", 1);
    }
    free(d);
    *full = o.full;
    /* clamscan scans the file before it flushes its stdio buffer: only
     * the header (written directly) and whole blocks of the rest. */
    if (out->len > sizeof xlm_header - 1) {
        keep = out->len - (sizeof xlm_header - 1);
        out->len = sizeof xlm_header - 1 + keep / XLM_BLOCK * XLM_BLOCK;
    }
    return o.st;
}
