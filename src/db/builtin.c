/* builtin.c - the signatures compiled into libvigil, so that a fresh install
 * detects the standard test files with no database at all. Names are ClamAV's
 * official ones, so reports match clamscan with the official databases. */
#include <string.h>

#include "core/engine.h"
#include "core/image_engine.h"
#include "db/hdb.h"
#include "db/lines.h"

static const char builtin_hdb[] =
    /* The 68-byte EICAR anti-virus test file. */
    "44d88612fea8a8f36de82e1278abb02f:68:Win.Test.EICAR_HDB-1\n"
    /* ClamAV's harmless test program clam.exe (package clamav-testfiles). */
    "71e7b604d18aefd839e51a39c88df8383bb4c071dc31f87f00a2b5df580d4495:544:"
    "Clamav.Test.File-6\n";

vigil_status vigil_engine_load_builtin(vigil_engine *e)
{
    struct engine_mark m;
    struct lines it;
    vigil_status st;

    if (!e)
        return VIGIL_EINVAL;
    if (e->compiled)
        return engine_fail(e, VIGIL_ESTATE, "builtin: engine already compiled");
    if (e->image)
        return engine_fail(e, VIGIL_ESTATE, "builtin: engine already loaded from its image");
    if (image_defer(e, NULL, 0, 1))
        return VIGIL_OK;
    if ((st = image_flush(e)) != VIGIL_OK)
        return st;
    engine_mark(e, &m);
    lines_init_mem(&it, builtin_hdb, strlen(builtin_hdb));
    st = hdb_parse(e, "builtin", &it, HDB_DETECT, 1);
    if (st != VIGIL_OK)
        engine_rollback(e, &m);
    return st;
}
