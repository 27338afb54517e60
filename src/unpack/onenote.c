/* onenote.c - files attached to OneNote sections (.one; written for
 * vigil). Spec: [MS-ONESTORE] 2.8 (the file starts with the GUID
 * {7B5C52E4-D88C-4DA7-AEB1-5378D02996D3}) and 2.6.13 FileDataStoreObject
 * (the GUID {BDE316E7-2665-4511-A4C4-8D4D0B7A9EAC}, a 64-bit cbLength, 32
 * unused and 64 reserved bits, then the file's bytes). Each object is
 * found by its GUID, as ClamAV 1.4 does when its OneStore parser gives up
 * (onenote.rs: the low 32 bits of cbLength, objects unnamed); attached
 * files are scanned as unnamed children.
 * Limits: every object within the file (one cut short ends the walk and is
 * damage); each step advances past the object. */
#include <string.h>

#include "unpack/format.h"

#define ONE_HEADER 36 /* GUID, cbLength, unused, reserved */

static const uint8_t one_magic[16] = {0xe4, 0x52, 0x5c, 0x7b, 0x8c, 0xd8, 0xa7, 0x4d,
                                      0xae, 0xb1, 0x53, 0x78, 0xd0, 0x29, 0x96, 0xd3};
static const uint8_t one_fdso[16] = {0xe7, 0x16, 0xe3, 0xbd, 0x65, 0x26, 0x11, 0x45,
                                     0xa4, 0xc4, 0x8d, 0x4d, 0x0b, 0x7a, 0x9e, 0xac};

static int one_detect(const uint8_t *buf, size_t len)
{
    return len >= sizeof one_magic && memcmp(buf, one_magic, sizeof one_magic) == 0;
}

static vigil_status one_walk(struct unpack *u)
{
    size_t pos = 0;
    vigil_status st = VIGIL_OK;

    u->type = "ONENOTE";
    if (unpack_flags(u) & VIGIL_SCAN_NO_ONENOTE)
        return VIGIL_OK;
    while (pos < u->len) {
        const uint8_t *p = memmem(u->data + pos, u->len - pos, one_fdso, sizeof one_fdso);
        size_t at, n;
        if (!p)
            break;
        at = (size_t)(p - u->data);
        if (u->len - at < ONE_HEADER) {
            unpack_damaged(u);
            break;
        }
        n = (size_t)p[16] | (size_t)p[17] << 8 | (size_t)p[18] << 16 | (size_t)p[19] << 24;
        if (n > u->len - at - ONE_HEADER) {
            unpack_damaged(u);
            break;
        }
        if (unpack_child(u, p + ONE_HEADER, n, NULL, n, &st))
            break;
        pos = at + ONE_HEADER + n;
    }
    return st;
}

const struct vigil_format format_onenote = {
    .name = "ONENOTE",
    .detect = one_detect,
    .walk = one_walk,
};
