/* bodysig_parse.c - ClamAV body-signature text to parts and elements.
 *
 * Follows the ClamAV manual ("Body-based Signature Content Format") and, for
 * what the manual leaves open, the order in which libclamav 1.4 reads a
 * signature (readdb.c cli_add_content_match_pattern, matcher-ac.c
 * cli_ac_addsig), so that a signature ClamAV loads loads here with the same
 * meaning and one it refuses is refused with its reason:
 *
 *   1. every {n} with 0 < n < 128 is spelt as n "??" while it is the first
 *      '{' left in the text; later gaps split parts like {n-m} and `*`;
 *   2. the text is split into parts at `*` and `{...}`; neither may sit inside
 *      parentheses; a part may not be empty;
 *   3. in each part: at most two aa[n-m] anchored bytes, then the groups
 *      (...) left to right, then hex pairs.
 *
 * Limits: BS_MAX_TEXT characters, BS_MAX_PARTS parts, BS_MAX_NEST '(' in a
 * group, BS_MAX_ALTS strings per generic group, BS_MAX_VAR bytes of length
 * variation per part, gaps up to BS_MAX_GAP. Every read is bounded by the
 * NUL-terminated private copy the text is parsed from. */
#include "match/bodysig_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db/hex.h"

vigil_status bodysig_parse_fail(struct bs_parse *p, const char *fmt, ...)
{
    va_list ap;
    size_t n = 0;

    if (!p->why || !p->whylen)
        return VIGIL_EMALFORMED;
    if (p->multi && p->partno)
        n = (size_t)snprintf(p->why, p->whylen, "part %u: ", p->partno);
    if (n < p->whylen) {
        va_start(ap, fmt);
        vsnprintf(p->why + n, p->whylen - n, fmt, ap);
        va_end(ap);
    }
    return VIGIL_EMALFORMED;
}

vigil_status bodysig_parse_grow(struct bs_parse *p, void **arr, uint32_t *cap,
                                uint32_t need, size_t elsize, uint32_t max,
                                const char *what)
{
    vigil_status rc = bodysig_grow(arr, cap, need, elsize, max);

    if (rc == VIGIL_EMALFORMED)
        return bodysig_parse_fail(p, "more than %u %s", max, what);
    return rc;
}

/* ---- step 1: {n} as n "??" ---------------------------------------------------- */

/* Reads a gap written {digits} with 0 < n < 128 at s (ClamAV's "%c%zu%c"
 * test, minus the signs and blanks sscanf would also take). Returns the
 * characters it spans, or 0 if s is not such a gap. */
static size_t small_gap(const char *s, size_t avail, size_t *n)
{
    size_t i = 1, v = 0;

    for (; i < avail && s[i] >= '0' && s[i] <= '9'; i++)
        if (v < 128)
            v = v * 10 + (size_t)(s[i] - '0');
    if (i == 1 || i >= avail || s[i] != '}' || v == 0 || v >= 128)
        return 0;
    *n = v;
    return i + 1;
}

/* Spells leading small gaps of hex[0..len) into out (NULL: only count).
 * Returns the length of the result. */
static size_t expand_into(const char *hex, size_t len, char *out)
{
    size_t o = 0, n, span;
    int expanding = 1;

    for (size_t i = 0; i < len;) {
        if (expanding && hex[i] == '{') {
            span = small_gap(hex + i, len - i, &n);
            if (span) {
                for (size_t k = 0; out && k < 2 * n; k++)
                    out[o + k] = '?';
                o += 2 * n;
                i += span;
                continue;
            }
            expanding = 0;
        }
        if (out)
            out[o] = hex[i];
        o++;
        i++;
    }
    return o;
}

/* Characters a body signature may use at all. */
static int sig_char(char c)
{
    return hex_nibble(c) >= 0 || (c && strchr("?()|!*{}[]-LW", c));
}

/* Checks the characters and length of hex[0..len) and returns, in *out
 * (the caller's to free), a NUL-terminated copy with small gaps spelt out. */
