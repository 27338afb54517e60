/* lpcre.c - PCRE subsignatures through PCRE2 (8-bit, interpreter only,
 * as clamscan 1.4 runs them).
 *
 * Spec: ClamAV manual "PCRE subsignatures", readdb.c cli_sigopts_handler /
 * cli_parse_add, matcher-pcre.c cli_pcre_addpatt / cli_pcre_scanbuf and
 * regex_pcre.c, measured against clamscan 1.4.6:
 *   - the text splits at its first and last '/': trigger, pattern, flags;
 *     trigger and pattern must be non-empty, and the trigger may name only
 *     earlier subsignatures (ClamAV's bypass trigger aside);
 *   - flags i s m x A E U are PCRE2_CASELESS, DOTALL, MULTILINE, EXTENDED,
 *     ANCHORED, DOLLAR_ENDONLY, UNGREEDY; g (global: again from the end of
 *     each match), r (rolling: never anchored), e (encompass: the subject
 *     ends at offset+shift) are ClamAV's;
 *   - subsignature modifiers (::i ::f ::w) are not applied: clamscan 1.4.6
 *     splits them off and ignores them (measured);
 *   - a fixed offset without shift anchors the match there; with a shift
 *     a match starting past offset+shift ends the search;
 *   - match limit 100000, depth (recursion) limit 2000; hitting one ends
 *     that regex's search without a match, as in ClamAV.
 * Limits: LPCRE_MAX_PATTERN characters; objects over LPCRE_MAX_FILESIZE
 * are not searched. An empty match with g ends the search (ClamAV would
 * spin on it until its scan time limit). */
#include "match/lpcre.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "match/lexpr.h"

/* ClamAV's PCRE_BYPASS: a trigger that is not checked at all. */
#define LPCRE_BYPASS "7374756c747a676574737265676578"

enum lpcre_flag {
    LPCRE_GLOBAL = 1,
    LPCRE_ROLLING = 2,
    LPCRE_ENCOMPASS = 4,
};

struct lpcre {
    char *src; /* the subsignature text, for the engine image */
    size_t srclen;
    pcre2_code *code;
    pcre2_match_context *mctx;
    struct lexpr *trigger;
    struct offset_spec off;
    uint8_t subsig, flags;
};

struct lpcre_scratch {
    pcre2_match_data *md;
};

static const char *lp_options(const char *s, size_t n, uint32_t *opts, uint8_t *flags)
{
    static const struct {
        char c;
        uint32_t pcre;
        uint8_t flag;
    } tab[] = {
        {'i', PCRE2_CASELESS, 0},      {'s', PCRE2_DOTALL, 0},
        {'m', PCRE2_MULTILINE, 0},     {'x', PCRE2_EXTENDED, 0},
        {'A', PCRE2_ANCHORED, 0},      {'E', PCRE2_DOLLAR_ENDONLY, 0},
        {'U', PCRE2_UNGREEDY, 0},      {'g', 0, LPCRE_GLOBAL},
        {'r', 0, LPCRE_ROLLING},       {'e', 0, LPCRE_ENCOMPASS},
    };

    for (size_t i = 0; i < n; i++) {
        size_t k = 0;
        while (k < sizeof tab / sizeof tab[0] && tab[k].c != s[i])
            k++;
        if (k == sizeof tab / sizeof tab[0])
            return "unknown PCRE flag";
        *opts |= tab[k].pcre;
        *flags |= tab[k].flag;
    }
    return NULL;
}

static vigil_status lp_compile(struct lpcre *re, const char *pat, size_t n,
                               uint32_t opts, char *why, size_t whylen)
{
    int err;
    PCRE2_SIZE at;

    re->code = pcre2_compile((PCRE2_SPTR)pat, n, opts, &err, &at, NULL);
    if (!re->code) {
        PCRE2_UCHAR msg[160];
        pcre2_get_error_message(err, msg, sizeof msg);
        snprintf(why, whylen, "PCRE2 compilation failed at offset %lu: %s",
                 (unsigned long)at, (const char *)msg);
        return VIGIL_EMALFORMED;
    }
    re->mctx = pcre2_match_context_create(NULL);
    if (!re->mctx)
        return VIGIL_ENOMEM;
    pcre2_set_match_limit(re->mctx, LPCRE_MATCH_LIMIT);
    pcre2_set_depth_limit(re->mctx, LPCRE_DEPTH_LIMIT);
    return VIGIL_OK;
}

/* The trigger: an expression over earlier subsignatures. */
static vigil_status lp_trigger(struct lpcre *re, const char *t, size_t n,
                               unsigned subsig, char *why, size_t whylen)
{
    unsigned maxid = 0;
    vigil_status st;

    if (n == strlen(LPCRE_BYPASS) && memcmp(t, LPCRE_BYPASS, n) == 0)
        return VIGIL_OK;
    st = lexpr_parse(t, n, &re->trigger, &maxid, why, whylen);
    if (st == VIGIL_EMALFORMED) {
        char inner[160];
        snprintf(inner, sizeof inner, "%s", why);
        snprintf(why, whylen, "invalid PCRE trigger: %s", inner);
    }
    if (st != VIGIL_OK)
        return st;
    if (maxid >= subsig) {
        snprintf(why, whylen, "PCRE subsignature %u: its trigger names %s", subsig,
                 maxid == subsig ? "itself" : "a later subsignature");
        return VIGIL_EMALFORMED;
    }
    return VIGIL_OK;
}

static vigil_status lp_fail(char *why, size_t whylen, const char *msg)
{
    snprintf(why, whylen, "%s", msg);
    return VIGIL_EMALFORMED;
}

