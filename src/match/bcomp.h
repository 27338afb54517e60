/* bcomp.h - ClamAV byte-compare subsignatures of logical signatures:
 *   Ref(Offset#Options#Comparisons)   e.g. 0(>>4#hb2#>512,<1024)
 * read a number from the object at an offset from the last match of
 * subsignature Ref (binary, hexadecimal or decimal text, little or big
 * endian) and compare it with one or two values. */
#ifndef VIGIL_MATCH_BCOMP_H
#define VIGIL_MATCH_BCOMP_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

/* ClamAV's option bits (matcher-byte-comp.h). */
enum bcomp_opt {
    BCOMP_HEX = 0x0001,
    BCOMP_DEC = 0x0002,
    BCOMP_BIN = 0x0004,
    BCOMP_AUTO = 0x0008,
    BCOMP_LE = 0x0010,
    BCOMP_BE = 0x0020,
    BCOMP_EXACT = 0x0100,
};

struct bcomp {
    uint8_t subsig;  /* its own index in the logical signature */
    int16_t ref;     /* the subsignature whose last match is the base */
    int64_t offset;  /* from that match's start */
    uint16_t opts;   /* enum bcomp_opt */
    uint32_t len;    /* bytes read */
    uint8_t ncomp;
    char sym[2];     /* '<', '>', '=' */
    int64_t val[2];
};

/* Returns 1 if s[0..n) has the form ClamAV reads as a byte-compare
 * subsignature (a '(' and two distinct '#'). */
int bcomp_is(const char *s, size_t n);

/* Parses s[0..n) into *out. Returns NULL or ClamAV's reason it is malformed. */
const char *bcomp_parse(const char *s, size_t n, struct bcomp *out);

/* Checks b against buf[0..len) with base the start of the reference
 * subsignature's last counted match (UINT64_MAX: none, read as 0, as ClamAV
 * does). Returns 1 if every comparison holds. Never reads outside buf. */
int bcomp_check(const struct bcomp *b, const uint8_t *buf, size_t len, uint64_t base);

#endif
