/* cvd_tar.c - the tar archive inside a ClamAV container, read with
 * libarchive and zlib (no hand-written tar or inflate).
 *
 * Spec: libclamav/cvd.c cli_tgzload: the archive is gzip-compressed unless
 * its first seven bytes are "COPYING" (freshclam writes .cld files as plain
 * tar, COPYING first); entries must be plain files ('0' or NUL type) with
 * names free of '/'. vigil also refuses links, names longer than tar's 100
 * bytes or not printable, and lets libarchive check every header checksum.
 * zlib inflates a gzip body (libarchive sees a plain tar) so that vigil can
 * go on to the end of the gzip stream after the last entry and check its CRC,
 * as ClamAV's gzread does.
 * Limits: CVD_MAX_ENTRIES entries, CVD_MAX_ENTRY bytes per entry and
 * CVD_MAX_UNPACKED in all, counted from the sizes the headers declare before
 * their data is read; CVD_MAX_INFLATED bytes inflated in all; 64 KiB steps. */
#include "db/cvd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <archive.h>
#include <archive_entry.h>
#include <zlib.h>

#include "io/source.h"

#define TAR_STEP (64u * 1024)

/* Reads the next raw bytes of the body into t->in, up to the size the source
 * had when the load started. Returns the count (0 at the end), or -1. */
static long tar_raw(struct cvd_tar *t)
{
    uint64_t left = t->off < t->src->size ? t->src->size - t->off : 0;
    size_t got = 0;

    if (left == 0)
        return 0;
    if (source_read(t->src, t->off, t->in, left < TAR_STEP ? (size_t)left : TAR_STEP,
                    &got) != VIGIL_OK)
        return -1;
    t->off += got;
    return (long)got;
}

/* Gives zlib the next raw bytes. Returns 0, or -1 with *why. */
static int tar_refill(struct cvd_tar *t, const char **why)
{
    long r = tar_raw(t);

    if (r <= 0) {
        *why = r < 0 ? "read error" : "the gzip stream is truncated";
        return -1;
    }
    t->z->next_in = t->in;
    t->z->avail_in = (uInt)r;
    return 0;
}

/* Inflates up to TAR_STEP bytes into t->out. A member's end checks its CRC
 * and length (zlib does); another member may follow, as gzread allows, but
 * nothing else. Returns the count (0 at the end), or -1 with *why. */
static long tar_inflate(struct cvd_tar *t, const char **why)
{
    z_stream *z = t->z;
    long r;

    z->next_out = t->out;
    z->avail_out = TAR_STEP;
    while (z->avail_out > 0 && !t->z_done) {
        if (z->avail_in == 0 && tar_refill(t, why) != 0)
            return -1;
        r = inflate(z, Z_NO_FLUSH);
        /* No progress with input and room to spare cannot be waited out. */
        if (r == Z_BUF_ERROR && z->avail_in > 0)
            r = Z_DATA_ERROR;
        if (r == Z_STREAM_END) {
            t->z_done = z->avail_in == 0 && t->off >= t->src->size;
            if (!t->z_done && inflateReset(z) != Z_OK)
                r = Z_STREAM_ERROR;
        }
        if (r != Z_OK && r != Z_STREAM_END && r != Z_BUF_ERROR) {
            *why = r == Z_MEM_ERROR ? "out of memory"
                                    : "the gzip stream is damaged (bad data or CRC)";
            return -1;
        }
    }
    t->inflated += TAR_STEP - z->avail_out;
    if (t->inflated > CVD_MAX_INFLATED) {
        *why = "the gzip stream decompresses to more than the limit";
        return -1;
    }
    return (long)(TAR_STEP - z->avail_out);
}

/* libarchive's read callback: raw bytes of a plain tar, inflated ones of a
 * gzip body. */
static la_ssize_t tar_feed(struct archive *a, void *ud, const void **buf)
{
    struct cvd_tar *t = ud;
    const char *why = "read error";
    long r = t->z ? tar_inflate(t, &why) : tar_raw(t);

    if (r < 0) {
        archive_set_error(a, EIO, "%s", why);
        return -1;
    }
    *buf = t->z ? t->out : t->in;
    return (la_ssize_t)r;
}

/* Keeps libarchive's error text, which lives only until its next call. */
static const char *tar_error(struct cvd_tar *t, const char *what)
{
    const char *msg = t->a ? archive_error_string(t->a) : NULL;

    snprintf(t->err, sizeof t->err, "%s: %s", what, msg ? msg : "unknown error");
    return t->err;
}

/* Decides between gzip and plain tar from the first bytes of the body.
 * Returns 1 for gzip, 0 for plain, -1 for neither. */
static int tar_compressed(const struct source *src)
{
    uint8_t b[7];
    size_t got = 0;

    if (source_read(src, CVD_HEADER_SIZE, b, sizeof b, &got) != VIGIL_OK)
        return -1;
    if (got == sizeof b && memcmp(b, "COPYING", 7) == 0)
        return 0;
    if (got >= 2 && b[0] == 0x1f && b[1] == 0x8b)
        return 1;
    return -1;
}

/* Sets up zlib for a gzip body (windowBits 15 + 16: gzip wrapper only). */
static const char *tar_zlib(struct cvd_tar *t)
{
    t->z = calloc(1, sizeof *t->z);
    t->out = malloc(TAR_STEP);
    if (!t->z || !t->out)
        return "out of memory";
    if (inflateInit2(t->z, 15 + 16) != Z_OK) {
        free(t->z);
        t->z = NULL;
        return "out of memory";
    }
    return NULL;
}

