/* yc.c - PE files protected by yoda's Crypter 1.x decrypted as clamscan
 * 1.4 does (libclamav pe.c cli_scanpe's yC branch and yc.c yc_decrypt),
 * so that the file scanned is the object clamscan scans.
 *
 * Recognition (cli_scanpe): two or more sections, the entry point 0x60
 * bytes into the last (yC's) section, and the loader code of yC 1.3, of
 * its variant or of "yC 1.x/modified" at the entry point; the code gives
 * the length (ecx, 0x800..0x2000 exclusive) of the first layer and where
 * the loader's data lies (an offset of 0, 0x10 or -0x18), and "aa e2 cc"
 * must follow it.
 *
 * Decryption (yc_decrypt): the loader holds small polymorphic byte
 * decryptors, 0x30 bytes of x86 code over AL and CL (SUB, ADD, XOR, DEC,
 * ROL, ROR and short JMPs). The first, at 0x93 in yC's data, decrypts the
 * ecx bytes at 0xc6 (the second layer); the second, at 0x457 (0x3ea for
 * the modified form), decrypts every section with raw data but the
 * resource, relocation, export, import, TLS and yC sections. Each byte is
 * run through the decryptor once, CL counting down from the length. Then
 * the header loses the yC section and the import directory, gets the
 * original entry point (at 0xa0f in yC's data) and a smaller SizeOfImage,
 * and the file without yC's raw data is the result.
 *
 * Limits: every read and write is bounded by the file, in 64 bits; a
 * decryptor stops at the first byte outside the file (clamscan reads one
 * byte past it), at an instruction it does not know, or after
 * YC_MAX_JUMPS jumps over the whole file (clamscan: as many per section);
 * the sections (which may overlap in a hostile file) are decrypted only
 * while the bytes decrypted stay under YC_WORK(file size). */
#include "unpack/yc.h"

#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/packer.h"

#define YC_MAX_JUMPS 100000000u
/* Bytes the decryptors may run over for a file of n bytes: real files
 * decrypt each byte once (sections do not overlap). */
#define YC_WORK(n) (2 * (uint64_t)(n) + 65536)

/* A decryptor run over the file copy f[0..size). */
struct yc_emu {
    uint8_t *f;
    int64_t size;
    uint32_t jumps; /* left, over every run */
    uint64_t work;  /* bytes decrypted, at most YC_WORK(size) */
};

enum yc_result { YC_OK = 0, YC_UNKNOWN = 1, YC_OUTSIDE = 2 };

static uint8_t yc_rol(uint8_t v, unsigned n)
{
    n &= 7;
    return n ? (uint8_t)(v << n | v >> (8 - n)) : v;
}

static uint8_t yc_ror(uint8_t v, unsigned n)
{
    n &= 7;
    return n ? (uint8_t)(v >> n | v << (8 - n)) : v;
}

/* The byte of the decryptor at dec + j, or -1 outside the file. */
static int yc_op(const struct yc_emu *e, int64_t dec, uint32_t j)
{
    int64_t at = dec + j;

    return at >= 0 && at < e->size ? e->f[at] : -1;
}

/* Runs the decryptor's 0x30 bytes at dec once over al. */
static enum yc_result yc_step(struct yc_emu *e, int64_t dec, uint8_t cl, uint8_t *al)
{
    uint32_t j;
    int op, arg;

