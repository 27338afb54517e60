/* fuzz_uudecode.c - fuzz the text decoders of mail (src/unpack/maildec.c:
 * uuencode, base64, quoted-printable) into small buffers, and the
 * uuencoded-file walker (src/unpack/uuencode.c). */
#include "fuzz_walk.h"
#include "unpack/maildec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_uuencode;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static uint8_t out[1 << 12];
    size_t used, made;
    int damaged;

    made = maildec_uu(data, size, out, sizeof out, &used, &damaged);
    if (made > sizeof out || used > size)
        __builtin_trap();
    if (maildec_base64(data, size, out, sizeof out) > sizeof out ||
        maildec_qp(data, size, out, sizeof out) > sizeof out)
        __builtin_trap();
    (void)maildec_uu_begin(data, size);
    fuzz_walk(&format_uuencode, data, size, "fuzz.uu");
    return 0;
}
