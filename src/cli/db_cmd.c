/* db_cmd.c - `vigil db info FILE...` and `vigil db verify FILE...`.
 *
 * info prints the header fields that `sigtool --info` prints (MD5 and the
 * digital signature for a .cvd only), then verifies the file. Verifying is a
 * full load into a scratch engine, the same code `vigil scan` runs: every
 * signature check, every SHA-256 of the manifest, every inner database
 * parsed. So "Verification OK" means vigil would load the file whole, and a
 * failure names the first thing that is wrong. A .cud is unsigned: sigtool
 * says so and stops; vigil says so and still checks the manifest's hashes. */
#include "cli/db_cmd.h"

#include <stdio.h>
#include <string.h>

#include "db/cvd.h"
#include "vigil/vigil.h"

static const char db_usage[] =
    "Usage: vigil db info [options] FILE...\n"
    "       vigil db verify [options] FILE...\n"
    "       vigil db compile [options]   (see vigil db compile --help)\n"
    "\n"
    "info    Print the header of a ClamAV database container (.cvd .cld .cud),\n"
    "        as sigtool --info does, and verify it.\n"
    "verify  Check a database file completely: for a .cvd the MD5 and RSA\n"
    "        signature of its header, for a .cvd or .cld the signed .info\n"
    "        manifest and the SHA-256 of every file in it, and that vigil can\n"
    "        read every database inside. Other database files are parsed.\n"
    "\n"
    "    --verbose  -v   Also show warnings (e.g. formats vigil skips)\n"
    "    --help     -h   Show this help\n"
    "\n"
    "Exit codes: 0 every FILE verified, 1 some FILE did not, 2 usage error.\n";

/* Prints the engine's warnings when asked (-v); errors come back as text. */
static void db_log(void *ctx, enum vigil_log_level level, const char *msg)
{
    (void)ctx;
    if (level <= VIGIL_LOG_WARNING)
        fprintf(stderr, "WARNING: %s\n", msg);
}

/* Loads path into a scratch engine. Returns 0, or -1 after printing why. */
static int db_check(const char *cmd, const char *path, int verbose)
{
    vigil_engine *e = NULL;
    vigil_status st = vigil_engine_new(&e);

    if (st == VIGIL_OK) {
        if (verbose)
            vigil_engine_set_log(e, db_log, NULL, VIGIL_LOG_WARNING);
        st = vigil_engine_load(e, path, 0);
    }
    if (st != VIGIL_OK)
        fprintf(stderr, "vigil db %s: %s\n", cmd,
                e && *vigil_engine_error(e) ? vigil_engine_error(e) : vigil_strerror(st));
    vigil_engine_free(e);
    return st == VIGIL_OK ? 0 : -1;
}

/* sigtool writes the build time with '-' for ':' (the field separator) and
 * prints it with the first one turned back. */
static void print_time(const char *t)
{
    const char *dash = strchr(t, '-');

    if (!dash) {
        printf("Build time: %s\n", t);
        return;
    }
    printf("Build time: %.*s:%s\n", (int)(dash - t), t, dash + 1);
}

static int db_info_one(const char *path, int verbose)
{
    struct cvd_header h;
    int kind = cvd_kind(path);
    const char *why = kind < 0 ? "not a ClamAV database container (.cvd .cld .cud)"
                               : cvd_header_read(path, &h);

    if (why) {
        fprintf(stderr, "vigil db info: %s: %s\n", path, why);
        return 1;
    }
    printf("File: %s\n", path);
    print_time(h.time);
    printf("Version: %u\nSignatures: %u\nFunctionality level: %u\nBuilder: %s\n",
           h.version, h.sigs, h.flevel, h.builder);
    if (kind == CVD_KIND_CVD)
        printf("MD5: %s\nDigital signature: %s\n", h.md5, h.dsig);
    if (kind == CVD_KIND_CUD)
        printf("Verification: Unsigned container\n");
    fflush(stdout);
    if (db_check("info", path, verbose) != 0)
        return 1;
    if (kind != CVD_KIND_CUD)
        printf("Verification OK.\n");
    return 0;
}

static int db_verify_one(const char *path, int verbose)
{
    int kind = cvd_kind(path);

    if (db_check("verify", path, verbose) != 0) {
        printf("%s: FAILED\n", path);
        return 1;
    }
    if (kind == CVD_KIND_CVD || kind == CVD_KIND_CLD)
        printf("%s: Verification OK (signed by ClamAV)\n", path);
    else if (kind == CVD_KIND_CUD)
        printf("%s: OK (unsigned container: its files match its manifest, but no "
               "signature vouches for them)\n",
               path);
    else
        printf("%s: OK (not a signed container: it parses)\n", path);
    return 0;
}

/* Reads the options among argv[2..argc) (anywhere before "--"). Returns
 * -1 to go on, or an exit code. */
static int db_options(int argc, char **argv, int *verbose)
{
    for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--verbose")) {
            *verbose = 1;
        } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(db_usage, stdout);
            return 0;
        } else if (argv[i][0] == '-' && argv[i][1]) {
            fprintf(stderr, "vigil db: unknown option '%s'\n\n%s", argv[i], db_usage);
            return 2;
        }
    }
    return -1;
}

int db_main(int argc, char **argv)
{
    int verbose = 0, rc, files = 0, dashdash = 0;
    int (*one)(const char *, int);

    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(db_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "compile"))
        return db_compile_main(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) {
        one = db_info_one;
    } else if (!strcmp(argv[1], "verify")) {
        one = db_verify_one;
    } else {
        fprintf(stderr, "vigil db: unknown subcommand '%s'\n\n%s", argv[1], db_usage);
        return 2;
    }
    if ((rc = db_options(argc, argv, &verbose)) >= 0)
        return rc;
    rc = 0;
    for (int i = 2; i < argc; i++) {
        if (!dashdash && !strcmp(argv[i], "--")) {
            dashdash = 1;
        } else if (dashdash || argv[i][0] != '-' || !argv[i][1]) {
            rc |= one(argv[i], verbose);
            files++;
        }
    }
    if (!files) {
        fprintf(stderr, "vigil db %s: no FILE given\n\n%s", argv[1], db_usage);
        return 2;
    }
    return rc;
}
