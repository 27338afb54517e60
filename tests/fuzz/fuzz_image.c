/* fuzz_image.c - fuzz the validating loader of engine images
 * (core/image.c, core/image_engine.c): the input is taken as an image file
 * (its key and checksum trailer are not checked, so mutations reach the
 * directory and table checks); one that is accepted becomes an engine,
 * which then scans a few fixed buffers and the input itself, so that every
 * lookup runs over the tables the checks let through. Seeds are images of
 * tiny databases written by this build (x86-64 layout). */
#include <stdlib.h>
#include <string.h>

#include "core/engine.h"
#include "core/image.h"
#include "core/image_engine.h"
#include "vigil/vigil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void scan(vigil_engine *e, const uint8_t *data, size_t size)
{
    static const char *const fixed[] = {"hello\n", "x clam.exe y", "MZ\x90\0\3\0\0\0"};
    struct vigil_scan_options o;
    vigil_scanner *s = NULL;
    const vigil_result *r;

    if (vigil_scanner_new(e, &s) != VIGIL_OK)
        return;
    vigil_scan_options_default(&o);
    o.flags = VIGIL_SCAN_ALLMATCH;
    o.limits.max_scantime_ms = 5000;
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        vigil_scan_buffer(s, fixed[i], strlen(fixed[i]), NULL, &o, &r);
    vigil_scan_buffer(s, data, size > 4096 ? 4096 : size, NULL, &o, &r);
    vigil_scanner_free(s);
}

/* The steps that place YARA rules (core/image_engine.h), as image_try
 * checks them: for the count the file claims, and one more. */
static void steps(const struct image *im)
{
    const uint32_t *v;
    size_t len;
    uint64_t n;

    image_table(im, IMAGE_STEPS, &len, &n);
    if (image_steps(im, (size_t)n, &v) == 0 && n && v[n - 1] < v[0])
        abort(); /* image_steps lets no decreasing count through */
    image_steps(im, (size_t)n + 1, &v);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    vigil_engine *e = NULL;
    struct image *im = NULL;
    /* The loader reads tables in place: give it aligned memory, as mmap. */
    uint8_t *copy = aligned_alloc(64, (size + 64) & ~(size_t)63);

    if (!copy)
        return 0;
    memcpy(copy, data, size);
    if (vigil_engine_new(&e) == VIGIL_OK &&
        image_open_buffer(copy, size, &im) == VIGIL_OK) {
        steps(im);
        if (image_attach(e, im) == VIGIL_OK && vigil_engine_compile(e) == VIGIL_OK)
            scan(e, data, size);
    }
    vigil_engine_free(e);
    free(copy);
    return 0;
}
