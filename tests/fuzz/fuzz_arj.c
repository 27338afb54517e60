/* fuzz_arj.c - fuzz the ARJ walker and decoders (src/unpack/arj.c,
 * arjdec.c), hand-written: the input is walked as an ARJ archive, and its
 * bytes are also decoded raw with every method into a bounded buffer. */
#include <stdlib.h>

#include "scan/scanner.h"
#include "unpack/arjdec.h"
#include "unpack/format.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_arj;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static vigil_engine *e;
    static uint8_t out[1 << 16];
    struct vigil_scan_options o;
    vigil_scanner *s = NULL;
    size_t made;

    for (int m = 1; m <= 4; m++)
        if (arjdec_run(m, data, size, out, sizeof out, &made) == 0 && made > sizeof out)
            __builtin_trap();
    if (!e && (vigil_engine_new(&e) != VIGIL_OK || vigil_engine_compile(e) != VIGIL_OK))
        abort();
    if (vigil_scanner_new(e, &s) != VIGIL_OK)
        return 0;
    vigil_scan_options_default(&o);
    o.flags = VIGIL_SCAN_ALLMATCH | VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    o.limits.max_filesize = 1 << 20;
    o.limits.max_scansize = 4 << 20;
    if (format_arj.detect(data, size)) {
        struct unpack u = {data, size, format_arj.name, s};
        walk_begin(s, &o, "fuzz.arj");
        (void)format_arj.walk(&u);
        (void)walk_end(s);
    }
    vigil_scanner_free(s);
    return 0;
}
