/* pespin.c - PESpin 1.1-packed PE files, decrypted, decompressed and
 * rebuilt as clamscan 1.4 does (libclamav pe.c cli_scanpe's PESpin
 * branch, spin.c unspin), so that the child scanned is the object
 * clamscan scans and hash signatures on it agree.
 *
 * Recognition (cli_scanpe): a PE32 of two or more sections whose entry
 * point lies in the last one, at least 0x321b bytes before the end of its
 * raw data, starting (4 bytes in) "call $+5; mov ebx,[esp]; add ebx,..".
 * The loader (offsets from the entry point, in the last section):
 *  - 0xdb "mov ebx, key8" and 0xe0 "mov ecx, 0x11fe": the 0x11fe bytes at
 *    0x1fe5 are XORed, from the last, with key8, key8-1, ...;
 *  - at 0x26eb a key and the length 0x5a0: the bytes at 0x2d5 are XORed
 *    with a shift register (right shift, 0x8c328834 fed back on a 1 bit);
 *  - the section key is the value at 0x3217 less a checksum of the file's
 *    first (size - [0x429]) bytes; sections flagged in [0x3207] are XORed
 *    with a shift register from it (0xed43af31 fed back on a 0 bit);
 *  - at 0x644 the length 0x180 and a key at 0x650: the bytes at 0x28d3
 *    are XORed (0xed43af32 fed back on a 1 bit);
 *  - at 0x28dd the length 0x1a1 and, at 0x28ec, 0x24 bytes of x86 code
 *    (add/sub/xor al with cl or a constant, inc/dec, rol/ror al, no-ops,
 *    short jumps) then "stosb": each byte at 0x6d4 is run through it with
 *    cl counting down; then each section flagged in [0x6f1] through the
 *    code at 0x755 the same way. vigil interprets that code (it is never
 *    run): anything else in it fails the unpacking, as in ClamAV;
 *  - sections flagged in [0x3061] are FSG/aPLib-compressed (fsgdec.c) to
 *    their virtual size; a resource section compressed from the RVA at
 *    [0x2fee] on is expanded too, when that works.
 * Rebuild (cli_rebuildpe): every section but the loader's, at its RVA,
 * with ClamAV's fixed image base 0x400000 and entry point 0x1000.
 * Limits: the file and the expanded sections are at most max bytes; every
 * offset is checked against the file (ClamAV trusts those its recognition
 * implies); the x86 code is read within the file; flagged sections whose
 * raw data add up to more than the file (overlapping: never PESpin's
 * output) are refused, which bounds the work to a few passes over it. */
#include "unpack/pespin.h"

#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/fsgdec.h"
#include "unpack/rebuildpe.h"

/* Loader bytes from the entry point ClamAV relies on: up to its key at
 * 0x3217. */
#define SPIN_LOADER 0x321bu
#define SPIN_EMU 0x24u /* bytes of emulated code before its stosb */

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint8_t rol8(uint8_t v, unsigned n)
{
    n &= 7;
    return n ? (uint8_t)(v << n | v >> (8 - n)) : v;
}

/* Runs the loader's byte-decrypting code (code[0..avail)) on al with the
 * counter cl into *out. 0 when the code holds anything else or does not
 * end in a stosb at 0x24, as ClamAV's exec86. */