const char *cvd_tar_open(struct cvd_tar *t, const struct source *src)
{
    int gz = tar_compressed(src);
    const char *why;

    memset(t, 0, sizeof *t);
    t->src = src;
    t->off = CVD_HEADER_SIZE;
    if (gz < 0)
        return "the body is neither gzip-compressed nor a tar archive starting "
               "with COPYING";
    t->in = malloc(TAR_STEP);
    if (!t->in)
        return "out of memory";
    if (gz && (why = tar_zlib(t)) != NULL)
        return why;
    t->a = archive_read_new();
    if (!t->a)
        return "out of memory";
    if (archive_read_support_format_tar(t->a) != ARCHIVE_OK)
        return tar_error(t, "cannot set up the archive reader");
    if (archive_read_open(t->a, t, NULL, tar_feed, NULL) != ARCHIVE_OK)
        return tar_error(t, "not a readable tar archive");
    return NULL;
}

/* Checks an entry name as ClamAV's unpacker and vigil's messages need it. */
static const char *tar_name_check(const char *name)
{
    size_t n = name ? strlen(name) : 0;

    if (n == 0 || n > CVD_MAX_NAME)
        return "archive entry with an empty or over-long name";
    if (strchr(name, '/'))
        return "archive entry name with a slash (directories are not allowed)";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
            return "archive entry name that is not printable ASCII";
    return NULL;
}

/* Checks the kind and size of an entry and counts it. */
static const char *tar_entry_check(struct cvd_tar *t, struct archive_entry *ent,
                                   uint64_t *size)
{
    int64_t sz = archive_entry_size(ent);

    if (archive_entry_filetype(ent) != AE_IFREG || archive_entry_hardlink(ent) ||
        archive_entry_symlink(ent))
        return "archive entry that is not a plain file";
    if (!archive_entry_size_is_set(ent) || sz < 0)
        return "archive entry without a size";
    if ((uint64_t)sz > CVD_MAX_ENTRY)
        return "archive entry larger than the limit (1 GiB)";
    if ((uint64_t)sz > CVD_MAX_UNPACKED - t->unpacked)
        return "archive larger than the limit (8 GiB unpacked)";
    if (++t->entries > CVD_MAX_ENTRIES)
        return "archive with too many entries";
    t->unpacked += (uint64_t)sz;
    *size = (uint64_t)sz;
    return NULL;
}

int cvd_tar_next(struct cvd_tar *t, const char **name, uint64_t *size, const char **why)
{
    struct archive_entry *ent;
    int r = archive_read_next_header(t->a, &ent);

    if (r == ARCHIVE_EOF)
        return 0;
    if (r != ARCHIVE_OK) {
        *why = tar_error(t, "damaged archive");
        return -1;
    }
    *name = archive_entry_pathname(ent);
    *why = tar_name_check(*name);
    if (!*why)
        *why = tar_entry_check(t, ent, size);
    return *why ? -1 : 1;
}

/* Grows *p (of *cap bytes) toward size. Returns 0, or -1 out of memory. */
static int tar_grow(uint8_t **p, uint64_t *cap, uint64_t size)
{
    uint64_t nc = *cap * 2 < size ? *cap * 2 : size;
    uint8_t *np = realloc(*p, (size_t)nc);

    if (!np)
        return -1;
    *p = np;
    *cap = nc;
    return 0;
}

const char *cvd_tar_read(struct cvd_tar *t, uint64_t size, uint64_t max, uint8_t **data)
{
    /* The buffer grows with the data that actually arrives, so a header that
     * only claims a large size costs no large allocation. */
    uint64_t got = 0, cap = size < TAR_STEP ? size : TAR_STEP;
    uint8_t *p;
    const char *why = NULL;

    *data = NULL;
    if (size > max)
        return "file larger than the limit for its kind";
    p = malloc(cap ? (size_t)cap : 1);
    while (p && got < size && !why) {
        la_ssize_t r;
        if (got == cap && tar_grow(&p, &cap, size) != 0)
            break;
        r = archive_read_data(t->a, p + got, (size_t)(cap - got));
        if (r <= 0)
            why = r < 0 ? tar_error(t, "damaged archive") : "archive entry is truncated";
        else
            got += (uint64_t)r;
    }
    if (!why && got < size)
        why = "out of memory";
    if (why || !p) {
        free(p);
        return why ? why : "out of memory";
    }
    *data = p;
    return NULL;
}

const char *cvd_tar_skip(struct cvd_tar *t)
{
    if (archive_read_data_skip(t->a) != ARCHIVE_OK)
        return tar_error(t, "damaged archive");
    return NULL;
}

const char *cvd_tar_finish(struct cvd_tar *t)
{
    const char *why = NULL;
    long r = 1;

    while (t->z && r > 0)
        r = tar_inflate(t, &why);
    return r < 0 ? why : NULL;
}

void cvd_tar_close(struct cvd_tar *t)
{
    if (t->a)
        archive_read_free(t->a);
    if (t->z)
        inflateEnd(t->z);
    free(t->z);
    free(t->in);
    free(t->out);
    /* t->err stays: a reason returned earlier may point into it. */
    t->a = NULL;
    t->z = NULL;
    t->in = t->out = NULL;
}