static vigil_status expand(struct bs_parse *p, const char *hex, size_t len, char **out)
{
    size_t n;

    if (len == 0)
        return bodysig_parse_fail(p, "empty signature");
    if (len > BS_MAX_TEXT)
        return bodysig_parse_fail(p, "signature longer than %u characters", BS_MAX_TEXT);
    for (size_t i = 0; i < len; i++)
        if (!sig_char(hex[i]))
            return bodysig_parse_fail(p, "bad character 0x%02x at offset %zu",
                                      (unsigned)(unsigned char)hex[i], i);
    n = expand_into(hex, len, NULL);
    if (n > BS_MAX_EXPANDED)
        return bodysig_parse_fail(p,
                                  "signature longer than %u characters once {n} "
                                  "gaps are spelt out",
                                  BS_MAX_EXPANDED);
    *out = malloc(n + 1);
    if (!*out)
        return VIGIL_ENOMEM;
    expand_into(hex, len, *out);
    (*out)[n] = '\0';
    return VIGIL_OK;
}

/* ---- step 3: one part ------------------------------------------------------------ */

int bodysig_parse_pair(const char *h, uint8_t *val, uint8_t *mask)
{
    int hi = hex_nibble(h[0]), lo = hex_nibble(h[1]);

    if (h[0] == '?' && h[1] == '?')
        *val = 0, *mask = 0;
    else if (h[1] == '?' && hi >= 0)
        *val = (uint8_t)(hi << 4), *mask = 0xF0;
    else if (h[0] == '?' && lo >= 0)
        *val = (uint8_t)lo, *mask = 0x0F;
    else if (hi >= 0 && lo >= 0)
        *val = (uint8_t)(hi << 4 | lo), *mask = 0xFF;
    else
        return -1;
    return 0;
}

/* Reads "n", "n-m" or "n-" (ClamAV's sscanf "%u-%u": "n-" means n). */
static int bracket_range(const char *s, unsigned *n1, unsigned *n2)
{
    char *end;
    unsigned long a, b;

    if (*s < '0' || *s > '9')
        return -1;
    a = strtoul(s, &end, 10);
    b = a;
    if (*end == '-' && end[1] >= '0' && end[1] <= '9')
        b = strtoul(end + 1, &end, 10);
    else if (*end == '-')
        end++;
    if (*end || a > BS_ANCHOR_MAXDIST || b > BS_ANCHOR_MAXDIST)
        return -1;
    *n1 = (unsigned)a;
    *n2 = (unsigned)b;
    return 0;
}

static vigil_status set_anchor(struct bs_parse *p, struct bs_side *s, const char *h,
                               unsigned n1, unsigned n2)
{
    if (bodysig_parse_pair(h, &s->aval, &s->amask) < 0)
        return bodysig_parse_fail(p, "Malformed hexstring: %s (anchored byte)", h);
    s->anchored = 1;
    s->dmin = (uint8_t)n1;
    s->dmax = (uint8_t)n2;
    return VIGIL_OK;
}

/* Takes up to two aa[n-m] anchored bytes off t, as ClamAV does: the byte
 * left of the first '[' if it is alone there, else the byte right of its
 * ']' if it is alone there. *main is what is left. */
static vigil_status brackets(struct bs_parse *p, char *t, struct bs_part *part,
                             char **main)
{
    char *hex = t, *pt, *pt2;
    unsigned n1, n2;
    vigil_status rc;

    for (int i = 0; i < 2 && (pt = strchr(hex, '[')); i++) {
        *pt++ = '\0';
        if (!(pt2 = strchr(pt, ']')))
            return bodysig_parse_fail(p, "missing closing square bracket");
        *pt2++ = '\0';
        if (bracket_range(pt, &n1, &n2) < 0 || n1 > n2)
            return bodysig_parse_fail(p,
                                      "incorrect range inside square brackets "
                                      "(want [n] or [n-m], n <= m <= %d)",
                                      BS_ANCHOR_MAXDIST);
        if (strlen(hex) == 2) {
            if (i)
                return bodysig_parse_fail(p,
                                          "a second [n-m] must anchor a byte after the "
                                          "pattern");
            rc = set_anchor(p, &part->left, hex, n1, n2);
            hex = pt2;
        } else if (strlen(pt2) == 2) {
            rc = set_anchor(p, &part->right, pt2, n1, n2);
            i = 1;
        } else {
            return bodysig_parse_fail(p, "[n-m] needs a single anchored byte on one side "
                                         "and the pattern on the other");
        }
        if (rc != VIGIL_OK)
            return rc;
    }
    *main = hex;
    return VIGIL_OK;
}