vigil_status lpcre_new(const char *s, size_t n, unsigned subsig,
                       const struct offset_spec *off, struct lpcre **out, char *why,
                       size_t whylen)
{
    const char *first = memchr(s, '/', n), *last = NULL;
    struct lpcre *re = NULL;
    uint32_t opts = 0;
    vigil_status st;

    *out = NULL;
    for (size_t i = n; i > 0 && !last; i--)
        if (s[i - 1] == '/')
            last = s + i - 1;
    if (!first || first == last || !last)
        return lp_fail(why, whylen, "PCRE subsignature: mismatched '/' delimiter");
    if (first == s)
        return lp_fail(why, whylen, "PCRE subsignature needs a logical trigger");
    if (first + 1 == last)
        return lp_fail(why, whylen, "PCRE subsignature: empty pattern");
    if ((size_t)(last - first - 1) > LPCRE_MAX_PATTERN)
        return lp_fail(why, whylen, "PCRE subsignature: pattern too long");
    re = calloc(1, sizeof *re);
    if (!re)
        return VIGIL_ENOMEM;
    re->subsig = (uint8_t)subsig;
    re->off = *off;
    if (!(re->src = malloc(n))) {
        free(re);
        return VIGIL_ENOMEM;
    }
    memcpy(re->src, s, n);
    re->srclen = n;
    st = lp_trigger(re, s, (size_t)(first - s), subsig, why, whylen);
    if (st == VIGIL_OK && lp_options(last + 1, (size_t)(s + n - last - 1), &opts,
                                     &re->flags) != NULL)
        st = lp_fail(why, whylen, "PCRE subsignature: unknown flag (want i s m x A "
                     "E U g r e)");
    if (st == VIGIL_OK)
        st = lp_compile(re, first + 1, (size_t)(last - first - 1), opts, why, whylen);
    if (st != VIGIL_OK) {
        lpcre_free(re);
        return st;
    }
    *out = re;
    return VIGIL_OK;
}

void lpcre_free(struct lpcre *re)
{
    if (!re)
        return;
    pcre2_code_free(re->code);
    pcre2_match_context_free(re->mctx);
    lexpr_free(re->trigger);
    free(re->src);
    free(re);
}

const char *lpcre_source(const struct lpcre *re, size_t *n)
{
    *n = re->srclen;
    return re->src;
}

const struct offset_spec *lpcre_offset(const struct lpcre *re)
{
    return &re->off;
}

unsigned lpcre_subsig(const struct lpcre *re)
{
    return re->subsig;
}

const struct lexpr *lpcre_trigger(const struct lpcre *re)
{
    return re->trigger;
}

vigil_status lpcre_scratch_new(struct lpcre_scratch **out)
{
    struct lpcre_scratch *s = calloc(1, sizeof *s);

    if (s)
        s->md = pcre2_match_data_create(1, NULL);
    if (!s || !s->md) {
        lpcre_scratch_free(s);
        return VIGIL_ENOMEM;
    }
    *out = s;
    return VIGIL_OK;
}

void lpcre_scratch_free(struct lpcre_scratch *s)
{
    if (!s)
        return;
    pcre2_match_data_free(s->md);
    free(s);
}

/* Where the subject starts, how far a match may start past it (0: no
 * limit), whether to anchor. Returns 0 when the offset does not exist. */
static int lp_window(const struct lpcre *re, size_t len, const struct exe_layout *exe,
                     uint64_t *start, uint64_t *shift, int *anchored)
{
    uint64_t lo, hi;

    if (re->off.kind == OFF_ANY) {
        *start = *shift = 0;
        *anchored = 0;
        return 1;
    }
    if (!offset_window(&re->off, len, exe, &lo, &hi))
        return 0;
    *start = lo;
    *shift = re->off.kind == OFF_SECT_WHOLE ? hi - lo + 1 : hi - lo;
    *anchored = !(re->flags & LPCRE_ROLLING) && *shift == 0;
    return 1;
}

vigil_status lpcre_scan(const struct lpcre *re, struct lpcre_scratch *s,
                        const uint8_t *buf, size_t len, const struct exe_layout *exe,
                        lpcre_hit_fn fn, void *ctx)
{
    uint64_t start, shift;
    size_t sublen, from = 0;
    int anchored, rc;
    PCRE2_SIZE *ov;

    if (len > LPCRE_MAX_FILESIZE)
        return VIGIL_OK;
    if (!lp_window(re, len, exe, &start, &shift, &anchored) || start >= len)
        return VIGIL_OK;
    sublen = len - start;
    if ((re->flags & LPCRE_ENCOMPASS) && shift && shift < sublen)
        sublen = (size_t)shift;
    do {
        rc = pcre2_match(re->code, buf + start, sublen, from,
                         anchored ? PCRE2_ANCHORED : 0, s->md, re->mctx);
        if (rc == PCRE2_ERROR_NOMEMORY)
            return VIGIL_ENOMEM;
        if (rc < 0)
            break; /* no match, or a limit: ClamAV stops this regex */
        ov = pcre2_get_ovector_pointer(s->md);
        if (!(re->flags & LPCRE_ENCOMPASS) && shift && ov[0] > shift)
            break;
        if (fn(ctx, start + ov[0]))
            break;
        if (ov[1] == from)
            break; /* the same (empty) match again: it would repeat forever */
        from = ov[1];
    } while ((re->flags & LPCRE_GLOBAL) && from < sublen);
    return VIGIL_OK;
}
