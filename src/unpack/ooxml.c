/* ooxml.c - the typing of Office Open XML documents (docx, xlsx, pptx and
 * their macro-enabled variants), which are zips walked by archive.c.
 * clamscan 1.4.6, measured: a zip is CL_TYPE_OOXML_WORD, _XL or _PPT when
 * one of its first three local file headers names a member under
 * "word/", "xl/" or "ppt/" (the first such name decides; how large the
 * members before it are does not matter; [Content_Types].xml is not
 * needed). Spec: APPNOTE 4.3.7 (local file header: signature PK\3\4,
 * flags at 6, compressed size at 18, name and extra lengths at 26 and 28,
 * the name at 30).
 * Limits: OOXML_HEADERS headers, every field read within the zip. */
#include "unpack/ooxml.h"

#include <string.h>

#define OOXML_HEADERS 3
#define ZIP_LH 30
#define ZIP_DESCRIPTOR 0x0008 /* sizes follow the data: the walk stops */

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return le16(p) | le16(p + 2) << 16;
}

const char *ooxml_type(const uint8_t *b, size_t len)
{
    static const struct {
        const char *prefix, *type;
    } t[] = {{"word/", "OOXML_WORD"}, {"xl/", "OOXML_XL"}, {"ppt/", "OOXML_PPT"}};
    size_t pos = 0;

    for (int h = 0; h < OOXML_HEADERS; h++) {
        size_t n, e, c;
        if (len - pos < ZIP_LH || memcmp(b + pos, "PK\3\4", 4) != 0)
            return NULL;
        n = le16(b + pos + 26);
        e = le16(b + pos + 28);
        c = le32(b + pos + 18);
        if (n > len - pos - ZIP_LH)
            return NULL;
        for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
            size_t k = strlen(t[i].prefix);
            if (n >= k && memcmp(b + pos + ZIP_LH, t[i].prefix, k) == 0)
                return t[i].type;
        }
        if ((le16(b + pos + 6) & ZIP_DESCRIPTOR) || e + c > len - pos - ZIP_LH - n)
            return NULL;
        pos += ZIP_LH + n + e + c;
    }
    return NULL;
}
