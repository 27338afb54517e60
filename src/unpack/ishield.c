/* ishield.c - InstallShield setups, the two kinds ClamAV's
 * libclamav/ishield.c unpacks:
 *  - ISHIELD_MSI: "InstallShield\0", a 32-byte header (file count, then
 *    24 zero bytes), then per file a 312-byte block (a 260-byte name, the
 *    compressed size at 0x10c) and the data: each byte nibble-swapped and
 *    XORed with the name XORed with ec ca 79 f8, then a zlib stream. The
 *    files (an .msi, .ini, ...) are unnamed children.
 *  - The older setup appended to a PE32 as its overlay (format "MSEXE",
 *    its children being the executable's): records of four NUL-ended
 *    strings (name, path, version, decimal size) and the data. Each file is
 *    a child named by its record, except dataN.cab and data1.hdr: the
 *    header (magic "ISc(") lists the files of the InstallShield cabinets,
 *    each stored as chunks (16-bit size, raw deflate). When every listed
 *    file could be extracted the cabinets are not scanned themselves; when
 *    one could not, the header and the cabinets are scanned whole, as
 *    clamscan does.
 * Limits: every string, record and table entry is checked against the
 * object; each child's size is bounded by unpack_budget(); at most
 * IS_MAX_FILES records and files, IS_MAX_CABS cabinets. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "db/cdb.h"
#include "unpack/format.h"
#include "unpack/outbuf.h"

#define IS_MSI_MAGIC "InstallShield"
#define IS_MSI_SIG 327 /* the length of ClamAV's ISHIELD-MSI magic */
#define IS_FB 312      /* a file block of the MSI kind */
#define IS_FB_NAME 0x104
#define IS_MAX_STR 2048
#define IS_MAX_FILES 100000
#define IS_MAX_CABS 64
#define IS_ITEM 87 /* a file item of data1.hdr */
#define IS_OBJECTS 74
#define IS_STEP ((size_t)1 << 16)

static const uint8_t is_skey[4] = {0xec, 0xca, 0x79, 0xf8};

static uint16_t le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static uint64_t le64(const uint8_t *p)
{
    return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static int fits(size_t len, uint64_t off, uint64_t n)
{
    return off <= len && n <= len - off;
}

/* ClamAV's magic: the name, 292 bytes, 06 00 00 00 00 00 00 00, the
 * compressed size, 00 00 00 00 01. (A type-1 magic only: found inside
 * executables by scan/installer.c.) */
int ishield_msi_magic(const uint8_t *buf, size_t len);

int ishield_msi_magic(const uint8_t *buf, size_t len)
{
    static const uint8_t a[8] = {6, 0, 0, 0, 0, 0, 0, 0}, b[5] = {0, 0, 0, 0, 1};

    return len >= IS_MSI_SIG && memcmp(buf, IS_MSI_MAGIC, 14) == 0 &&
           memcmp(buf + 306, a, 8) == 0 && memcmp(buf + 322, b, 5) == 0;
}

/* Inflates in[0..len) (zlib header when wbits > 0, raw when < 0) onto b,
 * stopping at b's maximum (*cut). Returns 0 at the end of the stream, 1
 * when the input ended first, -1 on damage or no memory (*st). */
static int is_inflate(const uint8_t *in, size_t len, int wbits, struct outbuf *b, int *cut,
                      vigil_status *st)
{
    z_stream z;
    int rc = Z_OK, ret = 1;

    memset(&z, 0, sizeof z);
    if (inflateInit2(&z, wbits) != Z_OK) {
        *st = VIGIL_ENOMEM;
        return -1;
    }
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)(len > UINT32_MAX ? UINT32_MAX : len);
    while (rc == Z_OK) {
        size_t room;
        if (outbuf_reserve(b, IS_STEP, &room) != VIGIL_OK) {
            *st = VIGIL_ENOMEM;
            ret = -1;
            break;
        }
        if (room == 0) {
            *cut = 1;
            ret = 0;
            break;
        }
        z.next_out = b->p + b->len;
        z.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        rc = inflate(&z, Z_NO_FLUSH);
        b->len += room - z.avail_out;
        if (rc == Z_STREAM_END)
            ret = 0;
        else if (rc == Z_BUF_ERROR)
            ret = 1; /* input ended */
        else if (rc != Z_OK)
            ret = -1;
    }
    inflateEnd(&z);
    return ret;
}

/* One file of the MSI kind at data[0..csize); its name key is name. */
static int ishield_msi_file(struct unpack *u, const uint8_t *data, uint64_t csize,
                            const char *name, vigil_status *st)
{
    size_t klen = strlen(name), max;
    uint8_t key[IS_FB_NAME], *in;
    struct outbuf b;
    int stop = 0, cut = 0, done = 0, rc;

    max = unpack_budget(u, 0, csize, &stop);
    if (stop)
        return 1;
    in = malloc(csize ? (size_t)csize : 1);
    if (!in) {
        *st = VIGIL_ENOMEM;
        return 1;
    }
    for (size_t i = 0; i < klen; i++)
        key[i] = (uint8_t)name[i] ^ is_skey[i & 3];
    for (size_t i = 0; i < csize; i++) {
        uint8_t c = (uint8_t)(data[i] >> 4 | data[i] << 4);
        in[i] = c ^ key[(i & 0x3ff) % klen];
    }
    outbuf_init(&b, max);
    rc = is_inflate(in, (size_t)csize, MAX_WBITS, &b, &cut, st);
    free(in);
    if (rc < 0 && *st != VIGIL_OK) {
        outbuf_free(&b);
        return 1;
    }
    if (rc != 0)
        unpack_damaged(u);
    if (cut)
        unpack_too_big(u, NULL);
    if (b.len)
        done = unpack_child(u, b.p, b.len, NULL, csize, st);
    outbuf_free(&b);
    return done;
}

