/* pe_vinfo.c - the StringFileInfo strings of a PE's version resources, as
 * clamscan 1.4.6 finds them for `VI` offsets.
 *
 * Spec: Microsoft "VS_VERSIONINFO", "StringFileInfo", "StringTable",
 * "String" and the PE/COFF ".rsrc Section"; clamscan's rules (libclamav
 * pe.c findres, versioninfo_cb, cli_peheader) followed exactly, measured
 * with clamscan --debug ("VersionInfo (offset): 'key'='value'"):
 *   - the resource directory: the type entries with an ID (named ones are
 *     skipped) are searched for type 16 (RT_VERSION); in its directory
 *     every name entry (named and ID, counted in 16 bits) that points to a
 *     directory, and there every language entry that points to data, gives
 *     the RVA of a data entry; at most 16 are kept. Any entry or directory
 *     out of the file ends the search;
 *   - each data entry: its data (RVA, size) must lie wholly in the file;
 *     it must start with a VS_VERSIONINFO of key "VS_VERSION_INFO", value
 *     length 0x34 and the VS_FIXEDFILEINFO magic 0xfeef04bd;
 *   - after the fixed info, one VarFileInfo may be skipped; then a
 *     StringFileInfo, whose StringTables (each more than 24 bytes) hold the
 *     strings. A string's length is rounded up to 4; one that does not fit
 *     its table or is 16 bytes or less ends the StringFileInfo; one whose
 *     key (up to its UTF-16 NUL, rounded up to 4) fills it, or whose value
 *     is 2 bytes or less, is skipped; every other gives the file offset of
 *     its key (the string's offset + 6).
 * Every size is bounded by its container, so each loop advances; reads go
 * through exe_fits(). Limits: PE_VINFO_MAX_RES resources, at most
 * PE_VINFO_MAX_ENTRIES directory entries read, `max` offsets kept. No
 * recursion: the directory has a fixed depth of three levels, walked by
 * three nested loops. */
#include "scan/pe_vinfo.h"

#include <string.h>

#include "scan/exe_int.h"

#define RT_VERSION 0x10
#define VI_FIXED (6 + 0x20 + 2 + 0x34) /* header, key, padding, value */

static const char key_vsinfo[0x20] = "V\0S\0_\0V\0E\0R\0S\0I\0O\0N\0_\0I\0N\0F\0O\0\0";
static const char key_var[0x18] = "V\0a\0r\0F\0i\0l\0e\0I\0n\0f\0o\0\0";
static const char key_sfi[0x1e] = "S\0t\0r\0i\0n\0g\0F\0i\0l\0e\0I\0n\0f\0o\0\0";

struct vi_walk {
    const struct exe_in *in;
    const struct pe_info *pe;
    uint32_t *out;
    size_t n, max;
    uint32_t budget; /* directory entries left to read */
};

static int key_is(const struct exe_in *in, uint64_t off, const char *key, size_t n)
{
    return exe_fits(in, off, n) && memcmp(in->buf + off, key, n) == 0;
}

static uint8_t byte_at(const struct exe_in *in, uint64_t off)
{
    return exe_fits(in, off, 1) ? in->buf[off] : 0;
}

/* The file offset of a resource directory at rva (16 bytes in the file). */
static int vi_dir(const struct vi_walk *w, uint32_t rva, uint64_t *dir)
{
    uint32_t off;

    if (pe_rawaddr(w->pe, w->in->len, rva, &off) != 0 || !exe_fits(w->in, off, 16))
        return -1;
    *dir = off;
    return 0;
}

/* Reads a directory entry at off (8 bytes); -1 when out of the file or the
 * budget is spent. */
static int vi_entry(struct vi_walk *w, uint64_t off, uint32_t *id, uint32_t *to)
{
    if (w->budget == 0 || !exe_fits(w->in, off, 8))
        return -1;
    w->budget--;
    *id = exe_u32(w->in, off);
    *to = exe_u32(w->in, off + 4);
    return 0;
}

/* findres(0x10, any name) with versioninfo_cb: the RVAs of the version
 * resources' data entries into rvas; returns how many. */
static size_t vi_find(struct vi_walk *w, uint32_t rvas[PE_VINFO_MAX_RES])
{
    uint32_t res = w->pe->dir_rva[2], id, to;
    uint64_t dir, ent;
    uint16_t cnt;
    size_t n = 0;

    if (vi_dir(w, res, &dir) != 0)
        return 0;
    ent = dir + 16 + 8 * (uint64_t)exe_u16(w->in, dir + 12); /* skip named */
    for (cnt = exe_u16(w->in, dir + 14); cnt > 0; cnt--, ent += 8) {
        uint64_t ndir, nent;
        uint16_t ncnt;

        if (vi_entry(w, ent, &id, &to) != 0)
            return n;
        if (id != RT_VERSION || !(to >> 31))
            continue;
        if (vi_dir(w, res + (to & 0x7fffffff), &ndir) != 0)
            return n;
        ncnt = (uint16_t)(exe_u16(w->in, ndir + 12) + exe_u16(w->in, ndir + 14));
        for (nent = ndir + 16; ncnt > 0; ncnt--, nent += 8) {
            uint64_t ldir, lent;
            uint16_t lcnt;

            if (vi_entry(w, nent, &id, &to) != 0)
                return n;
            if (!(to >> 31))
                continue;
            if (vi_dir(w, res + (to & 0x7fffffff), &ldir) != 0)
                return n;
            lcnt = (uint16_t)(exe_u16(w->in, ldir + 12) + exe_u16(w->in, ldir + 14));
            for (lent = ldir + 16; lcnt > 0; lcnt--, lent += 8) {
                if (vi_entry(w, lent, &id, &to) != 0)
                    return n;
                if (to >> 31)
                    continue;
                rvas[n++] = res + to;
                if (n == PE_VINFO_MAX_RES)
                    return n;
            }
        }
        return n; /* clamscan looks at the first RT_VERSION entry only */
    }
    return n;
}

