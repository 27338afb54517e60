/* main.c - the vigil program: one table of subcommands.
 *
 * A new subcommand (vigil db, vigil audit, ...) is one line in `commands`
 * and a function int name_main(int argc, char **argv) that gets its own
 * name as argv[0].
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli/audit_cmd.h"
#include "cli/db_cmd.h"
#include "cli/scan.h"
#include "cli/usage.h"
#include "vigil/vigil.h"

struct command {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

static int version_main(int argc, char **argv);
static int help_main(int argc, char **argv);

static const struct command commands[] = {
    {"scan", scan_main, "Scan files and directories (clamscan's options and output)"},
    {"db", db_main, "Show and verify ClamAV databases (.cvd .cld .cud), as sigtool -i"},
    {"audit", audit_main, "Verify the hash chain of the audit log of actions taken"},
    {"version", version_main, "Print the version"},
    {"help", help_main, "Show this help, or the options of a command"},
};

#define NCOMMANDS (sizeof commands / sizeof commands[0])

static void usage(FILE *f)
{
    size_t k;

    fputs("Usage: vigil <command> [options] [arguments]\n\nCommands:\n", f);
    for (k = 0; k < NCOMMANDS; k++)
        fprintf(f, "  %-10s %s\n", commands[k].name, commands[k].summary);
    fputs("\nRun 'vigil help <command>' for the options of a command.\n"
          "vigil --version prints the version.\n",
          f);
}

static int version_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    printf("vigil %s\n", vigil_version());
    return 0;
}

static int help_main(int argc, char **argv)
{
    /* "vigil help CMD" is "vigil CMD --help", so each command keeps its own
     * help text in one place. */
    for (size_t k = 0; argc > 1 && k < NCOMMANDS; k++) {
        if (strcmp(argv[1], commands[k].name) == 0 && commands[k].fn != help_main) {
            char *args[] = {argv[1], (char *)(uintptr_t)"--help", NULL};
            return commands[k].fn(2, args);
        }
    }
    if (argc > 1) {
        fprintf(stderr, "vigil: no help for unknown command '%s'\n\n", argv[1]);
        usage(stderr);
        return 2;
    }
    usage(stdout);
    return 0;
}

int main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : NULL;
    size_t k;

    if (!cmd) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V"))
        return version_main(argc - 1, argv + 1);
    if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h"))
        return help_main(1, argv + 1);
    for (k = 0; k < NCOMMANDS; k++)
        if (!strcmp(cmd, commands[k].name))
            return commands[k].fn(argc - 1, argv + 1);
    fprintf(stderr, "vigil: unknown command '%s'\n\n", cmd);
    usage(stderr);
    return 2;
}