static int spin_x86(uint8_t al, uint8_t cl, const uint8_t *code, size_t avail, uint8_t *out)
{
    size_t n = 0;

    while (n < SPIN_EMU) {
        uint8_t op = code[n++]; /* n <= SPIN_EMU < avail */

        switch (op) {
        case 0xeb: /* jmp short: 2 bytes with the next one skipped */
            n += 2;
            break;
        case 0x0a:
            n += 1;
            break;
        case 0x90: /* nop, clc, stc */
        case 0xf8:
        case 0xf9:
            break;
        case 0x02: /* add al, cl */
            al = (uint8_t)(al + cl);
            n++;
            break;
        case 0x2a: /* sub al, cl */
            al = (uint8_t)(al - cl);
            n++;
            break;
        case 0x32: /* xor al, cl */
            al ^= cl;
            n++;
            break;
        case 0x04: /* add/sub/xor al, imm8 */
        case 0x2c:
        case 0x34:
        case 0xfe: /* inc/dec al */
            if (n >= avail)
                return 0;
            if (op == 0x04)
                al = (uint8_t)(al + code[n]);
            else if (op == 0x2c)
                al = (uint8_t)(al - code[n]);
            else if (op == 0x34)
                al ^= code[n];
            else
                al = (uint8_t)(code[n] == 0xc0 ? al + 1 : al - 1);
            n++;
            break;
        case 0xc0: /* rol/ror al, imm8 */
            if (n + 1 >= avail)
                return 0;
            al = code[n] == 0xc0 ? rol8(al, code[n + 1]) : rol8(al, 8 - (code[n + 1] & 7u));
            n += 2;
            break;
        default:
            return 0;
        }
    }
    if (n != SPIN_EMU || code[SPIN_EMU] != 0xaa)
        return 0;
    *out = al;
    return 1;
}

/* Runs p[0..n) through the code at f[code..len); the counter starts at n
 * (low byte) and counts down. 0 on failure. The code's path does not
 * depend on al or cl, so for a long run that cannot rewrite the code its
 * result is tabulated once for every (al, cl). */
static int spin_emulate(uint8_t *f, size_t len, uint64_t code, uint8_t *p, uint32_t n)
{
    uint64_t at = (uint64_t)(p - f);
    const uint8_t *c;
    uint8_t *tab;

    if (code > len || len - code <= SPIN_EMU)
        return 0;
    c = f + code;
    if (n <= 0x10000 || (code < at + n && at < code + SPIN_EMU + 2)) {
        for (; n; n--, p++)
            if (!spin_x86(*p, (uint8_t)n, c, len - code, p))
                return 0;
        return 1;
    }
    if (!(tab = malloc(0x10000)))
        return 0;
    for (unsigned i = 0; i < 0x10000; i++)
        if (!spin_x86((uint8_t)i, (uint8_t)(i >> 8), c, len - code, tab + i)) {
            free(tab);
            return 0;
        }
    for (; n; n--, p++)
        *p = tab[*p | (n & 0xff) << 8];
    free(tab);
    return 1;
}

/* The loader's checksum of p[0..n). */
static uint32_t spin_sum(const uint8_t *p, uint32_t n)
{
    uint32_t a = 0xffffffffu, b = 0xffffffffu;

    for (; n; n--) {
        a ^= (uint32_t)*p++ << 8;
        a = a >> 3 & 0x1fffffff;
        for (int i = 0; i < 4; i++) {
            uint32_t r = b & 31, t;
            a ^= b >> 8 & 0xff;
            a += 0x7801a108u;
            a ^= b;
            a = r ? a >> r | a << (32 - r) : a;
            t = a;
            a = b;
            b = t;
        }
    }
    return b;
}

/* XORs p[0..n) with a right-shifting register fed back with poly when the
 * bit shifted out is 1 (on1) or 0 (!on1), stepped before each byte. */
static void spin_xor(uint8_t *p, uint32_t n, uint32_t key, uint32_t poly, int on1)
{
    for (; n; n--, p++) {
        int bit = key & 1;
        key >>= 1;
        if (bit == on1)
            key ^= poly;
        *p ^= (uint8_t)key;
    }
}

/* Whether section s's raw data is a non-empty part of the file. */
static int spin_sect_ok(const struct pe_sect *s, size_t len)
{
    return s->rsz > 0 && s->raw <= len && s->rsz <= len - s->raw;
}

/* The raw bytes of the sections (but the loader's) flagged in map. */
static uint64_t spin_flagged(const struct pe_info *pe, uint32_t map)
{
    uint64_t n = 0;

    for (uint32_t j = 0; j + 1 < pe->nsect && j < 32; j++)
        if (map >> j & 1)
            n += pe->sect[j].rsz;
    return n;
}

/* The first decryption stages, inside the loader section (s = its entry
 * point in the file copy, buf the file as it was). Sets *key to the
 * section key. 0 when the loader is not PESpin 1.1's. */
