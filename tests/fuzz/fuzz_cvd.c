/* fuzz_cvd.c - fuzz the container reader (.cvd .cld .cud): the input is a
 * whole container, loaded as each kind. A .cvd stops at its signatures, so
 * most coverage comes from .cud (nothing signed: the tar, the manifest, the
 * inner databases); the header and manifest parsers and both signature
 * decoders also get the raw input directly. */
#include <string.h>

#include "db/cvd.h"
#include "fuzz_db.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The parsers that take text, fed the input as it is. */
static void fuzz_text(const uint8_t *data, size_t size)
{
    static char sig[4096];
    struct cvd_header h;
    struct cvd_info info;
    unsigned long lineno;
    uint8_t digest[32] = {0};
    size_t n = size < sizeof sig - 1 ? size : sizeof sig - 1;

    cvd_header_parse_line((const char *)data, size, &h);
    if (size >= CVD_HEADER_SIZE)
        cvd_header_parse(data, &h);
    for (int is_signed = 0; is_signed < 2; is_signed++)
        if (!cvd_info_parse((const char *)data, size, is_signed, &info, &lineno))
            cvd_info_free(&info);
    memcpy(sig, data, n);
    sig[n] = '\0';
    dsig_check_md5(sig, digest);
    dsig_check_info(sig, n, digest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_text(data, size);
    fuzz_db_one("fuzz.cud", data, size);
    fuzz_db_one("fuzz.cld", data, size);
    return fuzz_db_one("fuzz.cvd", data, size);
}