    for (j = 0; j < 0x30; j++) {
        if ((op = yc_op(e, dec, j)) < 0)
            return YC_OUTSIDE;
        switch (op) {
        case 0xeb: /* JMP short */
            if ((arg = yc_op(e, dec, ++j)) < 0 || e->jumps == 0)
                return YC_OUTSIDE;
            e->jumps--;
            j += (uint32_t)(int32_t)(int8_t)arg;
            break;
        case 0xfe: /* DEC AL */
            (*al)--;
            j++;
            break;
        case 0x2a: /* SUB AL,CL */
            *al = (uint8_t)(*al - cl);
            j++;
            break;
        case 0x02: /* ADD AL,CL */
            *al = (uint8_t)(*al + cl);
            j++;
            break;
        case 0x32: /* XOR AL,CL */
            *al ^= cl;
            j++;
            break;
        case 0x04: /* ADD AL,imm */
        case 0x34: /* XOR AL,imm */
        case 0x2c: /* SUB AL,imm */
            if ((arg = yc_op(e, dec, ++j)) < 0)
                return YC_OUTSIDE;
            *al = op == 0x04 ? (uint8_t)(*al + arg)
                  : op == 0x34 ? (uint8_t)(*al ^ arg)
                               : (uint8_t)(*al - arg);
            break;
        case 0xc0: /* ROL AL,imm (c0 c0) or ROR AL,imm */
            if ((op = yc_op(e, dec, ++j)) < 0 || (arg = yc_op(e, dec, ++j)) < 0)
                return YC_OUTSIDE;
            *al = op == 0xc0 ? yc_rol(*al, (unsigned)arg) : yc_ror(*al, (unsigned)arg);
            break;
        case 0xd2: /* ROR AL,CL (d2 c8) or ROL AL,CL */
            if ((op = yc_op(e, dec, ++j)) < 0)
                return YC_OUTSIDE;
            j++;
            *al = op == 0xc8 ? yc_ror(*al, cl) : yc_rol(*al, cl);
            break;
        case 0x90: /* NOP, CLC, STC */
        case 0xf8:
        case 0xf9:
            break;
        default:
            return YC_UNKNOWN;
        }
    }
    return YC_OK;
}

/* Decrypts in place the first min(ecx, lim) bytes at code with the
 * decryptor at dec (yc_poly_emulator). */
static enum yc_result yc_emulate(struct yc_emu *e, int64_t dec, int64_t code, uint32_t ecx,
                                 uint32_t lim)
{
    uint32_t n = ecx < lim ? ecx : lim;
    uint8_t cl = (uint8_t)ecx, al;
    enum yc_result r;

    if ((e->work += n) > YC_WORK(e->size))
        return YC_UNKNOWN;
    for (uint32_t i = 0; i < n; i++, cl--) {
        int64_t at = code + i;

        if (at < 0 || at >= e->size)
            return YC_OUTSIDE;
        al = e->f[at];
        if ((r = yc_step(e, dec, cl, &al)) != YC_OK)
            return r;
        e->f[at] = al;
    }
    return YC_OK;
}

/* Whether section i keeps its bytes as they are (yc_decrypt's list). */
static int yc_skipped(const uint8_t *f, int64_t size, int64_t names, const struct pe_sect *s,
                      uint32_t i)
{
    int64_t at = names + (int64_t)i * 40;
    uint32_t name;

    if (!s->raw || !s->rsz)
        return 1;
    name = pk_inside(size, at, 4) ? pk_rd32(f + at) : 0;
    return name == 0x63727372 || name == 0x7273722e || /* rsrc .rsr */
           name == 0x6f6c6572 || name == 0x6c65722e || /* relo .rel */
           name == 0x6164652e || name == 0x6164722e || /* .eda .rda */
           name == 0x6164692e || name == 0x736c742e || /* .ida .tls */
           (name & 0xffff) == 0x4379;                  /* yC */
}

/* yc_decrypt on the copy f of the file; the result's size in *outlen. */
static int yc_decrypt(uint8_t *f, uint32_t fsize, const struct pe_info *pe, uint32_t ecx,
                      int32_t offset, size_t *outlen)
{
    const struct pe_sect *yc = &pe->sect[pe->nsect - 1];
    struct yc_emu e = {f, fsize, YC_MAX_JUMPS, 0};
    int64_t ycs = (uint32_t)(yc->raw + (uint32_t)offset), h = pe->lfanew, names;
    uint32_t size, i;

    if (yc_emulate(&e, ycs + 0x93, ycs + 0xc6, ecx, ecx) != YC_OK)
        return 0;
    if (yc->ursz > fsize || !pk_inside(fsize, h, 0x88) || !pk_inside(fsize, ycs + 0xa0f, 4))
        return 0;
    size = fsize - yc->ursz;
    names = h + 0x18 + pk_rd16(f + h + 0x14);
    for (i = 0; i + 1 < pe->nsect; i++) {
        const struct pe_sect *s = &pe->sect[i];

        if (yc_skipped(f, fsize, names, s, i))
            continue;
        if (s->raw > size)
            return 0;
        if (yc_emulate(&e, ycs + (offset == -0x18 ? 0x3ea : 0x457), s->raw, s->ursz,
                       size - s->raw) != YC_OK)
            return 0;
    }
    f[h + 6] = (uint8_t)i;
    f[h + 7] = (uint8_t)(i >> 8);
    memset(f + h + 0x80, 0, 8);                      /* the import directory */
    pk_wr32(f + h + 0x28, pk_rd32(f + ycs + 0xa0f)); /* AddressOfEntryPoint */
    pk_wr32(f + h + 0x50, pk_rd32(f + h + 0x50) - yc->vsz);
    *outlen = size;
    return 1;
}

