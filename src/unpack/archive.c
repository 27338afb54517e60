/* archive.c - archives read through libarchive: zip (stored, deflate,
 * deflate64, implode, bzip2, lzma, xz, zstd members), 7z, rar 4 and 5 (as
 * far as libarchive reads them), tar (posix, gnu, v7), cpio (old binary
 * both endians, odc, newc, crc), iso9660, lha/lzh, xar and ar (.deb).
 * Compression filters are off: a .tar.gz is a gzip layer (gzip.c) holding
 * a tar layer, as ClamAV counts layers.
 * Spec: the formats are libarchive's business; this file only detects them
 * by their magic (APPNOTE 4.3.7 "PK\3\4", 7z "7z\xBC\xAF\x27\x1C", RAR
 * "Rar!\x1a\x07", POSIX 1003.1 ustar at 257, cpio(5), ECMA-119 "CD001" at
 * 0x8001, LHA "-lh?-" at 2, xar "xar!", ar "!<arch>\n") and names the
 * container type as ClamAV does.
 * Limits: every member decoded through unpack_budget() (size, ratio,
 * time); members are read in ARC_BLOCK pieces; libarchive is fed ARC_BLOCK
 * bytes at a time so the ratio sees what each member consumed. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>

#include "unpack/format.h"
#include "db/cdb.h"
#include "unpack/ooxml.h"
#include "unpack/outbuf.h"
#include "unpack/zipcd.h"
#include "unpack/zipdec.h"

#define ARC_BLOCK ((size_t)64 << 10)

static int arc_tar_checksum(const uint8_t *b, size_t len);

static int arc_detect(const uint8_t *b, size_t len)
{
    static const struct {
        size_t off, n;
        const char *magic;
    } m[] = {
        {0, 4, "PK\3\4"}, {0, 4, "PK\5\6"}, {0, 6, "7z\xbc\xaf\x27\x1c"},
        {0, 6, "Rar!\x1a\x07"}, {257, 5, "ustar"}, {0, 6, "070707"},
        {0, 6, "070701"}, {0, 6, "070702"}, {0, 2, "\xc7\x71"}, {0, 2, "\x71\xc7"},
        {0x8001, 5, "CD001"}, {0, 4, "xar!"}, {0, 8, "!<arch>\n"},
    };

    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (len >= m[i].off + m[i].n && memcmp(b + m[i].off, m[i].magic, m[i].n) == 0)
            return 1;
    if (len >= 21 && b[2] == '-' && b[3] == 'l' && (b[4] == 'h' || b[4] == 'z') &&
        b[6] == '-')
        return 1;
    return arc_tar_checksum(b, len);
}

/* A v7 tar header: the checksum field (octal at 148) equals the sum of the
 * header bytes with the field counted as spaces, and a name is present. */
static int arc_tar_checksum(const uint8_t *b, size_t len)
{
    unsigned long want = 0, sum = 0;
    size_t i;

    if (len < 512 || b[0] == 0)
        return 0;
    for (i = 148; i < 156 && b[i] == ' '; i++)
        ;
    if (i == 156 || b[i] < '0' || b[i] > '7')
        return 0;
    for (; i < 156 && b[i] >= '0' && b[i] <= '7'; i++)
        want = want * 8 + (unsigned long)(b[i] - '0');
    for (i = 0; i < 512; i++)
        sum += (i >= 148 && i < 156) ? ' ' : b[i];
    return sum == want;
}

