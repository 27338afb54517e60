/* fuzz_sis.c - fuzz the SIS walker (src/unpack/sis.c), a hand-written
 * parser: the input is walked as a SIS package, children scanned under
 * small limits. */
#include <stdlib.h>

#include "scan/scanner.h"
#include "unpack/format.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_sis;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vigil_engine *e;
    struct vigil_scan_options o;
    vigil_scanner *s = NULL;

    if (!e && (vigil_engine_new(&e) != VIGIL_OK || vigil_engine_compile(e) != VIGIL_OK))
        abort();
    if (vigil_scanner_new(e, &s) != VIGIL_OK)
        return 0;
    vigil_scan_options_default(&o);
    o.flags = VIGIL_SCAN_ALLMATCH | VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    o.limits.max_filesize = 1 << 20;
    o.limits.max_scansize = 4 << 20;
    if (format_sis.detect(data, size)) {
        struct unpack u = {data, size, format_sis.name, s};
        walk_begin(s, &o, "fuzz.sis");
        (void)format_sis.walk(&u);
        (void)walk_end(s);
    }
    vigil_scanner_free(s);
    return 0;
}