static vigil_status ishield_msi_walk(struct unpack *u)
{
    const uint8_t *p = u->data;
    uint64_t off = 14;
    uint32_t count;
    vigil_status st = VIGIL_OK;

    if (!ishield_msi_magic(p, u->len))
        return VIGIL_OK;
    for (int i = 8; i < 0x20; i += 4)
        if (le32(p + off + (size_t)i))
            return VIGIL_OK;
    count = le32(p + off);
    off += 0x20;
    for (uint32_t n = 0; n < count && n < IS_MAX_FILES; n++) {
        char name[IS_FB_NAME];
        uint64_t csize;
        if (!fits(u->len, off, IS_FB)) {
            unpack_damaged(u);
            break;
        }
        memcpy(name, p + off, IS_FB_NAME);
        name[IS_FB_NAME - 1] = '\0';
        csize = le64(p + off + IS_FB_NAME + 8);
        off += IS_FB;
        if (!fits(u->len, off, csize)) {
            unpack_damaged(u);
            break;
        }
        if (name[0] == '\0')
            break; /* ClamAV: no key, no more files */
        if (ishield_msi_file(u, p + off, csize, name, &st))
            break;
        off += csize;
    }
    return st;
}

/* Never at the start of an object: clamscan looks for this kind only
 * inside executables (measured: the setup alone is not unpacked; behind
 * "MZ" it is). */
static int ishield_never(const uint8_t *buf, size_t len)
{
    (void)buf;
    (void)len;
    return 0;
}

const struct vigil_format format_ishield_msi = {
    .name = "ISHIELD_MSI",
    .detect = ishield_never,
    .walk = ishield_msi_walk,
};

/* ---- the setup in a PE overlay ---- */

struct is_cab {
    long no;
    size_t off, size;
};

struct is_run {
    struct unpack *u;
    struct is_cab cab[IS_MAX_CABS];
    unsigned ncab;
    int have_hdr;
    size_t hdr, hdr_size;
};

/* The NUL-ended string at *off (within IS_MAX_STR bytes), or NULL. */
static const char *is_string(const struct unpack *u, size_t *off)
{
    size_t left = u->len - *off, n = left < IS_MAX_STR ? left : IS_MAX_STR;
    const char *s = (const char *)u->data + *off;
    const void *nul = *off < u->len ? memchr(s, 0, n) : NULL;

    if (!nul)
        return NULL;
    *off += (size_t)((const char *)nul - s) + 1;
    return s;
}

/* A whole decimal size, as strtol would accept it and ClamAV checks it. */
static int is_size(const char *s, long *out)
{
    char *end = NULL;
    long v = strtol(s, &end, 10);

    if (!*s || !end || end == s || *end || v < 0 || v == LONG_MAX)
        return -1;
    *out = v;
    return 0;
}

/* Records dataN.cab and data1.hdr; returns 1 when the file was kept. */
static int is_keep(struct is_run *r, const char *name, size_t off, size_t size)
{
    char *end = NULL;
    long no;
    unsigned i;

    if (strncasecmp(name, "data", 4) != 0)
        return 0;
    if (strcasecmp(name + 4, "1.hdr") == 0 && !r->have_hdr) {
        r->have_hdr = 1;
        r->hdr = off;
        r->hdr_size = size;
        return 1;
    }
    no = strtol(name + 4, &end, 10);
    if (!(no > 0 && no < 65536 && name[4] && end && end != name + 4 &&
          strcasecmp(end, ".cab") == 0))
        return 0;
    /* ClamAV's duplicate test compares the index with the number. */
    for (i = 0; i < r->ncab && (long)i != r->cab[i].no; i++)
        ;
    if (i != r->ncab || r->ncab == IS_MAX_CABS)
        return 0;
    r->cab[r->ncab++] = (struct is_cab){no, off, size};
    return 1;
}

/* One file stored in an InstallShield cabinet: chunks of raw deflate.
 * Returns 1 when the walk ends; *ok 0 when the file could not be read. */
