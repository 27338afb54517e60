/* strbuf.c - a growable text buffer with a hard maximum (see strbuf.h). */
#include "cli/strbuf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void strbuf_init(struct strbuf *sb, size_t max)
{
    if (max > STRBUF_MAX_LIMIT)
        max = STRBUF_MAX_LIMIT;
    sb->data = NULL;
    sb->len = 0;
    sb->cap = 0;
    sb->max = max;
    sb->overflow = false;
}

void strbuf_free(struct strbuf *sb)
{
    free(sb->data);
    strbuf_init(sb, sb->max);
}

void strbuf_reset(struct strbuf *sb)
{
    sb->len = 0;
    sb->overflow = false;
    if (sb->data)
        sb->data[0] = '\0';
}

/* Makes room for need more bytes plus the NUL, doubling up to the maximum so
 * that many small appends cost few reallocations. */
static bool grow(struct strbuf *sb, size_t need)
{
    size_t want, cap;
    char *p;

    /* len < max always holds, so this cannot wrap; text plus NUL must fit. */
    if (sb->len >= sb->max || need >= sb->max - sb->len)
        return false;
    want = sb->len + need + 1;
    if (want <= sb->cap)
        return true;
    cap = sb->cap ? sb->cap : 64;
    while (cap < want)
        cap = cap > sb->max / 2 ? sb->max : cap * 2;
    p = realloc(sb->data, cap);
    if (!p)
        return false;
    sb->data = p;
    sb->cap = cap;
    return true;
}

bool strbuf_add(struct strbuf *sb, const void *p, size_t len)
{
    if (!grow(sb, len)) {
        sb->overflow = true;
        return false;
    }
    if (len)
        memcpy(sb->data + sb->len, p, len);
    sb->len += len;
    sb->data[sb->len] = '\0';
    return true;
}

bool strbuf_adds(struct strbuf *sb, const char *s)
{
    return strbuf_add(sb, s, strlen(s));
}

bool strbuf_addc(struct strbuf *sb, char c)
{
    return strbuf_add(sb, &c, 1);
}

bool strbuf_addf(struct strbuf *sb, const char *fmt, ...)
{
    va_list ap;
    char small[256];
    char *big = NULL;
    int n;
    bool ok = false;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        goto out;
    if ((size_t)n < sizeof small) {
        ok = strbuf_add(sb, small, (size_t)n);
        goto out;
    }
    if ((size_t)n >= sb->max)
        goto out;
    big = malloc((size_t)n + 1);
    if (!big)
        goto out;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    ok = strbuf_add(sb, big, (size_t)n);
out:
    if (!ok)
        sb->overflow = true;
    free(big);
    return ok;
}

const char *strbuf_str(const struct strbuf *sb)
{
    return sb->data ? sb->data : "";
}