/* Turns the part's hex (with "()" standing for groups) into elements. */
static vigil_status hex_elems(struct bs_parse *p, const struct bs_groups *o)
{
    struct bodysig *sig = p->sig;
    struct bs_elem *e;
    uint32_t spec = 0;
    vigil_status rc;

    if (o->hexlen % 2)
        return bodysig_parse_fail(p, "Malformed hexstring: %s (length: %zu)", o->hex,
                                  o->hexlen);
    for (size_t i = 0; i < o->hexlen; i += 2) {
        rc = bodysig_parse_grow(p, (void **)&sig->elems, &sig->cap_elems, sig->nelems + 1,
                                sizeof *sig->elems, BS_MAX_EXPANDED, "elements");
        if (rc != VIGIL_OK)
            return rc;
        e = &sig->elems[sig->nelems];
        memset(e, 0, sizeof *e);
        if (o->hex[i] == '(' && o->hex[i + 1] == ')' && spec < o->nspec)
            *e = o->spec[spec++];
        else if (bodysig_parse_pair(o->hex + i, &e->val, &e->mask) < 0)
            return bodysig_parse_fail(p, "Malformed hexstring: %s", o->hex);
        sig->nelems++;
    }
    return VIGIL_OK;
}

static int plain(const struct bs_elem *e)
{
    return e->kind == BS_BYTE && e->mask == 0xFF;
}

/* The rules ClamAV checks once a part is decoded: two elements at least,
 * two plain bytes in a row (its Aho-Corasick trie needs them), and ours: a
 * length that does not vary more than BS_MAX_VAR. */
static vigil_status part_check(struct bs_parse *p, struct bs_part *part)
{
    const struct bs_elem *e;
    int run = 0;

    if (part->count < 2)
        return bodysig_parse_fail(p,
                                  "Subpattern in signature is shorter than the minimum "
                                  "depth of the AC trie. (%u < 2)",
                                  part->count);
    e = p->sig->elems + part->first;
    for (uint32_t i = 0; i + 1 < part->count && !run; i++)
        run = plain(&e[i]) && plain(&e[i + 1]);
    if (!run)
        return bodysig_parse_fail(p, "Can't find a static subpattern of length 2");
    for (uint32_t i = 0; i < part->count; i++) {
        part->minlen += bodysig_elem_min(p->sig, &e[i]);
        part->maxlen += bodysig_elem_max(p->sig, &e[i]);
    }
    if (part->maxlen - part->minlen > BS_MAX_VAR)
        return bodysig_parse_fail(p,
                                  "alternatives make the part's length vary by more "
                                  "than %u bytes",
                                  BS_MAX_VAR);
    return VIGIL_OK;
}

/* Decodes the part text t (cut up in place), as cli_ac_addsig does. */
static vigil_status part_decode(struct bs_parse *p, char *t, struct bs_part *part)
{
    struct bs_groups o = {0};
    char *main = t;
    vigil_status rc = VIGIL_OK;

    if (!*t)
        return bodysig_parse_fail(p, "empty (a gap at an end of the signature, or two "
                                     "gaps in a row)");
    if (strlen(t) / 2 < 2)
        return bodysig_parse_fail(p, "Signature is too short: \"%s\"", t);
    part->first = p->sig->nelems;
    if (strchr(t, '['))
        rc = brackets(p, t, part, &main);
    if (rc == VIGIL_OK)
        rc = bodysig_group_parse(p, main, part, &o);
    if (rc == VIGIL_OK)
        rc = hex_elems(p, &o);
    free(o.hex);
    free(o.spec);
    part->count = p->sig->nelems - part->first;
    return rc == VIGIL_OK ? part_check(p, part) : rc;
}

/* Decodes one part and appends it, with the gap that precedes it. */
static vigil_status add_part(struct bs_parse *p, char *t, size_t gmin, size_t gmax)
{
    struct bodysig *sig = p->sig;
    struct bs_part part;
    vigil_status rc;

    memset(&part, 0, sizeof part);
    p->partno = sig->nparts + 1;
    rc = bodysig_parse_grow(p, (void **)&sig->parts, &sig->cap_parts, sig->nparts + 1,
                            sizeof *sig->parts, BS_MAX_PARTS, "parts");
    if (rc == VIGIL_OK)
        rc = part_decode(p, t, &part);
    if (rc != VIGIL_OK)
        return rc;
    part.gap_min = gmin;
    part.gap_max = gmax;
    sig->parts[sig->nparts++] = part;
    p->partno = 0; /* what follows is a gap: its messages say where */
    return VIGIL_OK;
}

/* ---- step 2: parts, and the gaps between them ------------------------------------ */

/* Reads digits at *s into *v, refusing values past BS_MAX_GAP. Returns the
 * number of digits, or -1 on overflow. */
