/* walk.h - turning command-line paths into jobs, in clamscan's order and
 * with clamscan's rules for directories, symlinks, exclusions and special
 * files (see docs/vigil.1 for the rules as a user sees them).
 *
 * The walker only reads: it opens each regular file it will scan (read-only,
 * without following a symlink it was not told to follow, non-blocking so a
 * FIFO swapped in cannot hang it) and hands the descriptor on. It never
 * prints: every outcome, "Excluded" included, is a job for the report.
 */
#ifndef VIGIL_CLI_WALK_H
#define VIGIL_CLI_WALK_H

#include <regex.h>
#include <stdint.h>
#include <sys/types.h>

#include "cli/jobs.h"
#include "cli/options.h"

/* Directories deeper than this are not entered whatever
 * --max-dir-recursion says; each open level holds a descriptor. */
#define WALK_MAX_DEPTH 4096

/* Receives each job in walk order and takes ownership of it. */
typedef void (*walk_emit_fn)(void *ctx, struct job *j);

struct walk_regexes {
    regex_t *re;
    size_t n;
};

struct walker {
    const struct scan_options *o;
    /* --exclude/--include are matched against the file's resolved absolute
     * path, --exclude-dir/--include-dir against the directory's path as
     * walked: that is what clamscan 1.4.6 does. */
    struct walk_regexes exclude, include, exclude_dir, include_dir;
    walk_emit_fn emit;
    void *ctx;
    bool have_proc;
    dev_t proc_dev; /* files there are "Excluded (/proc)" */
    dev_t top_dev;  /* the device of the top directory, for --cross-fs=no */
    struct {
        dev_t dev;
        ino_t ino;
    } stack[WALK_MAX_DEPTH]; /* the directories open now, to refuse loops */
    size_t depth;
    uint64_t dirs; /* "Scanned directories" */
    uint64_t lost; /* jobs that could not be created (out of memory) */
};

/* Prepares a walker: compiles the four kinds of patterns as POSIX extended
 * regular expressions. Returns 0, or -1 with a message in err. Free it with
 * walk_free() in both cases. */
int walk_init(struct walker *w, const struct scan_options *o, walk_emit_fn emit,
              void *ctx, char *err, size_t errlen);

/* Frees the compiled patterns. */
void walk_free(struct walker *w);

/* Walks one path named on the command line or in a --file-list. */
void walk_operand(struct walker *w, const char *path);

#endif
