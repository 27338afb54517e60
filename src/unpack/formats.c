/* formats.c - the table of container formats, built from formats.def, and
 * the lookup of an object's format by its first bytes. */
#include "unpack/format.h"

#define X(fmt) extern const struct vigil_format format_##fmt;
#include "unpack/formats.def"
#undef X

static const struct vigil_format *const formats[] = {
#define X(fmt) &format_##fmt,
#include "unpack/formats.def"
#undef X
};

const struct vigil_format *format_find(const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (formats[i]->detect(buf, len))
            return formats[i];
    return NULL;
}