static int gap_number(const char **s, size_t *v)
{
    int n = 0;

    *v = 0;
    for (; **s >= '0' && **s <= '9'; (*s)++, n++) {
        *v = *v * 10 + (size_t)(**s - '0');
        if (*v > BS_MAX_GAP)
            return -1;
    }
    return n;
}

/* Reads the inside of a gap between parts: "n", "n-m", "-m" or "n-". As in
 * ClamAV, a maximum of 0 means no maximum, so {0} is `*`. */
static vigil_status gap_range(struct bs_parse *p, const char *r, size_t *gmin,
                              size_t *gmax)
{
    const char *s = r;
    size_t a, b;
    int na = gap_number(&s, &a), dash = *s == '-', nb;

    s += dash;
    nb = gap_number(&s, &b);
    if (na < 0 || nb < 0)
        return bodysig_parse_fail(p, "gap {%s} after part %u is larger than %u", r,
                                  p->sig->nparts, BS_MAX_GAP);
    if (*s || (na == 0 && nb == 0))
        return bodysig_parse_fail(p,
                                  "malformed gap {%s} after part %u: want {n}, {n-m}, "
                                  "{-m} or {n-}",
                                  r, p->sig->nparts);
    if (!dash)
        b = a;
    if (b && a > b)
        return bodysig_parse_fail(p, "gap {%s} after part %u has n > m", r,
                                  p->sig->nparts);
    *gmin = a;
    *gmax = b ? b : BS_UNBOUNDED;
    return VIGIL_OK;
}

/* ClamAV refuses `*` and {..} inside a group, counting parentheses the
 * simple way (a ')' before its '(' counts too). */
static vigil_status nest_check(struct bs_parse *p, const char *t, int ranges)
{
    long nest = 0;

    for (; *t; t++) {
        nest += *t == '(';
        nest -= *t == ')';
        if (nest && *t == '{' && ranges)
            return bodysig_parse_fail(p, "Alternative match contains unsupported ranged "
                                         "wildcard");
        if (nest && *t == '*')
            return bodysig_parse_fail(p, "Alternative match cannot contain unbounded "
                                         "wildcards");
    }
    return VIGIL_OK;
}

/* Reads the gap at sep (a '*' or a "{..}") and moves *s past it. */
static vigil_status gap(struct bs_parse *p, char *sep, char c, char **s, size_t *gmin,
                        size_t *gmax)
{
    char *close;

    if (c == '*') {
        if (!sep[1])
            return bodysig_parse_fail(p,
                                      "Can't extract part %u of partial signature "
                                      "(nothing after '*')",
                                      p->sig->nparts + 1);
        *gmin = 0;
        *gmax = BS_UNBOUNDED;
        *s = sep + 1;
        return VIGIL_OK;
    }
    if (!(close = strchr(sep + 1, '}')))
        return bodysig_parse_fail(p, "missing '}' after '{%s' (after part %u)", sep + 1,
                                  p->sig->nparts);
    *close = '\0';
    *s = close + 1;
    return gap_range(p, sep + 1, gmin, gmax);
}

/* Splits t at `*` and {..} gaps; each part gets the gap before it. */
static vigil_status split(struct bs_parse *p, char *t)
{
    size_t gmin = 0, gmax = 0;
    char *s = t, *sep, c;
    vigil_status rc;

    p->multi = strpbrk(t, "{*") != NULL;
    rc = nest_check(p, t, strchr(t, '{') != NULL);
    while (rc == VIGIL_OK && (sep = strpbrk(s, "{*"))) {
        c = *sep;
        if (c == '*' && sep == s)
            return bodysig_parse_fail(p,
                                      "Can't extract part %u of partial signature "
                                      "(nothing before '*')",
                                      p->sig->nparts + 1);
        *sep = '\0';
        rc = add_part(p, s, gmin, gmax);
        if (rc == VIGIL_OK)
            rc = gap(p, sep, c, &s, &gmin, &gmax);
    }
    return rc == VIGIL_OK ? add_part(p, s, gmin, gmax) : rc;
}

vigil_status bodysig_parse_text(struct bodysig *sig, const char *hex, size_t len,
                                char *why, size_t whylen)
{
    struct bs_parse p = {.sig = sig, .why = why, .whylen = whylen};
    char *t = NULL;
    vigil_status rc;

    if (why && whylen)
        why[0] = '\0';
    rc = expand(&p, hex, len, &t);
    if (rc == VIGIL_OK)
        rc = split(&p, t);
    free(t);
    return rc;
}
