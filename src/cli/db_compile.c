/* db_compile.c - `vigil db compile`: load and compile the signatures that
 * `vigil scan` would load with the same options, and leave the compiled
 * pre-filter in the cache directory, so that the next scan starts in
 * milliseconds instead of compiling. It reads the same options as scan for
 * what to load (-d, --no-builtin, --cache-dir) through the same code
 * (dbload_run), so the cache it writes is the one a scan looks for. */
#include "cli/db_cmd.h"

#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/dbload.h"
#include "cli/options.h"
#include "cli/report.h"
#include "vigil/vigil.h"

static const char compile_usage[] =
    "Usage: vigil db compile [options]\n"
    "\n"
    "Load and compile the signatures that `vigil scan` loads with the same\n"
    "options, and keep the compiled form in the cache directory for the next\n"
    "scan: the engine image (one file the scan maps instead of parsing),\n"
    "for databases of a few thousand body signatures or more the compiled\n"
    "pre-filter, and libyara's compiled form of the YARA rules (.yar/.yara in\n"
    "-d directories, --yara FILE), used only for exactly the same rule files\n"
    "and includes.\n"
    "\n"
    "    --database=FILE/DIR   -d FILE/DIR    Load signatures from FILE or DIR\n"
    "    --yara=FILE                          Load YARA rules from FILE (repeatable)\n"
    "    --no-builtin                         Do not add the builtin test signatures\n"
    "    --cache-dir=DIR                      Keep compiled signatures in DIR (default:\n"
    "                                         /var/cache/vigil as root, else ~/.cache/vigil)\n"
    "    --debug                              Show what the cache did\n"
    "    --help                -h             Show this help\n"
    "\n"
    "Exit codes: 0 compiled (and cached when large enough), 2 error.\n";

static const char *const state_text[] = {
    [VIGIL_CACHE_OFF] = "compiled (no cache directory)",
    [VIGIL_CACHE_SMALL] = "compiled (too few to need the cache)",
    [VIGIL_CACHE_HIT] = "already compiled in",
    [VIGIL_CACHE_WRITTEN] = "compiled into",
    [VIGIL_CACHE_REBUILT] = "compiled again (the old file was damaged) into",
    [VIGIL_CACHE_UNWRITABLE] = "compiled, but could not be written to",
};

int db_compile_main(int argc, char **argv)
{
    struct scan_options o;
    struct report r;
    char err[512] = "", dir[PATH_MAX] = "";
    vigil_engine *e = NULL;
    enum vigil_cache_state cs;
    int rc = 2;

    /* argv[0] is "compile", as scan's parser expects its subcommand. */
    if (options_parse(&o, argc, argv, err, sizeof err) != 0) {
        fprintf(stderr, "vigil db compile: %s\n\n%s", err, compile_usage);
        goto out_opts;
    }
    if (o.help) {
        fputs(compile_usage, stdout);
        rc = 0;
        goto out_opts;
    }
    if (o.paths.n || o.no_cache) {
        fprintf(stderr, "vigil db compile: takes no FILE and no --no-cache\n\n%s",
                compile_usage);
        goto out_opts;
    }
    if (report_open(&r, &o, err, sizeof err) != 0) {
        fprintf(stderr, "vigil db compile: %s\n", err);
        goto out_opts;
    }
    if (vigil_engine_new(&e) != VIGIL_OK)
        goto out;
    /* Only the image is wanted: hash signatures and names go through
     * temporary files in the cache directory, not memory. A file size
     * limit fails the write (reported) rather than killing vigil. */
    vigil_engine_set_image_only(e, 1);
    signal(SIGXFSZ, SIG_IGN);
    vigil_engine_set_log(e, report_engine_log, &r,
                         o.debug ? VIGIL_LOG_DEBUG : VIGIL_LOG_WARNING);
    if (dbload_run(e, &o, &r) != 0)
        goto out;
    dbload_cache_dir(&o, dir, sizeof dir);
    cs = vigil_engine_cache_state(e);
    printf("%llu signatures %s%s%s\n", (unsigned long long)vigil_engine_signature_count(e),
           state_text[cs], cs == VIGIL_CACHE_OFF || cs == VIGIL_CACHE_SMALL ? "" : " ",
           cs == VIGIL_CACHE_OFF || cs == VIGIL_CACHE_SMALL ? "" : dir);
    rc = cs == VIGIL_CACHE_UNWRITABLE || cs == VIGIL_CACHE_OFF ? 2 : 0;
    cs = vigil_engine_yara_cache_state(e);
    if (cs != VIGIL_CACHE_OFF) /* the rules themselves count in the line above */
        printf("YARA rules %s %s\n",
               cs == VIGIL_CACHE_REBUILT ? "compiled again (the old file was damaged or "
                                           "out of date) into"
                                         : state_text[cs],
               dir);
    if (cs == VIGIL_CACHE_UNWRITABLE)
        rc = 2;
out:
    vigil_engine_free(e);
    report_close(&r);
out_opts:
    options_free(&o);
    return rc;
}
