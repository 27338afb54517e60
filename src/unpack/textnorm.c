/* textnorm.c - ClamAV's text normaliser (libclamav textnorm.c,
 * text_normalize_buffer), measured with clamscan 1.4.6: a target-7
 * signature "hello world" matches a text file holding "Hello \t World".
 * Limits: writes at most cap bytes; one pass, no allocation. */
#include "unpack/textnorm.h"

/* What the normaliser does with a byte. */
enum tn_action { TN_SKIP, TN_SPACE, TN_COPY, TN_LOWER };

static enum tn_action tn_action(uint8_t c)
{
    if (c >= 0x80 || c == 0x7f)
        return c == 0x7f ? TN_COPY : TN_SKIP;
    if (c == ' ' || (c >= 0x09 && c <= 0x0d))
        return TN_SPACE;
    if (c < 0x20)
        return TN_SKIP;
    return (c >= 'A' && c <= 'Z') ? TN_LOWER : TN_COPY;
}

/* Appends c to out under the normaliser's rules; *space says whether the
 * last byte written was a collapsed whitespace run. */
static void tn_put(uint8_t c, uint8_t *out, size_t cap, size_t *n, int *space)
{
    enum tn_action a = tn_action(c);

    if (a == TN_SKIP || *n >= cap)
        return;
    if (a == TN_SPACE) {
        if (!*space)
            out[(*n)++] = ' ';
        *space = 1;
        return;
    }
    *space = 0;
    out[(*n)++] = a == TN_LOWER ? (uint8_t)(c + 32) : c;
}

size_t textnorm(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
    size_t n = 0;
    int space = 0;

    for (size_t i = 0; i < len && n < cap; i++)
        tn_put(in[i], out, cap, &n, &space);
    return n;
}

size_t textnorm_utf16(const uint8_t *in, size_t len, int be, uint8_t *out, size_t cap)
{
    size_t n = 0, i = 0;
    int space = 0;

    if (len >= 2 && ((in[0] == 0xff && in[1] == 0xfe) || (in[0] == 0xfe && in[1] == 0xff)))
        i = 2;
    for (; i + 1 < len && n < cap; i += 2) {
        unsigned c = be ? (unsigned)in[i] << 8 | in[i + 1] : (unsigned)in[i + 1] << 8 | in[i];
        if (c < 0x80)
            tn_put((uint8_t)c, out, cap, &n, &space);
    }
    return n;
}