/* Adds off to the sorted set w->out (dropped when full). */
static void vi_add(struct vi_walk *w, uint32_t off)
{
    size_t lo = 0, hi = w->n;

    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->out[mid] < off)
            lo = mid + 1;
        else
            hi = mid;
    }
    if ((lo < w->n && w->out[lo] == off) || w->n == w->max)
        return;
    memmove(w->out + lo + 1, w->out + lo, (w->n - lo) * sizeof *w->out);
    w->out[lo] = off;
    w->n++;
}

/* The strings of one StringTable whose children start at p, st_sz bytes.
 * Returns -1 on clamscan's hard failure (ends the StringFileInfo). */
static int vi_strings(struct vi_walk *w, uint64_t p, uint32_t st_sz)
{
    while (st_sz > 6) {
        uint32_t s_sz = ((uint32_t)exe_u16(w->in, p) + 3) & ~3u, k;

        if (s_sz > st_sz || s_sz <= 6 + 2 + 8)
            return -1;
        for (k = 6; k + 1 < s_sz; k += 2) { /* the key's UTF-16 NUL */
            if (byte_at(w->in, p + k) || byte_at(w->in, p + k + 1))
                continue;
            k += 2;
            break;
        }
        k = (k + 3) & ~3u;
        if (k < s_sz && s_sz - k > 2)
            vi_add(w, (uint32_t)(p + 6));
        p += s_sz;
        st_sz -= s_sz;
    }
    return 0;
}

/* One VS_VERSIONINFO at p, res_sz bytes (all in the file). */
static void vi_parse(struct vi_walk *w, uint64_t p, uint32_t res_sz)
{
    uint32_t vinfo_sz, sfi_sz;
    int got_var = 0;

    if (res_sz <= 4)
        return;
    vinfo_sz = exe_u32(w->in, p);
    if ((vinfo_sz & 0xffff) > res_sz)
        return;
    if ((vinfo_sz & 0xffff) <= VI_FIXED || vinfo_sz >> 16 != 0x34 ||
        !key_is(w->in, p + 6, key_vsinfo, sizeof key_vsinfo) ||
        exe_u32(w->in, p + 0x28) != 0xfeef04bd)
        return;
    vinfo_sz = (vinfo_sz & 0xffff) - VI_FIXED;
    p += VI_FIXED;
    while (vinfo_sz > 6) { /* at most one VarFileInfo, then StringFileInfo */
        sfi_sz = exe_u16(w->in, p);
        if (sfi_sz > vinfo_sz)
            return;
        if (!got_var && sfi_sz > 6 + 0x18 &&
            key_is(w->in, p + 6, key_var, sizeof key_var)) {
            p += sfi_sz;
            vinfo_sz -= sfi_sz;
            got_var = 1;
            continue;
        }
        if (sfi_sz <= 6 + 0x1e || !key_is(w->in, p + 6, key_sfi, sizeof key_sfi))
            return;
        p += 6 + 0x1e;
        sfi_sz -= 6 + 0x1e;
        while (sfi_sz > 6) { /* the StringTables */
            uint32_t st_sz = exe_u16(w->in, p);

            if (st_sz > sfi_sz || st_sz <= 24)
                return;
            if (vi_strings(w, p + 24, st_sz - 24) != 0)
                return;
            p += st_sz;
            sfi_sz -= st_sz;
        }
        return;
    }
}

size_t pe_vinfo_collect(const uint8_t *buf, size_t len, const struct pe_info *pe,
                        uint32_t *out, size_t max)
{
    struct exe_in in = {buf, len, 0};
    struct vi_walk w = {&in, pe, out, 0, max, PE_VINFO_MAX_ENTRIES};
    uint32_t rvas[PE_VINFO_MAX_RES];
    size_t nres;

    if (pe->ndirs < 3 || pe->dir_size[2] == 0)
        return 0;
    nres = vi_find(&w, rvas);
    for (size_t i = 0; i < nres; i++) {
        uint32_t at, data, res_sz;

        if (pe_rawaddr(pe, len, rvas[i], &at) != 0 || !exe_fits(&in, at, 16))
            continue;
        data = exe_u32(&in, at);
        res_sz = exe_u32(&in, (uint64_t)at + 4);
        if (pe_rawaddr(pe, len, data, &at) != 0 || res_sz == 0 ||
            !exe_fits(&in, at, res_sz))
            continue;
        vi_parse(&w, at, res_sz);
    }
    return w.n;
}