static int spin_loader(uint8_t *s, const uint8_t *buf, size_t len, uint32_t *key)
{
    uint32_t n;
    uint8_t k8;

    if (s[0xdb] != 0xbb || s[0xe0] != 0xb9 || rd32(s + 0xe1) != 0x11fe)
        return 0;
    k8 = s[0xdc];
    for (uint32_t i = 0x1fe5 + 0x11fe; i-- > 0x1fe5;)
        s[i] ^= k8--;
    if (rd32(s + 0x26f0) != 0x5a0)
        return 0;
    spin_xor(s + 0x2d5, 0x5a0, rd32(s + 0x26eb), 0x8c328834u, 1);
    n = (uint32_t)len - rd32(s + 0x429);
    if (n >= (uint32_t)len)
        return 0;
    *key = rd32(s + 0x3217) - spin_sum(buf, n);
    return 1;
}

/* The section decryption: XOR, then the loader's own key stage, then the
 * emulated code on the loader and on the flagged sections. */
static int spin_decrypt(uint8_t *f, size_t len, const struct pe_info *pe, uint64_t ep,
                        uint32_t key)
{
    uint32_t map = rd32(f + ep + 0x3207), nsect = pe->nsect - 1;

    if (spin_flagged(pe, map) > len)
        return 0; /* overlapping sections: the work would not be bounded */
    for (uint32_t j = 0; j < nsect; j++, map >>= 1) {
        const struct pe_sect *s = &pe->sect[j];
        if (!(map & 1))
            continue;
        if (!spin_sect_ok(s, len))
            return 0;
        spin_xor(f + s->raw, s->rsz, key, 0xed43af31u, 0);
    }
    if (rd32(f + ep + 0x644) != 0x180)
        return 0;
    spin_xor(f + ep + 0x28d3, 0x180, rd32(f + ep + 0x650), 0xed43af32u, 1);
    if (rd32(f + ep + 0x28dd) != 0x1a1 ||
        !spin_emulate(f, len, ep + 0x28ec, f + ep + 0x6d4, 0x1a1))
        return 0;
    map = rd32(f + ep + 0x6f1);
    if (spin_flagged(pe, map) > len)
        return 0;
    for (uint32_t j = 0; j < nsect; j++, map >>= 1) {
        const struct pe_sect *s = &pe->sect[j];
        if (!(map & 1))
            continue;
        if (s->raw > len || s->rsz > len - s->raw ||
            !spin_emulate(f, len, ep + 0x755, f + s->raw, s->rsz))
            return 0;
    }
    return 1;
}

/* The sections as rebuilt: their bytes (in the file copy or expanded) and
 * sizes. */
struct spin_out {
    uint8_t **data; /* expanded sections (owned), or NULL: raw data */
    uint64_t total;
};

/* Expands the compressed sections and the resources. 1, 0 on failure,
 * -1 when out of memory. */
static int spin_expand(uint8_t *f, size_t len, const struct pe_info *pe, uint64_t ep,
                       size_t max, struct spin_out *o)
{
    uint32_t nsect = pe->nsect - 1, map = rd32(f + ep + 0x3061), res;
    uint64_t grow = 0;

    for (uint32_t j = 0; j < nsect && j < 32; j++)
        if (map >> j & 1)
            grow += pe->sect[j].vsz;
    if (grow > max)
        return 0;
    for (uint32_t j = 0; j < nsect; j++) {
        const struct pe_sect *s = &pe->sect[j];
        if (j >= 32 || !(map >> j & 1)) {
            if (s->raw > len || s->rsz > len - s->raw)
                return 0;
            o->total += s->rsz;
            continue;
        }
        if (!s->vsz || !spin_sect_ok(s, len))
            return 0;
        if (!(o->data[j] = calloc(1, s->vsz)))
            return -1;
        o->total += s->vsz;
        if (fsgdec_decode(f + s->raw, s->rsz, o->data[j], s->vsz) < 0)
            return 0;
    }
    if (!(res = rd32(f + ep + 0x2fee)))
        return 1;
    for (uint32_t j = 0; j < nsect; j++) {
        const struct pe_sect *s = &pe->sect[j];
        uint32_t off = res - s->rva;
        uint8_t *r;

        if (s->rva > res || off >= s->vsz || !off || off > s->rsz)
            continue;
        if ((map >> (j & 31) & 1) || o->data[j]) /* compressed already */
            return 1;
        if (!(r = calloc(1, s->vsz)))
            return -1;
        memcpy(r, f + s->raw, off);
        if (fsgdec_decode(f + s->raw + off, s->rsz - off, r + off, s->vsz - off) == 0) {
            o->data[j] = r;
            o->total += (uint64_t)s->vsz - s->rsz;
        } else {
            free(r);
        }
        return 1;
    }
    return 1;
}

