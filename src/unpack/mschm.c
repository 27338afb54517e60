/* mschm.c - Microsoft compiled HTML help (.chm) through libmspack (chmd):
 * the content files (not the "::" system files) are extracted into memory
 * and scanned, named as ClamAV names them ("/page.htm").
 * Spec: the ITSF/ITSP format as libmspack documents it ("ITSF", version 3).
 * Limits: extraction bounded by the scan layer (mspack.c). */
#include <string.h>

#include "db/cdb.h"
#include "unpack/mspack.h"

static int mschm_detect(const uint8_t *buf, size_t len)
{
    return len >= 96 && memcmp(buf, "ITSF", 4) == 0;
}

struct chm_job {
    struct mschm_decompressor *d;
    struct mschmd_file *f;
};

static int chm_extract(void *ctx, const char *out)
{
    struct chm_job *j = ctx;

    return j->d->extract(j->d, j->f, out);
}

static vigil_status mschm_walk(struct unpack *u)
{
    struct msp_sys m;
    struct chm_job j = {NULL, NULL};
    struct mschmd_header *chm = NULL;
    uint64_t pos = 0;
    vigil_status st = VIGIL_OK;

    msp_sys_init(&m, u);
    j.d = mspack_create_chm_decompressor(&m.sys);
    if (!j.d)
        return VIGIL_ENOMEM;
    chm = j.d->open(j.d, msp_in_name(&m));
    if (!chm) {
        unpack_damaged(u);
        goto out;
    }
    for (j.f = chm->files; j.f; j.f = j.f->next) {
        const char *name = j.f->filename ? j.f->filename : "";
        /* clamscan 1.4.6 passes both sizes as 0 (measured). */
        struct cdb_member meta = {name, 0, 0, ++pos, 0};
        if (j.f->length == 0)
            continue;
        if (unpack_meta(u, &meta, &st) || msp_child(&m, name, chm_extract, &j, &st))
            break;
    }
out:
    if (chm)
        j.d->close(j.d, chm);
    mspack_destroy_chm_decompressor(j.d);
    return st;
}

const struct vigil_format format_mschm = {
    .name = "MSCHM",
    .detect = mschm_detect,
    .walk = mschm_walk,
};
