/* strtab.c - append-only string table with a hard maximum. */
#include "core/strtab.h"

#include <stdlib.h>
#include <string.h>

void strtab_init(struct strtab *t, size_t max)
{
    t->buf = NULL;
    t->len = t->cap = 0;
    t->max = max > UINT32_MAX ? UINT32_MAX : max;
}

void strtab_free(struct strtab *t)
{
    free(t->buf);
    strtab_init(t, t->max);
}

/* Grows the buffer to hold need bytes, doubling, never past t->max. */
static vigil_status strtab_reserve(struct strtab *t, size_t need)
{
    size_t cap = t->cap ? t->cap : 4096;
    char *p;

    if (need > t->max)
        return VIGIL_ENOMEM;
    if (need <= t->cap)
        return VIGIL_OK;
    while (cap < need)
        cap = cap > t->max / 2 ? t->max : cap * 2;
    p = realloc(t->buf, cap);
    if (!p)
        return VIGIL_ENOMEM;
    t->buf = p;
    t->cap = cap;
    return VIGIL_OK;
}

vigil_status strtab_add(struct strtab *t, const char *s, size_t n,
                        const char *suffix, uint32_t *off)
{
    size_t sl = suffix ? strlen(suffix) : 0;
    vigil_status st;

    if (n > t->max || sl > t->max - n - 1)
        return VIGIL_ENOMEM;
    st = strtab_reserve(t, t->len + n + sl + 1);
    if (st != VIGIL_OK)
        return st;
    *off = (uint32_t)t->len;
    memcpy(t->buf + t->len, s, n);
    if (sl)
        memcpy(t->buf + t->len + n, suffix, sl);
    t->buf[t->len + n + sl] = '\0';
    t->len += n + sl + 1;
    return VIGIL_OK;
}
