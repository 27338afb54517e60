/* tnef.c - Transport Neutral Encapsulation Format (winmail.dat, ClamAV's
 * CL_TYPE_TNEF), written for vigil: no Debian library reads TNEF safely in
 * memory. Spec: [MS-OXTNEF] sections 2.1.3 (signature 0x223E9F78, a 16-bit
 * key, then attributes: a level byte (1 message, 2 attachment), a 32-bit
 * attribute id, a 32-bit length, the data, a 16-bit checksum) and 2.1.3.3
 * (attAttachData 0x0006800F holds an attachment's bytes). Each attachment
 * goes to the scan layer unnamed, as clamscan 1.4.6 reports it (measured:
 * "clam.tnef!(1)"). Checksums are not checked (clamscan does not either).
 * Limits: every field read within the object; each attribute advances at
 * least 11 bytes; a truncated attribute is scanned as far as it goes and the
 * object reported damaged. */
#include <string.h>

#include "unpack/format.h"

#define TNEF_SIGNATURE 0x223e9f78u
#define TNEF_ATTACH_DATA 0x0006800fu
#define TNEF_HDR 9 /* level, id, length */

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

static int tnef_detect(const uint8_t *buf, size_t len)
{
    return len >= 6 && le32(buf) == TNEF_SIGNATURE;
}

static vigil_status tnef_walk(struct unpack *u)
{
    const uint8_t *b = u->data;
    size_t pos = 6;
    vigil_status st = VIGIL_OK;

    if (unpack_options(u)->flags & VIGIL_SCAN_NO_MAIL)
        return VIGIL_OK; /* clamscan --scan-mail=no leaves TNEF alone too */
    if (u->len < 6 || le32(b) != TNEF_SIGNATURE) {
        unpack_damaged(u);
        return VIGIL_OK;
    }
    while (pos < u->len) {
        uint32_t id, size;
        size_t have;
        if (u->len - pos < TNEF_HDR || (b[pos] != 1 && b[pos] != 2)) {
            unpack_damaged(u);
            break;
        }
        id = le32(b + pos + 1);
        size = le32(b + pos + 5);
        pos += TNEF_HDR;
        have = u->len - pos;
        if (size > have)
            unpack_damaged(u);
        if (id == TNEF_ATTACH_DATA && b[pos - TNEF_HDR] == 2 &&
            unpack_child(u, b + pos, size < have ? size : have, NULL, 0, &st))
            break;
        if (size > have || have - size < 2) {
            if (size < have)
                unpack_damaged(u); /* the checksum is missing */
            break;
        }
        pos += size + 2;
    }
    return st;
}

const struct vigil_format format_tnef = {
    .name = "TNEF",
    .detect = tnef_detect,
    .walk = tnef_walk,
};
