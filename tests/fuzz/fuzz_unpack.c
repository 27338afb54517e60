/* fuzz_unpack.c - fuzz every container walker (src/unpack/) directly: the
 * input is walked as each format in formats.def, whatever its magic says,
 * with children scanned through the scan layer under small limits. */
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"
#include "scan/scanner.h"
#include "unpack/format.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define X(fmt) extern const struct vigil_format format_##fmt;
#include "unpack/formats.def"
#undef X

static const struct vigil_format *const all[] = {
#define X(fmt) &format_##fmt,
#include "unpack/formats.def"
#undef X
};

static vigil_engine *engine;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char hdb[] = "aa15bcf478d165efd2065190eb473bcb:544:Fuzz.Hash\n";
    struct vigil_scan_options o;
    vigil_scanner *s = NULL;

    if (!engine && (vigil_engine_new(&engine) != VIGIL_OK ||
                    vigil_engine_load_memory(engine, "f.hdb", hdb, sizeof hdb - 1,
                                             0) != VIGIL_OK ||
                    vigil_engine_compile(engine) != VIGIL_OK))
        abort();
    if (vigil_scanner_new(engine, &s) != VIGIL_OK)
        return 0;
    vigil_scan_options_default(&o);
    o.flags = VIGIL_SCAN_ALLMATCH | VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    o.limits.max_files = 50;
    o.limits.max_recursion = 3;
    o.limits.max_filesize = 1 << 20;
    o.limits.max_scansize = 4 << 20;
    o.limits.max_scantime_ms = 5000;
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        struct unpack u = {data, size, all[i]->name, s};
        (void)all[i]->detect(data, size);
        walk_begin(s, &o, "fuzz");
        (void)all[i]->walk(&u);
        (void)walk_end(s);
    }
    vigil_scanner_free(s);
    return 0;
}
