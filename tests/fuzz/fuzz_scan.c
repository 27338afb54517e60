/* fuzz_scan.c - fuzz the whole scan through the public API with containers
 * on: the input is scanned as a file (typed, unpacked layer by layer, each
 * layer matched) with an engine holding a hash and a body signature, once
 * with the defaults and once with allmatch, alerting limits and small
 * limits. Results must keep their invariants. */
#include <stdlib.h>
#include <string.h>

#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static vigil_engine *engine;

static void fuzz_init(void)
{
    static const char ndb[] = "Fuzz.Body:0:*:636c616d2e657865\n"; /* "clam.exe" */
    static const char hdb[] = "aa15bcf478d165efd2065190eb473bcb:544:Fuzz.Hash\n";

    if (vigil_engine_new(&engine) != VIGIL_OK ||
        vigil_engine_load_memory(engine, "f.ndb", ndb, sizeof ndb - 1, 0) != VIGIL_OK ||
        vigil_engine_load_memory(engine, "f.hdb", hdb, sizeof hdb - 1, 0) != VIGIL_OK ||
        vigil_engine_compile(engine) != VIGIL_OK)
        abort();
}

static void check(const vigil_result *r)
{
    for (size_t i = 0; i < vigil_result_count(r); i++) {
        const struct vigil_detection *d = vigil_result_detection(r, i);
        if (!d || !d->name || !d->layer_path || strlen(d->layer_path) > 4096)
            __builtin_trap();
        if (d->depth > 64)
            __builtin_trap();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vigil_scanner *s = NULL;
    struct vigil_scan_options o;
    const vigil_result *r;

    if (!engine)
        fuzz_init();
    if (vigil_scanner_new(engine, &s) != VIGIL_OK)
        return 0;
    vigil_scan_options_default(&o);
    o.limits.max_scantime_ms = 5000;
    if (vigil_scan_buffer(s, data, size, "fuzz", &o, &r) == VIGIL_OK)
        check(r);
    o.flags = VIGIL_SCAN_ALLMATCH | VIGIL_SCAN_ALERT_EXCEEDS_MAX;
    o.limits.max_files = 50;
    o.limits.max_recursion = 4;
    o.limits.max_filesize = 1 << 20;
    o.limits.max_scansize = 4 << 20;
    if (vigil_scan_buffer(s, data, size, NULL, &o, &r) == VIGIL_OK)
        check(r);
    vigil_scanner_free(s);
    return 0;
}