/* The first layer's length as the loader code at the entry point gives
 * it (0 when it is none of yC's), and the offset of yC's data. */
static uint32_t yc_loader(const uint8_t *ep, int32_t *offset)
{
    uint32_t ecx = 0;

    if (!memcmp(ep, "\x55\x8b\xec\x53\x56\x57\x60\xe8\x00\x00\x00\x00\x5d\x81\xed", 15) &&
        !memcmp(ep + 0x26, "\x8d\x3a\x8b\xf7\x33\xc0\xeb\x04\x90\xeb\x01\xc2\xac", 13) &&
        ep[0x13] == 0xb9 && pk_rd16(ep + 0x18) == 0xe981 &&
        !memcmp(ep + 0x1e, "\x8b\xd5\x81\xc2", 4)) { /* yC 1.3 */
        *offset = 0;
        if (0x6c - pk_rd32(ep + 0xf) + pk_rd32(ep + 0x22) == 0xc6)
            ecx = pk_rd32(ep + 0x14) - pk_rd32(ep + 0x1a);
    }
    if (!ecx && !memcmp(ep, "\x55\x8b\xec\x83\xec\x40\x53\x56\x57", 9) &&
        !memcmp(ep + 0x17, "\xe8\x00\x00\x00\x00\x5d\x81\xed", 8) &&
        ep[0x23] == 0xb9) { /* yC 1.3 variant */
        *offset = 0x10;
        if (0x6c - pk_rd32(ep + 0x1f) + pk_rd32(ep + 0x32) == 0xc6)
            ecx = pk_rd32(ep + 0x24) - pk_rd32(ep + 0x2a);
    }
    if (!ecx && !memcmp(ep, "\x60\xe8\x00\x00\x00\x00\x5d\x81\xed", 9) && ep[0xd] == 0xb9 &&
        pk_rd16(ep + 0x12) == 0xbd8d && !memcmp(ep + 0x18, "\x8b\xf7\xac", 3)) {
        *offset = -0x18; /* yC 1.x/modified */
        if (0x66 - pk_rd32(ep + 0x9) + pk_rd32(ep + 0x14) == 0xae)
            ecx = pk_rd32(ep + 0xe);
    }
    return ecx;
}

int yc_unpack(const uint8_t *buf, size_t len, const struct pe_info *pe, size_t max,
              uint8_t **out, size_t *outlen)
{
    const uint8_t *ep;
    size_t epn;
    uint32_t ecx;
    int32_t offset = 0;
    uint8_t *f;

    *out = NULL;
    *outlen = 0;
    if (pe->nsect < 2 || pe->vep != pe->sect[pe->nsect - 1].rva + 0x60 ||
        !(ep = pk_epbuf(buf, len, pe, &epn)) || len > max || len > UINT32_MAX)
        return 0;
    ecx = yc_loader(ep, &offset);
    if (ecx <= 0x800 || ecx >= 0x2000 || memcmp(ep + 0x63 + offset, "\xaa\xe2\xcc", 3) ||
        len < (uint32_t)(pe->sect[pe->nsect - 1].raw + 0xc6 + ecx + (uint32_t)offset))
        return 0;
    if (!(f = malloc(len)))
        return -1;
    memcpy(f, buf, len);
    if (!yc_decrypt(f, (uint32_t)len, pe, ecx, offset, outlen) || *outlen == 0) {
        free(f);
        *outlen = 0;
        return 0;
    }
    *out = f;
    return 1;
}
