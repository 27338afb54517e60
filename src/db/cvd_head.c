/* cvd_head.c - the header of a ClamAV container and of its .info manifest.
 *
 * Spec: libclamav/cvd.c cl_cvdparse and sigtool's build(), which writes
 *   ClamAV-VDB:time:version:sigs:flevel:md5:dsig:builder:stime
 * padded with spaces to 512 bytes (freshclam's .cld: the .info's first line,
 * padded the same way). ClamAV reads the fields with cli_strtok and atoi and
 * never checks the time or the builder; vigil is strict so that every byte
 * of the header is accounted for: exactly eight non-empty printable fields,
 * decimal numbers that fit, and only spaces after the line.
 * Limits: the 512-byte block; fields are at most 511 bytes. */
#include "db/cvd.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "db/lines.h"

#define CVD_MAGIC "ClamAV-VDB:"
#define CVD_FIELDS 9 /* the magic's "ClamAV-VDB" and the eight fields */

int cvd_kind(const char *name)
{
    static const char *const ext[] = {".cvd", ".cld", ".cud"};
    size_t n = strlen(name);

    for (int k = 0; k < 3; k++)
        if (n > 4 && strcasecmp(name + n - 4, ext[k]) == 0)
            return k;
    return -1;
}

/* Copies field f into out[CVD_HEADER_SIZE] as a string. */
static void field_copy(struct field f, char *out)
{
    size_t n = f.n < CVD_HEADER_SIZE - 1 ? f.n : CVD_HEADER_SIZE - 1;

    memcpy(out, f.s, n);
    out[n] = '\0';
}

/* Decodes a decimal field of at most max. Returns 0, or -1. */
static int field_number(struct field f, uint64_t max, uint64_t *v)
{
    uint64_t x = 0;

    if (f.n == 0 || f.n > 20)
        return -1;
    for (size_t i = 0; i < f.n; i++) {
        if (f.s[i] < '0' || f.s[i] > '9')
            return -1;
        if (x > (max - (uint64_t)(f.s[i] - '0')) / 10)
            return -1;
        x = x * 10 + (uint64_t)(f.s[i] - '0');
    }
    *v = x;
    return 0;
}

/* Decodes the four numeric fields. Returns NULL, or the reason. */
static const char *header_numbers(const struct field *f, struct cvd_header *h)
{
    uint64_t v[3];

    for (int k = 0; k < 3; k++)
        if (field_number(f[2 + k], UINT32_MAX, &v[k]) != 0)
            return "the version, signature count and functionality level must be "
                   "decimal numbers";
    if (field_number(f[8], UINT64_MAX, &h->stime) != 0)
        return "the build time in seconds must be a decimal number";
    h->version = (uint32_t)v[0];
    h->sigs = (uint32_t)v[1];
    h->flevel = (uint32_t)v[2];
    return NULL;
}

const char *cvd_header_parse_line(const char *s, size_t n, struct cvd_header *h)
{
    struct field f[CVD_FIELDS + 1];

    memset(h, 0, sizeof *h);
    if (n < sizeof CVD_MAGIC - 1 || memcmp(s, CVD_MAGIC, sizeof CVD_MAGIC - 1) != 0)
        return "not a ClamAV database container (no ClamAV-VDB: header)";
    if (n >= CVD_HEADER_SIZE)
        return "header line longer than 511 bytes";
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
            return "header holds a byte that is not printable ASCII";
    if (lines_split(s, n, ':', f, CVD_FIELDS + 1) != CVD_FIELDS)
        return "header does not have the 8 fields "
               "time:version:sigs:flevel:md5:dsig:builder:stime";
    for (int k = 1; k < CVD_FIELDS; k++)
        if (f[k].n == 0)
            return "header has an empty field";
    field_copy(f[1], h->time);
    field_copy(f[5], h->md5);
    field_copy(f[6], h->dsig);
    field_copy(f[7], h->builder);
    return header_numbers(f, h);
}

const char *cvd_header_parse(const uint8_t block[CVD_HEADER_SIZE], struct cvd_header *h)
{
    size_t n = CVD_HEADER_SIZE;

    /* The line ends where the space padding starts; a line of 512 bytes
     * leaves no room for any and is refused by the line parser. */
    while (n > 0 && block[n - 1] == ' ')
        n--;
    return cvd_header_parse_line((const char *)block, n, h);
}

/* Reads exactly len bytes from fd. Returns 0, 1 at a short file, -1 on error. */
static int read_full(int fd, uint8_t *buf, size_t len)
{
    size_t got = 0;

    while (got < len) {
        ssize_t r = read(fd, buf + got, len - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 1;
        got += (size_t)r;
    }
    return 0;
}

const char *cvd_header_read(const char *path, struct cvd_header *h)
{
    uint8_t block[CVD_HEADER_SIZE];
    const char *why;
    struct stat sb;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK), r;

    if (fd < 0)
        return strerror(errno);
    if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        why = "not a regular file";
        goto out;
    }
    r = read_full(fd, block, sizeof block);
    if (r < 0)
        why = strerror(errno);
    else if (r > 0)
        why = "shorter than the 512-byte header";
    else
        why = cvd_header_parse(block, h);
out:
    close(fd);
    return why;
}
