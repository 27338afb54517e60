/* ooxml.h - ClamAV's typing of Office Open XML zips (ooxml.c). */
#ifndef VIGIL_UNPACK_OOXML_H
#define VIGIL_UNPACK_OOXML_H

#include <stddef.h>
#include <stdint.h>

/* The container type ClamAV gives the zip b[0..len): "OOXML_WORD",
 * "OOXML_XL" or "OOXML_PPT", or NULL for a plain zip. */
const char *ooxml_type(const uint8_t *b, size_t len);

#endif
