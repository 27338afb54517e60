/* fuzz_ishield.c - fuzz the InstallShield walkers (src/unpack/ishield.c):
 * the input is walked as the msi kind (which checks its own magic) and as
 * the setup of a PE overlay (records, data1.hdr, cabinets). Neither is
 * ever found at the start of an object, so their detectors say no and the
 * walkers are called directly. */
#include <stdlib.h>

#include "scan/scanner.h"
#include "unpack/format.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_ishield, format_ishield_msi;

/* fuzz_walk without the detector. */
static void walk_as(const struct vigil_format *f, const uint8_t *data, size_t size)
{
    static vigil_engine *e;
    struct vigil_scan_options o;
    vigil_scanner *s = NULL;
    struct unpack u;

    if (!e && (vigil_engine_new(&e) != VIGIL_OK || vigil_engine_compile(e) != VIGIL_OK))
        abort();
    if (vigil_scanner_new(e, &s) != VIGIL_OK)
        return;
    vigil_scan_options_default(&o);
    o.flags = VIGIL_SCAN_ALLMATCH | VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    o.limits.max_filesize = 1 << 20;
    o.limits.max_scansize = 4 << 20;
    u = (struct unpack){data, size, f->name, s};
    walk_begin(s, &o, "fuzz.exe");
    (void)f->walk(&u);
    (void)walk_end(s);
    vigil_scanner_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    walk_as(&format_ishield_msi, data, size);
    walk_as(&format_ishield, data, size);
    return 0;
}
