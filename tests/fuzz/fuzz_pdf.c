/* fuzz_pdf.c - fuzz the PDF walker and its hand-written pieces
 * (src/unpack/pdf.c, pdflex.c, pdfdecode.c, pdfcrypt.c): the input is
 * walked as a PDF document, decoded raw by every stream filter (with and
 * without a PNG and a TIFF predictor) into a bounded buffer, and read as an
 * /Encrypt dictionary whose key then decrypts it. */
#include <string.h>

#include "fuzz_walk.h"
#include "unpack/pdf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

extern const struct vigil_format format_pdf;

static void decoders(const uint8_t *data, size_t size)
{
    static const enum pdf_filter f[] = {PDF_F_FLATE, PDF_F_AHEX, PDF_F_A85,
                                        PDF_F_LZW,   PDF_F_RL,   PDF_F_UNKNOWN};
    struct pdf_parms pp = {1, 1, 8, 1, 1};
    struct outbuf out;

    for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
        for (int pred = 0; pred < 3; pred++) {
            pp.predictor = pred == 0 ? 1 : pred == 1 ? 12 : 2;
            pp.colors = size > 0 ? 1 + data[0] % 4 : 1;
            pp.columns = size > 1 ? 1 + data[1] : 1;
            pp.early = size > 2 ? data[2] & 1 : 1;
            outbuf_init(&out, 1 << 16);
            (void)pdfdecode_run(f[i], &pp, data, size, &out);
            if (out.len > out.max)
                __builtin_trap();
            outbuf_free(&out);
        }
    }
}

static void crypt(const uint8_t *data, size_t size)
{
    struct pdf_crypt c;
    struct outbuf out;

    if (!pdfcrypt_open(&c, data, size, data, size < 16 ? size : 16))
        return;
    outbuf_init(&out, 1 << 16);
    (void)pdfcrypt_run(&c, 1, 0, data, size, &out);
    if (out.len > out.max)
        __builtin_trap();
    outbuf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    decoders(data, size);
    crypt(data, size);
    fuzz_walk(&format_pdf, data, size, "fuzz.pdf");
    return 0;
}