static int is_cab_file(struct is_run *r, uint64_t off, uint64_t csize, const char *name,
                       int *ok, vigil_status *st)
{
    struct unpack *u = r->u;
    struct outbuf b;
    int stop = 0, cut = 0, good = 0, done = 0;
    uint64_t in = csize;

    outbuf_init(&b, unpack_budget(u, 0, csize, &stop));
    if (stop)
        return 1;
    while (csize && !cut) {
        uint16_t chunk;
        good = 0;
        if (csize < 2 || !fits(u->len, off, 2))
            break;
        chunk = le16(u->data + off);
        csize -= 2;
        off += 2;
        if (chunk == 0)
            continue;
        if (csize < chunk || !fits(u->len, off, chunk))
            break;
        csize -= chunk;
        if (is_inflate(u->data + off, chunk, -MAX_WBITS, &b, &cut, st) < 0) {
            if (*st != VIGIL_OK) {
                outbuf_free(&b);
                return 1;
            }
            break;
        }
        off += chunk;
        good = 1;
    }
    *ok = good;
    if (!good)
        unpack_damaged(u);
    if (cut)
        unpack_too_big(u, name);
    if (good && b.len)
        done = unpack_child(u, b.p, b.len, name, in, st);
    outbuf_free(&b);
    return done;
}

/* The files data1.hdr lists. Returns 0 when every file was extracted, 1
 * when the header is not usable or a file could not be extracted (the
 * header and the cabinets are then scanned whole, as ClamAV does), 2 when
 * the walk must end. */
static int is_header(struct is_run *r, vigil_status *st)
{
    const uint8_t *d = r->u->data;
    size_t len = r->u->len, h = r->hdr;
    uint32_t data_off, dirs_off, nfiles, off;
    int ret = 0;

    if (!r->have_hdr || !r->hdr_size || !r->ncab || !fits(len, h, 16))
        return 1;
    data_off = le32(d + h + 12);
    if (!fits(len, (uint64_t)h + data_off, IS_OBJECTS) || le32(d + h) != 0x28635349)
        return 1;
    dirs_off = le32(d + h + data_off + 12);
    nfiles = le32(d + h + data_off + 40);
    off = data_off + dirs_off + le32(d + h + data_off + 44);
    for (uint32_t i = 0; i < nfiles && i < IS_MAX_FILES; i++, off += IS_ITEM) {
        const uint8_t *f;
        uint64_t size, csize, soff;
        unsigned j;
        int ok = 1;
        if (!fits(len, (uint64_t)h + off, IS_ITEM))
            return 1;
        f = d + h + off;
        if (le16(f) != 4 || (f[84] & 1) || !(size = le64(f + 2)))
            continue; /* external, unknown, a duplicate or empty */
        csize = le64(f + 10);
        soff = le64(f + 18);
        for (j = 0; j < r->ncab && r->cab[j].no != le16(f + 85); j++)
            ;
        if (j == r->ncab || soff > r->cab[j].size || csize > r->cab[j].size - soff) {
            ret = 1;
            continue;
        }
        if (is_cab_file(r, r->cab[j].off + soff, csize, NULL, &ok, st))
            return 2;
        if (!ok)
            ret = 1;
    }
    return ret;
}

/* The whole-file children: data1.hdr and the cabinets. */
static void is_whole(struct is_run *r, vigil_status *st)
{
    struct unpack *u = r->u;

    if (r->have_hdr && r->hdr_size &&
        unpack_child(u, u->data + r->hdr, r->hdr_size, NULL, r->hdr_size, st))
        return;
    for (unsigned i = 0; i < r->ncab; i++)
        if (r->cab[i].size &&
            unpack_child(u, u->data + r->cab[i].off, r->cab[i].size, NULL, r->cab[i].size, st))
            return;
}

static vigil_status ishield_walk(struct unpack *u)
{
    struct is_run r = {.u = u};
    vigil_status st = VIGIL_OK;
    size_t off = 0, left = u->len;
    int hdr;

    for (unsigned n = 0; n < IS_MAX_FILES; n++) {
        const char *name, *s = NULL;
        struct cdb_member meta;
        size_t start = off;
        long size;
        int i;
        if (!(name = is_string(u, &off)))
            break;
        for (i = 0; i < 3 && (s = is_string(u, &off)); i++)
            ;
        if (i < 3 || is_size(s, &size))
            break;
        if ((size_t)size >= left || off - start >= left - (size_t)size) {
            /* ClamAV's test: a record ending exactly at the end of the
             * object is not scanned either (setup.inx of the samples). */
            if ((size_t)size > left || off - start > left - (size_t)size)
                unpack_damaged(u); /* its data is cut */
            break;
        }
        /* ClamAV numbers these records from 0 (cli_matchmeta's fc++). */
        meta = (struct cdb_member){name, (uint64_t)size, (uint64_t)size, n, 0};
        if (unpack_meta(u, &meta, &st))
            return st;
        left -= off - start + (size_t)size;
        if (!is_keep(&r, name, off, (size_t)size) && size > 0 &&
            unpack_child(u, u->data + off, (size_t)size, name, (uint64_t)size, &st))
            return st;
        off += (size_t)size;
    }
    if (!r.ncab && !r.have_hdr)
        return st;
    hdr = is_header(&r, &st);
    if (hdr == 1)
        is_whole(&r, &st);
    return st;
}

const struct vigil_format format_ishield = {
    .name = "MSEXE",
    .detect = ishield_never, /* found only in a PE overlay: no magic */
    .walk = ishield_walk,
};
