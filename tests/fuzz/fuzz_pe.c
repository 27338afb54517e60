/* fuzz_pe.c - fuzz the PE stage of a scan: the header parser in its plain
 * and strict (--alert-broken) forms, the section and import hashes (the
 * engine holds any-size .mdb/.msb/.imp signatures so that every hash is
 * computed), embedded PE discovery and the UPX unpacker and rebuild, all
 * through vigil_scan_buffer under small limits; then the parser and the
 * unpacker directly, with their invariants checked. */
#include <stdlib.h>
#include <string.h>

#include "scan/pe.h"
#include "unpack/upx.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char mdb[] = "*:d41d8cd98f00b204e9800998ecf8427e:Sect.Md5:73\n";
static const char msb[] =
    "*:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855:Sect.Sha256:73\n";
static const char imp[] = "d41d8cd98f00b204e9800998ecf8427e:*:Imp.Md5:73\n"
                          "da39a3ee5e6b4b0d3255bfef95601890afd80709:*:Imp.Sha1:73\n";

static vigil_engine *engine(void)
{
    static vigil_engine *e;

    if (e)
        return e;
    if (vigil_engine_new(&e) != VIGIL_OK ||
        vigil_engine_load_memory(e, "f.mdb", mdb, sizeof mdb - 1, 0) != VIGIL_OK ||
        vigil_engine_load_memory(e, "f.msb", msb, sizeof msb - 1, 0) != VIGIL_OK ||
        vigil_engine_load_memory(e, "f.imp", imp, sizeof imp - 1, 0) != VIGIL_OK ||
        vigil_engine_compile(e) != VIGIL_OK)
        abort();
    return e;
}

static void check_pe(const uint8_t *data, size_t size, const struct pe_info *pe)
{
    uint32_t off;

    if (pe->nsect > PE_MAX_SECTIONS || pe->ndirs > PE_MAX_DIRS || pe->ep >= size)
        __builtin_trap();
    for (uint32_t i = 0; i < pe->nsect; i++)
        if (pe->sect[i].rsz &&
            (pe->sect[i].raw >= size || pe->sect[i].rsz > size - pe->sect[i].raw))
            __builtin_trap();
    if (pe_rawaddr(pe, size, pe->vep, &off) == 0 && off >= size)
        __builtin_trap();
    (void)data;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct vigil_scan_options o;
    const vigil_result *r;
    vigil_scanner *s = NULL;
    struct pe_info pe;
    uint8_t *img = NULL;
    size_t n = 0;

    if (vigil_scanner_new(engine(), &s) != VIGIL_OK)
        return 0;
    vigil_scan_options_default(&o);
    o.flags = VIGIL_SCAN_ALLMATCH | VIGIL_SCAN_ALERT_BROKEN;
    o.limits.max_filesize = 4 << 20;
    o.limits.max_scansize = 8 << 20;
    (void)vigil_scan_buffer(s, data, size, "fuzz", &o, &r);
    vigil_scanner_free(s);
    for (int strict = 0; strict < 2; strict++) {
        if (pe_parse_scan(data, size, &pe, strict) != PE_OK)
            continue;
        check_pe(data, size, &pe);
        if (upx_unpack(data, size, &pe, 4 << 20, &img, &n) == 1 && (!img || n == 0))
            __builtin_trap();
        free(img);
        img = NULL;
        pe_free(&pe);
    }
    if (pe_parse(data, size, &pe) == PE_OK) {
        check_pe(data, size, &pe);
        pe_free(&pe);
    }
    return 0;
}
