/* audit_cmd.c - `vigil audit verify [FILE]` and the opening of `vigil
 * scan`'s audit log (see audit_cmd.h and core/audit.h). */
#include "cli/audit_cmd.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char audit_usage[] =
    "Usage: vigil audit verify [FILE]\n"
    "\n"
    "verify  Check the hash chain of an audit log (default: " AUDIT_DEFAULT_PATH ").\n"
    "        Prints the number of entries and the SHA-256 of the last one (keep\n"
    "        it elsewhere: only a copy shows a cut-off or rewritten tail), or the\n"
    "        first line that was edited, removed, inserted, reordered or torn.\n"
    "\n"
    "    --help     -h   Show this help\n"
    "\n"
    "Exit codes: 0 intact, 1 not intact, 2 usage error or unreadable file.\n";

static int verify(const char *path)
{
    struct audit_verdict v;
    vigil_status st = audit_verify(path, &v);

    if (st != VIGIL_OK) {
        fprintf(stderr, "vigil audit verify: %s: %s\n", path,
                st == VIGIL_EOPEN ? strerror(errno) : vigil_strerror(st));
        return 2;
    }
    if (v.bad_line) {
        printf("%s: line %llu: %s\n", path, (unsigned long long)v.bad_line, v.what);
        printf("%s: NOT INTACT (%llu entries checked before it)\n", path,
               (unsigned long long)v.entries);
        return 1;
    }
    printf("%s: intact, %llu entries", path, (unsigned long long)v.entries);
    if (v.recovered)
        printf(", %llu damaged line(s) on record (see the recover entries)",
               (unsigned long long)v.recovered);
    printf("\n%s: head %s\n", path, v.head);
    return 0;
}

int audit_main(int argc, char **argv)
{
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(audit_usage, stdout);
        return 0;
    }
    if (argc < 2 || argc > 3 || strcmp(argv[1], "verify") ||
        (argc == 3 && argv[2][0] == '-' && argv[2][1])) {
        fputs(audit_usage, stderr);
        return 2;
    }
    return verify(argc == 3 ? argv[2] : AUDIT_DEFAULT_PATH);
}

const char *audit_cmd_path(const struct scan_options *o)
{
    const char *env = getenv("VIGIL_AUDIT_LOG");

    if (o->audit_log)
        return o->audit_log;
    if (geteuid() != 0)
        return NULL;
    return env && *env ? env : AUDIT_DEFAULT_PATH;
}

int audit_cmd_open(const struct scan_options *o, struct report *r, struct audit_log **out)
{
    const char *path = audit_cmd_path(o);
    char err[512];

    *out = NULL;
    if (!path || !(o->move_dir || o->copy_dir || o->remove))
        return 0;
    /* The default directory is made on first use, readable by root only. */
    if (!o->audit_log && !strcmp(path, AUDIT_DEFAULT_PATH))
        mkdir("/var/log/vigil", 0700);
    if (audit_open(path, out, err, sizeof err) == VIGIL_OK)
        return 0;
    if (o->audit_log) {
        report_error(r, "Can't open audit log %s", err);
        return -1;
    }
    report_warning(r, "Can't open audit log %s: actions will not be recorded", err);
    return 0;
}