/* ClamAV's container type names for libarchive's formats. */
static const char *arc_type(int fmt)
{
    static const struct {
        int code;
        const char *name;
    } t[] = {
        {ARCHIVE_FORMAT_ZIP, "ZIP"},
        {ARCHIVE_FORMAT_7ZIP, "7Z"},
        {ARCHIVE_FORMAT_RAR, "RAR"},
        {ARCHIVE_FORMAT_RAR_V5, "RAR"},
        {ARCHIVE_FORMAT_TAR, "OLD_TAR"},
        {ARCHIVE_FORMAT_TAR_USTAR, "POSIX_TAR"},
        {ARCHIVE_FORMAT_TAR_PAX_INTERCHANGE, "POSIX_TAR"},
        {ARCHIVE_FORMAT_TAR_PAX_RESTRICTED, "POSIX_TAR"},
        {ARCHIVE_FORMAT_TAR_GNUTAR, "POSIX_TAR"},
        {ARCHIVE_FORMAT_CPIO_POSIX, "CPIO_ODC"},
        {ARCHIVE_FORMAT_CPIO_BIN_LE, "CPIO_OLD"},
        {ARCHIVE_FORMAT_CPIO_BIN_BE, "CPIO_OLD"},
        {ARCHIVE_FORMAT_CPIO_SVR4_NOCRC, "CPIO_NEWC"},
        {ARCHIVE_FORMAT_CPIO_SVR4_CRC, "CPIO_CRC"},
        {ARCHIVE_FORMAT_ISO9660, "ISO9660"},
        {ARCHIVE_FORMAT_ISO9660_ROCKRIDGE, "ISO9660"},
        {ARCHIVE_FORMAT_LHA, "LHA_LZH"},
        {ARCHIVE_FORMAT_XAR, "XAR"},
        {ARCHIVE_FORMAT_AR, "AR"},
        {ARCHIVE_FORMAT_AR_GNU, "AR"},
        {ARCHIVE_FORMAT_AR_BSD, "AR"},
    };

    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        if (t[i].code == fmt)
            return t[i].name;
    return "ANY";
}

/* The reader: the object in memory, handed out ARC_BLOCK bytes at a time. */
struct arc_src {
    const uint8_t *data;
    size_t len, off;
    uint64_t fed; /* bytes handed to libarchive so far */
};

static la_ssize_t arc_read(struct archive *a, void *ctx, const void **buf)
{
    struct arc_src *s = ctx;
    size_t n = s->len - s->off;

    (void)a;
    if (n > ARC_BLOCK)
        n = ARC_BLOCK;
    *buf = s->data + s->off;
    s->off += n;
    s->fed += n;
    return (la_ssize_t)n;
}

static la_int64_t arc_seek(struct archive *a, void *ctx, la_int64_t off, int whence)
{
    struct arc_src *s = ctx;
    la_int64_t base = whence == SEEK_SET ? 0
                      : whence == SEEK_CUR ? (la_int64_t)s->off
                                           : (la_int64_t)s->len;

    (void)a;
    if (off < -base || off > (la_int64_t)s->len - base)
        return ARCHIVE_FATAL;
    s->off = (size_t)(base + off);
    return (la_int64_t)s->off;
}

static la_int64_t arc_skip(struct archive *a, void *ctx, la_int64_t n)
{
    struct arc_src *s = ctx;
    size_t left = s->len - s->off;

    (void)a;
    if (n < 0)
        return 0;
    if ((uint64_t)n > left)
        n = (la_int64_t)left;
    s->off += (size_t)n;
    return n;
}

/* Decodes the current member into b, within the scan layer's budget.
 * Returns 1 when the member ended early: cut at the budget (*cut), or a
 * read error (*damaged). */
static vigil_status arc_member(struct unpack *u, struct archive *a, struct arc_src *src,
                               struct outbuf *b, int *cut, int *damaged)
{
    uint64_t fed0 = src->fed;
    size_t room;
    la_ssize_t got;
    int stop = 0;
    vigil_status st;

    for (;;) {
        outbuf_limit(b, unpack_budget(u, b->len, src->fed - fed0, &stop));
        if (stop)
            return VIGIL_OK;
        if ((st = outbuf_reserve(b, ARC_BLOCK, &room)) != VIGIL_OK)
            return st;
        if (room == 0) {
            *cut = 1;
            return VIGIL_OK;
        }
        got = archive_read_data(a, b->p + b->len, room < ARC_BLOCK ? room : ARC_BLOCK);
        if (got == 0)
            return VIGIL_OK;
        if (got < 0) {
            *damaged = 1;
            return VIGIL_OK;
        }
        b->len += (size_t)got;
    }
}

