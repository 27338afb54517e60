/* uuencode.c - uuencoded files (ClamAV's CL_TYPE_UUENCODED: "begin " at
 * offset 0). Spec: POSIX uuencode (a "begin mode name" line, encoded
 * lines, "end"). Every file of the object (each "begin" line) is decoded
 * by maildec_uu() and goes to the scan layer unnamed, as clamscan 1.4.6
 * reports it (measured: "file.uu!(1)").
 * Limits: UU_MAX_FILES files per object; decoded sizes bounded by
 * unpack_budget(); the object is read line by line once. */
#include <stdlib.h>
#include <string.h>

#include "unpack/format.h"
#include "unpack/maildec.h"

#define UU_MAX_FILES 10000

static int uu_detect(const uint8_t *buf, size_t len)
{
    return len >= 6 && memcmp(buf, "begin ", 6) == 0;
}

/* The length of the line at b[pos..len) without its end; *next after it. */
static size_t uu_line(const uint8_t *b, size_t pos, size_t len, size_t *next)
{
    const uint8_t *nl = memchr(b + pos, '\n', len - pos);
    size_t n = nl ? (size_t)(nl - (b + pos)) : len - pos;

    *next = nl ? pos + n + 1 : len;
    return n && b[pos + n - 1] == '\r' ? n - 1 : n;
}

static vigil_status uu_walk(struct unpack *u)
{
    const uint8_t *b = u->data;
    size_t pos = 0, next, files = 0;
    vigil_status st = VIGIL_OK;

    while (pos < u->len && files < UU_MAX_FILES) {
        size_t n = uu_line(b, pos, u->len, &next), left = u->len - next, max, made, used;
        int damaged, stop = 0;
        uint8_t *out;
        if (!maildec_uu_begin(b + pos, n)) {
            pos = next;
            continue;
        }
        files++;
        max = unpack_budget(u, left, left, &stop);
        if (stop)
            break;
        max = max < left ? max : left;
        if (!(out = malloc(max ? max : 1)))
            return VIGIL_ENOMEM;
        made = maildec_uu(b + next, left, out, max, &used, &damaged);
        if (damaged)
            unpack_damaged(u);
        if (made == max && max < left / 4 * 3)
            unpack_too_big(u, NULL);
        stop = unpack_child(u, out, made, NULL, used, &st);
        free(out);
        if (stop)
            break;
        pos = next + used;
    }
    return st;
}

const struct vigil_format format_uuencode = {
    .name = "UUENCODED",
    .detect = uu_detect,
    .walk = uu_walk,
};
