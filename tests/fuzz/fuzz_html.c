/* fuzz_html.c - fuzz the HTML normaliser (src/unpack/htmlnorm.c) and the
 * HTML walker (html.c): every view is built under a small maximum, then
 * the input is walked as HTML, data: URIs scanned through the scan layer. */
#include "fuzz_walk.h"
#include "unpack/html.h"
#include "unpack/htmlnorm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_html_any(const uint8_t *buf, size_t len)
{
    (void)buf;
    (void)len;
    return 1;
}

static const struct vigil_format fuzz_format_html = {
    .name = "HTML",
    .detect = fuzz_html_any,
    .walk = html_walk,
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct htmlnorm h;

    if (htmlnorm_run(data, size, 4096, &h) == VIGIL_OK &&
        (h.nocomment.len > 4096 || h.notags.len > 4096 || h.js.len > 4096 ||
         h.ndata > HTMLNORM_MAX_DATA))
        __builtin_trap();
    htmlnorm_free(&h);
    fuzz_walk(&fuzz_format_html, data, size, "fuzz.html");
    return 0;
}
