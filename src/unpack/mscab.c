/* mscab.c - Microsoft cabinet files through libmspack (cabd): every file
 * of the cabinet is extracted into memory and scanned.
 * Spec: Microsoft Cabinet Format (MS-CAB), header "MSCF"; decoding of
 * MSZIP, Quantum and LZX folders is libmspack's.
 * Limits: extraction bounded by the scan layer (mspack.c); libmspack
 * checks the cabinet's structures. */
#include <string.h>

#include "db/cdb.h"
#include "unpack/mspack.h"

static int mscab_detect(const uint8_t *buf, size_t len)
{
    return len >= 36 && memcmp(buf, "MSCF\0\0\0\0", 8) == 0;
}

struct cab_job {
    struct mscab_decompressor *d;
    struct mscabd_file *f;
};

static int cab_extract(void *ctx, const char *out)
{
    struct cab_job *j = ctx;

    return j->d->extract(j->d, j->f, out);
}

static vigil_status mscab_walk(struct unpack *u)
{
    struct msp_sys m;
    struct cab_job j = {NULL, NULL};
    struct mscabd_cabinet *cab = NULL;
    vigil_status st = VIGIL_OK;

    msp_sys_init(&m, u);
    j.d = mspack_create_cab_decompressor(&m.sys);
    if (!j.d)
        return VIGIL_ENOMEM;
    cab = j.d->open(j.d, msp_in_name(&m));
    if (!cab) {
        unpack_damaged(u);
        goto out;
    }
    for (j.f = cab->files; j.f; j.f = j.f->next) {
        const char *name = j.f->filename ? j.f->filename : "";
        /* clamscan 1.4.6 passes compressed size and position 0 (measured). */
        struct cdb_member meta = {name, 0, j.f->length, 0, 0};
        if (unpack_meta(u, &meta, &st) || msp_child(&m, name, cab_extract, &j, &st))
            break;
    }
out:
    if (cab)
        j.d->close(j.d, cab);
    mspack_destroy_cab_decompressor(j.d);
    return st;
}

const struct vigil_format format_mscab = {
    .name = "MSCAB",
    .detect = mscab_detect,
    .walk = mscab_walk,
};
