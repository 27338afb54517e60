/* dbload.c - which signatures vigil scan loads (see dbload.h).
 *
 * clamscan 1.4.6 prints "ERROR: <reason>" when a database does not load,
 * still prints its SCAN SUMMARY and exits 2; vigil does the same with the
 * library's "file:line: reason" text.
 */
#include "cli/dbload.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The library's error text, or the status's text when it left none. */
static const char *error_text(const vigil_engine *e, vigil_status st)
{
    const char *t = vigil_engine_error(e);

    return t && *t ? t : vigil_strerror(st);
}

static int load_given(vigil_engine *e, const struct scan_options *o, struct report *r)
{
    vigil_status st;
    size_t k;

    for (k = 0; k < o->databases.n; k++) {
        st = vigil_engine_load(e, o->databases.v[k], 0);
        if (st != VIGIL_OK) {
            report_error(r, "%s", error_text(e, st));
            return -1;
        }
    }
    return 0;
}

/* The default directory: what cannot be found there is not fatal, unless
 * --no-builtin leaves the engine with nothing to detect. A malformed file of
 * a known format is fatal: that is a broken installation, not a missing one. */
static int load_default(vigil_engine *e, const struct scan_options *o, struct report *r)
{
    const char *dir = getenv("VIGIL_DATABASE_DIR");
    vigil_status st;

    if (!dir || !*dir)
        dir = DBLOAD_DEFAULT_DIR;
    st = vigil_engine_load(e, dir, VIGIL_LOAD_SKIP_UNSUPPORTED);
    if (st == VIGIL_OK)
        return 0;
    if (st != VIGIL_EOPEN && st != VIGIL_ENODB) {
        report_error(r, "%s", error_text(e, st));
        return -1;
    }
    if (o->no_builtin && !o->yara.n) {
        report_error(r, "%s: %s", dir, error_text(e, st));
        return -1;
    }
    if (o->no_builtin)
        return 0; /* the --yara rules are what the user asked for */
    if (!strncmp(error_text(e, st), dir, strlen(dir)))
        report_warning(r, "%s; only the builtin signatures are used", error_text(e, st));
    else
        report_warning(r, "%s: %s; only the builtin signatures are used", dir,
                       error_text(e, st));
    return 0;
}

/* Where compiled signatures are kept: --cache-dir, else $VIGIL_CACHE_DIR,
 * else /var/cache/vigil for root and $XDG_CACHE_HOME/vigil or
 * ~/.cache/vigil for others. The last component is created if missing.
 * Returns 0 with the directory in buf, or -1 for no cache. */
int dbload_cache_dir(const struct scan_options *o, char *buf, size_t n)
{
    const char *dir = o->cache_dir, *base;

    if (o->no_cache)
        return -1;
    if (!dir || !*dir)
        dir = getenv("VIGIL_CACHE_DIR");
    if (dir && *dir) {
        snprintf(buf, n, "%s", dir);
    } else if (geteuid() == 0) {
        snprintf(buf, n, "%s", DBLOAD_ROOT_CACHE_DIR);
    } else if ((base = getenv("XDG_CACHE_HOME")) && *base == '/') {
        snprintf(buf, n, "%s/vigil", base);
    } else if ((base = getenv("HOME")) && *base == '/') {
        snprintf(buf, n, "%s/.cache/vigil", base);
    } else {
        return -1;
    }
    if (mkdir(buf, geteuid() == 0 ? 0755 : 0700) != 0 && errno != EEXIST)
        return -1;
    return 0;
}

/* --yara FILE: YARA rules whatever the file's name; any failure is fatal. */
static int load_yara(vigil_engine *e, const struct scan_options *o, struct report *r)
{
    vigil_status st;

    for (size_t k = 0; k < o->yara.n; k++) {
        st = vigil_engine_load(e, o->yara.v[k], VIGIL_LOAD_YARA);
        if (st != VIGIL_OK) {
            report_error(r, "%s", error_text(e, st));
            return -1;
        }
    }
    return 0;
}

int dbload_run(vigil_engine *e, const struct scan_options *o, struct report *r)
{
    char cache[PATH_MAX];
    vigil_status st;

    /* Before the loads: with a cache, they may come from the engine image. */
    if (dbload_cache_dir(o, cache, sizeof cache) == 0)
        vigil_engine_set_cache_dir(e, cache); /* a bad one only means no cache */
    if ((o->databases.n ? load_given(e, o, r) : load_default(e, o, r)) != 0)
        return -1;
    if (load_yara(e, o, r) != 0)
        return -1;
    if (!o->no_builtin) {
        st = vigil_engine_load_builtin(e);
        if (st != VIGIL_OK) {
            report_error(r, "builtin signatures: %s", error_text(e, st));
            return -1;
        }
    }
    st = vigil_engine_load_finish(e);
    if (st != VIGIL_OK) {
        report_error(r, "%s", error_text(e, st));
        return -1;
    }
    st = vigil_engine_compile(e);
    if (st != VIGIL_OK) {
        report_error(r, "Database initialization error: %s", error_text(e, st));
        return -1;
    }
    return 0;
}
