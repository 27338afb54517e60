/* offset.c - ClamAV's signature offsets (libclamav matcher.c cli_caloff):
 * parsing the field, and turning it into a window of allowed start offsets
 * for one object. */
#include "scan/offset.h"

#include <string.h>

/* Parses a decimal of at most 19 digits at s[*i..n); returns -1 if none. */
static int dec(const char *s, size_t n, size_t *i, uint64_t *v)
{
    size_t start = *i;

    *v = 0;
    while (*i < n && s[*i] >= '0' && s[*i] <= '9' && *i - start < 19)
        *v = *v * 10 + (uint64_t)(s[(*i)++] - '0');
    return *i == start || (*i < n && s[*i] >= '0' && s[*i] <= '9') ? -1 : 0;
}

static int has_prefix(const char *s, size_t n, const char *p)
{
    size_t pl = strlen(p);
    return n >= pl && memcmp(s, p, pl) == 0;
}

/* $g: ClamAV reads it with sscanf("$%u$"), so anything may follow the
 * digits, and a minus sign wraps to a large group. */
static const char *macro_form(const char *s, size_t n, struct offset_spec *o)
{
    size_t i = 1;

    o->kind = OFF_MACRO;
    if (i < n && s[i] == '-')
        return "at most 32 macro groups supported";
    if (i < n && s[i] == '+')
        i++;
    if (i >= n || s[i] < '0' || s[i] > '9')
        return "Invalid macro($) in offset";
    for (o->n = 0; i < n && s[i] >= '0' && s[i] <= '9' && o->n < 32; i++)
        o->n = o->n * 10 + (uint64_t)(s[i] - '0');
    if (o->n >= 32)
        return "at most 32 macro groups supported";
    return NULL;
}

/* The form before any ",shift". */
static const char *offset_form(const char *s, size_t n, int exe_ok,
                               struct offset_spec *o)
{
    size_t i = 0;
    int exe = 1;

    if (n && s[0] == '$')
        return macro_form(s, n, o);
    if (has_prefix(s, n, "EP+") || has_prefix(s, n, "EP-")) {
        o->kind = s[2] == '+' ? OFF_EP_PLUS : OFF_EP_MINUS;
        i = 3;
    } else if (has_prefix(s, n, "SL+")) {
        o->kind = OFF_SECT_LAST;
        i = 3;
    } else if (has_prefix(s, n, "SE")) {
        o->kind = OFF_SECT_WHOLE;
        i = 2;
    } else if (has_prefix(s, n, "S")) {
        uint64_t x;
        o->kind = OFF_SECT;
        i = 1;
        if (dec(s, n, &i, &x) != 0 || i >= n || s[i] != '+' || x > UINT32_MAX)
            return "Invalid offset value";
        o->section = (uint32_t)x;
        i++;
    } else if (has_prefix(s, n, "EOF-")) {
        o->kind = OFF_EOF;
        i = 4;
        exe = 0;
    } else if (has_prefix(s, n, "VI")) {
        /* cli_caloff: strncmp(offcpy, "VI", 2); executable targets only */
        o->kind = OFF_VERSION;
        return exe_ok ? NULL : "Invalid offset type for target";
    } else {
        o->kind = OFF_ABS;
        exe = 0;
    }
    if (exe && !exe_ok)
        return "Invalid offset type for target";
    if (o->kind == OFF_SECT_WHOLE) {
        uint64_t x;
        if (dec(s, n, &i, &x) != 0 || i != n || x > UINT32_MAX)
            return "Invalid offset value";
        o->section = (uint32_t)x;
        return NULL;
    }
    if (dec(s, n, &i, &o->n) != 0 || i != n)
        return "Invalid offset value";
    return NULL;
}

const char *offset_parse(const char *s, size_t n, int exe_ok, struct offset_spec *out)
{
    const char *comma = memchr(s, ',', n);
    size_t form_len = comma ? (size_t)(comma - s) : n;
    const char *why;

    memset(out, 0, sizeof *out);
    if (n == 1 && s[0] == '*') {
        out->kind = OFF_ANY;
        return NULL;
    }
    /* clamscan 1.4.6 reads an empty offset as 0 (and "n," as no shift). */
    if (n == 0) {
        out->kind = OFF_ABS;
        return NULL;
    }
    why = offset_form(s, form_len, exe_ok, out);
    if (why)
        return why;
    if (comma) {
        size_t i = form_len + 1;
        if (i < n && (dec(s, n, &i, &out->shift) != 0 || i != n))
            return "Invalid offset value";
    }
    return NULL;
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
    return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* The fixed start of a non-floating form, or -1 if it does not exist here. */
static int offset_base(const struct offset_spec *o, uint64_t size,
                       const struct exe_layout *exe, uint64_t *base)
{
    switch (o->kind) {
    case OFF_ABS:
        *base = o->n;
        return 0;
    case OFF_EOF:
        if (o->n > size)
            return -1;
        *base = size - o->n;
        return 0;
    case OFF_EP_PLUS:
        *base = exe->ep + o->n;
        return 0;
    case OFF_EP_MINUS:
        if (o->n > exe->ep)
            return -1;
        *base = exe->ep - o->n;
        return 0;
    case OFF_SECT:
        if (o->section >= exe->nsect)
            return -1;
        *base = exe->sect_off[o->section] + o->n;
        return 0;
    case OFF_SECT_LAST:
        if (exe->nsect == 0)
            return -1;
        *base = exe->sect_off[exe->nsect - 1] + o->n;
        return 0;
    default:
        return -1;
    }
}

int offset_window(const struct offset_spec *o, uint64_t size,
                  const struct exe_layout *exe, uint64_t *lo, uint64_t *hi)
{
    uint64_t base;

    /* VI: the caller checks the start against exe->vinfo (body.c); a PCRE
     * runs anywhere, as in clamscan. */
    if (o->kind == OFF_ANY || o->kind == OFF_MACRO || o->kind == OFF_VERSION) {
        *lo = 0;
        *hi = size ? size - 1 : 0;
        return size > 0;
    }
    if (o->kind != OFF_ABS && o->kind != OFF_EOF && (!exe || !exe->valid))
        return 0;
    /* An object typed as an executable whose headers are unusable: clamscan
     * computes no EOF offsets for it, whatever the signature's target. */
    if (o->kind == OFF_EOF && exe && !exe->valid)
        return 0;
    if (o->kind == OFF_SECT_WHOLE) {
        /* clamscan allows a start anywhere from the section's raw start to
         * its end inclusive, plus the shift of "SEx,n". */
        if (o->section >= exe->nsect)
            return 0;
        *lo = exe->sect_off[o->section];
        *hi = sat_add(*lo, sat_add(exe->sect_size[o->section], o->shift));
        return *lo < size;
    }
    if (offset_base(o, size, exe, &base) != 0 || base >= size)
        return 0;
    *lo = base;
    *hi = sat_add(base, o->shift);
    return 1;
}
