/* actions.h - --move, --copy and --remove: the only ways vigil scan changes
 * a file. They run on the main thread, after the file's result is printed.
 *
 * The file acted on must still be the one that was scanned: same device and
 * inode as the scanned descriptor, else the action is refused. A copy is
 * made from the scanned descriptor itself. Nothing in the quarantine
 * directory is ever overwritten: a name that exists gets ".001", ".002", ...
 * up to ".999", as clamscan 1.4.6 does.
 */
#ifndef VIGIL_CLI_ACTIONS_H
#define VIGIL_CLI_ACTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "cli/options.h"

enum action_kind { ACTION_NONE, ACTION_MOVE, ACTION_COPY, ACTION_REMOVE };

struct actions {
    enum action_kind kind;
    char *dir; /* the resolved quarantine directory for move and copy */
};

/* What one action did. Strings are owned by the result. */
struct action_result {
    bool ok;
    char *real;         /* the file's resolved path (NULL if it could not be had) */
    char *target;       /* where it went, for move and copy */
    char msg[1024];     /* on failure: the ERROR line's text, without "ERROR: " */
    const char *reason; /* on failure: the short reason, for --json */
};

/*
 * Chooses the action from the options (--move before --copy before
 * --remove, as clamscan) and checks the quarantine directory: it must exist,
 * be a directory and be writable. Returns 0, or -1 with the text of the
 * ERROR line in err. Free with actions_free() in both cases.
 */
int actions_setup(struct actions *a, const struct scan_options *o, char *err,
                  size_t errlen);

void actions_free(struct actions *a);

/* The verb of a successful action as clamscan prints it: "moved to",
 * "copied to" or "Removed.". */
const char *actions_verb(const struct actions *a);

/* Applies the action to the file at path, scanned through fd with fstat st.
 * Fills *r; free it with action_result_free(). */
void actions_apply(const struct actions *a, const char *path, int fd,
                   const struct stat *st, struct action_result *r);

void action_result_free(struct action_result *r);

#endif
