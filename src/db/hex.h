/* hex.h - hexadecimal digests as databases write them. */
#ifndef VIGIL_DB_HEX_H
#define VIGIL_DB_HEX_H

#include <stddef.h>
#include <stdint.h>

static inline int hex_nibble(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes n hex digits (n even) from s into n/2 bytes at out. Returns 0, or
 * -1 if a character is not a hex digit. */
static inline int hex_decode(const char *s, size_t n, uint8_t *out)
{
    for (size_t i = 0; i + 1 < n; i += 2) {
        int hi = hex_nibble(s[i]), lo = hex_nibble(s[i + 1]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i / 2] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

#endif
