/* fuzz_walk.h - the harness of a fuzz target for one container walker: the
 * input is walked as that format when its detector accepts it, children
 * scanned through the scan layer under small limits. Included once by each
 * fuzz_<fmt>.c of a hand-written walker. */
#ifndef VIGIL_TESTS_FUZZ_WALK_H
#define VIGIL_TESTS_FUZZ_WALK_H

#include <stdlib.h>

#include "scan/scanner.h"
#include "unpack/format.h"
#include "vigil/vigil.h"

static void fuzz_walk(const struct vigil_format *f, const uint8_t *data, size_t size,
                      const char *name)
{
    static vigil_engine *e;
    struct vigil_scan_options o;
    vigil_scanner *s = NULL;

    if (!e && (vigil_engine_new(&e) != VIGIL_OK || vigil_engine_compile(e) != VIGIL_OK))
        abort();
    if (vigil_scanner_new(e, &s) != VIGIL_OK)
        return;
    vigil_scan_options_default(&o);
    o.flags = VIGIL_SCAN_ALLMATCH | VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    o.limits.max_filesize = 1 << 20;
    o.limits.max_scansize = 4 << 20;
    if (f->detect(data, size)) {
        struct unpack u = {data, size, f->name, s};
        walk_begin(s, &o, name);
        (void)f->walk(&u);
        (void)walk_end(s);
    }
    vigil_scanner_free(s);
}

#endif
