/* szdd.c - files compressed by MS-DOS COMPRESS.EXE (SZDD, "SZDD\x88\xf0'3")
 * and the QBasic variant ("SZ \x88\xf0'3e"), through libmspack (szddd);
 * the one output is scanned unnamed, as ClamAV does.
 * Limits: extraction bounded by the scan layer (mspack.c). */
#include <string.h>

#include "unpack/mspack.h"

static int szdd_detect(const uint8_t *buf, size_t len)
{
    return len >= 14 && (memcmp(buf, "SZDD\x88\xf0\x27\x33", 8) == 0 ||
                         memcmp(buf, "SZ \x88\xf0\x27\x33\xd1", 8) == 0);
}

struct szdd_job {
    struct msszdd_decompressor *d;
    const char *in;
};

static int szdd_extract(void *ctx, const char *out)
{
    struct szdd_job *j = ctx;

    return j->d->decompress(j->d, j->in, out);
}

static vigil_status szdd_walk(struct unpack *u)
{
    struct msp_sys m;
    struct szdd_job j;
    vigil_status st = VIGIL_OK;

    msp_sys_init(&m, u);
    j.d = mspack_create_szdd_decompressor(&m.sys);
    if (!j.d)
        return VIGIL_ENOMEM;
    j.in = msp_in_name(&m);
    (void)msp_child(&m, NULL, szdd_extract, &j, &st);
    mspack_destroy_szdd_decompressor(j.d);
    return st;
}

const struct vigil_format format_szdd = {
    .name = "MSSZDD",
    .detect = szdd_detect,
    .walk = szdd_walk,
};
