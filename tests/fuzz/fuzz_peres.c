/* fuzz_peres.c - fuzz the version information walk of a PE (the resource
 * directory to the StringFileInfo strings, scan/pe_vinfo.c): directly, with
 * its invariants checked (offsets inside the object, sorted, unique, at
 * most the room given), and through a scan with a VI logical signature so
 * that the body matcher's VI path runs. */
#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "scan/pe_vinfo.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* "CompanyName\0" in UTF-16, at VI, and the same with a wildcard. */
static const char ldb[] =
    "Fuzz.VI;Engine:51-255,Target:1;0;VI:"
    "43006f006d00700061006e0079004e0061006d0065000000\n"
    "Fuzz.VI2;Engine:51-255,Target:1;0&1;VI:43006f00??00700061;4d5a\n";

static vigil_engine *engine(void)
{
    static vigil_engine *e;

    if (e)
        return e;
    if (vigil_engine_new(&e) != VIGIL_OK ||
        vigil_engine_load_memory(e, "f.ldb", ldb, sizeof ldb - 1, 0) != VIGIL_OK ||
        vigil_engine_compile(e) != VIGIL_OK)
        abort();
    return e;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_scan_options o;
    const vigil_result *r;
    vigil_scanner *s = NULL;
    struct pe_info pe;
    uint32_t off[64];

    if (pe_parse(data, size, &pe) == PE_OK) {
        size_t n = pe_vinfo_collect(data, size, &pe, off, 64);
        if (n > 64)
            __builtin_trap();
        for (size_t i = 0; i < n; i++)
            if (off[i] >= size || (i && off[i] <= off[i - 1]))
                __builtin_trap();
        pe_free(&pe);
    }
    if (vigil_scanner_new(engine(), &s) != VIGIL_OK)
        return 0;
    vigil_scan_options_default(&o);
    o.flags = VIGIL_SCAN_ALLMATCH;
    o.limits.max_filesize = 1 << 20;
    o.limits.max_scansize = 4 << 20;
    (void)vigil_scan_buffer(s, data, size, "fuzz", &o, &r);
    vigil_scanner_free(s);
    return 0;
}
