/* layer.h - the text of a layer path (see layer.c for clamscan's rules). */
#ifndef VIGIL_SCAN_LAYER_H
#define VIGIL_SCAN_LAYER_H

#include <stddef.h>
#include <stdint.h>

#include "scan/scanner.h"

/* Writes into out (cap bytes, NUL-terminated, cut if short) clamscan's -a
 * text for a detection about the object at depth `depth` whose way down is
 * v[0..n) (v[0] the first layer below the top-level object), for a
 * top-level object whose displayed name is display_len characters long. */
void layer_path(char *out, size_t cap, size_t display_len, const struct scan_layer *v,
                size_t n, uint32_t depth);

#endif
