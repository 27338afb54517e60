/* fuzz_yara.c - fuzz the YARA bridge: the input is rule text, then a NUL,
 * then an object. The rules load through vigil (compiler errors, warnings),
 * and when they compile the object is scanned with allmatch under a short
 * time budget, and every YARA detection's data (tags, metadata, string
 * matches) is read back through vigil_result_yara(). libyara itself is not
 * instrumented; what is checked is vigil's side of it. */
#include <string.h>

#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned touch(const struct vigil_yara_match *m)
{
    unsigned sum = (unsigned)strlen(m->rule) + (unsigned)strlen(m->ns);

    for (size_t i = 0; i < m->ntags; i++)
        sum += (unsigned)strlen(m->tags[i]);
    for (size_t i = 0; i < m->nmeta; i++)
        sum += (unsigned)strlen(m->meta[i].identifier) +
               (m->meta[i].string ? (unsigned)strlen(m->meta[i].string) : 0);
    for (size_t i = 0; i < m->nstrings; i++)
        for (uint32_t b = 0; b < m->strings[i].data_len; b++)
            sum += m->strings[i].data[b] + (unsigned)m->strings[i].offset;
    return sum;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *nul = memchr(data, 0, size);
    size_t rlen = nul ? (size_t)(nul - data) : size;
    struct vigil_scan_options o;
    vigil_engine *e = NULL;
    vigil_scanner *s = NULL;
    const vigil_result *r;
    volatile unsigned sink = 0;

    vigil_scan_options_default(&o);
    o.flags |= VIGIL_SCAN_ALLMATCH;
    o.limits.max_scantime_ms = 200;
    if (vigil_engine_new(&e) != VIGIL_OK)
        return 0;
    if (vigil_engine_load_memory(e, "fuzz.yar", data, rlen, 0) == VIGIL_OK &&
        vigil_engine_compile(e) == VIGIL_OK && vigil_scanner_new(e, &s) == VIGIL_OK &&
        vigil_scan_buffer(s, nul ? nul + 1 : data, nul ? size - rlen - 1 : size,
                          "dir/fuzz.bin", &o, &r) == VIGIL_OK) {
        for (size_t i = 0; i < vigil_result_count(r); i++)
            if (vigil_result_yara(r, i))
                sink += touch(vigil_result_yara(r, i));
    }
    (void)sink;
    vigil_scanner_free(s);
    vigil_engine_free(e);
    return 0;
}
