/* strtab.c - append-only string table with a hard maximum. */
#include "core/strtab.h"

#include <stdlib.h>
#include <string.h>

#include "core/spill.h"

void strtab_init(struct strtab *t, size_t max)
{
    t->buf = NULL;
    t->len = t->cap = 0;
    t->max = max > UINT32_MAX ? UINT32_MAX : max;
    t->spill = NULL;
}

void strtab_free(struct strtab *t)
{
    if (t->spill)
        spill_free(t->spill);
    else
        free(t->buf);
    strtab_init(t, t->max);
}

vigil_status strtab_spill(struct strtab *t, const char *dir)
{
    struct spill *sp = NULL;
    vigil_status st;

    if (t->spill)
        return VIGIL_OK;
    if ((st = spill_new(dir, &sp)) != VIGIL_OK)
        return st;
    if ((st = spill_reserve(sp, t->len + 1)) != VIGIL_OK) {
        spill_free(sp);
        return st;
    }
    if (t->len)
        memcpy(sp->p, t->buf, t->len);
    free(t->buf);
    t->buf = (char *)sp->p;
    t->cap = sp->cap;
    t->spill = sp;
    return VIGIL_OK;
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
    if (t->spill) {
        vigil_status st = spill_reserve(t->spill, need);
        if (st != VIGIL_OK)
            return st;
        t->buf = (char *)t->spill->p;
        t->cap = t->spill->cap;
        return VIGIL_OK;
    }
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
    if (t->spill)
        spill_wrote(t->spill, t->len);
    return VIGIL_OK;
}
