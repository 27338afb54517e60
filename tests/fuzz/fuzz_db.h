/* fuzz_db.h - shared body of the signature-parser fuzz targets: load the
 * input as a database of one format, compile, scan a few buffers. */
#ifndef VIGIL_FUZZ_DB_H
#define VIGIL_FUZZ_DB_H

#include <stddef.h>
#include <stdint.h>

#include "vigil/vigil.h"

static inline int fuzz_db_one(const char *name, const uint8_t *data, size_t size)
{
    static const char probe[] = "vigil";
    vigil_engine *e = NULL;
    vigil_scanner *s = NULL;
    const vigil_result *r;

    if (vigil_engine_new(&e) != VIGIL_OK)
        return 0;
    if (vigil_engine_load_memory(e, name, data, size, 0) == VIGIL_OK &&
        vigil_engine_compile(e) == VIGIL_OK &&
        vigil_scanner_new(e, &s) == VIGIL_OK) {
        vigil_scan_buffer(s, probe, sizeof probe - 1, NULL, NULL, &r);
        vigil_scan_buffer(s, data, size, NULL, NULL, &r);
    }
    vigil_scanner_free(s);
    vigil_engine_free(e);
    return 0;
}

#endif