/* Rebuilds the PE from the sections. */
static int spin_rebuild(const uint8_t *f, const struct pe_info *pe, struct spin_out *o,
                        size_t max, uint8_t **out, size_t *outlen)
{
    uint32_t nsect = pe->nsect - 1;
    struct pe_rebuild_sect s[PE_REBUILD_MAX_SECTIONS];
    uint64_t at = 0;
    uint8_t *blob;
    int rc;

    if (nsect > PE_REBUILD_MAX_SECTIONS || o->total > max)
        return 0;
    if (!(blob = malloc(o->total ? (size_t)o->total : 1)))
        return -1;
    for (uint32_t j = 0; j < nsect; j++) {
        const struct pe_sect *p = &pe->sect[j];
        uint32_t n = o->data[j] ? p->vsz : p->rsz;

        memcpy(blob + at, o->data[j] ? o->data[j] : f + p->raw, n);
        s[j] = (struct pe_rebuild_sect){p->rva, p->vsz, (uint32_t)at, n};
        at += n;
    }
    rc = pe_rebuild(blob, (size_t)at, s, nsect, 0x400000, 0x1000, 0, 0, 0, max, out,
                    outlen);
    free(blob);
    return rc;
}

/* cli_scanpe's PESpin test; the loader's offset in its section, or -1. */
static int64_t spin_detect(const uint8_t *buf, size_t len, const struct pe_info *pe)
{
    static const uint8_t code[10] = {0xe8, 0x00, 0x00, 0x00, 0x00,
                                     0x8b, 0x1c, 0x24, 0x83, 0xc3};
    const struct pe_sect *last;
    uint32_t end;

    if (pe->pe32plus || pe->nsect < 2 || pe->ep >= len || len - pe->ep < 200)
        return -1;
    last = &pe->sect[pe->nsect - 1];
    end = last->rva + last->rsz; /* 32-bit, as ClamAV's */
    if (pe->vep < last->rva || end < 0x3213 || pe->vep >= end - 0x321b ||
        memcmp(buf + pe->ep + 4, code, sizeof code) != 0)
        return -1;
    /* What the test implies unless the sum wrapped. */
    if (!spin_sect_ok(last, len) || (uint64_t)(pe->vep - last->rva) + SPIN_LOADER > last->rsz)
        return -1;
    return pe->vep - last->rva;
}

int pespin_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
                  uint8_t **out, size_t *outlen)
{
    int64_t e = spin_detect(buf, len, pe);
    struct spin_out o = {NULL, 0};
    uint8_t *f = NULL;
    uint64_t ep;
    uint32_t key;
    int rc = 0;

    *out = NULL;
    *outlen = 0;
    if (e < 0 || len > max)
        return 0;
    ep = pe->sect[pe->nsect - 1].raw + (uint64_t)e;
    if (!(f = malloc(len)) || !(o.data = calloc(pe->nsect, sizeof *o.data))) {
        free(f);
        return -1;
    }
    memcpy(f, buf, len);
    if (spin_loader(f + ep, buf, len, &key) && spin_decrypt(f, len, pe, ep, key) &&
        (rc = spin_expand(f, len, pe, ep, max, &o)) == 1)
        rc = spin_rebuild(f, pe, &o, max, out, outlen);
    for (uint32_t j = 0; j < pe->nsect; j++)
        free(o.data[j]);
    free(o.data);
    free(f);
    return rc;
}