/* The container metadata signatures on one member (before unpacking):
 * sizes from the header, and for zip the central directory's compressed
 * size. Returns 1 when the walk must end. */
static int arc_meta(struct unpack *u, struct archive_entry *e, const char *name,
                    struct zipcd_iter *cd, uint64_t pos, struct zipcd_entry *ze,
                    vigil_status *st)
{
    struct cdb_member m = {name, CDB_UNKNOWN, CDB_UNKNOWN, pos,
                           archive_entry_is_encrypted(e) != 0};

    if (archive_entry_size_is_set(e) && archive_entry_size(e) >= 0)
        m.rsize = (uint64_t)archive_entry_size(e);
    /* What clamscan 1.4.6 passes (measured with one-field signatures). It
     * checks a zip member twice, from the central directory and from the
     * local header: with --allmatch a match is reported twice (measured). */
    if (strcmp(u->type, "ZIP") == 0 || strncmp(u->type, "OOXML_", 6) == 0) {
        if (zipcd_iter_next(cd, name, ze))
            m.csize = ze->csize;
        if (unpack_meta(u, &m, st))
            return 1;
    }
    else if (strstr(u->type, "TAR") || strncmp(u->type, "CPIO", 4) == 0)
        m.csize = m.rsize; /* stored as is */
    else if (strcmp(u->type, "7Z") == 0)
        m.csize = m.pos = 0; /* neither known to ClamAV's 7z reader */
    return unpack_meta(u, &m, st);
}

/* Decodes a zip member of a method libarchive does not read (Deflate64,
 * implode) from its data in the object, within the budget. */
static vigil_status arc_zipdec(struct unpack *u, const struct zipcd_entry *ze,
                               struct outbuf *b, int *cut, int *damaged)
{
    uint64_t avail = u->len - ze->data, csize = ze->csize < avail ? ze->csize : avail;
    size_t want, room, made = 0;
    int stop = 0, rc;
    vigil_status st;

    want = unpack_budget(u, ze->usize, csize, &stop);
    if (stop)
        return VIGIL_OK;
    if (ze->usize < want)
        want = (size_t)ze->usize;
    else if (ze->usize > want)
        *cut = 1;
    outbuf_limit(b, want);
    if (want && (st = outbuf_reserve(b, want, &room)) != VIGIL_OK)
        return st;
    if (ze->method == 9)
        rc = zipdec_inflate64(u->data + ze->data, (size_t)csize, b->p, want, &made);
    else
        rc = zipdec_explode(u->data + ze->data, (size_t)csize, ze->flags, b->p, want, &made);
    b->len = made;
    if (rc < 0 || csize < ze->csize)
        *damaged = 1;
    return VIGIL_OK;
}

/* Whether vigil decodes this zip member itself (libarchive refuses it). */
static int arc_own_zip(const struct unpack *u, const struct zipcd_entry *ze)
{
    return ze && (strcmp(u->type, "ZIP") == 0 || strncmp(u->type, "OOXML_", 6) == 0) &&
           (ze->method == 9 || ze->method == 6) &&
           !(ze->flags & 1) && ze->data < u->len;
}

/* Scans one member; returns 1 when the walk must end. */
static int arc_entry(struct unpack *u, struct archive *a, struct archive_entry *e,
                     const char *name, struct arc_src *src, const struct zipcd_entry *ze,
                     vigil_status *st)
{
    struct outbuf b;
    uint64_t fed0 = src->fed;
    int cut = 0, damaged = 0, stop = 0;

    if (archive_entry_filetype(e) != AE_IFREG)
        return 0;
    if (!name)
        name = "";
    if (archive_entry_is_data_encrypted(e)) {
        unpack_encrypted(u, name);
        return 0;
    }
    outbuf_init(&b, 0);
    if (arc_own_zip(u, ze))
        *st = arc_zipdec(u, ze, &b, &cut, &damaged);
    else
        *st = arc_member(u, a, src, &b, &cut, &damaged);
    if (*st == VIGIL_OK) {
        if (damaged)
            unpack_damaged(u);
        if (cut)
            unpack_too_big(u, name);
        /* clamscan names no xar member in layer paths (measured). */
        stop = unpack_child(u, b.p ? b.p : (const uint8_t *)"", b.len,
                            strcmp(u->type, "XAR") ? name : NULL, src->fed - fed0, st);
    }
    outbuf_free(&b);
    return stop || *st != VIGIL_OK;
}

