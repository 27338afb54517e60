/* fuzz_mail.c - fuzz the mail walker (src/unpack/mail.c, mailhdr.c,
 * maildec.c), hand-written: the input is walked as mail (and as MHTML),
 * and its text is parsed as a header field's parameters and decoded as
 * RFC 2047 encoded words. */
#include <string.h>

#include "fuzz_walk.h"
#include "unpack/mailhdr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_mail, format_mhtml;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char value[4096], out[64];
    size_t n = size < sizeof value - 1 ? size : sizeof value - 1;

    memcpy(value, data, n);
    value[n] = '\0';
    (void)mailhdr_param(value, "filename", out, sizeof out);
    (void)mailhdr_param(value, "boundary", out, sizeof out);
    if (strlen(out) >= sizeof out)
        __builtin_trap();
    mailhdr_words(value);
    if (strlen(value) > n)
        __builtin_trap();
    fuzz_walk(&format_mail, data, size, "fuzz.eml");
    fuzz_walk(&format_mhtml, data, size, "fuzz.mht");
    return 0;
}
