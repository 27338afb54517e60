/* fsgdec.c - the LZ decoder FSG and PESpin compress with (aPLib's
 * format), as libclamav packlibs.c cli_unfsg decodes it: a tag bit
 * stream read MSB first a byte at a time, interleaved with literal and
 * offset bytes. Tag 0: a literal byte. Tag 10 + gamma number: a match
 * with a new offset (high bits from the gamma, low byte from the stream,
 * lengthened for far and near offsets) or, right after a literal, the
 * last offset again. Tag 110 + byte: a short match (length 2 or 3, offset
 * up to 127; offset 0 ends the stream). Tag 111 + 4 bits: one byte copied
 * from up to 15 back, or a zero byte.
 * As ClamAV's, a tag byte is never read from the source's last byte.
 * Limits: every read within src, every write and copy within dst; the
 * loop ends with the input (each step consumes at least one bit). */
#include "unpack/fsgdec.h"

struct fsg {
    const uint8_t *src;
    size_t slen, pos;
    uint8_t tag;
};

/* The next tag bit: 0 or 1, or -1 at the end of the input. */
static int fsg_bit(struct fsg *f)
{
    unsigned old = f->tag;

    f->tag = (uint8_t)(old << 1);
    if (!(old & 0x7f)) {
        if (f->slen == 0 || f->pos >= f->slen - 1)
            return -1;
        old = f->src[f->pos++];
        f->tag = (uint8_t)(old << 1 | 1);
    }
    return (int)(old >> 7 & 1);
}

/* An Elias gamma number (at least 2) into *v; -1 at the end of input.
 * The value wraps at 32 bits as ClamAV's does. */
static int fsg_gamma(struct fsg *f, uint32_t *v)
{
    int b;

    *v = 1;
    do {
        if ((b = fsg_bit(f)) < 0)
            return -1;
        *v = *v * 2 + (uint32_t)b;
        if ((b = fsg_bit(f)) < 0)
            return -1;
    } while (b);
    return 0;
}

/* A literal byte from the source; -1 at its end. */
static int fsg_byte(struct fsg *f, uint32_t *v)
{
    if (f->pos >= f->slen)
        return -1;
    *v = f->src[f->pos++];
    return 0;
}

int fsgdec_decode(const uint8_t *src, size_t slen, uint8_t *dst, size_t dlen)
{
    struct fsg f = {src, slen, 1, 0x80};
    uint32_t back = 0, len = 0, last = 0, v;
    size_t n = 1;
    int lost = 1, b;

    if (!slen || !dlen)
        return -1;
    dst[0] = src[0];
    for (;;) {
        if ((b = fsg_bit(&f)) < 0)
            return -1;
        if (!b) { /* a literal */
            if (n >= dlen || f.pos >= slen)
                return -1;
            dst[n++] = src[f.pos++];
            lost = 1;
            continue;
        }
        if ((b = fsg_bit(&f)) < 0)
            return -1;
        if (!b) { /* 10: gamma-coded match */
            if (fsg_gamma(&f, &len) < 0)
                return -1;
            len = len - 1 - (uint32_t)lost;
            if (!len) { /* the last offset again */
                if (fsg_gamma(&f, &len) < 0)
                    return -1;
                back = last;
            } else {
                if (fsg_byte(&f, &back) < 0)
                    return -1;
                back += (len - 1) << 8;
                if (fsg_gamma(&f, &len) < 0)
                    return -1;
                if (back >= 0x7d00)
                    len++;
                if (back >= 0x500)
                    len++;
                if (back <= 0x7f)
                    len += 2;
                last = back;
            }
            lost = 0;
        } else {
            if ((b = fsg_bit(&f)) < 0)
                return -1;
            if (!b) { /* 110: short match */
                if (fsg_byte(&f, &v) < 0)
                    return -1;
                len = (v & 1) + 2;
                back = v >> 1;
                if (!back)
                    break;
                last = back;
                lost = 0;
            } else { /* 111: a byte from close by, or a zero */
                back = 0x10;
                while (back < 0x100) {
                    if ((b = fsg_bit(&f)) < 0)
                        return -1;
                    back = back * 2 + (uint32_t)b;
                }
                back &= 0xff;
                lost = 1;
                len = 1;
                if (!back) {
                    if (n >= dlen)
                        return -1;
                    dst[n++] = 0;
                    continue;
                }
            }
        }
        if (!len || len > dlen - n || back > n)
            return -1;
        for (; len; len--, n++)
            dst[n] = dst[n - back];
    }
    return 0;
}