static struct archive *arc_open(struct arc_src *src)
{
    struct archive *a = archive_read_new();

    if (!a)
        return NULL;
    /* Exactly the formats this walker detects: libarchive's other readers
     * (cab, mtree, warc, raw, ...) are attack surface vigil does not need
     * (its cab reader crashes on fuzzed input; cab goes to libmspack). */
    archive_read_support_filter_none(a);
    archive_read_support_format_zip(a);
    archive_read_support_format_7zip(a);
    archive_read_support_format_rar(a);
    archive_read_support_format_rar5(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_cpio(a);
    archive_read_support_format_iso9660(a);
    archive_read_support_format_lha(a);
    archive_read_support_format_xar(a);
    archive_read_support_format_ar(a);
    /* clamscan names ISO 9660 members by their plain ISO names (CLAM.EXE),
     * not by Rock Ridge or Joliet names (measured). */
    (void)archive_read_set_options(a, "iso9660:!rockridge,iso9660:!joliet");
    archive_read_set_read_callback(a, arc_read);
    archive_read_set_seek_callback(a, arc_seek);
    archive_read_set_skip_callback(a, arc_skip);
    archive_read_set_callback_data(a, src);
    if (archive_read_open1(a) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

/* A zip whose entries overlap is a bomb: alerted and not unpacked. */
static vigil_status arc_zip_bomb(struct unpack *u, int *bomb)
{
    char last[256];
    vigil_status st;

    *bomb = 0;
    if (u->len < 4 || memcmp(u->data, "PK", 2) != 0)
        return VIGIL_OK;
    st = zipcd_check(u->data, u->len, bomb, last, sizeof last);
    if (st == VIGIL_OK && *bomb) {
        u->type = "ZIP";
        unpack_heuristic(u, "Heuristics.Zip.OverlappingFiles", last);
    }
    return st;
}

static vigil_status arc_walk(struct unpack *u)
{
    struct arc_src src = {u->data, u->len, 0, 0};
    struct archive *a = NULL;
    struct archive_entry *e;
    struct zipcd_iter cd;
    uint64_t pos = 0;
    vigil_status st;
    int rc, bomb;

    if ((st = arc_zip_bomb(u, &bomb)) != VIGIL_OK || bomb)
        return st;
    a = arc_open(&src);
    if (!a) {
        unpack_damaged(u);
        return VIGIL_OK;
    }
    zipcd_iter_init(&cd, u->data, u->len);
    while ((rc = archive_read_next_header(a, &e)) == ARCHIVE_OK || rc == ARCHIVE_WARN) {
        const char *name = archive_entry_pathname(e);
        struct zipcd_entry ze = {.data = UINT64_MAX};
        u->type = arc_type(archive_format(a));
        /* ... and by the last part of the path only (measured). */
        if (name && strcmp(u->type, "ISO9660") == 0 && strrchr(name, '/'))
            name = strrchr(name, '/') + 1;
        if (strcmp(u->type, "ZIP") == 0 && ooxml_type(u->data, u->len))
            u->type = ooxml_type(u->data, u->len); /* Office Open XML */
        if (arc_meta(u, e, name ? name : "", &cd, ++pos, &ze, &st) ||
            arc_entry(u, a, e, name ? name : "", &src, ze.data == UINT64_MAX ? NULL : &ze,
                      &st))
            break;
    }
    if (rc == ARCHIVE_FATAL || rc == ARCHIVE_FAILED)
        unpack_damaged(u);
    archive_read_free(a);
    return st;
}

int archive_is_tar(const uint8_t *b, size_t len)
{
    return (len >= 262 && memcmp(b + 257, "ustar", 5) == 0) || arc_tar_checksum(b, len);
}

const struct vigil_format format_archive = {
    .name = "ANY",
    .detect = arc_detect,
    .walk = arc_walk,
};
