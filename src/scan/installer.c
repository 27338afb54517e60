/* installer.c - installers and script packers inside executables, found
 * where clamscan 1.4.6 finds them: in an object typed MSEXE (starting with
 * "MZ"), its type-1 magics anywhere (libclamav filetypes_int.h: NSIS
 * "\xef\xbe\xad\xdeNullsoftInst" at offset > 4, the firstheader 4 bytes
 * before it; AUTOIT, a 16-byte marker and "AU3!EA05"/"AU3!EA06";
 * ISHIELD-MSI, "InstallShield\0" and its block layout), then, as
 * cli_scanpe() does, the InstallShield setup in the overlay of a PE32
 * (not PE32+). Each is walked from where it starts to the end of the
 * object by its walker in src/unpack/.
 * The PE overlay is computed here from the section table as clamscan's PE
 * scanner computes it, by a small reader of our own: the PE parser
 * (exe_pe.c) is not ours to change, and this reader does not refuse the
 * broken headers clamscan's parser refuses.
 * Not called when a .ftm database replaced the built-in magic table
 * (embedded.c): clamscan then types nothing as MSEXE.
 * Limits: INST_MAX walks per object, in offset order, then the overlay. */
#include <stdlib.h>
#include <string.h>

#include "scan/scanner.h"
#include "unpack/format.h"

#define INST_MAX 16

extern const struct vigil_format format_nsis, format_autoit, format_ishield_msi,
    format_ishield;

struct inst_hit {
    size_t off;
    const struct vigil_format *fmt;
};

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

int ishield_msi_magic(const uint8_t *buf, size_t len); /* unpack/ishield.c */

/* The whole-magic checks (the formats' detectors are not constants). */
static int nsis_magic(const uint8_t *buf, size_t len)
{
    return format_nsis.detect(buf, len);
}

static int autoit_magic(const uint8_t *buf, size_t len)
{
    return format_autoit.detect(buf, len);
}

/* The type-1 magics: the string searched, how far before it the object
 * starts, the check of the whole magic there, and the walker. */
static const struct {
    const char *m;
    size_t n, back;
    int (*check)(const uint8_t *buf, size_t len);
    const struct vigil_format *fmt;
} inst_magic[] = {
    {"\xef\xbe\xad\xdeNullsoftInst", 16, 4, nsis_magic, &format_nsis},
    {"AU3!EA0", 7, 16, autoit_magic, &format_autoit},
    {"InstallShield", 14, 0, ishield_msi_magic, &format_ishield_msi},
};

static int hit_cmp(const void *a, const void *b)
{
    const struct inst_hit *x = a, *y = b;

    return x->off < y->off ? -1 : x->off > y->off;
}

/* Every place a magic starts an object its walker accepts. */
static size_t inst_find(const uint8_t *p, size_t len, struct inst_hit *hit)
{
    size_t n = 0;

    for (size_t k = 0; k < sizeof inst_magic / sizeof inst_magic[0]; k++) {
        const uint8_t *q = p;
        while (n < INST_MAX &&
               (q = memmem(q, len - (size_t)(q - p), inst_magic[k].m, inst_magic[k].n))) {
            size_t at = (size_t)(q - p);
            q++;
            if (at < inst_magic[k].back || (k == 0 && at <= 4))
                continue;
            at -= inst_magic[k].back;
            if (inst_magic[k].check(p + at, len - at))
                hit[n++] = (struct inst_hit){at, inst_magic[k].fmt};
        }
    }
    qsort(hit, n, sizeof *hit, hit_cmp);
    return n;
}

/* PEALIGN and PESALIGN: a rounded down and up to a multiple of a. */
static uint64_t align_down(uint64_t v, uint32_t a)
{
    return a ? v / a * a : v;
}

static uint64_t align_up(uint64_t v, uint32_t a)
{
    return a ? (v / a + (v % a != 0)) * a : v;
}

/* The offset of a PE32's overlay as clamscan's PE scanner computes it, or
 * 0 when there is none: the end of the raw data (aligned to the file
 * alignment) of the section after the first that last raised the highest
 * virtual end. A PE with one section has no overlay there (measured: a
 * one-section PE32 with a setup appended is not unpacked by clamscan, the
 * same with two sections is). PE32+ is not looked at. */
static size_t pe32_overlay(const uint8_t *p, size_t len)
{
    uint32_t pe, nsect, opt, falign, valign;
    uint64_t at, max = 0, over = 0;

    if (len < 0x40 || p[0] != 'M' || p[1] != 'Z')
        return 0;
    pe = rd32(p + 0x3c);
    if (pe > len || len - pe < 24 + 0x40 || memcmp(p + pe, "PE\0\0", 4) != 0 ||
        rd16(p + pe + 24) != 0x10b)
        return 0;
    nsect = rd16(p + pe + 6);
    opt = rd16(p + pe + 20);
    valign = rd32(p + pe + 24 + 32);
    falign = rd32(p + pe + 24 + 36);
    at = (uint64_t)pe + 24 + opt;
    if (at > len || (len - at) / 40 < nsect)
        return 0;
    /* clamscan's fallback: a section misaligned to FileAlignment but
     * aligned to 0x200 makes the alignment 0x200. */
    for (uint32_t i = 0; falign != 0x200 && i < nsect; i++) {
        uint32_t raw = rd32(p + at + 40 * i + 20);
        if (falign && rd32(p + at + 40 * i + 16) && raw % falign && !(raw % 0x200))
            falign = 0x200;
    }
    for (uint32_t i = 0; i < nsect; i++) {
        const uint8_t *sh = p + at + 40 * i;
        uint64_t rva = align_down(rd32(sh + 12), valign);
        uint64_t raw = align_down(rd32(sh + 20), falign);
        uint64_t rsz = align_up(rd32(sh + 16), falign);
        if (rsz && len > raw && rsz > len - raw)
            rsz = len - raw;
        if (i == 0 || rva + rsz > max) {
            max = rva + rsz;
            if (i > 0)
                over = raw + rsz;
        }
    }
    return over && over < len ? (size_t)over : 0;
}

vigil_status walk_installers(struct vigil_scanner *s, const uint8_t *obj, size_t len)
{
    struct inst_hit hit[INST_MAX];
    size_t n, over;
    vigil_status st = VIGIL_OK;

    if (len < 2 || obj[0] != 'M' || obj[1] != 'Z')
        return VIGIL_OK;
    n = inst_find(obj, len, hit);
    for (size_t i = 0; i < n && st == VIGIL_OK && !s->walk.stop; i++) {
        struct unpack u = {obj + hit[i].off, len - hit[i].off, hit[i].fmt->name, s};
        if ((s->walk.o->flags & VIGIL_SCAN_NO_ARCHIVE) && format_is_archive(hit[i].fmt))
            continue; /* --scan-archive=no */
        st = hit[i].fmt->walk(&u);
    }
    over = pe32_overlay(obj, len);
    if (over && st == VIGIL_OK && !s->walk.stop) {
        struct unpack u = {obj + over, len - over, format_ishield.name, s};
        st = format_ishield.walk(&u);
    }
    return st;
}
